"""VCALM-WALLET checks: pure reads of what a wallet did in the exchanges the suite served (role "vcapi-wallet";
conformance/standards/vcalm/wallet_flows.py ran the sessions, conformance/standards/vcalm/counterparty.py answered and noted
in each presentation step's `request.observed` what it asked for and what it saw of the presentation).

failed = what the wallet sent (or, for the storing rules, what it reported) breaks the rule; error = the sessions
could not run, or the driver could not reach the wallet; cantTell = the wallet never got as far as the message the
rule is about, the suite could not verify the presentation, or only the wallet (or a person) can say what it did;
error also when the suite's own verification raised.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards import live, wallets
from conformance.standards.live import at
from conformance.standards.vcalm.counterparty import SESSIONS

ROLE = "vcapi-wallet"
PROTOCOLS = tuple(s.name for s in SESSIONS if s.form == "protocols")
REQUEST = tuple(s.name for s in SESSIONS if s.form == "request")
ALL = tuple(s.name for s in SESSIONS)
QUERY = tuple(s.name for s in SESSIONS if s.asks_for)
ASKS_FOR = {s.name: s.asks_for for s in SESSIONS if s.asks_for}


def _service(subject: Subject, ctx: CheckContext) -> LiveSubject | Finding:
    return live.service(subject, ctx, ROLE, "the rule applies to a wallet tested over a VC API exchange")


def _presentations(subject: Subject, ctx: CheckContext, sessions: tuple[str, ...],
                   judge: Callable[[LiveSubject, Step, Mapping[str, Any]], Iterator[Finding]]
                   ) -> Iterator[Finding]:
    """Judge each presentation the wallet sent in the sessions; cantTell (or error) when it sent none."""
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    yield from wallets.each_request(service, ctx, sessions, "present", "presentation",
                                    lambda _, step: judge(service, step, wallets.observed(step)), "link")


def _where(service: LiveSubject, step: Step, member: str) -> str:
    return at(service, step, f"/request/observed/{member}")


# --- reaching the exchange ---------------------------------------------------------------------------------------

@check("VCALM-WALLET-starts-exchange")
def starts_exchange(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    absent: Finding | None = None
    seen = False
    for name in PROTOCOLS:
        steps, driver = wallets.session(service, name)
        if not steps:
            if wallets.finished(driver):
                yield ctx.fail(at(service, driver) if driver else "", expected="POST {} to the vcapi URL",
                               found=MISSING, message=f"session {name}: the wallet finishes without starting the "
                                                      "exchange the link's protocols.vcapi names")
                seen = True
            else:
                absent = wallets.absent(service, ctx, name, driver, "request", "link")
            continue
        seen = True
        first = steps[0]
        if first.name != "start" or wallets.observed(first).get("place") != "exchange":
            yield ctx.fail(at(service, first), expected="POST {} to the vcapi URL first",
                           found=f"{first.method} {first.url} ({first.name})",
                           message=f"{first.label}: the wallet's first request in session {name} is not a POST of "
                                   "an empty JSON object to the exchange URL the link names")
    if not seen and absent is not None:
        yield absent


@check("VCALM-WALLET-request-link")
def request_link(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    for name in REQUEST:
        steps, driver = wallets.session(service, name)
        if any(s.name == "present" and wallets.observed(s).get("place") == "exchange" and wallets.observed(s).get("presentation")
               for s in steps):
            continue
        if steps or wallets.finished(driver):
            where = at(service, steps[0]) if steps else at(service, driver) if driver else ""
            yield ctx.fail(where, expected="a DID authentication presentation POSTed to vc_request_url",
                           found=", ".join(f"{s.method} {s.name}" for s in steps) or MISSING,
                           message=f"session {name}: the wallet "
                           + ("sends no presentation to the link's vc_request_url" if steps
                              else "finishes without answering the link's vc_request_url"))
        else:
            yield wallets.absent(service, ctx, name, driver, "request", "link")


@check("VCALM-WALLET-follows-interact")
def follows_interact(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        if seen.get("place") != "interact":
            yield ctx.fail(at(service, step, "/url"), expected="the serviceEndpoint of interact.service",
                           found=step.url, message=f"{step.label}: the wallet answers the request at {step.url}; "
                                                   "expected the service endpoint the request's interact names")
    yield from _presentations(subject, ctx, PROTOCOLS, judge)


# --- the presentation --------------------------------------------------------------------------------------------

@check("VCALM-WALLET-vp-challenge")
def vp_challenge(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        found = seen.get("challenge")
        asked = _asked(step, "challenge")
        if found is None or found != asked:
            yield ctx.fail(_where(service, step, "challenge"), expected=str(asked),
                           found=MISSING if found is None else found,
                           message=f"{step.label}: the presentation's proof has challenge "
                                   f"{describe(found) if found is not None else 'absent'}; expected the one the "
                                   "suite asked for")
    yield from _presentations(subject, ctx, ALL, judge)


@check("VCALM-WALLET-vp-domain")
def vp_domain(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        found = seen.get("domain")
        asked = _asked(step, "domain")
        if found != asked and not (isinstance(found, list) and found == [asked]):
            yield ctx.fail(_where(service, step, "domain"), expected=str(asked),
                           found=MISSING if found is None else found,
                           message=f"{step.label}: the presentation's proof has domain "
                                   f"{describe(found) if found is not None else 'absent'}; expected {asked}")
    yield from _presentations(subject, ctx, PROTOCOLS, judge)


@check("VCALM-WALLET-vp-verifies")
def vp_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        if not seen.get("presentation"):
            yield ctx.fail(at(service, step, "/request/body"), expected="a verifiable presentation object",
                           found=seen.get("note", MISSING), message=f"{step.label}: the message carries no "
                                                                    "presentation object")
            return
        signature = wallets.verification(seen.get("signature"))
        where = _where(service, step, "signature")
        undecided = wallets.unverified(ctx, signature, where, f"{step.label}: the presentation's proof")
        if undecided is not None:
            yield undecided
        elif not signature.verifies or seen.get("proofPurpose") != "authentication":
            yield ctx.fail(where, expected="a proof with purpose authentication that verifies",
                           found=f"{signature.verdict}, purpose {describe(seen.get('proofPurpose', MISSING))}",
                           message=f"{step.label}: the presentation's proof "
                           + ("is absent" if not seen.get("proofs") else "does not verify" if not signature.verifies
                              else "has another purpose than authentication")
                           + (f" ({signature.note})" if signature.note and not signature.verifies else ""))
    yield from _presentations(subject, ctx, ALL, judge)


@check("VCALM-WALLET-vp-holder")
def vp_holder(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        holder, controller = seen.get("holder"), seen.get("controller")
        if not seen.get("presentation"):
            return                                    # VCALM-WALLET-vp-verifies says there is no presentation
        if not isinstance(holder, str) or not holder or holder != controller:
            yield ctx.fail(_where(service, step, "holder"), expected=f"holder {controller}, the DID whose key "
                           "signs the proof", found=MISSING if holder is None else holder,
                           message=f"{step.label}: the presentation's holder is "
                           + (describe(holder) if holder is not None else "absent")
                           + "; expected the DID of the verification method that signs it")
    yield from _presentations(subject, ctx, ALL, judge)


def _asked(step: Step, member: str) -> Any:
    """What the suite asked the proof to carry: noted beside the request as `challenge_asked` / `domain_asked`."""
    return wallets.observed(step).get(f"{member}_asked")


# --- what the wallet does with what it is given ------------------------------------------------------------------

def _stored(subject: Subject, ctx: CheckContext, session: str, want: bool) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, _ = wallets.session(service, session)
    delivered = next((s for s in steps if s.name == "present" and s.status == 200), None)
    yield from wallets.stored(service, ctx, session, want, delivered, "presentation to answer with a credential",
                              "link")


@check("VCALM-WALLET-accepts-credential")
def accepts_credential(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _stored(subject, ctx, "protocols-link", True)


@check("VCALM-WALLET-refuses-tampered-credential")
def refuses_tampered(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _stored(subject, ctx, "tampered-credential", False)


# --- answering a QueryByExample ----------------------------------------------------------------------------------

def _presented(seen: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credentials the exchange noted in the presentation (each: id, type, matches, signature)."""
    found = seen.get("credentials")
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


