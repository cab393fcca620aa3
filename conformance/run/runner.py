"""The runner: subjects in, findings out. It decodes, picks the standards a document claims, runs their checks,
and descends into embedded credentials. Exceptions in checks become `error` findings, never passes."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from conformance.core.checks import Detector, Embedded, RegisteredCheck
from conformance.core.findings import UNDECIDED, Finding, Outcome, Verdict, combined_verdict, verdict_of
from conformance.core.profiles import Profile
from conformance.core.requirements import SERVICES, Level
from conformance.core.subject import Subject
from conformance.core.work import RunSpending, WorkBudgetExhausted, spending
from conformance.run.environment import Environment
from conformance.run.targets.files import Target
from conformance.support.formats import Payload, PayloadError, parse_data_url
from conformance.support.net.errors import FetchError, FetchReason

CORE = "CORE"
SUITE_FAULT_RULE = "CORE-recognized-document"     # what a detector or embedder that raised leaves undecided
MAX_EMBEDDING_DEPTH = 8
# The findings one rule lists for one subject. A rule that fails at a million places (a hostile array) is no more
# failed than one that fails at a hundred, and listing them all costs gigabytes; past the bound the rule's outcome is
# already decided, so the check stops and one closing finding says the listing was cut.
MAX_FINDINGS_PER_RULE = 100


@dataclass(frozen=True, slots=True)
class SubjectResult:
    subject: str
    target: str
    verdict: Verdict
    standards: tuple[str, ...]
    findings: tuple[Finding, ...]
    levels: Mapping[str, Level]
    diagrams: tuple[Mapping[str, str], ...] = ()     # figures for the reports (pathways); never part of a verdict
    scores: tuple[Mapping[str, Any], ...] = ()       # measures beside the findings (benchmark data); never a verdict
    transcript: Mapping[str, Any] | None = None      # a live service's exchanges (redacted), kept as evidence
    input_digest: tuple[str, int] | None = None      # sha256 and size of the bytes judged, for the report archive

    def level(self, finding: Finding) -> Level:
        return self.levels[finding.requirement]

    @property
    def undecided(self) -> tuple[Finding, ...]:
        """The MUST findings that kept this subject from a decision (cantTell, untested, error), in order."""
        return tuple(f for f in self.findings if f.outcome in UNDECIDED and self.levels[f.requirement] is Level.MUST)

    def to_json(self) -> dict[str, object]:
        shown: dict[str, object] = {
            "subject": self.subject,
            "verdict": str(self.verdict),
            "standards": list(self.standards),
            "findings": [f.to_json(self.levels[f.requirement]) for f in self.findings],
        }
        if self.verdict is Verdict.INCOMPLETE:
            shown["undecided"] = sorted({f.requirement for f in self.undecided})
        if self.input_digest is not None:
            shown["input"] = {"sha256": self.input_digest[0], "size": self.input_digest[1]}
        return shown


@dataclass(frozen=True, slots=True)
class NotTested:
    """A MUST in scope that the run could not test because the user did not give what it needs."""

    requirement: str
    needs: str           # trust-list, challenge, domain, services
    why: str

    def to_json(self) -> dict[str, str]:
        return {"requirement": self.requirement, "needs": self.needs, "why": self.why}


@dataclass(frozen=True, slots=True)
class Scope:
    """What a profile asked of this run beyond its subjects: rules left out for want of an input the profile does not
    require (`out_of_scope`), and rules it requires that the run could not test (`not_tested`)."""

    profile: str
    out_of_scope: Mapping[str, tuple[str, ...]]          # requirement -> the inputs it lacked
    not_tested: tuple[NotTested, ...]

    def to_json(self) -> dict[str, object]:
        return {"profile": self.profile,
                "out_of_scope": [{"requirement": rid, "needs": list(needs)}
                                 for rid, needs in sorted(self.out_of_scope.items())],
                "not_tested": [n.to_json() for n in self.not_tested]}


_INPUT_HINTS = {"trust-list": "a trust list (--trust-list)", "challenge": "an expected challenge (--challenge)",
                "domain": "an expected domain (--domain)",
                "services": "a live service of the role it tests ([[service]] in a targets file)"}


def run_verdict(results: Iterable[SubjectResult], scope: Scope | None = None) -> Verdict:
    """The run's verdict: its subjects' verdicts combined, and never `pass` while a MUST the profile requires went
    untested."""
    verdict = combined_verdict(r.verdict for r in results)
    if scope is not None and scope.not_tested and verdict is Verdict.PASS:
        return Verdict.INCOMPLETE
    return verdict


class Runner:
    def __init__(self, env: Environment, profile: Profile):
        if env.judging_instant is None:
            # one run, one instant: no two rules of a run judge time a few microseconds apart (the CLI and the pytest
            # plugin fix it from --at or the clock; a Runner made without one fixes it here)
            env = env.with_options(replace(env.options, now=datetime.now(UTC)))
        self.env = env
        self.profile = profile
        given = env.given_inputs()
        self.levels: dict[str, Level] = {}
        self.out_of_scope: dict[str, tuple[str, ...]] = {}
        self.untestable: dict[str, str] = {}    # in scope, required by the profile, but an input is missing
        for rid, level in profile.select(env.catalog).items():
            missing = env.catalog[rid].inputs - given - {SERVICES}   # services are known only once the run is over
            if missing and not missing <= profile.requires:
                self.out_of_scope[rid] = tuple(sorted(missing))
                continue
            self.levels[rid] = level
            if missing:
                self.untestable[rid] = sorted(missing)[0]
        registry = env.check_registry
        self.by_prefix: dict[str, list[RegisteredCheck]] = {}
        for rid in sorted(self.levels):
            registered = registry.checks.get(rid)
            if registered is not None:
                self.by_prefix.setdefault(registered.prefix, []).append(registered)
        # the rules that judge "is this input a document of the standard the profile is made for" (CTDL-publication)
        self.claim_rules = [r for prefix in profile.judges for r in self.by_prefix.get(prefix, ())
                            if "claim" in env.catalog[r.requirement].tags]
        # a rule whose judgement a more specific standard states too (VCDM20-terms-defined and OB30-jsonld-safe-mode):
        # the owners in scope at a level as strict, in catalog order
        self.reported_under = {
            rid: owners for rid in self.levels
            if (owners := tuple(o for o in env.catalog[rid].reported_under if o in self.levels
                                and self.levels[o].strictness >= self.levels[rid].strictness))}
        self.detectors = dict(registry.detectors)
        self.embedders = list(registry.embedders)
        self.illustrators = dict(registry.illustrators)
        self.measurers = dict(registry.measurers)
        self.spending = RunSpending(env.work_limits)     # the run's budget: its clock starts now

    def run(self, targets: Iterable[Target]) -> Iterator[SubjectResult]:
        for target in targets:
            try:
                subjects = list(target.subjects(self.env))
            except OSError as exc:
                unreadable = PayloadError(_unreadable_code(exc), f"{target.id} cannot be read: {exc}")
                subjects = [Subject(id=target.id, env=self.env, payload_error=unreadable)]
            for subject in subjects:
                yield self.evaluate(subject)

    def scope(self, results: Iterable[SubjectResult]) -> Scope:
        """The run's scope once its subjects are judged: what was left out, and what the profile requires that no
        subject could test (an input not given; a protocol rule no live service of the run reached)."""
        not_tested = [NotTested(rid, needs, self._not_given(needs))
                      for rid, needs in sorted(self.untestable.items()) if self.levels[rid] is Level.MUST]
        if SERVICES in self.profile.requires:
            reached = {f.requirement for r in results for f in r.findings}
            not_tested += [NotTested(rid, SERVICES, f"not tested: {self.profile.name} requires "
                                                    f"{_INPUT_HINTS[SERVICES]}, and no service of the run reached it")
                           for rid, level in sorted(self.levels.items())
                           if level is Level.MUST and SERVICES in self.env.catalog[rid].inputs and rid not in reached]
        return Scope(self.profile.name, dict(self.out_of_scope), tuple(not_tested))

    def _not_given(self, needs: str) -> str:
        return f"not tested: {self.profile.name} requires {_INPUT_HINTS[needs]}, and the run was given none"

    def evaluate(self, subject: Subject) -> SubjectResult:
        findings: list[Finding] = []
        standards: set[str] = set()
        with spending(subject.id, self.spending):       # embedded subjects spend their input's budget
            self._evaluate(subject, findings, standards)
        leveled = ((f, self.levels[f.requirement]) for f in findings)
        # "not judged" is for an input no standard claims: a document that decoded, or bytes in no format the suite
        # reads; an input that could not be read or decoded otherwise was never offered to the standards: its CORE
        # findings decide (fail, or incomplete on an error)
        error = subject.payload_error
        recognized = bool(standards - {CORE}) or (error is not None and error.code != "unknown-format")
        verdict = verdict_of(leveled, recognized=recognized)
        return SubjectResult(subject=subject.id, target=subject.target, verdict=verdict,
                             standards=tuple(sorted(standards - {CORE})), findings=tuple(findings),
                             levels=self.levels, diagrams=self._annotate(subject, standards, findings, figures=True),
                             scores=self._annotate(subject, standards, findings, figures=False),
                             transcript=_transcript_of(subject), input_digest=_digest_of(subject))

    def _annotate(self, subject: Subject, standards: set[str], findings: list[Finding], *,
                  figures: bool) -> tuple[Mapping[str, Any], ...]:
        """Figures or measures of the standards this profile judged here: courtesies of the report, so a failing
        one is left out and never costs the findings."""
        hooks = self.illustrators if figures else self.measurers
        made: list[Mapping[str, Any]] = []
        for prefix in sorted(standards & hooks.keys() & self.by_prefix.keys()):
            try:
                made.extend(hooks[prefix](subject, findings) if figures else hooks[prefix](subject))
            except (Exception, WorkBudgetExhausted):  # noqa: BLE001, S112
                continue
        return tuple(made)

    def _evaluate(self, subject: Subject, findings: list[Finding], standards: set[str]) -> None:
        parsed = _payload_error(subject) is None
        prefixes = [CORE]
        if parsed:
            prefixes += [p for p, detect in sorted(self.detectors.items()) if self._detect(p, detect, subject, findings)]
        standards.update(p for p in prefixes if p in self.by_prefix)    # judged here, not merely recognized
        if subject.parent is None and self.claim_rules and not set(prefixes) & set(self.profile.judges):
            # offered to a profile made for other standards: their claim rule fails it (a failure of that standard)
            standards.update(r.prefix for r in self.claim_rules)
            findings.extend(_place(f, subject) for r in self.claim_rules for f in _run_check(r, subject))
        own = len(findings)
        for prefix in prefixes:
            for registered in self.by_prefix.get(prefix, ()):
                if registered.requirement in self.untestable:
                    needs = self.untestable[registered.requirement]
                    findings.append(_place(Finding(registered.requirement, Outcome.UNTESTED, "",
                                                   self._not_given(needs)), subject))
                    continue
                for finding in _run_check(registered, subject):
                    findings.append(_place(finding, subject))
        if self.reported_under:
            findings[own:] = self._report_once(findings[own:], subject)
        if parsed and subject.depth < MAX_EMBEDDING_DEPTH:
            for child in self._children(subject, findings):
                self._evaluate(child, findings, standards)

    def _report_once(self, own: list[Finding], subject: Subject) -> list[Finding]:
        """One judgement stated by two standards is reported once: where a rule's owner judged this subject (a
        finding other than inapplicable or untested), the rule's own findings give way to one that names it."""
        judged = {f.requirement for f in own if f.outcome not in (Outcome.INAPPLICABLE, Outcome.UNTESTED)}
        owner_of = {rid: owner for rid, owners in self.reported_under.items()
                    if (owner := next((o for o in owners if o in judged), None)) is not None}
        if not owner_of:
            return own
        kept: list[Finding] = []
        pointed: set[str] = set()
        for finding in own:
            owner = owner_of.get(finding.requirement)
            if owner is None:
                kept.append(finding)
            elif finding.requirement not in pointed:
                pointed.add(finding.requirement)
                kept.append(_place(Finding(finding.requirement, Outcome.INAPPLICABLE, "",
                                           f"reported under {owner}: the document's own standard states the same "
                                           f"rule, and each defect is reported once"), subject))
        return kept

    def _detect(self, prefix: str, detect: Detector, subject: Subject, findings: list[Finding]) -> bool:
        try:
            return bool(detect(subject))
        except WorkBudgetExhausted as exhausted:
            self._suite_fault(findings, subject, f"recognizing {prefix} documents stopped: {exhausted.message}; "
                                                 "its rules did not run")
            return False
        except Exception as exc:  # noqa: BLE001 - a detector's own defect: said, never a silent "not this standard"
            self._suite_fault(findings, subject, f"recognizing {prefix} documents raised {type(exc).__name__}: {exc}; "
                                                 f"its rules did not run (a defect in the suite)")
            return False

    def _children(self, subject: Subject, findings: list[Finding]) -> Iterator[Subject]:
        for embedder in self.embedders:
            try:
                embedded = list(embedder(subject))
            except WorkBudgetExhausted as exhausted:
                self._suite_fault(findings, subject, f"looking for embedded credentials stopped: {exhausted.message}; "
                                                     "they were not judged")
                continue
            except Exception as exc:  # noqa: BLE001 - never hides the parent's findings, and never goes unsaid
                self._suite_fault(findings, subject, f"looking for embedded credentials ({embedder.__module__}) raised "
                                                     f"{type(exc).__name__}: {exc}; they were not judged (a defect in "
                                                     "the suite)")
                continue
            for item in embedded:
                yield _child(subject, item)

    def _suite_fault(self, findings: list[Finding], subject: Subject, message: str) -> None:
        """A detector or embedder that raised leaves the input's recognition undecided: an `error` finding, so the
        verdict can never be pass (profiles that leave the CORE rule out cannot show it)."""
        if SUITE_FAULT_RULE in self.levels:
            findings.append(_place(Finding(SUITE_FAULT_RULE, Outcome.ERROR, "", message), subject))


