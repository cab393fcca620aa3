"""Pure helpers for CLR 2.0 checks: context URLs, the ClrSubject's parts, nested credentials. They never make findings."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.predicates import as_list, items, pointer
from conformance.standards.class_rules import load_class_rules
from conformance.support.formats.jws import credential_from_jws, decode_compact_jws

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(?:-(?P<version>2\.\d+\.\d+))?\.json$")
OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(?:-(?P<version>3\.\d+\.\d+))?\.json$")
CURRENT_CLR = (2, 0, 1)
CURRENT_OB = (3, 0, 3)

CLASS_RULES = load_class_rules("clr/2.0")
ASSOCIATION_TYPES = CLASS_RULES.vocabulary("AssociationType")
NESTED_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})
ENVELOPED = "EnvelopedVerifiableCredential"

IDENTIFIER_TYPES = CLASS_RULES.vocabulary("IdentifierTypeEnum")
_EXTENSION = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")
IDENTITY_OBJECT_KEYS = frozenset({"type", "hashed", "identityHash", "identityType", "salt"})
_IDENTITY_HASH = re.compile(r"^(?:md5\$[0-9A-Fa-f]{32}|sha256\$[0-9A-Fa-f]{64})$")
# Not predicates.is_language_tag on purpose: this is the key pattern the 1EdTech CLR 2.0 JSON schemas give a
# language map (narrower than BCP 47), so a value is read as a language map exactly when their schemas would.
_LANGUAGE_KEY = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


def context_version(value: Any, pattern: re.Pattern[str], unversioned: tuple[int, int, int]) -> tuple[int, ...] | None:
    """The version a context URL names (context.json counts as `unversioned`), or None when it is not such a URL."""
    if not isinstance(value, str):
        return None
    match = pattern.match(value)
    if match is None:
        return None
    version = match["version"]
    return tuple(int(part) for part in version.split(".")) if version else unversioned


def is_identifier_type(value: Any) -> bool:
    return isinstance(value, str) and (value in IDENTIFIER_TYPES or bool(_EXTENSION.match(value)))


def is_identity_hash(value: Any) -> bool:
    return isinstance(value, str) and bool(_IDENTITY_HASH.match(value))


def is_language_map(value: Any) -> bool:
    """An object keyed by language tags with non-empty string values, as the 1EdTech JSON-LD schemas admit."""
    return (isinstance(value, Mapping) and bool(value)
            and all(isinstance(k, str) and _LANGUAGE_KEY.match(k) and isinstance(v, str) and v
                    for k, v in value.items()))


def clr_subject(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    value = document.get("credentialSubject")
    return value if isinstance(value, Mapping) else None


SUBJECT = "/credentialSubject"
# Why a rule about the ClrSubject's own achievements or associations does not apply (class rules and checks alike)
NO_ACHIEVEMENT = "the ClrSubject lists no achievement of its own"
NO_ASSOCIATION = "the ClrSubject has no association"


def subject_entries(document: Mapping[str, Any], key: str) -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each value of ClrSubject.<key>, which may hold one value or an array."""
    subject = clr_subject(document)
    if subject is not None:
        yield from items(subject, key, SUBJECT)


def jws_document(text: str) -> Mapping[str, Any] | None:
    """The credential a compact JWS string carries, or None when it does not decode (CORE judges that)."""

    if text.startswith("data:"):
        return None
    try:
        return credential_from_jws(decode_compact_jws(text)).document
    except Exception:  # noqa: BLE001 - an undecodable string is reported by the CORE rules on the embedded subject
        return None


def nested_document(item: Any) -> Mapping[str, Any] | None:
    """A nested credential as a JSON object: the object itself, or what a compact JWS string carries."""
    if isinstance(item, Mapping):
        return item
    if isinstance(item, str):
        return jws_document(item)
    return None


def types_of(node: Any) -> set[str]:
    if not isinstance(node, Mapping):
        return set()
    return {t for t in as_list(node.get("type")) if isinstance(t, str)}


def achievement_ids(document: Mapping[str, Any]) -> set[str]:
    """Ids of every achievement the CLR holds: ClrSubject.achievement and each nested credential's achievement."""
    ids: set[str] = set()
    for _, entry in subject_entries(document, "achievement"):
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            ids.add(entry["id"])
    for _, item in subject_entries(document, "verifiableCredential"):
        nested = nested_document(item)
        if nested is None:
            continue
        for subject in as_list(nested.get("credentialSubject")):
            if not isinstance(subject, Mapping):
                continue
            for achievement in as_list(subject.get("achievement")):
                if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
                    ids.add(achievement["id"])
    return ids


def endorsement_holders(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, object) for each part of a CLR that may carry endorsements: the CLR, its issuer, its achievements."""
    yield "", document
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        yield pointer("issuer"), issuer
    for at, entry in subject_entries(document, "achievement"):
        if isinstance(entry, Mapping):
            yield at, entry
