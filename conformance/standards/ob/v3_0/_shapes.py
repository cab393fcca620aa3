"""Where the Open Badges 3.0 classes sit in a credential, and the vocabularies the checks compare against.

Walkers yield (pointer, value) pairs for every place a class is used, whatever the shape of the value (a check
decides what a wrong shape means). They never descend into embedded endorsements: the runner checks those as
subjects of their own.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from conformance.core.predicates import Node, instant, items, per_subject, type_list
from conformance.core.subject import Subject
from conformance.standards.class_rules import load_class_rules
from conformance.standards.ob.v3_0 import endorsements
from conformance.standards.vcdm import vc_version

ACHIEVEMENT_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})

OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
CURRENT_OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
EXTENSION_TYPES = frozenset({"1EdTechJsonSchemaValidator2019", "1EdTechRevocationList", "1EdTechCredentialRefresh"})

ACHIEVEMENT_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                      "ob_v3p0_achievementcredential_schema.json")
ENDORSEMENT_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                      "ob_v3p0_endorsementcredential_schema.json")
OB_SCHEMA_URL = re.compile(
    r"^https://purl\.imsglobal\.org/spec/ob/v3p0/schema/json(-ld)?/ob_v3p0_[a-z_]+_schema\.json$")

CLASS_RULES = load_class_rules("ob/3.0")
ACHIEVEMENT_TYPES = CLASS_RULES.vocabulary("AchievementType")
IDENTIFIER_TYPES = CLASS_RULES.vocabulary("IdentifierTypeEnum")
ALIGNMENT_TARGET_TYPES = CLASS_RULES.vocabulary("AlignmentTargetType")
CTDL_TARGET_TYPES = frozenset({"ceasn:Competency", "ceterms:Credential", "CTDL"})
RESULT_TYPES = CLASS_RULES.vocabulary("ResultType")
RESULT_STATUSES = CLASS_RULES.vocabulary("ResultStatusType")

_EXTENSION_TERM = re.compile(r"^ext:[A-Za-z0-9._\-]+$")
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
IDENTITY_HASH = re.compile(r"^(sha256\$[0-9A-Fa-f]{64}|md5\$[0-9A-Fa-f]{32})$")

_ENDORSEMENT_POSITION = re.compile(r"/endorsement(Jwt)?(/\d+)?$")


def in_vocabulary(value: Any, terms: frozenset[str]) -> bool:
    """A value of an extensible enumeration: one of its terms, or an ext: extension term."""
    return isinstance(value, str) and (value in terms or bool(_EXTENSION_TERM.match(value)))


Kind = Literal["achievement", "endorsement"]


def kind(subject: Subject) -> Kind:
    """Which OB credential class a document is. An entry of an endorsement property is an endorsement whatever its
    type says; a document claimed only through its OB context is judged as an achievement credential."""
    if "EndorsementCredential" in subject.types:
        return "endorsement"
    if subject.parent is not None and _ENDORSEMENT_POSITION.search(subject.pointer):
        return "endorsement"
    return "achievement"


def is_vc2(subject: Subject) -> bool:
    return vc_version(subject) == "2.0"


def _objects(node: Any, key: str, base: str) -> Iterator[Node]:
    if isinstance(node, Mapping):
        yield from items(node, key, base)


@per_subject
def subjects_of(subject: Subject) -> Iterator[Node]:
    """credentialSubject values (OB has one; an array is walked item by item)."""
    yield from items(subject.document, "credentialSubject")


@per_subject
def achievement_subjects(subject: Subject) -> Iterator[Node]:
    if kind(subject) != "achievement":
        return
    yield from subjects_of(subject)


@per_subject
def achievements(subject: Subject) -> Iterator[Node]:
    for at, node in achievement_subjects(subject):
        for at2, achievement in _objects(node, "achievement", at):
            if isinstance(achievement, Mapping):
                yield at2, achievement


@per_subject
def result_descriptions(subject: Subject) -> Iterator[Node]:
    for at, achievement in achievements(subject):
        yield from items(achievement, "resultDescription", at)


@per_subject
def rubric_levels(subject: Subject) -> Iterator[Node]:
    for at, description in result_descriptions(subject):
        yield from _objects(description, "rubricCriterionLevel", at)


@per_subject
def results(subject: Subject) -> Iterator[Node]:
    for at, node in achievement_subjects(subject):
        yield from _objects(node, "result", at)


@per_subject
def alignments(subject: Subject) -> Iterator[Node]:
    owners = [*achievements(subject), *results(subject), *result_descriptions(subject), *rubric_levels(subject)]
    for at, owner in owners:
        yield from _objects(owner, "alignment", at)


@per_subject
def identity_objects(subject: Subject) -> Iterator[Node]:
    for at, node in achievement_subjects(subject):
        yield from _objects(node, "identifier", at)


@per_subject
def related(subject: Subject) -> Iterator[Node]:
    for at, achievement in achievements(subject):
        yield from items(achievement, "related", at)


@per_subject
def evidence(subject: Subject) -> Iterator[Node]:
    yield from items(subject.document, "evidence")


MAX_PARENT_ORGS = 8


@per_subject
def profiles(subject: Subject) -> Iterator[Node]:
    """Profile objects: the issuer, the achievement's creator, the subject's source, and their parentOrg chains."""
    starts: list[Node] = []
    issuer = subject.document.get("issuer")
    if isinstance(issuer, Mapping):
        starts.append(("/issuer", issuer))
    for at, achievement in achievements(subject):
        if isinstance(achievement.get("creator"), Mapping):
            starts.append((at + "/creator", achievement["creator"]))
    for at, node in achievement_subjects(subject):
        if isinstance(node, Mapping) and isinstance(node.get("source"), Mapping):
            starts.append((at + "/source", node["source"]))
    for at, profile in starts:
        for _ in range(MAX_PARENT_ORGS):
            yield at, profile
            parent = profile.get("parentOrg")
            if not isinstance(parent, Mapping):
                break
            at, profile = at + "/parentOrg", parent


@per_subject
def other_identifiers(subject: Subject) -> Iterator[Node]:
    for at, owner in [*achievements(subject), *profiles(subject)]:
        yield from items(owner, "otherIdentifier", at)


@per_subject
def images(subject: Subject) -> Iterator[Node]:
    owners: list[Node] = [("", subject.document), *profiles(subject), *achievements(subject),
                          *achievement_subjects(subject)]
    for at, owner in owners:
        if isinstance(owner, Mapping) and "image" in owner:
            yield at + "/image", owner["image"]


def type_includes(node: Any, name: str) -> bool:
    return name in type_list(node)


def type_is(node: Any, name: str) -> bool:
    """For classes whose type is a single IRI (IdentityObject, IdentifierEntry, Image): the string, or a one-item
    array holding it."""
    if not isinstance(node, Mapping):
        return False
    value = node.get("type")
    return value == name or value == [name]


def endorsement_pointers(subject: Subject) -> list[str]:
    """Pointers of the endorsements the runner checks as subjects of their own."""

    try:
        return [item.pointer for item in endorsements(subject)]
    except Exception:  # noqa: BLE001 - the embedder reads untrusted JSON; without pointers nothing is filtered
        return []


def inside(at: str, prefixes: list[str]) -> bool:
    return any(at == p or at.startswith(p + "/") for p in prefixes)


def epoch(value: Any) -> int | None:
    """Whole seconds since the epoch for an XML Schema date-time (a missing offset is read as UTC), or None."""
    seconds = instant(value)
    return None if seconds is None else math.floor(seconds)


def numeric_date(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)

