"""CTDLMIN22 / CTDLMIN26 checks: one per shaped class, each running its class's shape on the document's top-level
resources of that class and yielding one finding per missing group, at the resource's JSON pointer.

The checks are registered from the requirement IDs the generated shapes declare (read with a regular expression,
so importing the suite does not parse Turtle); the shapes are compiled on the first check that runs.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ctdl import not_loadable
from conformance.standards.ctdl.facts.load import CtdlLoadError
from conformance.standards.ctdl.facts.policy import VERSIONS, load_policy, shapes_folder, types_of, version_of
from conformance.standards.ctdl.views import ctdl_document

_REQUIREMENT = re.compile(r'lerc:requirement "([A-Z0-9]+-[a-z0-9-]+)"')


def _declared(version: str) -> list[str]:
    text = (shapes_folder(version) / "required.ttl").read_text(encoding="utf-8")
    return sorted(set(_REQUIREMENT.findall(text)))


def _judge(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    version = version_of(ctx.requirement)
    assert version is not None
    shape = load_policy(version).by_requirement[ctx.requirement]
    try:
        document = ctdl_document(subject)
    except CtdlLoadError as exc:
        yield not_loadable(ctx, exc)
        return
    judged = 0
    for node in document.resources:
        if shape.targets.isdisjoint(types_of(node)):
            continue
        judged += 1
        for gap in load_policy(version).gaps(node, shape):
            yield ctx.fail(gap.pointer, expected=gap.group.label, message=gap.message)
    if not judged:
        yield ctx.inapplicable(f"the document publishes no top-level {shape.cls}")


def _register(requirement: str) -> Callable[[Subject, CheckContext], Iterator[Finding]]:
    def judge(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        yield from _judge(subject, ctx)

    judge.__name__ = judge.__qualname__ = "minimum_data_" + requirement.replace("-", "_").lower()
    judge.__doc__ = f"{requirement}: the class's minimum data shape on its top-level resources."
    return check(requirement)(judge)


CHECKS = {rid: _register(rid) for version in VERSIONS for rid in _declared(version)}
