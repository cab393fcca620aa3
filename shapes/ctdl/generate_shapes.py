"""Generate the minimum data policy shapes and catalogs under shapes/ctdl/minimum-<year>/ from the pinned policy data.

    .venv/bin/python shapes/ctdl/generate_shapes.py          # rewrite the generated files
    .venv/bin/python shapes/ctdl/generate_shapes.py --check  # exit 1 when a committed file is out of date

Inputs: the Registry policy-browser data of 2022-03 (raw) and the CTDL and CTDL-ASN schema encodings (class
hierarchy), read through the artifact store so the bytes are the pinned ones; and our own derived summary,
shapes/ctdl/minimum-data-policy.json beside this script (its cleaned 2022 profile and the 2026 Registry Assistant
"Required" fields; its "sources" say where each part comes from). Outputs per policy version:
`shapes/required.ttl` (one sh:NodeShape per publishable class, plus one NodeShape per "one of" group, all
Violation), `shapes/benchmark.ttl` (the recommended benchmark, severity Info) and `requirements.toml` (one
requirement per shaped class). tests/standards/ctdl/minimum/test_generated.py runs --check's comparison.

Design decisions recorded here because the data does not make them:
- Targets are top-level resources only. Blank nodes describe things outside the Registry and are exempt, which
  sh:targetClass cannot say, so every shape uses a SHACL-AF SPARQL target type (`lerc:TopLevelResource`: instances
  of a class that are IRIs). pyshacl runs it with advanced=True; conformance/standards/ctdl/facts/policy.py reads the same target
  parameters.
- A node is judged by the shape of its most specific shaped class: each shape targets its class plus every
  subclass that has no shape of its own (in this policy version). A node typed with several shaped classes meets
  each of their shapes.
- An empty string carries no data: every literal-valued required property has sh:minLength 1 (15 for 2026
  descriptions, the Registry Assistant's rule). IRI values with an empty string drop out in JSON-LD to RDF, so they
  count as absent both ways.
- 2026 classes the Assistant models do not cover keep their 2022 sets (PathwaySet, cost and condition manifests,
  occupations, jobs, work roles, tasks, concepts); recommended sets come from 2022 for every class (2022 is the only
  machine-readable benchmark), less what 2026 made required, plus what 2026 moved to the benchmark.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from conformance.support.artifacts.store import ArtifactStore, load_pins
from conformance.standards.ctdl.facts.schema import CtdlSchema

POLICY_RAW = "https://raw.githubusercontent.com/philbarker/CredRegSHACL/5bce428a6941b4bc3ec44aacd9f2f2512a2e80a2/inputData/policyBrowserData.json"
# our own compilation, not anyone's published file: it lives beside this script, its provenance inside it
POLICY_SUMMARY = Path(__file__).resolve().parent / "minimum-data-policy.json"
LERC = "https://ler-conformance.org/ns/ctdl-policy#"

PREFIXES: Mapping[str, str] = {
    "sh": "http://www.w3.org/ns/shacl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "lerc": LERC,
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "asn": "http://purl.org/ASN/schema/core/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "qdata": "https://credreg.net/qdata/terms/",
}

# Embedded support classes of the 2022 data: never top-level, so never a minimum-data requirement of their own.
SUPPORT_CLASSES = frozenset({"ceterms:ConditionProfile", "ceterms:CostProfile", "schema:QuantitativeValue",
                             "ceterms:CredentialAlignmentObject", "ceterms:FinancialAssistanceProfile",
                             "qdata:DataSetProfile"})
# In the 2022 data but no longer in the CTDL encoding (replaced by ComponentCondition): a shape for it could only
# ever meet documents the vocabulary checks already reject.
OBSOLETE_CLASSES = frozenset({"ceterms:SelectionComponent"})
# Credential classes the Registry refuses to publish as such (a more specific type is required).
ABSTRACT_CREDENTIALS = frozenset({"ceterms:Credential", "ceterms:Degree"})

DESCRIPTIONS = frozenset({"ceterms:description", "ceasn:description"})
AVAILABILITY = ("ceterms:availableAt", "ceterms:availableOnlineAt", "ceterms:availabilityListing")
OWNER = ("ceterms:ownedBy", "ceterms:offeredBy")


@dataclass(frozen=True)
class Alternative:
    path: str
    min_count: int = 1
    max_count: int | None = None


@dataclass(frozen=True)
class Group:
    """One thing the policy asks for: a single property, or at least one of several ("ownedBy or offeredBy")."""

    alternatives: tuple[Alternative, ...]
    note: str = ""

    @property
    def single(self) -> bool:
        return len(self.alternatives) == 1

    @property
    def key(self) -> str:
        return "|".join(a.path for a in self.alternatives)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(a.path for a in self.alternatives)


@dataclass
class ClassPolicy:
    cls: str
    required: list[Group]
    recommended: list[Group]
    source: str
    notes: list[str] = field(default_factory=list)


def _store() -> ArtifactStore:
    return ArtifactStore.from_environment(load_pins(REPO / "shapes" / "pins.toml"))


def _pinned_json(store: ArtifactStore, url: str) -> Any:
    data = store.get(url)
    if data is None:
        raise SystemExit(f"{url} is not available from the artifact store; set LER_CONFORMANCE_ARTIFACTS")
    return json.loads(data)


def _groups(items: Iterable[Any]) -> list[Group]:
    groups: list[Group] = []
    for item in items:
        if isinstance(item, str):
            groups.append(Group((Alternative(item),)))
        elif isinstance(item, Mapping) and "anyOf" in item:
            groups.append(Group(tuple(Alternative(p) for p in item["anyOf"])))
        # {"pending": ...}: not current policy in the 2022 data, so not part of the benchmark either
    unique: dict[str, Group] = {}
    for group in groups:
        unique.setdefault(group.key, group)
    return list(unique.values())


def _check_against_raw(raw: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    """Every property the cleaned 2022 summary requires is marked Required for that class in the raw data."""
    required: dict[str, set[str]] = {}
    for entry in raw["Policy"]["Classes"]:
        for prop_set in entry.get("PropertySets", ()):
            if prop_set.get("ImportanceLevel") == "constraintType:RequiresProperty":
                required.setdefault(entry["URI"], set()).update(prop_set.get("PropertyURIs", ()))
    for cls, data in summary.items():
        for group in _groups(data["required"]):
            missing = set(group.paths) - required.get(cls, set())
            if missing:
                raise SystemExit(f"the summary requires {sorted(missing)} on {cls}; the raw 2022 data does not")


def _nearest(schema: CtdlSchema, cls: str, available: Iterable[str]) -> str | None:
    """The closest class at or above `cls` that `available` has (breadth first up the hierarchy)."""
    have = set(available)
    frontier, seen = [cls], {cls}
    while frontier:
        for candidate in frontier:
            if candidate in have:
                return candidate
        parents: list[str] = []
        for candidate in frontier:
            info = schema.class_info(candidate)
            for parent in sorted(info.parents if info else ()):
                if parent not in seen:
                    seen.add(parent)
                    parents.append(parent)
        frontier = parents
    return None


def policy_2022(summary: Mapping[str, Any]) -> dict[str, ClassPolicy]:
    out: dict[str, ClassPolicy] = {}
    for cls, data in summary.items():
        if cls in SUPPORT_CLASSES or cls in OBSOLETE_CLASSES:
            continue
        out[cls] = ClassPolicy(cls, _groups(data["required"]), _groups(data.get("recommended", ())),
                               "registry-2022-03")
    return out


def _clean(prop: str) -> str:
    return prop.split(" ", 1)[0]


def publishable_2026(schema: CtdlSchema) -> list[str]:
    credentials = sorted(schema.subclasses("ceterms:Credential") - ABSTRACT_CREDENTIALS)
    components = sorted(schema.subclasses("ceterms:PathwayComponent") - {"ceterms:PathwayComponent"})
    others = ["ceterms:Organization", "ceterms:CredentialOrganization", "ceterms:QACredentialOrganization",
              "ceterms:LearningOpportunityProfile", "ceterms:LearningProgram", "ceterms:Course",
              "ceterms:AssessmentProfile", "ceterms:Pathway", "ceterms:PathwaySet", "ceterms:ComponentCondition",
              "ceasn:CompetencyFramework", "ceasn:Competency", "ceterms:TransferValueProfile",
              "skos:ConceptScheme", "skos:Concept", "ceterms:Collection", "ceterms:CostManifest",
              "ceterms:ConditionManifest", "ceterms:Occupation", "ceterms:Job", "ceterms:WorkRole", "ceterms:Task"]
    return credentials + others + components


def policy_2026(schema: CtdlSchema, assistant: Mapping[str, Any],
                older: Mapping[str, ClassPolicy]) -> dict[str, ClassPolicy]:
    """The 2026 Registry Assistant "Required" fields per class (the summary's keys are prose: mapped here)."""
    def required(key: str) -> list[str]:
        return [item if isinstance(item, str) else item for item in assistant[key]["required"]]

    credential_key = next(k for k in assistant if k.startswith("Credential "))
    organization_key = next(k for k in assistant if k.startswith("ceterms:CredentialOrganization"))
    learning_key = next(k for k in assistant if k.startswith("ceterms:LearningOpportunityProfile"))
    component_key = "PathwayComponent subclasses"
    table: dict[str, tuple[str, list[Any]]] = {}
    for cls in publishable_2026(schema):
        if schema.is_subclass(cls, "ceterms:Credential"):
            table[cls] = (credential_key, required(credential_key))
        elif schema.is_subclass(cls, "ceterms:Organization"):
            table[cls] = (organization_key, required(organization_key))
        elif schema.is_subclass(cls, "ceterms:LearningOpportunityProfile"):
            table[cls] = (learning_key, required(learning_key))
        elif schema.is_subclass(cls, "ceterms:PathwayComponent"):
            table[cls] = (component_key, required(component_key))
        elif cls in assistant:
            table[cls] = (cls, required(cls))
    out: dict[str, ClassPolicy] = {}
    for cls in publishable_2026(schema):
        base = older.get(cls) or (older.get(n) if (n := _nearest(schema, cls, older)) else None)
        recommended = list(base.recommended) if base else []
        if cls not in table:
            if base is None:
                continue
            out[cls] = ClassPolicy(cls, list(base.required), recommended, "registry-2022-03",
                                   [f"the 2026 Assistant models do not cover {cls}: its 2022 set applies"])
            continue
        key, items = table[cls]
        groups: list[Group] = []
        notes: list[str] = []
        for item in items:
            if isinstance(item, Mapping):
                groups.extend(_groups([item]))
                continue
            prop = _clean(item)
            if prop == "ceterms:subjectWebpage" and cls == "ceterms:Course" and "Course" in item:
                notes.append("a Course needs no subjectWebpage since 2024-03-18")
                continue
            groups.append(Group((Alternative(prop),)))
        if cls == "ceterms:CredentialComponent":
            groups.append(Group((Alternative("ceterms:credentialType"),)))
        if cls == "ceterms:Pathway":
            groups.append(Group((Alternative("ceterms:hasDestinationComponent"),
                                 Alternative("ceterms:hasPart", min_count=0, max_count=0)),
                                note="a pathway with components names its destination component"))
        if cls == "ceasn:Competency":
            groups.append(Group((Alternative("ceasn:isPartOf"), Alternative("ceasn:creator")),
                                note="a competency outside any framework names its creator"))
        moved = [Group(tuple(Alternative(p) for p in AVAILABILITY))] if key == learning_key else []
        own = _groups(assistant[key].get("recommended", ())) if key == cls else []
        taken = {p for g in groups for p in g.paths}
        recommended = [g for g in (*recommended, *own, *moved) if not taken & set(g.paths)]
        unique: dict[str, Group] = {}
        for group in recommended:
            unique.setdefault(group.key, group)
        out[cls] = ClassPolicy(cls, _dedupe(groups), list(unique.values()), "assistant-2026-03", notes)
    return out


def _dedupe(groups: Sequence[Group]) -> list[Group]:
    unique: dict[str, Group] = {}
    for group in groups:
        unique.setdefault(group.key, group)
    return list(unique.values())


# -- targets ------------------------------------------------------------------------------------------------

def targets(schema: CtdlSchema, shaped: Iterable[str]) -> dict[str, list[str]]:
    """Each shaped class with the subclasses it judges: those whose nearest shaped ancestor it is."""
    shaped = set(shaped)
    out: dict[str, list[str]] = {cls: [] for cls in shaped}
    for cls in sorted(schema.classes):
        owner = _nearest(schema, cls, shaped)
        if owner is not None:
            out[owner].append(cls)
    for cls in shaped:
        if cls not in out[cls]:
            out[cls].insert(0, cls)
    return {cls: sorted(set(found), key=lambda c: (c != cls, c)) for cls, found in out.items()}


# -- names --------------------------------------------------------------------------------------------------

def slug(cls: str) -> str:
    local = cls.split(":", 1)[1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", local)
    return words.lower()


def requirement_id(prefix: str, cls: str) -> str:
    return f"{prefix}-{slug(cls)}"


def _local(cls: str) -> str:
    return cls.split(":", 1)[1]


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# -- Turtle -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    year: str
    prefix: str
    source_label: str
    namespace: str
    min_description: int


def _header(version: Version, what: str) -> list[str]:
    lines = ["# GENERATED by shapes/ctdl/generate_shapes.py from the pinned policy data: do not edit by hand.",
             f"# {what} ({version.source_label}).", ""]
    for prefix, ns in PREFIXES.items():
        lines.append(f"@prefix {prefix}: <{ns}> .")
    lines.append(f"@prefix mdp: <{version.namespace}> .")
    lines.append("")
    return lines


TARGET_TYPE = """lerc:TopLevelResource a sh:SPARQLTargetType ;
    rdfs:subClassOf sh:Target ;
    rdfs:comment "The instances of lerc:class that are IRIs: top-level Registry resources. Blank nodes describe things outside the Registry and are exempt from minimum data." ;
    sh:parameter [ sh:path lerc:class ; sh:nodeKind sh:IRI ] ;
    sh:select \"\"\"SELECT ?this WHERE { ?this a $class . FILTER(isIRI(?this)) }\"\"\" .
"""


def _length_floor(version: Version, literal_props: frozenset[str], path: str, required: bool) -> int:
    if not required or path not in literal_props:
        return 0
    return version.min_description if path in DESCRIPTIONS else 1


def _alternative(alt: Alternative, floor: int) -> str:
    parts = [f"sh:path {alt.path}"]
    if alt.min_count:
        parts.append(f"sh:minCount {alt.min_count}")
    if alt.max_count is not None:
        parts.append(f"sh:maxCount {alt.max_count}")
    if floor and alt.min_count:
        parts.append(f"sh:minLength {floor}")
    return "[ " + " ; ".join(parts) + " ]"


def shapes_turtle(version: Version, policies: Mapping[str, ClassPolicy], targeted: Mapping[str, list[str]],
                  literal_props: frozenset[str], benchmark: bool) -> str:
    severity = "sh:Info" if benchmark else "sh:Violation"
    what = "Recommended benchmark shapes, severity Info: a score, never a failure" if benchmark else \
        "Minimum data policy shapes: one NodeShape per publishable class, one per 'one of' group"
    lines = _header(version, what)
    lines.append(TARGET_TYPE)
    for cls in sorted(policies):
        policy = policies[cls]
        groups = policy.recommended if benchmark else policy.required
        name = _local(cls) + ("-benchmark" if benchmark else "")
        rid = requirement_id(version.prefix, cls)
        target = " , ".join(f"[ a lerc:TopLevelResource ; lerc:class {t} ]" for t in targeted[cls])
        singles = [g for g in groups if g.single]
        choices = [g for g in groups if not g.single]
        lines.append(f"mdp:{name} a sh:NodeShape ;")
        lines.append(f"    rdfs:label {_literal(('Benchmark' if benchmark else 'Minimum data') + ' for ' + cls)} ;")
        lines.append(f"    lerc:requirement {_literal(rid)} ;")
        lines.append(f"    lerc:policyClass {cls} ;")
        lines.append(f"    lerc:policySource {_literal(policy.source)} ;")
        for note in policy.notes:
            lines.append(f"    rdfs:comment {_literal(note)} ;")
        lines.append(f"    sh:severity {severity} ;")
        props = " , ".join(f"mdp:{name}-{_local(g.paths[0]).replace('.', '_')}" for g in singles)
        lines.append(f"    sh:target {target}" + (" ;" if props else " ."))
        if props:
            lines.append(f"    sh:property {props} .")
        lines.append("")
        for group in singles:
            alt = group.alternatives[0]
            floor = _length_floor(version, literal_props, alt.path, not benchmark)
            extra = f" ; sh:minLength {floor}" if floor else ""
            lines.append(f"mdp:{name}-{_local(alt.path).replace('.', '_')} a sh:PropertyShape ; "
                         f"sh:path {alt.path} ; sh:minCount 1{extra} ; sh:severity {severity} .")
        for index, group in enumerate(choices, start=1):
            members = " ".join(_alternative(a, _length_floor(version, literal_props, a.path, not benchmark))
                               for a in group.alternatives)
            lines.append(f"mdp:{name}-oneOf{index} a sh:NodeShape ;")
            lines.append(f"    lerc:groupOf mdp:{name} ;")
            lines.append(f"    lerc:requirement {_literal(rid)} ;")
            if group.note:
                lines.append(f"    rdfs:comment {_literal(group.note)} ;")
            lines.append(f"    sh:severity {severity} ;")
            lines.append(f"    sh:target {target} ;")
            lines.append(f"    sh:or ( {members} ) .")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- catalogs -----------------------------------------------------------------------------------------------

def _describe(group: Group) -> str:
    if group.single:
        return group.paths[0]
    present = [a.path for a in group.alternatives if a.min_count]
    absent = [a.path for a in group.alternatives if a.max_count == 0]
    if absent:
        return f"{' or '.join(present)} (when it has {', '.join(absent)})"
    return " or ".join(present)


def _brief(group: Group) -> str:
    def short(path: str) -> str:
        return path.removeprefix("ceterms:")
    present = [short(a.path) for a in group.alternatives if a.min_count]
    absent = [short(a.path) for a in group.alternatives if a.max_count == 0]
    if absent:
        return f"{' or '.join(present)} when it has {', '.join(absent)}"
    return " or ".join(present)


def _family(schema: CtdlSchema, cls: str) -> str:
    if schema.is_subclass(cls, "ceterms:Credential"):
        return "credential"
    if schema.is_subclass(cls, "ceterms:Organization"):
        return "organization"
    if schema.is_subclass(cls, "ceterms:PathwayComponent") or cls in ("ceterms:Pathway", "ceterms:PathwaySet",
                                                                        "ceterms:ComponentCondition"):
        return "pathway"
    if cls.startswith("ceasn:") or cls.startswith("skos:"):
        return "framework"
    if schema.is_subclass(cls, "ceterms:LearningOpportunityProfile") or cls == "ceterms:AssessmentProfile":
        return "learning"
    return "other"


def catalog_toml(version: Version, schema: CtdlSchema, policies: Mapping[str, ClassPolicy],
                 targeted: Mapping[str, list[str]], title: str, policy_note: str) -> str:
    lines = [f"# {version.prefix}: {title}. GENERATED by shapes/ctdl/generate_shapes.py: do not edit by hand.",
             "# One requirement per publishable class; its check runs the class's shape from shapes/required.ttl on",
             "# the top-level resources of that class (and of its subclasses without a shape of their own).",
             "# Embedded blank nodes are exempt. The recommended benchmark (shapes/benchmark.ttl) is a score per",
             "# resource, never a failure. Summaries are our own words.",
             "[standard]",
             f"prefix = {_literal(version.prefix)}",
             f"name = {_literal('CTDL minimum data policy')}",
             f"version = {_literal(version.year)}",
             'spec = "ctdl-policy"',
             'package = "ctdl/minimum"  # its rules: conformance/standards/ctdl/minimum/',
             'applies_to = ["registry"]',
             'principles = ["open-standards", "alignment"]',
             ""]
    for cls in sorted(policies, key=lambda c: requirement_id(version.prefix, c)):
        policy = policies[cls]
        parts = [_brief(g) for g in policy.required]
        summary = f"Every top-level {cls} carries {', '.join(parts)}."
        while len(summary) > 240:
            parts = parts[:-1]
            summary = f"Every top-level {cls} carries {', '.join(parts)} and more (see notes)."
        covered = [t for t in targeted[cls] if t != cls]
        notes = [policy_note, f"Source: {policy.source}.",
                 "Required: " + "; ".join(_describe(g) for g in policy.required) + "."]
        if version.min_description > 1 and any(set(g.paths) & DESCRIPTIONS for g in policy.required):
            notes.append(f"Descriptions have at least {version.min_description} characters in every language.")
        notes.extend(n[0].upper() + n[1:] + "." for n in policy.notes)
        notes.extend(g.note[0].upper() + g.note[1:] + "." for g in policy.required if g.note)
        if covered:
            notes.append("Also judges " + ", ".join(covered) + " (no shape of their own).")
        family = _family(schema, cls)
        principles = ["open-standards", "alignment"] if family in ("credential", "framework") else ["open-standards"]
        lines += ["[[requirement]]",
                  f"id = {_literal(requirement_id(version.prefix, cls))}",
                  f"summary = {_literal(summary)}",
                  'level = "must"',
                  'anchor = ""',
                  f"principles = {json.dumps(principles)}",
                  'applies_to = ["registry"]',
                  'status = "automated"',
                  f'tags = ["ctdl", "minimum-data", "{family}"]',
                  f"notes = {_literal(' '.join(notes))}",
                  ""]
    return "\n".join(lines).rstrip() + "\n"


VERSIONS = (
    Version("2022", "CTDLMIN22", "Registry policy-browser data, 2022-03", "https://ler-conformance.org/shapes/ctdl/minimum-2022#", 1),
    Version("2026", "CTDLMIN26", "Registry Assistant input models, 2026-03, with the 2022 data where they are silent",
            "https://ler-conformance.org/shapes/ctdl/minimum-2026#", 15),
)


def build() -> dict[Path, str]:
    store = _store()
    schema = CtdlSchema.from_store(store)
    raw = _pinned_json(store, POLICY_RAW)
    summary = json.loads(POLICY_SUMMARY.read_text(encoding="utf-8"))
    _check_against_raw(raw, summary["profiles"]["registry-2022-03"])
    literal_props = frozenset(name for name, term in schema.terms.items()
                              if not term.is_reference and ":" in name)
    p22 = policy_2022(summary["profiles"]["registry-2022-03"])
    p26 = policy_2026(schema, summary["profiles"]["assistant-2026-03"], p22)
    notes = {
        "2022": "The Registry's minimum data policy as its policy browser published it in March 2022.",
        "2026": "The Registry Assistant's required fields as of March 2026, which is what publishing enforces now.",
    }
    out: dict[Path, str] = {}
    for version, policies in zip(VERSIONS, (p22, p26), strict=True):
        folder = REPO / "shapes" / "ctdl" / f"minimum-{version.year}"
        targeted = targets(schema, policies)
        out[folder / "shapes" / "required.ttl"] = shapes_turtle(version, policies, targeted, literal_props, False)
        out[folder / "shapes" / "benchmark.ttl"] = shapes_turtle(version, policies, targeted, literal_props, True)
        out[folder / "requirements.toml"] = catalog_toml(
            version, schema, policies, targeted, f"CTDL minimum data policy, {version.year}", notes[version.year])
    out.update(vector_files(schema, p22, p26))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in build().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(REPO)))
    return 1 if stale and args.check else 0



