"""Hostile keys and headers end in a typed result, never an escaping exception or a long computation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.support.formats import credential_from_jws
from conformance.support.securing.jose import (
    JOSE_REASONS,
    JoseKeyError,
    StaticKeyResolver,
    load_public_key,
    verify_jws,
    verify_jwt_credential,
)
from tests.support.securing.jose.material import NOW, assemble, b64, decode, private_key

ED_JWK = load_public_key(private_key("Ed25519")).jwk.as_dict()


@pytest.mark.parametrize(
    ("jwk", "reason", "fragment"),
    [
        ({}, "key-invalid", "kty is null"),
        ({"kty": 3}, "key-invalid", "kty is a number"),
        ({"kty": "oct"}, "key-invalid", "RSA, EC or OKP"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "private-key-leak", "a secret key"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}, "private-key-leak", "a private key"),
        ({"kty": "EC", "crv": "P-256"}, "key-invalid", "cannot be imported"),
        ({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}, "key-invalid", "cannot be imported"),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "key-invalid", "cannot be imported"),
        ({"kty": "EC", "crv": "P-256", "x": "!!!", "y": "@@"}, "key-invalid", "cannot be imported"),
        ({"kty": "OKP", "crv": "Ed25519", "x": 5}, "key-invalid", "cannot be imported"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "key-invalid", "cannot be imported"),
        ({"kty": "OKP", "crv": "X25519", "x": b64(bytes(32))}, "key-invalid", "X25519"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "key-invalid", "cannot be imported"),
        ({"kty": "RSA", "n": "A" * 20_000, "e": "AQAB"}, "key-invalid", "at most 8,192"),
        ({"kty": "RSA", "n": "x" * 400, "e": "A" * 400}, "key-invalid", "at most 64"),
        ({**ED_JWK, "alg": 5}, "key-invalid", "alg is a number"),
        ({**ED_JWK, "use": ["sig"]}, "key-invalid", "use is an array"),
        ({**ED_JWK, "key_ops": "verify"}, "key-invalid", "key_ops"),
        ({**ED_JWK, **{f"m{i}": i for i in range(100)}}, "key-invalid", "members"),
    ],
)
def test_unusable_jwks(jwk: dict[str, Any], reason: str, fragment: str) -> None:
    with pytest.raises(JoseKeyError) as raised:
        load_public_key(jwk)
    assert raised.value.reason == reason
    assert fragment in raised.value.message


@pytest.mark.parametrize("value", [None, "a key", b"\x00" * 32, 42, ["kty"]])
def test_non_keys_are_key_invalid(value: object) -> None:
    with pytest.raises(JoseKeyError) as raised:
        load_public_key(value)
    assert raised.value.reason == "key-invalid"


def test_a_secp256k1_key_is_loaded_but_fits_no_allowed_alg() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256K1())
    loaded = load_public_key(key.public_key())
    compact = assemble({"alg": "ES256"}, {"a": 1}, bytes(64))
    result = verify_jws(decode(compact), loaded)
    assert (result.reason, result.part) == ("key-alg-mismatch", "key")
    assert "secp256k1" in result.message


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
ALG = st.sampled_from(["ES256", "EdDSA", "RS256", "PS512", "none", "HS256", "ES256K"]) | JSON
HEADER = st.fixed_dictionaries(
    {"alg": ALG},
    optional={
        "kid": st.sampled_from(["did:example:issuer#key-1", "#key-1", "x"]) | JSON,
        "jwk": st.sampled_from([ED_JWK, {**ED_JWK, "d": "x"}, {"kty": "EC"}]) | JSON,
        "crit": JSON,
        "typ": st.sampled_from(["vc+jwt", "JWT"]) | JSON,
    },
)
CLAIMS = st.fixed_dictionaries(
    {},
    optional={"iss": st.sampled_from(["did:example:issuer"]) | JSON, "exp": JSON, "nbf": JSON, "iat": JSON},
)
RESOLVER = StaticKeyResolver(keys={"did:example:issuer#key-1": ED_JWK}, controllers={})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=HEADER, claims=CLAIMS, signature=st.binary(max_size=140))
def test_any_header_and_claims_end_in_a_reason(
    header: dict[str, Any], claims: dict[str, Any], signature: bytes
) -> None:
    jws = decode(assemble(header, claims, signature))
    credential = credential_from_jws(jws)
    outcome = verify_jwt_credential(credential, RESOLVER, now=NOW)
    assert outcome.signature.reason in JOSE_REASONS
    assert outcome.signature.verified is False  # no generated signature can be valid
    assert all(problem.reason in JOSE_REASONS for problem in outcome.time)
    assert verify_jws(jws, ED_JWK).reason in JOSE_REASONS
