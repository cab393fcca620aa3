"""Encoding, decoding and reading status bitstrings: bit order, widths, length and hostile encodings."""
from __future__ import annotations

import base64
import gzip
import pickle
import zlib
from functools import cache

import pytest

from conformance.support.securing.status import (
    MIN_LIST_ENTRIES,
    StatusCode,
    StatusError,
    decode_bitstring_list,
    decode_statuslist2021,
    encode_bitstring_list,
    encode_statuslist2021,
    gunzip_bounded,
    make_bitstring,
    read_status,
    require_minimum_length,
)


@cache
def gigabyte_of_zeros_gzipped() -> bytes:
    # One GZIP member inflating to 1 GiB, built in slices so the test never holds the gigabyte.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(1024)]
    parts.append(compressor.flush())
    return b"".join(parts)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# (hand-built bytes, index, status size, expected value): index 0 is the left-most bit of the first byte
BIT_ORDER = [
    (b"\x80\x00", 0, 1, 1),
    (b"\x80\x00", 1, 1, 0),
    (b"\x40\x00", 1, 1, 1),
    (b"\x01\x00", 7, 1, 1),
    (b"\x01\x00", 0, 1, 0),
    (b"\x00\x80", 8, 1, 1),
    (b"\x00\x01", 15, 1, 1),
    (b"\xc0\x00", 0, 2, 3),          # bits 0-1 = 11
    (b"\x40\x00", 0, 2, 1),          # bits 0-1 = 01: the later bit is the low bit
    (b"\x80\x00", 0, 2, 2),          # bits 0-1 = 10
    (b"\x30\x00", 1, 2, 3),          # bits 2-3 = 11
    (b"\x01\x80", 3, 2, 1),          # bits 6-7 = 01
    (b"\x01\x80", 4, 2, 2),          # bits 8-9 = 10
    (b"\x0f\xf0", 1, 4, 0xF),        # bits 4-7
    (b"\x0f\xf0", 0, 12, 0x0FF),     # bits 0-11 cross a byte boundary
    (b"\x0f\xf0", 1, 6, 0b111111),   # bits 6-11 cross a byte boundary
    (b"\x12\x34\x56", 0, 4, 0x1),
    (b"\x12\x34\x56", 5, 4, 0x6),
    (b"\x12\x34\x56", 0, 20, 0x12345),
]


