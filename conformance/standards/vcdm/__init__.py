"""W3C Verifiable Credentials Data Model: which version a document uses, and the documents a VP embeds."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from conformance.core.checks import Embedded, embeds
from conformance.core.predicates import pointer
from conformance.core.subject import Subject, as_list
from conformance.standards.ctdl.facts.load import looks_like_ctdl

V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_TYPES = frozenset({"VerifiableCredential", "VerifiablePresentation",
                      "EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"})


def has_type(node: Mapping[str, Any]) -> bool:
    """A type that names something: a non-empty string, or a non-empty array of non-empty strings (both versions'
    rules for the objects that must say what kind they are)."""
    value = node.get("type")
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and t for t in value)


def vc_version(subject: Subject) -> Literal["1.1", "2.0"] | None:
    """The data model version a document claims: by its first context, else by any base context, else by shape."""
    contexts = subject.contexts
    if contexts and contexts[0] == V2_CONTEXT:
        return "2.0"
    if contexts and contexts[0] == V1_CONTEXT:
        return "1.1"
    if V1_CONTEXT in contexts:
        return "1.1"
    if V2_CONTEXT in contexts:
        return "2.0"
    document = subject.document
    jwt = subject.payload.jwt
    if not (subject.types & VC_TYPES or "credentialSubject" in document or "issuer" in document) \
            and looks_like_ctdl(document):
        return None       # a CTDL publication cites the CTDL contexts only: it is not a credential
    if subject.types & VC_TYPES or "credentialSubject" in document or "issuer" in document or contexts:
        legacy = "issuanceDate" in document or (jwt is not None and jwt.style == "vc-jwt-1.1")
        return "1.1" if legacy else "2.0"
    return None


@embeds
def presented_credentials(subject: Subject) -> Iterator[Embedded]:
    """Credentials inside a presentation: objects, compact JWS strings, or data: URLs."""
    if not subject.is_presentation:
        return
    value = subject.document.get("verifiableCredential")
    for index, item in enumerate(as_list(value)):
        at = pointer("verifiableCredential", index) if isinstance(value, list) else pointer("verifiableCredential")
        if isinstance(item, dict):
            yield Embedded(at, item, "json")
        elif isinstance(item, str):
            yield Embedded(at, item, "data-url" if item.startswith("data:") else "jws")
