"""SL2021 checks: one step of the StatusList2021 validate algorithm each. The steps are those of Bitstring Status
List without statusSize, statusMessage and ttl, so the judging is shared (conformance/standards/status_lists.py);
what is StatusList2021's own is the table below."""
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
    list_credential_type="StatusList2021Credential",
    list_type="StatusList2021",
    encoded_list="encodedList as base64url of GZIP data, without a multibase prefix",
    purpose_expected="the entry purpose the status list declares",
    ttl=False,   # a ttl is not part of StatusList2021: the shared loader's ttl problems count as decoding the list
)


@check("SL2021-entry-well-formed")
def entry_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.entry_well_formed(METHOD, subject, ctx)


@check("SL2021-list-retrievable")
def list_is_retrievable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_retrievable(METHOD, subject, ctx)


@check("SL2021-list-verifies")
def list_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_verifies(METHOD, subject, ctx)


@check("SL2021-list-type")
def list_has_the_right_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_type(METHOD, subject, ctx)


@check("SL2021-purpose-matches")
def purpose_matches_the_list(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.purpose_matches(METHOD, subject, ctx)


@check("SL2021-encoded-list-decodes")
def encoded_list_decodes(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.encoded_list_decodes(METHOD, subject, ctx)


@check("SL2021-list-minimum-length")
def list_is_long_enough(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.list_minimum_length(METHOD, subject, ctx)


@check("SL2021-index-in-range")
def index_is_in_range(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.index_in_range(METHOD, subject, ctx)


@check("SL2021-not-revoked")
def not_revoked(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.not_revoked(METHOD, subject, ctx)


@check("SL2021-not-suspended")
def not_suspended(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    return rules.not_suspended(METHOD, subject, ctx)
