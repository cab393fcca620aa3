"""Findings: what a check says about one subject and one requirement."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.core.requirements import Level


class Outcome(StrEnum):
    """EARL's five outcomes plus `error`: we could not evaluate (network, missing artifact, our own bug)."""

    PASSED = "passed"
    FAILED = "failed"
    CANT_TELL = "cantTell"
    INAPPLICABLE = "inapplicable"
    UNTESTED = "untested"
    ERROR = "error"


class Verdict(StrEnum):
    """The one verdict every output gives (see `verdict_of`)."""

    PASS = "pass"                  # every MUST in scope was decided and passed
    FAIL = "fail"                  # a MUST in scope failed
    INCOMPLETE = "incomplete"      # nothing failed, but some MUST in scope is cantTell, untested or error
    NOT_JUDGED = "not-judged"      # no standard recognized the input: nothing was judged

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


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
    limitation: str = ""               # cantTell for the suite's own limit: what the suite does not support

    def to_json(self, level: Level) -> dict[str, Any]:
        shown = {
            "requirement": self.requirement,
            "outcome": str(self.outcome),
            "level": str(level),
            "location": self.location,
            "message": self.message,
        }
        if self.limitation:
            shown["limitation"] = self.limitation
        return shown


def located_message(finding: Finding) -> str:
    """The message with its location in front, unless the message already starts with it."""
    if finding.location and finding.message.startswith(finding.location):
        return finding.message
    return f"{finding.location or '/'}: {finding.message}"


UNDECIDED = frozenset({Outcome.CANT_TELL, Outcome.UNTESTED, Outcome.ERROR})


def verdict_of(leveled: Iterable[tuple[Finding, Level]], *, recognized: bool = True) -> Verdict:
    """The one verdict rule. `fail` when a MUST in scope failed; else `not judged` when no standard recognized the
    input; else `incomplete` when some MUST in scope stayed undecided (cantTell, untested, error); else `pass`.
    SHOULD and MAY findings never change a verdict."""
    undecided = False
    for finding, level in leveled:
        if level is not Level.MUST:
            continue
        if finding.outcome is Outcome.FAILED:
            return Verdict.FAIL
        if finding.outcome in UNDECIDED:
            undecided = True
    return decide(must_failed=False, must_undecided=undecided, judged=recognized)


def decide(*, must_failed: bool, must_undecided: bool, judged: bool) -> Verdict:
    """The rule itself, for callers that hold counts rather than findings (the report's per-group tallies)."""
    if must_failed:
        return Verdict.FAIL
    if not judged:
        return Verdict.NOT_JUDGED
    return Verdict.INCOMPLETE if must_undecided else Verdict.PASS


def combined_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """Many subjects' verdicts as one: any failure fails; any undecided subject, or a mix of judged and unjudged
    ones, is incomplete; nothing judged at all (or nothing given) is not judged; pass only when every subject passed."""
    seen = set(verdicts)
    if Verdict.FAIL in seen:
        return Verdict.FAIL
    if Verdict.INCOMPLETE in seen or (Verdict.NOT_JUDGED in seen and Verdict.PASS in seen):
        return Verdict.INCOMPLETE
    if not seen or seen == {Verdict.NOT_JUDGED}:
        return Verdict.NOT_JUDGED
    return Verdict.PASS
