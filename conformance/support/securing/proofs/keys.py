"""What a proof verifier needs from key resolution, and a table-backed resolver for tests and fixed setups.

The real resolver (did:key, did:web, controller documents) lives elsewhere and plugs in through `KeyResolver`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from conformance.support.securing.keys.errors import INDETERMINATE_CODES, KeysError
from conformance.support.securing.keys.methods import KeyResolver as MethodResolver
from conformance.support.securing.keys.methods import VerificationMethodResolver
from conformance.support.securing.keys.multikey import PrivateKey, PublicKey  # noqa: F401 - PrivateKey is re-exported by proofs

KeyProblem = Literal["key-not-found", "key-not-authorized", "key-unavailable", "key-unsupported"]

# Key failures that are the suite's limit, not the document's: a DID method or verification method type the keys
# package does not implement. Checked before INDETERMINATE_CODES, which also holds the unsupported method.
# (unknown-key-type stays key-not-found: the keys package gives it both for a curve it lacks and for a secret key
# published where a public one belongs, and only the second is the document's defect.)
UNSUPPORTED_KEY_CODES: frozenset[str] = frozenset({"unsupported-did-method", "unsupported-vm-type"})


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    public_key: PublicKey
    verification_method: str
    controller: str


class KeyResolutionError(Exception):
    """Resolution gave no usable key. `key-unavailable` means we could not tell (e.g. the controller is offline)."""

    def __init__(self, reason: KeyProblem, message: str):
        super().__init__(message)
        self.reason: KeyProblem = reason
        self.message = message


class KeyResolver(Protocol):
    def resolve(self, verification_method: str, relationship: str) -> ResolvedKey:
        """The key of `verification_method` if its controller authorizes it for `relationship`
        (the proof purpose, e.g. assertionMethod); raises KeyResolutionError otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class StaticKeyResolver:
    """Keys by verification method id; each key is authorized for the relationships listed with it."""

    keys: Mapping[str, ResolvedKey]
    relationships: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, *entries: tuple[ResolvedKey, Iterable[str]]) -> StaticKeyResolver:
        return cls({key.verification_method: key for key, _ in entries},
                   {key.verification_method: frozenset(rels) for key, rels in entries})

    def resolve(self, verification_method: str, relationship: str) -> ResolvedKey:
        key = self.keys.get(verification_method)
        if key is None:
            raise KeyResolutionError("key-not-found", f"no key is known for verification method {verification_method}")
        allowed = self.relationships.get(verification_method, frozenset())
        if relationship not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise KeyResolutionError(
                "key-not-authorized",
                f"expected {key.controller} to authorize {verification_method} for {relationship}; it authorizes "
                f"it for: {listed}")
        return key


class ControllerDocumentResolver:
    """Keys through the suite's DID and controller-document resolution (`conformance.support.securing.keys`): did:key and did:jwk
    locally, did:web and https controller documents through the fetch that resolver was given.

    Maps its typed failures onto this package's: not authorized for the purpose -> `key-not-authorized`; a DID
    method or method type the suite does not implement -> `key-unsupported`; could not find out
    (offline) -> `key-unavailable`; anything else -> `key-not-found`.
    """

    def __init__(self, resolver: MethodResolver | None = None):
        self._resolver: MethodResolver = resolver if resolver is not None else VerificationMethodResolver()

    def resolve(self, verification_method: str, relationship: str) -> ResolvedKey:
        try:
            found = self._resolver.resolve(verification_method, relationship)
        except KeysError as exc:
            if exc.code == "not-authorized-for-purpose":
                raise KeyResolutionError("key-not-authorized", exc.message) from None
            if exc.code in UNSUPPORTED_KEY_CODES:
                raise KeyResolutionError("key-unsupported", exc.message) from None
            if exc.code in INDETERMINATE_CODES:
                raise KeyResolutionError("key-unavailable", exc.message) from None
            raise KeyResolutionError("key-not-found", exc.message) from None
        return ResolvedKey(found.public_key, found.vm_id, found.controller)
