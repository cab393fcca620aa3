"""DID documents for did:key and did:jwk (built locally) and did:web (fetched through an injected function).

did:web never touches the network here: the caller passes `fetch(url) -> bytes` (the suite's guarded
client, a fixture directory, a test server), so this module cannot leak who verifies what on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias

from conformance.support.formats.errors import Limits, PayloadError
from conformance.support.formats.json_text import parse_json

from .errors import KeysError, describe
from .jwk import jwk_from_public_key, public_material_from_jwk
from .multibase import base64url_decode, base64url_encode
from .multikey import KeyType, decode_public_multikey

__all__ = [
    "CONTROLLER_DOCUMENT_LIMITS",
    "DID_CONTEXT",
    "RELATIONSHIPS",
    "DidJwkVmType",
    "DidKeyVmType",
    "Fetch",
    "did_jwk_from_jwk",
    "did_key_from_multikey",
    "did_web_url",
    "fetch_document",
    "parse_controller_document",
    "resolve_did_jwk",
    "resolve_did_key",
    "resolve_did_web",
]

Fetch: TypeAlias = Callable[[str], bytes]
DidKeyVmType = Literal["Multikey", "Ed25519VerificationKey2020", "JsonWebKey"]
DidJwkVmType = Literal["JsonWebKey", "JsonWebKey2020"]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
_VM_CONTEXTS = {
    "Multikey": "https://w3id.org/security/multikey/v1",
    "Ed25519VerificationKey2020": "https://w3id.org/security/suites/ed25519-2020/v1",
    "JsonWebKey": "https://w3id.org/security/jwk/v1",
    "JsonWebKey2020": "https://w3id.org/security/suites/jws-2020/v1",
}
# The verification relationships a controller document can list methods under.
RELATIONSHIPS: tuple[str, ...] = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
_SIGNING_RELATIONSHIPS = RELATIONSHIPS[:4]

# A controller document is a few kilobytes; these bounds keep a hostile one cheap to refuse.
CONTROLLER_DOCUMENT_LIMITS = Limits(
    max_bytes=1024 * 1024, max_depth=32, max_jws_bytes=1024, max_containers=20_000
)
# A did:jwk carries its key inline; a P-384 JWK with every optional member is well under this.
_MAX_DID_JWK_CHARS = 4096
_MAX_DID_CHARS = 2048

_DID_KEY = re.compile(r"did:key:(z[1-9A-HJ-NP-Za-km-z]+)")
_DID_JWK = re.compile(r"did:jwk:([A-Za-z0-9_-]+)")
# A host name or IPv4 address, then an optional port written as %3A (a literal ':' separates path segments).
_WEB_HOST = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?:%3[Aa](?P<port>[0-9]{1,5}))?"
)
# Path segments may hold URL-safe characters and percent escapes; '/', '?', '#' would change the URL's shape.
_WEB_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=@-]|%[0-9A-Fa-f]{2})+")


def _check_did_text(did: object, method: str) -> str:
    if not isinstance(did, str):
        raise KeysError("bad-did", f"a {method} DID is expected to be a string; found {type(did).__name__}")
    limit = _MAX_DID_JWK_CHARS if method == "did:jwk" else _MAX_DID_CHARS
    if len(did) > limit:
        raise KeysError(
            "bad-did", f"the {method} DID has {len(did):,} characters; at most {limit:,} are accepted"
        )
    if not did.startswith(method + ":"):
        raise KeysError("bad-did", f"{describe(did)} is not a {method} DID")
    for mark, name in (("#", "fragment"), ("?", "query"), ("/", "path")):
        if mark in did:
            raise KeysError("bad-did", f"{describe(did)} has a {name}; a plain {method} DID is expected here")
    return did


def did_key_from_multikey(public_multibase: str) -> str:
    decode_public_multikey(public_multibase)  # refuse anything that would not resolve again
    return f"did:key:{public_multibase}"


def resolve_did_key(did: object, *, vm_type: DidKeyVmType = "Multikey") -> dict[str, Any]:
    """The DID document of a did:key, built from the key it carries.

    The single method is `did:key:<mb>#<mb>`, controlled by the DID and listed by reference under
    authentication, assertionMethod, capabilityInvocation and capabilityDelegation. `vm_type` picks its
    shape: Multikey (the current form), Ed25519VerificationKey2020 (the legacy form, Ed25519 only) or
    JsonWebKey. Raises KeysError bad-did for a malformed id, or a multikey error for a bad key.
    """
    text = _check_did_text(did, "did:key")
    match = _DID_KEY.fullmatch(text)
    if match is None:
        raise KeysError(
            "bad-did",
            f"{describe(text)} is not a did:key: 'did:key:' followed by a base58btc multibase ('z...') key is expected",
        )
    multibase = match.group(1)
    material = decode_public_multikey(multibase, what=f"the key in {describe(text)}")
    material.to_key()  # a point off the curve makes the DID unresolvable, not a document with a bad key
    vm_id = f"{text}#{multibase}"
    method: dict[str, Any] = {"id": vm_id, "type": vm_type, "controller": text}
    if vm_type == "Multikey":
        method["publicKeyMultibase"] = multibase
    elif vm_type == "Ed25519VerificationKey2020":
        if material.key_type != KeyType.ED25519:
            raise KeysError(
                "unsupported-vm-type",
                f"an Ed25519VerificationKey2020 carries an Ed25519 key; {describe(text)} holds a {material.key_type} key",
            )
        method["publicKeyMultibase"] = multibase
    elif vm_type == "JsonWebKey":
        method["publicKeyJwk"] = jwk_from_public_key(material)
    else:
        raise KeysError(
            "unsupported-vm-type",
            f"did:key documents are built with Multikey, Ed25519VerificationKey2020 or JsonWebKey; not {describe(vm_type)}",
        )
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, _VM_CONTEXTS[vm_type]],
        "id": text,
        "verificationMethod": [method],
    }
    for relationship in _SIGNING_RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document


def did_jwk_from_jwk(jwk: Mapping[str, Any]) -> str:
    """The did:jwk of a public JWK (members in sorted order, compact JSON, so the DID is reproducible)."""
    public_material_from_jwk(jwk)
    text = json.dumps(dict(sorted(jwk.items())), separators=(",", ":"), ensure_ascii=False)
    return "did:jwk:" + base64url_encode(text.encode("utf-8"))


def resolve_did_jwk(did: object, *, vm_type: DidJwkVmType = "JsonWebKey") -> dict[str, Any]:
    """The DID document of a did:jwk: one method `#0` holding the JWK, under the relationships its `use` allows.

    `use: sig` leaves out keyAgreement, `use: enc` keeps only keyAgreement, no `use` lists all five. The
    JWK must be a public Ed25519, P-256 or P-384 key: private members make the DID unusable.
    """
    text = _check_did_text(did, "did:jwk")
    match = _DID_JWK.fullmatch(text)
    if match is None:
        raise KeysError(
            "bad-did", f"{describe(text)} is not a did:jwk: 'did:jwk:' followed by base64url is expected"
        )
    raw = base64url_decode(match.group(1), what=f"the JWK part of {describe(text)}", code="bad-did")
    try:
        jwk = parse_json(raw, CONTROLLER_DOCUMENT_LIMITS)
    except PayloadError as exc:
        raise KeysError("bad-did", f"the JWK part of {describe(text)} is not JSON: {exc.message}") from None
    if not isinstance(jwk, dict):
        raise KeysError(
            "bad-did",
            f"the JWK part of {describe(text)} is a JSON {type(jwk).__name__}; an object is expected",
        )
    public_material_from_jwk(jwk, what=f"the JWK in {describe(text)}")
    use = jwk.get("use")
    if use is None:
        relationships: tuple[str, ...] = RELATIONSHIPS
    elif use == "sig":
        relationships = _SIGNING_RELATIONSHIPS
    elif use == "enc":
        relationships = ("keyAgreement",)
    else:
        raise KeysError(
            "bad-did", f"the JWK in {describe(text)} has use {describe(use)}; 'sig' or 'enc' is expected"
        )
    if vm_type not in ("JsonWebKey", "JsonWebKey2020"):
        raise KeysError(
            "unsupported-vm-type",
            f"did:jwk documents are built with JsonWebKey or JsonWebKey2020; not {describe(vm_type)}",
        )
    vm_id = f"{text}#0"
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, _VM_CONTEXTS[vm_type]],
        "id": text,
        "verificationMethod": [{"id": vm_id, "type": vm_type, "controller": text, "publicKeyJwk": jwk}],
    }
    for relationship in relationships:
        document[relationship] = [vm_id]
    return document


def did_web_url(did: object) -> str:
    """The https URL of a did:web document.

    The first segment is the host, with an optional port written `%3A<port>`; further ':'-separated
    segments become the path and the file is `did.json`; a bare host serves `/.well-known/did.json`.
    """
    text = _check_did_text(did, "did:web")
    segments = text[len("did:web:") :].split(":")
    host = _WEB_HOST.fullmatch(segments[0])
    if host is None:
        raise KeysError(
            "bad-did",
            f"{describe(text)} does not start with a host name; 'did:web:<host>[%3A<port>][:<path>...]' is expected",
        )
    authority = host.group("host").lower()
    port = host.group("port")
    if port is not None:
        if not 0 < int(port) < 65536:
            raise KeysError("bad-did", f"{describe(text)} names port {port}, outside 1-65535")
        authority += f":{int(port)}"
    path = segments[1:]
    for segment in path:
        if not segment:
            raise KeysError("bad-did", f"{describe(text)} has an empty path segment")
        if segment in (".", "..") or _WEB_SEGMENT.fullmatch(segment) is None:
            raise KeysError(
                "bad-did", f"{describe(text)} has the path segment {describe(segment)}, which is not allowed"
            )
    suffix = "/" + "/".join(path) + "/did.json" if path else "/.well-known/did.json"
    return f"https://{authority}{suffix}"


def parse_controller_document(data: object, url: str) -> dict[str, Any]:
    """A fetched controller document as a JSON object; KeysError bad-controller-document otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview, str)):
        raise KeysError(
            "bad-controller-document", f"fetching {url} gave a {type(data).__name__}; bytes are expected"
        )
    try:
        document = parse_json(bytes(data) if not isinstance(data, str) else data, CONTROLLER_DOCUMENT_LIMITS)
    except PayloadError as exc:
        raise KeysError(
            "bad-controller-document", f"the document at {url} is not usable JSON: {exc.message}"
        ) from None
    if not isinstance(document, dict):
        raise KeysError(
            "bad-controller-document",
            f"the document at {url} is a JSON {type(document).__name__}; an object is expected",
        )
    return document


def fetch_document(url: str, fetch: Fetch | None) -> dict[str, Any]:
    """Obtain and parse a controller document; any failure of `fetch` is resolution-failed."""
    if fetch is None:
        raise KeysError("resolution-failed", f"{url} is not fetched: network access is off (use --online)")
    try:
        data = fetch(url)
    except Exception as exc:  # the injected fetch may fail in any way; each means "could not obtain it"
        detail = str(exc) or type(exc).__name__
        raise KeysError("resolution-failed", f"{url} cannot be fetched: {detail}") from None
    return parse_controller_document(data, url)


def resolve_did_web(did: object, fetch: Fetch | None) -> dict[str, Any]:
    """Fetch a did:web document and check that its id is the DID."""
    url = did_web_url(did)
    assert isinstance(did, str)
    document = fetch_document(url, fetch)
    if document.get("id") != did:
        raise KeysError(
            "document-id-mismatch",
            f"the DID document at {url} has id {describe(document.get('id'))}; {did} is expected",
        )
    return document
