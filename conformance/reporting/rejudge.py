"""Judging a report package's archived inputs again, to see that results.json says what the suite says of them.

A signature shows the files are the ones signed; it cannot show that results.json holds what the suite decided, since
whoever edits results.json can sign the package again with a fresh key. Judging again can: this installation runs
the archived bytes through the run's profile, with the run's options and judging instant, and compares each subject's
verdict and findings, and the run's verdict, with results.json.

It judges only when the answer would mean something: this installation must judge as the run did (same version,
catalogs, profiles and pins) and the package must hold everything the run judged with (no network fetches, trust
lists or known documents it lacks). Otherwise it says what stands in the way and decides nothing. An input archived
as a digest only is not judged again, and the result says so: a partial re-judging is never a pass.

This is the one place reporting judges: verify-report calls it, and no report is rendered from what it finds.
"""
from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Literal, cast

from conformance.core.findings import Verdict
from conformance.core.subject import Subject
from conformance.reporting.inputs import (
    InputRecord,
    InputsError,
    InputsManifest,
    read_archived,
    recorded_digests,
)
from conformance.run.environment import Environment
from conformance.run.reproducibility import judging_differences
from conformance.run.runner import Runner, SubjectResult, run_verdict
from conformance.standards.ctdl.facts.run_set import RunSet, RunSetResolver
from conformance.standards.ctdl.facts.sets import SET_SUFFIXES
from conformance.support.securing.verifier import VerificationOptions, parse_instant

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from conformance.run.runner import SubjectResult

__all__ = ["Agreement", "Rejudged", "SubjectAgreement", "rejudge"]

RUN = "(the run)"
_LOCAL_KINDS = frozenset({"file", "directory"})
_SHOWN_DIFFERENCES = 2
LineKind = Literal["ok", "note", "differs", "not-rejudged"]


class Agreement(StrEnum):
    SAME = "same"                    # judged again: results.json gives what the suite gives
    DIFFERS = "differs"              # judged again: results.json says something else
    NOT_REJUDGED = "not-rejudged"    # not judged again; `detail` says why


@dataclass(frozen=True, slots=True)
class SubjectAgreement:
    subject: str                     # RUN for the run's own verdict (summary.verdict)
    agreement: Agreement
    recorded: str | None = None      # the verdict results.json gives
    found: str | None = None         # the verdict the suite gives now
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Rejudged:
    """The outcome of judging a package again. `refused`: why nothing could be judged here (empty when judging
    ran); `notes`: how it judged (the instant it used); `subjects`: one per results.json subject; `run`: the
    run's verdict."""

    refused: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    subjects: tuple[SubjectAgreement, ...] = ()
    run: SubjectAgreement | None = None

    @property
    def differences(self) -> tuple[SubjectAgreement, ...]:
        every = (*self.subjects, *((self.run,) if self.run is not None else ()))
        return tuple(s for s in every if s.agreement is Agreement.DIFFERS)

    @property
    def not_rejudged(self) -> tuple[SubjectAgreement, ...]:
        return tuple(s for s in self.subjects if s.agreement is Agreement.NOT_REJUDGED)

    @property
    def complete(self) -> bool:
        """Every subject and the run's verdict were judged again (whatever the answer)."""
        return not self.refused and not self.not_rejudged and self.run is not None \
            and self.run.agreement is not Agreement.NOT_REJUDGED

    def lines(self) -> list[tuple[LineKind, str]]:
        """What a reader is told, one (kind, text) per line: kinds ok, note, differs, not-rejudged."""
        shown: list[tuple[LineKind, str]] = [("note", note) for note in self.notes]
        shown += [("not-rejudged", f"cannot judge the run again here: {why}") for why in self.refused]
        for agreement in (*self.subjects, *((self.run,) if self.run is not None else ())):
            name = "the run's verdict" if agreement.subject == RUN else agreement.subject
            if agreement.agreement is Agreement.DIFFERS:
                shown.append(("differs", f"{name}: {agreement.detail}"))
            elif agreement.agreement is Agreement.NOT_REJUDGED:
                shown.append(("not-rejudged", f"{name}: {agreement.detail}"))
        if self.refused:
            return shown
        same = sum(1 for s in self.subjects if s.agreement is Agreement.SAME)
        total = len(self.subjects)
        if not self.differences and self.complete and self.run is not None:
            shown.append(("ok", f"judged again: all {total} subjects and the run's verdict ({self.run.found}) agree "
                                f"with results.json"))
        elif not self.differences:
            shown.append(("not-rejudged", f"judged again: {same} of {total} subjects agree with results.json; the rest "
                                          f"could not be judged again, so this is no pass"))
        return shown


