"""BSL10 checks: one step of the Bitstring Status List validate algorithm each (see steps.py for the order).

The status itself is read once per subject by `subject.status` (fetching through the run's verifier); these checks
only sort its results by step. The judging is shared with SL2021 (conformance/standards/status_lists.py); what is
Bitstring Status List's own is the table below, and the ttl and statusMessage rules only this standard has.
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards import status_lists as rules
from conformance.standards.status_lists import StatusListMethod

from . import ENTRY_TYPE

METHOD = StatusListMethod(
    entry_type=ENTRY_TYPE,
    list_credential_type="BitstringStatusListCredential",
    list_type="BitstringStatusList",
    encoded_list="encodedList as u + base64url of GZIP data",
    purpose_expected="an entry purpose the status list declares",
    ttl=True,
)


@check("BSL10-entry-well-formed")
def entry_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type, statusPurpose, statusListIndex, statusListCredential, statusSize, statusMessage, statusReference, id."""
    return rules.entry_well_formed(METHOD, subject, ctx)


@check("BSL10-list-retrievable")
def list_is_retrievable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_retrievable(METHOD, subject, ctx)


@check("BSL10-list-verifies")
def list_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_verifies(METHOD, subject, ctx)


@check("BSL10-list-type")
def list_has_the_right_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_type(METHOD, subject, ctx)


@check("BSL10-purpose-matches")
def purpose_matches_the_list(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.purpose_matches(METHOD, subject, ctx)


@check("BSL10-encoded-list-decodes")
def encoded_list_decodes(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.encoded_list_decodes(METHOD, subject, ctx)


@check("BSL10-list-minimum-length")
def list_is_long_enough(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_minimum_length(METHOD, subject, ctx)


@check("BSL10-index-in-range")
def index_is_in_range(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.index_in_range(METHOD, subject, ctx)


@check("BSL10-not-revoked")
def not_revoked(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.not_revoked(METHOD, subject, ctx)


@check("BSL10-not-suspended")
def not_suspended(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.not_suspended(METHOD, subject, ctx)


@check("BSL10-status-reported")
def other_purposes_are_reported(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """message, refresh and other purposes: the value read (and its message) is the finding's note."""
    return rules.status_reported(METHOD, subject, ctx)


@check("BSL10-ttl-well-formed")
def ttl_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.ttl_well_formed(METHOD, subject, ctx)
