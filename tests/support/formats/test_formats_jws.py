from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from conformance.support.formats import Jws, Limits, PayloadError, credential_from_jws, decode_compact_jws
from tests.support.formats.builders import CREDENTIAL, b64url, make_jws

HEADER = {"alg": "ES256", "typ": "JWT", "kid": "did:example:issuer#key-1"}


def test_decode_compact_jws_splits_and_decodes() -> None:
    compact = make_jws(HEADER, {"iss": "x"}, b"\x00\xffsig")
    jws = decode_compact_jws(compact)
    assert jws.compact == compact
    assert jws.header == HEADER
    assert jws.payload == {"iss": "x"}
    assert jws.signature == b"\x00\xffsig"
    head, body, _ = compact.split(".")
    assert jws.signing_input == f"{head}.{body}".encode("ascii")


def test_decode_compact_jws_allows_an_empty_signature() -> None:
    compact = make_jws({"alg": "none"}, {"a": 1}, b"")
    assert compact.endswith(".")
    assert decode_compact_jws(compact).signature == b""


def test_decode_compact_jws_accepts_ascii_bytes() -> None:
    compact = make_jws(HEADER, {"a": 1})
    assert decode_compact_jws(compact.encode()).payload == {"a": 1}


GOOD_HEAD = b64url(json.dumps(HEADER).encode())
GOOD_BODY = b64url(b'{"a":1}')
ARRAY_BODY = b64url(b"[1,2]")
STRING_BODY = b64url(b'"eyJ"')
BAD_UTF8_BODY = b64url(b'{"a":"\xff"}')
NAN_BODY = b64url(b'{"a":NaN}')
DEEP_BODY = b64url(b"[" * 5000)
NOT_JSON = b64url(b"not json")


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "jws-malformed", "found 1 segments"),
        ("abc.def", "jws-malformed", "found 2 segments"),
        ("a.b.c.d.e", "jws-malformed", "found 5 segments"),
        ("." * 1_000_000, "jws-malformed", "1,000,001 segments"),
        (f".{GOOD_BODY}.", "jws-malformed", "header segment of the compact JWS is empty"),
        (f"{GOOD_HEAD}..", "jws-malformed", "payload segment of the compact JWS is empty"),
        (f"{GOOD_HEAD}.{GOOD_BODY}=.", "jws-malformed", "without padding"),
        (f"{GOOD_HEAD}.{GOOD_BODY}.ab+c", "jws-malformed", "'+'"),
        (f"{GOOD_HEAD}.{GOOD_BODY}.abcde", "jws-malformed", "4n+1"),
        (f"{GOOD_HEAD} .{GOOD_BODY}.", "jws-malformed", "' '"),
        (f"{GOOD_HEAD}.{GOOD_BODY}.\u00e9", "jws-malformed", "base64url alphabet"),
        (f"{GOOD_HEAD}.@@@@.", "jws-malformed", "payload segment"),
        (f"{NOT_JSON}.{GOOD_BODY}.", "jws-malformed", "JWS header is not a JSON object"),
        (f"{GOOD_HEAD}.{ARRAY_BODY}.", "jws-malformed", "payload is an array"),
        (f"{GOOD_HEAD}.{STRING_BODY}.", "jws-malformed", "payload is a string"),
        (f"{GOOD_HEAD}.{BAD_UTF8_BODY}.", "jws-malformed", "not valid UTF-8"),
        (f"{GOOD_HEAD}.{NAN_BODY}.", "jws-malformed", "not well-formed"),
        (f"{GOOD_HEAD}.{DEEP_BODY}.", "json-too-deep", "in the JWS payload"),
        ("\x00\x01\x02.\x03.\x04", "jws-malformed", "base64url alphabet"),
    ],
)
def test_decode_compact_jws_rejects(text: str, code: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode_compact_jws(text)
    assert caught.value.code == code
    assert fragment in caught.value.message


def test_decode_compact_jws_rejects_non_ascii_bytes() -> None:
    with pytest.raises(PayloadError) as caught:
        decode_compact_jws("ab.c\u00e9.d".encode())
    assert caught.value.code == "jws-malformed"
    assert "byte 4" in caught.value.message


def test_decode_compact_jws_size_limit() -> None:
    compact = make_jws(HEADER, {"blob": "x" * 400})
    assert decode_compact_jws(compact, Limits(max_jws_bytes=len(compact))).payload["blob"] == "x" * 400
    with pytest.raises(PayloadError) as caught:
        decode_compact_jws(compact, Limits(max_jws_bytes=len(compact) - 1))
    assert caught.value.code == "too-large"
    assert "compact JWS" in caught.value.message


def _vc_payload(**claims: Any) -> dict[str, Any]:
    vc = copy.deepcopy(CREDENTIAL)
    vc["issuer"] = {"id": "https://stale.example", "name": "Issuer"}
    return {"vc": vc, **claims}


def test_vc_jwt_11_maps_every_claim() -> None:
    payload = _vc_payload(
        iss="did:example:issuer", nbf=1_700_000_000, exp=1_800_000_000, jti="urn:uuid:1", sub="did:example:alice"
    )
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    document = credential.document
    assert credential.style == "vc-jwt-1.1"
    assert credential.mapped_claims == ("iss", "nbf", "exp", "jti", "sub")
    assert document["issuer"] == {"id": "did:example:issuer", "name": "Issuer"}
    assert document["issuanceDate"] == "2023-11-14T22:13:20Z"
    assert document["expirationDate"] == "2027-01-15T08:00:00Z"
    assert document["id"] == "urn:uuid:1"
    assert document["credentialSubject"]["id"] == "did:example:alice"
    # The raw claims stay untouched for later checks.
    assert credential.jws.payload["vc"]["issuer"] == {"id": "https://stale.example", "name": "Issuer"}
    assert "id" not in credential.jws.payload["vc"]["credentialSubject"]


def test_vc_jwt_11_issuer_string_is_replaced() -> None:
    payload = {"vc": {"issuer": "https://old.example", "credentialSubject": {}}, "iss": "https://new.example"}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.document["issuer"] == "https://new.example"
    assert credential.mapped_claims == ("iss",)


def test_vc_jwt_11_issuer_is_added_when_absent() -> None:
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, {"vc": {}, "iss": "https://i.example"})))
    assert credential.document == {"issuer": "https://i.example"}


