"""The runner: subjects in, findings out. It decodes, picks the standards a document claims, runs their checks,
and descends into embedded credentials. Exceptions in checks become `error` findings, never passes."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from conformance.environment import Environment
from conformance.formats import Payload, PayloadError, parse_data_url
from conformance.model.findings import Finding, Outcome, Verdict, verdict_of
from conformance.model.profiles import Profile
from conformance.model.requirements import Level
from conformance.model.subjects import Subject
from conformance.model.targets import Target
from conformance.registry import Embedded, RegisteredCheck

CORE = "CORE"
MAX_EMBEDDING_DEPTH = 8


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

    def level(self, finding: Finding) -> Level:
        return self.levels[finding.requirement]

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "verdict": str(self.verdict),
            "standards": list(self.standards),
            "findings": [f.to_json(self.levels[f.requirement]) for f in self.findings],
        }


class Runner:
    def __init__(self, env: Environment, profile: Profile):
        self.env = env
        self.profile = profile
        self.levels = profile.select(env.catalog)
        registry = env.registry
        self.by_prefix: dict[str, list[RegisteredCheck]] = {}
        for rid in sorted(self.levels):
            registered = registry.checks.get(rid)
            if registered is not None:
                self.by_prefix.setdefault(registered.prefix, []).append(registered)
        self.detectors = dict(registry.detectors)
        self.embedders = list(registry.embedders)
        self.illustrators = dict(registry.illustrators)
        self.measurers = dict(registry.measurers)

    def run(self, targets: Iterable[Target]) -> Iterator[SubjectResult]:
        for target in targets:
            try:
                subjects = list(target.subjects(self.env))
            except OSError as exc:
                unreadable = PayloadError("unreadable", f"{target.id} cannot be read: {exc}")
                subjects = [Subject(id=target.id, env=self.env, payload_error=unreadable)]
            for subject in subjects:
                yield self.evaluate(subject)

    def evaluate(self, subject: Subject) -> SubjectResult:
        findings: list[Finding] = []
        standards: set[str] = set()
        self._evaluate(subject, findings, standards)
        leveled = ((f, self.levels[f.requirement]) for f in findings)
        return SubjectResult(subject=subject.id, target=subject.target, verdict=verdict_of(leveled),
                             standards=tuple(sorted(standards - {CORE})), findings=tuple(findings),
                             levels=self.levels, diagrams=self._annotate(subject, standards, findings, figures=True),
                             scores=self._annotate(subject, standards, findings, figures=False),
                             transcript=_transcript_of(subject))

    def _annotate(self, subject: Subject, standards: set[str], findings: list[Finding], *,
                  figures: bool) -> tuple[Mapping[str, Any], ...]:
        """Figures or measures of the standards this profile judged here: courtesies of the report, so a failing
        one is left out and never costs the findings."""
        hooks = self.illustrators if figures else self.measurers
        made: list[Mapping[str, Any]] = []
        for prefix in sorted(standards & hooks.keys() & self.by_prefix.keys()):
            try:
                made.extend(hooks[prefix](subject, findings) if figures else hooks[prefix](subject))
            except Exception:  # noqa: BLE001, S112
                continue
        return tuple(made)

    def _evaluate(self, subject: Subject, findings: list[Finding], standards: set[str]) -> None:
        parsed = _payload_error(subject) is None
        prefixes = [CORE]
        if parsed:
            prefixes += [p for p, detect in sorted(self.detectors.items()) if _safe_detect(detect, subject)]
        standards.update(p for p in prefixes if p in self.by_prefix)    # judged here, not merely recognized
        for prefix in prefixes:
            for registered in self.by_prefix.get(prefix, ()):
                for finding in _run_check(registered, subject):
                    findings.append(_place(finding, subject))
        if parsed and subject.depth < MAX_EMBEDDING_DEPTH:
            for child in self._children(subject):
                self._evaluate(child, findings, standards)

    def _children(self, subject: Subject) -> Iterator[Subject]:
        for embedder in self.embedders:
            try:
                embedded = list(embedder(subject))
            except Exception:  # noqa: BLE001 - a broken embedder must not hide the parent's findings
                continue
            for item in embedded:
                yield _child(subject, item)


def _payload_error(subject: Subject) -> PayloadError | None:
    return subject.payload_error


def _safe_detect(detect, subject: Subject) -> bool:  # noqa: ANN001
    try:
        return bool(detect(subject))
    except Exception:  # noqa: BLE001 - detection reads untrusted JSON; failure means "not this standard"
        return False


def _run_check(registered: RegisteredCheck, subject: Subject) -> list[Finding]:
    try:
        produced = list(registered.run(subject))
    except Exception as exc:  # noqa: BLE001 - reported as `error`: a defect in the suite, never a pass
        return [registered.context.error(
            f"the check for {registered.requirement} raised {type(exc).__name__}: {exc} (a defect in the suite)")]
    if not produced:
        return [Finding(registered.requirement, Outcome.PASSED)]
    return produced


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


def _transcript_of(subject: Subject) -> Mapping[str, Any] | None:
    """The exchanges a live subject's checks judged, when its flows ran (the reports show them as evidence)."""
    transcript = getattr(subject, "__dict__", {}).get("transcript")      # only a view that was computed
    if transcript is None or not hasattr(transcript, "to_json"):
        return None
    return {"subject": subject.id, **transcript.to_json()}
