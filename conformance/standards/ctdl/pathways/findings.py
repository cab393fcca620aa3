"""How CTDLPATH and CTDLREF findings name nodes, carry them for the diagrams, and stay bounded."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding
from conformance.standards.ctdl import not_loadable
from conformance.standards.ctdl.facts.load import CtdlLoadError
from conformance.standards.ctdl.facts.model import CtdlNode
from conformance.standards.ctdl.facts.schema import CtdlSchemaUnavailable

MAX_FINDINGS = 200      # per check and document: past this a publication is broken throughout, and one more says so


def name_of(node: CtdlNode) -> str:
    """How a finding names a node: its CTID, else its @id, else where it sits."""
    return node.ctid or node.id or f"the node at {node.pointer or '/'}"


def with_nodes(finding: Finding, *nodes: CtdlNode) -> Finding:
    ids = tuple(dict.fromkeys(n.id for n in nodes if n.id is not None))
    return replace(finding, evidence={"nodes": ids}) if ids else finding


def guarded(ctx: CheckContext, produce: Callable[[], Iterable[Finding]]) -> Iterator[Finding]:
    """The findings, capped. A document that does not load is CTDL-document-shape's failure, so here it is
    inapplicable; a pinned vocabulary the suite cannot read is an `error` (the suite could not evaluate)."""
    try:
        produced = iter(produce())
        count = 0
        for finding in produced:
            count += 1
            if count > MAX_FINDINGS:
                rest = 1 + sum(1 for _ in produced)
                yield replace(finding, message=f"{rest} more findings like the ones above are not listed")
                return
            yield finding
    except CtdlLoadError as exc:
        yield not_loadable(ctx, exc)
    except CtdlSchemaUnavailable as exc:
        yield ctx.error(f"the CTDL vocabulary is not available: {exc}")
