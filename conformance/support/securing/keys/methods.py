"""Verification method retrieval: from a method's URL to a usable public key, with every step checked.

The steps follow the controlled-identifier "retrieve verification method" idea: the id is a URL; the
document it names (the URL without its fragment) is dereferenced and must carry that URL as its id; the
method is found by id; its controller is that document; and the document lists it (by reference or
embedded) under the relationship the proof claims. A key that passes all of this is the controller's key
for that purpose; a key that fails any step says which one through its reason code.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, runtime_checkable

from .did import (
    RELATIONSHIPS,
    DidJwkVmType,
    DidKeyVmType,
    Fetch,
    fetch_document,
    parse_controller_document,
    resolve_did_jwk,
    resolve_did_key,
    resolve_did_web,
)
from .errors import KeyFailure, KeysError, describe
from .jwk import public_material_from_jwk
from .multikey import KeyType, PublicKey, PublicKeyMaterial, decode_public_multikey

__all__ = [
    "SELF_CONTAINED_DID_METHODS",
    "SUPPORTED_VM_TYPES",
    "Known",
    "KeyResolver",
    "ResolvedKey",
    "VerificationMethodResolver",
    "dereference_controller_document",
    "key_from_verification_method",
    "retrieve_verification_method",
    "select_verification_method",
    "split_vm_url",
    "try_resolve",
]

SUPPORTED_VM_TYPES: tuple[str, ...] = (
    "Multikey",
    "Ed25519VerificationKey2020",
    "JsonWebKey",
    "JsonWebKey2020",
)
# Documents the run was given by URL or DID (the user's --documents, a vector manifest's resources): bytes, or None
# when it was given none for that identifier.
Known: TypeAlias = Callable[[str], "bytes | None"]
# DID methods whose document is computed from the DID itself: a supplied document cannot stand in for what the
# method defines (an online run would not read one either).
SELF_CONTAINED_DID_METHODS = frozenset({"key", "jwk"})
_MAX_VM_URL_CHARS = 8192
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HTTP_URL = re.compile(r"https?://[^/?#\s]+[^#\s]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A public key its controller authorizes for one relationship.

    `method` is the verification method object as found in the controller document; it is shared with the
    resolver's cache, so treat it as read-only.
    """

    public_key: PublicKey
    key_type: KeyType
    vm_id: str
    vm_type: str
    controller: str
    relationship: str
    method: Mapping[str, Any] = field(repr=False)


@runtime_checkable
class KeyResolver(Protocol):
    """What proof and JOSE verification depend on: a method URL and a relationship in, a key out.
    Implementations raise KeysError with a reason code when the key cannot be used."""

    def resolve(self, vm_id: str, relationship: str) -> ResolvedKey: ...


def split_vm_url(vm_id: object) -> tuple[str, str]:
    """The controller document URL and the fragment of a verification method id.

    Raises vm-not-url when the id is not an absolute URL, vm-not-found when it has no fragment (it then
    names a document, not a method in one).
    """
    if not isinstance(vm_id, str):
        raise KeysError(
            "vm-not-url",
            f"a verification method id is expected to be a URL string; found {type(vm_id).__name__}",
        )
    if len(vm_id) > _MAX_VM_URL_CHARS:
        raise KeysError(
            "vm-not-url",
            f"the verification method id has {len(vm_id):,} characters; at most {_MAX_VM_URL_CHARS:,} are accepted",
        )
    if not _SCHEME.match(vm_id) or any(c.isspace() for c in vm_id):
        raise KeysError("vm-not-url", f"the verification method id {describe(vm_id)} is not an absolute URL")
    if vm_id.lower().startswith(("http:", "https:")) and not _HTTP_URL.fullmatch(vm_id.split("#", 1)[0]):
        raise KeysError(
            "vm-not-url", f"the verification method id {describe(vm_id)} is not a valid http(s) URL"
        )
    document_url, hash_mark, fragment = vm_id.partition("#")
    if not hash_mark or not fragment:
        raise KeysError(
            "vm-not-found",
            f"the verification method id {describe(vm_id)} has no fragment; it names a document, not a method in it",
        )
    return document_url, fragment


