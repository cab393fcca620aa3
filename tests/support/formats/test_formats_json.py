from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.support.formats import Limits, PayloadError, parse_json
from tests.support.formats.builders import CREDENTIAL, credential_bytes, nested_json


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        ('{"a": "caf\u00e9"}', {"a": "caf\u00e9"}),
        (b'\xef\xbb\xbf{"a": true}', {"a": True}),
        ("\ufeff[1, 2]", [1, 2]),
        (b"  \n 42 \t", 42),
        (b'"text"', "text"),
        (b'{"a": 1, "a": 2}', {"a": 2}),
        (b'{"big": 123456789012345678901234567890}', {"big": 123456789012345678901234567890}),
        (b'{"neg": -98765432109876543210}', {"neg": -98765432109876543210}),
        (b'{"pair": "\\ud83d\\ude00"}', {"pair": "\U0001f600"}),
        (bytearray(b"[null]"), [None]),
        (memoryview(b"{}"), {}),
    ],
)
def test_parse_json_accepts(text: Any, expected: Any) -> None:
    assert parse_json(text) == expected


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, -(10**19) + 1, 10**19 - 1, -(2**63), 2**64 - 1])
def test_parse_json_keeps_long_integers_exact(number: int) -> None:
    """orjson holds int64 and uint64; past them (20 digits, or 19 below -2**63) the stdlib decodes again. The
    fuzz test found -9223372036854775809 coming back as a float."""
    value = parse_json(f'{{"n": {number}}}'.encode())
    assert value["n"] == number
    assert isinstance(value["n"], int)


def test_parse_json_round_trips_a_credential() -> None:
    assert parse_json(credential_bytes()) == CREDENTIAL


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        (b"", "json-syntax", "empty"),
        (b"   ", "json-syntax", "empty"),
        (b'{"a": NaN}', "json-syntax", "line 1, column 7"),
        (b"[Infinity]", "json-syntax", "line 1"),
        (b"[-Infinity]", "json-syntax", "line 1"),
        (b'{"a": 1,\n "b": }', "json-syntax", "line 2"),
        (b"{} extra", "json-syntax", "column"),
        (b"{'a': 1}", "json-syntax", "column"),
        (b'{"a": "\\ud800"}', "json-syntax", "surrogate"),
        (b'"\x01"', "json-syntax", "control"),
        (b'{"a": "\xc3\x28"}', "not-utf8", "byte 7"),
        (b'\xef\xbb\xbf["\xff"]', "not-utf8", "byte 5"),
        (b"\xff\xfe{\x00}\x00", "not-utf8", "UTF-16"),
        ('{"a": "\ud800"}', "not-utf8", "lone surrogate"),
        (b"[1e400]", "too-large", "too large"),
        (b"[" + b"9" * 500 + b"]", "too-large", "too large"),
    ],
)
def test_parse_json_rejects(text: bytes | str, code: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_json(text)
    assert caught.value.code == code
    assert fragment in caught.value.message


@pytest.mark.parametrize("opener", ["[", "{"])
def test_parse_json_depth_limit_is_inclusive(opener: str) -> None:
    limits = Limits(max_depth=8)
    assert parse_json(nested_json(8, opener), limits) is not None
    with pytest.raises(PayloadError) as caught:
        parse_json(nested_json(9, opener), limits)
    assert caught.value.code == "json-too-deep"
    assert "limit of 8" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        nested_json(10_000, "["),
        nested_json(10_000, "{"),
        b"[" * 10_000,
        b'{"a":' * 10_000,
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["arrays", "objects", "unclosed-arrays", "unclosed-objects", "arrays-100k"],
)
def test_parse_json_refuses_10000_deep(text: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_json(text)
    assert caught.value.code == "json-too-deep"
    assert "limit of 64" in caught.value.message


def test_depth_message_names_the_path() -> None:
    inner = json.dumps({"a": {"b/c": [{"~d": [[[[]]]]}]}})
    with pytest.raises(PayloadError) as caught:
        parse_json(inner, Limits(max_depth=5))
    assert caught.value.message.endswith("at /a/b~1c/0/~0d/0")


def test_depth_message_names_the_path_beyond_the_parser_ceiling() -> None:
    text = '{"x": [' + '{"k": ' * 2000 + "1" + "}" * 2000 + "]}"
    with pytest.raises(PayloadError) as caught:
        parse_json(text, Limits(max_depth=3))
    assert caught.value.code == "json-too-deep"
    assert "at /x/0/k" in caught.value.message


def test_depth_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"s": "[[[[[[[[[[{{{{{{{{{{", "t": ['\\"[[[[[']})
    assert parse_json(text, Limits(max_depth=2)) == json.loads(text)


