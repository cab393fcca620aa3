"""VC API exchanges with the suite as the exchange server and the wallet under test as the exchange client
(role "vcapi-wallet"), reached by the deep links the DCC Learner Credential Wallet understands.

targets.toml:

    [[service]]
    role = "vcapi-wallet"
    endpoint = "https://wallet.example"       # names the wallet (its driver URL, or any URL that identifies it)
    driver = { url = "https://wallet.example/test-hooks/offer" }   # or { command = [...] } or { interactive = true }
    options = { timeout_s = 60 }              # per session; listen / public_url for a phone on the LAN (see
                                              # conformance/support/exchange/server.py)

The suite serves conformance/standards/vcalm/counterparty.py on 127.0.0.1 (or options.listen) and runs its SESSIONS
one after another: it opens the exchange, hands the wallet the session's deep link through the driver
(conformance/support/exchange/drivers.py; `{url}` is the link, `{tx_code}` is empty) and records the driver's answer as
the session's "driver" step. The transcript is every request the wallet made (flow = session name, name = start,
present, get, garbage or unexpected) plus the driver steps, in the order they finished.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.core.checks import flows
from conformance.core.transcript import Transcript
from conformance.standards.vcalm.counterparty import SESSIONS, WalletTestExchange
from conformance.support.exchange.drivers import Driver, asked, hand
from conformance.support.exchange.server import CounterpartyServer
from conformance.support.exchange.sessions import run_as_counterparty

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject


@flows("vcapi-wallet")
def run(subject: ServiceSubject) -> Transcript:
    exchange = WalletTestExchange(subject.env)

    def sessions(server: CounterpartyServer, driver: Driver, timeout_s: float) -> None:
        for session in SESSIONS:      # an interactive session is over once the wallet presented (and got its badge)
            hand(server, driver, session.name, exchange.open(session), asked(session.name, "present"),
                 timeout_s, noted={"form": session.form})
    return run_as_counterparty(subject, name="vcapi-wallet-test-exchange", what="test exchange",
                               routes=exchange.routes(), parties=[exchange], sessions=sessions)
