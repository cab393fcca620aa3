"""The VCALM live modules against the reference on 127.0.0.1: the conformant reference passes every requirement,
each fault switch makes exactly its requirement fail, and the fault table stays in step with the catalog."""
from __future__ import annotations

import pytest

from conformance.environment import Environment
from conformance.model.findings import Outcome, Verdict
from conformance.reference.vcalm import FAULTS, build_app
from tests.live.harness import LiveRun


def _vcalm_ids(env: Environment) -> set[str]:
    return {r.id for r in env.catalog.of_standard("VCALM")}


def test_conformant_reference_passes_every_vcalm_requirement(env: Environment,
                                                             vcalm_fault_runs: dict[object, LiveRun]) -> None:
    run = vcalm_fault_runs[None]
    outcomes = run.outcomes()
    assert set(outcomes) == _vcalm_ids(env)
    assert {rid: o for rid, o in outcomes.items() if o is not Outcome.PASSED} == {}
    assert [r.verdict for r in run.results] == [Verdict.PASS, Verdict.PASS, Verdict.PASS]


def test_issued_credential_is_judged_by_the_document_checks(vcalm_fault_runs: dict[object, LiveRun]) -> None:
    issuer = next(r for r in vcalm_fault_runs[None].results if r.subject.endswith("#issuer"))
    assert {"OB30", "VCDM20", "DI10"} <= set(issuer.standards)
    embedded = [f for f in issuer.findings if f.subject != issuer.subject and f.subject]
    assert embedded and all(f.location.startswith("/transcript/0/response/body/verifiableCredential » ")
                            for f in embedded)
    assert any(f.requirement.startswith("DI10-") and f.outcome is Outcome.PASSED for f in embedded)


def test_fault_table_covers_every_protocol_requirement(env: Environment) -> None:
    protocol = {r.id for r in env.catalog.of_standard("VCALM") if "protocol" in r.tags}
    assert set(FAULTS.values()) == protocol
    assert all(rid in env.registry.checks for rid in protocol)


def test_unknown_fault_is_refused(env: Environment) -> None:
    with pytest.raises(ValueError, match="unknown fault switches"):
        build_app(env, frozenset({"no-such-fault"}))


@pytest.mark.parametrize("switch", sorted(FAULTS))
def test_fault_switch_breaks_exactly_its_requirement(switch: str, env: Environment,
                                                     vcalm_fault_runs: dict[object, LiveRun]) -> None:
    """Other rules may lose what they judge (a verifier answering 400 gives no verdict to compare: cantTell), but
    none of them fails or errors."""
    outcomes = vcalm_fault_runs[switch].outcomes()
    failed = {rid for rid, outcome in outcomes.items() if outcome is Outcome.FAILED}
    assert failed == {FAULTS[switch]}, {rid: str(o) for rid, o in outcomes.items() if o is not Outcome.PASSED}
    assert {rid for rid, o in outcomes.items() if o not in (Outcome.PASSED, Outcome.FAILED, Outcome.CANT_TELL)} \
        == set()
