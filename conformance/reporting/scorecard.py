"""The verdict roll-ups a reader sees first: per standard, per role and per C-BEN principle.

One rule everywhere, after the OpenID Foundation's practice: a group is **conformant** when every MUST it judged
passed and none was left undecided (cantTell, untested or error); **not conformant** when a MUST failed; **incomplete** when
no MUST failed but one could not be decided; **not applicable** when nothing in it applied. SHOULD and MAY failures
are warnings: counted and shown, never a change of verdict.

Pure functions over a results.json document and the catalog; the HTML report, the attestation and the text output
read the same numbers.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.core.findings import UNDECIDED, Verdict, decide
from conformance.core.requirements import Catalog, Principle

_DECIDED_BAD = ("failed",)
_UNDECIDED = tuple(str(o) for o in UNDECIDED)        # cantTell, untested, error
UNKNOWN_GROUP = "unknown"
# One subject's findings for one requirement collapse to the weakest (EARL has one result per test and subject).
WEAKEST_FIRST = ("failed", "error", "cantTell", "untested", "passed", "inapplicable")


class GroupVerdict(StrEnum):
    CONFORMANT = "conformant"
    NOT_CONFORMANT = "not-conformant"
    INCOMPLETE = "incomplete"
    NOT_APPLICABLE = "not-applicable"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


_GROUP_VERDICT = {Verdict.PASS: GroupVerdict.CONFORMANT, Verdict.FAIL: GroupVerdict.NOT_CONFORMANT,
                  Verdict.INCOMPLETE: GroupVerdict.INCOMPLETE, Verdict.NOT_JUDGED: GroupVerdict.NOT_APPLICABLE}


@dataclass(frozen=True, slots=True)
class Tally:
    """Outcome counts of one group, split by level; each (target, subject, requirement) counts once, with the
    weakest outcome of its findings."""

    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)   # (level, outcome) -> count

    def get(self, level: str, outcome: str) -> int:
        return self.counts.get((level, outcome), 0)

    def total(self, outcome: str) -> int:
        return sum(n for (_, o), n in self.counts.items() if o == outcome)

    @property
    def verdict(self) -> GroupVerdict:
        """The core verdict rule (model.findings.decide) over this group's counts."""
        verdict = decide(must_failed=any(self.get("must", o) for o in _DECIDED_BAD),
                         must_undecided=any(self.get("must", o) for o in _UNDECIDED),
                         judged=any(self.total(o) for o in ("passed", "failed", *_UNDECIDED)))
        return _GROUP_VERDICT[verdict]

    @property
    def warnings(self) -> int:
        return self.get("should", "failed") + self.get("may", "failed")

    def to_json(self) -> dict[str, Any]:
        by_level: dict[str, dict[str, int]] = defaultdict(dict)
        for (level, outcome), count in sorted(self.counts.items()):
            by_level[level][outcome] = count
        return {"verdict": str(self.verdict), "warnings": self.warnings, "counts": dict(by_level)}


@dataclass(frozen=True, slots=True)
class FailedRequirement:
    """A requirement that failed somewhere in the run, with where it failed (capped) and how often."""

    requirement: str
    level: str
    outcome: str                                       # failed, error or cantTell
    occurrences: int
    examples: tuple[Mapping[str, str], ...]            # subject, location, message


@dataclass(frozen=True, slots=True)
class Scorecard:
    overall: Tally
    standards: Mapping[str, Tally]
    roles: Mapping[str, Tally]
    principles: Mapping[str, Tally]
    failures: tuple[FailedRequirement, ...]            # failed first (MUST before SHOULD), then undecided MUSTs
    subjects: int

    @property
    def verdict(self) -> GroupVerdict:
        return self.overall.verdict


