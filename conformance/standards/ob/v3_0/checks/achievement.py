"""Achievement, Criteria, Related and IdentifierEntry (OB 3.0 §B.1.3 and following)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    is_language_tag,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import (
    get_value,
    nodes_or_inapplicable,
    nonempty_string,
    present,
    type_rule,
)


@check("OB30-criteria-id-or-narrative")
def criteria_says_something(subject: Subject, ctx: CheckContext) -> Findings:
    """criteria is an object with an id or a narrative."""
    nodes = [(at + "/criteria", n["criteria"]) for at, n in s.achievements(subject) if "criteria" in n]
    yield from nodes_or_inapplicable(ctx, nodes, "criteria")
    for at, node in nodes:
        if not (isinstance(node, Mapping) and (present(node, "id") or present(node, "narrative"))):
            yield ctx.fail(at, expected="a criteria object with an id or a narrative", found=node)


@check("OB30-inlanguage-tag")
def in_language_tag(subject: Subject, ctx: CheckContext) -> Findings:
    """inLanguage is a well-formed BCP 47 tag."""
    judged = False
    for at, node in [*s.achievements(subject), *s.related(subject)]:
        if isinstance(node, Mapping) and "inLanguage" in node:
            judged = True
            if not is_language_tag(node["inLanguage"]):
                yield ctx.fail(at + "/inLanguage", expected="a BCP 47 language tag", found=node["inLanguage"])
    if not judged:
        yield ctx.inapplicable("no inLanguage")


@check("OB30-related-required")
def related_required(subject: Subject, ctx: CheckContext) -> Findings:
    """related entries are objects with an id and a type including Related."""
    nodes = list(s.related(subject))
    yield from type_rule(ctx, nodes, "Related", "related entry")
    for at, node in nodes:
        if isinstance(node, Mapping) and not present(node, "id"):
            yield ctx.fail(at + "/id", expected="the id of the related achievement", found=get_value(node, "id"))




@check("OB30-identifierentry-required")
def identifier_entry_required(subject: Subject, ctx: CheckContext) -> Findings:
    """identifier is a string and identifierType is present."""
    nodes = [(at, n) for at, n in s.other_identifiers(subject) if isinstance(n, Mapping)]
    yield from nodes_or_inapplicable(ctx, nodes, "IdentifierEntry")
    for at, node in nodes:
        if not nonempty_string(node.get("identifier")):
            yield ctx.fail(at + "/identifier", expected="an identifier string", found=get_value(node, "identifier"))
        if not present(node, "identifierType"):
            yield ctx.fail(at + "/identifierType", expected="an identifierType", found=get_value(node, "identifierType"))



