"""SL2021 checks: one step of the StatusList2021 validate algorithm each. The steps are those of Bitstring Status
List without statusSize, statusMessage and ttl, so the step logic is shared (vc_bitstring_status_list/steps.py)."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.model.findings import Finding
from conformance.model.subjects import Subject
from conformance.registry import CheckContext, check
from conformance.standards.vc_bitstring_status_list.steps import (
    Entry,
    Step,
    entries_of,
    entry_shape_findings,
    judge_steps,
    judge_verdict,
)
from conformance.status import StatusVerdict

from . import ENTRY_TYPE


def _entries(subject: Subject) -> list[Entry]:
    return entries_of(subject, ENTRY_TYPE)


@check("SL2021-entry-well-formed")
def entry_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from entry_shape_findings(subject, ctx, ENTRY_TYPE)


@check("SL2021-list-retrievable")
def list_is_retrievable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.RETRIEVAL}),
                           "a status list document at statusListCredential", "the status list at {url} is retrieved")


@check("SL2021-list-verifies")
def list_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.PROOF, Step.VALIDITY}),
                           "a status list credential whose proof verifies and that is currently valid",
                           "the status list credential at {url} verifies and is within its validity period")


@check("SL2021-list-type")
def list_has_the_right_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LIST_TYPE, Step.LIST_SUBJECT}),
                           "a StatusList2021Credential with one StatusList2021 subject",
                           "the status list credential at {url} is a StatusList2021Credential")


@check("SL2021-purpose-matches")
def purpose_matches_the_list(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LIST_PURPOSE, Step.PURPOSE_MATCH}),
                           "the entry purpose the status list declares",
                           "the status list at {url} declares the entry's purpose")


@check("SL2021-encoded-list-decodes")
def encoded_list_decodes(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    # a ttl is not part of StatusList2021, but the shared loader reads one; its problems count as decoding the list
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.ENCODING, Step.TTL}),
                           "encodedList as base64url of GZIP data, without a multibase prefix",
                           "the encodedList of the status list at {url} decodes")


@check("SL2021-list-minimum-length")
def list_is_long_enough(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.LENGTH}),
                           "a list of at least 131,072 entries",
                           "the status list at {url} holds at least 131,072 entries")


@check("SL2021-index-in-range")
def index_is_in_range(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_steps(ctx, _entries(subject), frozenset({Step.RANGE}),
                           "a statusListIndex inside the list",
                           "statusListIndex is inside the status list at {url}")


@check("SL2021-not-revoked")
def not_revoked(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(subject), frozenset({"revocation"}), frozenset({StatusVerdict.REVOKED}))


@check("SL2021-not-suspended")
def not_suspended(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from judge_verdict(ctx, _entries(subject), frozenset({"suspension"}), frozenset({StatusVerdict.SUSPENDED}))
