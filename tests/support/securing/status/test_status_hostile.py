"""Whatever a credential or a list server sends, status checking returns results and never raises."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.support.securing.status import StatusResult, check_credential_status, status_list_credential

LIST = "https://issuer.example/status/1"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=12)
    | st.sampled_from(["BitstringStatusListEntry", "StatusList2021Entry", "1EdTechRevocationList", LIST,
                       "revocation", "uH4sI", "0x1", "12"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "id", "statusPurpose", "statusListIndex", "statusListCredential", "statusSize",
                         "statusMessage", "status", "message", "statusReference", "x"]),
        children, max_size=6),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(status=json_values, listed=json_values)
def test_any_entry_and_any_list_give_results(status: Any, listed: Any) -> None:
    body = json.dumps(listed).encode()
    results = check_credential_status(
        {"id": "urn:uuid:1", "credentialStatus": status},
        fetch=lambda url: body,
        verify_credential=lambda document, raw: True,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert all(isinstance(r, StatusResult) and (r.problem is None) != (r.verdict.value == "unknown") for r in results)


@settings(max_examples=100, deadline=None)
@given(subject=st.dictionaries(st.sampled_from(["type", "statusPurpose", "encodedList", "ttl"]), json_values))
def test_any_list_subject_gives_a_result(subject: dict[str, Any]) -> None:
    document = status_list_credential(LIST, "did:web:x", bytes(16384))
    document["credentialSubject"].update(subject)
    body = json.dumps(document).encode()
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "3",
             "statusListCredential": LIST}
    (result,) = check_credential_status({"credentialStatus": entry}, fetch=lambda url: body,
                                        verify_credential=lambda d, r: True, now=datetime(2025, 1, 1, tzinfo=UTC))
    assert result.outcome.value in ("passed", "failed")
