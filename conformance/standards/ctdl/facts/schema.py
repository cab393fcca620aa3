"""The CTDL and CTDL-ASN vocabulary as pinned: classes, properties, concept schemes and the context's term kinds.

Built once per artifact store from the two schema encodings and the two contexts (all read through the store, so
nothing unpinned is ever trusted). Names are the prefixed spellings the encodings and published documents use
(`ceterms:Certificate`, `ceasn:isPartOf`, `credentialStat:Active`); `compact()` brings full IRIs to that form.

Facts only: which terms exist, their domains, ranges, schemes, status. Whether a publication uses them well is
judged in conformance/standards/ctdl/.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from conformance.standards.ctdl.facts.model import other_scheme

if TYPE_CHECKING:
    from conformance.support.artifacts.store import ArtifactStore

CTDL_ENCODING = "https://credreg.net/ctdl/schema/encoding/json"
CTDLASN_ENCODING = "https://credreg.net/ctdlasn/schema/encoding/json"
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
ENCODINGS = (CTDL_ENCODING, CTDLASN_ENCODING)
CONTEXTS = (CTDL_CONTEXT, CTDLASN_CONTEXT)

# Terms that published data still carries but Credential Engine has replaced. The encodings keep no machine-readable
# record of this (sourceData is still "stable", the others are simply gone), so the table is ours, taken from the
# change proposals and the pathway guidance (research/ctdl-registry.md section 5): Schema-Development #564 moved
# credit amounts from creditUnitValue / creditHourValue / creditHourType to creditValue (a ValueProfile), #666 made
# ceterms:identifier the property for IdentifierValue objects, which Credential Engine's own Assistant output classes
# had written as ceterms:identifierValue (Registry_Assistant src/RA.Models/JsonV2). The Registry holds data with all
# of them, so they are reported as out of date (CTDL-term-current), never as terms CTDL does not know.
SUPERSEDED: Mapping[str, str] = {
    "ceterms:sourceData": "ceterms:proxyFor",
    "ceterms:isDestinationComponentFor": "ceterms:isDestinationComponentOf",
    "ceterms:creditUnitValue": "ceterms:creditValue",
    "ceterms:creditHourValue": "ceterms:creditValue",
    "ceterms:creditHourType": "ceterms:creditValue",
    "ceterms:identifierValue": "ceterms:identifier",
}
# Classes of older CTDL that the Registry's 2022 policy data still names (registry-policy-data-2022-03.json) but the
# current encodings replaced: competencies moved to CTDL-ASN, and selection components gave way to conditions.
SUPERSEDED_CLASSES: Mapping[str, str] = {
    "ceterms:Competency": "ceasn:Competency",
    "ceterms:CompetencyFramework": "ceasn:CompetencyFramework",
    "ceterms:SelectionComponent": "ceterms:ComponentCondition",
}
# Properties that are current in general but legacy on one family of classes: (property, class) -> replacement.
# A use on any subclass of the class counts.
SUPERSEDED_ON: Mapping[tuple[str, str], str] = {
    ("ceasn:isPartOf", "ceterms:PathwayComponent"): "ceterms:isPartOf",
    ("ceterms:prerequisite", "ceterms:PathwayComponent"): "ceterms:hasCondition",
}
# Component classes that pathways use as components although the encoding does not declare them subclasses of
# ceterms:PathwayComponent; the superseded-on-a-family lookups treat them as components too.
COMPONENT_LIKE = frozenset({"ceterms:CollectionComponent", "ceterms:MultiComponent"})

# Ranges the encoding names interchangeably for one kind of value (a concept, given directly or wrapped in a
# CredentialAlignmentObject): published data uses the wrapper where the encoding says skos:Concept and vice versa.
ALIGNMENT_RANGES = frozenset({"ceterms:CredentialAlignmentObject", "skos:Concept"})


class CtdlSchemaUnavailable(RuntimeError):
    """A pinned encoding or context is not available in the artifact store (or is not the JSON it should be)."""


@dataclass(frozen=True, slots=True)
class TermDefinition:
    """How the CTDL context reads a term's values: `@type` (`@id`, `xsd:date`, ...) and `@container`."""

    type: str | None = None
    container: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.type == "@id"

    @property
    def is_language_map(self) -> bool:
        return self.container == "@language"


