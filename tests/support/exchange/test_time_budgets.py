"""Time budgets for live checks (--service-timeout, --run-timeout): a service that answers slowly is cut off once its
budget runs out, asked nothing more, and its rules are cantTell naming the budget (never passed, never failed); a
second service of the same run is still judged while the run's budget lasts."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.cli import main
from conformance.core.findings import Outcome
from conformance.reference.vcalm import serve_vcalm
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.services import ServiceTarget
from conformance.support.exchange.budget import TimeBudget
from conformance.support.exchange.service import ServiceConfig
from conformance.support.net import FetchPolicy, GuardedClient
from tests.conftest import artifacts_dir
from tests.support.exchange.servers import serve_app

# Each request may wait far longer than the budget: only the budget can end the run early.
PATIENT = FetchPolicy(allow_private=True, connect_timeout_s=5.0, read_timeout_s=30.0, timeout_s=30.0)
SERVICE_BUDGET = "the service's time budget of 3 s ran out"


@dataclass
class _Count:
    requests: int = 0


@pytest.fixture
def slow() -> Iterator[tuple[str, _Count]]:
    """A loopback service that takes 30 s over every answer, counting the requests it receives."""
    count = _Count()

    async def answer(request: Request) -> Response:
        count.requests += 1
        await request.body()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:   # the server stops while the answer is pending: nothing to answer
            return Response(status_code=503)
        return JSONResponse({}, status_code=201)

    app = Starlette(routes=[Route("/{rest:path}", answer, methods=["GET", "POST"])])
    with serve_app(app) as base:
        yield base, count


def _run(env: Environment, *targets: ServiceTarget) -> list[SubjectResult]:
    return list(Runner(env, env.profile("default")).run(list(targets)))


def _issuer(endpoint: str, name: str) -> ServiceConfig:
    return ServiceConfig(role="issuer", endpoint=endpoint, implementation=name)


def _assert_cut(result: SubjectResult, because: str) -> None:
    """Every protocol rule of the service is cantTell naming the budget; nothing passed or failed; "the URL answers"
    is not passed either (nothing answered in the time given)."""
    assert not [f for f in result.findings if f.outcome in (Outcome.PASSED, Outcome.FAILED)]
    readable = [f for f in result.findings if f.requirement == "CORE-input-readable"]
    assert readable and all(because in f.message for f in readable), readable
    protocol = [f for f in result.findings
                if f.requirement.startswith("VCALM-") and f.outcome is not Outcome.INAPPLICABLE]
    assert protocol
    assert {f.outcome for f in protocol} == {Outcome.CANT_TELL}, {(f.requirement, f.outcome) for f in protocol}
    assert all(f"not judged: {because}" in f.message for f in protocol), protocol[0].message


def test_a_slow_service_is_cut_by_its_budget_and_the_next_one_is_judged(env: Environment,
                                                                       slow: tuple[str, _Count]) -> None:
    base, count = slow
    budget = TimeBudget(service_s=3, run_s=600)
    with serve_vcalm(env) as reference, GuardedClient(PATIENT) as client:
        # the second service gets a budget of its own (a loaded shared machine may take a few seconds over it),
        # under the same run's clock
        results = _run(env, ServiceTarget((_issuer(base, "slow"),), client, "slow", budget=budget),
                       ServiceTarget((_issuer(reference.base_url, "reference"),), client, "reference",
                                     budget=replace(budget, service_s=300)))
    cut, judged = results
    _assert_cut(cut, SERVICE_BUDGET)
    assert count.requests <= 2                   # the one cut short, and nothing (or one more) after it
    passed = {f.requirement for f in judged.findings if f.outcome is Outcome.PASSED}
    assert any(r.startswith("VCALM-") for r in passed), passed
    assert not any("not judged" in f.message for f in judged.findings)


def test_the_run_budget_caps_every_service(env: Environment, slow: tuple[str, _Count]) -> None:
    base, count = slow
    budget = TimeBudget(service_s=600, run_s=2)
    with serve_vcalm(env) as reference, GuardedClient(PATIENT) as client:
        cut, never_asked = _run(env, ServiceTarget((_issuer(base, "slow"), _issuer(reference.base_url, "reference")),
                                                   client, "two", budget=budget))
    _assert_cut(cut, "the run's time budget of 2 s ran out")
    _assert_cut(never_asked, "the run's time budget of 2 s ran out")     # started after the run's end: not asked
    assert count.requests <= 2


def _check(*args: str):
    return CliRunner().invoke(main, ["check", "--artifacts", str(artifacts_dir()), "--allow-private", *args])


def test_check_takes_the_budgets_from_the_command_line(tmp_path: Path, slow: tuple[str, _Count]) -> None:
    base, count = slow
    targets = tmp_path / "targets.toml"
    targets.write_text(f'[implementation]\nname = "slow"\n\n[[service]]\nrole = "issuer"\nendpoint = "{base}"\n',
                       encoding="utf-8")
    result = _check("--service-timeout", "3", "--run-timeout", "600", "--format", "json", str(targets))
    assert result.exit_code != 0, result.output
    assert SERVICE_BUDGET in result.output
    findings = [f for subject in json.loads(result.stdout)["results"] for f in subject["findings"]]
    assert not [f for f in findings if f["outcome"] in ("passed", "failed")], findings
    assert count.requests <= 2


@pytest.mark.parametrize("option", ["--service-timeout", "--run-timeout"])
def test_a_budget_must_be_positive(option: str, tmp_path: Path) -> None:
    result = _check(option, "0", str(tmp_path))
    assert result.exit_code == 2
    assert option in result.output


@pytest.mark.slow                     # a pytest run in a subprocess, like tests/pytest_plugin
def test_the_pytest_plugin_takes_the_budgets(pytester: pytest.Pytester, slow: tuple[str, _Count]) -> None:
    base, count = slow
    targets = pytester.path / "targets.toml"
    targets.write_text(f'[[service]]\nrole = "issuer"\nendpoint = "{base}"\n', encoding="utf-8")
    run = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ler-artifacts", str(artifacts_dir()),
                                        "--ler-target", str(targets), "--ler-allow-private", "-rA", "-q",
                                        "--ler-service-timeout", "3", "-k", "VCALM-issue-created")
    assert any(SERVICE_BUDGET in line for line in run.outlines), run.outlines[-20:]
    assert count.requests <= 2
