"""VC API exchanges with the suite as the wallet: the reference exchange passes, each exchange fault switch breaks
exactly its requirement (tests/reference/test_reference_modules.py runs every VCALM switch), and hostile exchange
services never crash the suite."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.core.transcript import Step
from conformance.reference.vcalm import FAULTS
from conformance.run.environment import Environment
from conformance.standards.vcalm.exchange_flows import exchange_url, request_of
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.exchange.servers import hostile_app, serve_app

EXCHANGE_IDS = sorted(rid for rid in FAULTS.values() if rid.startswith("VCALM-exchange-"))


def _exchange(run: LiveRun):
    return next(r for r in run.results if r.subject.endswith("#exchange"))


def test_reference_exchange_passes_every_exchange_requirement(vcalm_fault_runs: dict[object, LiveRun]) -> None:
    run = vcalm_fault_runs[None]
    assert len(EXCHANGE_IDS) == 9
    assert {rid: str(run.outcome(rid)) for rid in EXCHANGE_IDS if run.outcome(rid) is not Outcome.PASSED} == {}
    exchange = _exchange(run)
    assert {f.requirement for f in exchange.findings if f.outcome is Outcome.FAILED} == set()


def test_exchange_rules_are_inapplicable_to_issuers_and_verifiers(vcalm_fault_runs: dict[object, LiveRun]) -> None:
    for result in vcalm_fault_runs[None].results:
        if result.subject.endswith("#exchange"):
            continue
        outcomes = {f.outcome for f in result.findings if f.requirement in EXCHANGE_IDS}
        assert outcomes <= {Outcome.INAPPLICABLE}


@pytest.mark.parametrize("switch", [s for s, rid in sorted(FAULTS.items()) if rid in EXCHANGE_IDS])
def test_exchange_fault_fails_on_the_exchange_service(switch: str, vcalm_fault_runs: dict[object, LiveRun]) -> None:
    failed = {f.requirement for f in _exchange(vcalm_fault_runs[switch]).findings if f.outcome is Outcome.FAILED}
    assert failed == {FAULTS[switch]}


def _step(**changes: object) -> Step:
    base: dict[str, object] = {"flow": "exchange-create", "name": "a", "method": "POST",
                               "url": "https://x.example/workflows/w/exchanges", "request": {}, "status": 204}
    base.update(changes)
    return Step(**base)  # type: ignore[arg-type]


def test_exchange_url_from_location_or_body() -> None:
    created = "https://x.example/workflows/w/exchanges"
    assert exchange_url(_step(headers=(("location", "https://x.example/e/1"),)), created) == "https://x.example/e/1"
    assert exchange_url(_step(headers=(("location", "/workflows/w/exchanges/2"),)), created) \
        == "https://x.example/workflows/w/exchanges/2"
    assert exchange_url(_step(status=201, body={"exchangeId": "3"}), created) == created + "/3"
    assert exchange_url(_step(status=400, headers=(("location", "/e"),)), created) is None
    assert exchange_url(_step(body={"id": 5}), created) is None


def test_request_of_accepts_wrapped_and_bare_requests() -> None:
    wrapped = _step(status=200, body={"verifiablePresentationRequest": {"challenge": "c", "query": []}})
    assert request_of(wrapped) == {"challenge": "c", "query": []}
    assert request_of(_step(status=200, body={"challenge": "c"})) == {"challenge": "c"}
    assert request_of(_step(status=200, body={"redirectUrl": "https://x.example"})) is None
    assert request_of(_step(status=200, body=[1])) is None


@pytest.mark.parametrize("mode", ["slow", "huge", "html", "redirect", "error", "nothing"])
def test_hostile_exchange_service_never_crashes_the_suite(mode: str, env: Environment, tmp_path: Path) -> None:
    with serve_app(hostile_app()) as base:
        path = tmp_path / "targets.toml"
        path.write_text(f'[implementation]\nname = "hostile"\n\n[[service]]\nrole = "exchange"\n'
                        f'endpoint = "{base}/{mode}/workflows/w"\noptions = {{ expired_ttl_s = 0, '
                        'expiry_margin_s = 0 }\n', encoding="utf-8")
        policy = FetchPolicy(allow_private=True, read_timeout_s=0.3, timeout_s=2.0, max_bytes=64 * 1024)
        with GuardedClient(policy) as client:
            run = run_targets(env, path, client)
    outcomes = {rid: run.outcome(rid) for rid in EXCHANGE_IDS}
    assert Outcome.PASSED not in outcomes.values(), outcomes
    assert set(outcomes.values()) <= {Outcome.FAILED, Outcome.ERROR, Outcome.CANT_TELL}
