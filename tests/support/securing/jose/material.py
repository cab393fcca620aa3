"""Keys and tokens for the JOSE tests: EC and Ed25519 keys derive from fixed seeds, RSA keys are
generated once per process (no seedable RSA generator exists in cryptography)."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from conformance.support.formats import Jws, decode_compact_jws
from conformance.support.securing.jose.keys import PrivateKey

ISSUER = "did:example:issuer"
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z

_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}


def seed_bytes(seed: str, size: int = 32) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return out[:size]


@cache
def private_key(kind: str, seed: str = "issuer") -> PrivateKey:
    """kind: Ed25519, P-256, P-384, P-521, RSA (2048 bits) or RSA-1024."""
    if kind == "Ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed_bytes(seed))
    if kind in _CURVES:
        # Below 2^(bits-1) the scalar is always under the group order of these three curves.
        bits = _CURVES[kind].key_size
        scalar = int.from_bytes(seed_bytes(seed, 80), "big") % (1 << (bits - 1)) + 1
        return ec.derive_private_key(scalar, _CURVES[kind])
    if kind == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "RSA-1024":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    raise ValueError(kind)


KEY_FOR_ALG = {
    "RS256": "RSA",
    "RS384": "RSA",
    "RS512": "RSA",
    "PS256": "RSA",
    "PS384": "RSA",
    "PS512": "RSA",
    "ES256": "P-256",
    "ES384": "P-384",
    "ES512": "P-521",
    "EdDSA": "Ed25519",
    "Ed25519": "Ed25519",
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def credential(**claims: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0f0e6c2e-9c51-4f8e-a5b4-3d0c2b1a0f9e",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Subject"},
    }
    document.update(claims)
    return document


def assemble(header: Any, payload: Any, signature: bytes = b"") -> str:
    return f"{b64json(header)}.{b64json(payload)}.{b64(signature)}"


def decode(compact: str) -> Jws:
    return decode_compact_jws(compact)