def test_vc_jwt_11_copies_only_present_claims() -> None:
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, {"vc": {"credentialSubject": {"a": 1}}})))
    assert credential.mapped_claims == ()
    assert credential.document == {"credentialSubject": {"a": 1}}


@pytest.mark.parametrize("bad", ["2024-01-01", None, True, [1], 1e300, -1e300, 10**30])
def test_vc_jwt_11_leaves_out_unusable_dates(bad: Any) -> None:
    payload = {"vc": {"credentialSubject": {}}, "nbf": bad, "exp": bad, "jti": "urn:x"}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.mapped_claims == ("jti",)
    assert "issuanceDate" not in credential.document
    assert "expirationDate" not in credential.document
    assert credential.jws.payload["nbf"] == bad


def test_vc_jwt_11_fractional_numeric_date() -> None:
    payload = {"vc": {}, "nbf": 1_700_000_000.25}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.document["issuanceDate"] == "2023-11-14T22:13:20.25Z"


def test_vc_jwt_11_sub_needs_a_single_subject() -> None:
    payload = {"vc": {"credentialSubject": [{"a": 1}, {"b": 2}]}, "sub": "did:example:alice"}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.mapped_claims == ()
    assert credential.document["credentialSubject"] == [{"a": 1}, {"b": 2}]


def test_vc_jwt_11_presentation_maps_holder_and_id() -> None:
    payload = {"vp": {"type": ["VerifiablePresentation"]}, "iss": "did:example:holder", "jti": "urn:p", "nbf": 1}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.style == "vc-jwt-1.1"
    assert credential.mapped_claims == ("iss", "jti")
    assert credential.document == {"type": ["VerifiablePresentation"], "holder": "did:example:holder", "id": "urn:p"}


