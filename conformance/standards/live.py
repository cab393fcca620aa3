"""Helpers the live-service standards (VCALM, OB30API, OID4VCI) share: pure reads of a service's transcript.

They make findings the way every protocol check does (a transcript pointer as the location, present-tense
messages) and never make a request. Each check keeps its own requirement and body; these only say which service
and steps there are to judge, and judge what every protocol judges alike (no usable answer, an unexpected status,
a body that is not a JSON object).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from conformance.core.checks import CheckContext, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import SERVICE_FAULTS, LiveSubject, Step

__all__ = [
    "SERVICE_FAULTS",
    "Judge",
    "at",
    "each",
    "header",
    "judged",
    "object_body",
    "service",
    "shown",
    "status",
    "successful",
    "unanswered",
]

Judge = Callable[[LiveSubject, Step], Iterable[Finding]]


def service(subject: Subject, ctx: CheckContext, role: str | None, applies: str) -> LiveSubject | Finding:
    """The live service to judge (of `role`, any when None), or the finding that says why there is none: the rule
    does not apply (`applies` says to what it does), or nothing of the service could be judged (the flows could not
    start, or it is down): error, never a pass a service that gave no answer did not earn; or a time budget ran out
    before its flows finished: cantTell, neither pass nor fail."""
    if not isinstance(subject, LiveSubject) or (role is not None and subject.service.role != role):
        return ctx.inapplicable(applies)
    if subject.transcript.out_of_time:
        # a flow cut short proves nothing either way, and a rule does not say which flows it reads: cantTell
        return ctx.cant_tell(f"not judged: {subject.transcript.out_of_time} before the service's flows finished")
    unreached = subject.transcript.unreached
    if unreached:
        return ctx.error(f"{unreached}; the suite cannot evaluate this rule")
    return subject


def at(subject: LiveSubject, step: Step, rest: str = "") -> str:
    """Where a step (or a part of it, `rest`) sits in the transcript."""
    return subject.transcript.pointer(step, rest)


def header(step: Step, name: str) -> str | None:
    return next((v for k, v in step.headers if k == name), None)


def successful(step: Step | None) -> bool:
    return step is not None and step.answered and 200 <= (step.status or 0) < 300


def shown(step: Step) -> Any:
    """A body for a finding's `found`: the start of the text when it is not JSON, else the parsed value."""
    return step.text[:80] if step.json_error else step.body


def unanswered(subject: LiveSubject, ctx: CheckContext, step: Step) -> Finding:
    """No usable answer: failed when the answer broke the client's bounds, else error (we could not evaluate)."""
    text = f"{step.method} {step.url} ({step.label}) gets no usable answer: {step.message}"
    if step.error in SERVICE_FAULTS:
        return ctx.fail(at(subject, step), expected="an HTTP answer within the client's limits", found=step.error,
                        message=text)
    return ctx.error(text, at(subject, step))


def status(subject: LiveSubject, ctx: CheckContext, step: Step, expected: str) -> Finding:
    return ctx.fail(at(subject, step, "/response/status"), expected=expected, found=step.status,
                    message=f"{step.method} {step.url} ({step.label}) answers HTTP {step.status}; expected {expected}")


def object_body(subject: LiveSubject, ctx: CheckContext, step: Step, expected: str = "a JSON object", *,
                said: str = "the body") -> Iterator[Finding]:
    """Fails unless the body is a JSON object; the message reads "<label>: <said> is <what it is>; expected ..."."""
    if not isinstance(step.body, dict):
        yield ctx.fail(at(subject, step, "/response/body"), expected=expected, found=shown(step),
                       message=f"{step.label}: {said} is {step.json_error or describe(step.body)}; expected {expected}")


def each(subject: LiveSubject, ctx: CheckContext, steps: Iterable[Step], judge: Judge) -> Iterator[Finding]:
    """`judge` each step that was answered; a step without a usable answer gets `unanswered`."""
    for step in steps:
        if not step.answered:
            yield unanswered(subject, ctx, step)
        else:
            yield from judge(subject, step)


def judged(scoped: tuple[LiveSubject, Iterable[Step]] | Finding, ctx: CheckContext, judge: Judge
           ) -> Iterator[Finding]:
    """`each` over a standard's scoped steps, or the one finding that says why there is nothing to judge."""
    if isinstance(scoped, Finding):
        yield scoped
    else:
        yield from each(scoped[0], ctx, scoped[1], judge)
