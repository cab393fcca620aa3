"""The table of reference modules, and every module's reference judged live on 127.0.0.1: every fault switch names
a protocol requirement of its module's prefix and every protocol requirement of that prefix has exactly one switch
(so the coverage gate can show it failing); the conformant reference passes every requirement of its prefix; each
switch makes exactly its requirement fail. Module-specific behaviour stays in tests/live/test_<module>.py."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from conformance.environment import Environment
from conformance.model.findings import Outcome, Verdict
from conformance.reference import reference_modules
from tests.live.harness import LiveRun

FaultRuns = dict[str | None, LiveRun]

SWITCHES = [(prefix, switch) for prefix, module in sorted(reference_modules().items())
            for switch in sorted(module.faults)]


@pytest.mark.parametrize("prefix", sorted(reference_modules()))
def test_fault_switches_cover_the_protocol_requirements_once(prefix: str, env: Environment) -> None:
    module = reference_modules()[prefix]
    protocol = {r.id for r in env.catalog.of_standard(prefix) if r.automated and "protocol" in r.tags}
    named = Counter(module.faults.values())
    assert set(named) == protocol
    assert all(count == 1 for count in named.values())
    assert all(rid.startswith(prefix + "-") for rid in named)
    assert all(rid in env.registry.checks for rid in protocol)


@pytest.mark.parametrize("prefix", sorted(reference_modules()))
def test_unknown_fault_is_refused(prefix: str, env: Environment) -> None:
    with pytest.raises(ValueError, match="unknown fault switches"), \
            reference_modules()[prefix].serve(env, frozenset({"no-such-fault"})):
        pass


@pytest.mark.parametrize("prefix", sorted(reference_modules()))
def test_conformant_reference_passes_every_requirement(prefix: str, env: Environment,
                                                       reference_fault_runs: Callable[[str], FaultRuns]) -> None:
    run = reference_fault_runs(prefix)[None]
    outcomes = run.outcomes(prefix)
    assert set(outcomes) == {r.id for r in env.catalog.of_standard(prefix)}
    assert {rid: str(o) for rid, o in outcomes.items() if o is not Outcome.PASSED} == {}
    assert run.results and [r.verdict for r in run.results] == [Verdict.PASS] * len(run.results)


@pytest.mark.parametrize(("prefix", "switch"), SWITCHES)
def test_fault_switch_breaks_exactly_its_requirement(prefix: str, switch: str,
                                                     reference_fault_runs: Callable[[str], FaultRuns]) -> None:
    """Other rules may lose what they judge (a verifier answering 400 gives no verdict to compare, a host refusing
    discovery leaves nothing to register with: cantTell), but none of them fails or errors."""
    outcomes = reference_fault_runs(prefix)[switch].outcomes(prefix)
    failed = {rid for rid, outcome in outcomes.items() if outcome is Outcome.FAILED}
    assert failed == {reference_modules()[prefix].faults[switch]}, \
        {rid: str(o) for rid, o in outcomes.items() if o is not Outcome.PASSED}
    assert {rid for rid, o in outcomes.items() if o not in (Outcome.PASSED, Outcome.FAILED, Outcome.CANT_TELL)} \
        == set()
