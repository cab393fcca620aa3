"""VCALM checks: pure reads of a service's transcript (conformance/standards/vcalm/flows.py made the requests)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards.json_diff import differences
from conformance.standards.live import Judge, at, judged, object_body, service, status, unanswered


def _scope(subject: Subject, ctx: CheckContext, role: str | None, *flows: str
           ) -> tuple[LiveSubject, list[Step]] | Finding:
    """The service and the steps of `flows` (every step when none is named), or the finding that says why there is
    nothing to judge."""
    svc = service(subject, ctx, role, f"the rule applies to a live {role or 'VC API'} service")
    if isinstance(svc, Finding):
        return svc
    if role is None and svc.service.role == "vcapi-wallet":     # the suite answered there: nothing of the target's
        return ctx.inapplicable("the rule applies to a VC API service, not to a wallet the suite serves")
    steps = [s for s in svc.transcript.steps if not flows or s.flow in flows]
    return (svc, steps) if steps else ctx.inapplicable("no request of this kind was made")


def _run(subject: Subject, ctx: CheckContext, role: str | None, flows: tuple[str, ...], judge: Judge
         ) -> Iterator[Finding]:
    return judged(_scope(subject, ctx, role, *flows), ctx, judge)


def _problem_object(svc: LiveSubject, ctx: CheckContext, step: Step) -> Iterator[Finding]:
    return object_body(svc, ctx, step, "a problem-details JSON object (RFC 9457)",
                       said=f"the {step.status} answer's body")


@check("VCALM-issue-created")
def issue_answers_created(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 201:
            yield status(svc, ctx, step, "201 Created")
        elif not isinstance(step.body, dict) or not isinstance(step.body.get("verifiableCredential"), dict):
            yield ctx.fail(at(svc, step, "/response/body/verifiableCredential"),
                           expected="a verifiableCredential object",
                           found=step.body.get("verifiableCredential") if isinstance(step.body, dict) else step.body)
    return _run(subject, ctx, "issuer", ("issue-valid",), judge)




@check("VCALM-issue-keeps-claims")
def issued_credential_keeps_claims(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        issued = step.body.get("verifiableCredential") if isinstance(step.body, dict) else None
        sent = step.request.get("credential") if isinstance(step.request, dict) else None
        if not (200 <= (step.status or 0) < 300) or not isinstance(issued, dict) or not isinstance(sent, dict):
            yield ctx.cant_tell("no issued credential came back to compare (see VCALM-issue-created)",
                                at(svc, step))
            return
        free = () if svc.service.id else ("/issuer",)        # the service may choose its own issuer id
        for pointer, value, found in differences(sent, issued, reading="kept"):
            if pointer == "/proof" or any(pointer == p or pointer.startswith(p + "/") for p in free):
                continue
            where = at(svc, step, "/response/body/verifiableCredential" + pointer)
            if found is MISSING:
                yield ctx.fail(where, expected=f"the submitted value {describe(value)}",
                               message=f"{pointer} is absent from the issued credential; it was submitted as "
                                       f"{describe(value)}")
            else:
                yield ctx.fail(where, expected=f"the submitted value {describe(value)}", found=found)
    return _run(subject, ctx, "issuer", ("issue-valid",), judge)


def _rejected(subject: Subject, ctx: CheckContext, flow: str) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if not (400 <= (step.status or 0) < 500):
            yield status(svc, ctx, step, "a 4xx status with problem details")
        else:
            yield from _problem_object(svc, ctx, step)
    return _run(subject, ctx, "issuer", (flow,), judge)


@check("VCALM-issue-invalid-rejected")
def invalid_issue_request_rejected(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    return _rejected(subject, ctx, "issue-invalid")


@check("VCALM-issue-unknown-option-rejected")
def unknown_option_rejected(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    return _rejected(subject, ctx, "issue-unknown-option")


@check("VCALM-no-server-error")
def never_a_server_error(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    scoped = _scope(subject, ctx, None)
    if isinstance(scoped, Finding):
        yield scoped
        return
    svc, steps = scoped
    for step in steps:
        if step.flow == "hostile" and not step.answered:
            yield unanswered(svc, ctx, step)
        elif (step.status or 0) >= 500:
            yield status(svc, ctx, step, "a 4xx status (or success), never a 5xx server error")


_VERIFY_FLOWS = ("verify-corpus", "verify-presentation")


def _verdict(step: Step) -> bool | None:
    if step.status == 200 and isinstance(step.body, dict) and isinstance(step.body.get("verified"), bool):
        return step.body["verified"]
    return None


@check("VCALM-verify-answers-200")
def verify_answers_200(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield status(svc, ctx, step,
                         "200 with a verified member (a well-formed request, whatever the verdict)")
        elif _verdict(step) is None:
            found = step.body.get("verified") if isinstance(step.body, dict) else step.body
            yield ctx.fail(at(svc, step, "/response/body/verified"), expected="a boolean verified member",
                           found=found)
    return _run(subject, ctx, "verifier", _VERIFY_FLOWS, judge)


@check("VCALM-verify-verdicts")
def verdicts_match_corpus(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.flow == "verify-presentation" and step.name != "matching":
            return
        expected = step.expect.get("verified")
        found = _verdict(step)
        if found is None:
            yield ctx.cant_tell(f"{step.label}: no verdict came back (see VCALM-verify-answers-200)",
                                at(svc, step))
        elif found is not expected:
            yield ctx.fail(at(svc, step, "/response/body/verified"), expected=f"verified {str(expected).lower()}",
                           found=found, message=f"the {step.label} case comes back verified {str(found).lower()}; "
                                                f"expected {str(expected).lower()}")
    return _run(subject, ctx, "verifier", _VERIFY_FLOWS, judge)


def _enforced(subject: Subject, ctx: CheckContext, case: str, what: str) -> Iterator[Finding]:
    scoped = _scope(subject, ctx, "verifier", "verify-presentation")
    if isinstance(scoped, Finding):
        yield scoped
        return
    svc, steps = scoped
    by_name = {s.name: s for s in steps}
    matching, wrong = by_name.get("matching"), by_name.get(case)
    if matching is None or wrong is None:
        yield ctx.inapplicable(f"the {case} case was not run")
        return
    if not wrong.answered:
        yield unanswered(svc, ctx, wrong)
        return
    verdict = _verdict(wrong)
    if verdict is True:
        yield ctx.fail(at(svc, wrong, "/response/body/verified"), expected="verified false", found=True,
                       message=f"a presentation signed for another {what} than the request names comes back "
                               "verified true; expected verified false")
    elif verdict is None and not (400 <= (wrong.status or 0) < 500):
        yield ctx.cant_tell(f"the {case} case gets HTTP {wrong.status} without a verdict", at(svc, wrong))
    elif _verdict(matching) is not True:
        yield ctx.cant_tell(f"the matching presentation does not verify either, so rejecting the {case} case "
                            f"shows nothing about the {what}", at(svc, matching))


@check("VCALM-presentation-challenge")
def presentation_challenge_enforced(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _enforced(subject, ctx, "wrong-challenge", "challenge")


@check("VCALM-presentation-domain")
def presentation_domain_enforced(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _enforced(subject, ctx, "wrong-domain", "domain")


@check("VCALM-problem-type-title")
def problems_carry_type_and_title(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    scoped = _scope(subject, ctx, None)
    if isinstance(scoped, Finding):
        yield scoped
        return
    svc, steps = scoped
    problems = [s for s in steps if s.answered and 400 <= (s.status or 0) < 500 and isinstance(s.body, dict)]
    if not problems:
        yield ctx.inapplicable("no 4xx answer carried a problem-details object")
        return
    for step in problems:
        for member in ("type", "title"):
            value = step.body.get(member)
            if not isinstance(value, str) or not value:
                yield ctx.fail(at(svc, step, f"/response/body/{member}"),
                               expected=f"a {member} string in the problem details",
                               found=step.body.get(member, MISSING))
