"""Evaluate vectors and in-memory documents: the shared path for tests, the CLI's vector export and the benchmark."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from conformance.core.findings import Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import BytesTarget
from conformance.run.vectors import Vector
from conformance.support.securing.trust import load_trust_source
from conformance.support.securing.verifier import VerificationOptions


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

    def locations_failing(self, requirement: str) -> frozenset[str]:
        return frozenset(f.location for f in self.result.findings
                         if f.requirement == requirement and f.outcome is Outcome.FAILED)

    @property
    def undecided_musts(self) -> frozenset[str]:
        """MUST requirements left cantTell (and not failed elsewhere in the subject)."""
        return frozenset(f.requirement for f in self.result.undecided if f.outcome is Outcome.CANT_TELL) - self.failed

    @property
    def expected_verdict(self) -> Verdict | None:
        """The manifest's verdict, or the one its lists imply: a vector that fails nothing passes, or is incomplete
        when it names undecided MUSTs. A failing vector's verdict is implied by nothing (it may fail only SHOULDs)."""
        vector = self.vector
        if vector.expect_verdict is not None:
            return Verdict(vector.expect_verdict)
        if vector.expect_fail or vector.expect_error:
            return None
        return Verdict.INCOMPLETE if vector.expect_cant_tell else Verdict.PASS

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
        for rid, expected_at in sorted(self.vector.expect_at.items()):
            found_at = self.locations_failing(rid)
            if found_at != expected_at:
                problems.append(f"{rid} fails at {sorted(found_at)}, expected exactly at {sorted(expected_at)}")
        undecided = self.undecided_musts
        if missing := sorted(self.vector.expect_cant_tell - undecided):
            problems.append(f"expected to stay cantTell but did not: {', '.join(missing)}")
        if not self.vector.expect_fail and (extra := sorted(undecided - self.vector.expect_cant_tell)):
            details = [f"{f.requirement} at {f.location or '/'}: {f.message}" for f in self.result.undecided
                       if f.requirement in extra]
            problems.append("MUSTs cantTell unexpectedly: " + "; ".join(dict.fromkeys(details)))
        expected = self.expected_verdict
        if expected is not None and self.result.verdict is not expected:
            problems.append(f"expected the verdict {expected.label}, found {self.result.verdict.label}")
        return "\n".join(problems) or None


def vector_options(vector: Vector) -> VerificationOptions | None:
    """What the verifier expects for this vector (its `verify` table), or None for the run's defaults."""
    if not vector.verify:
        return None
    domain = vector.verify.get("domain")
    now = vector.verify.get("now")
    trust = vector.verify.get("trust_list")
    return VerificationOptions(
        challenge=vector.verify.get("challenge"),
        domain=None if domain is None else (domain,) if isinstance(domain, str) else tuple(domain),
        now=datetime.fromisoformat(now) if now else None,
        trust_list=load_trust_source(vector.folder / trust) if trust else None)


def evaluate_vectors(env: Environment, vectors: Iterable[Vector]) -> list[VectorOutcome]:
    """Run each vector under its profile and verification options. `env` should know the manifests' resources
    (Environment.create(documents=known_documents()))."""
    runners: dict[tuple[str, VerificationOptions | None], Runner] = {}
    outcomes = []
    for vector in vectors:
        options = vector_options(vector)
        runner = runners.get((vector.profile, options))
        if runner is None:
            run_env = env if options is None else env.with_options(options)
            runner = runners[(vector.profile, options)] = Runner(run_env, run_env.profile(vector.profile))
        target = BytesTarget(id=f"{vector.id}", data=vector.materialize(env.verifier.canonicalizer),
                             name=vector.filename)
        (result,) = list(runner.run([target]))
        outcomes.append(VectorOutcome(vector, result))
    return outcomes
