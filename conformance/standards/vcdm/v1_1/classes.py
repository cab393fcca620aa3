"""The rule bodies of VC Data Model 1.1's class rules, registered from shapes/vcdm/1.1/classes.toml (one row per
requirement ID; conformance/standards/class_rules.py reads the table)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import MISSING, CheckContext, CheckFn
from conformance.core.findings import Finding
from conformance.core.predicates import is_url, items
from conformance.core.subject import Subject
from conformance.standards.class_rules import RuleBody, load_class_rules, register_class_rules
from conformance.standards.vcdm import has_type

Findings = Iterator[Finding]

CLASS_RULES = load_class_rules("vcdm/1.1")


def type_body(*, key: str, what: str) -> CheckFn:
    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        if key not in subject.document:
            yield ctx.inapplicable(f"the document has no {key}")
            return
        for at, node in items(subject.document, key):
            if not isinstance(node, Mapping):
                yield ctx.fail(at, expected=f"an object with a type naming its {what}", found=node)
            elif not has_type(node):
                yield ctx.fail(at + "/type", expected=f"a type naming the {what}", found=node.get("type", MISSING))
    return judge


def id_body(*, key: str, required: bool) -> CheckFn:
    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        nodes = [(at, node) for at, node in items(subject.document, key) if isinstance(node, Mapping)]
        if not nodes or (not required and not any("id" in node for _, node in nodes)):
            yield ctx.inapplicable(f"the document has no {key} object" + ("" if required else " with an id"))
            return
        for at, node in nodes:
            if required and "id" not in node:
                yield ctx.fail(at + "/id", expected="an id URI")
            elif "id" in node and not is_url(node["id"]):
                yield ctx.fail(at + "/id", expected="a single URI", found=node["id"])
    return judge


BODIES: Mapping[str, RuleBody] = {
    "type": type_body,
    "id": id_body,
}

register_class_rules(CLASS_RULES, BODIES)
