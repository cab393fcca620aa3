"""Verification method retrieval: each step of the check has a reason code of its own."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from conformance.support.securing.keys import (
    KeyFailure,
    KeyResolver,
    KeysError,
    KeyType,
    ResolvedKey,
    VerificationMethodResolver,
    encode_public_multikey,
    encode_secret_multikey,
    jwk_from_private_key,
    jwk_from_public_key,
    key_from_verification_method,
    retrieve_verification_method,
    try_resolve,
)
from conformance.support.securing.keys.testkeys import suite_key

DOC = "https://issuer.example/keys"
ED = suite_key("issuer-ed25519")
P256 = suite_key("issuer-p256")
P384 = suite_key("issuer-p384")


def method(fragment: str, vm_type: str, **members: Any) -> dict[str, Any]:
    return {"id": f"{DOC}#{fragment}", "type": vm_type, "controller": DOC, **members}


def controller_document() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": DOC,
        "verificationMethod": [
            method("multikey", "Multikey", publicKeyMultibase=ED.public_multibase),
            {
                **method("legacy", "Ed25519VerificationKey2020", publicKeyMultibase=ED.public_multibase),
                "id": "#legacy",
            },
            method("jwk", "JsonWebKey", publicKeyJwk=P256.jwk),
            method("p384", "Multikey", publicKeyMultibase=P384.public_multibase),
            method("auth-only", "JsonWebKey", publicKeyJwk=P256.jwk),
            method("foreign", "Multikey", publicKeyMultibase=ED.public_multibase)
            | {"controller": "did:web:other.example"},
            method("no-controller", "Multikey", publicKeyMultibase=ED.public_multibase)
            | {"controller": None},
            method("k1", "EcdsaSecp256k1VerificationKey2019", publicKeyJwk={"kty": "EC", "crv": "secp256k1"}),
            method("2018", "Ed25519VerificationKey2018", publicKeyBase58="abc"),
            method("no-key", "Multikey"),
            method("two-types", ["Multikey", "JsonWebKey"], publicKeyMultibase=ED.public_multibase),
            method("mixed", "Multikey", publicKeyMultibase=ED.public_multibase, publicKeyJwk=P256.jwk),
            method("jwk-mb", "JsonWebKey2020", publicKeyMultibase=ED.public_multibase),
            method("jwk-none", "JsonWebKey2020"),
            method("legacy-p256", "Ed25519VerificationKey2020", publicKeyMultibase=P256.public_multibase),
            method(
                "leaky",
                "Multikey",
                publicKeyMultibase=ED.public_multibase,
                secretKeyMultibase=ED.secret_multibase,
            ),
            method("leaky-jwk", "JsonWebKey", publicKeyJwk=jwk_from_private_key(P256.private_key)),
            method("bad-mb", "Multikey", publicKeyMultibase="z6Mk0"),
        ],
        "assertionMethod": [
            f"{DOC}#multikey",
            "#legacy",
            {**method("embedded", "JsonWebKey2020", publicKeyJwk=P384.jwk)},
            f"{DOC}#p384",
            *(
                f"{DOC}#{f}"
                for f in (
                    "foreign",
                    "no-controller",
                    "k1",
                    "2018",
                    "no-key",
                    "two-types",
                    "mixed",
                    "jwk-mb",
                    "jwk-none",
                    "legacy-p256",
                    "leaky",
                    "leaky-jwk",
                    "bad-mb",
                )
            ),
        ],
        "authentication": [f"{DOC}#auth-only", f"{DOC}#multikey"],
    }


class FakeWeb:
    def __init__(self, pages: dict[str, Any]) -> None:
        self.pages = pages
        self.requests: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requests.append(url)
        if url not in self.pages:
            raise ConnectionError(f"connection to {url} refused")
        page = self.pages[url]
        return page if isinstance(page, bytes) else json.dumps(page).encode()


def web(document: dict[str, Any] | None = None) -> FakeWeb:
    return FakeWeb({DOC: controller_document() if document is None else document})


@pytest.mark.parametrize(
    ("fragment", "relationship", "key_type", "vm_type"),
    [
        ("multikey", "assertionMethod", KeyType.ED25519, "Multikey"),
        ("multikey", "authentication", KeyType.ED25519, "Multikey"),
        ("legacy", "assertionMethod", KeyType.ED25519, "Ed25519VerificationKey2020"),
        ("embedded", "assertionMethod", KeyType.P384, "JsonWebKey2020"),
        ("p384", "assertionMethod", KeyType.P384, "Multikey"),
        ("auth-only", "authentication", KeyType.P256, "JsonWebKey"),
    ],
)
def test_authorized_methods(fragment: str, relationship: str, key_type: KeyType, vm_type: str) -> None:
    resolved = retrieve_verification_method(f"{DOC}#{fragment}", relationship, fetch=web())
    assert (resolved.key_type, resolved.vm_type, resolved.controller) == (key_type, vm_type, DOC)
    assert resolved.vm_id == f"{DOC}#{fragment}" and resolved.relationship == relationship
    expected = {KeyType.ED25519: ED, KeyType.P256: P256, KeyType.P384: P384}[key_type]
    assert encode_public_multikey(resolved.public_key) == expected.public_multibase


@pytest.mark.parametrize(
    ("vm_id", "relationship", "code", "fragment"),
    [
        (f"{DOC}#auth-only", "assertionMethod", "not-authorized-for-purpose", "does not list"),
        (f"{DOC}#jwk", "assertionMethod", "not-authorized-for-purpose", "under assertionMethod"),
        (f"{DOC}#multikey", "keyAgreement", "not-authorized-for-purpose", "under keyAgreement"),
        (
            f"{DOC}#multikey",
            "capabilityInvocation",
            "not-authorized-for-purpose",
            "under capabilityInvocation",
        ),
        (
            f"{DOC}#multikey",
            "verificationMethod",
            "not-authorized-for-purpose",
            "names no verification relationship",
        ),
        (f"{DOC}#multikey", "id", "not-authorized-for-purpose", "names no verification relationship"),
        (f"{DOC}#missing", "assertionMethod", "vm-not-found", "has no verification method"),
        (f"{DOC}#foreign", "assertionMethod", "controller-mismatch", "controller 'did:web:other.example'"),
        (f"{DOC}#no-controller", "assertionMethod", "controller-mismatch", "controller None"),
        (f"{DOC}#k1", "assertionMethod", "unsupported-vm-type", "EcdsaSecp256k1VerificationKey2019"),
        (f"{DOC}#2018", "assertionMethod", "unsupported-vm-type", "Ed25519VerificationKey2018"),
        (f"{DOC}#no-key", "assertionMethod", "bad-verification-method", "without publicKeyMultibase"),
        (f"{DOC}#two-types", "assertionMethod", "bad-verification-method", "one type name is expected"),
        (f"{DOC}#mixed", "assertionMethod", "bad-verification-method", "with publicKeyJwk"),
        (f"{DOC}#jwk-mb", "assertionMethod", "bad-verification-method", "with publicKeyMultibase"),
        (f"{DOC}#jwk-none", "assertionMethod", "bad-verification-method", "without publicKeyJwk"),
        (f"{DOC}#legacy-p256", "assertionMethod", "key-type-mismatch", "holding a P-256 key"),
        (f"{DOC}#leaky", "assertionMethod", "private-key-material", "secretKeyMultibase"),
        (f"{DOC}#leaky-jwk", "assertionMethod", "private-key-material", "'d'"),
        (
            f"{DOC}#bad-mb",
            "assertionMethod",
            "bad-multibase",
            "publicKeyMultibase of the verification method",
        ),
        (DOC, "assertionMethod", "vm-not-found", "has no fragment"),
        (f"{DOC}#", "assertionMethod", "vm-not-found", "has no fragment"),
        ("key-1", "assertionMethod", "vm-not-url", "is not an absolute URL"),
        ("#key-1", "assertionMethod", "vm-not-url", "is not an absolute URL"),
        (" https://issuer.example/keys#multikey", "assertionMethod", "vm-not-url", "not an absolute URL"),
        ("https://issuer.example/keys #multikey", "assertionMethod", "vm-not-url", "not an absolute URL"),
        ("https:///keys#k", "assertionMethod", "vm-not-url", "not a valid http(s) URL"),
        (42, "assertionMethod", "vm-not-url", "found int"),
        (None, "assertionMethod", "vm-not-url", "found NoneType"),
        ("https://x.example/" + "a" * 9000 + "#k", "assertionMethod", "vm-not-url", "at most 8,192"),
        (
            "https://elsewhere.example/keys#k",
            "assertionMethod",
            "resolution-failed",
            "connection to https://elsewhere.example/keys refused",
        ),
        (
            "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66#k",
            "assertionMethod",
            "resolution-failed",
            "only DIDs and http(s) URLs",
        ),
        (
            "did:example:123#k",
            "assertionMethod",
            "unsupported-did-method",
            "did:key, did:jwk and did:web resolve, any other DID needs its document",
        ),
        ("did:ion:EiA#k", "assertionMethod", "unsupported-did-method", "not supported"),
        ("did:#k", "assertionMethod", "unsupported-did-method", "not supported"),
        ("did:web:issuer.example/path#k", "assertionMethod", "bad-did", "with a path or query"),
        ("did:key:z6Mk0#z6Mk0", "assertionMethod", "bad-did", "base58btc"),
    ],
)
def test_refusals(vm_id: object, relationship: str, code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        retrieve_verification_method(vm_id, relationship, fetch=web())
    assert info.value.code == code
    assert fragment in info.value.message
    assert info.value.indeterminate == (code in {"resolution-failed", "unsupported-did-method"})


def broken(change: Any) -> dict[str, Any]:
    document = controller_document()
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "code", "fragment"),
    [
        (
            broken(lambda d: d.update(id="https://issuer.example/other")),
            "document-id-mismatch",
            "has id 'https://issuer.example/other'",
        ),
        (broken(lambda d: d.pop("id")), "document-id-mismatch", "has id None"),
        (
            broken(lambda d: d.update(verificationMethod={"id": f"{DOC}#multikey"})),
            "bad-controller-document",
            "expected to be an array",
        ),
        (
            broken(lambda d: d.update(assertionMethod=f"{DOC}#multikey")),
            "bad-controller-document",
            "expected to be an array",
        ),
        (
            broken(lambda d: d["verificationMethod"].append("#multikey")),
            "bad-controller-document",
            "method objects are expected",
        ),
        (
            broken(lambda d: d["assertionMethod"].append(7)),
            "bad-controller-document",
            "or URL references are expected",
        ),
        (
            broken(lambda d: d["verificationMethod"].append({"type": "Multikey"})),
            "bad-controller-document",
            "no string id",
        ),
        (
            broken(
                lambda d: d["assertionMethod"].append(
                    method("multikey", "Multikey", publicKeyMultibase=P256.public_multibase)
                )
            ),
            "bad-controller-document",
            "twice, differently",
        ),
    ],
)
def test_broken_controller_documents(document: dict[str, Any], code: str, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        retrieve_verification_method(f"{DOC}#multikey", "assertionMethod", fetch=web(document))
    assert (info.value.code, fragment in info.value.message) == (code, True)


def test_same_method_described_twice_identically_is_fine() -> None:
    document = controller_document()
    document["assertionMethod"].append(copy.deepcopy(document["verificationMethod"][0]))
    assert (
        retrieve_verification_method(f"{DOC}#multikey", "assertionMethod", fetch=web(document)).key_type
        == KeyType.ED25519
    )


def test_offline_https_is_indeterminate() -> None:
    failure = try_resolve(VerificationMethodResolver(), f"{DOC}#multikey", "assertionMethod")
    assert isinstance(failure, KeyFailure)
    assert (failure.code, failure.indeterminate) == ("resolution-failed", True)


@pytest.mark.parametrize("name", ["issuer-ed25519", "issuer-p256", "issuer-p384"])
@pytest.mark.parametrize("vm_type", ["Multikey", "JsonWebKey"])
def test_did_key_and_did_jwk_resolve_locally(name: str, vm_type: str) -> None:
    key = suite_key(name)
    resolver = VerificationMethodResolver(did_key_vm_type=vm_type)  # type: ignore[arg-type]
    for vm_id in (key.vm_id, key.did_jwk_vm_id):
        resolved = resolver.resolve(vm_id, "assertionMethod")
        assert (resolved.key_type, resolved.vm_id) == (key.key_type, vm_id)
        assert encode_public_multikey(resolved.public_key) == key.public_multibase
    assert resolver.resolve(key.vm_id, "assertionMethod").vm_type == vm_type


def test_did_key_legacy_shape_and_wrong_fragment() -> None:
    resolver = VerificationMethodResolver(did_key_vm_type="Ed25519VerificationKey2020")
    assert resolver.resolve(ED.vm_id, "capabilityDelegation").vm_type == "Ed25519VerificationKey2020"
    wrong = f"{ED.did}#{suite_key('other-ed25519').public_multibase}"
    assert try_resolve(resolver, wrong, "assertionMethod") == KeyFailure(
        "vm-not-found", f"the controller document '{ED.did}' has no verification method '{wrong}'"
    )
    failure = try_resolve(resolver, P256.vm_id, "assertionMethod")
    assert isinstance(failure, KeyFailure) and failure.code == "unsupported-vm-type"


def test_did_jwk_use_enc_is_not_for_assertions() -> None:
    from conformance.support.securing.keys import did_jwk_from_jwk

    did = did_jwk_from_jwk({**P256.jwk, "use": "enc"})
    failure = try_resolve(VerificationMethodResolver(), did + "#0", "assertionMethod")
    assert isinstance(failure, KeyFailure) and failure.code == "not-authorized-for-purpose"
    assert isinstance(VerificationMethodResolver().resolve(did + "#0", "keyAgreement"), ResolvedKey)


def test_did_web_through_the_resolver() -> None:
    did = "did:web:issuer.example:org"
    document = json.loads(json.dumps(controller_document()).replace(DOC, did))
    fetch = FakeWeb({"https://issuer.example/org/did.json": document})
    resolved = VerificationMethodResolver(fetch).resolve(f"{did}#p384", "assertionMethod")
    assert (resolved.key_type, resolved.controller) == (KeyType.P384, did)
    assert fetch.requests == ["https://issuer.example/org/did.json"]


def test_cache_fetches_each_document_once_and_remembers_failures() -> None:
    fetch = web()
    resolver = VerificationMethodResolver(fetch)
    first = resolver.resolve(f"{DOC}#multikey", "assertionMethod")
    assert resolver.resolve(f"{DOC}#multikey", "assertionMethod") is first
    assert resolver.resolve(f"{DOC}#p384", "assertionMethod").key_type == KeyType.P384
    for _ in range(3):
        assert try_resolve(resolver, "https://down.example/k#1", "assertionMethod") == KeyFailure(
            "resolution-failed",
            "https://down.example/k cannot be fetched: connection to https://down.example/k refused",
        )
        assert (
            try_resolve(resolver, f"{DOC}#auth-only", "assertionMethod").code == "not-authorized-for-purpose"
        )  # type: ignore[union-attr]
    assert fetch.requests == [DOC, "https://down.example/k"]


def test_cache_is_bounded() -> None:
    fetch = FakeWeb({f"https://h{i}.example/k": {"id": f"https://h{i}.example/k"} for i in range(3)})
    resolver = VerificationMethodResolver(fetch, cache_size=2)
    for i in (0, 1, 2, 0):
        assert try_resolve(resolver, f"https://h{i}.example/k#x", "assertionMethod").code == "vm-not-found"  # type: ignore[union-attr]
    assert fetch.requests == [f"https://h{i}.example/k" for i in (0, 1, 2, 0)]
    with pytest.raises(ValueError):
        VerificationMethodResolver(cache_size=0)


def test_unhashable_arguments_do_not_break_the_cache() -> None:
    resolver = VerificationMethodResolver()
    for value in ([ED.vm_id], {"id": ED.vm_id}):
        failure = try_resolve(resolver, value, "assertionMethod")  # type: ignore[arg-type]
        assert isinstance(failure, KeyFailure) and failure.code == "vm-not-url"
    failure = try_resolve(resolver, ED.vm_id, ["assertionMethod"])  # type: ignore[arg-type]
    assert isinstance(failure, KeyFailure) and failure.code == "not-authorized-for-purpose"


def test_resolver_satisfies_the_protocol() -> None:
    assert isinstance(VerificationMethodResolver(), KeyResolver)

    class Fixed:
        def resolve(self, vm_id: str, relationship: str) -> ResolvedKey:
            raise KeysError("vm-not-found", f"{vm_id} is unknown")

    assert isinstance(Fixed(), KeyResolver)
    assert try_resolve(Fixed(), "https://a.example/k#1", "assertionMethod") == KeyFailure(
        "vm-not-found", "https://a.example/k#1 is unknown"
    )


@pytest.mark.parametrize(
    ("method_value", "key_type"),
    [
        (
            {
                "type": "Multikey",
                "publicKeyMultibase": encode_public_multikey(
                    ed25519.Ed25519PrivateKey.generate().public_key()
                ),
            },
            KeyType.ED25519,
        ),
        (
            {
                "type": "JsonWebKey2020",
                "publicKeyJwk": jwk_from_public_key(ec.generate_private_key(ec.SECP384R1()).public_key()),
            },
            KeyType.P384,
        ),
    ],
)
def test_key_from_a_method_object(method_value: dict[str, Any], key_type: KeyType) -> None:
    assert key_from_verification_method(method_value).key_type == key_type


def test_secret_multikey_in_public_slot() -> None:
    with pytest.raises(KeysError) as info:
        key_from_verification_method(
            {"type": "Multikey", "publicKeyMultibase": encode_secret_multikey(ED.private_key)}
        )
    assert info.value.code == "unknown-key-type"


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if body is not None:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def local_fetch(url: str) -> bytes:
    # A plain stdlib fetch: this test is about the resolver over real HTTP, not the suite's guarded client.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a configured proxy
    with opener.open(url, timeout=5) as response:
        return bytes(response.read(1 << 20))


def test_http_controller_document_through_a_real_fetch(local_server: str) -> None:
    url = f"{local_server}/issuers/1"
    document = json.loads(json.dumps(controller_document()).replace(DOC, url))
    _Handler.pages = {"/issuers/1": json.dumps(document).encode()}
    resolver = VerificationMethodResolver(local_fetch)
    resolved = resolver.resolve(f"{url}#legacy", "assertionMethod")
    assert (resolved.key_type, resolved.vm_type, resolved.controller) == (
        KeyType.ED25519,
        "Ed25519VerificationKey2020",
        url,
    )
    failure = try_resolve(resolver, f"{local_server}/nobody#k", "assertionMethod")
    assert (
        isinstance(failure, KeyFailure) and failure.code == "resolution-failed" and "404" in failure.message
    )


# --- documents supplied for DIDs (the run's known documents) -------------------------------------------------------

def did_document(did: str, multibase: str = ED.public_multibase) -> bytes:
    return json.dumps({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": multibase}],
        "assertionMethod": [f"{did}#key-1"],
    }).encode()


@pytest.mark.parametrize("did", ["did:example:123", "did:ion:EiA", "did:web:issuer.example"])
def test_a_known_document_resolves_a_did_of_any_method(did: str) -> None:
    asked: list[str] = []

    def known(url: str) -> bytes | None:
        asked.append(url)
        return did_document(did) if url == did else None

    resolver = VerificationMethodResolver(None, known=known)
    resolved = resolver.resolve(f"{did}#key-1", "assertionMethod")
    assert (resolved.controller, resolved.key_type) == (did, KeyType.ED25519)
    assert asked == [did]
    one_shot = retrieve_verification_method(f"{did}#key-1", "assertionMethod", known=known)
    assert one_shot.vm_id == f"{did}#key-1"


def test_without_a_known_document_an_unresolvable_did_stays_indeterminate() -> None:
    resolver = VerificationMethodResolver(None, known=lambda url: None)
    with pytest.raises(KeysError) as info:
        resolver.resolve("did:example:123#key-1", "assertionMethod")
    assert info.value.code == "unsupported-did-method" and info.value.indeterminate
    assert "--documents" in info.value.message


def test_a_known_document_is_held_to_the_same_checks_as_a_resolved_one() -> None:
    other = VerificationMethodResolver(None, known=lambda url: did_document("did:example:456"))
    with pytest.raises(KeysError) as info:
        other.resolve("did:example:123#key-1", "assertionMethod")
    assert info.value.code == "document-id-mismatch" and not info.value.indeterminate
    broken = VerificationMethodResolver(None, known=lambda url: b"[1, 2]")
    with pytest.raises(KeysError) as info:
        broken.resolve("did:example:123#key-1", "assertionMethod")
    assert info.value.code == "bad-controller-document"


def test_did_key_and_did_jwk_are_computed_whatever_document_is_supplied() -> None:
    forged = VerificationMethodResolver(None, known=lambda url: did_document(url, P256.public_multibase))
    resolved = forged.resolve(f"{ED.did}#{ED.public_multibase}", "assertionMethod")
    assert resolved.key_type is KeyType.ED25519 and resolved.controller == ED.did
