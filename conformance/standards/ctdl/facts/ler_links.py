"""Links from Open Badges 3.0 and CLR 2.0 credentials to Credential Registry data, and what they resolve to.

Three patterns carry a link (research/obv3-clr.md section 13): an achievement whose `id` is a Registry resource URI;
`owl:sameAs` on an achievement or on the issuer's profile naming a Registry resource; an Alignment whose
`targetType` is a CTDL one (`ceterms:Credential`, `ceasn:Competency`, `CTDL`) with a CTID `targetCode` and/or a
Registry `targetUrl`. This module finds them and resolves each linked resource through a fetch function (the run's
known documents, then the network when the run is online). Facts only; the judging is in
conformance/standards/ctdl/ler_links/.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from conformance.standards.ctdl.facts.load import CtdlLoadError, load_document
from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode
from conformance.standards.ctdl.registry_client import (
    CTID_ANY_CASE,
    REGISTRY_BASES,
    RegistryUri,
    parse_registry_uri,
)
from conformance.support.net import FetchError
from conformance.support.resources import shapes_dir
from conformance.support.securing.verifier import NotFetched

CTDL_TARGET_TYPES = frozenset({"ceterms:Credential", "ceasn:Competency", "CTDL"})
SAME_AS_KEYS = ("sameAs", "owl:sameAs", "http://www.w3.org/2002/07/owl#sameAs")
CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "ClrCredential"})
_CTID_IN_TEXT = re.compile(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
MAX_LINKS = 256          # a document listing more links than this is judged on the first ones


class LinkKind(StrEnum):
    ACHIEVEMENT_ID = "achievement-id"     # achievement.id is a Registry URI
    SAME_AS = "same-as"                   # owl:sameAs on an achievement or the issuer profile
    ALIGNMENT = "alignment"               # an Alignment to a CTDL resource


class Role(StrEnum):
    ACHIEVEMENT = "achievement"           # the link says what the achievement is
    ISSUER = "issuer"                     # the link says who the issuer is
    ALIGNMENT = "alignment"               # the link names something the achievement aligns to


@dataclass(frozen=True, slots=True)
class RegistryLink:
    kind: LinkKind
    role: Role
    pointer: str                          # where the linking value is, e.g. /credentialSubject/achievement/id
    owner_pointer: str                    # the object that carries it (achievement, profile, alignment)
    owner: Mapping[str, Any]
    written: str                          # the value as written (URI or CTID)
    ctid: str | None                      # lower-case CTID of the linked resource, when one can be read
    uri: RegistryUri | None               # the Registry URI written, when it is one
    achievement: Mapping[str, Any] | None = None     # the achievement the link belongs to
    achievement_pointer: str = ""

    @property
    def target_type(self) -> str | None:
        value = self.owner.get("targetType") if self.kind is LinkKind.ALIGNMENT else None
        return value if isinstance(value, str) else None


class State(StrEnum):
    FOUND = "found"
    MISSING = "missing"                   # the Registry (or a known document) says nothing is published there
    UNAVAILABLE = "unavailable"           # the run could not ask (offline, unreachable): cantTell
    INVALID = "invalid"                   # something came back, but not CTDL holding the linked resource


@dataclass(frozen=True, slots=True)
class Resolution:
    state: State
    url: str
    message: str
    document: CtdlDocument | None = None
    node: CtdlNode | None = None


@dataclass(frozen=True, slots=True)
class RegistryLinks:
    """A credential's Registry links, with each linked CTID resolved at most once."""

    links: tuple[RegistryLink, ...]
    issuer: Mapping[str, Any] | None
    issuer_pointer: str
    resolutions: Mapping[str, Resolution] = field(default_factory=dict)   # ctid -> resolution

    def __bool__(self) -> bool:
        return bool(self.links)

    def resolution(self, link: RegistryLink) -> Resolution | None:
        return self.resolutions.get(link.ctid) if link.ctid else None

    @property
    def issuer_organizations(self) -> frozenset[str]:
        """CTIDs of the Registry organizations the issuer profile says it is (its id or its sameAs)."""
        return frozenset(link.ctid for link in self.links if link.role is Role.ISSUER and link.ctid)


