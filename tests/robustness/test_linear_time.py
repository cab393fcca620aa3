"""Linear time (issue 13): doubling an array a vendor controls at most about doubles the time to judge the input.

Each test times the same judgement at n and 2n in one run (CPU time, best of three, so other work on the machine
counts little) and asserts the ratio stays below 3: linear work gives about 2, quadratic about 4. It is a ratio
measured in the run, never a wall-clock limit; on a very busy machine a ratio is measured again, up to three times.
The sizes are chosen so that the quadratic code these tests replaced took seconds (10,000 `evidence` items in a
signed credential: ~40 s of node-map duplicate checks) while the linear code takes a fraction of one."""
from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from conformance.core.work import WorkLimits
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.securing.signing import sign_document
from conformance.support.securing.status.bitstring import gunzip_bounded
from tests.documents import minimal_badge

pytestmark = pytest.mark.slow
LINEAR_ENOUGH = 3.0


def _best_of_three(work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def assert_linear(make: Callable[[int], Callable[[], Any]], n: int) -> None:
    small, large = make(n), make(2 * n)
    ratios = []
    for _ in range(3):
        ratio = _best_of_three(large) / max(_best_of_three(small), 1e-6)
        ratios.append(round(ratio, 2))
        if ratio < LINEAR_ENOUGH:
            return
    pytest.fail(f"doubling {n:,} to {2 * n:,} multiplies the time by {ratios} (expected below {LINEAR_ENOUGH})")


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    run_env = copy.copy(env)
    run_env.work_limits = WorkLimits(document_seconds=None, document_jsonld_operations=None)   # measure, not stop
    return Runner(run_env, run_env.profile("default"))


def judging(runner: Runner, document: dict[str, Any]) -> Callable[[], Any]:
    data = json.dumps(document).encode()
    return lambda: list(runner.run([BytesTarget("doc", data, "doc.json")]))


def test_evidence_items_of_a_signed_credential(env: Environment, runner: Runner) -> None:
    def make(n: int) -> Callable[[], Any]:
        badge = {**minimal_badge(), "evidence": [{"type": ["Evidence"]} for _ in range(n)]}
        return judging(runner, sign_document(badge, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer))
    assert_linear(make, 1_000)


def test_values_of_a_credential_subject(runner: Runner) -> None:
    def make(n: int) -> Callable[[], Any]:
        badge = minimal_badge()
        badge["credentialSubject"] = [*[0] * n, badge["credentialSubject"]]
        return judging(runner, badge)
    assert_linear(make, 20_000)


def test_subjects_of_a_credential(runner: Runner) -> None:
    def make(n: int) -> Callable[[], Any]:
        badge = minimal_badge()
        badge["credentialSubject"] = [{**badge["credentialSubject"], "id": f"did:example:{i}"} for i in range(n)]
        return judging(runner, badge)
    assert_linear(make, 300)


def test_proofs_of_a_proof_set(env: Environment, runner: Runner) -> None:
    signed = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)

    def make(n: int) -> Callable[[], Any]:
        return judging(runner, {**signed, "proof": [{**signed["proof"], "id": f"urn:proof:{i}"} for i in range(n)]})
    assert_linear(make, 15)


def test_members_of_a_status_list() -> None:
    import gzip

    def make(n: int) -> Callable[[], Any]:
        data = gzip.compress(b"") * n
        return lambda: gunzip_bounded(data, max_members=n + 1)
    assert_linear(make, 20_000)
