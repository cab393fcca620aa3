"""What a JOSE verification step concludes, in a form a check can turn into a finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "JOSE_REASONS",
    "JoseError",
    "JoseKeyError",
    "JosePart",
    "JoseReason",
    "JoseResult",
    "KeySource",
]

# Codes are a contract with the checks that report them: add new ones, never rename.
JoseReason = Literal[
    "verified",
    "malformed",  # header, signature or envelope cannot be read as JOSE says
    "alg-none",  # an unsecured JWS
    "alg-symmetric",  # HS256/384/512: a verifier holding only public keys cannot use them
    "alg-not-allowed",  # an alg no JOSE registry lists (a typo, an invented name)
    "alg-unsupported",  # a registered asymmetric alg this verifier does not implement (ES256K, Ed448...): cannot tell
    "crit-unsupported",  # crit names an extension this verifier does not implement
    "key-not-found",  # no key identified, or the identified key cannot be obtained
    "key-unavailable",  # the key's controller could not be reached (offline): cannot tell
    "key-unsupported",  # a DID method, method type or key discovery (JWT VC issuer metadata) not implemented here
    "key-invalid",  # the key material cannot be imported or is out of bounds
    "private-key-leak",  # a JWK carrying private or secret members where a public key belongs
    "key-alg-mismatch",  # key type, curve, size, use or alg does not fit the header's alg
    "signature-mismatch",  # the signature does not verify under the key
    "not-yet-valid",  # nbf or iat lies in the future
    "expired",  # exp lies in the past
]
JOSE_REASONS: frozenset[str] = frozenset(JoseReason.__args__)  # type: ignore[attr-defined]

# Where a result points: a member of the protected header, a claim of the payload, the signature
# bytes, the key, or the data: URL of an envelope. Checks map "payload" pointers to a document
# location themselves, because that depends on the JWT style (a VC 1.1 claim sits beside the document).
JosePart = Literal["header", "payload", "signature", "key", "envelope"]


@dataclass(frozen=True, slots=True)
class JoseResult:
    verified: bool
    reason: JoseReason
    message: str
    part: JosePart | None = None
    pointer: str = ""  # JSON pointer inside `part` ("/alg", "/exp"); empty for the whole part

    @staticmethod
    def ok(message: str) -> JoseResult:
        return JoseResult(verified=True, reason="verified", message=message)

    @staticmethod
    def fail(reason: JoseReason, message: str, part: JosePart | None = None, pointer: str = "") -> JoseResult:
        return JoseResult(verified=False, reason=reason, message=message, part=part, pointer=pointer)


@dataclass(frozen=True, slots=True)
class KeySource:
    """How the verification key was found, so trust checks can weigh it: an embedded `jwk` only
    shows the signer held that key, while `kid` and `iss` tie it to a controller document."""

    kind: Literal["kid", "jwk", "iss", "given"]
    value: str | None = None


class JoseError(Exception):
    """A JOSE input cannot be used; `reason` is one of JOSE_REASONS."""

    reason: JoseReason
    message: str
    part: JosePart | None
    pointer: str

    def __init__(
        self, reason: JoseReason, message: str, part: JosePart | None = None, pointer: str = ""
    ) -> None:
        # All four in args so the exception pickles (pytest-xdist, multiprocessing).
        super().__init__(reason, message, part, pointer)
        self.reason = reason
        self.message = message
        self.part = part
        self.pointer = pointer

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!r}, {self.message!r})"

    def result(self) -> JoseResult:
        return JoseResult.fail(self.reason, self.message, self.part, self.pointer)


class JoseKeyError(JoseError):
    """A key cannot be found or used. Resolvers raise it (reason key-not-found, key-invalid or
    private-key-leak); any other exception from a resolver is a fault of the resolver itself."""
