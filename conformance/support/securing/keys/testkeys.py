"""Named key pairs for the suite's own signing: vectors, the reference system, signed reports.

THESE KEYS ARE PUBLIC TEST MATERIAL. Their seeds are in this file, so anyone can sign as them; they must
never secure anything real, and a verifier that trusts them outside a test has been misconfigured.

Each key is derived from a fixed label, so every checkout and every run signs with the same keys and
signed vectors stay reproducible:
- Ed25519: the 32-byte seed is SHA-256 of the label;
- P-256 / P-384: the private scalar is SHA-256 / SHA-384 of the label reduced into [1, n-1], where n is
  the curve's group order (so it is never zero and always a valid key).
The W3C eddsa key pair is included under "w3c-eddsa-2022" (its secret is published with the cryptosuite
test vectors) so known-answer tests can reproduce the published signatures exactly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .did import did_jwk_from_jwk, resolve_did_jwk, resolve_did_key
from .jwk import jwk_from_private_key, jwk_from_public_key
from .multikey import (
    KeyType,
    PrivateKey,
    PublicKey,
    encode_public_multikey,
    encode_secret_multikey,
    private_key_from_multikey,
)

__all__ = ["SUITE_KEY_LABELS", "SuiteKey", "suite_key", "suite_keys"]

_LABEL_PREFIX = "ler-conformance public test key: "

# Name -> key type. Add keys, never change a name's type or label: signed vectors depend on them.
SUITE_KEY_LABELS: dict[str, KeyType] = {
    "issuer-ed25519": KeyType.ED25519,
    "issuer-p256": KeyType.P256,
    "issuer-p384": KeyType.P384,
    "holder-ed25519": KeyType.ED25519,
    "holder-p256": KeyType.P256,
    "other-ed25519": KeyType.ED25519,
    "other-p256": KeyType.P256,
    "status-ed25519": KeyType.ED25519,
    "report-ed25519": KeyType.ED25519,
}
# Keys taken from published test vectors rather than derived from a label.
_PUBLISHED_SECRETS: dict[str, str] = {
    "w3c-eddsa-2022": "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
}

# Group orders of the NIST curves (public constants of the curve definitions).
_ORDERS: dict[KeyType, tuple[int, ec.EllipticCurve, Any]] = {
    KeyType.P256: (
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        ec.SECP256R1(),
        hashlib.sha256,
    ),
    KeyType.P384: (
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
        ec.SECP384R1(),
        hashlib.sha384,
    ),
}


@dataclass(frozen=True, slots=True)
class SuiteKey:
    """A named test key pair and its published forms. Public test material: never for real use."""

    name: str
    key_type: KeyType
    private_key: PrivateKey = field(repr=False)
    public_key: PublicKey = field(repr=False)
    public_multibase: str
    secret_multibase: str = field(repr=False)

    @property
    def did(self) -> str:
        """The did:key of the public key."""
        return f"did:key:{self.public_multibase}"

    @property
    def vm_id(self) -> str:
        """The did:key verification method id, as a proof's verificationMethod names it."""
        return f"did:key:{self.public_multibase}#{self.public_multibase}"

    @property
    def jwk(self) -> dict[str, str]:
        """The public JWK (a fresh dict each time)."""
        return jwk_from_public_key(self.public_key)

    @property
    def private_jwk(self) -> dict[str, str]:
        return jwk_from_private_key(self.private_key)

    @property
    def did_jwk(self) -> str:
        return did_jwk_from_jwk(self.jwk)

    @property
    def did_jwk_vm_id(self) -> str:
        return self.did_jwk + "#0"

    def did_document(self) -> dict[str, Any]:
        return resolve_did_key(self.did)

    def did_jwk_document(self) -> dict[str, Any]:
        return resolve_did_jwk(self.did_jwk)

    def sign(self, data: bytes) -> bytes:
        """A raw signature: Ed25519 (64 bytes) or ECDSA with the curve's hash as r||s (IEEE P1363), the form
        Data Integrity and JOSE both use."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(data)
        algorithm = hashes.SHA256() if self.key_type == KeyType.P256 else hashes.SHA384()
        r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(algorithm)))
        size = 32 if self.key_type == KeyType.P256 else 48
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _derive(name: str, key_type: KeyType) -> PrivateKey:
    label = (_LABEL_PREFIX + name).encode("utf-8")
    if key_type == KeyType.ED25519:
        return ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label).digest())
    order, curve, digest = _ORDERS[key_type]
    scalar = int.from_bytes(digest(label).digest(), "big") % (order - 1) + 1
    return ec.derive_private_key(scalar, curve)


def _make(name: str, private_key: PrivateKey, key_type: KeyType) -> SuiteKey:
    public_key = private_key.public_key()
    return SuiteKey(
        name=name,
        key_type=key_type,
        private_key=private_key,
        public_key=public_key,
        public_multibase=encode_public_multikey(public_key),
        secret_multibase=encode_secret_multikey(private_key),
    )


@cache
def suite_key(name: str) -> SuiteKey:
    """The named test key; KeyError lists the names when it is unknown."""
    if name in _PUBLISHED_SECRETS:
        return _make(name, private_key_from_multikey(_PUBLISHED_SECRETS[name]), KeyType.ED25519)
    key_type = SUITE_KEY_LABELS.get(name)
    if key_type is None:
        names = ", ".join([*SUITE_KEY_LABELS, *_PUBLISHED_SECRETS])
        raise KeyError(f"no test key named {name!r}; known: {names}")
    return _make(name, _derive(name, key_type), key_type)


def suite_keys() -> tuple[SuiteKey, ...]:
    """Every named test key, in a stable order."""
    return tuple(suite_key(name) for name in (*SUITE_KEY_LABELS, *_PUBLISHED_SECRETS))
