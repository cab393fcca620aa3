"""CTDLREF checks: references resolve, and what they resolve to fits the property's range."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.references import Reference
from conformance.standards.ctdl.facts.schema import CtdlSchema
from conformance.standards.ctdl.pathways.findings import guarded, name_of, with_nodes
from conformance.standards.ctdl.views import ctdl_references, ctdl_schema


@check("CTDLREF-resolves")
def references_resolve(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        unknown: dict[str, list[Reference]] = {}
        for reference in ctdl_references(subject):
            ref = reference.ref
            if reference.where == "absent":
                yield with_nodes(ctx.fail(ref.pointer, found=ref.value, expected="a published resource", message=(
                    f"{ref.pointer}: {ref.prop} of {name_of(ref.holder)} names {ref.value}, which is not in "
                    f"this document ({reference.reason}); expected a reference to a published resource")),
                    ref.holder)
            elif reference.where == "unavailable":
                unknown.setdefault(ref.value, []).append(reference)
        # one cantTell per resource, not per mention: an organization named on every node is one open question
        for value, mentions in unknown.items():
            first = mentions[0].ref
            more = f" (and {len(mentions) - 1} more place(s) in the document)" if len(mentions) > 1 else ""
            yield ctx.cant_tell(
                f"{first.prop} of {name_of(first.holder)} names {value}, which is not in this document and cannot "
                f"be looked up here ({mentions[0].reason}){more}", first.pointer)
    yield from guarded(ctx, produce)


def _judgeable_range(schema: CtdlSchema, prop: str) -> frozenset[str]:
    """The classes in a property's declared range; empty when the range names only datatypes (or nothing)."""
    info = schema.property_info(prop)
    if info is None:
        return frozenset()
    return frozenset(r for r in info.range if schema.has_class(r))


def _fits(schema: CtdlSchema, reference: Reference) -> bool | None:
    """Whether the target's class fits the range; None when there is nothing to compare (untyped target, a
    datatype range, classes the vocabulary does not define: the vocabulary rules judge those)."""
    assert reference.target is not None
    allowed = _judgeable_range(schema, reference.ref.prop)
    types = [t for t in reference.target.types if schema.has_class(t)]
    if not allowed or not types:
        return None
    return schema.in_range(reference.ref.prop, types)


@check("CTDLREF-target-class")
def targets_fit_the_range(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        schema = ctdl_schema(subject)
        for reference in ctdl_references(subject):
            if reference.target is None:
                continue
            fits = _fits(schema, reference)
            if fits is False:
                ref, target = reference.ref, reference.target
                allowed = sorted(_judgeable_range(schema, ref.prop))
                shown = ", ".join(allowed[:6]) + (f" (or {len(allowed) - 6} more)" if len(allowed) > 6 else "")
                yield with_nodes(ctx.fail(ref.pointer, found=list(target.types), expected=f"a {shown}", message=(
                    f"{ref.pointer}: {ref.prop} of {name_of(ref.holder)} names {name_of(target)}, of type "
                    f"{describe(list(target.types))}; expected a {shown} or a subclass")), ref.holder, target)
    yield from guarded(ctx, produce)