@pytest.mark.parametrize(("bits", "index", "size", "expected"), BIT_ORDER)
def test_read_status_is_msb_first(bits: bytes, index: int, size: int, expected: int) -> None:
    assert read_status(bits, index, size) == expected


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 13, 32])
def test_read_status_agrees_with_a_textual_bit_stream(size: int) -> None:
    data = bytes(range(7, 255, 11)) + b"\xa5\x5a\xff\x00\x81"
    stream = "".join(f"{byte:08b}" for byte in data)
    for index in range(len(stream) // size):
        assert read_status(data, index, size) == int(stream[index * size : (index + 1) * size], 2)


@pytest.mark.parametrize(
    ("size", "values"),
    [
        (1, {0: 1, 7: 1, 8: 1, 131_071: 1}),
        (2, {0: 3, 1: 1, 2: 2, 65_535: 3}),
        (3, {0: 5, 1: 7, 2: 1, 10: 4}),
        (8, {0: 255, 1: 1, 99: 128}),
    ],
)
def test_make_bitstring_round_trips_through_both_encodings(size: int, values: dict[int, int]) -> None:
    entries = MIN_LIST_ENTRIES
    bits = make_bitstring(entries, values, status_size=size)
    assert len(bits) == (entries * size + 7) // 8
    for decoded in (decode_bitstring_list(encode_bitstring_list(bits)), decode_statuslist2021(encode_statuslist2021(bits))):
        assert decoded == bits
        for index in range(200):
            assert read_status(decoded, index, size) == values.get(index, 0)
        for index, value in values.items():
            assert read_status(decoded, index, size) == value


def test_make_bitstring_sets_the_leftmost_bit_for_index_zero() -> None:
    assert make_bitstring(16, [0]) == b"\x80\x00"
    assert make_bitstring(16, [15]) == b"\x00\x01"
    assert make_bitstring(4, {0: 2, 3: 1}, status_size=2) == b"\x81"


def test_encodings_are_deterministic_and_prefixed() -> None:
    bits = make_bitstring(MIN_LIST_ENTRIES, [3])
    assert encode_bitstring_list(bits) == encode_bitstring_list(bits)
    assert encode_bitstring_list(bits).startswith("uH4sI")
    assert encode_statuslist2021(bits).startswith("H4sI")
    assert "=" not in encode_bitstring_list(bits) + encode_statuslist2021(bits)


@pytest.mark.parametrize(
    ("entries", "size", "code"),
    [
        (MIN_LIST_ENTRIES, 1, None),
        (MIN_LIST_ENTRIES - 8, 1, StatusCode.STATUS_LIST_LENGTH_ERROR),
        (MIN_LIST_ENTRIES * 2, 2, None),
        (MIN_LIST_ENTRIES, 2, None),                      # 2 * 131,072 bits hold 131,072 two-bit entries
        (MIN_LIST_ENTRIES - 8, 2, StatusCode.STATUS_LIST_LENGTH_ERROR),
        (8, 1, StatusCode.STATUS_LIST_LENGTH_ERROR),
        (0, 1, StatusCode.STATUS_LIST_LENGTH_ERROR),
    ],
)
def test_minimum_length(entries: int, size: int, code: StatusCode | None) -> None:
    bits = make_bitstring(entries, [], status_size=size)
    if code is None:
        require_minimum_length(bits, size)
    else:
        with pytest.raises(StatusError) as info:
            require_minimum_length(bits, size)
        assert info.value.code is code
        assert f"{MIN_LIST_ENTRIES:,}" in info.value.message


@pytest.mark.parametrize(
    ("length_bytes", "index", "size"),
    [(2, 16, 1), (2, 8, 2), (2, 2, 8), (3, 1, 20), (1, 10**25, 1), (2, -1, 1)],
)
def test_range_error(length_bytes: int, index: int, size: int) -> None:
    with pytest.raises(StatusError) as info:
        read_status(bytes(length_bytes), index, size)
    assert info.value.code is StatusCode.RANGE_ERROR
    assert f"{length_bytes * 8:,} bits" in info.value.message


BOMB = "bomb"

MALFORMED_BITSTRING = [
    ("H4sIAAAAAAAA_-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "the multibase prefix 'u'"),
    ("zH4sI", "the multibase prefix 'u'"),
    ("", "empty string"),
    ("u", "no GZIP data"),
    ("uH4sI+AAA", "'+' and '/' belong to base64"),
    ("uH4sIAA==", "padding '='"),
    ("uH4sI AA", "not a base64url character"),
    ("uH4sIé", "not a base64url character"),
    ("uAAAAA", "4n+1"),
    ("u" + b64url(b"not gzip at all"), "magic bytes 1f 8b"),
    ("u" + b64url(gzip.compress(bytes(100), mtime=0)[:-9]), "truncated"),
    ("u" + b64url(b"\x1f\x8b\x08\x00garbage-garbage"), "not valid GZIP"),
    ("u" + b64url(gzip.compress(bytes(16), mtime=0) + b"trailing"), "not a GZIP member"),
    (12345, "a string is expected"),
    (None, "a string is expected"),
    (BOMB, "decompression bomb"),
]


@pytest.mark.parametrize(("encoded", "fragment"), MALFORMED_BITSTRING)
def test_malformed_bitstring_lists(encoded: object, fragment: str) -> None:
    if encoded == BOMB:
        encoded = "u" + b64url(gigabyte_of_zeros_gzipped())
    with pytest.raises(StatusError) as info:
        decode_bitstring_list(encoded)
    assert info.value.code is StatusCode.MALFORMED_VALUE_ERROR
    assert fragment in info.value.message
    assert info.value.problem.location == "(status list)/credentialSubject/encodedList"


@pytest.mark.parametrize(
    ("encoded", "fragment"),
    [
        ("u" + b64url(gzip.compress(bytes(10), mtime=0)) + "!", "not a base64url character"),
        (b64url(b"plain bytes"), "magic bytes 1f 8b"),
        ("", "empty string"),
        (BOMB, "decompression bomb"),
    ],
)
def test_malformed_statuslist2021_lists(encoded: str, fragment: str) -> None:
    if encoded == BOMB:
        encoded = b64url(gigabyte_of_zeros_gzipped())
    with pytest.raises(StatusError) as info:
        decode_statuslist2021(encoded)
    assert info.value.code is StatusCode.MALFORMED_VALUE_ERROR
    assert fragment in info.value.message


def test_statuslist2021_decoding_tolerates_padding_and_a_multibase_prefix() -> None:
    bits = make_bitstring(MIN_LIST_ENTRIES, [42])
    plain = encode_statuslist2021(bits)
    padded = base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).decode()
    assert decode_statuslist2021(plain) == bits
    assert decode_statuslist2021(padded) == bits
    assert decode_statuslist2021("u" + plain) == bits      # decided by type, the 'u' is only a hint


def test_many_small_gzip_members_share_one_budget() -> None:
    member = gzip.compress(bytes(1 << 20), mtime=0)
    with pytest.raises(StatusError) as info:
        gunzip_bounded(member * 40, max_bytes=16 * (1 << 20))
    assert "decompression bomb" in info.value.message
    assert gunzip_bounded(member * 2, max_bytes=4 << 20) == bytes(2 << 20)


def test_a_small_budget_refuses_early() -> None:
    data = gzip.compress(bytes(5000), mtime=0)
    assert gunzip_bounded(data, max_bytes=5000) == bytes(5000)
    with pytest.raises(StatusError):
        gunzip_bounded(data, max_bytes=4999)


def test_status_error_pickles_and_reads_well() -> None:
    error = StatusError(StatusCode.RANGE_ERROR, "index 9 is beyond 8 bits", "/credentialStatus/statusListIndex")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problem == error.problem
    assert str(copy) == "/credentialStatus/statusListIndex: index 9 is beyond 8 bits (RANGE_ERROR)"
    assert copy.problem.uri == "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((8, [8]), {}), ((8, {0: 2}), {}), ((8, [0]), {"status_size": 0}), ((-1, []), {}), ((8, {0: 4}), {"status_size": 2})],
)
def test_make_bitstring_refuses_impossible_lists(args: tuple[object, ...], kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        make_bitstring(*args, **kwargs)  # type: ignore[arg-type]
