"""Open Badges 3.0 and CLR 2.0 client applications under test (roles "ob-client" and "clr-client"): the suite plays
the host (conformance/standards/ob/api_v3_0/counterparty.py) and the application connects to it, as the 1EdTech Issuer
(credential.upsert) and Displayer (credential.readonly, profile.readonly) certification roles do.

targets.toml:

    [[service]]
    role = "ob-client"                         # or "clr-client" (the CLR 2.0 API on /ims/clr/v2p0)
    endpoint = "https://app.example"           # names the application (its driver URL, or any URL naming it)
    driver = { url = "https://app.example/test-hooks/connect" }   # or { command = [...] } or { interactive = true }
    options = { app = "issuer", timeout_s = 60 }    # app: issuer | displayer | both (what the application does)

The suite serves the host on 127.0.0.1 (or options.listen / public_url, as for wallets) and hands the application
the host's discovery URL through the driver (`{url}`; the url driver POSTs {"url": discovery}). The application
reads discovery, registers, sends the learner's browser to the authorization endpoint (which approves at once and
redirects to the registered redirect_uri with code and state: a headless application follows the redirect itself),
exchanges the code, then upserts a credential (issuer) or reads the credentials page by page and the profile
(displayer), and reports {"done": true} or {"done": false, "error": "why"}. In interactive mode a person gives the
URL to the application; the suite waits until the application has done its part, Enter is pressed, or the timeout.

The transcript is every request the application made (flow "app", name = the endpoint) and the "driver" step.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.standards.ob.api_v3_0.counterparty import FLOW, ClientTestHost
from conformance.standards.ob.api_v3_0.flows import CLR20, OB30, ApiFlavour
from conformance.support.exchange.drivers import Driver, hand
from conformance.support.exchange.server import CounterpartyServer
from conformance.support.exchange.sessions import run_as_counterparty

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

CLIENT_FLAVOURS: dict[str, ApiFlavour] = {OB30.client_role: OB30, CLR20.client_role: CLR20}
APP_KINDS = ("issuer", "displayer", "both")


def app_kind(options: object) -> str:
    """What the application does (options.app; ValueError for anything else)."""
    value = options.get("app", "issuer") if isinstance(options, dict) else "issuer"
    if value not in APP_KINDS:
        raise ValueError(f"options.app is {value!r}; expected one of {', '.join(APP_KINDS)}")
    return str(value)


def finished(kind: str) -> Callable[[tuple[Step, ...]], bool]:
    """When an interactive session is over without a word from the application: it did its part."""
    def done(steps: tuple[Step, ...]) -> bool:
        names = {s.name for s in steps if s.flow == FLOW and s.status is not None and s.status < 300}
        wrote = "upsert" in names
        read = "credentials" in names and "profile" in names
        return wrote and read if kind == "both" else wrote if kind == "issuer" else read
    return done


@flows("ob-client", "clr-client")
def run(subject: ServiceSubject) -> Transcript:
    service = subject.service
    host = ClientTestHost(CLIENT_FLAVOURS[service.role], subject.env.verifier.canonicalizer)

    def session(server: CounterpartyServer, driver: Driver, timeout_s: float) -> None:
        app = app_kind(dict(service.options))
        hand(server, driver, FLOW, host.discovery_url, finished(app), timeout_s, noted={"app": app})
    return run_as_counterparty(subject, name=f"{service.role}-test-host", what="test host", routes=host.routes(),
                               parties=[host], sessions=session, validate=lambda options: app_kind(dict(options)))