@dataclass(frozen=True, slots=True)
class ClassInfo:
    id: str
    parents: frozenset[str]            # declared rdfs:subClassOf (direct)
    term_status: str | None            # "stable" | "unstable" (vs:term_status without its prefix)
    label: str = ""


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    id: str
    domain: frozenset[str]             # schema:domainIncludes as declared
    range: frozenset[str]              # schema:rangeIncludes as declared (classes and datatypes)
    target_schemes: frozenset[str]     # meta:targetScheme: the concept schemes values come from
    term_status: str | None
    superseded_by: str | None          # the replacing term when the property is superseded everywhere
    inverse_of: frozenset[str]
    definition: TermDefinition         # the context's reading of its values
    label: str = ""


@dataclass(frozen=True, slots=True)
class ConceptScheme:
    id: str
    concepts: frozenset[str]
    top_concepts: frozenset[str]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ids(value: Any) -> frozenset[str]:
    return frozenset(v for v in _as_list(value) if isinstance(v, str))


def _status(node: Mapping[str, Any]) -> str | None:
    value = node.get("vs:term_status")
    if not isinstance(value, str):
        return None
    return value.split(":", 1)[1] if value.startswith("vs:") else value


def _label(node: Mapping[str, Any]) -> str:
    label = node.get("rdfs:label") or node.get("skos:prefLabel")
    if isinstance(label, Mapping):
        for text in label.values():
            if isinstance(text, str):
                return text
    return label if isinstance(label, str) else ""