# --- finding links ---------------------------------------------------------------------------------------------

def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _items(node: Mapping[str, Any], key: str, base: str) -> Iterator[tuple[str, Any]]:
    value = node.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{base}/{_escape(key)}/{index}", item
    elif value is not None:
        yield f"{base}/{_escape(key)}", value


def is_ler_credential(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    return any(isinstance(t, str) and t in CREDENTIAL_TYPES for t in _list(document.get("type")))


def _same_as(owner: Mapping[str, Any], at: str, role: Role, achievement: Mapping[str, Any] | None,
             achievement_at: str) -> Iterator[RegistryLink]:
    for key in SAME_AS_KEYS:
        for pointer, value in _items(owner, key, at):
            written = value.get("id") if isinstance(value, Mapping) else value
            if isinstance(value, Mapping) and isinstance(written, str):
                pointer += "/id"
            uri = parse_registry_uri(written) if isinstance(written, str) else None
            if uri is not None:
                yield RegistryLink(LinkKind.SAME_AS, role, pointer, at, owner, written, uri.ctid, uri,
                                   achievement, achievement_at)


def _alignment(node: Mapping[str, Any], at: str, achievement: Mapping[str, Any],
               achievement_at: str) -> RegistryLink | None:
    target_type = node.get("targetType")
    url = node.get("targetUrl")
    code = node.get("targetCode")
    uri = parse_registry_uri(url) if isinstance(url, str) else None
    if not (isinstance(target_type, str) and target_type in CTDL_TARGET_TYPES) and uri is None:
        return None
    if isinstance(code, str) and CTID_ANY_CASE.match(code):
        return RegistryLink(LinkKind.ALIGNMENT, Role.ALIGNMENT, f"{at}/targetCode", at, node, code, code.lower(),
                            uri, achievement, achievement_at)
    if uri is not None:
        return RegistryLink(LinkKind.ALIGNMENT, Role.ALIGNMENT, f"{at}/targetUrl", at, node, str(url), uri.ctid, uri,
                            achievement, achievement_at)
    return None


def achievements_of(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Achievement objects: credentialSubject.achievement of an OB credential, every one of a ClrSubject."""
    for at, subject in _items(document, "credentialSubject", ""):
        if isinstance(subject, Mapping):
            for at2, achievement in _items(subject, "achievement", at):
                if isinstance(achievement, Mapping):
                    yield at2, achievement


def find_links(document: Mapping[str, Any]) -> tuple[tuple[RegistryLink, ...], Mapping[str, Any] | None, str]:
    links: list[RegistryLink] = []
    for at, achievement in achievements_of(document):
        written = achievement.get("id")
        uri = parse_registry_uri(written) if isinstance(written, str) else None
        if uri is not None:
            links.append(RegistryLink(LinkKind.ACHIEVEMENT_ID, Role.ACHIEVEMENT, f"{at}/id", at, achievement,
                                      str(written), uri.ctid, uri, achievement, at))
        links.extend(_same_as(achievement, at, Role.ACHIEVEMENT, achievement, at))
        for at2, node in _items(achievement, "alignment", at):
            if isinstance(node, Mapping) and (link := _alignment(node, at2, achievement, at)) is not None:
                links.append(link)
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        written = issuer.get("id")
        uri = parse_registry_uri(written) if isinstance(written, str) else None
        if uri is not None:
            links.append(RegistryLink(LinkKind.ACHIEVEMENT_ID, Role.ISSUER, "/issuer/id", "/issuer", issuer,
                                      str(written), uri.ctid, uri))
        links.extend(_same_as(issuer, "/issuer", Role.ISSUER, None, ""))
    return tuple(links[:MAX_LINKS]), issuer if isinstance(issuer, Mapping) else None, "/issuer"


# --- resolving -------------------------------------------------------------------------------------------------

def candidate_urls(link: RegistryLink) -> tuple[str, ...]:
    """Where the linked resource is published: the Registry the link names (production when it names none), as a
    resource and as a /graph/ document."""
    assert link.ctid is not None
    base = link.uri.base if link.uri is not None else REGISTRY_BASES["production"]
    return (f"{base}/resources/{link.ctid}", f"{base}/graph/{link.ctid}")


def _node_for(document: CtdlDocument, ctid: str) -> CtdlNode | None:
    for node in document.resources:
        if isinstance(node.ctid, str) and node.ctid.lower() == ctid:
            return node
    for node in document.resources:
        if node.id and node.id.rstrip("/").rsplit("/", 1)[-1].lower() == ctid:
            return node
    return None


def resolve(ctid: str, urls: tuple[str, ...], fetch: Callable[[str], bytes]) -> Resolution:
    """The first candidate URL that gives a CTDL document holding the resource; missing only when a server says
    so, unavailable when nothing could be asked."""

    missing: Resolution | None = None
    invalid: Resolution | None = None
    unavailable: list[str] = []
    for url in urls:
        try:
            body = fetch(url)
        except NotFetched as exc:
            unavailable.append(str(exc))
            continue
        except FetchError as exc:
            if exc.status in (404, 410):
                missing = missing or Resolution(State.MISSING, url, f"{url} answers HTTP {exc.status}")
            else:
                unavailable.append(exc.message or str(exc))
            continue
        except OSError as exc:
            unavailable.append(f"{url} cannot be fetched: {exc}")
            continue
        try:
            parsed = orjson.loads(body[3:] if body.startswith(b"\xef\xbb\xbf") else body)
            document = load_document(parsed, url)
        except (orjson.JSONDecodeError, CtdlLoadError, RecursionError) as exc:
            invalid = invalid or Resolution(State.INVALID, url, f"{url} does not hold a CTDL document: {exc}")
            continue
        node = _node_for(document, ctid)
        if node is None:
            invalid = invalid or Resolution(State.INVALID, url, f"{url} holds no top-level resource with CTID {ctid}",
                                            document)
            continue
        return Resolution(State.FOUND, url, f"{url} publishes {ctid}", document, node)
    if missing is not None:
        return missing
    if invalid is not None:
        return invalid
    return Resolution(State.UNAVAILABLE, urls[0] if urls else "",
                      "; ".join(dict.fromkeys(unavailable)) or "no URL to ask")


def registry_links(document: Mapping[str, Any], fetch: Callable[[str], bytes]) -> RegistryLinks:
    links, issuer, issuer_at = find_links(document)
    resolutions: dict[str, Resolution] = {}
    for link in links:
        if link.ctid and link.ctid not in resolutions:
            resolutions[link.ctid] = resolve(link.ctid, candidate_urls(link), fetch)
    return RegistryLinks(links, issuer, issuer_at, resolutions)


# --- the OB achievement types that are CTDL classes -------------------------------------------------------------

@cache
def exact_matches(path: Path | None = None) -> Mapping[str, str]:
    """achievementType -> the CTDL class the OB 3.0 spec declares it an exact match of (shapes/ctdl/ler-links)."""

    source = path or shapes_dir() / "ctdl" / "ler-links" / "achievement-types.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["exact_match"].items()}


# --- names -----------------------------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def texts(value: Any) -> list[str]:
    """Every string of a CTDL text value: plain, a language map, or lists of either."""
    found: list[str] = []
    for item in _list(value):
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, Mapping):
            for text in item.values():
                found.extend(t for t in _list(text) if isinstance(t, str))
    return found


def normalized(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


def resource_names(node: CtdlNode) -> list[str]:
    names: list[str] = []
    for key in ("ceterms:name", "ceasn:name", "ceasn:competencyText", "ceasn:competencyLabel", "skos:prefLabel"):
        names.extend(texts(node.data.get(key)))
    return names


def references(node: CtdlNode, *keys: str) -> frozenset[str]:
    """Lower-case CTIDs of the resources a node's properties point to (URIs, or objects with @id or ctid)."""
    found: set[str] = set()
    for key in keys:
        for item in node.values(key):
            target = item.get("@id") or item.get("ceterms:ctid") if isinstance(item, Mapping) else item
            if isinstance(target, str):
                match = _CTID_IN_TEXT.search(target)
                if match:
                    found.add(match.group(0).lower())
    return frozenset(found)


def ctid_in(text: str) -> str | None:
    match = _CTID_IN_TEXT.search(text) if isinstance(text, str) else None
    return match.group(0) if match else None