# -- vectors ------------------------------------------------------------------------------------------------
# Positive bases hold one top-level resource of every shaped class, filled with the union of what both policy
# versions require (so one base passes both); each negative vector removes one required property from the one
# resource whose type is exactly the shaped class, and fails that class's requirement alone.

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
REGISTRY = "https://credentialengineregistry.org/resources/"
GRAPH = "https://credentialengineregistry.org/graph/"


def _ctid(seed: str) -> str:
    import hashlib
    import uuid

    digest = bytearray(hashlib.sha256(f"ler-conformance minimum vectors {seed}".encode()).digest()[:16])
    return "ce-" + str(uuid.UUID(bytes=bytes(digest), version=4))


def _cao(schema: CtdlSchema, prop: str) -> dict[str, Any]:
    info = schema.property_info(prop)
    scheme = sorted(info.target_schemes)[0] if info and info.target_schemes else ""
    concepts = sorted(schema.concepts(scheme)) if scheme else []
    concept = next((c for c in concepts if c.endswith(":Active")), concepts[0] if concepts else "")
    return {"@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": f"https://credreg.net/ctdl/terms/{scheme.split(':', 1)[-1]}",
            "ceterms:frameworkName": {"en-US": scheme.split(":", 1)[-1]},
            "ceterms:targetNode": concept,
            "ceterms:targetNodeName": {"en-US": concept.split(":", 1)[-1]}}


