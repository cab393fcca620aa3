"""The JSON-LD safe-mode judgement the data-model standards share: every property and type a document uses is
defined by its contexts (VCDM20-terms-defined, OB30-jsonld-safe-mode, CLR20-jsonld-safe-mode).

Each standard requires it in its own words, so each keeps its requirement; the judgement, its locations and its
messages are this one: an undefined property is reported where it is written (`/credentialSubject/hoursOfStudy`), an
undefined type at its place in `type`; what an embedded credential or endorsement holds is reported by that subject,
judged on its own, never twice; a document whose contexts cannot be had is an error of the document that loads them.
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CHECK_REGISTRY, CheckContext
from conformance.core.findings import Finding
from conformance.core.predicates import pointer
from conformance.core.subject import Subject


def embedded_json_pointers(subject: Subject) -> tuple[str, ...]:
    """Pointers of the JSON objects this subject embeds as subjects of their own (judged there, not here)."""
    found: list[str] = []
    for embedder in CHECK_REGISTRY.embedders:
        try:
            found.extend(item.pointer for item in embedder(subject) if item.encoding == "json")
        except Exception:  # noqa: BLE001, S112 - embedders read untrusted JSON; a failing one embeds nothing
            continue
    return tuple(found)


def within(at: str, prefixes: tuple[str, ...] | list[str]) -> bool:
    return any(at == p or at.startswith(p + "/") for p in prefixes)


def shares_parent_jsonld(subject: Subject) -> bool:
    """True when the subject sits as JSON inside its parent, so expanding the parent covered it."""
    if subject.parent is None:
        return False
    carrier = getattr(subject, "carrier", None)
    if carrier is not None:
        return carrier == "json"
    return not getattr(subject, "decoded", False)


def undefined_terms(subject: Subject, ctx: CheckContext, *, processable_rule: str | None) -> Iterator[Finding]:
    """The findings of one standard's defined-terms rule. `processable_rule`: the standard's own rule for a document
    JSON-LD processing rejects (VCDM20-jsonld-processable), which then owns that failure; None: this rule fails it."""
    report = subject.jsonld
    if report.unavailable is not None:
        if shares_parent_jsonld(subject):
            yield ctx.inapplicable("the contexts of the enclosing document cannot be loaded; reported there")
        else:
            yield ctx.error(report.unavailable.describe())
        return
    if report.invalid is not None and not report.problems:
        if processable_rule is not None:
            yield ctx.inapplicable(f"JSON-LD processing stops on an error (see {processable_rule})")
        else:
            yield ctx.fail("/@context", expected="contexts that JSON-LD processing accepts",
                           message=f"JSON-LD processing rejects the document: {report.invalid}")
        return
    children = embedded_json_pointers(subject)
    for problem in report.problems:
        if within(problem.pointer, children):
            continue
        if problem.kind == "undefined-type":
            yield ctx.fail(problem.pointer, expected="a type defined by the @context or an absolute URL",
                           message=f"type {problem.term!r} at {problem.pointer} is not defined by the "
                                   f"document's contexts; JSON-LD processing leaves it as a relative IRI")
        else:
            yield ctx.fail(problem.pointer + pointer(problem.term), expected="a property defined by the @context",
                           message=f"property {problem.term!r} of {problem.pointer or 'the document'} is not "
                                   f"defined by the document's contexts; JSON-LD processing drops it")