# --- what stands in the way ----------------------------------------------------------------------------------

def _blockers(results: Mapping[str, Any]) -> list[str]:
    """Why this installation cannot judge the run as it was judged: one sentence each."""
    blockers = judging_differences(results.get("reproducibility"))
    environment = results.get("environment")
    environment = environment if isinstance(environment, Mapping) else {}
    if environment.get("online"):
        blockers.append("the run fetched documents over the network (--online), and the package does not hold what "
                        "it fetched")
    trust_list = environment.get("trust_list")
    if trust_list:
        name = trust_list.get("name") if isinstance(trust_list, Mapping) else None
        blockers.append(f"the run judged issuers against a trust list{f' ({name})' if name else ''}, which the "
                        f"package does not hold")
    documents = environment.get("known_documents")
    if documents:
        count = len(documents) if isinstance(documents, list) else "some"
        blockers.append(f"the run used {count} known documents (--documents), which the package does not hold")
    return blockers


def _instant(results: Mapping[str, Any]) -> tuple[datetime | None, str]:
    """The moment the run judged at (environment.at), else its start, with a note saying which stood in."""
    environment = results.get("environment")
    recorded = environment.get("at") if isinstance(environment, Mapping) else None
    if recorded is not None:

        try:        # read as check reads --at, so the instant is the very one the run judged at
            moment = parse_instant(recorded)
        except ValueError:
            return None, f"expected environment.at to be a UTC date and time, found {str(recorded)[:40]!r}"
        return moment, f"judged as at {recorded}, the instant the run recorded"
    started = _utc(results.get("started"))
    if started is None:
        return None, "results.json records neither a judging instant (environment.at) nor a start time"
    return started, (f"judged as at {results['started']}, the run's start: results.json records no judging instant "
                     f"(environment.at)")


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the run's environment, again ----------------------------------------------------------------------------

def _environment(results: Mapping[str, Any], now: datetime, artifacts: Path | None) -> Environment:

    environment = results.get("environment")
    environment = environment if isinstance(environment, Mapping) else {}
    expected = environment.get("expected")
    expected = expected if isinstance(expected, Mapping) else {}
    challenge = expected.get("challenge")
    domain = expected.get("domain")
    registry = environment.get("registry_base")
    options = VerificationOptions(
        challenge=challenge if isinstance(challenge, str) else None,
        domain=tuple(d for d in domain if isinstance(d, str)) if isinstance(domain, list) else None,
        now=now)
    return Environment.create(artifacts=artifacts, online=False, options=options,
                              ctdl_registry=registry if isinstance(registry, str) else None)


@dataclass(frozen=True, slots=True)
class _ArchivedFile:
    """An archived input where the publication set expects a path. The set reads its files by path and names each
    document by the path's text, which must be the subject id the run used, so the archived bytes stand in for the
    file under that name; nothing is written to disk."""

    name: str
    data: bytes = field(repr=False)

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix

    def __str__(self) -> str:
        return self.name

    def stat(self) -> Any:
        return _Size(len(self.data))

    def read_bytes(self) -> bytes:
        return self.data

    def open(self, mode: str = "rb") -> io.BytesIO:
        return io.BytesIO(self.data)


@dataclass(frozen=True, slots=True)
class _Size:
    st_size: int


