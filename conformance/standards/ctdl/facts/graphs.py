"""Pathways and competency frameworks as graphs: who points at whom, what is reachable, where the cycles are.

Facts only, computed from one CtdlDocument. A reference is matched to a node by its @id, or, for Registry URIs and
bare CTIDs, by the CTID (so `/resources/ce-…`, `/graph/ce-…` and `ce-…` all name the same node, whatever the host:
which host is right is judged elsewhere). Whether a structure is acceptable is judged in
conformance/standards/ctdl/pathways/.

Everything here is iterative and bounded by the size of the document: hostile graphs (deep chains, dense cycles)
cost time linear in their edges, never recursion depth.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode

PATHWAY = "ceterms:Pathway"
PATHWAY_COMPONENT = "ceterms:PathwayComponent"
CONDITION = "ceterms:ComponentCondition"
FRAMEWORK = "ceasn:CompetencyFramework"
COMPETENCY = "ceasn:Competency"

HAS_DESTINATION = "ceterms:hasDestinationComponent"
IS_DESTINATION_OF = "ceterms:isDestinationComponentOf"
HAS_CHILD = "ceasn:hasChild"
IS_CHILD_OF = "ceasn:isChildOf"
HAS_PART = "ceterms:hasPart"
IS_PART_OF = "ceterms:isPartOf"
LEGACY_IS_PART_OF = "ceasn:isPartOf"       # still on many published components; its legacy use is judged elsewhere
HAS_CONDITION = "ceterms:hasCondition"
TARGET_COMPONENT = "ceterms:targetComponent"
REQUIRED_NUMBER = "ceterms:requiredNumber"
PRECEDES = "ceterms:precedes"
PRECEDED_BY = "ceterms:precededBy"
PROXY_FOR = "ceterms:proxyFor"
LEGACY_PROXY_FOR = "ceterms:sourceData"     # what proxyFor replaced; published components still carry it
CREDENTIAL_TYPE = "ceterms:credentialType"
HAS_CONSTRAINT = "ceterms:hasConstraint"
REQUIRED_CONSTRAINTS = "ceterms:requiredConstraints"
HAS_TOP_CHILD = "ceasn:hasTopChild"
IS_TOP_CHILD_OF = "ceasn:isTopChildOf"
FRAMEWORK_OF = "ceasn:isPartOf"

# Inverse pairs whose two sides must agree when a publication states both (each listed in both directions).
INVERSE_PAIRS: tuple[tuple[str, str], ...] = (
    (HAS_CHILD, IS_CHILD_OF), (IS_CHILD_OF, HAS_CHILD),
    (HAS_PART, IS_PART_OF), (IS_PART_OF, HAS_PART),
    (HAS_DESTINATION, IS_DESTINATION_OF), (IS_DESTINATION_OF, HAS_DESTINATION),
    (HAS_TOP_CHILD, IS_TOP_CHILD_OF), (IS_TOP_CHILD_OF, HAS_TOP_CHILD),
)

MAX_CONDITION_DEPTH = 64

_REGISTRY_URI = re.compile(
    r"^https?://[^/\s?#]+(?:/[^/\s?#]+)?/(?:resources|graph)/(ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
    r"-[0-9a-f]{12})/?$", re.IGNORECASE)
_BARE_CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)

IsComponent = Callable[[str], bool]


def registry_ctid(reference: str) -> str | None:
    """The CTID a Registry resource or graph URI (any host) or a bare CTID names, lower-cased; None otherwise."""
    match = _REGISTRY_URI.match(reference)
    if match:
        return match.group(1).lower()
    if _BARE_CTID.match(reference):
        return reference.lower()
    return None


def reference_key(reference: str) -> str:
    """One spelling per resource: the CTID for Registry URIs and CTIDs, the reference itself otherwise."""
    return registry_ctid(reference) or reference


@dataclass(frozen=True, slots=True)
class Ref:
    """One reference as written: the value, the node holding it, the property and where the value sits."""

    value: str
    holder: CtdlNode
    prop: str
    pointer: str


def refs_in(node: CtdlNode, prop: str) -> list[Ref]:
    """The references a node makes through one property: strings and {"@id": …} objects (not embedded nodes)."""
    raw = node.data.get(prop)
    base = node.at(prop)
    items = list(enumerate(raw)) if isinstance(raw, list) else [(None, raw)]
    found: list[Ref] = []
    for index, item in items:
        pointer = base if index is None else f"{base}/{index}"
        if isinstance(item, str):
            found.append(Ref(item, node, prop, pointer))
        elif isinstance(item, Mapping) and isinstance(item.get("@id"), str) and "@type" not in item:
            found.append(Ref(item["@id"], node, prop, f"{pointer}/@id"))
    return found


@dataclass(frozen=True, slots=True)
class NodeIndex:
    """Nodes that carry an @id (top-level resources, blank nodes, nested objects with ids), by reference key."""

    nodes: Mapping[str, CtdlNode]

    @classmethod
    def of(cls, document: CtdlDocument) -> NodeIndex:
        found: dict[str, CtdlNode] = {}
        # top-level nodes first: when an embedded copy repeats an id, the published resource is the one meant
        for node in sorted(document.nodes, key=lambda n: not n.top_level):
            if node.id is not None:
                found.setdefault(reference_key(node.id), node)
            ctid = node.ctid
            if ctid is not None and registry_ctid(ctid):
                found.setdefault(ctid.lower(), node)
        return cls(found)

    def find(self, reference: str) -> CtdlNode | None:
        return self.nodes.get(reference_key(reference))

    def __contains__(self, reference: object) -> bool:
        return isinstance(reference, str) and reference_key(reference) in self.nodes


def node_key(node: CtdlNode) -> str:
    """The key a node is known by in graphs: its reference key, or its pointer when it has no @id."""
    return reference_key(node.id) if node.id is not None else f"#{node.pointer}"


def has_type(node: CtdlNode | Mapping[str, Any], wanted: str) -> bool:
    types = node.types if isinstance(node, CtdlNode) else _types(node)
    return wanted in types


def _types(data: Mapping[str, Any]) -> tuple[str, ...]:
    value = data.get("@type")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(t for t in value if isinstance(t, str))
    return ()


# -- pathways ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edge:
    """A downward link between components (parent first): hasChild, a condition's target, or isChildOf reversed."""

    parent: str          # node keys
    child: str
    relation: str        # the property that states it
    pointer: str         # where it is stated


