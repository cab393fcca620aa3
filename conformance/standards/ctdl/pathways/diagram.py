"""Pathway diagrams: each pathway of a publication drawn as a self-contained SVG for the reports.

Components are boxes in rows by their distance from the destination (the destination on top); lines show hasChild
(solid) and the targets of conditions (dashed); components no route reaches sit in a last row of their own.
Components a failed finding names are drawn in red *and* say so in words, so the mark survives greyscale printing
and screen readers. The SVG has a title and a description, no scripts, no external references (the arrowhead is
an in-document marker), and every text taken from the publication is escaped.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.standards.ctdl.facts.graphs import (
    REQUIRED_NUMBER,
    TARGET_COMPONENT,
    IsComponent,
    Pathway,
    PathwayGraph,
    depths_from,
    label_of,
    node_key,
    pathway_graph,
    reference_key,
    refs_in,
)
from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode
from conformance.standards.ctdl.facts.schema import CtdlSchemaUnavailable
from conformance.standards.ctdl.views import ctdl_document, ctdl_schema

if TYPE_CHECKING:
    from conformance.core.findings import Finding
    from conformance.core.subject import Subject

MAX_SVG_CHARS = 524_288          # results.schema.json caps a diagram's svg at this length
MAX_DIAGRAMS = 20               # per subject: a publication set's pathways are drawn one subject at a time
MAX_BOXES = 300                  # past this a diagram is no longer readable; the description says what is left out
PER_LINE = 8
BOX_W, BOX_H = 196, 66
GAP_X, GAP_Y = 22, 58
MARGIN = 20
HEADER = 64

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]")


def _text(value: str, limit: int | None = None) -> str:
    """Publication text made safe as SVG character data or an attribute value."""
    value = _NOT_XML.sub("", value)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _default_is_component(type_name: str) -> bool:
    return type_name.startswith("ceterms:") and type_name.endswith("Component")


def failing_nodes(findings: Iterable[Any]) -> frozenset[str]:
    """The node ids failed findings name in `evidence["nodes"]` (what CTDLPATH and CTDLREF findings carry)."""
    found: set[str] = set()
    for finding in findings:
        if str(getattr(finding, "outcome", "")) != "failed":
            continue
        evidence = getattr(finding, "evidence", None) or {}
        nodes = evidence.get("nodes", ()) if isinstance(evidence, Mapping) else ()
        found.update(n for n in nodes if isinstance(n, str))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class _Box:
    node: CtdlNode
    x: int
    y: int
    row: int            # -1: not reachable from the destination
    failing: bool
    destination: bool


def _kind(node: CtdlNode) -> str:
    for t in node.types:
        local = t.split(":", 1)[-1]
        if local.endswith("Component"):
            return local[: -len("Component")] or local
    return node.types[0].split(":", 1)[-1] if node.types else "Component"


def _condition_summary(graph: PathwayGraph, node: CtdlNode) -> str:
    parts = []
    for condition in graph.conditions:
        if condition.owner is not node or condition.depth != 1:
            continue
        wanted = condition.node.data.get(REQUIRED_NUMBER)
        total = len(refs_in(condition.node, TARGET_COMPONENT))
        if isinstance(wanted, int) and not isinstance(wanted, bool) and total:
            parts.append(f"{wanted} of {total}")
        elif total:
            parts.append(f"{total} target(s)")
    return ("requires " + "; ".join(parts)) if parts else ""


def _layout(graph: PathwayGraph, pathway: Pathway, failing: frozenset[str],
            members: Sequence[CtdlNode]) -> tuple[list[_Box], int, int]:
    starts = [node_key(found) for ref in pathway.destinations
              if (found := graph.index.find(ref.value)) is not None and node_key(found) in graph.nodes]
    depth = depths_from(starts, graph.structure)
    rows: dict[int, list[CtdlNode]] = {}
    for node in members:
        rows.setdefault(depth.get(node_key(node), -1), []).append(node)
    order = sorted(r for r in rows if r >= 0) + ([-1] if -1 in rows else [])
    boxes: list[_Box] = []
    y = HEADER
    widest = 0
    for row in order:
        nodes = rows[row]
        for start in range(0, len(nodes), PER_LINE):
            line = nodes[start:start + PER_LINE]
            widest = max(widest, len(line))
            for column, node in enumerate(line):
                boxes.append(_Box(node, MARGIN + column * (BOX_W + GAP_X), y, row,
                                  node_key(node) in failing, node_key(node) in starts))
            y += BOX_H + GAP_Y
    width = max(2 * MARGIN + widest * (BOX_W + GAP_X) - GAP_X, 600)
    return boxes, width, y - GAP_Y + MARGIN + 24


def _svg(graph: PathwayGraph, pathway: Pathway, failing: frozenset[str], limit: int, uid: str) -> str:
    members = list(pathway.members)
    left_out = max(0, len(members) - limit)
    boxes, width, height = _layout(graph, pathway, failing, members[:limit])
    placed = {node_key(b.node): b for b in boxes}
    name = label_of(pathway.node, 80)
    failing_names = [label_of(b.node, 40) for b in boxes if b.failing]
    unreachable = sum(1 for b in boxes if b.row < 0)
    description = (f"{len(boxes)} component(s) of pathway {name}, in rows by distance from the destination"
                   f" (top row). Solid lines: hasChild; dashed lines: targets of a condition. "
                   f"{len(failing_names)} component(s) fail a rule"
                   + (f": {', '.join(failing_names[:20])}" if failing_names else "")
                   + (f". {unreachable} component(s) cannot be reached from the destination (last row)"
                      if unreachable else "")
                   + (f". {left_out} more component(s) are not drawn" if left_out else "") + ".")
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="{uid}-t">{_text("Pathway: " + name)}</title>',
        f'<desc id="{uid}-d">{_text(description)}</desc>',
        f'<defs><marker id="{uid}-a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="24" font-size="15" font-weight="bold">{_text("Pathway: " + name, 90)}</text>',
        f'<text x="{MARGIN}" y="44" fill="#333">Top: destination. Solid: child. Dashed: condition '
        f'target. Red + "FAILS": named by a failed rule.</text>',
    ]
    drawn: set[tuple[str, str, bool]] = set()
    for parent, edges in graph.structure.items():
        for edge in edges:
            dashed = edge.relation == TARGET_COMPONENT
            key = (parent, edge.child, dashed)
            if key in drawn or parent not in placed or edge.child not in placed:
                continue
            drawn.add(key)
            a, b = placed[parent], placed[edge.child]
            x1, y1 = a.x + BOX_W // 2 + (6 if dashed else -6), a.y + BOX_H
            x2, y2 = b.x + BOX_W // 2 + (6 if dashed else -6), b.y
            if b.y <= a.y:              # upward or sideways (a cycle or a skipped row): leave from the top
                y1, y2 = a.y, b.y + BOX_H
            style = ' stroke-dasharray="6 4" stroke="#1f5fa8"' if dashed else ' stroke="#444"'
            out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"{style} stroke-width="1.4" '
                       f'marker-end="url(#{uid}-a)"/>')
    for box in boxes:
        stroke, fill, weight = ("#b00020", "#fde7ea", 2.5) if box.failing else ("#2f4f6f", "#eef3f8", 1.2)
        if box.destination:
            weight += 1
        out.append(f'<g><rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{weight}"/>')
        heading = ("FAILS · " if box.failing else "") + ("Destination · " if box.destination else "") \
            + ("Unreachable · " if box.row < 0 else "") + _kind(box.node)
        out.append(f'<text x="{box.x + 8}" y="{box.y + 16}" font-size="11" '
                   f'fill="{"#b00020" if box.failing else "#555"}" font-weight="bold">{_text(heading, 32)}</text>')
        out.append(f'<text x="{box.x + 8}" y="{box.y + 34}">{_text(label_of(box.node, 200), 28)}</text>')
        summary = _condition_summary(graph, box.node)
        if summary:
            out.append(f'<text x="{box.x + 8}" y="{box.y + 52}" font-size="11" fill="#1f5fa8">'
                       f'{_text(summary, 30)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def pathway_diagrams(document: CtdlDocument, failing_node_ids: Collection[str] = (), *,
                     is_component: IsComponent | None = None, subject: str | None = None) -> list[dict[str, str]]:
    """One diagram per pathway in the document (at most MAX_DIAGRAMS): {"title", "subject", "svg"}, as results.json
    `diagrams` holds them.

    `failing_node_ids` are node @ids (Registry URIs, CTIDs or blank node ids) to mark; `is_component` is the
    schema's component test (CtdlSchema.is_component) when the caller has the vocabulary at hand; `subject` names
    the subject the diagrams belong to (default: each pathway's CTID).
    """
    graph = pathway_graph(document, is_component or _default_is_component)
    failing = frozenset(reference_key(n) for n in failing_node_ids)
    diagrams = []
    for number, pathway in enumerate(graph.pathways[:MAX_DIAGRAMS]):
        limit = MAX_BOXES
        svg = _svg(graph, pathway, failing, limit, f"p{number}")
        while len(svg) > MAX_SVG_CHARS and limit > 1:
            limit //= 2
            svg = _svg(graph, pathway, failing, limit, f"p{number}")
        ctid = pathway.node.ctid or pathway.node.id or pathway.node.pointer
        title = f"Pathway: {label_of(pathway.node, 120)}"
        if subject is not None:
            title += f" ({ctid})"
        diagrams.append({"title": title, "subject": subject or ctid, "svg": svg})
    return diagrams


def diagrams_for(subject: Subject, findings: Iterable[Finding]) -> list[dict[str, str]]:
    """The diagrams of one evaluated subject, its failed findings marked: what the runner adds to a SubjectResult
    when the CTDLPATH detector claimed the subject (registered with @illustrates in standards/ctdl/pathways). Drawing is a courtesy of the report: a publication that cannot
    be drawn gets no diagram, and never a different verdict."""

    try:
        document = ctdl_document(subject)
    except Exception:  # noqa: BLE001 - unreadable publications are judged by the checks, not drawn
        return []
    try:
        is_component: IsComponent | None = ctdl_schema(subject).is_component
    except CtdlSchemaUnavailable:
        is_component = None
    return pathway_diagrams(document, failing_nodes(findings), is_component=is_component, subject=subject.id)
