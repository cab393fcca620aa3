"""The credentialStatus entries of a credential, read into typed values (no fetching here)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .bitstring import MAX_STATUS_SIZE
from .errors import StatusCode, StatusError

__all__ = [
    "BITSTRING_ENTRY",
    "REVOCATION_LIST_ENTRY",
    "STATUSLIST2021_ENTRY",
    "BitstringEntry",
    "RevocationListEntry",
    "StatusEntry",
    "StatusList2021Entry",
    "StatusMessage",
    "UnsupportedEntry",
    "parse_entry",
    "status_entries",
]

BITSTRING_ENTRY = "BitstringStatusListEntry"
STATUSLIST2021_ENTRY = "StatusList2021Entry"
REVOCATION_LIST_ENTRY = "1EdTechRevocationList"

# Long enough for any index a list the suite reads can hold; longer digit runs are out of range by length alone
# and are never turned into an int (Python refuses int() of over 4,300 digits).
_MAX_INDEX_DIGITS = 30
_DIGITS = re.compile(r"[0-9]+")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True, slots=True)
class StatusMessage:
    value: int
    message: str


@dataclass(frozen=True, slots=True)
class BitstringEntry:
    pointer: str
    purpose: str
    index: int
    list_url: str
    size: int = 1
    messages: tuple[StatusMessage, ...] = ()
    references: tuple[str, ...] = ()
    id: str | None = None

    @property
    def type(self) -> str:
        return BITSTRING_ENTRY

    def message_for(self, value: int) -> str | None:
        return next((m.message for m in self.messages if m.value == value), None)


@dataclass(frozen=True, slots=True)
class StatusList2021Entry:
    pointer: str
    purpose: str
    index: int
    list_url: str
    id: str | None = None

    @property
    def type(self) -> str:
        return STATUSLIST2021_ENTRY

    @property
    def size(self) -> int:
        return 1


@dataclass(frozen=True, slots=True)
class RevocationListEntry:
    """1EdTech VC Revocation List: the entry's `id` is the list's URL."""

    pointer: str
    list_url: str

    @property
    def type(self) -> str:
        return REVOCATION_LIST_ENTRY


@dataclass(frozen=True, slots=True)
class UnsupportedEntry:
    """A status type the suite cannot read (RevocationList2020Status, a private scheme...)."""

    pointer: str
    types: tuple[str, ...]

    @property
    def type(self) -> str:
        return self.types[0] if self.types else ""


StatusEntry = BitstringEntry | StatusList2021Entry | RevocationListEntry | UnsupportedEntry


def _pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}" if len(repr(value)) <= 40 else "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 80 else f"a string of {len(value):,} characters"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _is_url(value: Any) -> bool:
    """An absolute URL with a scheme and no whitespace; http(s) URLs also need a host."""
    if not isinstance(value, str) or not _SCHEME.match(value) or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.hostname)
    return len(value) > len(parts.scheme) + 1


def status_entries(document: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(pointer, raw value) of each credentialStatus entry, one value or an array."""
    if not isinstance(document, Mapping) or "credentialStatus" not in document:
        return ()
    value = document["credentialStatus"]
    if isinstance(value, list):
        return tuple((_pointer("credentialStatus", i), item) for i, item in enumerate(value))
    return ((_pointer("credentialStatus"), value),)


def _types(entry: Mapping[str, Any], pointer: str) -> tuple[str, ...]:
    raw = entry.get("type")
    values = raw if isinstance(raw, list) else [raw]
    types = tuple(t for t in values if isinstance(t, str))
    if not types:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status entry has type {_describe(raw)}; a string naming the status method is expected",
            _pointer_join(pointer, "type"),
        )
    return types


def _pointer_join(base: str, *parts: str | int) -> str:
    return base + _pointer(*parts)


def _purpose(entry: Mapping[str, Any], pointer: str) -> str:
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"statusPurpose is {_describe(purpose) if 'statusPurpose' in entry else 'missing'}; a non-empty string "
            "(revocation, suspension, refresh, message ...) is expected",
            _pointer_join(pointer, "statusPurpose"),
        )
    return purpose


def _index(entry: Mapping[str, Any], pointer: str) -> int:
    where = _pointer_join(pointer, "statusListIndex")
    raw = entry.get("statusListIndex")
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        found = _describe(raw) if "statusListIndex" in entry else "missing"
        hint = " (a JSON number is not accepted: the index is a string)" if isinstance(raw, int) and not isinstance(
            raw, bool) else ""
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"statusListIndex is {found}; a string of base-10 digits (a non-negative integer) is expected{hint}",
            where,
        )
    if len(raw.lstrip("0")) > _MAX_INDEX_DIGITS:
        raise StatusError(
            StatusCode.RANGE_ERROR,
            f"statusListIndex has {len(raw):,} digits; no list the suite reads has that many entries",
            where,
        )
    return int(raw)


def _list_url(entry: Mapping[str, Any], pointer: str, key: str) -> str:
    url = entry.get(key)
    if not _is_url(url):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"{key} is {_describe(url) if key in entry else 'missing'}; the URL of the status list credential "
            "is expected",
            _pointer_join(pointer, key),
        )
    return url  # type: ignore[return-value]  # _is_url guarantees a str


