"""The minimum data policy shapes compiled to plain Python over compact CTDL nodes (the fast evaluator).

The shapes (shapes/ctdl/minimum-<year>/shapes/*.ttl, generated from the pinned policy data) are the single source:
this module reads the SHACL subset they use (a `lerc:TopLevelResource` target per class, sh:property with sh:path,
sh:minCount, sh:minLength; NodeShapes whose sh:or lists alternatives with sh:minCount / sh:maxCount) and evaluates
it on the published JSON, without building RDF. pyshacl over one rdflib graph with the same shapes is the oracle
(tests/standards/ctdl/minimum/test_oracle.py); the rules below are how a compact JSON-LD value maps to the RDF values a SHACL
engine sees:

- a string is one value; an empty string is a value of a literal property (which carries sh:minLength >= 1, so it
  fails there) and none of a reference (an empty IRI drops out when JSON-LD becomes RDF);
- a language map (a JSON object whose keys are not keywords and not prefixed names) gives one value per string;
- a value object (`@value`) is its value; `@list`/`@set` give their items; any other object is a node;
- null gives nothing; lists give their items.

Facts only: gaps and scores. Judging (requirement outcomes) is in conformance/standards/ctdl/minimum/.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.standards.ctdl.facts.model import NAMESPACES, CtdlDocument, CtdlNode
from conformance.support.resources import shapes_dir

VERSIONS: Mapping[str, str] = {"2022": "CTDLMIN22", "2026": "CTDLMIN26"}
LERC = "https://ler-conformance.org/ns/ctdl-policy#"
SH = "http://www.w3.org/ns/shacl#"
_MAX_VALUES = 10_000          # a property with more values than this is present; counting further proves nothing


@dataclass(frozen=True, slots=True)
class Alternative:
    path: str                      # prefixed name, as compact CTDL spells keys
    min_count: int = 1
    max_count: int | None = None
    min_length: int = 0


@dataclass(frozen=True, slots=True)
class Group:
    """One thing the policy asks for: a property, or at least one of several alternatives."""

    shape: str                     # the SHACL shape IRI (a property shape, or a NodeShape with sh:or)
    alternatives: tuple[Alternative, ...]

    @property
    def key(self) -> str:
        return "|".join(a.path for a in self.alternatives)

    @property
    def label(self) -> str:
        wanted = [a.path for a in self.alternatives if a.min_count]
        unless = [a.path for a in self.alternatives if a.max_count == 0]
        text = " or ".join(wanted)
        return f"{text} (when {', '.join(unless)} is present)" if unless else text


@dataclass(frozen=True, slots=True)
class ClassShape:
    cls: str                        # the shaped class, prefixed
    requirement: str
    shape: str                      # NodeShape IRI
    targets: frozenset[str]         # the class and its subclasses without a shape of their own
    required: tuple[Group, ...]
    recommended: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """A required group a top-level node lacks."""

    requirement: str
    cls: str
    group: Group
    focus: str                      # the node's @id
    pointer: str                    # the node's JSON pointer in its document
    source: str
    short: tuple[str, int, int] | None = None   # (path, shortest length found, minimum) when values are too short

    @property
    def message(self) -> str:
        if self.short is not None:
            path, found, minimum = self.short
            return (f"{path} has a value of {found} characters at {self.pointer or '/'}; the minimum data policy "
                    f"expects at least {minimum} on a top-level {self.cls}")
        return (f"{self.group.label} is absent or empty at {self.pointer or '/'}; the minimum data policy expects "
                f"it on every top-level {self.cls}")


@dataclass(frozen=True, slots=True)
class Score:
    """The share of the recommended benchmark a top-level node carries (a score, never a failure)."""

    cls: str
    present: int
    total: int
    missing: tuple[str, ...]

    @property
    def value(self) -> float:
        return 1.0 if self.total == 0 else self.present / self.total

    def record(self, subject: str, pointer: str) -> dict[str, Any]:
        """The score as results.json's `scores` entries spell it."""
        return {"subject": subject, "pointer": pointer, "class": self.cls, "score": round(self.value, 4),
                "present": self.present, "total": self.total, "missing": list(self.missing)}


