"""How the suite hands an offer (a URL: openid-credential-offer://..., later openid4vp://... or a VC API deep link)
to the wallet under test. targets.toml names one driver per wallet service:

    driver = { command = ["my-wallet-cli", "accept", "{url}", "--pin", "{tx_code}"], env = ["MY_WALLET_HOME"] }
        run without a shell, `{url}` and `{tx_code}` substituted (tx_code "" when the offer has none); bounded by
        the session timeout (the process is killed after it); stdout and stderr are kept (first 4 KiB each,
        secrets redacted). If the last non-empty stdout line is a JSON object, it is the wallet's report.
        Only when the run allows it (--allow-driver-commands: a targets file is the vendor's, and the command is
        code run on the tester's machine), in an environment of PATH, HOME, LANG, LC_*, TMPDIR and the variables
        `env` lists, never one another service authenticates with (support/exchange/service.py CommandPolicy).
    driver = { url = "http://127.0.0.1:9000/offer" }
        POST {"url": offer, "tx_code": ...} as JSON through the run's guarded client; the JSON answer is the
        wallet's report.
    driver = { interactive = true }
        the offer URL, the transaction code and a QR code are printed to stderr for a person with a phone; the
        suite waits until the wallet asks for its credential, Enter is pressed, or the timeout passes.

The wallet's report is our own small convention: {"stored": true|false, "error": "why not"}. It is the only
evidence of what a wallet did with a credential it received (stored it or refused it): the suite cannot see inside
the wallet. The checks say so: a rule that needs the report is cantTell without one (always in interactive mode,
where a person must look at the wallet instead).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from conformance.core.transcript import Step
from conformance.support.exchange.budget import remaining
from conformance.support.exchange.server import CounterpartyServer
from conformance.support.exchange.service import CommandPolicy, ServiceConfig
from conformance.support.exchange.transcript import MAX_TEXT
from conformance.support.net import FetchError, GuardedClient, redact_url

MAX_OUTPUT = 4096
Finished = Callable[[tuple[Step, ...]], bool]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What came of handing one offer to the wallet (recorded as the session's "driver" step)."""

    status: int | None = None                  # HTTP status (url driver) or exit code (command driver)
    report: Mapping[str, Any] | None = None    # the wallet's own report, when it gave one
    output: str = ""                           # stdout/stderr or a non-JSON answer, bounded and redacted
    error: str | None = None                   # "timeout", a FetchReason value, "not-started"
    message: str = ""
    observes: bool = True                      # False: only a person can see what the wallet did


class Driver(Protocol):
    kind: str
    label: str

    def deliver(self, server: CounterpartyServer, offer: str, tx_code: str | None, finished: Finished,
                timeout_s: float) -> Delivery: ...


def delivery_step(server: CounterpartyServer, flow: str, driver: Driver, link: str, delivery: Delivery,
                  **noted: object) -> Step:
    """A session's "driver" step: what the suite handed the wallet (scrubbed of the secrets it gave out, plus what
    the caller `noted`, e.g. the link's form) and what came back (the wallet's report, its output, or the failure)."""
    return Step(flow=flow, name="driver", method="DELIVER", url=driver.label,
                request={"driver": driver.kind, "offer": server.scrub(link), **noted}, status=delivery.status,
                body=server.scrub(dict(delivery.report)) if delivery.report else None,
                text=delivery.output[:MAX_TEXT], error=delivery.error, message=delivery.message,
                expect={"observes": delivery.observes})


def asked(flow: str, name: str) -> Finished:
    """A session is over once the implementation made the request called `name` in it (what an interactive run
    waits for, having no report)."""
    return lambda steps: any(s.flow == flow and s.name == name for s in steps)


def hand(server: CounterpartyServer, driver: Driver, flow: str, link: str, until: Finished, timeout_s: float, *,
         tx_code: str | None = None, noted: Mapping[str, object] | None = None) -> None:
    """Hand the implementation `link` (and a transaction code) through its driver and record the session's driver
    step, with what the caller `noted` beside the link (never a secret's value). The wait ends by the flows' time
    budget (live/budget.py) when that comes first."""

    left = remaining(timeout_s)
    if left <= 0:           # the budget is spent: no program is started and no link handed (the run notes why)
        return
    delivery = driver.deliver(server, link, tx_code, until, left)
    server.record(delivery_step(server, flow, driver, link, delivery, **(noted or {})))


def _report(text: str) -> Mapping[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        if line.strip():
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


@dataclass(frozen=True, slots=True)
class CommandDriver:
    argv: tuple[str, ...]
    commands: CommandPolicy = field(default_factory=CommandPolicy)    # refused unless the run allows programs
    env: tuple[str, ...] = ()              # variables passed besides the base set (driver.env)
    service: str = "the service"           # who wants the program run, for the refusal
    kind: str = "command"

    @property
    def label(self) -> str:
        return f"command:{self.argv[0]}"

    def deliver(self, server: CounterpartyServer, offer: str, tx_code: str | None, finished: Finished,
                timeout_s: float) -> Delivery:
        refused = self.commands.refusal(self.service, self.argv)
        if refused:          # driver_from refuses first; this guards a driver built any other way
            return Delivery(error="not-allowed", message=refused)
        argv = [a.replace("{url}", offer).replace("{tx_code}", tx_code or "") for a in self.argv]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, shell=False,
                                           env=self.commands.environment(self.env))
            except OSError as exc:
                return Delivery(error="not-started", message=f"the driver command cannot start: {exc.strerror}")
            try:
                code: int | None = process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
                code = None
            texts = []
            for stream in (out, err):
                stream.seek(0)
                texts.append(stream.read(MAX_OUTPUT).decode("utf-8", "replace"))
        stdout, stderr = (server.scrub(t) for t in texts)
        output = stdout + (f"\n(stderr) {stderr}" if stderr.strip() else "")
        if code is None:
            return Delivery(output=output, error="timeout",
                            message=f"the driver command does not finish within {timeout_s:g} s")
        return Delivery(status=code, report=_report(stdout), output=output)


