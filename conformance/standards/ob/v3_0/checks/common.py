"""What the Open Badges 3.0 checks share: presence as OB reads it, the class-rule bodies, and checks of one part of
a subject (its JWT, its baked image)."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, CheckFn
from conformance.core.findings import Finding
from conformance.core.predicates import pointer
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]
# the part of a subject a check judges, or None and the inapplicable finding that says why it has none
Part = Callable[[Subject, CheckContext], tuple[Any, Finding | None]]
PartCheck = Callable[[Any, CheckContext], Findings]


def on_part(part: Part) -> Callable[[PartCheck], CheckFn]:
    """A check of one part of the subject (`part` finds it): handed the part, or inapplicable as `part` says
    when the subject has none."""
    def wrap(judge: PartCheck) -> CheckFn:
        @functools.wraps(judge)
        def check_part(subject: Subject, ctx: CheckContext) -> Findings:
            found, inapplicable = part(subject, ctx)
            if inapplicable is not None:
                yield inapplicable
                return
            yield from judge(found, ctx)
        return check_part
    return wrap


def get_value(node: Any, key: str) -> Any:
    return node.get(key, MISSING) if isinstance(node, Mapping) else MISSING


def nonempty_string(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def is_one_of(value: Any, options: Any) -> bool:
    """Membership for untrusted values: only strings can be members (lists and objects are unhashable)."""
    return isinstance(value, str) and value in options


def present(node: Any, key: str) -> bool:
    """Present with a value: null and empty strings or arrays count as absent (OB omits empty values)."""
    value = get_value(node, key)
    return value is not MISSING and value is not None and value != "" and value != []


def nodes_or_inapplicable(ctx: CheckContext, nodes: list[s.Node], what: str) -> Findings:
    if not nodes:
        yield ctx.inapplicable(f"the document has no {what}")


def type_rule(ctx: CheckContext, nodes: list[s.Node], name: str, what: str, *, single: bool = False) -> Findings:
    """Each node is an object whose type includes `name` (or, for single-IRI classes, is `name`)."""
    yield from nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if not isinstance(node, Mapping):
            yield ctx.fail(at, expected=f"a {name} object", found=node)
        elif single and not s.type_is(node, name):
            yield ctx.fail(at + "/type", expected=f"the IRI {name}", found=get_value(node, "type"))
        elif not single and not s.type_includes(node, name):
            yield ctx.fail(at + "/type", expected=f"a type that includes {name}", found=get_value(node, "type"))


def required_rule(ctx: CheckContext, nodes: list[s.Node], keys: tuple[str, ...], what: str) -> Findings:
    yield from nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if not isinstance(node, Mapping):
            continue                     # the class's type rule reports a non-object
        for key in keys:
            if not present(node, key):
                yield ctx.fail(pointer_join(at, key), expected=f"a {key} value on the {what}",
                               found=get_value(node, key))


def closed_rule(ctx: CheckContext, nodes: list[s.Node], allowed: frozenset[str], what: str) -> Findings:
    yield from nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if isinstance(node, Mapping):
            for key in node:
                if key not in allowed:
                    expected = f"no property other than {', '.join(sorted(allowed))} on an {what}"
                    yield ctx.fail(pointer_join(at, key), expected=expected, found=node[key])


def vocabulary_rule(ctx: CheckContext, nodes: list[s.Node], key: str, terms: frozenset[str], enum: str,
                     *, extensible: bool = True) -> Findings:
    """The key's value, where present, is a term of the enumeration (or ext:, when it is extensible)."""
    judged = False
    for at, node in nodes:
        if not isinstance(node, Mapping) or key not in node:
            continue                     # absence is a required-properties rule's business
        judged = True
        value = node[key]
        ok = s.in_vocabulary(value, terms) if extensible else is_one_of(value, terms)
        if not ok:
            suffix = " or an ext: term" if extensible else ""
            yield ctx.fail(pointer_join(at, key), expected=f"a {enum} value{suffix}", found=value)
    if not judged:
        yield ctx.inapplicable(f"no {key} to judge")


def pointer_join(base: str, *parts: str | int) -> str:
    return base + pointer(*parts)

