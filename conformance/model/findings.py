"""Findings: what a check says about one subject and one requirement."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.model.requirements import Level


class Outcome(StrEnum):
    """EARL's five outcomes plus `error`: we could not evaluate (network, missing artifact, our own bug)."""

    PASSED = "passed"
    FAILED = "failed"
    CANT_TELL = "cantTell"
    INAPPLICABLE = "inapplicable"
    UNTESTED = "untested"
    ERROR = "error"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Finding:
    requirement: str
    outcome: Outcome
    location: str = ""                 # JSON pointer (absolute within the input), RDF focus node, or HTTP step
    message: str = ""                  # plain present tense: what was found, what was expected, where
    expected: str | None = None
    actual: str | None = None
    subject: str = ""                  # filled in by the runner
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self, level: Level) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "outcome": str(self.outcome),
            "level": str(level),
            "location": self.location,
            "message": self.message,
        }


def located_message(finding: Finding) -> str:
    """The message with its location in front, unless the message already starts with it."""
    if finding.location and finding.message.startswith(finding.location):
        return finding.message
    return f"{finding.location or '/'}: {finding.message}"


def verdict_of(leveled: Iterable[tuple[Finding, Level]]) -> Verdict:
    """`fail` when a must-level finding failed; `error` when nothing failed but something could not be evaluated."""
    errored = False
    for finding, level in leveled:
        if finding.outcome is Outcome.FAILED and level is Level.MUST:
            return Verdict.FAIL
        if finding.outcome is Outcome.ERROR:
            errored = True
    return Verdict.ERROR if errored else Verdict.PASS
