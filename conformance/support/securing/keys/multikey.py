"""Multikey values (multibase over a multicodec prefix and raw key bytes) and `cryptography` keys.

Public keys: Ed25519 (0xed), P-256 (0x1200) and P-384 (0x1201), the EC keys as compressed points.
Secret keys: Ed25519 (0x1300), P-256 (0x1306) and P-384 (0x1307) as raw seeds or scalars.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .errors import KeysError
from .multibase import decode_multibase, encode_multibase, encode_varint, split_multicodec

__all__ = [
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "PublicKeyMaterial",
    "SecretKeyMaterial",
    "decode_public_multikey",
    "decode_secret_multikey",
    "encode_public_multikey",
    "encode_secret_multikey",
    "key_type_of",
    "private_key_from_multikey",
    "public_key_from_multikey",
]

PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class KeyType(StrEnum):
    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"


@dataclass(frozen=True, slots=True)
class _Codec:
    key_type: KeyType
    public: int
    secret: int
    public_length: int
    secret_length: int


_CODECS: dict[KeyType, _Codec] = {
    KeyType.ED25519: _Codec(KeyType.ED25519, 0xED, 0x1300, 32, 32),
    KeyType.P256: _Codec(KeyType.P256, 0x1200, 0x1306, 33, 32),
    KeyType.P384: _Codec(KeyType.P384, 0x1201, 0x1307, 49, 48),
}
_BY_PUBLIC = {c.public: c for c in _CODECS.values()}
_BY_SECRET = {c.secret: c for c in _CODECS.values()}
# Named so a refusal says what the value is, not just that it is unsupported.
_KNOWN_UNSUPPORTED = {
    0xE7: "secp256k1 public key",
    0xEC: "X25519 public key",
    0xEB: "BLS12-381 G2 public key",
    0xEA: "BLS12-381 G1 public key",
    0x1202: "P-521 public key",
    0x1205: "RSA public key",
    0x1301: "secp256k1 secret key",
    0x1302: "X25519 secret key",
}
_CURVES: dict[KeyType, ec.EllipticCurve] = {KeyType.P256: ec.SECP256R1(), KeyType.P384: ec.SECP384R1()}
_CURVE_TYPES = {"secp256r1": KeyType.P256, "secp384r1": KeyType.P384}


def _codec_name(code: int) -> str:
    for codec in _CODECS.values():
        if code == codec.public:
            return f"{codec.key_type} public key"
        if code == codec.secret:
            return f"{codec.key_type} secret key"
    return _KNOWN_UNSUPPORTED.get(code, "unknown codec")


def key_type_of(key: PublicKey | PrivateKey) -> KeyType:
    """The KeyType of a `cryptography` key; KeysError unknown-key-type for any other key."""
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return KeyType.ED25519
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        key_type = _CURVE_TYPES.get(key.curve.name)
        if key_type is not None:
            return key_type
        raise KeysError(
            "unknown-key-type", f"the EC curve {key.curve.name} is not supported; P-256 or P-384 is expected"
        )
    raise KeysError(
        "unknown-key-type",
        f"a {type(key).__name__} is not supported; an Ed25519, P-256 or P-384 key is expected",
    )


@dataclass(frozen=True, slots=True)
class PublicKeyMaterial:
    """A public key as bytes: 32 for Ed25519, the compressed point for P-256 and P-384."""

    key_type: KeyType
    raw: bytes

    def __post_init__(self) -> None:
        expected = _CODECS[self.key_type].public_length
        if len(self.raw) != expected:
            raise KeysError(
                "wrong-key-length",
                f"a {self.key_type} public key is {expected} bytes; found {len(self.raw)}",
            )

    @classmethod
    def from_key(cls, key: PublicKey) -> PublicKeyMaterial:
        key_type = key_type_of(key)
        if isinstance(key, ed25519.Ed25519PublicKey):
            return cls(key_type, key.public_bytes(Encoding.Raw, PublicFormat.Raw))
        if isinstance(key, ec.EllipticCurvePublicKey):
            return cls(key_type, key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint))
        raise KeysError("unknown-key-type", f"a {type(key).__name__} is not a public key")

    def to_key(self) -> PublicKey:
        """The `cryptography` key; KeysError invalid-key when the bytes are not a key of this type."""
        if self.key_type == KeyType.ED25519:
            try:
                return ed25519.Ed25519PublicKey.from_public_bytes(self.raw)
            except (ValueError, UnsupportedAlgorithm) as exc:
                raise KeysError("invalid-key", f"the 32 bytes are not an Ed25519 public key: {exc}") from None
        if self.raw[0] not in (2, 3):
            raise KeysError(
                "invalid-key",
                f"a compressed {self.key_type} point starts with 0x02 or 0x03; found 0x{self.raw[0]:02x}",
            )
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[self.key_type], self.raw)
        except ValueError:
            raise KeysError(
                "invalid-key", f"the compressed point is not on the {self.key_type} curve"
            ) from None

    def multikey(self) -> str:
        return encode_multibase(encode_varint(_CODECS[self.key_type].public) + self.raw, "z")


@dataclass(frozen=True, slots=True)
class SecretKeyMaterial:
    """A secret key as bytes: the 32-byte Ed25519 seed, or the big-endian EC scalar."""

    key_type: KeyType
    raw: bytes

    def __post_init__(self) -> None:
        expected = _CODECS[self.key_type].secret_length
        if len(self.raw) != expected:
            raise KeysError(
                "wrong-key-length", f"a {self.key_type} secret key is {expected} bytes; found {len(self.raw)}"
            )

    @classmethod
    def from_key(cls, key: PrivateKey) -> SecretKeyMaterial:
        key_type = key_type_of(key)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return cls(key_type, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
        if isinstance(key, ec.EllipticCurvePrivateKey):
            length = _CODECS[key_type].secret_length
            return cls(key_type, key.private_numbers().private_value.to_bytes(length, "big"))
        raise KeysError("unknown-key-type", f"a {type(key).__name__} is not a private key")

    def to_key(self) -> PrivateKey:
        if self.key_type == KeyType.ED25519:
            return ed25519.Ed25519PrivateKey.from_private_bytes(self.raw)
        scalar = int.from_bytes(self.raw, "big")
        try:
            return ec.derive_private_key(scalar, _CURVES[self.key_type])
        except ValueError:
            raise KeysError(
                "invalid-key", f"the scalar is outside the {self.key_type} group order range"
            ) from None

    def multikey(self) -> str:
        return encode_multibase(encode_varint(_CODECS[self.key_type].secret) + self.raw, "z")


def _decode(text: object, what: str) -> tuple[int, bytes]:
    # Multikey fixes the base: base58btc only, so a 'u' value is a format error, not an alternative.
    data = decode_multibase(text, allowed="z", what=what)
    return split_multicodec(data, what=what)


def decode_public_multikey(text: object, *, what: str = "the public key multibase") -> PublicKeyMaterial:
    """Read a public Multikey value. Raises KeysError bad-multibase, bad-multicodec, unknown-key-type
    (including a secret key where a public one is expected) or wrong-key-length."""
    code, raw = _decode(text, what)
    codec = _BY_PUBLIC.get(code)
    if codec is None:
        hint = "; a secret key where a public key is expected" if code in _BY_SECRET else ""
        raise KeysError(
            "unknown-key-type",
            f"{what} has the multicodec prefix 0x{code:x} ({_codec_name(code)}){hint}; "
            "an Ed25519 (0xed), P-256 (0x1200) or P-384 (0x1201) public key is expected",
        )
    if len(raw) != codec.public_length:
        raise KeysError(
            "wrong-key-length",
            f"{what} holds a {codec.key_type} public key of {len(raw)} bytes; {codec.public_length} are expected",
        )
    return PublicKeyMaterial(codec.key_type, raw)


def decode_secret_multikey(text: object, *, what: str = "the secret key multibase") -> SecretKeyMaterial:
    code, raw = _decode(text, what)
    codec = _BY_SECRET.get(code)
    if codec is None:
        raise KeysError(
            "unknown-key-type",
            f"{what} has the multicodec prefix 0x{code:x} ({_codec_name(code)}); "
            "an Ed25519 (0x1300), P-256 (0x1306) or P-384 (0x1307) secret key is expected",
        )
    if len(raw) != codec.secret_length:
        raise KeysError(
            "wrong-key-length",
            f"{what} holds a {codec.key_type} secret key of {len(raw)} bytes; {codec.secret_length} are expected",
        )
    return SecretKeyMaterial(codec.key_type, raw)


def public_key_from_multikey(text: object, *, what: str = "the public key multibase") -> PublicKey:
    return decode_public_multikey(text, what=what).to_key()


def private_key_from_multikey(text: object, *, what: str = "the secret key multibase") -> PrivateKey:
    return decode_secret_multikey(text, what=what).to_key()


def encode_public_multikey(key: PublicKey | PublicKeyMaterial) -> str:
    material = key if isinstance(key, PublicKeyMaterial) else PublicKeyMaterial.from_key(key)
    return material.multikey()


def encode_secret_multikey(key: PrivateKey | SecretKeyMaterial) -> str:
    material = key if isinstance(key, SecretKeyMaterial) else SecretKeyMaterial.from_key(key)
    return material.multikey()