def _use_publication_set(env: Environment, results: Mapping[str, Any], records: Sequence[InputRecord],
                         archived: Mapping[int, bytes]) -> str | None:
    """The run's CTDL publication set rebuilt from the archived inputs, in the run's order (the first copy of a
    CTID wins). Returns why it cannot be rebuilt, when a set the run consulted lacks files."""

    members = [i for i, r in enumerate(records)
               if r.kind in _LOCAL_KINDS and PurePath(r.subject).suffix.lower() in SET_SUFFIXES]
    if not members:
        return None
    missing = [i for i in members if i not in archived]
    environment = results.get("environment")
    recorded = environment.get("ctdl_publication_set") if isinstance(environment, Mapping) else None
    consulted = isinstance(recorded, Mapping) and recorded.get("indexed") is True
    if missing and consulted:
        return (f"the run judged its CTDL files as one publication set, and {len(missing)} of its files are not "
                f"archived (e.g. {records[missing[0]].subject})")
    files = [_ArchivedFile(records[i].subject, archived[i]) for i in members if i in archived]
    run_set = RunSet(cast("list[Path]", files), env.limits)
    # as Environment.use_publication_set does for local targets: the resolver is rebuilt with the set
    env.__dict__.pop("ctdl_resolver", None)
    env.ctdl_set_index = run_set
    env.ctdl_set = RunSetResolver(run_set)
    return None


# --- comparing -----------------------------------------------------------------------------------------------

def _finding_keys(findings: Any) -> Counter[tuple[str, str, str, str]]:
    keys: Counter[tuple[str, str, str, str]] = Counter()
    for finding in findings if isinstance(findings, list) else ():
        if isinstance(finding, Mapping):
            keys[(str(finding.get("requirement")), str(finding.get("outcome")), str(finding.get("level")),
                  str(finding.get("location")))] += 1
    return keys


def _describe(key: tuple[str, str, str, str]) -> str:
    requirement, outcome, level, location = key
    return f"{requirement} {outcome} ({level}) at {location or '/'}"


def _compare(subject: str, recorded: Mapping[str, Any], found: Mapping[str, Any]) -> SubjectAgreement:
    was, now = recorded.get("verdict"), found.get("verdict")
    was_shown = was if isinstance(was, str) else None
    if was != now:
        return SubjectAgreement(subject, Agreement.DIFFERS, was_shown, str(now),
                                f"results.json gives {was!r}, the archived input judges {now!r}")
    before, after = _finding_keys(recorded.get("findings")), _finding_keys(found.get("findings"))
    if before == after:
        return SubjectAgreement(subject, Agreement.SAME, was_shown, str(now))
    only_recorded = list((before - after).elements())[:_SHOWN_DIFFERENCES]
    only_found = list((after - before).elements())[:_SHOWN_DIFFERENCES]
    parts = [f"results.json records {_describe(k)}, which the suite does not find" for k in only_recorded]
    parts += [f"the suite finds {_describe(k)}, which results.json does not record" for k in only_found]
    return SubjectAgreement(subject, Agreement.DIFFERS, was_shown, str(now),
                            f"the verdict agrees ({now}) but the findings differ: {'; '.join(parts)}")


def rejudge(folder: Path, results: Mapping[str, Any], manifest: InputsManifest, *,
            artifacts: Path | None = None) -> Rejudged:
    """Judge the inputs archived in the package `folder` again and compare with `results` (its results.json).
    `artifacts`: the pinned contexts and schemas (default: as for `check`)."""
    blockers = _blockers(results)
    now, instant_note = _instant(results)
    if now is None:
        blockers.append(instant_note)
    if blockers:
        return Rejudged(refused=tuple(blockers))
    entries = [e for e in results.get("results", ()) if isinstance(e, Mapping)]
    records = manifest.records
    listed, judged = [r.subject for r in records], [e.get("subject") for e in entries]
    if listed != judged:
        # inputs.json is made from results.json entry by entry; a difference means one of them was edited
        return Rejudged(notes=(instant_note,), run=SubjectAgreement(
            RUN, Agreement.DIFFERS, detail=f"inputs.json lists {len(listed)} subjects and results.json "
                                           f"{len(judged)}, not the same ones in the same order"))
    assert now is not None
    env = _environment(results, now, artifacts)
    try:
        profile = env.profile(str(results.get("profile")))
    except KeyError as exc:
        return Rejudged(refused=(str(exc.args[0]),))
    archived: dict[int, bytes] = {}
    unreadable: dict[int, str] = {}
    for index, record in enumerate(records):
        if record.archived:
            try:
                archived[index] = read_archived(folder, record)
            except InputsError as exc:
                unreadable[index] = str(exc)
    refusal = _use_publication_set(env, results, records, archived)
    if refusal is not None:
        return Rejudged(refused=(refusal,), notes=(instant_note,))
    return _judge(env, profile, results, records, entries, archived, unreadable, instant_note)


