"""VCALM exchange checks: pure reads of the transcript conformance/standards/vcalm/exchange_flows.py recorded, the suite having
played the wallet against the service's exchanges."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards.live import Judge, at, judged, object_body, service, status, successful, unanswered
from conformance.standards.vcalm.exchange_flows import exchange_url, request_of


def _scoped(subject: Subject, ctx: CheckContext, *flows: str) -> tuple[LiveSubject, list[Step]] | Finding:
    """The exchange service and the steps of `flows`, or the finding that says why there is nothing to judge."""
    svc = service(subject, ctx, "exchange", "the rule applies to a live VC API exchange service")
    if isinstance(svc, Finding):
        return svc
    steps = [s for s in svc.transcript.steps if s.flow in flows]
    if steps:
        return svc, steps
    for step in svc.flow("exchange-create"):
        if not step.answered:
            return unanswered(svc, ctx, step)
        if exchange_url(step, step.url) is None:
            return ctx.cant_tell(f"{step.method} {step.url} answers HTTP {step.status} without naming a new exchange "
                                 "(a Location header or an exchangeId member), so the flow could not run",
                                 at(svc, step))
    for step in svc.flow("exchange-start"):
        if request_of(step) is None:
            return ctx.cant_tell(f"the exchange gives no presentation request to answer ({step.label}; see "
                                 "VCALM-exchange-request-shape)", at(svc, step))
    return ctx.cant_tell("the flow this rule judges did not run")


def _request_pointer(step: Step) -> str:
    return "/response/body/verifiablePresentationRequest" \
        if isinstance(step.body, dict) and "verifiablePresentationRequest" in step.body else "/response/body"


def _run(subject: Subject, ctx: CheckContext, flow: str, judge: Judge) -> Iterator[Finding]:
    return judged(_scoped(subject, ctx, flow), ctx, judge)


@check("VCALM-exchange-request-shape")
def exchange_request_shape(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 200 <= (step.status or 0) < 300:
            yield status(svc, ctx, step, "a 2xx answer carrying a verifiable presentation request")
            return
        request = request_of(step)
        base = _request_pointer(step)
        if request is None:
            yield ctx.fail(at(svc, step, "/response/body/verifiablePresentationRequest"),
                           expected="a verifiablePresentationRequest object", found=step.body,
                           message=f"{step.label}: starting the exchange with {{}} answers "
                                   f"{describe(step.body)}; expected a verifiable presentation request")
            return
        query = request.get("query", MISSING)
        entries = query if isinstance(query, list) else [query] if isinstance(query, dict) else None
        if not entries or not all(isinstance(q, dict) and isinstance(q.get("type"), str) and q["type"]
                                  for q in entries):
            yield ctx.fail(at(svc, step, f"{base}/query"), expected="a non-empty list of queries, each with a type",
                           found=query)
        for member in ("challenge", "domain"):
            value = request.get(member, MISSING)
            if not isinstance(value, str) or not value:
                yield ctx.fail(at(svc, step, f"{base}/{member}"), expected=f"a non-empty {member} string",
                               found=value)
    return _run(subject, ctx, "exchange-start", judge)


@check("VCALM-exchange-challenge-fresh")
def exchange_challenge_fresh(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    scoped = _scoped(subject, ctx, "exchange-start")
    if isinstance(scoped, Finding):
        yield scoped
        return
    svc, steps = scoped
    seen: dict[str, Step] = {}
    repeated = False
    for step in steps:
        request = request_of(step) if 200 <= (step.status or 0) < 300 else None
        challenge = request.get("challenge") if request else None
        if not isinstance(challenge, str) or not challenge:
            continue
        if challenge in seen:
            repeated = True
            yield ctx.fail(at(svc, step, f"{_request_pointer(step)}/challenge"),
                           expected="a challenge no other exchange asked for", found=challenge,
                           message=f"exchange {step.name} asks for the challenge exchange {seen[challenge].name} "
                                   "already asked for; expected a fresh challenge per exchange")
        else:
            seen[challenge] = step
    if not repeated and len(seen) < 2:
        yield ctx.cant_tell(f"fewer than two exchanges gave a challenge ({len(seen)}), so freshness cannot be "
                            "compared", at(svc, steps[0]))


@check("VCALM-exchange-accepts-presentation")
def exchange_accepts_presentation(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 200 <= (step.status or 0) < 300:
            yield status(svc, ctx, step, "a 2xx answer accepting the presentation the request asked for")
        else:
            yield from object_body(svc, ctx, step, said=f"the {step.status} answer's body")
    return _run(subject, ctx, "exchange-present", judge)


def _refused(subject: Subject, ctx: CheckContext, flow: str, what: str, *, needs_acceptance: bool = True
             ) -> Iterator[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if needs_acceptance and not successful(next(iter(svc.flow("exchange-present")), None)):
            yield ctx.cant_tell(f"the exchange does not accept the suite's valid presentation, so its answer to "
                                f"{what} shows nothing (see VCALM-exchange-accepts-presentation)", at(svc, step))
        elif 400 <= (step.status or 0) < 500:
            return
        elif 200 <= (step.status or 0) < 400:
            yield ctx.fail(at(svc, step, "/response/status"), expected="a 4xx answer", found=step.status,
                           message=f"{step.method} {step.url} ({step.label}): {what} gets HTTP {step.status}; "
                                   "expected a 4xx answer")
        else:
            yield ctx.cant_tell(f"{what} gets HTTP {step.status} (see VCALM-no-server-error)", at(svc, step))
    yield from _run(subject, ctx, flow, judge)


@check("VCALM-exchange-domain-enforced")
def exchange_domain_enforced(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, "exchange-wrong-domain", "a presentation signed for another domain")


@check("VCALM-exchange-replay-rejected")
def exchange_replay_rejected(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, "exchange-replay", "the accepted presentation sent a second time")


@check("VCALM-exchange-expired-rejected")
def exchange_expired_rejected(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, "exchange-expired", "starting an exchange whose ttl has passed",
                        needs_acceptance=False)


@check("VCALM-exchange-garbage-rejected")
def exchange_garbage_rejected(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 400 <= (step.status or 0) < 500:
            yield status(svc, ctx, step, "a 4xx answer to a message the exchange cannot use")
    return _run(subject, ctx, "exchange-garbage", judge)


@check("VCALM-exchange-request-no-side-effects")
def exchange_request_no_side_effects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    scoped = _scoped(subject, ctx, "exchange-request")
    if isinstance(scoped, Finding):
        yield scoped
        return
    svc, steps = scoped
    started = next((s for s in svc.flow("exchange-start") if s.name == "a"), None)
    original = request_of(started) if started is not None else None
    reads: list[tuple[Step, dict[str, Any]]] = []
    for step in steps:
        if not step.answered:
            yield unanswered(svc, ctx, step)
            return
        if step.status in (404, 405, 501):
            yield ctx.cant_tell(f"{step.method} {step.url} answers HTTP {step.status}: the service does not serve the "
                                "exchange's current request, so its side effects cannot be judged", at(svc, step))
            return
        request = request_of(step)
        if step.status != 200 or request is None:
            yield status(svc, ctx, step, "200 with the exchange's current presentation request")
            return
        reads.append((step, request))
    if original is None:
        yield ctx.cant_tell("the exchange gave no request when started, so there is nothing to compare",
                            at(svc, steps[0]))
        return
    for step, request in reads:
        if request.get("challenge") != original.get("challenge"):
            yield ctx.fail(at(svc, step, f"{_request_pointer(step)}/challenge"),
                           expected=f"the challenge the exchange started with ({original.get('challenge')!r})",
                           found=request.get("challenge"),
                           message=f"{step.label}: reading the current request gives challenge "
                                   f"{request.get('challenge')!r}; the exchange started with "
                                   f"{original.get('challenge')!r}, so the read changed the exchange")
        elif request != original:
            yield ctx.fail(at(svc, step, _request_pointer(step)), expected="the request the exchange started with",
                           found=request, message=f"{step.label}: reading the current request gives a request other "
                                                  "than the one the exchange started with")


@check("VCALM-exchange-protocols")
def exchange_protocols(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
    def judge(svc: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield status(svc, ctx, step, "200 with a protocols document")
            return
        protocols = step.body.get("protocols", MISSING) if isinstance(step.body, dict) else None
        if not isinstance(protocols, dict) or not protocols:
            yield ctx.fail(at(svc, step, "/response/body/protocols"),
                           expected="a non-empty protocols object (protocol name -> URL)",
                           found=protocols if isinstance(step.body, dict) else step.text[:80] or step.body)
            return
        for name, url in protocols.items():
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                yield ctx.fail(at(svc, step, f"/response/body/protocols/{name}"), expected="a URL", found=url)
        if "vcapi" not in protocols:
            yield ctx.fail(at(svc, step, "/response/body/protocols/vcapi"),
                           expected="the VC API exchange URL under vcapi", found=MISSING,
                           message=f"the protocols document lists {sorted(protocols)} but not vcapi, the protocol "
                                   "the exchange itself speaks")
    return _run(subject, ctx, "exchange-protocols", judge)