@dataclass(frozen=True, slots=True)
class Condition:
    """A ComponentCondition found under a component's hasCondition (embedded or by reference)."""

    node: CtdlNode
    owner: CtdlNode      # the component whose hasCondition tree holds it
    depth: int


@dataclass(frozen=True, slots=True)
class Pathway:
    node: CtdlNode
    destinations: tuple[Ref, ...]
    members: tuple[CtdlNode, ...]            # components that belong to it (see pathway_view)
    reachable: frozenset[str]                # node keys reachable from its in-document destinations


@dataclass(frozen=True, slots=True)
class PathwayGraph:
    """Every pathway of a document with its components, conditions and the downward and ordering edges."""

    index: NodeIndex
    components: tuple[CtdlNode, ...]
    pathways: tuple[Pathway, ...]
    conditions: tuple[Condition, ...]
    structure: Mapping[str, tuple[Edge, ...]]        # parent key -> downward edges
    order: Mapping[str, tuple[Edge, ...]]            # earlier key -> later (precedes, precededBy reversed)
    nodes: Mapping[str, CtdlNode] = field(default_factory=dict)   # key -> component node


def proxies_of(component: CtdlNode) -> list[Ref]:
    """The resources a component stands for: proxyFor, then the legacy sourceData, which carried the same link."""
    return refs_in(component, PROXY_FOR) + refs_in(component, LEGACY_PROXY_FOR)


def is_component_node(node: CtdlNode, is_component: IsComponent) -> bool:
    return any(is_component(t) for t in node.types)


def _conditions_of(component: CtdlNode, index: NodeIndex,
                   document_nodes: Mapping[str, CtdlNode]) -> Iterator[Condition]:
    """The condition tree under a component, each condition once, embedded or referenced, bounded in depth."""
    seen: set[str] = set()
    stack: list[tuple[CtdlNode, int]] = [(component, 0)]
    while stack:
        holder, depth = stack.pop()
        if depth >= MAX_CONDITION_DEPTH:
            continue
        raw = holder.data.get(HAS_CONDITION)
        base = holder.at(HAS_CONDITION)
        items = list(enumerate(raw)) if isinstance(raw, list) else [(None, raw)]
        for position, item in items:
            pointer = base if position is None else f"{base}/{position}"
            found: CtdlNode | None = None
            if isinstance(item, Mapping) and "@type" in item:
                found = document_nodes.get(pointer) or CtdlNode(item, pointer, holder.source, False)
            elif isinstance(item, str) or (isinstance(item, Mapping) and isinstance(item.get("@id"), str)):
                found = index.find(item if isinstance(item, str) else item["@id"])
            if found is None or not has_type(found, CONDITION):
                continue
            key = found.pointer
            if key in seen:
                continue
            seen.add(key)
            yield Condition(found, component, depth + 1)
            stack.append((found, depth + 1))



