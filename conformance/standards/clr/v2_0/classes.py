"""The rule bodies of CLR 2.0's class rules, registered from shapes/clr/2.0/classes.toml (one row per requirement
ID; conformance/standards/class_rules.py reads the table)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.core.checks import MISSING, CheckContext, CheckFn
from conformance.core.findings import Finding
from conformance.core.predicates import is_url
from conformance.core.requirements import CatalogError
from conformance.core.subject import Subject
from conformance.standards.class_rules import RuleBody, register_class_rules

from ._shapes import CLASS_RULES, NO_ACHIEVEMENT, NO_ASSOCIATION, subject_entries, types_of

Findings = Iterator[Finding]
Entry = tuple[str, Any]


@dataclass(frozen=True)
class Walker:
    key: str        # the ClrSubject property that holds the class's objects
    absent: str     # why the class's rules do not apply to a CLR without any

    def check(self, judge_entries: Callable[[list[Entry], CheckContext], Findings]) -> CheckFn:
        """The check that judges the ClrSubject's entries of this class, and is inapplicable without any."""
        def judge(subject: Subject, ctx: CheckContext) -> Findings:
            entries = list(subject_entries(subject.document, self.key))
            if not entries:
                yield ctx.inapplicable(self.absent)
                return
            yield from judge_entries(entries, ctx)
        return judge


WALKERS: Mapping[str, Walker] = {
    "achievements": Walker("achievement", NO_ACHIEVEMENT),
    "associations": Walker("association", NO_ASSOCIATION),
}


def _walker(name: str) -> Walker:
    try:
        return WALKERS[name]
    except KeyError:
        known = ", ".join(sorted(WALKERS))
        raise CatalogError(f"no walker {name!r} in the CLR 2.0 class rules; known: {known}") from None


def _objects(entries: list[Entry]) -> list[tuple[str, Mapping[str, Any]]]:
    # a non-object entry is the type rule's finding alone
    return [(at, entry) for at, entry in entries if isinstance(entry, Mapping)]


def type_body(*, nodes: str, class_: str, expected_object: str, expected_type: str) -> CheckFn:
    walk = _walker(nodes)

    def judge(entries: list[Entry], ctx: CheckContext) -> Findings:
        for at, entry in entries:
            if not isinstance(entry, Mapping):
                yield ctx.fail(at, expected=expected_object, found=entry)
            elif class_ not in types_of(entry):
                yield ctx.fail(f"{at}/type", expected=expected_type, found=entry.get("type", MISSING))
    return walk.check(judge)


def required_body(*, nodes: str, keys: tuple[str, ...], what: str, objects: tuple[str, ...] = (),
                  classes: tuple[str, ...] = ()) -> CheckFn:
    walk = _walker(nodes)
    if len(objects) != len(classes):
        raise TypeError(f"objects {list(objects)} and classes {list(classes)} do not pair up item by item")

    def judge(entries: list[Entry], ctx: CheckContext) -> Findings:
        for at, entry in _objects(entries):
            for key in keys:
                if entry.get(key) is None:
                    yield ctx.fail(f"{at}/{key}", expected=f"a {key} for the {what}",
                                   found=MISSING if key not in entry else None)
            for key, class_ in zip(objects, classes, strict=True):
                if not isinstance(entry.get(key), Mapping):
                    yield ctx.fail(f"{at}/{key}", expected=f"a {class_} object", found=entry.get(key, MISSING))
    return walk.check(judge)


def uri_body(*, nodes: str, keys: tuple[str, ...], expected: str) -> CheckFn:
    walk = _walker(nodes)

    def judge(entries: list[Entry], ctx: CheckContext) -> Findings:
        for at, entry in _objects(entries):
            for key in keys:
                if not is_url(entry.get(key)):
                    yield ctx.fail(f"{at}/{key}", expected=expected, found=entry.get(key, MISSING))
    return walk.check(judge)


def vocabulary_body(*, nodes: str, key: str, vocabulary: str) -> CheckFn:
    walk, terms = _walker(nodes), CLASS_RULES.vocabulary(vocabulary)
    expected = "one of " + ", ".join(sorted(terms))

    def judge(entries: list[Entry], ctx: CheckContext) -> Findings:
        for at, entry in _objects(entries):
            value = entry.get(key, MISSING)
            if not (isinstance(value, str) and value in terms):
                yield ctx.fail(f"{at}/{key}", found=value, expected=expected)
    return walk.check(judge)


BODIES: Mapping[str, RuleBody] = {
    "type": type_body,
    "required": required_body,
    "uri": uri_body,
    "vocabulary": vocabulary_body,
}

register_class_rules(CLASS_RULES, BODIES)
