"""Result, ResultDescription and RubricCriterionLevel (OB 3.0 §B.1.13 and following)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    as_list,
    items,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import (
    get_value,
    is_one_of,
    nodes_or_inapplicable,
    present,
)


@check("OB30-resultdescription-ids-unique")
def result_description_ids_unique(subject: Subject, ctx: CheckContext) -> Findings:
    """No two ResultDescriptions of one achievement share an id."""
    judged = False
    for at, achievement in s.achievements(subject):
        seen: dict[str, str] = {}
        for at2, description in items(achievement, "resultDescription", at):
            identifier = description.get("id") if isinstance(description, Mapping) else None
            if not isinstance(identifier, str):
                continue
            judged = True
            if identifier in seen:
                yield ctx.fail(at2 + "/id", expected=f"an id not already used by {seen[identifier]}", found=identifier)
            else:
                seen[identifier] = at2
    if not judged:
        yield ctx.inapplicable("no ResultDescription ids")








def _descriptions_by_id(subject: Subject) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for _, description in s.result_descriptions(subject):
        if isinstance(description, Mapping) and isinstance(description.get("id"), str):
            found.setdefault(description["id"], description)
    return found


def _linked_description(subject: Subject, result: Any) -> Mapping[str, Any] | None:
    if not isinstance(result, Mapping):
        return None
    reference = result.get("resultDescription")
    return _descriptions_by_id(subject).get(reference) if isinstance(reference, str) else None


@check("OB30-result-resultdescription-resolves")
def result_description_resolves(subject: Subject, ctx: CheckContext) -> Findings:
    """resultDescription names the id of a ResultDescription of the achievement."""
    nodes = [(at, n) for at, n in s.results(subject) if isinstance(n, Mapping) and "resultDescription" in n]
    yield from nodes_or_inapplicable(ctx, nodes, "result with a resultDescription")
    known = _descriptions_by_id(subject)
    for at, node in nodes:
        if not is_one_of(node["resultDescription"], known):
            yield ctx.fail(at + "/resultDescription", expected="the id of a ResultDescription of the achievement"
                           + (f" ({', '.join(sorted(known))})" if known else " (it has none)"),
                           found=node["resultDescription"])


@check("OB30-result-achievedlevel-resolves")
def achieved_level_resolves(subject: Subject, ctx: CheckContext) -> Findings:
    """achievedLevel names a RubricCriterionLevel of the linked ResultDescription, or of any when none is linked."""
    nodes = [(at, n) for at, n in s.results(subject) if isinstance(n, Mapping) and "achievedLevel" in n]
    yield from nodes_or_inapplicable(ctx, nodes, "result with an achievedLevel")
    every = {lvl["id"] for _, lvl in s.rubric_levels(subject)
             if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str)}
    for at, node in nodes:
        linked = _linked_description(subject, node)
        if linked is not None:
            levels = {lvl["id"] for lvl in as_list(linked.get("rubricCriterionLevel"))
                      if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str)}
            scope = "the linked ResultDescription"
        else:
            levels, scope = every, "the achievement"
        value = node["achievedLevel"]
        if not isinstance(value, str) or value not in levels:
            yield ctx.fail(at + "/achievedLevel", expected=f"the id of a RubricCriterionLevel of {scope}", found=value)




@check("OB30-result-status-required")
def result_status_required(subject: Subject, ctx: CheckContext) -> Findings:
    """A result linked to a Status ResultDescription has a status."""
    nodes = [(at, n) for at, n in s.results(subject)
             if (linked := _linked_description(subject, n)) is not None and linked.get("resultType") == "Status"]
    yield from nodes_or_inapplicable(ctx, nodes, "result linked to a Status ResultDescription")
    for at, node in nodes:
        if not present(node, "status"):
            yield ctx.fail(at + "/status", expected="a status, since the linked ResultDescription has resultType "
                           "Status", found=get_value(node, "status"))