@dataclass
class Family:
    name: str
    classes: list[str]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)


def _families(schema: CtdlSchema, classes: Iterable[str]) -> list[Family]:
    families = {"publications": Family("publications", []), "pathway": Family("pathway", []),
                "framework": Family("framework", []), "concepts": Family("concepts", [])}
    for cls in classes:
        if schema.is_component(cls) or cls in ("ceterms:Pathway", "ceterms:PathwaySet", "ceterms:ComponentCondition"):
            families["pathway"].classes.append(cls)
        elif cls.startswith("ceasn:"):
            families["framework"].classes.append(cls)
        elif cls.startswith("skos:"):
            families["concepts"].classes.append(cls)
        else:
            families["publications"].classes.append(cls)
    order = {"publications": ["ceterms:CredentialOrganization"], "pathway": ["ceterms:Pathway"],
             "framework": ["ceasn:CompetencyFramework"], "concepts": ["skos:ConceptScheme"]}
    for family in families.values():
        first = order[family.name]
        family.classes = first + sorted(c for c in family.classes if c not in first)
    return list(families.values())


def _uri(cls: str) -> str:
    return REGISTRY + _ctid(cls)


def _value(schema: CtdlSchema, cls: str, prop: str, family: Family) -> Any:
    org = _uri("ceterms:CredentialOrganization")
    label = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", cls.split(":", 1)[1])
    literal = {"ceterms:name": {"en-US": f"Sample {label}"}, "ceasn:name": {"en-US": f"Sample {label}"},
               "skos:prefLabel": {"en-US": f"Sample {label}"},
               "ceterms:description": {"en-US": f"A sample {label.lower()} that carries the minimum data."},
               "ceasn:description": {"en-US": f"A sample {label.lower()} that carries the minimum data."},
               "ceasn:competencyText": {"en-US": "Explains how the parts of a sample system fit together."},
               "ceterms:inLanguage": ["en"], "ceasn:inLanguage": ["en"], "ceterms:endDate": "2030-12-31",
               "ceterms:subjectWebpage": f"https://example.org/{slug(cls)}",
               "ceterms:costDetails": "https://example.org/costs",
               "ceterms:availableOnlineAt": ["https://example.org/online"],
               "ceterms:ctid": _ctid(cls)}
    if prop in literal:
        return literal[prop]
    if prop in ("ceterms:credentialStatusType", "ceterms:lifeCycleStatusType", "ceterms:agentSectorType"):
        return _cao(schema, prop)
    if prop == "ceterms:agentType":
        return [_cao(schema, prop)]
    if prop in ("ceterms:ownedBy", "ceterms:offeredBy", "ceasn:publisher", "ceasn:creator",
                "ceterms:conditionManifestOf", "ceterms:costManifestOf"):
        return [org]
    if prop in ("ceterms:address", "ceterms:availableAt"):
        return [{"@type": "ceterms:Place", "ceterms:addressLocality": {"en-US": "Springfield"},
                 "ceterms:addressCountry": {"en-US": "US"}}]
    if prop == "ceterms:isPartOf":
        return _uri("ceterms:Pathway")
    if prop == "ceasn:isPartOf":
        return [_uri("ceasn:CompetencyFramework")]
    if prop == "ceterms:credentialType":
        return "ceterms:Certificate"
    if prop == "ceterms:transferValue":
        return [{"@type": "ceterms:ValueProfile", "schema:value": 3}]
    if prop == "ceasn:publicationStatusType":
        return "publicationStatus:Published"
    if prop == "skos:hasTopConcept":
        return [_uri("skos:Concept")]
    if prop == "skos:inScheme":
        return _uri("skos:ConceptScheme")
    if prop == "ceterms:hasPathway":
        return [_uri("ceterms:Pathway")]
    if prop == "ceterms:hasDestinationComponent":
        return [_uri("ceterms:CredentialComponent")]
    raise SystemExit(f"no sample value for {prop} on {cls}: add one to _value")


