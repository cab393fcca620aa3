"""The table of reference modules, and every module's reference judged live on 127.0.0.1: every fault switch names
a protocol requirement of its module's prefix and every protocol requirement of that prefix has exactly one switch
(so the coverage gate can show it failing); the conformant reference passes every requirement of its prefix and
fails nothing anywhere; each switch makes exactly its requirement fail, over every finding of the run (every prefix,
the documents the service returned or received), plus only what its module declares it cannot help breaking (`ALSO`).
Module-specific behaviour stays in tests/support/exchange/test_<module>.py."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from conformance.core.findings import Outcome, Verdict
from conformance.reference import reference_modules
from conformance.run.environment import Environment
from tests.snapshots import findings as snapshots
from tests.support.exchange.harness import LiveRun

FaultRuns = dict[str | None, LiveRun]

SWITCHES = [(key, switch) for key, module in sorted(reference_modules().items())
            for switch in sorted(module.faults)]


def covered(env: Environment, key: str) -> set[str]:
    """The requirements of the module's standard that its reference shows (the longest matching key owns an ID)."""
    modules = reference_modules()
    module = modules[key]
    return {r.id for r in env.catalog.of_standard(module.prefix) if module.covers(r.id, modules)}


@pytest.mark.parametrize("key", sorted(reference_modules()))
def test_fault_switches_cover_the_protocol_requirements_once(key: str, env: Environment) -> None:
    module = reference_modules()[key]
    protocol = {rid for rid in covered(env, key) if env.catalog[rid].automated and "protocol" in env.catalog[rid].tags}
    named = Counter(module.faults.values())
    assert protocol and set(named) == protocol
    assert all(count == 1 for count in named.values())
    assert all(rid in env.check_registry.checks for rid in protocol)


@pytest.mark.parametrize("key", sorted(reference_modules()))
def test_unknown_fault_is_refused(key: str, env: Environment) -> None:
    with pytest.raises(ValueError, match="unknown fault switches"), \
            reference_modules()[key].serve(env, frozenset({"no-such-fault"})):
        pass


@pytest.mark.parametrize("key", sorted(reference_modules()))
def test_conformant_reference_passes_every_requirement(key: str, env: Environment,
                                                       reference_fault_runs: Callable[[str], FaultRuns]) -> None:
    run = reference_fault_runs(key)[None]
    outcomes = {rid: o for rid, o in run.outcomes(reference_modules()[key].prefix).items() if rid in covered(env, key)}
    assert set(outcomes) == covered(env, key)
    assert {rid: str(o) for rid, o in outcomes.items() if o is not Outcome.PASSED} == {}
    assert run.results and [r.verdict for r in run.results] == [Verdict.PASS] * len(run.results)
    # every prefix, the documents it returned or received included: the reference is a clean baseline to compare with
    assert {rid: str(o) for rid, o in run.everywhere().items() if o in (Outcome.FAILED, Outcome.ERROR)} == {}


@pytest.mark.parametrize("key", sorted(reference_modules()))
def test_declared_collateral_is_other_rules_of_named_switches(key: str, env: Environment) -> None:
    """`ALSO` names switches of the module and rules other than the switch's own, all in the catalog."""
    module = reference_modules()[key]
    assert set(module.also) <= set(module.faults)
    for switch, also in module.also.items():
        assert also and module.faults[switch] not in also
        assert all(rid in env.catalog for rid in also), also


@pytest.mark.parametrize(("key", "switch"), SWITCHES)
def test_fault_switch_breaks_exactly_its_requirement(key: str, switch: str, env: Environment,
                                                     reference_fault_runs: Callable[[str], FaultRuns]) -> None:
    """Over every finding of the run (every prefix, root and embedded subjects), what fails or errors is exactly the
    switch's requirement and what its module declares in ALSO. Other rules may lose what they judge (a verifier
    answering 400 gives no verdict to compare, a host refusing discovery leaves nothing to register with: cantTell,
    or a returned credential that is no longer there), but none of them fails or errors."""
    module = reference_modules()[key]
    runs = reference_fault_runs(key)
    before, after = runs[None].everywhere(), runs[switch].everywhere()
    broken = {rid for rid, outcome in after.items() if outcome in (Outcome.FAILED, Outcome.ERROR)}
    assert broken == {module.faults[switch]} | module.also.get(switch, frozenset()), \
        {rid: f"{before.get(rid)} -> {o}" for rid, o in after.items() if o is not before.get(rid)}
    assert after[module.faults[switch]] is Outcome.FAILED
    outcomes = {rid: o for rid, o in runs[switch].outcomes(module.prefix).items()
                if rid in covered(env, key)}     # the other side of the same standard is inapplicable here
    assert {rid for rid, o in outcomes.items() if o not in (Outcome.PASSED, Outcome.FAILED, Outcome.CANT_TELL)} \
        == set()


SNAPSHOT = snapshots.load(snapshots.FAULT_RUNS)
RUNS = [(key, None) for key in sorted(reference_modules())] + SWITCHES


@pytest.mark.parametrize(("key", "switch"), RUNS)
def test_findings_are_those_of_the_snapshot(key: str, switch: str | None,
                                            reference_fault_runs: Callable[[str], FaultRuns]) -> None:
    """Every finding of the run is what it was when tests/snapshots was taken (issue 14's move)."""
    name = f"{key} {switch or 'conformant'}"
    difference = snapshots.difference(SNAPSHOT.get(name), snapshots.rows(reference_fault_runs(key)[switch].results))
    assert difference is None, f"{name}: {difference}"


def test_snapshot_names_only_existing_runs() -> None:
    assert set(SNAPSHOT) == {f"{key} {switch or 'conformant'}" for key, switch in RUNS}
