"""Encoded status lists: decoding them safely, reading entries, and building lists for the suite's vectors.

Both list formats are a GZIP-compressed bitstring in base64url. BitstringStatusList (W3C) adds the multibase
prefix `u`; StatusList2021 (CCG) has none. Entries are read most significant bit first: entry 0 starts at the
left-most bit of the first byte.
"""
from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterable, Mapping

from .errors import StatusCode, StatusError

__all__ = [
    "DEFAULT_MAX_LIST_BYTES",
    "MAX_GZIP_MEMBERS",
    "MIN_LIST_ENTRIES",
    "decode_bitstring_list",
    "decode_statuslist2021",
    "encode_bitstring_list",
    "encode_statuslist2021",
    "gunzip_bounded",
    "make_bitstring",
    "read_status",
    "require_minimum_length",
]

# 16 KiB of bits: the size both specs require so that one credential's index does not single its holder out.
MIN_LIST_ENTRIES = 131_072
# A real list of 16 million credentials fits in 2 MiB; 16 MiB leaves room and still refuses a gzip bomb early.
DEFAULT_MAX_LIST_BYTES = 16 * 1024 * 1024
# The widest entry the suite reads. The spec sets no maximum, but statusSize > 1 needs 2**statusSize messages,
# so wider entries cannot be described by any document that fits in memory.
MAX_STATUS_SIZE = 32

# A status list is one GZIP member; concatenated members are legal GZIP (a streaming writer, `cat a.gz b.gz`),
# and block-wise writers such as BGZF make one per 64 KiB, 256 for a 16 MiB list. Each member costs a new
# inflater, a few microseconds, while an empty one is 20 bytes: without a cap the longest encodedList the suite
# accepts (1.2 million empty members) costs seconds for a list holding nothing. 4,096 is 16 times what a
# block-wise list needs.
MAX_GZIP_MEMBERS = 4_096
# the inflater is fed slices of the input: 256 bytes first (a whole small member), doubling up to 64 KiB
_GZIP_FIRST_SLICE = 256
_GZIP_MAX_SLICE = 64 * 1024

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_LIST_LOCATION = "(status list)/credentialSubject/encodedList"


