"""Time budgets for live checks: one per service and one per run (`--service-timeout`, `--run-timeout`).

A service that answers slowly, or not at all, must not hold a run for as long as its requests can each wait. So
`run_flows` opens one `Deadline` per service (the service's budget, capped by what is left of the run's) and
publishes it in `FLOW_DEADLINE` while the role's flows run; the deadline is enforced in the two places every flow
goes through rather than in each flow:

- `BudgetedClient` (every request a flow makes: `subject.client` is one): a request is not started once the
  deadline has passed, and the total timeout of a `send` is capped to what is left;
- `drivers.hand` (every counter-party session): the wait for a wallet or client app is capped the same way.

A run cut short this way is recorded on the transcript (`Transcript.out_of_time`); the service's rules are then
cantTell ("not judged: ..."), never passed and never failed: the service was not given the time to show either.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

from conformance.support.net import FetchError, FetchReason, GuardedClient, Response, redact_url

DEFAULT_SERVICE_S = 120.0
DEFAULT_RUN_S = 900.0


@dataclass(frozen=True, slots=True)
class Deadline:
    """When the live flows of one service must stop, and the budget that says so (for messages)."""

    at: float                      # time.monotonic() value
    reason: str                    # "the service's time budget of 120 s ran out"

    @property
    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def cap(self, seconds: float) -> float:
        """`seconds`, or what is left of the budget when that is less."""
        return min(seconds, self.remaining)


def _seconds(value: float) -> str:
    return f"{value:g} s"


@dataclass(frozen=True, slots=True)
class TimeBudget:
    """The run's time budgets for live checks; the run's clock starts when this is made (when the run starts)."""

    service_s: float | None = DEFAULT_SERVICE_S     # None: no per-service limit
    run_s: float | None = DEFAULT_RUN_S             # None: no per-run limit
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        for name in ("service_s", "run_s"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} is {value!r}; expected a positive number of seconds")

    def deadline(self) -> Deadline | None:
        """The deadline of a service whose flows start now: its own budget, or the run's end when that is sooner."""
        now = time.monotonic()
        service_at = now + self.service_s if self.service_s is not None else math.inf
        run_at = self.started + self.run_s if self.run_s is not None else math.inf
        if run_at < service_at:
            return Deadline(run_at, f"the run's time budget of {_seconds(self.run_s or 0)} ran out")
        if service_at < math.inf:
            return Deadline(service_at, f"the service's time budget of {_seconds(self.service_s or 0)} ran out")
        return None


# The deadline of the live flows running in this context (set by live.run_flows, like FLOW_SECRETS): the client and
# the counter-party hand-over read it, so no flow passes it along. A thread started elsewhere does not see it.
FLOW_DEADLINE: ContextVar[Deadline | None] = ContextVar("ler_conformance_flow_deadline", default=None)


def remaining(seconds: float) -> float:
    """`seconds`, capped to what is left of the running flows' budget (unchanged outside a budgeted flow)."""
    deadline = FLOW_DEADLINE.get()
    return seconds if deadline is None else deadline.cap(seconds)


class BudgetedClient:
    """The run's client as a service's flows use it: each request checks the flows' deadline before it starts, and
    the total timeout of a `send` is capped to what is left (GuardedClient's own `timeout_s`). Outside budgeted flows
    it is the run's client, unchanged; everything else (evidence, cache, secrets) is the run client's own."""

    def __init__(self, inner: GuardedClient) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def send(self, method: str, url: str, *, content: bytes = b"", content_type: str | None = None,
             headers: Mapping[str, str] | None = None, accept: str | None = None,
             max_bytes: int | None = None) -> Response:
        return self._inner.send(method, url, content=content, content_type=content_type, headers=headers,
                                accept=accept, max_bytes=max_bytes, timeout_s=_left(url))

    def post_json(self, url: str, body: object, *, headers: Mapping[str, str] | None = None,
                  accept: str | None = None, max_bytes: int | None = None) -> Response:
        return self._inner.post_json(url, body, headers=headers, accept=accept, max_bytes=max_bytes,
                                     timeout_s=_left(url))

    # A GET is cached for the whole run, failures included: it is refused once the budget is spent, but not cut
    # short (a timeout of this service's budget would be served to every later reader of the same URL).
    def get(self, url: str, *, accept: str | None = None, headers: Mapping[str, str] | None = None,
            max_bytes: int | None = None) -> Response:
        _left(url)
        return self._inner.get(url, accept=accept, headers=headers, max_bytes=max_bytes)

    def fetch(self, url: str, limit: int) -> bytes:
        _left(url)
        return self._inner.fetch(url, limit)


def _left(url: str) -> float | None:
    """Seconds left to the running flows' deadline (None outside budgeted flows); a FetchError once none are."""
    deadline = FLOW_DEADLINE.get()
    if deadline is None:
        return None
    left = deadline.remaining
    if left <= 0:
        raise FetchError(FetchReason.TIMEOUT, f"{redact_url(url)} is not asked: {deadline.reason}",
                         url=redact_url(url))
    return left


def budgeted(client: GuardedClient | BudgetedClient) -> GuardedClient:
    """`client` as a service's flows should use it (a BudgetedClient; one already is, as is). Typed as the client it
    stands in for: it answers every call a flow makes."""
    made = client if isinstance(client, BudgetedClient) else BudgetedClient(client)
    return cast("GuardedClient", made)
