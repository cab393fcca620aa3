"""Bitstring Status List v1.0 (prefix BSL10): a credential's BitstringStatusListEntry and the list it points to."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.status_list_steps import has_entry_of

ENTRY_TYPE = "BitstringStatusListEntry"


@detects("BSL10")
def claims_bitstring_status(subject: Subject) -> bool:
    return has_entry_of(subject, ENTRY_TYPE)