class CtdlSchema:
    """Lookups over the pinned vocabulary; immutable after construction and safe to share between threads."""

    def __init__(self, encodings: Iterable[Mapping[str, Any]], contexts: Iterable[Mapping[str, Any]]):
        prefixes: dict[str, str] = {}
        terms: dict[str, TermDefinition] = {}
        for context in contexts:
            body = context.get("@context", context)
            if not isinstance(body, Mapping):
                raise CtdlSchemaUnavailable("a CTDL context has no @context object")
            for key, value in body.items():
                if isinstance(value, str):
                    prefixes.setdefault(key, value)
                elif isinstance(value, Mapping) and key not in terms:
                    kind, container = value.get("@type"), value.get("@container")
                    terms[key] = TermDefinition(kind if isinstance(kind, str) else None,
                                                container if isinstance(container, str) else None)
        self.prefixes: Mapping[str, str] = prefixes
        self.terms: Mapping[str, TermDefinition] = terms
        # longest namespace first so `ceterms:` never wins over a longer namespace sharing its start
        self._namespaces: tuple[tuple[str, str], ...] = tuple(sorted(
            {(ns, prefix) for prefix, ns in prefixes.items()}
            | {(other_scheme(ns), prefix) for prefix, ns in prefixes.items()},
            key=lambda pair: -len(pair[0])))

        classes: dict[str, ClassInfo] = {}
        properties: dict[str, PropertyInfo] = {}
        schemes: dict[str, tuple[set[str], set[str]]] = {}
        concept_scheme: dict[str, set[str]] = {}
        for encoding in encodings:
            graph = encoding.get("@graph")
            if not isinstance(graph, list):
                raise CtdlSchemaUnavailable("a CTDL schema encoding has no @graph array")
            for node in graph:
                if not isinstance(node, Mapping) or not isinstance(node.get("@id"), str):
                    continue
                term, kind = node["@id"], node.get("@type")
                if kind == "rdfs:Class":
                    classes[term] = ClassInfo(term, _ids(node.get("rdfs:subClassOf")), _status(node), _label(node))
                elif kind == "rdf:Property":
                    properties[term] = PropertyInfo(
                        id=term, domain=_ids(node.get("schema:domainIncludes")),
                        range=_ids(node.get("schema:rangeIncludes")),
                        target_schemes=_ids(node.get("meta:targetScheme")), term_status=_status(node),
                        superseded_by=SUPERSEDED.get(term), inverse_of=_ids(node.get("owl:inverseOf")),
                        definition=terms.get(term, TermDefinition()), label=_label(node))
                elif kind == "skos:ConceptScheme":
                    members, tops = schemes.setdefault(term, (set(), set()))
                    members.update(_ids(node.get("meta:hasConcept")))
                    tops.update(_ids(node.get("skos:hasTopConcept")))
                elif kind == "skos:Concept":
                    for scheme in _ids(node.get("skos:inScheme")) | _ids(node.get("skos:topConceptOf")):
                        concept_scheme.setdefault(term, set()).add(scheme)
                        schemes.setdefault(scheme, (set(), set()))[0].add(term)
        self._classes = classes
        self._properties = properties
        self._schemes = {scheme: ConceptScheme(scheme, frozenset(members), frozenset(tops))
                         for scheme, (members, tops) in schemes.items()}
        self._concept_schemes = {concept: frozenset(s) for concept, s in concept_scheme.items()}
        for scheme in self._schemes.values():
            for concept in scheme.concepts:
                self._concept_schemes.setdefault(concept, frozenset({scheme.id}))
        self._ancestors = self._closure(classes)
        descendants: dict[str, set[str]] = {name: set() for name in self._ancestors}
        for name, ancestors in self._ancestors.items():
            for ancestor in ancestors:
                descendants.setdefault(ancestor, set()).add(name)
        self._descendants = {name: frozenset(found) for name, found in descendants.items()}

    @staticmethod
    def _closure(classes: Mapping[str, ClassInfo]) -> dict[str, frozenset[str]]:
        """Every class with all its ancestors and itself; a cycle in the encoding cannot loop this."""
        done: dict[str, frozenset[str]] = {}
        for start in classes:
            seen = {start}
            stack = [start]
            while stack:
                info = classes.get(stack.pop())
                for parent in info.parents if info else ():
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            done[start] = frozenset(seen)
        return done

    # -- loading --------------------------------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, encodings: Iterable[bytes], contexts: Iterable[bytes]) -> CtdlSchema:
        try:
            return cls([orjson.loads(data) for data in encodings], [orjson.loads(data) for data in contexts])
        except orjson.JSONDecodeError as exc:
            raise CtdlSchemaUnavailable(f"a pinned CTDL file is not JSON: {exc}") from None

    @classmethod
    def from_store(cls, store: ArtifactStore) -> CtdlSchema:
        def read(url: str) -> bytes:
            data = store.get(url)
            if data is None:
                pinned = "pinned but not available" if store.is_pinned(url) else "not pinned"
                raise CtdlSchemaUnavailable(f"{url} is {pinned}; run `ler-conformance artifacts fetch` or pass "
                                            f"--artifacts")
            return data

        return cls.from_bytes([read(url) for url in ENCODINGS], [read(url) for url in CONTEXTS])

    # -- names ----------------------------------------------------------------------------------------------

    def compact(self, iri: str) -> str:
        """A full IRI in the prefixed spelling (http and https namespace spellings alike); other strings as given."""
        if "://" not in iri:
            return iri
        for namespace, prefix in self._namespaces:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def expand(self, name: str) -> str:
        """A prefixed name as a full IRI under the contexts' prefixes; anything else as given."""
        prefix, sep, local = name.partition(":")
        if sep and not local.startswith("//") and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return name

    def term(self, name: str) -> TermDefinition | None:
        return self.terms.get(name)

    # -- classes --------------------------------------------------------------------------------------------

    def has_class(self, name: str) -> bool:
        return self.compact(name) in self._classes

    def class_info(self, name: str) -> ClassInfo | None:
        return self._classes.get(self.compact(name))

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self._classes)

    def is_subclass(self, name: str, of: str) -> bool:
        """Reflexive and transitive; an undeclared class is a subclass of itself only."""
        name, of = self.compact(name), self.compact(of)
        return name == of or of in self._ancestors.get(name, ())

    def superclasses(self, name: str) -> frozenset[str]:
        name = self.compact(name)
        return self._ancestors.get(name, frozenset({name}))

    def subclasses(self, name: str) -> frozenset[str]:
        """The class and every declared class below it (reflexive, transitive)."""
        name = self.compact(name)
        return self._descendants.get(name, frozenset()) | {name}

    def is_component(self, name: str) -> bool:
        return self.is_subclass(name, "ceterms:PathwayComponent") or self.compact(name) in COMPONENT_LIKE

    # -- properties -----------------------------------------------------------------------------------------

    def has_property(self, name: str) -> bool:
        return self.compact(name) in self._properties

    def property_info(self, name: str) -> PropertyInfo | None:
        return self._properties.get(self.compact(name))

    @property
    def properties(self) -> frozenset[str]:
        return frozenset(self._properties)

    def in_domain(self, prop: str, types: Iterable[str]) -> bool:
        """True when any of the types is the property's declared domain class or below one (no domain = any)."""
        info = self.property_info(prop)
        if info is None or not info.domain:
            return info is not None
        return any(self.superclasses(t) & info.domain for t in types)

    def in_range(self, prop: str, types: Iterable[str]) -> bool:
        """True when any of the types fits one of the property's range classes (alignment ranges interchange)."""
        info = self.property_info(prop)
        if info is None:
            return False
        allowed = info.range | (ALIGNMENT_RANGES if info.range & ALIGNMENT_RANGES else frozenset())
        return not allowed or any(self.superclasses(t) & allowed for t in types)

    def superseded(self, prop: str, types: Iterable[str] = ()) -> str | None:
        """The term to use instead of `prop` on a node of these types, or None when `prop` is current there."""
        prop = self.compact(prop)
        if prop in SUPERSEDED:
            return SUPERSEDED[prop]
        for (legacy, family), replacement in SUPERSEDED_ON.items():
            if legacy != prop:
                continue
            for t in types:
                if self.is_subclass(t, family) or (family == "ceterms:PathwayComponent" and self.is_component(t)):
                    return replacement
        return None

    def superseded_class(self, name: str) -> str | None:
        """The class to use instead of `name`, or None when `name` is current (or unknown)."""
        return SUPERSEDED_CLASSES.get(self.compact(name))

    # -- concept schemes ------------------------------------------------------------------------------------

    def has_scheme(self, scheme: str) -> bool:
        return self.compact(scheme) in self._schemes

    @property
    def schemes(self) -> frozenset[str]:
        return frozenset(self._schemes)

    def concepts(self, scheme: str) -> frozenset[str]:
        """The scheme's concepts (prefixed); empty for a scheme the encodings do not enumerate (NAICS, SOC, CIP)."""
        found = self._schemes.get(self.compact(scheme))
        return found.concepts if found else frozenset()

    def scheme_of(self, concept: str) -> frozenset[str]:
        return self._concept_schemes.get(self.compact(concept), frozenset())

    def is_concept(self, concept: str) -> bool:
        return self.compact(concept) in self._concept_schemes


_CACHE: weakref.WeakKeyDictionary[ArtifactStore, CtdlSchema] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def schema_for(store: ArtifactStore) -> CtdlSchema:
    """The store's schema, built on first use and shared by every later caller (raises CtdlSchemaUnavailable)."""
    with _LOCK:
        found = _CACHE.get(store)
        if found is None:
            found = CtdlSchema.from_store(store)
            _CACHE[store] = found
        return found
