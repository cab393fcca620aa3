"""Key discovery by JWT style, time claims and enveloped credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from conformance.support.formats import JwtCredential, credential_from_jws
from conformance.support.securing.jose import (
    DEFAULT_LEEWAY,
    JoseKeyError,
    JwsKeyResolver,
    KeySource,
    StaticKeyResolver,
    check_time_claims,
    load_public_key,
    sign_jws,
    verify_enveloped,
    verify_jwt_credential,
)
from tests.support.securing.jose.material import ISSUER, NOW, assemble, credential, decode, private_key

ED = private_key("Ed25519")
P256 = private_key("P-256")
OTHER = private_key("Ed25519", "someone else")
KID = f"{ISSUER}#key-1"


def jwk(key: Any, **members: Any) -> dict[str, Any]:
    return {**load_public_key(key).jwk.as_dict(), **members}


CONTROLLER = {
    "id": ISSUER,
    "verificationMethod": [
        {"id": "#key-1", "type": "JsonWebKey", "controller": ISSUER, "publicKeyJwk": jwk(ED)},
        {"id": f"{ISSUER}#key-2", "type": "JsonWebKey", "controller": ISSUER, "publicKeyJwk": jwk(P256)},
    ],
    "assertionMethod": ["#key-1"],
}
TWO_ASSERTION_KEYS = {**CONTROLLER, "assertionMethod": ["#key-1", f"{ISSUER}#key-2"]}
EMBEDDED_METHOD = {**CONTROLLER, "assertionMethod": [{"id": "#x", "publicKeyJwk": jwk(P256)}]}
RESOLVER = StaticKeyResolver(
    keys={"https://issuer.example/keys/1": ED, "opaque-kid": jwk(ED)},
    controllers={
        ISSUER: CONTROLLER,
        "did:example:two": TWO_ASSERTION_KEYS,
        "did:example:embedded": EMBEDDED_METHOD,
    },
)

VC_JOSE = credential()
OB_CLAIMS = {
    **credential(),
    "iss": ISSUER,
    "jti": "urn:uuid:1",
    "nbf": NOW - 100,
    "sub": "did:example:subject",
}
VC11_CLAIMS = {
    "iss": ISSUER,
    "nbf": NOW - 100,
    "vc": {"type": ["VerifiableCredential"], "credentialSubject": {}},
}


def parse(compact: str) -> JwtCredential:
    return credential_from_jws(decode(compact))


def test_the_test_resolver_satisfies_the_protocol() -> None:
    assert isinstance(RESOLVER, JwsKeyResolver)


@pytest.mark.parametrize(
    ("style", "header", "claims", "key", "source", "reason"),
    [
        # VC-JOSE-COSE: kid, else iss and the issuer's controller document.
        (
            "vc-jose",
            {"typ": "vc+jwt", "kid": KID},
            {**VC_JOSE, "iss": ISSUER},
            ED,
            KeySource("kid", KID),
            "verified",
        ),
        (
            "vc-jose",
            {"typ": "vc+jwt", "kid": "#key-1"},
            {**VC_JOSE, "iss": ISSUER},
            ED,
            KeySource("kid", "#key-1"),
            "verified",
        ),
        (
            "vc-jose",
            {"typ": "vc+jwt", "kid": f"{ISSUER}#key-2"},
            {**VC_JOSE, "iss": ISSUER},
            P256,
            KeySource("kid", f"{ISSUER}#key-2"),
            "verified",
        ),
        ("vc-jose", {"typ": "vc+jwt"}, {**VC_JOSE, "iss": ISSUER}, ED, KeySource("iss", ISSUER), "verified"),
        (
            "vc-jose",
            {"typ": "vc+jwt"},
            {**VC_JOSE, "iss": "did:example:embedded"},
            P256,
            KeySource("iss", "did:example:embedded"),
            "verified",
        ),
        (
            "vc-jose",
            {"typ": "vc+jwt"},
            {**VC_JOSE, "iss": ISSUER},
            OTHER,
            KeySource("iss", ISSUER),
            "signature-mismatch",
        ),
        ("vc-jose", {"typ": "vc+jwt"}, {**VC_JOSE, "iss": "did:example:two"}, ED, None, "key-not-found"),
        ("vc-jose", {"typ": "vc+jwt"}, {**VC_JOSE, "iss": "did:example:unknown"}, ED, None, "key-not-found"),
        ("vc-jose", {"typ": "vc+jwt", "kid": f"{ISSUER}#nope"}, VC_JOSE, ED, None, "key-not-found"),
        ("vc-jose", {"typ": "vc+jwt"}, VC_JOSE, ED, None, "key-not-found"),
        # An https iss whose kid names no method: the key is JWT VC issuer metadata, which the suite does not fetch.
        (
            "vc-jose",
            {"typ": "vc+jwt", "kid": "73voMXFNmNlOEpuYCSJlh8eN0dscykoO6gBukgRS1uU"},
            {**VC_JOSE, "iss": "https://issuer.example"},
            ED,
            None,
            "key-unsupported",
        ),
        ("vc-jose", {"typ": "vc+jwt"}, {**VC_JOSE, "iss": "https://issuer.example"}, ED, None, "key-unsupported"),
        (
            "vc-jose",
            {"typ": "vc+jwt", "kid": "https://issuer.example/keys/1"},
            {**VC_JOSE, "iss": "https://issuer.example"},
            ED,
            KeySource("kid", "https://issuer.example/keys/1"),
            "verified",
        ),
        # An embedded jwk is not a VC-JOSE-COSE way to name the key.
        ("vc-jose", {"typ": "vc+jwt", "jwk": jwk(ED)}, VC_JOSE, ED, None, "key-not-found"),
        ("vc-jose", {"typ": "vc+jwt", "kid": 7}, VC_JOSE, ED, None, "malformed"),
        # VC-JWT 1.1 and Open Badges: kid (URL or DID URL), else jwk.
        ("vc-jwt-1.1", {"typ": "JWT", "kid": KID}, VC11_CLAIMS, ED, KeySource("kid", KID), "verified"),
        (
            "vc-jwt-1.1",
            {"kid": "https://issuer.example/keys/1"},
            VC11_CLAIMS,
            ED,
            KeySource("kid", "https://issuer.example/keys/1"),
            "verified",
        ),
        ("vc-jwt-1.1", {"kid": "https://issuer.example/keys/2"}, VC11_CLAIMS, ED, None, "key-not-found"),
        ("jwt-claims", {"typ": "JWT", "jwk": jwk(ED)}, OB_CLAIMS, ED, "jwk", "verified"),
        ("jwt-claims", {"jwk": jwk(P256)}, OB_CLAIMS, P256, "jwk", "verified"),
        ("jwt-claims", {"kid": "label", "jwk": jwk(ED)}, OB_CLAIMS, ED, "jwk", "verified"),
        ("jwt-claims", {"kid": "opaque-kid"}, OB_CLAIMS, ED, KeySource("kid", "opaque-kid"), "verified"),
        ("jwt-claims", {"jwk": jwk(ED)}, OB_CLAIMS, OTHER, "jwk", "signature-mismatch"),
        ("jwt-claims", {"jwk": jwk(ED, d="bm90IGEgcmVhbCBrZXk")}, OB_CLAIMS, ED, None, "private-key-leak"),
        (
            "jwt-claims",
            {"kid": KID, "jwk": jwk(ED, d="bm90IGEgcmVhbCBrZXk")},
            OB_CLAIMS,
            ED,
            None,
            "private-key-leak",
        ),
        ("jwt-claims", {"jwk": {"kty": "oct", "k": "c2VjcmV0"}}, OB_CLAIMS, ED, None, "private-key-leak"),
        ("jwt-claims", {"jwk": jwk(P256)}, OB_CLAIMS, ED, "jwk", "key-alg-mismatch"),
        ("jwt-claims", {"jwk": "not an object"}, OB_CLAIMS, ED, None, "malformed"),
        (
            "jwt-claims",
            {"jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}},
            OB_CLAIMS,
            P256,
            None,
            "key-invalid",
        ),
        ("jwt-claims", {}, OB_CLAIMS, ED, None, "key-not-found"),
    ],
)
def test_key_discovery(
    style: str, header: dict[str, Any], claims: dict[str, Any], key: Any, source: Any, reason: str
) -> None:
    compact = sign_jws(header, claims, key)
    credential_ = parse(compact)
    assert credential_.style == style
    outcome = verify_jwt_credential(credential_, RESOLVER, now=NOW)
    assert outcome.signature.reason == reason, outcome.signature.message
    assert outcome.verified is (reason == "verified")
    if source == "jwk":
        assert outcome.key_source is not None and outcome.key_source.kind == "jwk"
        assert outcome.key_source.value == load_public_key(header["jwk"]).jwk.thumbprint()
    elif reason in ("verified", "signature-mismatch"):
        assert outcome.key_source == source
    else:
        assert outcome.key_source is None
    assert outcome.credential is credential_


def test_leaks_are_located_and_named() -> None:
    compact = sign_jws({"jwk": jwk(ED, d="eA", p="eA")}, OB_CLAIMS, ED)
    outcome = verify_jwt_credential(parse(compact), RESOLVER, now=NOW)
    signature = outcome.signature
    assert (signature.reason, signature.part, signature.pointer) == ("private-key-leak", "header", "/jwk/d")
    assert "'d', 'p'" in signature.message


def test_header_faults_come_before_key_lookup() -> None:
    class Refusing:
        def resolve(self, header: Any, claims: Any) -> Any:
            raise AssertionError("no key should be looked up for an unsigned JWS")

    unsigned = parse(assemble({"alg": "none", "kid": KID}, OB_CLAIMS))
    assert verify_jwt_credential(unsigned, Refusing(), now=NOW).signature.reason == "alg-none"
    symmetric = parse(assemble({"alg": "HS256", "kid": KID}, OB_CLAIMS, b"\x00" * 32))
    assert verify_jwt_credential(symmetric, Refusing(), now=NOW).signature.reason == "alg-symmetric"


def test_without_a_resolver_a_kid_cannot_be_followed() -> None:
    outcome = verify_jwt_credential(parse(sign_jws({"kid": KID}, OB_CLAIMS, ED)), None, now=NOW)
    assert (outcome.signature.reason, outcome.signature.pointer) == ("key-not-found", "/kid")
    outcome = verify_jwt_credential(parse(sign_jws({"jwk": jwk(ED)}, OB_CLAIMS, ED)), None, now=NOW)
    assert outcome.verified


def test_a_resolver_returning_a_private_jwk_is_a_leak() -> None:
    leaking = StaticKeyResolver(keys={KID: {**jwk(ED), "d": "eA"}})
    outcome = verify_jwt_credential(parse(sign_jws({"kid": KID}, OB_CLAIMS, ED)), leaking, now=NOW)
    assert outcome.signature.reason == "private-key-leak"


def test_resolver_errors_other_than_key_errors_propagate() -> None:
    class Broken:
        def resolve(self, header: Any, claims: Any) -> Any:
            raise RuntimeError("resolver bug")

    with pytest.raises(RuntimeError):
        verify_jwt_credential(parse(sign_jws({"kid": KID}, OB_CLAIMS, ED)), Broken(), now=NOW)


def test_static_resolver_errors_are_key_errors() -> None:
    with pytest.raises(JoseKeyError) as raised:
        RESOLVER.resolve({}, {})
    assert raised.value.reason == "key-not-found"


# --- time claims -----------------------------------------------------------------------------

L = DEFAULT_LEEWAY


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({}, []),
        ({"nbf": NOW, "iat": NOW, "exp": NOW + 3600}, []),
        ({"nbf": NOW + L}, []),
        ({"nbf": NOW + L + 1}, [("not-yet-valid", "/nbf")]),
        ({"iat": NOW + L + 0.5}, [("not-yet-valid", "/iat")]),
        ({"exp": NOW - L + 1}, []),
        ({"exp": NOW - L}, [("expired", "/exp")]),
        ({"exp": NOW - 86400, "nbf": NOW + 86400}, [("not-yet-valid", "/nbf"), ("expired", "/exp")]),
        ({"exp": 10**30}, []),
        ({"nbf": -(10**30)}, []),
        ({"exp": "2030-01-01"}, [("malformed", "/exp")]),
        ({"nbf": True}, [("malformed", "/nbf")]),
        ({"iat": None}, [("malformed", "/iat")]),
        ({"exp": [NOW]}, [("malformed", "/exp")]),
        ({"exp": float("inf")}, [("malformed", "/exp")]),
        ({"exp": float("nan")}, [("malformed", "/exp")]),
    ],
)
def test_time_claims(claims: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    problems = check_time_claims(claims, now=NOW)
    assert [(problem.reason, problem.pointer) for problem in problems] == expected
    assert all(problem.part == "payload" and not problem.verified for problem in problems)


def test_time_claims_take_datetimes_and_leeway() -> None:
    moment = datetime.fromtimestamp(NOW, tz=UTC)
    assert check_time_claims({"exp": NOW - 5}, now=moment, leeway=0)[0].reason == "expired"
    assert check_time_claims({"exp": NOW - 5}, now=moment + timedelta(seconds=-10), leeway=0) == ()
    message = check_time_claims({"exp": NOW - 3600}, now=NOW)[0].message
    assert "2025-06-15T14:06:40Z" in message and "2025-06-15T15:06:40Z" in message
    for bad_now in (datetime(2025, 1, 1), float("nan"), True):
        with pytest.raises(ValueError):
            check_time_claims({}, now=bad_now)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_time_claims({}, now=NOW, leeway=-1)


def test_time_problems_are_reported_beside_a_good_signature() -> None:
    claims = {**OB_CLAIMS, "exp": NOW - 3600}
    outcome = verify_jwt_credential(parse(sign_jws({"jwk": jwk(ED)}, claims, ED)), RESOLVER, now=NOW)
    assert outcome.signature.verified
    assert [problem.reason for problem in outcome.time] == ["expired"]
    assert not outcome.verified


# --- enveloped credentials -------------------------------------------------------------------


def envelope(compact: str, media_type: str = "application/vc+jwt") -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:{media_type},{compact}",
        "type": ["EnvelopedVerifiableCredential"],
    }


def test_enveloped_round_trip() -> None:
    compact = sign_jws({"kid": KID, "typ": "vc+jwt", "cty": "vc"}, {**VC_JOSE, "iss": ISSUER}, ED)
    for form in (envelope(compact), envelope(compact)["id"]):
        outcome = verify_enveloped(form, RESOLVER, now=NOW)
        assert outcome.verified, outcome.signature.message
        assert outcome.credential is not None and outcome.credential.document == {**VC_JOSE, "iss": ISSUER}
        assert outcome.key_source == KeySource("kid", KID)


def test_an_envelope_without_typ_is_read_as_vc_jose() -> None:
    compact = sign_jws({}, {**VC_JOSE, "iss": ISSUER}, ED)
    outcome = verify_enveloped(envelope(compact), RESOLVER, now=NOW)
    assert outcome.verified
    assert outcome.credential is not None and outcome.credential.style == "vc-jose"
    assert outcome.key_source == KeySource("iss", ISSUER)


def test_enveloped_presentation_and_percent_encoding() -> None:
    compact = sign_jws({"typ": "vp+jwt"}, {"iss": ISSUER, "type": ["VerifiablePresentation"]}, ED)
    assert verify_enveloped(f"data:application/vp+jwt,{quote(compact)}", RESOLVER, now=NOW).verified


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"type": ["EnvelopedVerifiableCredential"]}, "id is null"),
        ({"id": 5}, "id is a number"),
        ("https://example.org/credential.jwt", "data: URL cannot be read"),
        ("data:application/vc+jwt", "data: URL cannot be read"),
        ("data:application/vc+ld+json,{}", "media type is 'application/vc+ld+json'"),
        ("data:application/vc+jwt,not-a-jws", "JWS cannot be decoded"),
        ("data:application/vc+jwt,a.b", "JWS cannot be decoded"),
    ],
)
def test_unreadable_envelopes_are_malformed(value: Any, fragment: str) -> None:
    outcome = verify_enveloped(value, RESOLVER, now=NOW)
    assert (outcome.verified, outcome.signature.reason, outcome.signature.part) == (
        False,
        "malformed",
        "envelope",
    )
    assert fragment in outcome.signature.message
    assert outcome.credential is None


def test_a_tampered_envelope_fails_its_signature() -> None:
    compact = sign_jws({"kid": KID, "typ": "vc+jwt"}, {**VC_JOSE, "iss": ISSUER}, ED)
    forged = sign_jws({"kid": KID, "typ": "vc+jwt"}, {**VC_JOSE, "iss": ISSUER, "name": "forged"}, OTHER)
    spliced = ".".join([*forged.split(".")[:2], compact.split(".")[2]])
    outcome = verify_enveloped(envelope(spliced), RESOLVER, now=NOW)
    assert outcome.signature.reason == "signature-mismatch"
    assert verify_enveloped(envelope(forged), RESOLVER, now=NOW).signature.reason == "signature-mismatch"


def test_verify_enveloped_wants_a_url_or_object() -> None:
    with pytest.raises(TypeError):
        verify_enveloped(b"data:,x", RESOLVER)  # type: ignore[arg-type]
