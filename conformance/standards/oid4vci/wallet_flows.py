"""OpenID4VCI 1.0 flows with the suite as the credential issuer and the wallet under test (role "oid4vci-wallet").

targets.toml:

    [[service]]
    role = "oid4vci-wallet"
    endpoint = "https://wallet.example"       # names the wallet (its driver URL, or any URL that identifies it)
    driver = { url = "https://wallet.example/test-hooks/offer" }   # or { command = [...] } or { interactive = true }
    options = { timeout_s = 60 }              # per session; listen / public_url for a phone on the LAN (see
                                              # conformance/support/exchange/server.py)

The suite serves conformance/standards/oid4vci/counterparty.py on 127.0.0.1 (or options.listen) and runs the sessions
in SESSIONS one after another: it opens the session, hands the offer to the wallet through the driver
(conformance/support/exchange/drivers.py) and records the driver's answer as the session's "driver" step. The
transcript is every request the wallet made (flow = session name, name = the endpoint) plus the driver steps, in
the order they finished. The whole run takes at most the sessions' timeouts together.

What the suite observes is only what the wallet asks of it; whether the wallet stored or refused a credential it
received is the wallet's own report through the driver (see drivers.py), and nothing at all in interactive mode.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.core.checks import flows
from conformance.core.transcript import Transcript
from conformance.standards.oid4vci.counterparty import SESSIONS, WalletTestIssuer, tx_code_noted
from conformance.support.exchange.drivers import Driver, asked, hand
from conformance.support.exchange.server import CounterpartyServer
from conformance.support.exchange.sessions import run_as_counterparty

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject


@flows("oid4vci-wallet")
def run(subject: ServiceSubject) -> Transcript:
    issuer = WalletTestIssuer(subject.env.verifier.canonicalizer)

    def sessions(server: CounterpartyServer, driver: Driver, timeout_s: float) -> None:
        for session in SESSIONS:      # an interactive session is over once the wallet asked for its credential
            offer, tx_code = issuer.open(session)
            hand(server, driver, session.name, offer, asked(session.name, "credential"), timeout_s,
                 tx_code=tx_code, noted=tx_code_noted(session.name, tx_code))
    return run_as_counterparty(subject, name="oid4vci-wallet-test-issuer", what="test issuer",
                               routes=issuer.routes(), parties=[issuer], sessions=sessions)
