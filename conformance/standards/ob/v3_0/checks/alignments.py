"""Alignment (OB 3.0 §B.1.7)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import (
    get_value,
    is_one_of,
    nodes_or_inapplicable,
)


@check("OB30-alignment-ctdl-ctid")
def alignment_ctdl_ctid(subject: Subject, ctx: CheckContext) -> Findings:
    """A CTDL-typed alignment's targetCode is a CTID (ce- + lower-case UUID)."""
    nodes = [(at, n) for at, n in s.alignments(subject)
             if isinstance(n, Mapping) and is_one_of(n.get("targetType"), s.CTDL_TARGET_TYPES)]
    yield from nodes_or_inapplicable(ctx, nodes, "CTDL alignment")
    for at, node in nodes:
        code = node.get("targetCode")
        if not (isinstance(code, str) and s.CTID.match(code)):
            yield ctx.fail(at + "/targetCode", expected="a CTID: ce- followed by a UUID",
                           found=get_value(node, "targetCode"))