_PREFERRED = frozenset({"ceterms:address", "ceterms:availableOnlineAt", "ceterms:ownedBy", "ceasn:isPartOf"})


def _node(schema: CtdlSchema, cls: str, family: Family, policies: Sequence[Mapping[str, ClassPolicy]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _uri(cls), "@type": cls}
    for policy in policies:
        shaped = policy.get(cls) or policy.get(_nearest(schema, cls, policy) or "")
        for group in shaped.required if shaped else ():
            wanted = [a for a in group.alternatives if a.min_count]
            if any(a.path in node for a in wanted):
                continue
            choice = next((a for a in wanted if a.path in _PREFERRED), wanted[0])
            node[choice.path] = _value(schema, cls, choice.path, family)
    if schema.in_domain("ceterms:ctid", [cls]):
        node["ceterms:ctid"] = _ctid(cls)
    else:
        node["@id"] = f"https://example.org/{slug(cls)}/1"    # not a Registry resource of its own: no CTID
    return node


def _wire_pathway(nodes: dict[str, dict[str, Any]], schema: CtdlSchema) -> None:
    """A pathway whose components all hang below its destination (the pathway checks judge that too)."""
    pathway, destination = nodes["ceterms:Pathway"], nodes["ceterms:CredentialComponent"]
    components = [c for c in nodes if schema.is_component(c)]
    pathway["ceterms:hasPart"] = [nodes[c]["@id"] for c in components]
    destination["ceterms:isDestinationComponentOf"] = [pathway["@id"]]
    others = [c for c in components if c != "ceterms:CredentialComponent"]
    destination["ceasn:hasChild"] = [nodes[c]["@id"] for c in others]
    for c in others:
        nodes[c]["ceasn:isChildOf"] = [destination["@id"]]
    if "ceterms:ComponentCondition" in nodes:
        condition = nodes["ceterms:ComponentCondition"]
        condition["ceterms:requiredNumber"] = 1
        condition["ceterms:targetComponent"] = [nodes[others[0]]["@id"]]
        destination["ceterms:hasCondition"] = [condition["@id"]]


def _bases(schema: CtdlSchema, classes: Sequence[str], p22: Mapping[str, ClassPolicy],
           p26: Mapping[str, ClassPolicy]) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, int]]]:
    bases: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[str, int]] = {}
    for family in _families(schema, classes):
        nodes = {cls: _node(schema, cls, family, (p22, p26)) for cls in family.classes}
        if family.name == "pathway":
            _wire_pathway(nodes, schema)
        graph = list(nodes.values())
        for index, cls in enumerate(nodes):
            where[cls] = (family.name, index)
        primary = graph[0]["ceterms:ctid"]
        bases[family.name] = {"@context": CTDL_CONTEXT, "@id": GRAPH + primary, "@graph": graph}
    return bases, where


