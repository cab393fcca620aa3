"""did:key, did:jwk and did:web: documents built or fetched, and malformed DIDs refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from conformance.support.securing.keys import (
    KeysError,
    decode_public_multikey,
    did_jwk_from_jwk,
    did_key_from_multikey,
    did_web_url,
    encode_public_multikey,
    jwk_from_public_key,
    public_key_from_jwk,
    resolve_did_jwk,
    resolve_did_key,
    resolve_did_web,
)
from conformance.support.securing.keys.multibase import base58btc_encode, base64url_encode

ED_MB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SIGNING = ["authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"]
# The did:jwk method's own P-256 example (its JWK members in sorted order).
DID_JWK_P256 = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5Ij"
    "oiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)


def p_key_multibase(curve: ec.EllipticCurve) -> str:
    return encode_public_multikey(ec.generate_private_key(curve).public_key())


@pytest.mark.parametrize(
    "multibase",
    [ED_MB, p_key_multibase(ec.SECP256R1()), p_key_multibase(ec.SECP384R1())],
    ids=["Ed25519", "P-256", "P-384"],
)
def test_did_key_multikey_document(multibase: str) -> None:
    did = did_key_from_multikey(multibase)
    document = resolve_did_key(did)
    vm_id = f"{did}#{multibase}"
    assert document["id"] == did
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
    ]
    for relationship in SIGNING:
        assert document[relationship] == [vm_id]
    assert "keyAgreement" not in document


def test_did_key_legacy_and_jwk_shapes() -> None:
    legacy = resolve_did_key(f"did:key:{ED_MB}", vm_type="Ed25519VerificationKey2020")
    assert legacy["@context"][1] == "https://w3id.org/security/suites/ed25519-2020/v1"
    assert legacy["verificationMethod"][0]["type"] == "Ed25519VerificationKey2020"
    assert legacy["verificationMethod"][0]["publicKeyMultibase"] == ED_MB
    p256 = p_key_multibase(ec.SECP256R1())
    as_jwk = resolve_did_key(f"did:key:{p256}", vm_type="JsonWebKey")["verificationMethod"][0]
    assert as_jwk["type"] == "JsonWebKey" and "publicKeyMultibase" not in as_jwk
    assert encode_public_multikey(public_key_from_jwk(as_jwk["publicKeyJwk"])) == p256
    with pytest.raises(KeysError) as info:
        resolve_did_key(f"did:key:{p256}", vm_type="Ed25519VerificationKey2020")
    assert info.value.code == "unsupported-vm-type"
    with pytest.raises(KeysError) as info:
        resolve_did_key(f"did:key:{ED_MB}", vm_type="Ed25519VerificationKey2018")  # type: ignore[arg-type]
    assert info.value.code == "unsupported-vm-type"


OFF_CURVE_P256 = "z" + base58btc_encode(b"\x80\x24\x02" + (1).to_bytes(32, "big"))


@pytest.mark.parametrize(
    ("did", "code", "fragment"),
    [
        (None, "bad-did", "found NoneType"),
        ("did:web:example.com", "bad-did", "is not a did:key DID"),
        ("did:key:", "bad-did", "base58btc multibase"),
        ("did:key:u7QE", "bad-did", "base58btc multibase"),
        ("did:key:z6Mk0bad", "bad-did", "base58btc multibase"),
        (f"did:key:{ED_MB}#{ED_MB}", "bad-did", "has a fragment"),
        (f"did:key:{ED_MB}?x=1", "bad-did", "has a query"),
        (f"did:key:{ED_MB}/path", "bad-did", "has a path"),
        (f"did:key:1:{ED_MB}", "bad-did", "base58btc multibase"),
        (f"did:key:{ED_MB} ", "bad-did", "base58btc multibase"),
        ("did:key:z" + "2" * 3000, "bad-did", "at most 2,048"),
        ("did:key:z" + base58btc_encode(b"\xed\x01" + b"\x07" * 31), "wrong-key-length", "31 bytes"),
        ("did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "unknown-key-type", "secret key"),
        ("did:key:z" + base58btc_encode(b"\xe7\x01" + b"\x02" * 33), "unknown-key-type", "secp256k1"),
        (f"did:key:{OFF_CURVE_P256}", "invalid-key", "not on the P-256 curve"),
    ],
)
def test_malformed_did_key(did: object, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        resolve_did_key(did)
    assert info.value.code == code
    assert fragment in info.value.message


def test_did_key_from_multikey_refuses_bad_keys() -> None:
    with pytest.raises(KeysError) as info:
        did_key_from_multikey("z6Mk")
    assert info.value.code in {"unknown-key-type", "wrong-key-length", "bad-multicodec"}


def test_did_jwk_published_example() -> None:
    document = resolve_did_jwk(DID_JWK_P256)
    vm_id = DID_JWK_P256 + "#0"
    method = document["verificationMethod"][0]
    assert (method["id"], method["type"], method["controller"]) == (vm_id, "JsonWebKey", DID_JWK_P256)
    assert method["publicKeyJwk"]["crv"] == "P-256"
    for relationship in [*SIGNING, "keyAgreement"]:
        assert document[relationship] == [vm_id]
    assert did_jwk_from_jwk(method["publicKeyJwk"]) == DID_JWK_P256
    older = resolve_did_jwk(DID_JWK_P256, vm_type="JsonWebKey2020")
    assert older["verificationMethod"][0]["type"] == "JsonWebKey2020"
    assert older["@context"][1] == "https://w3id.org/security/suites/jws-2020/v1"


def did_jwk(value: Any) -> str:
    text = value if isinstance(value, bytes) else json.dumps(value).encode()
    return "did:jwk:" + base64url_encode(text)


@pytest.mark.parametrize(
    ("use", "present", "absent"),
    [("sig", SIGNING, ["keyAgreement"]), ("enc", ["keyAgreement"], SIGNING)],
)
def test_did_jwk_use(use: str, present: list[str], absent: list[str]) -> None:
    jwk = {**resolve_did_jwk(DID_JWK_P256)["verificationMethod"][0]["publicKeyJwk"], "use": use}
    document = resolve_did_jwk(did_jwk(jwk))
    assert all(document[name] == [document["id"] + "#0"] for name in present)
    assert not any(name in document for name in absent)


P256_JWK = resolve_did_jwk(DID_JWK_P256)["verificationMethod"][0]["publicKeyJwk"]


@pytest.mark.parametrize(
    ("did", "code", "fragment"),
    [
        ("did:jwk:", "bad-did", "followed by base64url"),
        ("did:jwk:eyJ+", "bad-did", "followed by base64url"),
        (DID_JWK_P256 + "#0", "bad-did", "has a fragment"),
        ("did:jwk:" + "A" * 5000, "bad-did", "at most 4,096"),
        ("did:jwk:eyJ", "bad-did", "not canonical"),
        (did_jwk(b"not json"), "bad-did", "is not JSON"),
        (did_jwk(b"[" * 200 + b"]" * 200), "bad-did", "is not JSON"),
        (did_jwk([P256_JWK]), "bad-did", "a JSON list; an object is expected"),
        (did_jwk({**P256_JWK, "use": "both"}), "bad-did", "use 'both'"),
        (did_jwk({**P256_JWK, "d": "AAAA"}), "private-key-material", "'d'"),
        (did_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB"}), "unknown-key-type", "kty 'RSA'"),
        (did_jwk({**P256_JWK, "x": P256_JWK["y"]}), "invalid-key", "not a point"),
    ],
)
def test_malformed_did_jwk(did: str, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        resolve_did_jwk(did)
    assert info.value.code == code
    assert fragment in info.value.message


def test_did_jwk_round_trip_for_each_curve() -> None:
    for curve in (ec.SECP256R1(), ec.SECP384R1()):
        jwk = jwk_from_public_key(ec.generate_private_key(curve).public_key())
        document = resolve_did_jwk(did_jwk_from_jwk(jwk))
        assert document["verificationMethod"][0]["publicKeyJwk"] == dict(sorted(jwk.items()))


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:Example.COM", "https://example.com/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3a3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:localhost%3A8443:issuers:1", "https://localhost:8443/issuers/1/did.json"),
        ("did:web:127.0.0.1", "https://127.0.0.1/.well-known/did.json"),
        ("did:web:example.com:a%20b", "https://example.com/a%20b/did.json"),
    ],
)
def test_did_web_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    ("did", "fragment"),
    [
        ("did:web:", "does not start with a host"),
        ("did:web::path", "does not start with a host"),
        ("did:web:-example.com", "does not start with a host"),
        ("did:web:exa_mple.com", "does not start with a host"),
        ("did:web:example.com:", "empty path segment"),
        ("did:web:example.com::x", "empty path segment"),
        ("did:web:example.com:..", "'..'"),
        ("did:web:example.com:a%2", "'a%2'"),
        ("did:web:example.com:a b", "'a b'"),
        ("did:web:example.com%3A0", "outside 1-65535"),
        ("did:web:example.com%3A99999", "outside 1-65535"),
        ("did:web:example.com%3Axyz", "does not start with a host"),
        ("did:web:example.com:8080", None),  # a path segment "8080", not a port: allowed
        ("did:web:user@example.com", "does not start with a host"),
        ("did:web:example.com/path", "has a path"),
        ("did:web:example.com#key-1", "has a fragment"),
        ("did:webs:example.com", "is not a did:web DID"),
    ],
)
def test_did_web_url_refusals(did: str, fragment: str | None) -> None:
    if fragment is None:
        assert did_web_url(did) == "https://example.com/8080/did.json"
        return
    with pytest.raises(KeysError) as info:
        did_web_url(did)
    assert (info.value.code, fragment in info.value.message) == ("bad-did", True)


class FakeWeb:
    """A fetch function over a dict of URL -> bytes, recording what was asked for."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.requests: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requests.append(url)
        if url not in self.pages:
            raise OSError(f"{url} answers HTTP 404")
        return self.pages[url]


