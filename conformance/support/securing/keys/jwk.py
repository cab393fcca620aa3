"""JSON Web Keys (RFC 7517/7518, OKP from RFC 8037) for Ed25519, P-256 and P-384, to and from `cryptography`.

Reading is strict: members must be strings in canonical unpadded base64url of the exact length for the
curve, EC points must lie on the curve, and an `alg` that names a different algorithm is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .errors import KeysError, describe
from .multibase import base64url_decode, base64url_encode
from .multikey import KeyType, PrivateKey, PublicKey, PublicKeyMaterial, SecretKeyMaterial, key_type_of

__all__ = [
    "jwk_from_private_key",
    "jwk_from_public_key",
    "jwk_key_type",
    "private_key_from_jwk",
    "public_key_from_jwk",
    "public_material_from_jwk",
]

# (kty, crv) -> key type, coordinate length, and the JOSE algorithm names that fit the key.
_CURVES: dict[tuple[str, str], tuple[KeyType, int, frozenset[str]]] = {
    ("OKP", "Ed25519"): (KeyType.ED25519, 32, frozenset({"EdDSA", "Ed25519"})),
    ("EC", "P-256"): (KeyType.P256, 32, frozenset({"ES256"})),
    ("EC", "P-384"): (KeyType.P384, 48, frozenset({"ES384"})),
}
_EC_CURVES: dict[KeyType, ec.EllipticCurve] = {KeyType.P256: ec.SECP256R1(), KeyType.P384: ec.SECP384R1()}
# Private members of every JWK key type: any of them in a "public" JWK leaks a secret.
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def _member(jwk: Mapping[str, Any], name: str, what: str) -> str:
    value = jwk.get(name)
    if value is None:
        raise KeysError("bad-jwk", f"{what} has no {name!r} member")
    if not isinstance(value, str):
        raise KeysError(
            "bad-jwk", f"{what} member {name!r} is expected to be a string; found {type(value).__name__}"
        )
    return value


def _coordinate(jwk: Mapping[str, Any], name: str, length: int, what: str) -> bytes:
    data = base64url_decode(_member(jwk, name, what), what=f"{what} member {name!r}", code="bad-jwk")
    if len(data) != length:
        raise KeysError(
            "wrong-key-length", f"{what} member {name!r} is {len(data)} bytes; {length} are expected"
        )
    return data


def jwk_key_type(jwk: object, *, what: str = "the JWK") -> KeyType:
    """The key type a JWK announces (kty, crv, and a consistent alg if present)."""
    if not isinstance(jwk, Mapping):
        raise KeysError("bad-jwk", f"{what} is expected to be a JSON object; found {type(jwk).__name__}")
    kty = _member(jwk, "kty", what)
    if kty not in ("OKP", "EC"):
        raise KeysError(
            "unknown-key-type",
            f"{what} has kty {describe(kty)}; OKP (Ed25519) or EC (P-256, P-384) is expected",
        )
    crv = _member(jwk, "crv", what)
    entry = _CURVES.get((kty, crv))
    if entry is None:
        expected = "Ed25519" if kty == "OKP" else "P-256 or P-384"
        raise KeysError(
            "unknown-key-type", f"{what} has kty {kty} with crv {describe(crv)}; {expected} is expected"
        )
    key_type, _, algorithms = entry
    alg = jwk.get("alg")
    if alg is not None and alg not in algorithms:
        raise KeysError(
            "key-type-mismatch",
            f"{what} has alg {describe(alg)}, which does not fit the key type {key_type}; {' or '.join(sorted(algorithms))} is expected",
        )
    return key_type


def public_material_from_jwk(jwk: object, *, what: str = "the JWK") -> PublicKeyMaterial:
    """Read a public JWK. A JWK that carries private members is refused (private-key-material): where a
    public key is published, a secret next to it means the key is compromised."""
    key_type = jwk_key_type(jwk, what=what)
    assert isinstance(jwk, Mapping)
    leaked = [m for m in _PRIVATE_MEMBERS if m in jwk]
    if leaked:
        raise KeysError(
            "private-key-material",
            f"{what} carries the private member(s) {', '.join(repr(m) for m in leaked)}; a public key is expected",
        )
    return _public_material(jwk, key_type, what)


def _public_material(jwk: Mapping[str, Any], key_type: KeyType, what: str) -> PublicKeyMaterial:
    length = _CURVES[("OKP" if key_type == KeyType.ED25519 else "EC", str(key_type))][1]
    x = _coordinate(jwk, "x", length, what)
    if key_type == KeyType.ED25519:
        return PublicKeyMaterial(key_type, x)
    y = _coordinate(jwk, "y", length, what)
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(_EC_CURVES[key_type], b"\x04" + x + y)
    except ValueError:
        raise KeysError("invalid-key", f"{what} x and y are not a point on the {key_type} curve") from None
    return PublicKeyMaterial.from_key(point)


def public_key_from_jwk(jwk: object, *, what: str = "the JWK") -> PublicKey:
    return public_material_from_jwk(jwk, what=what).to_key()


def private_key_from_jwk(jwk: object, *, what: str = "the JWK") -> PrivateKey:
    """Read a private JWK; its public members must belong to its private member."""
    key_type = jwk_key_type(jwk, what=what)
    assert isinstance(jwk, Mapping)
    public = _public_material(jwk, key_type, what)
    secret_length = 32 if key_type == KeyType.ED25519 else _CURVES[("EC", str(key_type))][1]
    d = _coordinate(jwk, "d", secret_length, what)
    key = SecretKeyMaterial(key_type, d).to_key()
    if PublicKeyMaterial.from_key(key.public_key()) != public:
        raise KeysError("invalid-key", f"{what} member 'd' is not the private key of its public members")
    return key


def jwk_from_public_key(key: PublicKey | PublicKeyMaterial) -> dict[str, str]:
    if isinstance(key, PublicKeyMaterial):
        key = key.to_key()
    key_type = key_type_of(key)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519", "x": base64url_encode(PublicKeyMaterial.from_key(key).raw)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        length = _CURVES[("EC", str(key_type))][1]
        return {
            "kty": "EC",
            "crv": str(key_type),
            "x": base64url_encode(numbers.x.to_bytes(length, "big")),
            "y": base64url_encode(numbers.y.to_bytes(length, "big")),
        }
    raise KeysError("unknown-key-type", f"a {type(key).__name__} is not a public key")


def jwk_from_private_key(key: PrivateKey) -> dict[str, str]:
    jwk = jwk_from_public_key(key.public_key())
    jwk["d"] = base64url_encode(SecretKeyMaterial.from_key(key).raw)
    return jwk