def _payload_error(subject: Subject) -> PayloadError | None:
    return subject.payload_error


def _run_check(registered: RegisteredCheck, subject: Subject) -> list[Finding]:
    produced: list[Finding] = []
    try:
        unlisted = _listed(registered.run(subject), produced)
    except WorkBudgetExhausted as exhausted:
        # what the check said before it was stopped stands (a failure found is a failure); the rest is undecided
        return [*produced, registered.context.error(f"not judged to the end: {exhausted.message}; the suite stopped "
                                                    "here, which says nothing against the input")]
    except Exception as exc:  # noqa: BLE001 - reported as `error`: a defect in the suite, never a pass
        return [registered.context.error(
            f"the check for {registered.requirement} raised {type(exc).__name__}: {exc} (a defect in the suite)")]
    if not produced:
        return [Finding(registered.requirement, Outcome.PASSED)]
    if unlisted:
        produced.append(_cut(produced, unlisted))
    return produced


def _listed(findings: Iterator[Finding], produced: list[Finding]) -> str:
    """Collect a check's findings into `produced`, at most MAX_FINDINGS_PER_RULE of them; returns "" when all were
    listed, else how many were left out ("more" when the check was stopped before it finished). Past the bound the
    check runs on only until it fails: a failure is what decides the rule, so the first one is always kept."""
    failed = False
    dropped = 0
    for finding in findings:
        if len(produced) < MAX_FINDINGS_PER_RULE or (finding.outcome is Outcome.FAILED and not failed):
            produced.append(finding)
            failed = failed or finding.outcome is Outcome.FAILED
        else:
            dropped += 1
        if failed and len(produced) >= MAX_FINDINGS_PER_RULE:
            close = getattr(findings, "close", None)
            if close is not None:
                close()
            return "more"
    return f"{dropped:,}" if dropped else ""


