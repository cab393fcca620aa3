"""CTDLPATH checks: one structural rule of pathways or competency frameworks each.

Findings name the nodes involved (CTID or @id) and point at the statement at fault; every finding about nodes also
carries them in `evidence["nodes"]`, which the pathway diagrams use to mark failing components.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from conformance.core.checks import CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.graphs import (
    COMPETENCY,
    FRAMEWORK_OF,
    HAS_CONDITION,
    HAS_CONSTRAINT,
    HAS_DESTINATION,
    HAS_TOP_CHILD,
    INVERSE_PAIRS,
    IS_PART_OF,
    LEGACY_IS_PART_OF,
    LEGACY_PROXY_FOR,
    PROXY_FOR,
    REQUIRED_CONSTRAINTS,
    REQUIRED_NUMBER,
    TARGET_COMPONENT,
    Cycle,
    Edge,
    PathwayGraph,
    cycles,
    has_type,
    node_key,
    proxies_of,
    refs_in,
)
from conformance.standards.ctdl.facts.model import CtdlNode
from conformance.standards.ctdl.facts.references import Reference
from conformance.standards.ctdl.facts.schema import CtdlSchema
from conformance.standards.ctdl.views import (
    ctdl_document,
    ctdl_frameworks,
    ctdl_pathways,
    ctdl_references,
    ctdl_schema,
)

from .findings import guarded, name_of, with_nodes
from .proxy import ProxyRule, ProxyTableError, proxy_table


def _no_pathway(ctx: CheckContext, graph: PathwayGraph) -> Finding | None:
    if graph.pathways:
        return None
    return ctx.inapplicable("the document publishes no ceterms:Pathway")


# -- pathways ---------------------------------------------------------------------------------------------------


@check("CTDLPATH-destination-exists")
def destination_exists(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if (skip := _no_pathway(ctx, graph)) is not None:
            yield skip
            return
        for pathway in graph.pathways:
            where = pathway.node.at(HAS_DESTINATION)
            if not pathway.destinations:
                if pathway.members:
                    yield with_nodes(ctx.fail(where, expected=(
                        f"a destination component for pathway {name_of(pathway.node)}, which has "
                        f"{len(pathway.members)} component(s)")), pathway.node)
                continue
            for ref in pathway.destinations:
                if graph.index.find(ref.value) is None:
                    yield ctx.cant_tell(
                        f"the destination {ref.value} of pathway {name_of(pathway.node)} is not published in this "
                        f"document, so its structure cannot be followed here (CTDLREF-resolves judges whether it "
                        f"exists)", ref.pointer)
    yield from guarded(ctx, produce)


@check("CTDLPATH-destination-component")
def destination_is_a_component(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if (skip := _no_pathway(ctx, graph)) is not None:
            yield skip
            return
        schema = ctdl_schema(subject)
        for pathway in graph.pathways:
            for ref in pathway.destinations:
                target = graph.index.find(ref.value)
                if target is None:
                    continue
                if not any(schema.is_component(t) for t in target.types):
                    yield with_nodes(ctx.fail(ref.pointer, found=list(target.types) or None, expected=(
                        f"the destination {name_of(target)} of pathway {name_of(pathway.node)} to be typed as a "
                        f"pathway component (ceterms:PathwayComponent or a subclass)"), message=(
                        f"{ref.pointer}: the destination {name_of(target)} of pathway {name_of(pathway.node)} "
                        f"has type {describe(list(target.types))}; expected a pathway component class "
                        f"(ceterms:PathwayComponent or a subclass)")), pathway.node, target)
    yield from guarded(ctx, produce)


@check("CTDLPATH-components-reachable")
def components_are_reachable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if (skip := _no_pathway(ctx, graph)) is not None:
            yield skip
            return
        for pathway in graph.pathways:
            if not pathway.reachable:
                if pathway.members:
                    yield ctx.cant_tell(f"pathway {name_of(pathway.node)} has no destination in this document to "
                                        f"follow its components from", pathway.node.pointer)
                continue
            for component in pathway.members:
                if node_key(component) not in pathway.reachable:
                    yield with_nodes(ctx.fail(component.pointer, expected="a route from the destination", message=(
                        f"{component.pointer}: component {name_of(component)} of pathway "
                        f"{name_of(pathway.node)} cannot be reached from its destination through hasChild or a "
                        f"condition's targetComponent; expected every component on a route to the destination")),
                        component)
    yield from guarded(ctx, produce)


def _cycle_finding(ctx: CheckContext, graph_nodes: dict[str, CtdlNode], cycle: Cycle, kind: str) -> Finding:
    named = [name_of(graph_nodes[k]) if k in graph_nodes else k for k in cycle.keys]
    relations = sorted({e.relation for e in cycle.edges})
    first: Edge = min(cycle.edges, key=lambda e: e.pointer)
    loop = " -> ".join([*named, named[0]]) if len(named) > 1 else f"{named[0]} -> {named[0]}"
    finding = ctx.fail(first.pointer, expected="no cycles", message=(
        f"{first.pointer}: {kind} {loop} form a cycle through {', '.join(relations)}; expected no cycles"))
    return with_nodes(finding, *(graph_nodes[k] for k in cycle.keys if k in graph_nodes))


@check("CTDLPATH-acyclic")
def pathway_is_acyclic(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if not graph.components:
            yield ctx.inapplicable("the document publishes no pathway components")
            return
        nodes = dict(graph.nodes)
        for cycle in cycles(graph.structure):
            yield _cycle_finding(ctx, nodes, cycle, "components")
        for cycle in cycles(graph.order):
            yield _cycle_finding(ctx, nodes, cycle, "components")
    yield from guarded(ctx, produce)


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value) < 20:
        return int(value.strip())
    if isinstance(value, dict) and "@value" in value:
        return _integer(value["@value"])
    return None


@check("CTDLPATH-required-number")
def required_number_fits(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if not graph.conditions:
            yield ctx.inapplicable("the document publishes no component conditions")
            return
        for condition in graph.conditions:
            node = condition.node
            if REQUIRED_NUMBER not in node.data:
                continue
            where = node.at(REQUIRED_NUMBER)
            raw = node.data[REQUIRED_NUMBER]
            options = len(refs_in(node, TARGET_COMPONENT)) + len(node.values(HAS_CONDITION))
            owner = condition.owner
            number = _integer(raw)
            if number is None:
                yield with_nodes(ctx.fail(where, found=raw, expected="an integer"), owner)
            elif number <= 0 or number > options:
                yield with_nodes(ctx.fail(where, found=raw, expected=(
                    f"an integer from 1 to {options} (the condition's targetComponent and hasCondition entries)"
                    if options else "targetComponent or hasCondition entries to count from")), owner)
    yield from guarded(ctx, produce)


@check("CTDLPATH-required-constraints")
def required_constraints_fit(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        stating = [c for c in graph.conditions if REQUIRED_CONSTRAINTS in c.node.data]
        if not stating:
            yield ctx.inapplicable("no component condition in the document states requiredConstraints")
            return
        for condition in stating:
            node = condition.node
            where = node.at(REQUIRED_CONSTRAINTS)
            raw = node.data[REQUIRED_CONSTRAINTS]
            offered = len(node.values(HAS_CONSTRAINT))
            number = _integer(raw)
            if number is None:
                yield with_nodes(ctx.fail(where, found=raw, expected="a whole number of constraints"), condition.owner)
            elif number < 0 or number > offered:
                counted = (f"{offered} hasConstraint entr{'y' if offered == 1 else 'ies'} at "
                           f"{node.at(HAS_CONSTRAINT)}" if offered else "no hasConstraint entries")
                yield with_nodes(ctx.fail(where, found=raw, expected=f"a number from 0 to {offered}", message=(
                    f"{where}: a condition of {name_of(condition.owner)} requires {describe(raw)} constraint(s) but "
                    f"has {counted}; expected a number from 0 to {offered}")), condition.owner)
    yield from guarded(ctx, produce)


def _proxy_unknown(ctx: CheckContext, component: CtdlNode, value: str, why: str, at: str) -> Finding:
    return ctx.cant_tell(f"component {name_of(component)} stands for {value}, {why}, so its class cannot be "
                         f"compared with the component's kind", at)


def _classes(types: Iterable[str]) -> str:
    return ", ".join(types) or "no class"


def _allowed(wanted: frozenset[str]) -> str:
    return " or ".join(sorted(wanted)) + " (or a subclass)"


def _judge_proxy(ctx: CheckContext, schema: CtdlSchema, component: CtdlNode, rule: ProxyRule,
                 reference: Reference) -> Iterator[Finding]:
    ref, target = reference.ref, reference.target
    assert target is not None
    known = [schema.compact(t) for t in target.types if schema.has_class(t)]
    if not known:
        why = ("which states no class" if not target.types else
               f"whose class {_classes(target.types)} the pinned vocabulary does not define")
        yield _proxy_unknown(ctx, component, ref.value, why, ref.pointer)
        return
    kind = _classes(component.types)
    if not any(schema.is_subclass(t, want) for t in known for want in rule.stands_for):
        yield with_nodes(ctx.fail(ref.pointer, found=list(target.types), expected=_allowed(rule.stands_for),
                                  message=(
            f"{ref.pointer}: {kind} {name_of(component)} stands for {name_of(target)}, of type "
            f"{_classes(target.types)}; expected a {_allowed(rule.stands_for)}")), component, target)
        return
    if rule.narrowed_by is None:
        return
    # only classes narrow: a CredentialType concept or an unknown value is for the vocabulary rules to judge
    narrowing = [(n, schema.compact(n.value)) for n in refs_in(component, rule.narrowed_by)]
    classes = [(n, c) for n, c in narrowing
               if schema.has_class(c) and any(schema.is_subclass(c, want) for want in rule.stands_for)]
    if not classes or any(schema.is_subclass(t, c) for _, c in classes for t in known):
        return
    named = " or ".join(c for _, c in classes)
    yield with_nodes(ctx.fail(ref.pointer, found=list(target.types), expected=f"a {named} (or a subclass)", message=(
        f"{ref.pointer}: {kind} {name_of(component)} states {rule.narrowed_by} {named} at {classes[0][0].pointer} "
        f"but stands for {name_of(target)}, of type {_classes(target.types)}; expected the resource it stands "
        f"for to be a {named} or a subclass")), component, target)


@check("CTDLPATH-proxy-class")
def proxies_fit_their_component(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        proxied = [(component, refs) for component in graph.components if (refs := proxies_of(component))]
        if not proxied:
            yield ctx.inapplicable("no pathway component in the document names what it stands for (proxyFor)")
            return
        schema = ctdl_schema(subject)
        try:
            table = proxy_table()
        except ProxyTableError as exc:
            yield ctx.error(f"the table of what components stand for cannot be used: {exc}")
            return
        if problems := table.problems(schema):
            yield ctx.error(f"the table of what components stand for disagrees with the pinned vocabulary: "
                            f"{'; '.join(problems[:5])}")
            return
        resolved = {r.pointer: r for r in ctdl_references(subject) if r.ref.prop in (PROXY_FOR, LEGACY_PROXY_FOR)}
        for component, refs in proxied:
            rule = table.rule_for(component.types, schema)
            if rule is None or not rule.judged:
                continue        # the component's kind names no class (BasicComponent, MultiComponent, ...)
            for ref in refs:
                reference = resolved.get(ref.pointer)
                if reference is None:
                    yield _proxy_unknown(ctx, component, ref.value, "which is neither a Registry resource nor a "
                                         "node of this document", ref.pointer)
                elif reference.target is None:
                    why = ("which cannot be looked up here (" + reference.reason + ")"
                           if reference.where == "unavailable" else
                           "which is not published (CTDLREF-resolves judges that)")
                    yield _proxy_unknown(ctx, component, ref.value, why, ref.pointer)
                else:
                    yield from _judge_proxy(ctx, schema, component, rule, reference)
    yield from guarded(ctx, produce)


@check("CTDLPATH-inverse-links")
def inverse_links_agree(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        index = ctdl_pathways(subject).index         # the same index the pathway graph was built on
        stated: dict[tuple[str, str], frozenset[str]] = {}

        def names(holder: CtdlNode, prop: str) -> frozenset[str]:
            # memoised: a pathway's hasPart is checked once per component, which must not cost its length each time
            key = (holder.pointer, prop)
            if key not in stated:
                stated[key] = frozenset(node_key(found) for ref in refs_in(holder, prop)
                                        if (found := index.find(ref.value)) is not None)
            return stated[key]

        for node in ctdl_document(subject).nodes:
            if node.id is None:
                continue
            for prop, inverse in INVERSE_PAIRS:
                for ref in refs_in(node, prop):
                    other = index.find(ref.value)
                    if other is None or other is node or not other.values(inverse):
                        continue
                    if node_key(node) in names(other, inverse):
                        continue
                    listed = [back.value for back in refs_in(other, inverse)]
                    yield with_nodes(ctx.fail(ref.pointer, expected=f"{inverse} naming {name_of(node)}", message=(
                        f"{ref.pointer}: {name_of(node)} states {prop} {name_of(other)}, but {name_of(other)} "
                        f"lists {inverse} {describe(listed)} at {other.at(inverse)}; "
                        f"expected it to list {name_of(node)} as well")), node, other)
    yield from guarded(ctx, produce)


@check("CTDLPATH-components-part-of")
def components_are_part_of_the_pathway(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_pathways(subject)
        if (skip := _no_pathway(ctx, graph)) is not None:
            yield skip
            return
        for pathway in graph.pathways:
            for component in pathway.members:
                stated = refs_in(component, IS_PART_OF) + refs_in(component, LEGACY_IS_PART_OF)
                if not stated or any(graph.index.find(ref.value) is pathway.node for ref in stated):
                    continue        # leaving isPartOf out is a minimum data gap, judged by those rules
                where = component.at(IS_PART_OF)
                named = describe([r.value for r in stated])
                message = (f"{where}: component {name_of(component)} of pathway {name_of(pathway.node)} is part of "
                           f"{named}; expected isPartOf to name {pathway.node.id or name_of(pathway.node)}")
                yield with_nodes(ctx.fail(where, found=[r.value for r in stated],
                                          expected="isPartOf naming the pathway", message=message), component)
    yield from guarded(ctx, produce)


# -- competency frameworks --------------------------------------------------------------------------------------


@check("CTDLPATH-framework-top-children")
def top_children_belong(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_frameworks(subject)
        if not graph.frameworks:
            yield ctx.inapplicable("the document publishes no ceasn:CompetencyFramework")
            return
        for framework in graph.frameworks:
            for ref in refs_in(framework, HAS_TOP_CHILD):
                child = graph.index.find(ref.value)
                if child is None or not has_type(child, COMPETENCY):
                    continue        # outside the document, or not a competency: the reference rules judge those
                parents = refs_in(child, FRAMEWORK_OF)
                if not parents or any(graph.index.find(p.value) is framework for p in parents):
                    continue
                yield with_nodes(ctx.fail(ref.pointer, expected="top children that belong to the framework", message=(
                    f"{ref.pointer}: framework {name_of(framework)} lists {name_of(child)} as a top child, but that "
                    f"competency is part of {describe([p.value for p in parents])} "
                    f"({child.at(FRAMEWORK_OF)}); expected top children to belong to the "
                    f"framework that lists them")), framework, child)
    yield from guarded(ctx, produce)


@check("CTDLPATH-framework-acyclic")
def framework_is_acyclic(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def produce() -> Iterator[Finding]:
        graph = ctdl_frameworks(subject)
        if not graph.competencies:
            yield ctx.inapplicable("the document publishes no ceasn:Competency")
            return
        nodes = {node_key(n): n for n in graph.competencies}
        for cycle in cycles(graph.hierarchy):
            yield _cycle_finding(ctx, nodes, cycle, "competencies")
    yield from guarded(ctx, produce)