def _entry_id(entry: Mapping[str, Any], pointer: str, list_url: str) -> str | None:
    if "id" not in entry:
        return None
    entry_id = entry["id"]
    if not _is_url(entry_id):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status entry id is {_describe(entry_id)}; a URL is expected", _pointer_join(pointer, "id"),
        )
    if entry_id == list_url:
        # The entry names one credential's position; giving it the list's URL conflates the two resources.
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status entry id is the status list URL {list_url!r}; it must identify the entry, not the list",
            _pointer_join(pointer, "id"),
        )
    return entry_id  # type: ignore[no-any-return]


def _status_size(entry: Mapping[str, Any], pointer: str) -> int:
    if "statusSize" not in entry:
        return 1
    size = entry["statusSize"]
    where = _pointer_join(pointer, "statusSize")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR, f"statusSize is {_describe(size)}; an integer of at least 1 is expected",
            where,
        )
    if size > MAX_STATUS_SIZE:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"statusSize is {size:,}; the suite reads entries of at most {MAX_STATUS_SIZE} bits (a wider entry "
            f"would need {size:,}-bit values and 2^{size:,} status messages)",
            where,
        )
    return size


def _messages(entry: Mapping[str, Any], pointer: str, size: int) -> tuple[StatusMessage, ...]:
    where = _pointer_join(pointer, "statusMessage")
    if "statusMessage" not in entry:
        if size > 1:
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"statusMessage is missing; with statusSize {size} it must list all {1 << size} status values",
                where,
            )
        return ()
    raw = entry["statusMessage"]
    if not isinstance(raw, list):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR, f"statusMessage is {_describe(raw)}; an array of objects is expected",
            where,
        )
    if size > 1 and len(raw) != 1 << size:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"statusMessage has {len(raw)} entries; statusSize {size} allows {1 << size} values, and each needs "
            "exactly one message",
            where,
        )
    messages: list[StatusMessage] = []
    seen: dict[int, int] = {}
    for position, item in enumerate(raw):
        item_where = _pointer_join(where, position)
        if not isinstance(item, Mapping):
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"the status message is {_describe(item)}; an object with status and message is expected",
                item_where,
            )
        status = item.get("status")
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status) or len(status) > 2 + MAX_STATUS_SIZE:
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"status is {_describe(status) if 'status' in item else 'missing'}; a hexadecimal string such as "
                "\"0x1\" is expected",
                _pointer_join(item_where, "status"),
            )
        value = int(status, 16)
        if value >= 1 << size:
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"status {status} does not fit in statusSize {size} bit(s)",
                _pointer_join(item_where, "status"),
            )
        if value in seen:
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"status {status} is described twice (also at {_pointer_join(where, seen[value])})",
                _pointer_join(item_where, "status"),
            )
        seen[value] = position
        message = item.get("message")
        if not isinstance(message, str):
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"message is {_describe(message) if 'message' in item else 'missing'}; a string is expected",
                _pointer_join(item_where, "message"),
            )
        messages.append(StatusMessage(value, message))
    return tuple(messages)


def _references(entry: Mapping[str, Any], pointer: str) -> tuple[str, ...]:
    if "statusReference" not in entry:
        return ()
    raw = entry["statusReference"]
    values = raw if isinstance(raw, list) else [raw]
    for position, value in enumerate(values):
        if not _is_url(value):
            where = _pointer_join(pointer, "statusReference", position) if isinstance(raw, list) else \
                _pointer_join(pointer, "statusReference")
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR, f"statusReference is {_describe(value)}; a URL is expected", where
            )
    return tuple(values)


def parse_entry(entry: Any, pointer: str = "/credentialStatus") -> StatusEntry:
    """Read one credentialStatus value. Raises StatusError (MALFORMED_VALUE_ERROR, RANGE_ERROR) only.

    The type decides the method; an entry with no type the suite reads becomes an UnsupportedEntry.
    """
    if not isinstance(entry, Mapping):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"credentialStatus is {_describe(entry)}; an object with id and type is expected",
            pointer,
        )
    types = _types(entry, pointer)
    if BITSTRING_ENTRY in types:
        list_url = _list_url(entry, pointer, "statusListCredential")
        size = _status_size(entry, pointer)
        return BitstringEntry(
            pointer=pointer,
            purpose=_purpose(entry, pointer),
            index=_index(entry, pointer),
            list_url=list_url,
            size=size,
            messages=_messages(entry, pointer, size),
            references=_references(entry, pointer),
            id=_entry_id(entry, pointer, list_url),
        )
    if STATUSLIST2021_ENTRY in types:
        list_url = _list_url(entry, pointer, "statusListCredential")
        return StatusList2021Entry(
            pointer=pointer,
            purpose=_purpose(entry, pointer),
            index=_index(entry, pointer),
            list_url=list_url,
            id=_entry_id(entry, pointer, list_url),
        )
    if REVOCATION_LIST_ENTRY in types:
        return RevocationListEntry(pointer=pointer, list_url=_list_url(entry, pointer, "id"))
    return UnsupportedEntry(pointer=pointer, types=types)