# -- values -------------------------------------------------------------------------------------------------

def _is_language_map(value: Mapping[str, Any]) -> bool:
    return all(not key.startswith("@") and ":" not in key for key in value)


def _values(value: Any, out: list[Any], depth: int = 0, keep_empty: bool = False) -> None:
    """The RDF-level values a compact JSON value stands for (see the module docstring). An empty string is a
    value only where the property is a literal one (`keep_empty`: it has sh:minLength, which then fails it): an
    empty IRI drops out of the RDF."""
    if len(out) >= _MAX_VALUES or depth > 8 or value is None:
        return
    if isinstance(value, list):
        for item in value:
            _values(item, out, depth + 1, keep_empty)
            if len(out) >= _MAX_VALUES:
                return
    elif isinstance(value, str):
        if value or keep_empty:
            out.append(value)
    elif isinstance(value, Mapping):
        if "@value" in value:
            inner = value["@value"]
            if inner is not None and (inner != "" or keep_empty):
                out.append(inner if isinstance(inner, str) else _lexical(inner))
        elif "@list" in value or "@set" in value:
            _values(value.get("@list", value.get("@set")), out, depth + 1, keep_empty)
        elif value and _is_language_map(value):
            for item in value.values():
                _values(item, out, depth + 1, keep_empty)
        elif "@id" in value:
            if isinstance(value["@id"], str) and value["@id"]:
                out.append(value)
        else:
            out.append(value)     # a node object (blank node)
    elif isinstance(value, bool | int | float):
        out.append(_lexical(value))


def _lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _length(value: Any) -> int | None:
    """String length as SHACL counts it (code points); None for a node, which never meets sh:minLength."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping) and isinstance(value.get("@id"), str) and not value["@id"].startswith("_:"):
        return len(value["@id"])
    return None


def _present(value: Any, depth: int = 0) -> bool:
    """Whether a compact value stands for at least one non-empty value (what sh:minCount 1 sees for a reference,
    and what a benchmark group needs); the common cases answer without building a list."""
    kind = type(value)
    if kind is str:
        return value != ""
    if kind is list:
        return any(_present(item, depth + 1) for item in value) if depth < 8 else False
    if value is None:
        return False
    values: list[Any] = []
    _values(value, values, depth)
    return bool(values)


def _meets(alt: Alternative, data: Mapping[str, Any]) -> tuple[bool, tuple[str, int, int] | None]:
    if alt.min_count == 1 and alt.max_count is None and not alt.min_length:
        return _present(data.get(alt.path)), None
    values: list[Any] = []
    _values(data.get(alt.path), values, keep_empty=alt.min_length > 0)
    if len(values) < alt.min_count:
        return False, None
    if alt.max_count is not None and len(values) > alt.max_count:
        return False, None
    if alt.min_length:
        for value in values:
            length = _length(value)
            if length is None or length < alt.min_length:
                return False, (alt.path, length or 0, alt.min_length)
    return True, None


def types_of(node: CtdlNode) -> frozenset[str]:
    """A node's types in the prefixed spelling the shapes use."""
    return frozenset(_prefixed(t) for t in node.types)


def _prefixed(name: str) -> str:
    if "://" not in name:
        return name
    for prefix, namespace in NAMESPACES.items():
        if name.startswith(namespace):
            return f"{prefix}:{name[len(namespace):]}"
    return name


# -- the compiled policy ------------------------------------------------------------------------------------