def vector_files(schema: CtdlSchema, p22: Mapping[str, ClassPolicy], p26: Mapping[str, ClassPolicy]) -> dict[Path, str]:
    common = sorted(set(p26) | set(p22))
    # ceterms:Degree is shaped in 2022 only (the 2026 Registry refuses the generic type): in the 2022 bases alone
    per_version = {"2022": common, "2026": [c for c in common if c in p26]}
    out: dict[Path, str] = {}
    for version, policies in zip(VERSIONS, (p22, p26), strict=True):
        folder = REPO / "vectors" / "ctdl" / f"minimum-{version.year}"
        profile = f"ctdl-minimum-{version.year}"
        bases, where = _bases(schema, per_version[version.year], p22, p26)
        for name, document in bases.items():
            out[folder / "bases" / f"{name}.json"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        lines = [f"# GENERATED by shapes/ctdl/generate_shapes.py: do not edit by hand. Minimum data policy {version.year}",
                 "# vectors: each base publishes one top-level resource of every shaped class (the union of what both",
                 "# policy versions require); each negative removes one required property from one resource.",
                 "[manifest]", f'standard = "{version.prefix}"',
                 f'description = "CTDL minimum data policy {version.year}: one shape per publishable class"', ""]
        for name, document in bases.items():
            # a base that names a resource it does not publish (the organization lives in the publications base)
            # leaves CTDLREF-resolves undecided offline: the vector says so rather than claiming a pass
            expect = '{ cant_tell = ["CTDLREF-resolves"] }' if _names_outside(document) else "{ conforms = true }"
            lines += ["[[vector]]", f'id = "{slug_id(version, "valid-" + name)}"',
                      f'description = "Every resource of the {name} base carries its minimum data"',
                      f'base = "bases/{name}.json"', f'profile = "{profile}"', f"expect = {expect}", ""]
        for cls in sorted(policies):
            if cls not in where:
                continue
            family, index = where[cls]
            singles = [g for g in policies[cls].required if g.single and g.paths[0] != "ceterms:ctid"]
            group = next((g for g in singles if g.paths[0] in _TEXT), singles[0] if singles else policies[cls].required[0])
            prop = group.paths[0]
            rid = requirement_id(version.prefix, cls)
            lines += ["[[vector]]", f'id = "{slug_id(version, "missing-" + slug(cls))}"',
                      f'description = {_literal(_short(f"{cls} without {prop}"))}',
                      f'base = "bases/{family}.json"',
                      f'mutations = [{{ op = "remove", path = "/@graph/{index}/{prop}" }}]',
                      f'profile = "{profile}"',
                      # a missing property fails its resource's node: pinned, so a finding elsewhere is caught
                      f'expect = {{ fail = ["{rid}"], at = {{ "{rid}" = ["/@graph/{index}"] }} }}', ""]
        lines += _tricky(version, where)
        out[folder / "manifest.toml"] = "\n".join(lines).rstrip() + "\n"
    return out


def _names_outside(document: Mapping[str, Any]) -> bool:
    """True when the base refers to a Registry resource that is not one of its own graph items."""
    own = {node.get("@id") for node in document.get("@graph", ()) if isinstance(node, Mapping)}

    def named(value: Any) -> Iterator[str]:
        if isinstance(value, str) and value.startswith(REGISTRY):
            yield value
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                if key != "@id":
                    yield from named(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from named(inner)

    return any(uri not in own for uri in named(document.get("@graph", [])))


def _tricky(version: Version, where: Mapping[str, tuple[str, int]]) -> list[str]:
    """Cases the per-class negatives do not show: what counts as present, and who is exempt."""
    family, cert = where["ceterms:Certificate"]
    at = f"/@graph/{cert}"
    rid = requirement_id(version.prefix, "ceterms:Certificate")
    org = _uri("ceterms:CredentialOrganization")
    failing = f'{{ fail = ["{rid}"], at = {{ "{rid}" = ["{at}"] }} }}'
    cases: list[tuple[str, str, str, str]] = [
        ("blank-node-exempt", "An embedded blank-node Certificate needs no minimum data",
         f'{{ op = "add", path = "{at}/ceterms:hasPart", value = [{{ "@type" = "ceterms:Certificate" }}] }}',
         "{ conforms = true }"),
        ("empty-name", "A name whose only language value is empty counts as absent",
         f'{{ op = "replace", path = "{at}/ceterms:name", value = {{ "en-US" = "" }} }}', failing),
        ("empty-list", "An empty list of owners counts as absent",
         f'{{ op = "replace", path = "{at}/ceterms:ownedBy", value = [] }}', failing),
    ]
    if version.year == "2026":
        cases += [
            ("short-description", "A 2026 description under 15 characters fails",
             f'{{ op = "replace", path = "{at}/ceterms:description", value = {{ "en-US" = "Too short." }} }}',
             failing),
            ("offered-only", "A credential offered but not owned fails the 2026 policy",
             f'{{ op = "remove", path = "{at}/ceterms:ownedBy" }}, {{ op = "add", path = "{at}/ceterms:offeredBy", value = ["{org}"] }}',
             failing),
        ]
    else:
        cases += [
            ("offered-only", "A credential offered but not owned meets the 2022 policy",
             f'{{ op = "remove", path = "{at}/ceterms:ownedBy" }}, {{ op = "add", path = "{at}/ceterms:offeredBy", value = ["{org}"] }}',
             "{ conforms = true }"),
            ("short-description", "A short description is enough under the 2022 policy",
             f'{{ op = "replace", path = "{at}/ceterms:description", value = {{ "en-US" = "Too short." }} }}',
             "{ conforms = true }"),
        ]
    lines: list[str] = []
    for name, description, mutation, expect in cases:
        lines += ["[[vector]]", f'id = "{slug_id(version, name)}"', f"description = {_literal(description)}",
                  f'base = "bases/{family}.json"', f"mutations = [{mutation}]",
                  f'profile = "ctdl-minimum-{version.year}"', f"expect = {expect}", ""]
    return lines


_TEXT = ("ceterms:name", "ceasn:name", "skos:prefLabel", "ceasn:competencyText", "ceterms:description")


def slug_id(version: Version, name: str) -> str:
    return f"ctdlmin{version.year[2:]}-{name}"


def _short(text: str) -> str:
    return text if len(text) <= 69 else text[:68] + "…"


if __name__ == "__main__":
    raise SystemExit(main())
