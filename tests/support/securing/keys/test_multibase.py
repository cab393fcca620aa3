"""Multibase and varint decoding: round trips, and every malformed input refused with its reason code."""

from __future__ import annotations

import pytest

from conformance.support.securing.keys import KeysError
from conformance.support.securing.keys.multibase import (
    MAX_MULTIBASE_CHARS,
    base58btc_decode,
    base58btc_encode,
    base64url_decode,
    decode_multibase,
    encode_multibase,
    encode_varint,
    read_varint,
)

ROUND_TRIP = [
    b"",
    b"\0",
    b"\0\0\x01",
    b"\x01\x02\x03",
    bytes(range(256)),
    b"\xff" * 64,
    b"\0" * 5 + b"\xed\x01",
]


@pytest.mark.parametrize("data", ROUND_TRIP, ids=lambda d: d[:6].hex() or "empty")
@pytest.mark.parametrize("base", ["z", "u"])
def test_round_trip(data: bytes, base: str) -> None:
    text = encode_multibase(data, base)
    assert text[0] == base
    if data:
        assert decode_multibase(text) == data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", b"\0"),
        ("11", b"\0\0"),
        ("2", b"\x01"),
        ("z", b"\x39"),
        ("21", b"\x3a"),
        ("5Q", b"\xff"),
        ("LUv", b"\xff\xff"),
    ],
)
def test_base58_known_values(text: str, expected: bytes) -> None:
    assert base58btc_decode(text) == expected
    assert base58btc_encode(expected) == text


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "found NoneType"),
        (42, "found int"),
        ("", "is empty"),
        ("z", "no data"),
        ("f00ff", "starts with 'f'"),
        ("m3q2+7w", "starts with 'm'"),
        ("Z6Mk", "starts with 'Z'"),
        ("z6Mk0abc", "character 3 is '0'"),
        ("z6MkOabc", "character 3 is 'O'"),
        ("z6MkIabc", "character 3 is 'I'"),
        ("z6Mklabc", "character 3 is 'l'"),
        ("z6Mk abc", "character 3 is ' '"),
        ("z6Mkabc\n", "character 6 is '\\n'"),
        ("z6Mké", "character 3 is 'é'"),
        ("uAQID=", "character 4 is '='"),
        ("uAQ+D", "character 2 is '+'"),
        ("uAQ/D", "character 2 is '/'"),
        ("uA", "a length no byte string encodes to"),
        ("uAB", "not canonical"),  # 'B' leaves a non-zero unused bit
        ("z" + "2" * (MAX_MULTIBASE_CHARS + 1), "at most"),
    ],
)
def test_malformed_multibase(value: object, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        decode_multibase(value)
    assert info.value.code == "bad-multibase"
    assert fragment in info.value.message


def test_allowed_headers_restrict() -> None:
    with pytest.raises(KeysError, match="'z' \\(base58btc\\) is expected"):
        decode_multibase("uAQID", allowed="z")
    assert decode_multibase("uAQID", allowed="u") == b"\x01\x02\x03"


def test_base64url_code_is_configurable() -> None:
    with pytest.raises(KeysError) as info:
        base64url_decode("a=", what="member x", code="bad-jwk")
    assert (info.value.code, info.value.message.startswith("member x")) == ("bad-jwk", True)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"\x00"),
        (1, b"\x01"),
        (0x7F, b"\x7f"),
        (0x80, b"\x80\x01"),
        (0xED, b"\xed\x01"),
        (0x1200, b"\x80\x24"),
        (0x1201, b"\x81\x24"),
        (0x1300, b"\x80\x26"),
        (0x1306, b"\x86\x26"),
        (2**63 - 1, b"\xff" * 8 + b"\x7f"),
    ],
)
def test_varint_round_trip(value: int, encoded: bytes) -> None:
    assert encode_varint(value) == encoded
    assert read_varint(encoded + b"\xaa") == (value, len(encoded))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "truncated"),
        (b"\x80", "truncated"),
        (b"\xed", "truncated"),
        (b"\x80\x00", "not minimally encoded"),
        (b"\xed\x81\x00", "not minimally encoded"),
        (b"\xff" * 9 + b"\x01", "longer than 9 bytes"),
    ],
)
def test_malformed_varint(data: bytes, fragment: str) -> None:
    with pytest.raises(KeysError) as info:
        read_varint(data)
    assert info.value.code == "bad-multicodec"
    assert fragment in info.value.message


def test_negative_varint_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        encode_varint(-1)
