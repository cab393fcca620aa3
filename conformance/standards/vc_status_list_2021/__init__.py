"""Status List 2021 (prefix SL2021): a credential's StatusList2021Entry and the list it points to."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.status_list_steps import has_entry_of

ENTRY_TYPE = "StatusList2021Entry"


@detects("SL2021")
def claims_status_list_2021(subject: Subject) -> bool:
    return has_entry_of(subject, ENTRY_TYPE)
