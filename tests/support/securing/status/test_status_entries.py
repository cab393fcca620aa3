"""Reading credentialStatus entries: the shapes of the three methods and every malformed value."""
from __future__ import annotations

from typing import Any

import pytest

from conformance.support.securing.status import (
    BitstringEntry,
    RevocationListEntry,
    StatusCode,
    StatusError,
    StatusList2021Entry,
    StatusMessage,
    UnsupportedEntry,
    parse_entry,
    status_entries,
)

LIST = "https://issuer.example/status/1"


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"{LIST}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST,
    }
    for key, value in changes.items():
        if value is DROP:
            base.pop(key, None)
        else:
            base[key] = value
    return base


DROP = object()
MESSAGES_2 = [{"status": f"0x{v:x}", "message": m} for v, m in enumerate(["ok", "pending", "held", "void"])]


def test_bitstring_entry_is_read() -> None:
    parsed = parse_entry(entry(statusSize=2, statusMessage=MESSAGES_2, statusReference="https://issuer.example/why"))
    assert parsed == BitstringEntry(
        pointer="/credentialStatus",
        purpose="revocation",
        index=94567,
        list_url=LIST,
        size=2,
        messages=tuple(StatusMessage(v, m) for v, m in enumerate(["ok", "pending", "held", "void"])),
        references=("https://issuer.example/why",),
        id=f"{LIST}#94567",
    )
    assert parsed.message_for(2) == "held"


def test_other_methods_are_read_by_type() -> None:
    assert parse_entry(entry(type="StatusList2021Entry")) == StatusList2021Entry(
        "/credentialStatus", "revocation", 94567, LIST, f"{LIST}#94567"
    )
    assert parse_entry({"id": LIST, "type": "1EdTechRevocationList"}, "/credentialStatus/1") == RevocationListEntry(
        "/credentialStatus/1", LIST
    )
    unsupported = parse_entry({"id": LIST, "type": ["RevocationList2020Status"]})
    assert unsupported == UnsupportedEntry("/credentialStatus", ("RevocationList2020Status",))


def test_status_entries_yields_pointers() -> None:
    assert status_entries({"credentialStatus": {"a": 1}}) == (("/credentialStatus", {"a": 1}),)
    assert status_entries({"credentialStatus": [1, 2]}) == (("/credentialStatus/0", 1), ("/credentialStatus/1", 2))
    assert status_entries({"id": "x"}) == ()


MALFORMED: list[tuple[Any, StatusCode, str, str]] = [
    ("a string", StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus", "an object with id and type"),
    (entry(type=DROP), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/type", "naming the status method"),
    (entry(type=[1, 2]), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/type", "naming the status method"),
    (entry(statusPurpose=DROP), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusPurpose", "missing"),
    (entry(statusPurpose=""), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusPurpose", "non-empty"),
    (entry(statusListIndex=94567), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusListIndex",
     "a JSON number is not accepted"),
    (entry(statusListIndex="-1"), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusListIndex",
     "base-10 digits"),
    (entry(statusListIndex="0x10"), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusListIndex",
     "base-10 digits"),
    (entry(statusListIndex=" 1"), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusListIndex",
     "base-10 digits"),
    (entry(statusListIndex="1" * 5000), StatusCode.RANGE_ERROR, "/credentialStatus/statusListIndex", "5,000 digits"),
    (entry(statusListCredential="not a url"), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusListCredential", "URL of the status list"),
    (entry(statusListCredential="https://"), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusListCredential", "URL of the status list"),
    (entry(statusListCredential=DROP), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusListCredential", "missing"),
    (entry(id=LIST), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/id", "not the list"),
    (entry(id=7), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/id", "a URL is expected"),
    (entry(statusSize=0), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusSize", "at least 1"),
    (entry(statusSize="2"), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusSize", "at least 1"),
    (entry(statusSize=True), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusSize", "at least 1"),
    (entry(statusSize=10**9), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusSize", "at most 32 bits"),
    (entry(statusSize=2), StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusMessage", "all 4 status values"),
    (entry(statusSize=2, statusMessage=MESSAGES_2[:3]), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusMessage", "has 3 entries"),
    (entry(statusSize=2, statusMessage={"status": "0x0"}), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusMessage", "an array"),
    (entry(statusSize=2, statusMessage=[*MESSAGES_2[:3], "x"]), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusMessage/3", "an object with status and message"),
    (entry(statusSize=2, statusMessage=[*MESSAGES_2[:3], {"status": "3", "message": "m"}]),
     StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusMessage/3/status", "hexadecimal"),
    (entry(statusSize=2, statusMessage=[*MESSAGES_2[:3], {"status": "0x4", "message": "m"}]),
     StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusMessage/3/status", "does not fit"),
    (entry(statusSize=2, statusMessage=[*MESSAGES_2[:3], {"status": "0x2", "message": "m"}]),
     StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusMessage/3/status", "described twice"),
    (entry(statusSize=2, statusMessage=[*MESSAGES_2[:3], {"status": "0x3"}]),
     StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/statusMessage/3/message", "missing"),
    (entry(statusReference=["https://ok.example", "nope"]), StatusCode.MALFORMED_VALUE_ERROR,
     "/credentialStatus/statusReference/1", "a URL is expected"),
    ({"type": "1EdTechRevocationList"}, StatusCode.MALFORMED_VALUE_ERROR, "/credentialStatus/id", "missing"),
]


@pytest.mark.parametrize(("raw", "code", "location", "fragment"), MALFORMED)
def test_malformed_entries(raw: Any, code: StatusCode, location: str, fragment: str) -> None:
    with pytest.raises(StatusError) as info:
        parse_entry(raw)
    assert info.value.code is code
    assert info.value.problem.location == location
    assert fragment in info.value.message


def test_leading_zeros_are_base_10() -> None:
    assert parse_entry(entry(statusListIndex="007")).index == 7  # type: ignore[union-attr]
