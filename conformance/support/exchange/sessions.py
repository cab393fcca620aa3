"""The one way the suite runs sessions as a counter-party (an issuer, verifier, exchange server or host for the
wallet or client application under test): read the service's options and driver, serve the protocol's routes,
hand each session's link through the driver, and return every request the other side made as the transcript.

A protocol's wallet flows (`wallet_flows.py` in its package) only say what differs: the routes, which parties need
the running server, and the sessions. Options or a driver the suite cannot use end the run before any server
starts, as the transcript's setup error."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from conformance.core.transcript import Transcript
from conformance.support.exchange.drivers import Driver, driver_from
from conformance.support.exchange.server import CounterpartyOptions, CounterpartyServer, Route

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

Sessions = Callable[[CounterpartyServer, Driver, float], None]     # the server, the driver, each session's timeout


class Party(Protocol):
    """A counter-party of the protocol (a test issuer, verifier, exchange or host): it needs the running server to
    name its own URLs."""

    server: CounterpartyServer | None


def run_as_counterparty(subject: ServiceSubject, *, name: str, what: str, routes: Sequence[Route],
                        parties: Sequence[Party], sessions: Sessions,
                        validate: Callable[[Mapping[str, Any]], object] = lambda options: None) -> Transcript:
    """Serve `routes` as `name` (in errors: "the oid4vci-wallet-test-issuer"), give the `parties` the server, and
    run `sessions` through the service's driver; `what` names the server in the transcript's messages ("test
    issuer"). `validate` may refuse the service's options with a ValueError."""
    service = subject.service
    try:
        options = CounterpartyOptions.from_options(service.options)
        validate(service.options)
        driver = driver_from(service.driver, subject.client, service)
    except ValueError as exc:
        return Transcript((), setup_error=str(exc))
    server = CounterpartyServer(routes, options, name=name)
    for party in parties:
        party.server = server
    return server.run(what, lambda: sessions(server, driver, options.timeout_s))
