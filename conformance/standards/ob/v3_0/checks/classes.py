"""The rule bodies of Open Badges 3.0's class rules, registered from shapes/ob/3.0/classes.toml (one row per
requirement ID; conformance/standards/class_rules.py reads the table)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from conformance.core.checks import CheckContext, CheckFn
from conformance.core.findings import Finding
from conformance.core.predicates import Node, is_url
from conformance.core.requirements import CatalogError
from conformance.core.subject import Subject
from conformance.standards.class_rules import RuleBody, register_class_rules
from conformance.standards.ob.v3_0 import _shapes as s
from conformance.standards.ob.v3_0.checks.common import (
    closed_rule,
    nodes_or_inapplicable,
    required_rule,
    type_rule,
    vocabulary_rule,
)

Findings = Iterator[Finding]
Walker = Callable[[Subject], Iterator[Node]]

WALKERS: Mapping[str, Walker] = {
    "achievements": s.achievements,
    "alignments": s.alignments,
    "evidence": s.evidence,
    "identity_objects": s.identity_objects,
    "images": s.images,
    "other_identifiers": s.other_identifiers,
    "profiles": s.profiles,
    "result_descriptions": s.result_descriptions,
    "results": s.results,
    "rubric_levels": s.rubric_levels,
}


def _walker(name: str) -> Walker:
    try:
        return WALKERS[name]
    except KeyError:
        raise CatalogError(f"no walker {name!r} in the OB 3.0 shapes; known: {', '.join(sorted(WALKERS))}") from None


def type_body(*, nodes: str, class_: str, what: str, single: bool = False) -> CheckFn:
    walk = _walker(nodes)

    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        yield from type_rule(ctx, list(walk(subject)), class_, what, single=single)
    return judge


def required_body(*, nodes: str, keys: tuple[str, ...], what: str) -> CheckFn:
    walk = _walker(nodes)

    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        yield from required_rule(ctx, list(walk(subject)), keys, what)
    return judge


def closed_body(*, nodes: str, keys: tuple[str, ...], what: str) -> CheckFn:
    walk, allowed = _walker(nodes), frozenset(keys)

    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        yield from closed_rule(ctx, list(walk(subject)), allowed, what)
    return judge


def vocabulary_body(*, nodes: str, key: str, vocabulary: str, extensible: bool = True) -> CheckFn:
    walk, terms = _walker(nodes), s.CLASS_RULES.vocabulary(vocabulary)

    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        yield from vocabulary_rule(ctx, list(walk(subject)), key, terms, vocabulary, extensible=extensible)
    return judge


def uri_body(*, nodes: str, key: str, what: str, expected: str) -> CheckFn:
    walk = _walker(nodes)

    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        present = [(at, n) for at, n in walk(subject) if isinstance(n, Mapping) and key in n]
        yield from nodes_or_inapplicable(ctx, present, what)
        for at, node in present:
            if not is_url(node[key]):
                yield ctx.fail(f"{at}/{key}", expected=expected, found=node[key])
    return judge


BODIES: Mapping[str, RuleBody] = {
    "type": type_body,
    "required": required_body,
    "closed": closed_body,
    "vocabulary": vocabulary_body,
    "uri": uri_body,
}

register_class_rules(s.CLASS_RULES, BODIES)