def _judge(env: Environment, profile: Any, results: Mapping[str, Any], records: Sequence[InputRecord],
           entries: Sequence[Mapping[str, Any]], archived: Mapping[int, bytes], unreadable: Mapping[int, str],
           instant_note: str) -> Rejudged:

    runner = Runner(env, profile)
    recorded = recorded_digests(results)
    agreements: list[SubjectAgreement] = []
    everyone: list[SubjectResult | None] = []   # judged again, or as results.json records them: the run's verdict
    judged_again: list[SubjectResult] = []
    for index, (record, entry) in enumerate(zip(records, entries, strict=True)):
        recorded_verdict = entry.get("verdict") if isinstance(entry.get("verdict"), str) else None
        digest = recorded.get(record.subject)
        if index in archived and digest is not None and digest != (record.sha256, record.size):
            # the run said which bytes it judged: a copy of other bytes cannot speak for it
            agreements.append(SubjectAgreement(record.subject, Agreement.DIFFERS, recorded_verdict, None,
                                               f"results.json records the sha256 {digest[0]} for the bytes judged, "
                                               f"and the archived copy has {record.sha256}"))
            everyone.append(_stand_in(record, recorded_verdict))
            continue
        if index in archived:
            # as FileTarget makes it: the file's name for the decoder, the subject its own target
            subject = Subject(id=record.subject, env=env, raw=archived[index], name=record.name,
                              target=record.subject if record.kind in _LOCAL_KINDS else record.target or "")
            found = runner.evaluate(subject)
            judged_again.append(found)
            everyone.append(found)
            agreements.append(_compare(record.subject, entry, found.to_json()))
            continue
        why = unreadable.get(index) or record.note or "not archived"
        agreements.append(SubjectAgreement(record.subject, Agreement.NOT_REJUDGED, recorded_verdict, None, why))
        everyone.append(_stand_in(record, recorded_verdict))
    summary = results.get("summary")
    stated = summary.get("verdict") if isinstance(summary, Mapping) else None
    judged = [r for r in everyone if r is not None]
    if any(r.kind == "service" for r in records):
        # what the profile asks of live services is settled over the whole run, which is not judged again here
        run = SubjectAgreement(RUN, Agreement.NOT_REJUDGED, stated if isinstance(stated, str) else None, None,
                               "the run judged live services, which cannot be judged again from a package")
    else:
        found_run = str(run_verdict(judged, runner.scope(judged_again)))
        if found_run == stated:
            run = SubjectAgreement(RUN, Agreement.SAME, stated, found_run)
        else:
            run = SubjectAgreement(RUN, Agreement.DIFFERS, stated if isinstance(stated, str) else None, found_run,
                                   f"summary.verdict is {stated!r}, the subjects' verdicts give {found_run!r}")
    return Rejudged(notes=(instant_note,), subjects=tuple(agreements), run=run)


def _stand_in(record: InputRecord, verdict: str | None) -> SubjectResult | None:
    """A subject not judged again, as results.json records it, so the run's verdict can still be recomputed."""

    try:
        return SubjectResult(record.subject, record.target or "", Verdict(verdict), (), (), {})
    except ValueError:
        return None