class Policy:
    """One policy version's shapes, compiled: which shapes judge a node, and what it lacks."""

    def __init__(self, version: str, shapes: Iterable[ClassShape]):
        self.version = version
        self.prefix = VERSIONS[version]
        self.shapes: tuple[ClassShape, ...] = tuple(sorted(shapes, key=lambda s: s.requirement))
        by_type: dict[str, list[ClassShape]] = {}
        for shape in self.shapes:
            for target in shape.targets:
                by_type.setdefault(target, []).append(shape)
        self._by_type = {t: tuple(s) for t, s in by_type.items()}
        self.by_requirement: Mapping[str, ClassShape] = {s.requirement: s for s in self.shapes}

    def shapes_for(self, types: Iterable[str]) -> tuple[ClassShape, ...]:
        found: dict[str, ClassShape] = {}
        for name in types:
            for shape in self._by_type.get(_prefixed(name), ()):
                found.setdefault(shape.requirement, shape)
        return tuple(found.values())

    def judged(self, node: CtdlNode) -> bool:
        return node.top_level and bool(self.shapes_for(node.types))

    def gaps(self, node: CtdlNode, shape: ClassShape | None = None) -> list[Gap]:
        """What a top-level node lacks under one shape (or every shape its types select); [] for other nodes."""
        if not node.top_level:
            return []
        shapes = (shape,) if shape is not None else self.shapes_for(node.types)
        out: list[Gap] = []
        for current in shapes:
            for group in current.required:
                short = None
                for alt in group.alternatives:
                    ok, why = _meets(alt, node.data)
                    if ok:
                        break
                    short = short or why
                else:
                    out.append(Gap(current.requirement, current.cls, group, node.id or "", node.pointer,
                                   node.source, short if len(group.alternatives) == 1 else None))
        return out

    def score(self, node: CtdlNode) -> Score | None:
        """The recommended benchmark share of a top-level node, under its first selected shape; None when none."""
        if not node.top_level:
            return None
        shapes = self.shapes_for(node.types)
        if not shapes:
            return None
        shape = shapes[0]
        data = node.data
        missing = [group.key for group in shape.recommended
                   if not any(_present(data.get(alt.path)) for alt in group.alternatives)]
        total = len(shape.recommended)
        return Score(shape.cls, total - len(missing), total, tuple(missing))

    def evaluate(self, document: CtdlDocument) -> Iterator[Gap]:
        for node in document.resources:
            yield from self.gaps(node)


# -- compiling the Turtle -----------------------------------------------------------------------------------

def shapes_folder(version: str) -> Path:
    return shapes_dir() / "ctdl" / f"minimum-{version}" / "shapes"


def _compile(version: str) -> Policy:
    # lazy: rdflib, only when a policy is compiled from its SHACL shapes (the compiled tables are cached)
    from rdflib import RDF, Graph, Namespace, URIRef
    from rdflib.collection import Collection

    sh = Namespace(SH)
    lerc = Namespace(LERC)
    prefixes = {str(ns): p for p, ns in NAMESPACES.items()}

    def name(term: Any) -> str:
        text = str(term)
        for namespace, prefix in sorted(prefixes.items(), key=lambda kv: -len(kv[0])):
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace):]}"
        return text

    def integer(graph: Graph, node: Any, prop: Any) -> int | None:
        value = graph.value(node, prop)
        return None if value is None else int(value)

    def alternative(graph: Graph, node: Any) -> Alternative:
        return Alternative(path=name(graph.value(node, sh.path)),
                           min_count=integer(graph, node, sh.minCount) or 0,
                           max_count=integer(graph, node, sh.maxCount),
                           min_length=integer(graph, node, sh.minLength) or 0)

    def groups(graph: Graph, shape: URIRef) -> tuple[Group, ...]:
        found: list[Group] = []
        for prop in sorted(graph.objects(shape, sh.property), key=str):
            found.append(Group(str(prop), (alternative(graph, prop),)))
        for part in sorted(graph.subjects(lerc.groupOf, shape), key=str):
            members = Collection(graph, graph.value(part, sh["or"]))
            found.append(Group(str(part), tuple(alternative(graph, m) for m in members)))
        return tuple(found)

    folder = shapes_folder(version)
    required, benchmark = Graph(), Graph()
    required.parse(folder / "required.ttl", format="turtle")
    benchmark.parse(folder / "benchmark.ttl", format="turtle")
    bench_by_class = {graph_cls: shape for shape in benchmark.subjects(lerc.policyClass, None)
                      if (graph_cls := benchmark.value(shape, lerc.policyClass)) is not None}
    compiled = []
    for shape in required.subjects(RDF.type, sh.NodeShape):
        cls = required.value(shape, lerc.policyClass)
        if cls is None:
            continue                                  # a "one of" group: read with its class shape
        targets = frozenset(name(required.value(t, lerc["class"])) for t in required.objects(shape, sh.target))
        bench = bench_by_class.get(cls)
        compiled.append(ClassShape(
            cls=name(cls), requirement=str(required.value(shape, lerc.requirement)), shape=str(shape),
            targets=targets, required=groups(required, shape),
            recommended=groups(benchmark, bench) if bench is not None else ()))
    return Policy(version, compiled)


