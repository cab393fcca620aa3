"""Multikey public and secret keys: published known answers, round trips, and refusals."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from conformance.support.securing.keys import (
    KeysError,
    KeyType,
    PublicKeyMaterial,
    SecretKeyMaterial,
    decode_public_multikey,
    decode_secret_multikey,
    encode_public_multikey,
    encode_secret_multikey,
    key_type_of,
    private_key_from_multikey,
    public_key_from_multikey,
)
from conformance.support.securing.keys.multibase import base58btc_encode, encode_varint

W3C_EDDSA_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_EDDSA_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
OB_GUIDE_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_GUIDE_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"

# The generators of the NIST curves (odd y, so the compressed form starts with 0x03).
P256_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
P384_G = (
    0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
)


def multikey(codec: int, raw: bytes) -> str:
    return "z" + base58btc_encode(encode_varint(codec) + raw)


def test_w3c_eddsa_secret_derives_its_public_key() -> None:
    secret = decode_secret_multikey(W3C_EDDSA_SECRET)
    assert (secret.key_type, len(secret.raw)) == (KeyType.ED25519, 32)
    private = private_key_from_multikey(W3C_EDDSA_SECRET)
    assert encode_public_multikey(private.public_key()) == W3C_EDDSA_PUBLIC
    assert encode_secret_multikey(private) == W3C_EDDSA_SECRET


def test_open_badges_guide_key() -> None:
    material = decode_public_multikey(OB_GUIDE_PUBLIC)
    assert (material.key_type, material.raw.hex()) == (KeyType.ED25519, OB_GUIDE_HEX)
    assert PublicKeyMaterial(KeyType.ED25519, bytes.fromhex(OB_GUIDE_HEX)).multikey() == OB_GUIDE_PUBLIC
    assert isinstance(public_key_from_multikey(OB_GUIDE_PUBLIC), ed25519.Ed25519PublicKey)


@pytest.mark.parametrize(
    ("codec", "curve", "generator", "prefix"),
    [(0x1200, ec.SECP256R1(), P256_G, "zDn"), (0x1201, ec.SECP384R1(), P384_G, "z82")],
    ids=["P-256", "P-384"],
)
def test_hand_built_compressed_generator(
    codec: int, curve: ec.EllipticCurve, generator: tuple[int, int], prefix: str
) -> None:
    size = (curve.key_size + 7) // 8
    text = multikey(codec, b"\x03" + generator[0].to_bytes(size, "big"))
    assert text.startswith(prefix)
    key = public_key_from_multikey(text)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert (key.curve.name, key.public_numbers().x, key.public_numbers().y) == (curve.name, *generator)
    assert encode_public_multikey(key) == text


@pytest.mark.parametrize(
    ("make", "key_type", "prefix", "length"),
    [
        (ed25519.Ed25519PrivateKey.generate, KeyType.ED25519, "z6Mk", 32),
        (lambda: ec.generate_private_key(ec.SECP256R1()), KeyType.P256, "zDna", 33),
        (lambda: ec.generate_private_key(ec.SECP384R1()), KeyType.P384, "z82L", 49),
    ],
    ids=["Ed25519", "P-256", "P-384"],
)
def test_generated_keys_round_trip(make, key_type: KeyType, prefix: str, length: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(8):  # both parities of y for the EC keys, with overwhelming likelihood
        private = make()
        public_text = encode_public_multikey(private.public_key())
        assert public_text.startswith(prefix)
        material = decode_public_multikey(public_text)
        assert (material.key_type, len(material.raw)) == (key_type, length)
        assert PublicKeyMaterial.from_key(material.to_key()) == material
        assert key_type_of(private) == key_type_of(private.public_key()) == key_type
        secret_text = encode_secret_multikey(private)
        again = private_key_from_multikey(secret_text)
        assert encode_public_multikey(again.public_key()) == public_text
        assert SecretKeyMaterial.from_key(again) == decode_secret_multikey(secret_text)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        (multikey(0xE7, b"\x02" + b"\x11" * 32), "unknown-key-type", "secp256k1 public key"),
        (multikey(0xEC, b"\x11" * 32), "unknown-key-type", "X25519 public key"),
        (multikey(0x1205, b"\x11" * 40), "unknown-key-type", "RSA public key"),
        (multikey(0x55, b"\x11" * 32), "unknown-key-type", "0x55 (unknown codec)"),
        (W3C_EDDSA_SECRET, "unknown-key-type", "a secret key where a public key is expected"),
        (multikey(0xED, b"\x11" * 31), "wrong-key-length", "of 31 bytes; 32 are expected"),
        (multikey(0xED, b"\x11" * 33), "wrong-key-length", "of 33 bytes; 32 are expected"),
        (multikey(0x1200, b"\x02" + b"\x11" * 32 + b"\x00"), "wrong-key-length", "33 are expected"),
        (
            multikey(0x1200, b"\x04" + P256_G[0].to_bytes(32, "big") + P256_G[1].to_bytes(32, "big")),
            "wrong-key-length",
            "of 65 bytes",
        ),
        (multikey(0x1201, b"\x03" + b"\x11" * 32), "wrong-key-length", "49 are expected"),
        ("z" + base58btc_encode(b"\xed"), "bad-multicodec", "truncated"),
        ("z" + base58btc_encode(b"\xed\x81\x00" + b"\x11" * 32), "bad-multicodec", "not minimally encoded"),
        ("u7QE" + "A" * 43, "bad-multibase", "'z' (base58btc) is expected"),
        ("z6Mk0", "bad-multibase", "not in the base58btc alphabet"),
        (["z6Mk"], "bad-multibase", "found list"),
    ],
)
def test_refused_public_multikeys(text: object, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        public_key_from_multikey(text)
    assert info.value.code == code
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\x02" + (1).to_bytes(32, "big"), "not on the P-256 curve"),
        (b"\x05" + P256_G[0].to_bytes(32, "big"), "starts with 0x02 or 0x03; found 0x05"),
        (b"\x00" * 33, "found 0x00"),
    ],
)
def test_invalid_points(raw: bytes, fragment: str) -> None:
    material = decode_public_multikey(multikey(0x1200, raw))  # the shape is right ...
    with pytest.raises(KeysError) as info:
        material.to_key()  # ... the point is not
    assert (info.value.code, fragment in info.value.message) == ("invalid-key", True)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        (W3C_EDDSA_PUBLIC, "unknown-key-type", "0x1300"),
        (multikey(0x1300, b"\x01" * 31), "wrong-key-length", "32 are expected"),
        (multikey(0x1306, b"\x01" * 48), "wrong-key-length", "32 are expected"),
        (multikey(0x1307, b"\x01" * 32), "wrong-key-length", "48 are expected"),
    ],
)
def test_refused_secret_multikeys(text: str, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        private_key_from_multikey(text)
    assert (info.value.code, fragment in info.value.message) == (code, True)


@pytest.mark.parametrize(
    ("codec", "scalar"),
    [(0x1306, b"\0" * 32), (0x1306, b"\xff" * 32), (0x1307, b"\0" * 48), (0x1307, b"\xff" * 48)],
)
def test_scalar_outside_the_group_is_invalid(codec: int, scalar: bytes) -> None:
    with pytest.raises(KeysError) as info:
        private_key_from_multikey(multikey(codec, scalar))
    assert info.value.code == "invalid-key"


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (ec.generate_private_key(ec.SECP521R1()), "unknown-key-type"),
        (ec.generate_private_key(ec.SECP256K1()).public_key(), "unknown-key-type"),
    ],
)
def test_unsupported_cryptography_keys(key: object, code: str) -> None:
    with pytest.raises(KeysError) as info:
        key_type_of(key)  # type: ignore[arg-type]
    assert info.value.code == code


def test_material_checks_its_length() -> None:
    with pytest.raises(KeysError) as info:
        PublicKeyMaterial(KeyType.P384, b"\x02" * 33)
    assert info.value.code == "wrong-key-length"
