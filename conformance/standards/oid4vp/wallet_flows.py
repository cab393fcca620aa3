"""OpenID4VP 1.0 flows with the suite as the verifier and the wallet under test (role "oid4vp-wallet").

targets.toml:

    [[service]]
    role = "oid4vp-wallet"
    endpoint = "https://wallet.example"       # names the wallet
    driver = { url = "https://wallet.example/test-hooks/offer" }   # or { command = [...] } or { interactive = true }
    options = { timeout_s = 60 }              # per session; listen / public_url as for oid4vci-wallet

Before it asks, the suite gives the wallet something to present: it issues an Open Badges 3.0 credential through
the counter-party core's OpenID4VCI issuer (session "issue", pre-authorized code, handed over by the same driver).
That needs no import hook and works with any wallet that can be tested as an oid4vci-wallet; the rules judge the
presented credential against the one issued in this run.

Then it runs the sessions of conformance/standards/oid4vp/counterparty.py one after another on the same server (one
valid request, then the hostile ones), hands each openid4vp:// URL to the wallet through the driver, and records
the driver's answer as the session's "driver" step. A wallet's report for a presentation is {"presented": bool,
"error": "why not"} (the driver convention, like {"stored": ...} for offers); the rules do not depend on it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.core.checks import flows
from conformance.core.transcript import Transcript
from conformance.standards.oid4vci.counterparty import Session as IssueSession
from conformance.standards.oid4vci.counterparty import WalletTestIssuer, tx_code_noted
from conformance.standards.oid4vp.counterparty import SESSIONS, WalletTestVerifier
from conformance.support.exchange.drivers import Driver, asked, hand
from conformance.support.exchange.server import Answer, Call, CounterpartyServer, Route
from conformance.support.exchange.sessions import run_as_counterparty

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

ISSUE = IssueSession("issue")


def keeping(issuer: WalletTestIssuer, kept: list[Any]) -> list[Route]:
    """The issuer's routes, with every credential it hands out kept (the presented one is compared with it)."""
    def credential(call: Call) -> Answer:
        answer = issuer.credential(call)
        entries = answer.body.get("credentials") if isinstance(answer.body, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "credential" in entry:
                kept.append(entry["credential"])
        return answer
    return [Route(r.path, r.methods, credential) if r.path.endswith("/credential") else r for r in issuer.routes()]


def issue_into(server: CounterpartyServer, issuer: WalletTestIssuer, driver: Any, timeout_s: float) -> None:
    """Session "issue": hand the wallet an offer so it holds a credential of this run."""
    offer, tx_code = issuer.open(ISSUE)
    hand(server, driver, ISSUE.name, offer, asked(ISSUE.name, "credential"), timeout_s, tx_code=tx_code,
         noted=tx_code_noted(ISSUE.name, tx_code))


@flows("oid4vp-wallet")
def run(subject: ServiceSubject) -> Transcript:
    issuer = WalletTestIssuer(subject.env.verifier.canonicalizer)
    verifier = WalletTestVerifier(subject.env)

    def sessions(server: CounterpartyServer, driver: Driver, timeout_s: float) -> None:
        issue_into(server, issuer, driver, timeout_s)
        for session in SESSIONS:
            hand(server, driver, session.name, verifier.open(session), asked(session.name, "response"), timeout_s)
    return run_as_counterparty(subject, name="oid4vp-wallet-test-verifier", what="test verifier",
                               routes=[*keeping(issuer, verifier.issued), *verifier.routes()],
                               parties=[issuer, verifier], sessions=sessions)