@check("VCALM-WALLET-query-by-example-answered")
def query_by_example_answered(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        matching = [c for c in _presented(seen) if c.get("matches") is True]
        signatures = [wallets.verification(c.get("signature")) for c in matching]
        if any(s.verifies for s in signatures):
            return
        undecided = next((wallets.unverified(ctx, s, _where(service, step, "credentials"),
                                             f"{step.label}: the credential that matches the example")
                          for s in signatures if not s.checked), None)
        if undecided is not None:
            yield undecided
            return
        if matching:
            yield ctx.fail(_where(service, step, "credentials"), expected="the matching credential with its proof "
                           "intact", found=", ".join(str(c.get("id")) for c in matching),
                           message=f"{step.label}: the credential that matches the example no longer verifies")
            return
        source = seen.get("example_of") or ASKS_FOR.get(step.flow, "")
        said = wallets.report(wallets.session(service, source)[1]) if source else {}
        if seen.get("example_of") is None or said.get("stored") is not True:
            yield ctx.cant_tell(f"{step.label}: the presentation carries no credential matching the example, and "
                                f"the wallet did not report storing the badge of session {source} the example "
                                "names, so it may hold nothing to answer with", _where(service, step, "credentials"))
            return
        yield ctx.fail(_where(service, step, "credentials"), expected=f"a credential matching the example "
                       f"(the badge of session {source}, id {describe((seen.get('example') or {}).get('id'))})",
                       found=", ".join(str(c.get("id")) for c in _presented(seen)) or MISSING,
                       message=f"{step.label}: the presentation carries no credential matching the QueryByExample; "
                               f"the wallet reported storing the badge of session {source} it names")
    yield from _presentations(subject, ctx, QUERY, judge)


@check("VCALM-WALLET-only-requested-credentials")
def only_requested_credentials(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, seen: Mapping[str, Any]) -> Iterator[Finding]:
        extra = [c for c in _presented(seen) if c.get("matches") is not True]
        total = seen.get("credentials_total")
        if isinstance(total, int) and total > len(_presented(seen)):
            extra.append({"id": f"{total - len(_presented(seen))} more not looked at"})
        if extra:
            yield ctx.fail(_where(service, step, "credentials"), expected="only credentials matching the example",
                           found=", ".join(str(c.get("id")) for c in extra),
                           message=f"{step.label}: the presentation carries {len(extra)} credential(s) the "
                                   "QueryByExample does not ask for")
    yield from _presentations(subject, ctx, QUERY, judge)
