"""Evaluate vectors and in-memory documents: the shared path for tests, the CLI's vector export and the benchmark."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.environment import Environment
from conformance.model.findings import Outcome
from conformance.model.targets import BytesTarget
from conformance.runner import Runner, SubjectResult
from conformance.vectors import Vector


@dataclass(frozen=True, slots=True)
class VectorOutcome:
    vector: Vector
    result: SubjectResult

    def requirements_with(self, outcome: Outcome) -> frozenset[str]:
        return frozenset(f.requirement for f in self.result.findings if f.outcome is outcome)

    @property
    def failed(self) -> frozenset[str]:
        return self.requirements_with(Outcome.FAILED)

    @property
    def errored(self) -> frozenset[str]:
        return self.requirements_with(Outcome.ERROR)

    @property
    def passed(self) -> frozenset[str]:
        return self.requirements_with(Outcome.PASSED)

    def mismatch(self) -> str | None:
        """Why the outcome differs from the manifest's expectation, or None when it matches exactly."""
        problems = []
        for label, expected, actual in (("failed", self.vector.expect_fail, self.failed),
                                        ("errored", self.vector.expect_error, self.errored)):
            if missing := sorted(expected - actual):
                problems.append(f"expected to have {label} but did not: {', '.join(missing)}")
            if extra := sorted(actual - expected):
                details = [f"{f.requirement} at {f.location or '/'}: {f.message}" for f in self.result.findings
                           if f.requirement in extra and f.outcome in (Outcome.FAILED, Outcome.ERROR)]
                problems.append(f"{label} unexpectedly: " + "; ".join(details))
        return "\n".join(problems) or None


def evaluate_vectors(env: Environment, vectors: Iterable[Vector]) -> list[VectorOutcome]:
    runners: dict[str, Runner] = {}
    outcomes = []
    for vector in vectors:
        runner = runners.get(vector.profile)
        if runner is None:
            runner = runners[vector.profile] = Runner(env, env.profile(vector.profile))
        target = BytesTarget(id=f"{vector.id}", data=vector.materialize(), name=vector.filename)
        (result,) = list(runner.run([target]))
        outcomes.append(VectorOutcome(vector, result))
    return outcomes
