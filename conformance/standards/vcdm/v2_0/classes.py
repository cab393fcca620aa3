"""The rule bodies of VC Data Model 2.0's class rules, registered from shapes/vcdm/2.0/classes.toml (one row per
requirement ID; conformance/standards/class_rules.py reads the table)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import MISSING, CheckContext, CheckFn
from conformance.core.findings import Finding
from conformance.core.predicates import items, pointer
from conformance.core.subject import Subject
from conformance.standards.class_rules import RuleBody, load_class_rules, register_class_rules
from conformance.standards.vcdm import has_type

Findings = Iterator[Finding]

CLASS_RULES = load_class_rules("vcdm/2.0")


def typed_body(*, keys: tuple[str, ...]) -> CheckFn:
    def judge(subject: Subject, ctx: CheckContext) -> Findings:
        document = subject.document
        present = [key for key in keys if key in document]
        if not present:
            yield ctx.inapplicable(f"the document has no {' or '.join(keys)}")
            return
        for key in present:
            value = document[key]
            if isinstance(value, list) and not value:
                yield ctx.fail(pointer(key), expected="one or more objects, each with a type", found=value)
            for at, node in items(document, key):
                if not isinstance(node, Mapping):
                    yield ctx.fail(at, expected="an object with a type", found=node)
                elif not has_type(node):
                    yield ctx.fail(at + "/type", expected="a type naming the kind of object",
                                   found=node.get("type", MISSING))
    return judge


BODIES: Mapping[str, RuleBody] = {
    "typed": typed_body,
}

register_class_rules(CLASS_RULES, BODIES)