@dataclass(frozen=True, slots=True)
class UrlDriver:
    url: str
    client: GuardedClient
    kind: str = "url"

    @property
    def label(self) -> str:
        return redact_url(self.url)

    def deliver(self, server: CounterpartyServer, offer: str, tx_code: str | None, finished: Finished,
                timeout_s: float) -> Delivery:
        body: dict[str, Any] = {"url": offer}
        if tx_code is not None:
            body["tx_code"] = tx_code
        try:
            answer = self.client.send("POST", self.url, content=json.dumps(body).encode(),
                                      content_type="application/json", accept="application/json",
                                      max_bytes=256 * 1024)
        except FetchError as exc:
            return Delivery(status=exc.status, error=exc.reason.value, message=server.scrub(exc.message))
        try:
            parsed = json.loads(answer.body) if answer.body.strip() else None
        except (ValueError, RecursionError):
            parsed = None
        report = parsed if isinstance(parsed, dict) else None
        text = "" if report is not None else answer.body[:MAX_OUTPUT].decode("utf-8", "replace")
        return Delivery(status=answer.status, report=server.scrub(report) if report else None,
                        output=server.scrub(text))


@dataclass(frozen=True, slots=True)
class InteractiveDriver:
    """A person scans the QR code with a phone wallet. Never evidence of what the wallet shows or stores."""

    stream: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] | None = field(default_factory=lambda: sys.stdin)
    kind: str = "interactive"
    label: str = "interactive"

    def deliver(self, server: CounterpartyServer, offer: str, tx_code: str | None, finished: Finished,
                timeout_s: float) -> Delivery:
        import segno  # lazy: the QR code is drawn only for a person at a terminal

        print(f"\nOpen this {_kind_of(offer)} in the wallet or application under test (waiting up to "
              f"{timeout_s:g} s; Enter when done):\n{offer}", file=self.stream)
        if tx_code:
            print(f"Transaction code: {tx_code}", file=self.stream)
        segno.make(offer, error="l").terminal(out=self.stream, compact=True)
        self.stream.flush()
        pressed = threading.Event()
        if self.stdin is not None:
            def read(source: IO[str] = self.stdin) -> None:
                try:
                    if source.readline():         # "" is end of input: no one will press Enter
                        pressed.set()
                except (OSError, ValueError):
                    pass
            threading.Thread(target=read, name="interactive-enter", daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not pressed.is_set():
            if server.wait_for(finished, min(0.2, max(0.0, deadline - time.monotonic()))):
                return Delivery(observes=False, message="the wallet asked for its credential")
        if pressed.is_set():
            return Delivery(observes=False, message="the person pressed Enter")
        return Delivery(observes=False, error="timeout",
                        message=f"nothing finished the session within {timeout_s:g} s")


def _kind_of(link: str) -> str:
    """What a link asks the wallet or application to do, in the words a person at the terminal reads."""
    if link.startswith("openid4vp:"):
        return "presentation request"
    if link.startswith("openid-credential-offer:"):
        return "credential offer"
    if link.rstrip("/").endswith("/discovery"):
        return "host (its service description)"
    return "link"


def described(service: ServiceConfig | None) -> str:
    """A service as the refusal of its programs names it."""
    return f"the service {service.role} {service.endpoint}" if service is not None else "the service"


def driver_from(config: Mapping[str, Any], client: GuardedClient, service: ServiceConfig | None = None) -> Driver:
    """The driver a service's `driver` table names (ValueError for one the schema should have refused, and for a
    command the run does not allow: `service.commands`; without a service nothing runs)."""
    if "command" in config:
        argv = config["command"]
        if not isinstance(argv, list | tuple) or not argv or not all(isinstance(a, str) and a for a in argv):
            raise ValueError("driver.command must be a non-empty list of strings")
        listed = config.get("env", ())
        if not isinstance(listed, list | tuple) or not all(isinstance(n, str) and n for n in listed):
            raise ValueError("driver.env must be a list of environment variable names")
        commands = service.commands if service is not None else CommandPolicy()
        refused = commands.refusal(described(service), tuple(argv))
        if refused:
            raise ValueError(refused)
        return CommandDriver(tuple(argv), commands, tuple(listed), described(service))
    if "url" in config:
        url = config["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("driver.url must be an http(s) URL")
        return UrlDriver(url, client)
    if config.get("interactive") is True:
        return InteractiveDriver()
    raise ValueError("the service names no driver: give driver.command, driver.url or driver.interactive = true")
