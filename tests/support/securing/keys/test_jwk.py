"""JWK (OKP Ed25519, EC P-256/P-384) to and from cryptography keys; refusals with their reason codes."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from conformance.support.securing.keys import (
    KeysError,
    KeyType,
    jwk_from_private_key,
    jwk_from_public_key,
    private_key_from_jwk,
    public_key_from_jwk,
    public_material_from_jwk,
)

# RFC 8037 appendix A.1: an Ed25519 private key and its public x.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
P256_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}


def test_rfc8037_private_key_gives_its_public_key() -> None:
    private = private_key_from_jwk({"kty": "OKP", "crv": "Ed25519", "d": RFC8037_D, "x": RFC8037_X})
    assert jwk_from_public_key(private.public_key()) == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}
    assert jwk_from_private_key(private)["d"] == RFC8037_D


@pytest.mark.parametrize(
    ("make", "key_type", "members"),
    [
        (ed25519.Ed25519PrivateKey.generate, KeyType.ED25519, {"kty", "crv", "x"}),
        (lambda: ec.generate_private_key(ec.SECP256R1()), KeyType.P256, {"kty", "crv", "x", "y"}),
        (lambda: ec.generate_private_key(ec.SECP384R1()), KeyType.P384, {"kty", "crv", "x", "y"}),
    ],
    ids=["Ed25519", "P-256", "P-384"],
)
def test_round_trip(make, key_type: KeyType, members: set[str]) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):  # small coordinates with leading zero bytes must keep their fixed width
        private = make()
        public_jwk = jwk_from_public_key(private.public_key())
        assert set(public_jwk) == members
        assert public_material_from_jwk(public_jwk).key_type == key_type
        assert jwk_from_public_key(public_key_from_jwk(public_jwk)) == public_jwk
        private_jwk = jwk_from_private_key(private)
        assert jwk_from_private_key(private_key_from_jwk(private_jwk)) == private_jwk


def test_alg_that_fits_is_accepted() -> None:
    assert (
        public_material_from_jwk({**P256_JWK, "alg": "ES256", "use": "sig", "kid": "k"}).key_type
        == KeyType.P256
    )
    assert (
        public_material_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "alg": "EdDSA"}).key_type
        == KeyType.ED25519
    )


def jwk(**changes: Any) -> dict[str, Any]:
    value = {**P256_JWK, **changes}
    return {k: v for k, v in value.items() if v is not None}


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("not a jwk", "bad-jwk", "found str"),
        ([P256_JWK], "bad-jwk", "found list"),
        (jwk(kty=None), "bad-jwk", "no 'kty' member"),
        (jwk(kty=7), "bad-jwk", "'kty' is expected to be a string; found int"),
        (jwk(kty="RSA"), "unknown-key-type", "kty 'RSA'"),
        (jwk(kty="oct"), "unknown-key-type", "kty 'oct'"),
        (jwk(crv="P-521"), "unknown-key-type", "crv 'P-521'"),
        (jwk(crv="secp256k1"), "unknown-key-type", "crv 'secp256k1'"),
        (jwk(kty="OKP", crv="X25519"), "unknown-key-type", "Ed25519 is expected"),
        (jwk(crv="P-384"), "wrong-key-length", "48 are expected"),
        (jwk(alg="ES384"), "key-type-mismatch", "ES256 is expected"),
        (jwk(alg="RS256"), "key-type-mismatch", "alg 'RS256'"),
        (jwk(x=None), "bad-jwk", "no 'x' member"),
        (jwk(y=None), "bad-jwk", "no 'y' member"),
        (jwk(y=5), "bad-jwk", "found int"),
        (jwk(x=P256_JWK["x"] + "="), "bad-jwk", "character 43 is '='"),
        (jwk(x=P256_JWK["x"].replace("_", "/")), "bad-jwk", "character 12 is '/'"),
        (jwk(x=P256_JWK["x"][:-1] + "1"), "bad-jwk", "not canonical"),
        (jwk(x=P256_JWK["x"][:-3]), "wrong-key-length", "is 30 bytes; 32 are expected"),
        (jwk(y=P256_JWK["x"]), "invalid-key", "not a point on the P-256 curve"),
        (jwk(d="jpsQnnGQmL-YBIffH1136cLg3xv2KYrKCDUWZRbb3cM"), "private-key-material", "'d'"),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "d": RFC8037_D}, "private-key-material", "'d'"),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X[:-3]}, "wrong-key-length", "30 bytes"),
        (
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "alg": "ES256"},
            "key-type-mismatch",
            "does not fit the key type Ed25519; Ed25519 or EdDSA is expected",
        ),
    ],
)
def test_refused_public_jwks(value: object, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        public_key_from_jwk(value)
    assert info.value.code == code
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (P256_JWK, "bad-jwk"),  # no d
        (
            {"kty": "OKP", "crv": "Ed25519", "x": P256_JWK["x"], "d": RFC8037_D},
            "invalid-key",
        ),  # d of another key
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "d": RFC8037_D[:-3]}, "wrong-key-length"),
        ({**P256_JWK, "d": "A" * 43}, "invalid-key"),  # zero scalar
    ],
)
def test_refused_private_jwks(value: dict[str, Any], code: str) -> None:
    with pytest.raises(KeysError) as info:
        private_key_from_jwk(value)
    assert info.value.code == code
