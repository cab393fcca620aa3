"""OID4VP-WALLET checks: pure reads of what a wallet did with the suite's presentation requests (role
"oid4vp-wallet"; conformance/standards/oid4vp/wallet_flows.py ran the sessions, conformance/standards/oid4vp/counterparty.py
answered and noted what it verified in each response step's `request.observed`).

failed = what the wallet sent breaks the rule; error = the sessions could not run, the driver could not reach the
wallet, or the suite's own verification raised; cantTell = the wallet never got as far as the request the rule is
about, the suite cannot verify what it sent (a mechanism it does not support, a key it cannot obtain), or (for the
refusal rules) it presented nothing even when asked properly, so a refusal shows nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards import live, wallets
from conformance.standards.live import at
from conformance.standards.oid4vp.counterparty import PRESENT, QUERY_ID

ROLE = "oid4vp-wallet"
FORM = "application/x-www-form-urlencoded"


def _service(subject: Subject, ctx: CheckContext) -> LiveSubject | Finding:
    return live.service(subject, ctx, ROLE, "the rule applies to a wallet tested over OpenID4VP")


def _presented(step: Step) -> bool:
    """The response step carries a vp_token (whatever its shape)."""
    return step.name == "response" and wallets.observed(step).get("entries", "absent") != "absent"


def _answer(service: LiveSubject) -> tuple[Step | None, Step | None]:
    """(the wallet's first answer at the response_uri in the valid session, the session's driver step)."""
    steps, driver = wallets.session(service, PRESENT.name)
    return next((s for s in steps if s.name == "response"), None), driver


Judge = Callable[[LiveSubject, Step, int, dict[str, Any]], Iterator[Finding]]


def _presentations(subject: Subject, ctx: CheckContext, judge: Judge) -> Iterator[Finding]:
    """Judge each presentation of the valid session's answer; cantTell (or error) when there is none."""
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    step, driver = _answer(service)
    facts = wallets.observed(step).get("presentations") if step is not None else None
    if step is None:
        yield wallets.absent(service, ctx, PRESENT.name, driver, "answer at the response_uri")
        return
    if not isinstance(facts, list) or not facts:
        yield ctx.cant_tell(f"{step.label}: the answer carries no presentation to judge", at(service, step))
        return
    for index, fact in enumerate(facts):
        if isinstance(fact, dict):
            yield from judge(service, step, index, fact)


def _where(service: LiveSubject, step: Step, index: int, rest: str = "") -> str:
    return at(service, step, f"/request/observed/presentations/{index}{rest}")