def _add_hierarchy(node: CtdlNode, member_of: Callable[[str], str | None], edges: dict[str, list[Edge]]) -> None:
    """Parent -> child edges from a node's hasChild and isChildOf, kept only between members of the same graph."""
    key = node_key(node)
    for ref in refs_in(node, HAS_CHILD):
        child = member_of(ref.value)
        if child is not None:
            edges.setdefault(key, []).append(Edge(key, child, HAS_CHILD, ref.pointer))
    for ref in refs_in(node, IS_CHILD_OF):
        parent = member_of(ref.value)
        if parent is not None:
            edges.setdefault(parent, []).append(Edge(parent, key, IS_CHILD_OF, ref.pointer))

def pathway_graph(document: CtdlDocument, is_component: IsComponent) -> PathwayGraph:
    index = NodeIndex.of(document)
    by_pointer = {node.pointer: node for node in document.nodes}
    components = tuple(n for n in document.nodes if n.id is not None and is_component_node(n, is_component))
    component_keys = {node_key(n): n for n in components}

    structure: dict[str, list[Edge]] = {}
    order: dict[str, list[Edge]] = {}
    conditions: list[Condition] = []

    def component_of(reference: str) -> str | None:
        found = index.find(reference)
        if found is None:
            return None
        key = node_key(found)
        return key if key in component_keys else None

    for component in components:
        key = node_key(component)
        _add_hierarchy(component, component_of, structure)
        for condition in _conditions_of(component, index, by_pointer):
            conditions.append(condition)
            for ref in refs_in(condition.node, TARGET_COMPONENT):
                child = component_of(ref.value)
                if child is not None:
                    structure.setdefault(key, []).append(Edge(key, child, TARGET_COMPONENT, ref.pointer))
        for ref in refs_in(component, PRECEDES):
            later = component_of(ref.value)
            if later is not None:
                order.setdefault(key, []).append(Edge(key, later, PRECEDES, ref.pointer))
        for ref in refs_in(component, PRECEDED_BY):
            earlier = component_of(ref.value)
            if earlier is not None:
                order.setdefault(earlier, []).append(Edge(earlier, key, PRECEDED_BY, ref.pointer))

    # conditions published as nodes of their own that no component reaches are still conditions of the document
    reached = {c.node.pointer for c in conditions}
    for node in document.nodes:
        if has_type(node, CONDITION) and node.pointer not in reached:
            conditions.append(Condition(node, node, 0))

    frozen_structure = {k: tuple(v) for k, v in structure.items()}
    pathway_nodes = [n for n in document.nodes if has_type(n, PATHWAY)]
    pathways = tuple(_pathway(p, len(pathway_nodes) == 1, index, components, component_keys, frozen_structure)
                     for p in pathway_nodes)
    return PathwayGraph(index, components, pathways, tuple(conditions), frozen_structure,
                        {k: tuple(v) for k, v in order.items()}, component_keys)


def _names(node: CtdlNode, index: NodeIndex, prop: str, target: CtdlNode) -> bool:
    return any(index.find(ref.value) is target for ref in refs_in(node, prop))


def _pathway(node: CtdlNode, only: bool, index: NodeIndex, components: Sequence[CtdlNode],
             component_keys: Mapping[str, CtdlNode], structure: Mapping[str, tuple[Edge, ...]]) -> Pathway:
    destinations = tuple(refs_in(node, HAS_DESTINATION))
    starts = [node_key(found) for ref in destinations
              if (found := index.find(ref.value)) is not None and node_key(found) in component_keys]
    reachable = reachable_from(starts, structure)
    listed = {node_key(found) for ref in refs_in(node, HAS_PART)
              if (found := index.find(ref.value)) is not None}
    members = []
    for component in components:
        key = node_key(component)
        claims = (IS_PART_OF, LEGACY_IS_PART_OF, IS_DESTINATION_OF)
        if only or key in listed or key in reachable or any(_names(component, index, p, node) for p in claims):
            members.append(component)
    return Pathway(node, destinations, tuple(members), frozenset(reachable))