@cache
def load_policy(version: str) -> Policy:
    """The compiled policy of a version ("2022" or "2026"); compiled once per process."""
    if version not in VERSIONS:
        raise ValueError(f"unknown minimum data policy version {version!r}; expected one of {sorted(VERSIONS)}")
    return _compile(version)


def version_of(requirement: str) -> str | None:
    prefix = requirement.split("-", 1)[0]
    return next((v for v, p in VERSIONS.items() if p == prefix), None)


# -- the oracle: pyshacl over one rdflib graph --------------------------------------------------------------

def shacl_findings(documents: Iterable[Mapping[str, Any]], version: str, loader: Any) -> set[tuple[str, str]]:
    """(focus node IRI, shape IRI) of every violation pyshacl reports for the same shapes over one rdflib graph.

    Each document goes JSON-LD -> N-Quads through pyld with `loader` (the suite's pinned contexts, so the JSON-LD
    interpretation is the suite's one path, not rdflib's parser), into one graph; a /graph/ document's own @id is
    dropped so its nodes land in the default graph. pyshacl and its SHACL-AF targets need the optional `shacl`
    extra (pyshacl); this is the baseline and the oracle, never the suite's own path.
    """
    graph = rdf_graph(documents, loader)
    return shacl_validate(graph, version)


def rdf_graph(documents: Iterable[Mapping[str, Any]], loader: Any) -> Any:
    # lazy: rdflib, only for the SHACL oracle (tests and the benchmark), never for a run's checks
    from pyld import jsonld
    from rdflib import Graph

    graph = Graph()
    for document in documents:
        body = document.get("decoded_resource", document)
        body = {k: v for k, v in body.items() if k != "@id"} if "@graph" in body else body
        nquads = jsonld.to_rdf(body, {"documentLoader": loader, "format": "application/n-quads", "base": None})
        graph.parse(data=nquads, format="nt")      # one parse per document: blank node labels stay apart
    return graph


def shacl_validate(graph: Any, version: str) -> set[tuple[str, str]]:
    # lazy: pyshacl (a test and benchmark dependency), only for the SHACL oracle
    from pyshacl import validate
    from rdflib import RDF, Graph, Namespace

    sh = Namespace(SH)
    shapes = Graph()
    shapes.parse(shapes_folder(version) / "required.ttl", format="turtle")
    _conforms, report, _text = validate(graph, shacl_graph=shapes, advanced=True, inference="none",
                                        allow_warnings=True)
    found: set[tuple[str, str]] = set()
    for result in report.subjects(RDF.type, sh.ValidationResult):
        found.add((str(report.value(result, sh.focusNode)), str(report.value(result, sh.sourceShape))))
    return found


def fast_findings(documents: Iterable[CtdlDocument], version: str) -> set[tuple[str, str]]:
    """The fast evaluator's gaps in the oracle's terms: (focus node IRI, shape IRI)."""
    policy = load_policy(version)
    return {(gap.focus, gap.group.shape) for document in documents for gap in policy.evaluate(document)}
