"""Pure helpers for VCDM 2.0 checks: document kinds, data: URLs, digests, securing. They make no findings."""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any, Literal

from conformance.core import predicates
from conformance.core.predicates import as_list, items, pointer
from conformance.core.subject import Subject
from conformance.standards.jsonld_terms import embedded_json_pointers, shares_parent_jsonld, within

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

Kind = Literal["credential", "presentation", "enveloped-credential", "enveloped-presentation"]

# Media types of secured forms an enveloped object may carry (VC-JOSE-COSE registrations), by envelope kind
ENVELOPE_MEDIA_TYPES: Mapping[str, frozenset[str]] = {
    "enveloped-credential": frozenset({"application/vc+jwt", "application/vc+sd-jwt", "application/vc+cose"}),
    "enveloped-presentation": frozenset({"application/vp+jwt", "application/vp+sd-jwt",
                                         "application/vp+cose"}),
}


def kind(subject: Subject) -> Kind:
    """What the document is, by its type; by its shape when the type names none of the base types."""
    types = subject.types
    if "EnvelopedVerifiablePresentation" in types:
        return "enveloped-presentation"
    if "EnvelopedVerifiableCredential" in types:
        return "enveloped-credential"
    if "VerifiablePresentation" in types:
        return "presentation"
    if "VerifiableCredential" in types:
        return "credential"
    document = subject.document
    if "credentialSubject" not in document and ("verifiableCredential" in document or "holder" in document):
        return "presentation"
    return "credential"


def is_enveloped(subject: Subject) -> bool:
    return kind(subject).startswith("enveloped")


# --- identifiers --------------------------------------------------------------------------------------------

def node_id(value: Any) -> Any:
    """The identifier a property names: the string itself, or the id of an object."""
    return value.get("id") if isinstance(value, Mapping) else value


def objects(document: Mapping[str, Any], key: str, base: str = "") -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each value of a property that holds one value or an array of values."""
    return items(document, key, base)


def issuer_objects(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        yield pointer("issuer"), issuer


# --- time ---------------------------------------------------------------------------------------------------

def instant(value: Any) -> Fraction | None:
    """Exact seconds since the epoch of a dateTimeStamp string, or None when the value is not one."""
    return predicates.instant(value, offset_required=True)


# --- data: URLs ---------------------------------------------------------------------------------------------

_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")


def data_url_media_type(value: Any) -> str | None:
    """The lower-cased media type of a data: URL ('' when it names none); None when it is no data: URL."""
    if not isinstance(value, str) or not value[:5].lower() == "data:":
        return None
    comma = value.find(",")
    if comma < 0:
        return None
    return value[5:comma].split(";", 1)[0].strip().lower()


def is_media_type(value: Any) -> bool:
    """A type/subtype media type (RFC 6838 names), optionally followed by parameters."""
    if not isinstance(value, str):
        return False
    return bool(_MEDIA_TYPE.match(value.split(";", 1)[0].strip()))


# --- digests ------------------------------------------------------------------------------------------------

# Subresource Integrity hash-expression: algorithm "-" base64 value, optional "?" options
_SRI = re.compile(r"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(\?[\x21-\x7e]*)?$")
_SRI_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
# Multibase: 'u' base64url (no padding) or 'z' base58btc
_MULTIBASE_U = re.compile(r"^u[A-Za-z0-9_-]+$")
_MULTIBASE_Z = re.compile(r"^z[1-9A-HJ-NP-Za-km-z]+$")


def is_sri_digest(value: Any) -> bool:
    """One SRI hash-expression, or several separated by spaces, with a digest of its algorithm's length."""
    if not isinstance(value, str) or not value.strip():
        return False

    for expression in value.split():
        match = _SRI.match(expression)
        if match is None:
            return False
        encoded = expression.split("-", 1)[1].split("?", 1)[0]
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return False
        if len(digest) != _SRI_LENGTHS[match[1]]:
            return False
    return True


def is_multibase(value: Any) -> bool:
    return isinstance(value, str) and bool(_MULTIBASE_U.match(value) or _MULTIBASE_Z.match(value))


# --- securing -----------------------------------------------------------------------------------------------

def has_proof(document: Mapping[str, Any]) -> bool:
    return any(isinstance(p, Mapping) for p in as_list(document.get("proof")))


def is_secured_itself(subject: Subject) -> bool:
    """Secured by an embedded proof or by the JWT that carries it."""
    return has_proof(subject.document) or subject.payload.jwt is not None


def language_value_objects(value: Any, base: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, object) for each JSON-LD value object (an object with @value) anywhere below `value`."""
    stack: list[tuple[str, Any]] = [(base, value)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, Mapping):
            if "@value" in node:
                yield at, node
                continue
            for key, child in node.items():
                # only containers can hold value objects: a million numbers cost no pointers
                if key != "@context" and isinstance(child, Mapping | list):
                    stack.append((at + pointer(key), child))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                if isinstance(child, Mapping | list):
                    stack.append((f"{at}/{index}", child))


__all__ = [
    "ENVELOPE_MEDIA_TYPES",
    "V2_CONTEXT",
    "Kind",
    "data_url_media_type",
    "embedded_json_pointers",
    "has_proof",
    "instant",
    "is_enveloped",
    "is_media_type",
    "is_multibase",
    "is_secured_itself",
    "is_sri_digest",
    "issuer_objects",
    "kind",
    "language_value_objects",
    "node_id",
    "objects",
    "shares_parent_jsonld",
    "within",
]
