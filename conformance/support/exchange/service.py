"""A live service under test as the checks see it: its configuration (role, endpoint, auth, driver), the
`ServiceSubject` that stands for it, and `run_flows`, which runs the flows its standard registered for the role
(core.checks.flows) once, under the run's deadline and secrets, and redacts the transcript.

Reading a targets.toml into these is the run's business (run/targets/services.py)."""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from conformance.core.transcript import LiveSubject, Transcript
from conformance.support.exchange.budget import FLOW_DEADLINE, budgeted
from conformance.support.exchange.transcript import redacted
from conformance.support.net import FetchError
from conformance.support.net.secrets import FLOW_SECRETS
from conformance.support.securing.proofs import ProofError

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from conformance.support.exchange.budget import TimeBudget
    from conformance.support.net import GuardedClient
    from conformance.support.net.secrets import Secrets

TOKEN_ANSWER_MAX_BYTES = 64 * 1024     # an OAuth 2.0 token answer is small; anything past this is refused


class TargetsFileError(ValueError):
    """A targets.toml that cannot be used (unreadable, off-schema, a secret variable that is not set)."""


BASE_COMMAND_ENV = ("PATH", "HOME", "LANG", "TMPDIR")     # plus every LC_* variable: what a program needs to start
ALLOW_COMMANDS_FLAG = "--allow-driver-commands"
ALLOW_OUTSIDE_FLAG = "--allow-outside-paths"