def test_max_depth_above_parser_ceiling_is_named() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_json(nested_json(1_500), Limits(max_depth=5_000))
    assert caught.value.code == "json-too-deep"
    assert "ceiling of 1,024" in caught.value.message


def test_parse_json_accepts_depth_up_to_parser_ceiling_when_allowed() -> None:
    assert parse_json(nested_json(1_024), Limits(max_depth=1_024)) is not None


def test_parse_json_50_mb_is_too_large_before_parsing() -> None:
    # Invalid throughout, so any parsing attempt would report a different code.
    blob = b"\xff" * (50 * 1024 * 1024)
    with pytest.raises(PayloadError) as caught:
        parse_json(blob)
    assert caught.value.code == "too-large"
    assert "52,428,800" in caught.value.message


def test_parse_json_str_size_is_checked() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_json("[" + "1," * 100 + "1]", Limits(max_bytes=50))
    assert caught.value.code == "too-large"


def test_parse_json_utf8_size_counts_encoded_bytes() -> None:
    text = '"' + "\u00e9" * 30 + '"'  # 32 characters, 62 bytes
    with pytest.raises(PayloadError) as caught:
        parse_json(text, Limits(max_bytes=40))
    assert caught.value.code == "too-large"
    assert parse_json(text, Limits(max_bytes=62)) == "\u00e9" * 30


def test_parse_json_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        parse_json(123)  # type: ignore[arg-type]


def _padded(depth: int, padding: int) -> bytes:
    # Long string padding makes the bracket density low, so the object walk is used to measure;
    # without padding the text measurement is used.
    return ('{"pad": "' + "x" * padding + '", "deep": ' + nested_json(depth - 1).decode() + "}").encode()


@pytest.mark.parametrize("padding", [0, 100_000], ids=["text-measure", "object-walk"])
def test_depth_limit_with_both_measuring_strategies(padding: int) -> None:
    limits = Limits(max_depth=20)
    assert parse_json(_padded(20, padding), limits)["pad"] == "x" * padding
    with pytest.raises(PayloadError) as caught:
        parse_json(_padded(21, padding), limits)
    assert caught.value.code == "json-too-deep"
    assert caught.value.message.endswith("at /deep" + "/0" * 19)


def test_depth_within_limit_in_a_container_dense_document() -> None:
    text = b"[" + b"[[[]]]," * 50_000 + b"[]]"
    assert len(parse_json(text)) == 50_001


def test_depth_violation_in_a_huge_document_is_reported_without_a_path() -> None:
    text = b"[" + b"[]," * 400_000 + b"[" * 80 + b"]" * 80 + b"]"
    with pytest.raises(PayloadError) as caught:
        parse_json(text)
    assert caught.value.code == "json-too-deep"
    assert "too large to say where" in caught.value.message


def test_a_text_packed_with_containers_is_refused_before_decoding() -> None:
    packed = b"[" + b"[]," * 2_000_000 + b"[]]"
    with pytest.raises(PayloadError) as caught:
        parse_json(packed)
    assert caught.value.code == "too-large" and "objects and arrays" in caught.value.message
    assert parse_json(b"[" + b"[]," * 1000 + b"[]]", Limits(max_containers=2000))[0] == []
