"""Pure helpers for VCDM 1.1 checks: dateTime instants, JWS shape, credential parts. They never make findings."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.predicates import as_list, instant, items, pointer
from conformance.core.subject import Subject

_JWS_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def is_compact_jws(value: Any) -> bool:
    """Three base64url parts separated by dots (the signature part may be empty for an unsecured JWT)."""
    return isinstance(value, str) and bool(_JWS_COMPACT.match(value))


def is_numeric_date(value: Any) -> bool:
    """A JSON number that is finite (JWT NumericDate); booleans are not numbers here."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def is_presentation(subject: Subject) -> bool:
    """A presentation by type, or, when type says neither, by the properties only presentations have."""
    if subject.is_presentation:
        return True
    if "VerifiableCredential" in subject.types:
        return False
    document = subject.document
    return "credentialSubject" not in document and ("verifiableCredential" in document or "holder" in document)


def objects_of(document: Mapping[str, Any], key: str) -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each value of a property that holds one object or an array of them."""
    return items(document, key)


def subject_ids(credential_subject: Any) -> list[Any]:
    return [s["id"] for s in as_list(credential_subject) if isinstance(s, Mapping) and "id" in s]


def issuer_id(issuer: Any) -> Any:
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def has_embedded_proof(document: Mapping[str, Any]) -> bool:
    return any(isinstance(p, Mapping) for p in as_list(document.get("proof")))


TYPED_PARTS = ("issuer", "credentialSubject", "credentialStatus", "credentialSchema", "refreshService",
               "termsOfUse", "evidence", "proof")


def type_values(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(holder pointer, value pointer, value) for each type value of the document and its data-model objects."""
    for at, value in items(document, "type"):
        yield "", at, value
    for key in TYPED_PARTS:
        for holder, node in items(document, key):
            if isinstance(node, Mapping):
                for at, value in items(node, "type", holder):
                    yield holder, at, value


__all__ = [
    "has_embedded_proof",
    "instant",
    "is_compact_jws",
    "is_numeric_date",
    "is_presentation",
    "issuer_id",
    "objects_of",
    "pointer",
    "subject_ids",
    "type_values",
]
