"""Compact JWS signing for the suite's own credentials (vectors now, signed reports later).

Output is reproducible wherever the algorithm allows it: the header is serialized with sorted keys
and no whitespace, claims in the order given, and ECDSA uses RFC 6979 deterministic nonces, so a
vector re-signed with the same key is byte-identical (Ed25519 and RSASSA-PKCS1-v1_5 are
deterministic already; only PS* stays randomized).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey, import_key
from joserfc.jws import JWSRegistry

from .keys import PrivateKey, VerificationKey, quiet_library
from .results import JoseError
from .verify import ALGORITHMS, key_alg_mismatch

__all__ = ["default_alg", "encode_json", "sign_jws"]

_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "ES256": hashes.SHA256,
    "ES384": hashes.SHA384,
    "ES512": hashes.SHA512,
}


def encode_json(value: Any, *, sort_keys: bool = False) -> bytes:
    try:
        text = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise JoseError("malformed", f"the value cannot be serialized as JSON: {exc}") from None
    return text.encode("utf-8")


def default_alg(private_key: PrivateKey) -> str:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        by_curve = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
        if private_key.curve.name in by_curve:
            return by_curve[private_key.curve.name]
        raise JoseError(
            "key-alg-mismatch", f"no JWS alg signs with an EC key on {private_key.curve.name}", "key"
        )
    if isinstance(private_key, rsa.RSAPrivateKey):
        return "RS256"
    raise JoseError("key-invalid", f"cannot sign with a {type(private_key).__name__}", "key")


def sign_jws(
    header: Mapping[str, Any],
    payload: bytes | Mapping[str, Any],
    private_key: object,
    *,
    deterministic: bool = True,
) -> str:
    """Sign `payload` (bytes as they are, or a claims mapping serialized compactly) and return the
    compact JWS. `alg` comes from the header or, when absent, from the key (Ed25519 -> EdDSA,
    P-256 -> ES256, P-384 -> ES384, P-521 -> ES512, RSA -> RS256). `private_key` is a cryptography
    private key, a joserfc private key or a private JWK mapping. Raises JoseError when the alg is not
    one the verifier allows or does not fit the key."""
    key = _private_key(private_key)
    protected = dict(header)
    alg = protected.setdefault("alg", default_alg(key))
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise JoseError(
            "alg-not-allowed", f"alg {alg!r} is not one this suite signs or verifies with", "header", "/alg"
        )
    public = key.public_key()
    mismatch = key_alg_mismatch(alg, VerificationKey(public=public, jwk=_library_key(key)))
    if mismatch is not None:
        raise JoseError("key-alg-mismatch", mismatch, "key")

    body = bytes(payload) if isinstance(payload, (bytes, bytearray, memoryview)) else encode_json(payload)
    signing_input = _b64(encode_json(protected, sort_keys=True)) + b"." + _b64(body)
    signature = _sign(alg, key, signing_input, deterministic)
    return (signing_input + b"." + _b64(signature)).decode("ascii")


def _sign(alg: str, key: PrivateKey, signing_input: bytes, deterministic: bool) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey) and deterministic:
        der = key.sign(signing_input, ec.ECDSA(_HASHES[alg](), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return JWSRegistry.algorithms[alg].sign(signing_input, _library_key(key))


def _private_key(value: object) -> PrivateKey:
    if isinstance(value, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        return value
    if isinstance(value, Mapping):
        try:
            with quiet_library():
                value = import_key(dict(value))
        # Like the public import: joserfc may raise anything on a malformed JWK.
        except Exception as exc:  # noqa: BLE001
            raise JoseError("key-invalid", f"the private JWK cannot be imported: {exc}", "key") from None
    if isinstance(value, Key):
        private = value.private_key if value.is_private else None
        if isinstance(private, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            return private
        raise JoseError("key-invalid", "the key has no private part of a type this suite signs with", "key")
    raise JoseError("key-invalid", f"cannot sign with a {type(value).__name__}", "key")


def _library_key(key: PrivateKey) -> Key:
    with quiet_library():
        if isinstance(key, rsa.RSAPrivateKey):
            return RSAKey.import_key(key)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return ECKey.import_key(key)
        return OKPKey.import_key(key)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")