@dataclass(frozen=True, slots=True)
class CommandPolicy:
    """Whether a run may start the programs a service's entry names, and what they may see of the environment.

    A targets file is the vendor's: by default nothing it names runs. `withheld` are the variables any other service
    of the file authenticates with; they never reach a program, even when an `env` list names them."""

    allowed: bool = False
    withheld: frozenset[str] = frozenset()

    def environment(self, listed: tuple[str, ...] = (), source: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a program runs in: the base variables and those `listed` (driver.env), minus withheld."""
        source = os.environ if source is None else source
        wanted = set(BASE_COMMAND_ENV) | set(listed)
        return {name: value for name, value in source.items()
                if (name in wanted or name.startswith("LC_")) and name not in self.withheld}

    def refusal(self, service: str, argv: tuple[str, ...] | list[str], what: str = "driver command") -> str:
        """Why a program is not started ("" when it may be): names the service and the program, never the
        arguments (they may carry a link with a session secret)."""
        if self.allowed:
            return ""
        return (f"{service} wants to run the program {argv[0]!r} ({what}); the suite runs no program a targets file "
                f"names without {ALLOW_COMMANDS_FLAG}")


@dataclass(frozen=True, slots=True)
class Auth:
    """How the suite authenticates to a service. Holds names of environment variables, never their values."""

    type: str                               # "bearer" | "oauth2-client-credentials"
    token_env: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_id_env: str | None = None
    client_secret_env: str | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    role: str
    endpoint: str
    implementation: str
    id: str = ""
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    auth: Auth | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    driver: Mapping[str, Any] = field(default_factory=dict)   # wallet roles: how the suite hands it an offer
    commands: CommandPolicy = field(default_factory=CommandPolicy)   # whether its programs may run, and with what

    @property
    def label(self) -> str:
        return f"{self.implementation} {self.role} {self.endpoint}"

    @property
    def programs(self) -> tuple[tuple[str, str], ...]:
        """(what, program) for every program the entry names: the driver command, and for wallet-portability the
        source and destination drivers and the export and import commands."""
        found: list[tuple[str, str]] = []
        tables: list[tuple[str, Any]] = [("driver", self.driver)]
        for side, hook in (("source", "export"), ("destination", "import")):
            table = self.options.get(side)
            if isinstance(table, Mapping):
                tables += [(f"options.{side}.driver", table.get("driver")), (f"options.{side}.{hook}", table.get(hook))]
        for where, table in tables:
            argv = table.get("command") if isinstance(table, Mapping) else None
            if isinstance(argv, list | tuple) and argv and isinstance(argv[0], str):
                found.append((f"{where}.command", argv[0]))
        return tuple(found)

    def refused_programs(self) -> str:
        """One line naming the programs this service wants to run and the run does not allow ("" when none)."""
        if self.commands.allowed or not self.programs:
            return ""
        named = ", ".join(f"{program!r} ({where})" for where, program in self.programs)
        return (f"not run: the service {self.role} {self.endpoint} wants to run {named}; add {ALLOW_COMMANDS_FLAG} "
                "to let it")

    def describe(self) -> dict[str, Any]:
        """The subject's document: what the service is, never how to log in to it."""
        return {"type": "LiveService", "implementation": self.implementation, "role": self.role,
                "id": self.id, "endpoint": self.endpoint, "tags": {k: list(v) for k, v in self.tags.items()},
                "auth": self.auth.type if self.auth else None,
                **({"driver": next(iter(self.driver))} if self.driver else {})}


def _secret(name: str | None, what: str, secrets: Secrets | None = None) -> str:
    """The value of the variable `name`; registered with the run's `secrets` (as `what`) when given, so that it is
    redacted by value from every output."""
    value = os.environ.get(name or "")
    if not name or not value:
        raise TargetsFileError(f"{what}: the environment variable {name or '(unnamed)'} is not set")
    if secrets is not None:
        secrets.add(value, what)
    return value


def auth_headers(auth: Auth | None, client: GuardedClient) -> dict[str, str]:
    """The Authorization header for a service (the client redacts it from every record)."""
    if auth is None:
        return {}
    if auth.type == "bearer":
        return {"authorization": f"Bearer {_secret(auth.token_env, 'bearer token', client.secrets)}"}
    client_id = auth.client_id or _secret(auth.client_id_env, "OAuth 2.0 client id")
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": _secret(auth.client_secret_env, "OAuth 2.0 client secret", client.secrets)}
    if auth.scopes:
        form["scope"] = " ".join(auth.scopes)
    where = f"the OAuth 2.0 token endpoint {auth.token_url}"
    try:
        answer = client.send("POST", str(auth.token_url), content=urlencode(form).encode(),
                             content_type="application/x-www-form-urlencoded", accept="application/json",
                             max_bytes=TOKEN_ANSWER_MAX_BYTES)
    except FetchError as exc:              # its message names the URL and the cause, never the form sent
        raise TargetsFileError(f"{where} cannot be asked for a token: {exc}") from None
    if answer.status != 200:
        # the answer's body is not repeated: a token endpoint may echo what it was sent
        refused = " (the client credentials are refused)" if answer.status in (400, 401, 403) else ""
        raise TargetsFileError(f"{where} gives no token for client id {client_id!r}{refused}: expected HTTP 200 "
                               f"with an access token, found HTTP {answer.status}")
    try:
        parsed = json.loads(answer.body)
    except ValueError:
        parsed = None
    token = parsed.get("access_token") if isinstance(parsed, dict) else None
    if isinstance(parsed, dict):          # known from here on: a service echoing them gets them redacted
        client.secrets.add(token, "access token")
        client.secrets.add(parsed.get("refresh_token"), "refresh token")
    if not isinstance(token, str) or not token or len(token) > 8192 or not token.isprintable():
        kind = answer.content_type or "no content type"
        raise TargetsFileError(f"{where} answers HTTP 200 without a usable access token: expected a JSON object "
                               f"with an access_token string, found {len(answer.body)} bytes of {kind}")
    token_type = parsed.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TargetsFileError(f"{where} hands out a token of type {str(token_type)[:40]!r}; the suite can use "
                               "only bearer tokens")
    return {"authorization": f"Bearer {token}"}


class ServiceSubject(LiveSubject):
    """One live service: its description as the document, its answers as the `transcript` view (run here, read by
    the checks through conformance.core.transcript.LiveSubject)."""

    service: ServiceConfig

    def __init__(self, *, service: ServiceConfig, client: GuardedClient, env: Environment,
                 budget: TimeBudget | None = None) -> None:
        raw = json.dumps(service.describe(), ensure_ascii=False).encode("utf-8")
        super().__init__(id=f"{service.endpoint}#{service.role}", env=env, raw=raw, name=service.role,
                         target=service.endpoint)
        self.service = service
        # every request of the flows goes through this client: it keeps to the flows' deadline (live/budget.py)
        self.client = budgeted(client)
        self.budget = budget

    @cached_property
    def transcript(self) -> Transcript:
        """Every exchange of the role's flows (registered by its standard with @flows), run once: requests,
        statuses, headers, parsed bodies."""
        return run_flows(self)


def run_flows(subject: ServiceSubject) -> Transcript:
    """The role's flows, run once; every secret the run knows by the end is replaced in the whole transcript, so
    the checks, their findings and every report see only placeholders such as "[redacted access token]"."""
    secrets = subject.client.secrets
    deadline = subject.budget.deadline() if subject.budget is not None else None
    if deadline is not None and deadline.expired:     # the run's budget is spent: nothing is asked, nothing started
        return Transcript((), out_of_time=deadline.reason)
    token = FLOW_SECRETS.set(secrets)
    limit = FLOW_DEADLINE.set(deadline)
    try:
        transcript = subject.env.check_registry.flows[subject.service.role](subject)
    except TargetsFileError as exc:           # e.g. the token variable is not set: nothing could be asked
        transcript = Transcript((), setup_error=str(exc))
    except ProofError as exc:                 # the suite cannot sign its corpus (contexts not in the store)
        transcript = Transcript((), setup_error=f"the suite cannot sign its test corpus: {exc.message}")
    finally:
        FLOW_DEADLINE.reset(limit)
        FLOW_SECRETS.reset(token)
    if deadline is not None and deadline.expired:
        # requests and waits end at the deadline, so a deadline that has passed means a flow was cut short or
        # never started; what the service did answer is kept in the transcript, but judges nothing
        transcript = replace(transcript, out_of_time=deadline.reason)
    return redacted(transcript, secrets)
