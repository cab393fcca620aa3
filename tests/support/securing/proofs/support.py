"""Test-only key material: Ed25519 multikeys decoded locally, and keys from fixed seeds."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from conformance.support.securing.proofs import ResolvedKey, StaticKeyResolver, decode_base58btc

KAT = Path(__file__).parent / "kat"
ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_SECRET_PREFIX = b"\x80\x26"

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
SIGNED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
VERIFIED_AT = datetime(2024, 6, 1, tzinfo=UTC)


def kat_json(relative: str) -> Any:
    return json.loads((KAT / relative).read_text())


def ed25519_public_from_multikey(value: str) -> ed25519.Ed25519PublicKey:
    raw = decode_base58btc(value)
    assert raw[:2] == ED25519_PUBLIC_PREFIX and len(raw) == 34
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def ed25519_private_from_multikey(value: str) -> ed25519.Ed25519PrivateKey:
    raw = decode_base58btc(value)
    assert raw[:2] == ED25519_SECRET_PREFIX and len(raw) == 34
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])


def ed25519_key(seed_byte: int) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)


def ec_key(curve: ec.EllipticCurve, scalar: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(scalar, curve)


def resolver(*entries: tuple[str, Any, Iterable[str]], controller: str = "did:example:issuer") -> StaticKeyResolver:
    """entries: (verification method, public or private key, relationships)."""
    resolved = []
    for method, key, relationships in entries:
        public = key.public_key() if hasattr(key, "private_bytes") else key
        resolved.append((ResolvedKey(public, method, controller), relationships))
    return StaticKeyResolver.of(*resolved)


def credential(**extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [V2, EXAMPLES_V2],
        "id": "urn:uuid:6a0c3c0e-41a4-4b44-9c8d-1a2f0d5e7b11",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "alumniOf": "The School of Tests"},
    }
    document.update(extra)
    return copy.deepcopy(document)