@check("OID4VP-WALLET-request-object-fetched")
def request_object_fetched(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, driver = wallets.session(service, PRESENT.name)
    fetched = [s for s in steps if s.name == "request-object"]
    if any(s.method == "GET" for s in fetched):
        return
    if fetched:
        yield ctx.fail(at(service, fetched[0], "/method"), expected="GET (the request names no request_uri_method)",
                       found=fetched[0].method, message=f"{fetched[0].label}: the wallet fetches the request object "
                       f"with {fetched[0].method}; expected GET, as the request names no request_uri_method")
    elif any(s.name == "response" for s in steps) or wallets.finished(driver):
        where = next((at(service, s) for s in steps if s.name == "response"), at(service, driver) if driver else "")
        yield ctx.fail(where, expected="GET of the request_uri before answering", found=MISSING,
                       message=f"session {PRESENT.name}: the wallet "
                       + ("answers" if steps else "finishes the session") + " without fetching the request object "
                       "its request_uri names")
    else:
        yield wallets.absent(service, ctx, PRESENT.name, driver, "request")


@check("OID4VP-WALLET-response-vp-token")
def response_vp_token(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    step, driver = _answer(service)
    if step is None:
        if wallets.finished(driver) and driver is not None:
            yield ctx.fail(at(service, driver), expected="a direct_post to the response_uri", found=MISSING,
                           message=f"session {PRESENT.name}: the wallet finishes without answering at the "
                                   "response_uri")
        else:
            yield wallets.absent(service, ctx, PRESENT.name, driver, "answer at the response_uri")
        return
    observed = wallets.observed(step)
    kind = observed.get("media_type") or MISSING
    if kind != FORM:
        yield ctx.fail(at(service, step, "/request/headers/content-type"), expected=FORM, found=kind,
                       message=f"{step.label}: the answer is sent as {describe(kind)}; expected a form ({FORM})")
        return
    entries = observed.get("entries", "absent")
    if entries == "absent":
        error = observed.get("error")
        yield ctx.fail(at(service, step, "/request/body"), expected="a vp_token", found=MISSING,
                       message=f"{step.label}: the answer to a valid request carries no vp_token"
                       + (f" (error {error!r})" if error else ""))
    elif not isinstance(entries, dict):
        yield ctx.fail(at(service, step, "/request/observed/entries"),
                       expected=f"a JSON object keyed by the credential query id {QUERY_ID}", found=entries,
                       message=f"{step.label}: vp_token is {entries}; expected a JSON object keyed by the DCQL "
                               f"credential query id {QUERY_ID}")
    elif not isinstance(entries.get(QUERY_ID), int) or entries[QUERY_ID] < 1:
        yield ctx.fail(at(service, step, f"/request/observed/entries/{QUERY_ID}"),
                       expected=f"a non-empty array of presentations under {QUERY_ID}",
                       found=entries.get(QUERY_ID, MISSING),
                       message=f"{step.label}: vp_token has no non-empty array under the credential query id "
                               f"{QUERY_ID} (its members: {', '.join(entries) or 'none'})")


def _proof_carries(subject: Subject, ctx: CheckContext, member: str, source: str, wanted: str,
                   expected: str) -> Iterator[Finding]:
    """Each presentation's proof carries the request's `source` value (noted "`source`" by the verifier) as
    `member`."""
    def judge(service: LiveSubject, step: Step, index: int, fact: dict[str, Any]) -> Iterator[Finding]:
        if fact.get(member) != source:
            found = fact.get(member, MISSING)
            yield ctx.fail(_where(service, step, index, f"/{member}"), expected=wanted, found=found,
                           message=f"{step.label}: presentation {index}'s proof has "
                           + (f"no {member}" if found in ("absent", MISSING) else f"a {member} other than the {source}")
                           + f"; expected {expected}")
    yield from _presentations(subject, ctx, judge)


@check("OID4VP-WALLET-presentation-challenge")
def presentation_challenge(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _proof_carries(subject, ctx, "challenge", "nonce", "the request's nonce", "the request's nonce")


@check("OID4VP-WALLET-presentation-domain")
def presentation_domain(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _proof_carries(subject, ctx, "domain", "client_id", "the request's client_id",
                              "the client_id, prefix included")


@check("OID4VP-WALLET-holder-binding")
def holder_binding(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, fact: dict[str, Any]) -> Iterator[Finding]:
        if "shape" in fact:
            yield ctx.fail(_where(service, step, index), expected="an ldp_vp JSON object", found=fact["shape"],
                           message=f"{step.label}: presentation {index} is {fact['shape']}")
            return
        if not fact.get("signed"):
            yield ctx.fail(_where(service, step, index, "/signed"), expected="a proof by the holder", found=False,
                           message=f"{step.label}: presentation {index} carries no proof")
            return
        seen = wallets.verification(fact.get("signature"))
        where = _where(service, step, index, "/signature")
        undecided = wallets.unverified(ctx, seen, where, f"{step.label}: presentation {index}'s proof")
        if undecided is not None:
            yield undecided
            return
        if not seen.verifies:
            yield ctx.fail(where, expected="a proof that verifies", found=seen.verdict,
                           message=f"{step.label}: presentation {index}'s proof does not verify: {seen.note}")
            return
        signer = fact.get("signer")
        subjects = {c.get("subject") for c in fact.get("credentials", []) if isinstance(c, dict)}
        holder = fact.get("holder")
        if not subjects or subjects != {signer} or (holder is not None and holder != signer):
            yield ctx.fail(_where(service, step, index, "/signer"),
                           expected="the DID the credential is bound to (credentialSubject.id)", found=signer,
                           message=f"{step.label}: presentation {index} is signed by {signer}, not by the holder the "
                                   f"credential names ({', '.join(sorted(str(s) for s in subjects)) or 'none'})")
    yield from _presentations(subject, ctx, judge)


@check("OID4VP-WALLET-credential-unchanged")
def credential_unchanged(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, fact: dict[str, Any]) -> Iterator[Finding]:
        if not wallets.observed(step).get("issued_count"):
            yield ctx.cant_tell(f"{step.label}: the suite issued no credential to this wallet in the issue session, "
                                "so there is nothing to compare the presented one with", at(service, step))
            return
        credentials = fact.get("credentials", [])
        if not credentials:
            yield ctx.fail(_where(service, step, index, "/credentials"), expected="the credential the suite issued",
                           found=MISSING, message=f"{step.label}: presentation {index} carries no credential")
        for number, entry in enumerate(credentials):
            where = _where(service, step, index, f"/credentials/{number}")
            expected = "the issued credential, byte for byte in canonical JSON, with a proof that verifies"
            if not isinstance(entry, dict) or not entry.get("issued"):
                yield ctx.fail(where, expected=expected, found=entry,
                               message=f"{step.label}: presentation {index} credential {number} is not the "
                                       "credential the suite issued (canonical JSON differs)")
                continue
            seen = wallets.verification(entry.get("signature"))
            undecided = wallets.unverified(ctx, seen, where + "/signature",
                                           f"{step.label}: presentation {index} credential {number}")
            if undecided is not None:
                yield undecided
            elif not seen.verifies:
                yield ctx.fail(where + "/signature", expected=expected, found=seen.verdict,
                               message=f"{step.label}: presentation {index} credential {number} does not verify: "
                                       f"{seen.note}")
    yield from _presentations(subject, ctx, judge)


@check("OID4VP-WALLET-only-requested")
def only_requested(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    step, driver = _answer(service)
    if step is None:
        yield wallets.absent(service, ctx, PRESENT.name, driver, "answer at the response_uri")
        return
    observed = wallets.observed(step)
    entries = observed.get("entries")
    if not isinstance(entries, dict):
        yield ctx.cant_tell(f"{step.label}: vp_token is not a JSON object keyed by query ids, so what was sent "
                            "cannot be matched to what was asked", at(service, step))
        return
    extra = sorted(k for k in entries if k != QUERY_ID)
    if extra:
        yield ctx.fail(at(service, step, "/request/observed/entries"), expected=f"only {QUERY_ID}", found=extra,
                       message=f"{step.label}: vp_token answers queries the request never made: {', '.join(extra)}")
    count = entries.get(QUERY_ID)
    if isinstance(count, int) and count > 1:
        yield ctx.fail(at(service, step, f"/request/observed/entries/{QUERY_ID}"), expected="one presentation "
                       "(the query does not allow multiple)", found=count,
                       message=f"{step.label}: vp_token holds {count} presentations for {QUERY_ID}; the query asks "
                               "for one")


@check("OID4VP-WALLET-state-echoed")
def state_echoed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    step, driver = _answer(service)
    if step is None:
        yield wallets.absent(service, ctx, PRESENT.name, driver, "answer at the response_uri")
        return
    state = wallets.observed(step).get("state", MISSING)
    if state != "echoed":
        yield ctx.fail(at(service, step, "/request/body/state"), expected="the request's state", found=state,
                       message=f"{step.label}: the answer's state is "
                       + ("absent" if state in ("absent", MISSING) else "not the request's") + "; expected the "
                       "state the request gave")


def _refuses(subject: Subject, ctx: CheckContext, session: str, what: str) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, driver = wallets.session(service, session)
    posted = [s for s in steps if _presented(s)]
    if posted:
        yield ctx.fail(at(service, posted[0], "/request/observed/entries"), expected="no presentation (no answer, "
                       "or an error response)", found="a vp_token",
                       message=f"{posted[0].label}: the wallet presents although {what}")
        return
    valid, _ = _answer(service)
    if valid is None or not _presented(valid):
        yield ctx.cant_tell(f"session {session}: the wallet presents nothing even for the valid request, so its "
                            f"silence here shows nothing about whether it notices that {what}")
        return
    engaged = any(s.name == "request-object" for s in steps) or any(s.name == "response" for s in steps)
    if not engaged and not wallets.finished(driver):
        yield wallets.absent(service, ctx, session, driver, "request")


@check("OID4VP-WALLET-refuses-wrong-signer")
def refuses_wrong_signer(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refuses(subject, ctx, "wrong-signer",
                        "the request object is signed by another key than the client identifier's DID")


@check("OID4VP-WALLET-refuses-foreign-response-uri")
def refuses_foreign_response_uri(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refuses(subject, ctx, "foreign-response-uri",
                        "the response_uri is on another origin than the redirect_uri: client identifier")


@check("OID4VP-WALLET-refuses-missing-nonce")
def refuses_missing_nonce(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refuses(subject, ctx, "no-nonce", "the request carries no nonce")


@check("OID4VP-WALLET-refuses-unsupported-response-mode")
def refuses_unsupported_response_mode(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refuses(subject, ctx, "unknown-response-mode", "the request names a response_mode no wallet supports")