def dereference_controller_document(
    url: str,
    *,
    fetch: Fetch | None = None,
    known: Known | None = None,
    did_key_vm_type: DidKeyVmType = "Multikey",
    did_jwk_vm_type: DidJwkVmType = "JsonWebKey",
) -> dict[str, Any]:
    """The controller document a URL names: did:key and did:jwk locally, did:web and http(s) through `fetch`
    (None means offline, which fails with resolution-failed). A document `known` supplies for a DID of any other
    method (did:web, did:example, ...) is read instead of resolving it. The document's id must equal the URL."""
    if url.startswith("did:"):
        if any(mark in url for mark in "/?"):
            raise KeysError(
                "bad-did",
                f"{describe(url)} is a DID URL with a path or query; a plain DID is expected before '#'",
            )
        method = url.split(":", 2)[1] if url.count(":") >= 2 else ""
        supplied = known(url) if known is not None and method not in SELF_CONTAINED_DID_METHODS else None
        if supplied is not None:
            document = parse_controller_document(supplied, url)
        elif method == "key":
            document = resolve_did_key(url, vm_type=did_key_vm_type)
        elif method == "jwk":
            document = resolve_did_jwk(url, vm_type=did_jwk_vm_type)
        elif method == "web":
            document = resolve_did_web(url, fetch)
        else:
            raise KeysError(
                "unsupported-did-method",
                f"the DID method of {describe(url)} is not supported and no DID document was supplied for it; "
                "did:key, did:jwk and did:web resolve, any other DID needs its document (--documents)",
            )
    elif url.lower().startswith(("https:", "http:")):
        document = fetch_document(url, fetch)
    else:
        raise KeysError(
            "resolution-failed", f"{describe(url)} cannot be dereferenced: only DIDs and http(s) URLs can"
        )
    if document.get("id") != url:
        raise KeysError(
            "document-id-mismatch",
            f"the controller document obtained from {describe(url)} has id {describe(document.get('id'))}; {describe(url)} is expected",
        )
    return document


def _absolute(reference: str, document_id: str) -> str:
    # Relative references inside a controller document ("#key-1") are relative to the document itself.
    return document_id + reference if reference.startswith("#") else reference