def reachable_from(starts: Iterable[str], edges: Mapping[str, Sequence[Edge]]) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for edge in edges.get(queue.popleft(), ()):
            if edge.child not in seen:
                seen.add(edge.child)
                queue.append(edge.child)
    return seen


def depths_from(starts: Iterable[str], edges: Mapping[str, Sequence[Edge]]) -> dict[str, int]:
    """Shortest distance (in edges) from the starts to every reachable key."""
    depth = {start: 0 for start in starts}
    queue = deque(depth)
    while queue:
        key = queue.popleft()
        for edge in edges.get(key, ()):
            if edge.child not in depth:
                depth[edge.child] = depth[key] + 1
                queue.append(edge.child)
    return depth


# -- cycles -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cycle:
    """A strongly connected set of nodes (or one node linked to itself), with the edges that close it."""

    keys: tuple[str, ...]           # in a walk order around the cycle where one was found
    edges: tuple[Edge, ...]


def cycles(edges: Mapping[str, Sequence[Edge]]) -> list[Cycle]:
    """Every strongly connected component with a cycle (Tarjan's algorithm without recursion)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[Cycle] = []
    counter = 0
    nodes = list(dict.fromkeys([*edges, *(e.child for es in edges.values() for e in es)]))
    for root in nodes:
        if root in index_of:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            key, position = work[-1]
            out = edges.get(key, ())
            if position < len(out):
                work[-1] = (key, position + 1)
                child = out[position].child
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, 0))
                elif child in on_stack:
                    low[key] = min(low[key], index_of[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[key])
            if low[key] == index_of[key]:
                members: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == key:
                        break
                inside = set(members)
                closing = tuple(e for m in members for e in edges.get(m, ()) if e.child in inside)
                if len(members) > 1 or closing:
                    found.append(Cycle(_walk(members, closing), closing))
    return found


def _walk(members: Sequence[str], closing: Sequence[Edge]) -> tuple[str, ...]:
    """A readable order for a cycle's members: follow its edges from the first member while that finds new ones."""
    nxt: dict[str, list[str]] = {}
    for edge in closing:
        nxt.setdefault(edge.parent, []).append(edge.child)
    start = min(members)
    walk = [start]
    seen = {start}
    while True:
        options = [c for c in nxt.get(walk[-1], ()) if c not in seen]
        if not options:
            break
        walk.append(options[0])
        seen.add(options[0])
    walk.extend(sorted(set(members) - seen))
    return tuple(walk)


# -- competency frameworks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrameworkGraph:
    index: NodeIndex
    frameworks: tuple[CtdlNode, ...]
    competencies: tuple[CtdlNode, ...]
    hierarchy: Mapping[str, tuple[Edge, ...]]       # parent competency key -> child edges


def framework_graph(document: CtdlDocument) -> FrameworkGraph:
    index = NodeIndex.of(document)
    frameworks = tuple(n for n in document.nodes if has_type(n, FRAMEWORK))
    competencies = tuple(n for n in document.nodes if n.id is not None and has_type(n, COMPETENCY))
    keys = {node_key(n) for n in competencies}
    hierarchy: dict[str, list[Edge]] = {}

    def competency_of(reference: str) -> str | None:
        found = index.find(reference)
        return None if found is None or node_key(found) not in keys else node_key(found)

    for competency in competencies:
        _add_hierarchy(competency, competency_of, hierarchy)
    return FrameworkGraph(index, frameworks, competencies, {k: tuple(v) for k, v in hierarchy.items()})


def label_of(node: CtdlNode | Mapping[str, Any], limit: int = 60) -> str:
    """A short human name for a node: its name (or competency text) in English when there is one, else its id."""
    data = node.data if isinstance(node, CtdlNode) else node
    for prop in ("ceterms:name", "ceasn:name", "ceasn:competencyLabel", "ceasn:competencyText"):
        text = _text(data.get(prop))
        if text:
            return text if len(text) <= limit else text[: limit - 1] + "…"
    ident = data.get("@id")
    return ident if isinstance(ident, str) else "(unnamed)"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for tag in ("en-US", "en", "en-us"):
            if isinstance(value.get(tag), str) and value[tag].strip():
                return value[tag].strip()
        for text in value.values():
            if isinstance(text, str) and text.strip():
                return text.strip()
            if isinstance(text, list):
                for item in text:
                    if isinstance(item, str) and item.strip():
                        return item.strip()
    if isinstance(value, list):
        for item in value:
            if (text := _text(item)) is not None:
                return text
    return None
