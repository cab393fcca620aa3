"""The one error type the keys package raises, with a stable reason code a check can report."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INDETERMINATE_CODES", "KEY_ERROR_CODES", "KeyFailure", "KeysError"]

# Codes are a contract with the checks and the reports: add new ones, never rename.
KEY_ERROR_CODES: frozenset[str] = frozenset(
    {
        "bad-multibase",  # no or unknown multibase header, a character outside the alphabet, too long
        "bad-multicodec",  # the varint prefix is truncated, overlong or not minimally encoded
        "unknown-key-type",  # a codec, JWK kty/crv or key type this package does not support
        "wrong-key-length",  # the key bytes after the prefix have the wrong length
        "invalid-key",  # right length, but not a key (an EC point off the curve, a zero scalar)
        "key-type-mismatch",  # the key is of a different type than its container announces
        "bad-jwk",  # a JWK that is not an object, lacks a member, or has a malformed one
        "private-key-material",  # a private member ("d") where only a public key belongs
        "bad-did",  # a DID that its method's syntax does not allow
        "unsupported-did-method",  # a DID method this package cannot resolve
        "resolution-failed",  # the controller document could not be obtained (network, offline)
        "bad-controller-document",  # obtained, but not a JSON object with well-formed members
        "document-id-mismatch",  # the document's id is not the URL it was obtained from
        "vm-not-url",  # the verification method id is not an absolute URL
        "vm-not-found",  # no verification method with that id in the controller document
        "controller-mismatch",  # the method's controller is not the document it was found in
        "not-authorized-for-purpose",  # the method is not listed under the requested relationship
        "unsupported-vm-type",  # a verification method type this package cannot read a key from
        "bad-verification-method",  # a supported type whose members are missing or malformed
    }
)

# Failures that say "could not find out", not "the credential is wrong": a check reports these as
# cantTell or error, never as a failed requirement.
INDETERMINATE_CODES: frozenset[str] = frozenset({"resolution-failed", "unsupported-did-method"})


@dataclass(frozen=True, slots=True)
class KeyFailure:
    """Why a key could not be obtained, as a value a check can turn into a finding."""

    code: str
    message: str

    @property
    def indeterminate(self) -> bool:
        return self.code in INDETERMINATE_CODES


class KeysError(Exception):
    """Key material, a DID or a verification method that cannot be used, and why."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        # A code outside the contract is a bug in this package; failing loudly keeps reports stable.
        if code not in KEY_ERROR_CODES:
            raise AssertionError(f"unregistered key error code {code!r}")
        # Both go into args so the exception survives pickling (pytest-xdist, multiprocessing).
        super().__init__(code, message)
        self.code = code
        self.message = message

    @property
    def indeterminate(self) -> bool:
        return self.code in INDETERMINATE_CODES

    @property
    def failure(self) -> KeyFailure:
        return KeyFailure(self.code, self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"KeysError({self.code!r}, {self.message!r})"


def describe(value: object, limit: int = 160) -> str:
    """A short, safe rendering of a hostile value for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
