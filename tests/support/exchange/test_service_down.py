"""A service that is down earns no passes: every role against a closed loopback port (connection refused) and
against a port that accepts but never answers (timeout) gives error for the rules that needed it, never passed, and
CORE-input-readable ("the URL answers") is not passed for it."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.core.findings import Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.services import TESTED_ROLES, ServiceTarget
from conformance.support.exchange.service import ServiceConfig
from conformance.support.net import FetchPolicy, GuardedClient

QUICK = FetchPolicy(allow_private=True, connect_timeout_s=0.5, read_timeout_s=0.5, timeout_s=1.0)


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released: the kernel refuses connections to it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def _config(role: str, base: str) -> ServiceConfig:
    """The role at `base`; a wallet or client app is reached through a driver URL there, so it is down too."""
    driver = {"url": f"{base}/driver"}
    options: dict[str, Any] = {"timeout_s": 2, "request_start": f"{base}/start"}
    if role == "wallet-portability":
        options |= {"source": {"driver": driver, "export": {"url": f"{base}/export"}},
                    "destination": {"driver": driver, "import": {"url": f"{base}/import"}}}
    return ServiceConfig(role=role, endpoint=base, implementation="down", options=options, driver=driver)


def _judge(env: Environment, role: str, base: str) -> SubjectResult:
    with GuardedClient(QUICK) as client:
        (result,) = Runner(env, env.profile("default")).run(
            [ServiceTarget((_config(role, base),), client, "down")])
    return result


def _assert_down(result: SubjectResult) -> None:
    passed = sorted({f.requirement for f in result.findings if f.outcome is Outcome.PASSED})
    assert passed == [], passed
    readable = [f for f in result.findings if f.requirement == "CORE-input-readable"]
    assert readable and {f.outcome for f in readable} == {Outcome.ERROR}, readable
    judged = [f for f in result.findings if f.outcome is not Outcome.INAPPLICABLE]
    assert {f.outcome for f in judged} <= {Outcome.ERROR, Outcome.CANT_TELL}
    assert not any(f.outcome is Outcome.FAILED for f in result.findings)   # our failure to reach is no defect
    assert result.verdict is Verdict.INCOMPLETE


@pytest.mark.parametrize("role", TESTED_ROLES)
def test_a_refused_connection_earns_no_pass(role: str, env: Environment, closed_port: int) -> None:
    result = _judge(env, role, f"http://127.0.0.1:{closed_port}")
    _assert_down(result)
    assert any("gives no answer" in f.message and "connection" in f.message for f in result.findings
               if f.requirement == "CORE-input-readable")


@pytest.mark.parametrize("role", ["issuer", "ob-host", "oid4vci-issuer", "oid4vp-verifier"])
def test_a_service_that_never_answers_earns_no_pass(role: str, env: Environment, silent_port: int) -> None:
    result = _judge(env, role, f"http://127.0.0.1:{silent_port}")
    _assert_down(result)
    assert any("timeout" in f.message for f in result.findings if f.requirement == "CORE-input-readable")


def test_every_tested_role_has_the_flows_of_exactly_one_standard(env: Environment) -> None:
    """targets.toml accepts the roles TESTED_ROLES lists; each has flows a standard registered with @flows."""
    assert sorted(env.check_registry.flows) == sorted(TESTED_ROLES)
    assert all(fn.__module__.startswith("conformance.standards.") for fn in env.check_registry.flows.values())