def make_bitstring(size_entries: int, set_indexes: Iterable[int] | Mapping[int, int], status_size: int = 1) -> bytes:
    """A bitstring of `size_entries` entries of `status_size` bits, all 0 except those given.

    `set_indexes` is either indexes whose entry becomes 1, or a mapping of index to the value to store.
    The length is rounded up to whole bytes with zero bits.
    """
    if isinstance(size_entries, bool) or not isinstance(size_entries, int) or size_entries < 0:
        raise ValueError(f"size_entries must be a non-negative int, got {size_entries!r}")
    if isinstance(status_size, bool) or not isinstance(status_size, int) or not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be an int from 1 to {MAX_STATUS_SIZE}, got {status_size!r}")
    values = dict(set_indexes) if isinstance(set_indexes, Mapping) else {index: 1 for index in set_indexes}
    total_bits = size_entries * status_size
    buffer = bytearray((total_bits + 7) // 8)
    for index, value in values.items():
        if not 0 <= index < size_entries:
            raise ValueError(f"index {index} is outside the {size_entries} entries of the list")
        if not 0 <= value < (1 << status_size):
            raise ValueError(f"value {value} does not fit in {status_size} bit(s)")
        start = index * status_size
        for offset in range(status_size):
            if value >> (status_size - 1 - offset) & 1:
                bit = start + offset
                buffer[bit // 8] |= 0x80 >> (bit % 8)
    return bytes(buffer)


def _gzip(bits: bytes) -> bytes:
    # mtime=0 keeps the output identical from run to run, so vectors built from it are reproducible.
    return gzip.compress(bytes(bits), compresslevel=9, mtime=0)


def encode_bitstring_list(bits: bytes) -> str:
    """The BitstringStatusList `encodedList` of a bitstring: `u` + base64url (no padding) of its GZIP."""
    return "u" + base64.urlsafe_b64encode(_gzip(bits)).decode("ascii").rstrip("=")


def encode_statuslist2021(bits: bytes) -> str:
    """The StatusList2021 `encodedList` of a bitstring: base64url (no padding) of its GZIP, no multibase prefix."""
    return base64.urlsafe_b64encode(_gzip(bits)).decode("ascii").rstrip("=")


def gunzip_bounded(
    data: bytes, max_bytes: int = DEFAULT_MAX_LIST_BYTES, location: str = _LIST_LOCATION, *,
    max_members: int = MAX_GZIP_MEMBERS,
) -> bytes:
    """Decompress GZIP data (one or more members), refusing output beyond `max_bytes` before producing it.

    Time is linear in the input: the inflater gets it in slices, so what it copies past a member's end (its
    `unused_data`) is one slice, never the rest of the input as a whole.
    """
    if not data:
        raise StatusError(StatusCode.MALFORMED_VALUE_ERROR, "the encoded list holds no GZIP data", location)
    view = memoryview(data)
    output = bytearray()
    offset = 0
    members = 0
    while offset < len(view):
        members += 1
        magic = bytes(view[offset : offset + 2])
        if magic != b"\x1f\x8b":
            what = "does not start with" if members == 1 else f"has bytes after GZIP member {members - 1} that are not"
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"the decoded list {what} a GZIP member (expected the magic bytes 1f 8b, found "
                f"{magic.hex(' ') or 'nothing'})",
                location,
            )
        if members > max_members:
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"the encoded list holds more GZIP members than the suite reads: expected at most "
                f"{max_members:,} (a status list is usually one), found member {members:,} at byte {offset:,}",
                location,
            )
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        # a slice starts small and doubles: a tiny member copies a few hundred bytes, a large one few slices
        size = _GZIP_FIRST_SLICE
        while not inflater.eof:
            if offset >= len(view):
                raise StatusError(
                    StatusCode.MALFORMED_VALUE_ERROR,
                    "the encoded list ends inside its GZIP stream (truncated data)",
                    location,
                )
            piece = view[offset : offset + size]
            budget = max_bytes - len(output)
            try:
                # max_length caps the work and memory: a bomb stops after budget + 1 bytes, never inflating.
                chunk = inflater.decompress(piece, budget + 1)
            except zlib.error as exc:
                raise StatusError(
                    StatusCode.MALFORMED_VALUE_ERROR, f"the encoded list is not valid GZIP data ({exc})", location
                ) from None
            if len(chunk) > budget:
                raise StatusError(
                    StatusCode.MALFORMED_VALUE_ERROR,
                    f"the encoded list decompresses to more than {max_bytes:,} bytes, the most the suite reads "
                    f"({max_bytes * 8:,} bits); the input is refused as a decompression bomb",
                    location,
                )
            output += chunk
            # what the inflater left of the slice (past the member's end, or held back) is read again from offset
            offset += len(piece) - len(inflater.unused_data) - len(inflater.unconsumed_tail)
            size = min(size * 2, _GZIP_MAX_SLICE)
    return bytes(output)


def _base64url(text: str, what: str, location: str, *, padding_allowed: bool) -> bytes:
    body = text.rstrip("=") if padding_allowed else text
    if not _BASE64URL.fullmatch(body):
        bad = next(ch for ch in body if not (ch.isascii() and (ch.isalnum() or ch in "-_")))
        hint = " (padding '=' is not part of multibase base64url)" if bad == "=" else ""
        hint = hint or (" ('+' and '/' belong to base64, not base64url)" if bad in "+/" else "")
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"{what} holds {bad!r} at position {text.index(bad):,}, which is not a base64url character{hint}",
            location,
        )
    if len(body) % 4 == 1:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"{what} has {len(body):,} base64url characters; a length of 4n+1 cannot be decoded",
            location,
        )
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:  # unreachable after the checks above; kept as a typed guard
        raise StatusError(StatusCode.MALFORMED_VALUE_ERROR, f"{what} is not valid base64url ({exc})", location) from None