def _assertions(results: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    assertions = results.get("assertions")
    if isinstance(assertions, list):
        yield from (a for a in assertions if isinstance(a, Mapping))
        return
    for result in results.get("results", []):       # older or trimmed documents: the per-subject findings
        for finding in result.get("findings", []):
            yield {"subject": result.get("subject", ""), **finding}


def _weakest(outcome: str) -> int:
    return WEAKEST_FIRST.index(outcome) if outcome in WEAKEST_FIRST else len(WEAKEST_FIRST)


def collapsed(results: Mapping[str, Any]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(target, subject, requirement) -> (level, weakest outcome) over the run's assertions."""
    pairs: dict[tuple[str, str, str], tuple[str, str]] = {}
    for assertion in _assertions(results):
        key = (str(assertion.get("target", "")), str(assertion.get("subject", "")),
               str(assertion.get("requirement", "")))
        outcome = str(assertion.get("outcome", ""))
        known = pairs.get(key)
        if known is None or _weakest(outcome) < _weakest(known[1]):
            pairs[key] = (str(assertion.get("level", "must")), outcome)
    return pairs


def overall_tally(results: Mapping[str, Any]) -> Tally:
    """The whole run's counts, for summaries that need no catalog (the attestation)."""
    return Tally(dict(Counter(collapsed(results).values())))


def scorecard(results: Mapping[str, Any], catalog: Catalog, *, examples_per_requirement: int = 12) -> Scorecard:
    overall: Counter[tuple[str, str]] = Counter()
    standards: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    roles: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    principles: dict[str, Counter[tuple[str, str]]] = {str(p): Counter() for p in Principle}
    problems: dict[tuple[str, str], list[Mapping[str, str]]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    levels: dict[str, str] = {}
    subjects: set[str] = set()
    for (_, subject, rid), key in collapsed(results).items():
        if subject:                  # the run's own not-tested entries have no subject
            subjects.add(subject)
        overall[key] += 1
        requirement = catalog.requirements.get(rid)
        standards[requirement.standard.prefix if requirement else UNKNOWN_GROUP][key] += 1
        for role in (requirement.applies_to if requirement else (UNKNOWN_GROUP,)):
            roles[role][key] += 1
        for principle in (requirement.principles if requirement else ()):
            principles[str(principle)][key] += 1
    for assertion in _assertions(results):
        rid = str(assertion.get("requirement", ""))
        outcome = str(assertion.get("outcome", ""))
        level = str(assertion.get("level", "must"))
        subject = str(assertion.get("subject", ""))
        if outcome == "failed" or (outcome in _UNDECIDED and level == "must"):
            levels[rid] = level
            counts[(rid, outcome)] += 1
            shown = problems.setdefault((rid, outcome), [])
            if len(shown) < examples_per_requirement:
                shown.append({"subject": subject, "location": str(assertion.get("location", "")),
                              "message": str(assertion.get("message", ""))})
    rank = {"failed": 0, "error": 1, "cantTell": 2}
    level_rank = {"must": 0, "should": 1, "may": 2}
    failures = tuple(sorted(
        (FailedRequirement(rid, levels[rid], outcome, counts[(rid, outcome)], tuple(shown))
         for (rid, outcome), shown in problems.items()),
        key=lambda f: (rank.get(f.outcome, 3), level_rank.get(f.level, 3), -f.occurrences, f.requirement)))
    return Scorecard(
        overall=Tally(dict(overall)),
        standards={k: Tally(dict(v)) for k, v in sorted(standards.items())},
        roles={k: Tally(dict(v)) for k, v in sorted(roles.items())},
        principles={k: Tally(dict(v)) for k, v in principles.items()},
        failures=failures,
        subjects=len(subjects),
    )


ROLE_LABELS: Mapping[str, str] = {
    "document": "Credential documents", "issuer": "Issuer", "verifier": "Verifier", "wallet": "Wallet",
    "holder": "Holder", "registry": "Registry publisher", "host": "Host", "displayer": "Displayer",
    UNKNOWN_GROUP: "Requirements not in this suite's catalog"}


def standard_label(prefix: str, catalog: Catalog) -> str:
    standard = catalog.standards.get(prefix)
    return standard.label if standard else prefix


def principle_label(principle: str) -> str:
    return {"open-standards": "Open standards", "privacy-security": "Privacy and security",
            "learning-anywhere": "Unlock learning anywhere", "universal-access": "Universal access",
            "alignment": "Alignment", "public-private-partnership": "Public-private partnership",
            "global-mobility": "Global mobility"}.get(principle, principle)


def untested_requirements(catalog: Catalog, standards: Sequence[str]) -> list[str]:
    """Requirements of the judged standards that the suite does not test (manual), for the "not covered" box."""
    return [r.id for prefix in standards for r in catalog.of_standard(prefix) if not r.automated]