def _entries(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise KeysError(
            "bad-controller-document",
            f"{name} in the controller document {describe(document.get('id'))} is expected to be an array; found {type(value).__name__}",
        )
    return value


def _methods(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every method object in the document, with its absolute id: in verificationMethod and embedded
    under a relationship."""
    document_id = document["id"]
    for name in ("verificationMethod", *RELATIONSHIPS):
        for entry in _entries(document, name):
            if isinstance(entry, str) and name != "verificationMethod":
                continue
            if not isinstance(entry, Mapping):
                raise KeysError(
                    "bad-controller-document",
                    f"{name} in the controller document {describe(document_id)} holds a {type(entry).__name__}; "
                    + (
                        "method objects are expected"
                        if name == "verificationMethod"
                        else "method objects or URL references are expected"
                    ),
                )
            method_id = entry.get("id")
            if not isinstance(method_id, str):
                raise KeysError(
                    "bad-controller-document",
                    f"a method under {name} in {describe(document_id)} has no string id",
                )
            yield _absolute(method_id, document_id), entry


def select_verification_method(
    document: Mapping[str, Any], vm_id: str, relationship: str
) -> Mapping[str, Any]:
    """Find the method `vm_id` in a dereferenced controller document and check that its controller is the
    document and that the document lists it under `relationship`."""
    document_id = document.get("id")
    if not isinstance(document_id, str):
        raise KeysError(
            "bad-controller-document", f"the controller document for {describe(vm_id)} has no string id"
        )
    found: Mapping[str, Any] | None = None
    for method_id, method in _methods(document):
        if method_id != vm_id:
            continue
        if found is not None and found != method:
            # Two different keys under one id would let a document show one and sign with the other.
            raise KeysError(
                "bad-controller-document",
                f"{describe(document_id)} describes {describe(vm_id)} twice, differently",
            )
        found = method
    if found is None:
        raise KeysError(
            "vm-not-found",
            f"the controller document {describe(document_id)} has no verification method {describe(vm_id)}",
        )
    controller = found.get("controller")
    if controller != document_id:
        raise KeysError(
            "controller-mismatch",
            f"the verification method {describe(vm_id)} has controller {describe(controller)}; "
            f"{describe(document_id)}, the document it is in, is expected",
        )
    if relationship not in RELATIONSHIPS:
        raise KeysError(
            "not-authorized-for-purpose",
            f"the proof purpose {describe(relationship)} names no verification relationship; one of {', '.join(RELATIONSHIPS)} is expected",
        )
    for entry in _entries(document, relationship):
        reference = (
            entry if isinstance(entry, str) else entry.get("id") if isinstance(entry, Mapping) else None
        )
        if isinstance(reference, str) and _absolute(reference, document_id) == vm_id:
            return found
    raise KeysError(
        "not-authorized-for-purpose",
        f"the controller document {describe(document_id)} does not list {describe(vm_id)} under {relationship}",
    )


def key_from_verification_method(
    method: Mapping[str, Any], *, what: str = "the verification method"
) -> PublicKeyMaterial:
    """The public key a Multikey, Ed25519VerificationKey2020, JsonWebKey or JsonWebKey2020 method carries."""
    vm_type = method.get("type")
    if not isinstance(vm_type, str):
        raise KeysError(
            "bad-verification-method", f"{what} has type {describe(vm_type)}; one type name is expected"
        )
    if vm_type not in SUPPORTED_VM_TYPES:
        raise KeysError(
            "unsupported-vm-type",
            f"{what} has type {describe(vm_type)}; supported are {', '.join(SUPPORTED_VM_TYPES)}",
        )
    for secret in ("secretKeyMultibase", "secretKeyJwk", "privateKeyMultibase", "privateKeyJwk"):
        if secret in method:
            raise KeysError(
                "private-key-material",
                f"{what} publishes {secret}; a verification method carries only a public key",
            )
    if vm_type in ("Multikey", "Ed25519VerificationKey2020"):
        if "publicKeyJwk" in method:
            raise KeysError(
                "bad-verification-method",
                f"{what} is a {vm_type} with publicKeyJwk; its key belongs in publicKeyMultibase only",
            )
        if "publicKeyMultibase" not in method:
            raise KeysError("bad-verification-method", f"{what} is a {vm_type} without publicKeyMultibase")
        material = decode_public_multikey(method["publicKeyMultibase"], what=f"publicKeyMultibase of {what}")
        if vm_type == "Ed25519VerificationKey2020" and material.key_type != KeyType.ED25519:
            raise KeysError(
                "key-type-mismatch",
                f"{what} is an Ed25519VerificationKey2020 holding a {material.key_type} key",
            )
        return material
    if "publicKeyMultibase" in method:
        raise KeysError(
            "bad-verification-method",
            f"{what} is a {vm_type} with publicKeyMultibase; its key belongs in publicKeyJwk only",
        )
    if "publicKeyJwk" not in method:
        raise KeysError("bad-verification-method", f"{what} is a {vm_type} without publicKeyJwk")
    return public_material_from_jwk(method["publicKeyJwk"], what=f"publicKeyJwk of {what}")


def _resolved(method: Mapping[str, Any], vm_id: str, relationship: str) -> ResolvedKey:
    material = key_from_verification_method(method, what=f"the verification method {describe(vm_id)}")
    return ResolvedKey(
        public_key=material.to_key(),
        key_type=material.key_type,
        vm_id=vm_id,
        vm_type=str(method["type"]),
        controller=str(method["controller"]),
        relationship=relationship,
        method=method,
    )


def retrieve_verification_method(
    vm_id: object,
    relationship: str,
    *,
    fetch: Fetch | None = None,
    known: Known | None = None,
    did_key_vm_type: DidKeyVmType = "Multikey",
    did_jwk_vm_type: DidJwkVmType = "JsonWebKey",
) -> ResolvedKey:
    """One retrieval without a cache. Raises KeysError; `.indeterminate` tells "could not find out"
    (offline, unreachable, unsupported DID method) from "the credential's key is wrong"."""
    document_url, _ = split_vm_url(vm_id)
    assert isinstance(vm_id, str)
    document = dereference_controller_document(
        document_url, fetch=fetch, known=known, did_key_vm_type=did_key_vm_type, did_jwk_vm_type=did_jwk_vm_type
    )
    return _resolved(select_verification_method(document, vm_id, relationship), vm_id, relationship)


class VerificationMethodResolver:
    """A KeyResolver with a bounded LRU of controller documents and resolved keys, for one run.

    Failures are cached as well, so a thousand credentials naming one unreachable did:web cost one fetch.
    Thread-safe; a fetch happens outside the lock, so two threads may fetch the same URL once each.
    """

    def __init__(
        self,
        fetch: Fetch | None = None,
        *,
        known: Known | None = None,
        did_key_vm_type: DidKeyVmType = "Multikey",
        did_jwk_vm_type: DidJwkVmType = "JsonWebKey",
        cache_size: int = 256,
    ) -> None:
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        self._fetch = fetch
        self._known = known
        self._did_key_vm_type: DidKeyVmType = did_key_vm_type
        self._did_jwk_vm_type: DidJwkVmType = did_jwk_vm_type
        self._cache_size = cache_size
        self._documents: OrderedDict[str, dict[str, Any] | KeysError] = OrderedDict()
        self._keys: OrderedDict[tuple[str, str], ResolvedKey | KeysError] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, cache: OrderedDict[Any, Any], key: object, value: object) -> None:
        with self._lock:
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > self._cache_size:
                cache.popitem(last=False)

    def _recall(self, cache: OrderedDict[Any, Any], key: object) -> Any:
        with self._lock:
            value = cache.get(key)
            if value is not None:
                cache.move_to_end(key)
            return value

    def document(self, url: str) -> dict[str, Any]:
        """The controller document at `url` (its id checked), from the cache when possible."""
        cached = self._recall(self._documents, url)
        if cached is None:
            try:
                cached = dereference_controller_document(
                    url,
                    fetch=self._fetch,
                    known=self._known,
                    did_key_vm_type=self._did_key_vm_type,
                    did_jwk_vm_type=self._did_jwk_vm_type,
                )
            except KeysError as exc:
                cached = exc
            self._remember(self._documents, url, cached)
        if isinstance(cached, KeysError):
            raise KeysError(cached.code, cached.message)
        return cached

    def resolve(self, vm_id: str, relationship: str) -> ResolvedKey:
        cache_key = (
            (vm_id, relationship) if isinstance(vm_id, str) and isinstance(relationship, str) else None
        )
        cached = self._recall(self._keys, cache_key) if cache_key is not None else None
        if cached is None:
            try:
                document_url, _ = split_vm_url(vm_id)
                cached = _resolved(
                    select_verification_method(self.document(document_url), vm_id, relationship),
                    vm_id,
                    relationship,
                )
            except KeysError as exc:
                cached = exc
            if cache_key is not None:
                self._remember(self._keys, cache_key, cached)
        if isinstance(cached, KeysError):
            # A fresh exception per call: a shared one would accumulate tracebacks across callers.
            raise KeysError(cached.code, cached.message)
        return cached


def try_resolve(resolver: KeyResolver, vm_id: str, relationship: str) -> ResolvedKey | KeyFailure:
    """The key, or why not, as a value (for checks that turn failures into findings)."""
    try:
        return resolver.resolve(vm_id, relationship)
    except KeysError as exc:
        return exc.failure