def test_did_web_resolution() -> None:
    did = "did:web:example.com%3A8443:issuers:1"
    document = {"id": did, "verificationMethod": []}
    web = FakeWeb({"https://example.com:8443/issuers/1/did.json": json.dumps(document).encode()})
    assert resolve_did_web(did, web) == document
    assert web.requests == ["https://example.com:8443/issuers/1/did.json"]


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        (None, "resolution-failed", "HTTP 404"),
        (b'{"id": "did:web:example.org"}', "document-id-mismatch", "has id 'did:web:example.org'"),
        (b'{"verificationMethod": []}', "document-id-mismatch", "has id None"),
        (b"<html>", "bad-controller-document", "not usable JSON"),
        (b"[]", "bad-controller-document", "a JSON list"),
        (
            b'{"id": "did:web:example.com", "x": ' + b"[" * 100 + b"]" * 100 + b"}",
            "bad-controller-document",
            "nesting depth",
        ),
        (b"\xff\xfe{}", "bad-controller-document", "not usable JSON"),
    ],
)
def test_did_web_resolution_failures(body: bytes | None, code: str, fragment: str) -> None:
    pages = {} if body is None else {"https://example.com/.well-known/did.json": body}
    with pytest.raises(KeysError) as info:
        resolve_did_web("did:web:example.com", FakeWeb(pages))
    assert info.value.code == code
    assert fragment in info.value.message


def test_did_web_offline_is_indeterminate() -> None:
    with pytest.raises(KeysError) as info:
        resolve_did_web("did:web:example.com", None)
    assert (info.value.code, info.value.indeterminate) == ("resolution-failed", True)
    assert "network access is off" in info.value.message


def test_fetch_returning_a_non_bytes_value() -> None:
    with pytest.raises(KeysError) as info:
        resolve_did_web("did:web:example.com", lambda url: 42)  # type: ignore[arg-type,return-value]
    assert info.value.code == "bad-controller-document"


def test_decode_of_did_key_value_matches_document() -> None:
    multibase = p_key_multibase(ec.SECP384R1())
    document = resolve_did_key(f"did:key:{multibase}")
    assert decode_public_multikey(document["verificationMethod"][0]["publicKeyMultibase"]).key_type == "P-384"