def _encoded_text(encoded: object, location: str) -> str:
    if not isinstance(encoded, str):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"encodedList is {type(encoded).__name__}; a string is expected",
            location,
        )
    if not encoded:
        raise StatusError(StatusCode.MALFORMED_VALUE_ERROR, "encodedList is an empty string", location)
    return encoded


def decode_bitstring_list(
    encoded: object, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES, location: str = _LIST_LOCATION
) -> bytes:
    """The bitstring of a BitstringStatusList `encodedList` (multibase `u` + base64url, no padding, of GZIP)."""
    text = _encoded_text(encoded, location)
    if text[0] != "u":
        hint = (
            "; it looks like a StatusList2021 value, which has no prefix" if text.startswith("H4sI") else ""
        )
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"encodedList starts with {text[0]!r}; the multibase prefix 'u' (base64url, no padding) is expected{hint}",
            location,
        )
    # a base64url GZIP of any size is at most 4/3 of the bytes; anything far longer is refused before decoding
    if len(text) > max_bytes * 2 + 64:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR, f"encodedList is {len(text):,} characters long, beyond what the suite reads",
            location,
        )
    return gunzip_bounded(_base64url(text[1:], "encodedList", location, padding_allowed=False), max_bytes, location)


def decode_statuslist2021(
    encoded: object, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES, location: str = _LIST_LOCATION
) -> bytes:
    """The bitstring of a StatusList2021 `encodedList` (base64url of GZIP, no multibase prefix).

    A leading `u` is tolerated only when the rest decodes as GZIP: the type, not the first character, says
    which format a list is, and `u` is also an ordinary base64url character.
    """
    text = _encoded_text(encoded, location)
    if len(text) > max_bytes * 2 + 64:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR, f"encodedList is {len(text):,} characters long, beyond what the suite reads",
            location,
        )
    if text.startswith("uH4sI"):
        # "uH4sI" is the multibase form of a GZIP header; undecoded it would be misaligned base64.
        text = text[1:]
    return gunzip_bounded(_base64url(text, "encodedList", location, padding_allowed=True), max_bytes, location)


def require_minimum_length(bits: bytes, status_size: int = 1, location: str = _LIST_LOCATION) -> None:
    entries = len(bits) * 8 // status_size
    if entries < MIN_LIST_ENTRIES:
        raise StatusError(
            StatusCode.STATUS_LIST_LENGTH_ERROR,
            f"the list holds {entries:,} entries of {status_size} bit(s) ({len(bits):,} bytes); at least "
            f"{MIN_LIST_ENTRIES:,} entries are required",
            location,
        )


def read_status(bits: bytes, index: int, status_size: int = 1, location: str = _LIST_LOCATION) -> int:
    """The value of entry `index` (`status_size` bits, most significant bit first)."""
    if not 1 <= status_size <= MAX_STATUS_SIZE:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"statusSize {status_size} is outside the 1 to {MAX_STATUS_SIZE} bits the suite reads",
            location,
        )
    start = index * status_size
    end = start + status_size
    total = len(bits) * 8
    if index < 0 or end > total:
        raise StatusError(
            StatusCode.RANGE_ERROR,
            f"entry {index:,} needs bits {start:,} to {end - 1:,}, but the list has {total:,} bits "
            f"({total // status_size:,} entries of {status_size} bit(s))",
            location,
        )
    first_byte, last_byte = start // 8, (end - 1) // 8
    window = int.from_bytes(bits[first_byte : last_byte + 1], "big")
    trailing = (last_byte + 1) * 8 - end
    return (window >> trailing) & ((1 << status_size) - 1)
