"""Property tests: whatever the bytes, the decoders return a result or raise PayloadError."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.support.formats import (
    PAYLOAD_ERROR_CODES,
    Baking,
    Jws,
    JwtCredential,
    Limits,
    Payload,
    PayloadError,
    credential_from_jws,
    decode,
    decode_compact_jws,
    extract_png,
    extract_svg,
    parse_data_url,
    parse_json,
    sniff,
)
from tests.support.formats.builders import (
    CREDENTIAL,
    b64url,
    baked_png,
    baked_svg_json,
    baked_svg_jws,
    build_png,
    build_svg,
    credential_bytes,
    make_jws,
    png_chunk,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VC11_JWT = make_jws({"alg": "ES256", "typ": "JWT"}, {"vc": CREDENTIAL, "iss": "did:ex:i", "nbf": 1, "sub": "did:ex:s"})
JOSE_JWT = make_jws({"alg": "ES256", "typ": "vc+jwt"}, CREDENTIAL)
CLAIMS_JWT = make_jws({"alg": "ES256", "typ": "JWT"}, {**CREDENTIAL, "iss": "x", "exp": 2})
TEXT_SEEDS: list[bytes] = [
    credential_bytes(),
    b'{"a": [1, 2.5, -3e2, true, null, "\\u00e9\\ud83d\\ude00"], "b": {"c": {}}}',
    b"\xef\xbb\xbf{}",
    VC11_JWT.encode(),
    JOSE_JWT.encode(),
    CLAIMS_JWT.encode(),
]
SEEDS: list[bytes] = [
    *TEXT_SEEDS,
    baked_png(credential_bytes().decode()),
    baked_png(VC11_JWT),
    baked_png(credential_bytes().decode(), compressed=True),
    baked_svg_json(),
    baked_svg_jws(JOSE_JWT),
]
# Bytes that steer parsers into their less travelled states.
INTERESTING = [
    b"[",
    b"{",
    b"]",
    b"}",
    b'"',
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"<",
    b">",
    b"&",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"]]>",
    b".",
    b"=",
    b"-",
    b"_",
    b"e",
    b"NaN",
    b"1e999",
    b"9" * 30,
    b"[" * 200,
    b"\r\n",
    b"\xef\xbb\xbf",
]


@st.composite
def mutations(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        operation = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "duplicate"]))
        if not data:
            data += draw(st.binary(min_size=1, max_size=8))
            continue
        position = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if operation == "flip":
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif operation == "set":
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "truncate":
            del data[position:]
        elif operation == "insert":
            data[position:position] = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=8)))
        elif operation == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=32))]
        else:
            end = position + draw(st.integers(min_value=1, max_value=64))
            data[position:position] = data[position:end]
    return bytes(data)


def _assert_decodes_or_refuses(call: Callable[[], Any]) -> Any:
    try:
        result = call()
    except PayloadError as error:
        assert error.code in PAYLOAD_ERROR_CODES
        assert isinstance(error.message, str) and error.message
        return error
    return result


def _assert_payload(result: Any) -> None:
    if isinstance(result, PayloadError):
        return
    assert isinstance(result, Payload)
    assert isinstance(result.document, Mapping)
    assert result.media in ("json", "jwt", "png", "svg", "sd-jwt", "cose")
    assert (result.baking is not None) == (result.media in ("png", "svg"))
    # recognized envelopes are not opened: their structure is recorded, their document is empty
    assert (result.envelope is not None) == (result.media in ("sd-jwt", "cose"))
    if result.envelope is not None:
        assert result.document == {} and result.jwt is None
    if result.media == "jwt":
        assert isinstance(result.jwt, JwtCredential)


SMALL_LIMITS = Limits(max_bytes=4096, max_depth=6, max_jws_bytes=2048)


@FUZZ
@given(st.binary(max_size=2048))
def test_decode_arbitrary_bytes(raw: bytes) -> None:
    _assert_payload(_assert_decodes_or_refuses(lambda: decode(raw)))
    assert sniff(raw) in (None, "json", "jwt", "png", "svg", "sd-jwt", "cose")


@FUZZ
@given(mutations(SEEDS), st.sampled_from([None, "x.json", "x.jwt", "x.png", "x.svg"]))
def test_decode_mutated_inputs(raw: bytes, name: str | None) -> None:
    _assert_payload(_assert_decodes_or_refuses(lambda: decode(raw, name=name)))
    _assert_payload(_assert_decodes_or_refuses(lambda: decode(raw, SMALL_LIMITS, name=name)))


@FUZZ
@given(mutations(TEXT_SEEDS))
def test_png_and_svg_with_mutated_embedded_text(text: bytes) -> None:
    # Rebuilt with correct CRCs and well-formed XML where possible, so the mutation reaches the
    # decoding of the embedded credential instead of failing at the container.
    embedded = text.decode("utf-8", "replace")
    compressed = png_chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0" + zlib.compress(text))
    escaped = embedded.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    for raw in (
        baked_png(embedded),
        build_png(png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + text)),
        build_png(compressed),
        build_svg(f"<openbadges:credential>{escaped}</openbadges:credential>"),
        build_svg(f'<openbadges:credential verify="{escaped}"/>'),
        build_svg(f"<openbadges:credential><![CDATA[{embedded}]]></openbadges:credential>"),
    ):
        _assert_payload(_assert_decodes_or_refuses(lambda raw=raw: decode(raw)))


@FUZZ
@given(st.binary(max_size=64), st.binary(max_size=512))
def test_png_itxt_fields_are_arbitrary(fields: bytes, body: bytes) -> None:
    raw = build_png(png_chunk(b"iTXt", b"openbadgecredential\0" + fields), png_chunk(b"iTXt", fields + b"\0" + body))
    result = _assert_decodes_or_refuses(lambda: extract_png(raw))
    if not isinstance(result, PayloadError):
        assert isinstance(result, Baking)
        assert result.png_chunks[0].type == "IHDR"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)
CLAIM_NAMES = st.sampled_from(
    ["vc", "vp", "iss", "nbf", "exp", "jti", "sub", "typ", "cty", "issuer", "credentialSubject", "holder"]
)


@FUZZ
@given(
    st.dictionaries(CLAIM_NAMES, JSON_VALUES, max_size=4),
    st.dictionaries(
        CLAIM_NAMES, JSON_VALUES | st.sampled_from(["vc+jwt", "JWT", "vp", "application/vc+jwt"]), max_size=3
    ),
)
def test_credential_from_jws_on_arbitrary_claims(payload: dict[str, Any], header: dict[str, Any]) -> None:
    result = _assert_decodes_or_refuses(lambda: credential_from_jws(decode_compact_jws(make_jws(header, payload))))
    if not isinstance(result, PayloadError):
        assert isinstance(result, JwtCredential)
        assert isinstance(result.document, Mapping)
        assert set(result.mapped_claims) <= {"iss", "nbf", "exp", "jti", "sub"}


@FUZZ
@given(st.text(max_size=300))
def test_text_functions_never_escape(text: str) -> None:
    _assert_decodes_or_refuses(lambda: parse_json(text))
    _assert_decodes_or_refuses(lambda: decode_compact_jws(text))
    _assert_decodes_or_refuses(lambda: parse_data_url(text))
    _assert_decodes_or_refuses(lambda: parse_data_url("data:" + text))
    _assert_decodes_or_refuses(lambda: parse_data_url("data:;base64," + text))


@FUZZ
@given(st.binary(max_size=400), st.binary(max_size=400))
def test_jws_with_arbitrary_segment_bytes(header: bytes, payload: bytes) -> None:
    compact = f"{b64url(header)}.{b64url(payload)}.{b64url(header[:8])}"
    result = _assert_decodes_or_refuses(lambda: decode_compact_jws(compact))
    if isinstance(result, Jws):
        assert result.signing_input == compact.rsplit(".", 1)[0].encode()


@FUZZ
@given(mutations([credential_bytes(), json.dumps({"a": [[[[{"b": [1]}]]]]}).encode()]))
def test_parse_json_agrees_with_stdlib_when_it_succeeds(raw: bytes) -> None:
    result = _assert_decodes_or_refuses(lambda: parse_json(raw))
    if not isinstance(result, PayloadError):
        assert result == json.loads(raw.decode("utf-8").removeprefix("\ufeff"))


@FUZZ
@given(st.binary(max_size=1024))
def test_container_extractors_on_arbitrary_bytes(raw: bytes) -> None:
    for extractor in (extract_png, extract_svg):
        _assert_decodes_or_refuses(lambda extractor=extractor: extractor(raw))
    for prefixed in (b"\x89PNG\r\n\x1a\n" + raw, b"<svg xmlns='http://www.w3.org/2000/svg'>" + raw):
        _assert_payload(_assert_decodes_or_refuses(lambda prefixed=prefixed: decode(prefixed)))


def _reference_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_reference_depth(child) for child in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_reference_depth(child) for child in value), default=0)
    return 0


@FUZZ
@given(JSON_VALUES, st.integers(min_value=1, max_value=8))
def test_depth_limit_matches_a_reference_count(value: Any, max_depth: int) -> None:
    text = json.dumps(value)
    for padding in ("", " " * (40 * len(text))):
        result = _assert_decodes_or_refuses(
            lambda padding=padding: parse_json(text + padding, Limits(max_depth=max_depth))
        )
        if _reference_depth(value) > max_depth:
            assert isinstance(result, PayloadError)
            assert result.code == "json-too-deep"
        else:
            assert result == json.loads(text)