def _cut(produced: list[Finding], unlisted: str) -> Finding:
    """The closing finding of a listing that was cut: the outcome that decides the rule, so the cut changes
    nothing the rule says."""
    decisive = next((f for f in produced if f.outcome is Outcome.FAILED), produced[-1])
    what = ("the check stops there: the rule has failed, and further findings cannot change that"
            if unlisted == "more" else f"{unlisted} more are not listed")
    return Finding(decisive.requirement, decisive.outcome, "",
                   f"{len(produced)} findings of this rule are listed for this input; {what}",
                   evidence={"listing_cut": True})


def _place(finding: Finding, subject: Subject) -> Finding:
    """Findings of embedded subjects get their subject and an absolute location; a root's stand as they are
    (their subject is the result's), which keeps the hot path free of copies."""
    if subject.parent is None:
        return finding
    return replace(finding, subject=subject.id, location=subject.located(finding.location))


def _child(parent: Subject, item: Embedded) -> Subject:
    child_id = f"{parent.root.id}#{parent.located(item.pointer)}"
    env = parent.env
    if item.encoding == "json":
        payload = Payload(media="json", document=item.value, jwt=None, baking=None)
        return Subject(id=child_id, env=env, payload=payload, parent=parent, pointer=item.pointer, carrier="json")
    if item.encoding == "document":       # a document of its own inside a record (a service's transcript)
        payload = Payload(media="json", document=item.value, jwt=None, baking=None)
        return Subject(id=child_id, env=env, payload=payload, parent=parent, pointer=item.pointer,
                       carrier="document")
    if item.encoding == "data-url":
        try:
            _media, data = parse_data_url(str(item.value), env.limits)
        except PayloadError as exc:
            return Subject(id=child_id, env=env, parent=parent, pointer=item.pointer, carrier="data-url",
                           payload_error=exc)
        return Subject(id=child_id, env=env, raw=data, parent=parent, pointer=item.pointer, carrier="data-url")
    return Subject(id=child_id, env=env, raw=str(item.value).encode("utf-8", "replace"), parent=parent,
                   pointer=item.pointer, carrier="jws")


def _unreadable_code(exc: OSError) -> str:
    """"gone" when the input's own server says the document is not there (404, 410): the input's defect; anything
    else (a refused connection, a file the suite may not open) is "unreadable": the suite could not evaluate."""
    if isinstance(exc, FetchError) and exc.reason is FetchReason.HTTP_STATUS and exc.status in (404, 410):
        return "gone"
    return "unreadable"


def _digest_of(subject: Subject) -> tuple[str, int] | None:
    """The judged bytes' sha256 and size, when the subject was read from bytes (not a live service)."""
    if not subject.has_raw:
        return None
    return hashlib.sha256(subject.raw).hexdigest(), len(subject.raw)


def _transcript_of(subject: Subject) -> Mapping[str, Any] | None:
    """The exchanges a live subject's checks judged, when its flows ran (the reports show them as evidence)."""
    transcript = getattr(subject, "__dict__", {}).get("transcript")      # only a view that was computed
    if transcript is None or not hasattr(transcript, "to_json"):
        return None
    return {"subject": subject.id, **transcript.to_json()}
