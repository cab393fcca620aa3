"""BSL10 checks: one step of the Bitstring Status List validate algorithm each (see steps.py for the order).

The status itself is read once per subject by `subject.status` (fetching through the run's verifier); these checks
only sort its results by step.
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.model.findings import Finding
from conformance.model.subjects import Subject
from conformance.registry import CheckContext, check
from conformance.status import StatusVerdict

from . import ENTRY_TYPE
from .steps import Entry, Step, entries_of, entry_shape_findings, judge_steps, judge_verdict, step_of


def _entries(subject: Subject) -> list[Entry]:
    return entries_of(subject, ENTRY_TYPE)


@check("BSL10-entry-well-formed")
def entry_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type, statusPurpose, statusListIndex, statusListCredential, statusSize, statusMessage, statusReference, id."""
    yield from entry_shape_findings(subject, ctx, ENTRY_TYPE)


@check("BSL10-list-retrievable")
def list_is_retrievable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.RETRIEVAL}),
                           "a status list document at statusListCredential", "the status list at {url} is retrieved")


@check("BSL10-list-verifies")
def list_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.PROOF, Step.VALIDITY}),
                           "a status list credential whose proof verifies and that is currently valid",
                           "the status list credential at {url} verifies and is within its validity period")


@check("BSL10-list-type")
def list_has_the_right_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LIST_TYPE, Step.LIST_SUBJECT}),
                           "a BitstringStatusListCredential with one BitstringStatusList subject",
                           "the status list credential at {url} is a BitstringStatusListCredential")


@check("BSL10-purpose-matches")
def purpose_matches_the_list(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LIST_PURPOSE, Step.PURPOSE_MATCH}),
                           "an entry purpose the status list declares",
                           "the status list at {url} declares the entry's purpose")


@check("BSL10-encoded-list-decodes")
def encoded_list_decodes(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.ENCODING}),
                           "encodedList as u + base64url of GZIP data",
                           "the encodedList of the status list at {url} decodes")


@check("BSL10-list-minimum-length")
def list_is_long_enough(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LENGTH}),
                           "a list of at least 131,072 entries",
                           "the status list at {url} holds at least 131,072 entries")


@check("BSL10-index-in-range")
def index_is_in_range(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.RANGE}),
                           "a statusListIndex inside the list",
                           "statusListIndex is inside the status list at {url}")


@check("BSL10-not-revoked")
def not_revoked(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(subject), frozenset({"revocation"}), frozenset({StatusVerdict.REVOKED}))


@check("BSL10-not-suspended")
def not_suspended(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(subject), frozenset({"suspension"}), frozenset({StatusVerdict.SUSPENDED}))


@check("BSL10-status-reported")
def other_purposes_are_reported(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """message, refresh and other purposes: the value read (and its message) is the finding's note."""
    for finding, entry in zip_verdicts(ctx, _entries(subject)):
        result = entry.result if entry is not None else None
        if entry is not None and entry.purpose == "message" and result is not None and result.problem is None \
                and result.message is None:
            # a message entry must also say what its value means
            yield ctx.fail(result.pointer + "/statusMessage",
                           expected=f"a statusMessage item for the value {result.value:#x} the list holds",
                           found=result.value,
                           message=f"the message entry reads {result.value:#x} from the list at {result.list_url}, "
                                   "and statusMessage gives no message for that value")
        else:
            yield finding


def zip_verdicts(ctx: CheckContext, entries: list[Entry]) -> Iterator[tuple[Finding, Entry | None]]:
    """judge_verdict's findings for the purposes other than revocation and suspension, each with its entry."""
    relevant = [e for e in entries if e.purpose not in ("revocation", "suspension")]
    if not relevant:
        yield from ((f, None) for f in judge_verdict(ctx, entries, None, frozenset()))
        return
    for entry in relevant:
        (finding,) = judge_verdict(ctx, [entry], None, frozenset())
        yield finding, entry


@check("BSL10-ttl-well-formed")
def ttl_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    entries = _entries(subject)
    if entries and all(_loaded_without_ttl(e) for e in entries):
        yield ctx.inapplicable("no status list gives a ttl")
        return
    yield from judge_steps(ctx, entries, frozenset({Step.TTL}), "a ttl of a non-negative integer of milliseconds",
                           "the ttl of the status list at {url} is well formed")


def _loaded_without_ttl(entry: Entry) -> bool:
    """The list was read past its ttl and has none (a list that stopped earlier cannot say)."""
    if entry.result is None:
        return False
    step = step_of(entry.result)
    return entry.result.ttl_ms is None and (step is None or (step is not Step.UNKNOWN and step > Step.TTL))
