"""The rules W3C Bitstring Status List 1.0 (BSL10-*) and the CCG StatusList2021 (SL2021-*) share, judged once.

StatusList2021 is the draft Bitstring Status List grew from: an entry in credentialStatus names a list credential
whose subject holds a GZIP-compressed bitstring, and conformance.support.securing.status validates both methods by the same steps
(status_list_steps.py places each problem at its step). So every rule here is one body for both
standards; what really differs is data, a `StatusListMethod` each standard's checks.py declares: the entry, list
credential and list type names, how encodedList is written (a multibase `u` prefix or none), the wording of the
purpose rule, and whether the list has a ttl of its own. statusSize, statusMessage and ttl are Bitstring Status
List's only: conformance.support.securing.status reads statusSize/statusMessage from a BitstringStatusListEntry alone, and the two
rules that judge them (`ttl_well_formed`, `status_reported`) are registered by BSL10 only.

Each standard keeps its requirement IDs written literally in its own checks.py: a thin `@check("BSL10-...")` or
`@check("SL2021-...")` function hands its subject to one rule below with its standard's table.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.status_list_steps import (
    Entry,
    Step,
    entries_of,
    entry_shape_findings,
    judge_steps,
    judge_verdict,
    step_of,
)
from conformance.support.securing.status import StatusVerdict

__all__ = ["StatusListMethod", "encoded_list_decodes", "entry_well_formed", "index_in_range", "list_minimum_length",
           "list_retrievable", "list_type", "list_verifies", "not_revoked", "not_suspended", "purpose_matches",
           "status_reported", "ttl_well_formed"]


@dataclass(frozen=True, slots=True)
class StatusListMethod:
    """What one status list standard says that the other does not."""

    entry_type: str                 # the credentialStatus entry's type
    list_credential_type: str       # the list credential's type
    list_type: str                  # its credentialSubject's type
    encoded_list: str               # how encodedList is written, as the decoding rule expects it
    purpose_expected: str           # what the purpose rule expects (the two standards' wording)
    ttl: bool                       # the list has a ttl of its own, judged by its own rule

    @property
    def decoding_steps(self) -> frozenset[Step]:
        """The steps the decoding rule judges: where the standard has no ttl, the shared loader still reads one, and
        its problems count as decoding the list."""
        return frozenset({Step.ENCODING} if self.ttl else {Step.ENCODING, Step.TTL})


def _entries(method: StatusListMethod, subject: Subject) -> list[Entry]:
    return entries_of(subject, method.entry_type)


def entry_well_formed(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The entry's own fields (type, statusPurpose, statusListIndex, statusListCredential, id, and for Bitstring
    Status List statusSize, statusMessage, statusReference), read without fetching anything."""
    yield from entry_shape_findings(subject, ctx, method.entry_type)


def list_retrievable(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.RETRIEVAL}),
                           "a status list document at statusListCredential", "the status list at {url} is retrieved")


def list_verifies(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.PROOF, Step.VALIDITY}),
                           "a status list credential whose proof verifies and that is currently valid",
                           "the status list credential at {url} verifies and is within its validity period")


def list_type(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.LIST_TYPE, Step.LIST_SUBJECT}),
                           f"a {method.list_credential_type} with one {method.list_type} subject",
                           f"the status list credential at {{url}} is a {method.list_credential_type}")


def purpose_matches(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.LIST_PURPOSE, Step.PURPOSE_MATCH}),
                           method.purpose_expected, "the status list at {url} declares the entry's purpose")


def encoded_list_decodes(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), method.decoding_steps, method.encoded_list,
                           "the encodedList of the status list at {url} decodes")


def list_minimum_length(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.LENGTH}),
                           "a list of at least 131,072 entries",
                           "the status list at {url} holds at least 131,072 entries")


def index_in_range(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(method, subject), frozenset({Step.RANGE}),
                           "a statusListIndex inside the list",
                           "statusListIndex is inside the status list at {url}")


def not_revoked(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(method, subject), frozenset({"revocation"}),
                             frozenset({StatusVerdict.REVOKED}))


def not_suspended(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(method, subject), frozenset({"suspension"}),
                             frozenset({StatusVerdict.SUSPENDED}))


def ttl_well_formed(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The list's ttl, for a method whose list has one (`method.ttl`)."""
    assert method.ttl, f"{method.list_type} has no ttl of its own: its decoding rule judges the ttl step"
    entries = _entries(method, subject)
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


def status_reported(method: StatusListMethod, subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """message, refresh and other purposes: the value read (and its message) is the finding's note. A message entry
    must also say what its value means (statusMessage, which only a BitstringStatusListEntry has)."""
    for finding, entry in _other_verdicts(ctx, _entries(method, subject)):
        result = entry.result if entry is not None else None
        if entry is not None and entry.purpose == "message" and result is not None and result.problem is None \
                and result.message is None:
            yield ctx.fail(result.pointer + "/statusMessage",
                           expected=f"a statusMessage item for the value {result.value:#x} the list holds",
                           found=result.value,
                           message=f"the message entry reads {result.value:#x} from the list at {result.list_url}, "
                                   "and statusMessage gives no message for that value")
        else:
            yield finding


def _other_verdicts(ctx: CheckContext, entries: list[Entry]) -> Iterator[tuple[Finding, Entry | None]]:
    """judge_verdict's findings for the purposes other than revocation and suspension, each with its entry."""
    relevant = [e for e in entries if e.purpose not in ("revocation", "suspension")]
    if not relevant:
        yield from ((f, None) for f in judge_verdict(ctx, entries, None, frozenset()))
        return
    for entry in relevant:
        (finding,) = judge_verdict(ctx, [entry], None, frozenset())
        yield finding, entry
