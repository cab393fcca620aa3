"""Vector self-tests: manifests are valid, every vector fails for exactly the listed reasons, and every
automated requirement is shown both to pass and to fail (the coverage gate)."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conformance.core.findings import Verdict
from conformance.run.environment import Environment
from conformance.run.evaluation import VectorOutcome, evaluate_vectors
from conformance.run.vectors import Vector, load_vectors
from tests.snapshots import findings as snapshots

VECTORS = load_vectors()
GATE_EXEMPT_TAGS = {"io"}       # rules about reading files are covered by unit tests, not by vector files


@pytest.fixture(scope="session")
def outcomes(env: Environment) -> dict[str, VectorOutcome]:
    return {o.vector.id: o for o in evaluate_vectors(env, VECTORS)}


def test_vector_ids_are_unique() -> None:
    seen: dict[str, str] = {}
    for vector in VECTORS:
        assert vector.id not in seen, f"{vector.id} appears in {seen[vector.id]} and {vector.manifest}"
        seen[vector.id] = str(vector.manifest)


def test_descriptions_are_unique_per_manifest() -> None:
    by_manifest: dict[str, set[str]] = defaultdict(set)
    for vector in VECTORS:
        assert vector.description not in by_manifest[str(vector.manifest)], vector.id
        by_manifest[str(vector.manifest)].add(vector.description)


def test_expected_requirements_exist(env: Environment) -> None:
    for vector in VECTORS:
        for rid in vector.expect_fail | vector.expect_error:
            assert rid in env.catalog, f"{vector.id} names {rid}, which no catalog defines"
            assert env.catalog[rid].automated, f"{vector.id} names {rid}, which is not automated"


def test_mutated_vectors_differ_from_their_base() -> None:
    for vector in VECTORS:
        if vector.base and (vector.mutations or vector.wrap):
            base = json.loads((vector.folder / vector.base).read_text(encoding="utf-8"))
            assert vector.materialize() != json.dumps(base, indent=2, ensure_ascii=False).encode(), vector.id


def test_every_negative_vector_pins_where_each_requirement_fails() -> None:
    """A failing vector names each requirement it fails and exactly where (expect.at): a rule that starts firing at
    the wrong place is caught, not only a rule that stops firing."""
    unpinned = [f"{v.id}: {', '.join(sorted(v.expect_fail - v.expect_at.keys()))}" for v in VECTORS
                if v.status == "approved" and v.expect_fail - v.expect_at.keys()]
    assert not unpinned, f"{len(unpinned)} negative vectors without locations:\n" + "\n".join(unpinned)
    stray = [v.id for v in VECTORS if v.expect_at.keys() - v.expect_fail]
    assert not stray, f"locations pinned for requirements the vector does not fail: {stray}"


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_vector_outcome_is_exactly_as_listed(vector: Vector, outcomes: dict[str, VectorOutcome]) -> None:
    mismatch = outcomes[vector.id].mismatch()
    assert mismatch is None, f"{vector.id} ({vector.manifest}):\n{mismatch}"


def _prefixes() -> list[str]:
    import tomllib

    from conformance.support.resources import shapes_dir

    return sorted(tomllib.loads(p.read_text(encoding="utf-8"))["standard"]["prefix"]
                  for p in shapes_dir().glob("*/*/requirements.toml"))


def _fault_evidence(request: pytest.FixtureRequest, env: Environment, prefix: str) -> tuple[set[str], set[str]]:
    """Protocol requirements (tag "protocol") are shown by the reference's fault switches, not by vector files:
    passing when the conformant reference passes them, failing when a switch the FAULTS table maps to them makes
    them fail. The runs happen here, in this session (the fixture tests/support/exchange shares), so nothing is taken on trust."""
    protocol = {r.id for r in env.catalog.of_standard(prefix) if "protocol" in r.tags}
    if not protocol:
        return set(), set()
    from conformance.core.findings import Outcome
    from conformance.reference import reference_modules

    modules = reference_modules()
    passing: set[str] = set()
    failing: set[str] = set()
    for key, module in modules.items():          # a standard may have a reference for each side of its protocol
        if module.prefix != prefix:
            continue
        runs = request.getfixturevalue("reference_fault_runs")(key)
        passing |= {rid for rid, outcome in runs[None].outcomes(prefix).items()
                    if outcome is Outcome.PASSED and module.covers(rid, modules)}
        failing |= {rid for switch, rid in module.faults.items() if runs[switch].outcome(rid) is Outcome.FAILED}
    return passing & protocol, failing & protocol


@pytest.mark.parametrize("prefix", _prefixes())
def test_coverage_gate(prefix: str, env: Environment, outcomes: dict[str, VectorOutcome],
                       request: pytest.FixtureRequest) -> None:
    """Every automated requirement of the standard has a vector (or, for a protocol requirement, the conformant
    reference and a fault switch) showing it pass and one showing it fail."""
    shown_passing: set[str] = set()
    shown_failing: set[str] = set()
    for outcome in outcomes.values():
        if outcome.vector.status != "approved" or outcome.mismatch() is not None:
            continue
        shown_passing |= outcome.passed - outcome.vector.expect_fail
        shown_failing |= outcome.vector.expect_fail
        shown_failing |= {rid for rid in outcome.vector.expect_error if "limit" in env.catalog[rid].tags}
        # a recognition rule's negative is an input it does not recognize: undecided, and the verdict "not judged"
        shown_failing |= {rid for rid in outcome.vector.expect_cant_tell if "recognition" in env.catalog[rid].tags
                          and outcome.expected_verdict is Verdict.NOT_JUDGED}
    fault_passing, fault_failing = _fault_evidence(request, env, prefix)
    shown_passing |= fault_passing
    shown_failing |= fault_failing
    gaps = []
    for requirement in env.catalog.of_standard(prefix):
        if not requirement.automated or GATE_EXEMPT_TAGS & set(requirement.tags):
            continue
        if requirement.id not in shown_passing:
            gaps.append(f"{requirement.id}: no approved vector (or conformant reference run) shows it passing")
        if requirement.id not in shown_failing:
            gaps.append(f"{requirement.id}: no approved vector (or fault switch) shows it failing")
    assert not gaps, f"{len(gaps)} coverage gaps:\n" + "\n".join(sorted(gaps))


def test_every_automated_requirement_has_a_check(env: Environment) -> None:
    missing = [r.id for r in env.catalog if r.automated and r.id not in env.check_registry.checks]
    assert not missing, f"automated requirements without a check: {missing}"


def test_every_check_names_a_catalog_requirement(env: Environment) -> None:
    unknown = [rid for rid in env.check_registry.checks if rid not in env.catalog]
    assert not unknown, f"checks registered for requirements no catalog defines: {unknown}"


SNAPSHOT = snapshots.load(snapshots.VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_findings_are_those_of_the_snapshot(vector: Vector, outcomes: dict[str, VectorOutcome]) -> None:
    """Every finding, not only the listed ones, is what it was when tests/snapshots was taken (issue 14's move)."""
    difference = snapshots.difference(SNAPSHOT.get(vector.id), snapshots.rows([outcomes[vector.id].result]))
    assert difference is None, f"{vector.id}: {difference}"


def test_snapshot_names_only_existing_vectors() -> None:
    assert set(SNAPSHOT) == {v.id for v in VECTORS}
