"""Readers for what a wallet under test did, as the suite's counter-party server recorded it (support/exchange/server.py, with each protocol's counterparty.py):
shared by the wallet-side rules of every protocol (OID4VCI-WALLET, OID4VP-WALLET, VCALM-WALLET, WALLETPORT).

A session's steps are the wallet's requests to the suite (each with the facts the server noted beside it under
`observed`) and one `driver` step: how the suite handed the wallet its offer, link or request, and the wallet's own
report (`{"stored": bool, "error": ...}`) when the driver gives one. An interactive driver observes nothing
(`expect.observes` is false): what only the wallet knows comes to cantTell for a person to review.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.core.checks import MISSING, CheckContext
from conformance.core.findings import Finding
from conformance.core.transcript import LiveSubject, Observation, Step
from conformance.standards.live import at


def session(service: LiveSubject, name: str) -> tuple[tuple[Step, ...], Step | None]:
    """(the wallet's requests in the session, the driver step)."""
    steps = service.flow(name)
    return tuple(s for s in steps if s.name != "driver"), next((s for s in steps if s.name == "driver"), None)


def observes(driver: Step | None) -> bool:
    """The driver can report what the wallet did (not a person scanning a QR code)."""
    return driver is not None and bool(driver.expect.get("observes", True))


def finished(driver: Step | None) -> bool:
    """The wallet said it is done with the session (the driver returned, nothing timed out)."""
    return observes(driver) and driver is not None and driver.error is None


def observed(step: Step) -> dict[str, Any]:
    """The facts the counter-party server noted beside a request (the decoded proof, what it asked for, ...)."""
    request = step.request if isinstance(step.request, dict) else {}
    value = request.get("observed")
    return value if isinstance(value, dict) else {}


def verification(value: Any) -> Observation:
    """A verification the counter-party server recorded (conformance/support/exchange/observations.py)."""
    return Observation.read(value)


def unverified(ctx: CheckContext, seen: Observation, at: str, what: str) -> Finding | None:
    """The finding for `what` the suite could not verify, or None when it decided (the rule then judges "verifies"
    or "does not verify" itself). The suite's own limit is never the wallet's defect: a mechanism it does not support
    is cantTell as its limitation, anything else it could not obtain is cantTell, and where the suite itself stopped
    (its exception, a work bound, a context it does not hold) it is error."""
    if seen.checked:
        return None
    if seen.stopped:
        return ctx.error(f"{what}: the suite cannot verify it ({seen.note})", at)
    if seen.unsupported:
        return ctx.unsupported(seen.unsupported, at, why=f"{what} cannot be verified" +
                               (f" ({seen.note})" if seen.note else ""))
    return ctx.cant_tell(f"{what}: the suite cannot verify it ({seen.note or 'no reason given'})", at)


def report(driver: Step | None) -> dict[str, Any]:
    """The wallet's own report through its driver ({} when there is none)."""
    return driver.body if driver is not None and isinstance(driver.body, dict) else {}


def absent(service: LiveSubject, ctx: CheckContext, name: str, driver: Step | None, what: str,
           handed: str = "offer") -> Finding:
    """Nothing of `what` in the session: error when the driver could not reach the wallet, else cantTell."""
    if driver is not None and driver.error is not None and driver.error != "timeout" and observes(driver):
        return ctx.error(f"session {name}: the driver cannot hand the wallet its {handed}: {driver.message}",
                         at(service, driver))
    return ctx.cant_tell(f"session {name}: the wallet makes no {what}, so there is nothing to judge"
                         + (f" ({driver.message})" if driver is not None and driver.message else ""))


def each_request(service: LiveSubject, ctx: CheckContext, sessions: tuple[str, ...], name: str, what: str,
                 judge: Callable[[str, Step], Iterator[Finding]], handed: str = "offer") -> Iterator[Finding]:
    """Judge every request called `name` the wallet made in `sessions` (judge(session, step)); when it made none, say
    why (`absent`, for the last session whose driver step tells most)."""
    judged = 0
    last: tuple[str, Step | None] = (sessions[0], None)
    for session_name in sessions:
        steps, driver = session(service, session_name)
        last = (session_name, driver) if last[1] is None or driver is not None else last
        for step in steps:
            if step.name == name:
                judged += 1
                yield from judge(session_name, step)
    if not judged:
        yield absent(service, ctx, last[0], last[1], what, handed)


def stored(service: LiveSubject, ctx: CheckContext, name: str, want: bool, delivered: Step | None, what: str,
           handed: str = "offer") -> Iterator[Finding]:
    """Whether the wallet kept (`want`) or refused the credential the suite delivered in `delivered`, by its report.

    No delivery: when a credential was wanted and the wallet says it is done having stored nothing, it gave up on a
    conformant session (failed); otherwise there is nothing to judge (`absent`)."""
    driver = session(service, name)[1]
    said = report(driver)
    if delivered is None:
        if want and finished(driver) and said.get("stored") is False:
            yield ctx.fail(at(service, driver, "/response/body/stored"), expected="the wallet completes the session "
                           "and stores the credential", found=False,
                           message=f"session {name}: the wallet stops before the credential is delivered and reports "
                           "it stored nothing" + (f" ({said.get('error')})" if said.get("error") else ""))
        else:
            yield absent(service, ctx, name, driver, what, handed)
        return
    if driver is None or not observes(driver):
        yield ctx.cant_tell(f"session {name}: only the wallet knows whether it stored the credential and it gives no "
                            "report in this mode; a person should check that the wallet "
                            + ("shows the badge and asked the holder to consent" if want
                               else "holds no credential from this session"), at(service, delivered))
        return
    kept = said.get("stored", MISSING)
    if not isinstance(kept, bool):
        if driver.error is not None:
            yield ctx.error(f"session {name}: the driver gives no report: {driver.message}", at(service, driver))
        else:
            yield ctx.cant_tell(f"session {name}: the driver's answer has no boolean stored member, so the suite "
                                "cannot tell what the wallet did with the credential", at(service, driver, "/response"))
    elif kept is not want:
        yield ctx.fail(at(service, driver, "/response/body/stored"), expected=str(want).lower(), found=kept,
                       message=f"session {name}: the wallet reports it " + ("stored" if kept else "did not store")
                       + " the credential; expected it " + ("to store it" if want else "to refuse it")
                       + (f" ({said.get('error')})" if said.get("error") else ""))