def test_vc_jwt_11_presentation_holder_object() -> None:
    payload = {"vp": {"holder": {"name": "h"}}, "iss": "did:example:holder"}
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, payload)))
    assert credential.document["holder"] == {"name": "h", "id": "did:example:holder"}


@pytest.mark.parametrize("claim", ["vc", "vp"])
@pytest.mark.parametrize("value", ["a string", [1], 3, None])
def test_vc_jwt_11_claim_must_be_an_object(claim: str, value: Any) -> None:
    jws = decode_compact_jws(make_jws(HEADER, {claim: value}))
    with pytest.raises(PayloadError) as caught:
        credential_from_jws(jws)
    assert caught.value.code == "jws-malformed"
    assert f"the {claim} claim" in caught.value.message


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "ES256", "typ": "vc+jwt"},
        {"alg": "ES256", "typ": "vp+jwt"},
        {"alg": "ES256", "typ": "application/vc+jwt"},
        {"alg": "ES256", "typ": "VC+JWT"},
        {"alg": "ES256", "typ": "vc+ld+jwt"},
        {"alg": "ES256", "typ": "JWT", "cty": "vc"},
        {"alg": "ES256", "cty": "application/vp"},
    ],
)
def test_vc_jose_payload_is_the_document(header: dict[str, Any]) -> None:
    jws = decode_compact_jws(make_jws(header, CREDENTIAL))
    credential = credential_from_jws(jws)
    assert credential.style == "vc-jose"
    assert credential.document == CREDENTIAL
    assert credential.mapped_claims == ()


def test_vc_jose_header_wins_over_a_vc_claim() -> None:
    payload = {"vc": "not an object", "issuer": "x"}
    credential = credential_from_jws(decode_compact_jws(make_jws({"alg": "ES256", "typ": "vc+jwt"}, payload)))
    assert credential.style == "vc-jose"
    assert credential.document == payload


@pytest.mark.parametrize(
    "header", [{"alg": "ES256", "typ": "JWT"}, {"alg": "ES256"}, {"alg": "ES256", "typ": "at+jwt"}]
)
def test_jwt_claims_style(header: dict[str, Any]) -> None:
    payload = {**CREDENTIAL, "iss": "https://issuer.example/profile", "nbf": 1_700_000_000, "jti": CREDENTIAL["id"]}
    credential = credential_from_jws(decode_compact_jws(make_jws(header, payload)))
    assert credential.style == "jwt-claims"
    assert credential.document == payload
    assert credential.mapped_claims == ()


def test_credential_from_jws_vc_claim_wins_over_vp() -> None:
    credential = credential_from_jws(decode_compact_jws(make_jws(HEADER, {"vc": {"a": 1}, "vp": {"b": 2}})))
    assert credential.document == {"a": 1}


def test_credential_from_hand_built_jws_with_shared_values_is_refused() -> None:
    shared: dict[str, Any] = {"x": 1}
    cyclic: dict[str, Any] = {"credentialSubject": shared}
    shared["loop"] = cyclic
    jws = Jws(compact="", header={"alg": "none"}, payload={"vc": cyclic}, signing_input=b"", signature=b"")
    with pytest.raises(PayloadError) as caught:
        credential_from_jws(jws)
    assert caught.value.code == "jws-malformed"


def test_credential_from_hand_built_jws_copies_deep_trees_iteratively() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5_000):
        node["n"] = {}
        node = node["n"]
    jws = Jws(compact="", header={}, payload={"vc": deep, "iss": "x"}, signing_input=b"", signature=b"")
    document = credential_from_jws(jws).document
    assert document["issuer"] == "x"
    assert document["n"] is not deep["n"]


def test_credential_from_jws_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        credential_from_jws("a.b.c")  # type: ignore[arg-type]
