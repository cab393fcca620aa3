from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from conformance.support.formats import (
    PAYLOAD_ERROR_CODES,
    Limits,
    PayloadError,
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
    PNG_SIGNATURE,
    baked_png,
    baked_svg_json,
    baked_svg_jws,
    build_png,
    build_svg,
    credential_bytes,
    itxt_chunk,
    make_jws,
    nested_json,
    png_chunk,
)

JWT = make_jws({"alg": "ES256", "typ": "JWT"}, {**CREDENTIAL, "iss": CREDENTIAL["issuer"]["id"]})
VC11_JWT = make_jws({"alg": "ES256", "typ": "JWT"}, {"vc": CREDENTIAL, "iss": "did:example:issuer", "jti": "urn:x"})


@pytest.mark.parametrize(
    ("raw", "media"),
    [
        (credential_bytes(), "json"),
        (b"\xef\xbb\xbf \n{}", "json"),
        (b"[1]", "json"),
        (JWT.encode(), "jwt"),
        (f"\n{JWT}\r\n".encode(), "jwt"),
        (b"abc.def.", "jwt"),
        (baked_png("{}"), "png"),
        (PNG_SIGNATURE, "png"),
        (baked_svg_json(), "svg"),
        (b'<?xml version="1.0"?><svg/>', "svg"),
        (b"<!-- made by hand --><svg/>", "svg"),
        (b"<!DOCTYPE svg PUBLIC 'x' 'y'><svg/>", "svg"),
        (b"  <svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>", "svg"),
        (b"<svg\n/>", "svg"),
        ("<svg/>".encode("utf-16"), "svg"),
        ('{"a":1}'.encode("utf-16"), "json"),
        (b"", None),
        (b"   ", None),
        (b"<html><body/></html>", None),
        (b"<!DOCTYPE html><html/>", None),
        (b"<svgfoo/>", None),
        (b"GIF89a", None),
        (b"abc.def", None),
        (b"abc.def.ghi.jkl", None),
        (b"a=b.c.d", None),
        (b"hello world", None),
        ("\ufeff\ufeff".encode("utf-16-le"), None),
    ],
)
def test_sniff(raw: bytes, media: str | None) -> None:
    assert sniff(raw) == media


def test_decode_json() -> None:
    payload = decode(credential_bytes())
    assert payload.media == "json"
    assert payload.document == CREDENTIAL
    assert payload.jwt is None
    assert payload.baking is None
    assert payload.bom is False


def test_decode_json_with_bom_is_tolerated_and_recorded() -> None:
    payload = decode(b"\xef\xbb\xbf" + credential_bytes())
    assert payload.bom is True
    assert payload.document == CREDENTIAL


def test_decode_jwt_claims_form() -> None:
    payload = decode(f"{JWT}\n".encode())
    assert payload.media == "jwt"
    assert payload.jwt is not None
    assert payload.jwt.style == "jwt-claims"
    assert payload.document["id"] == CREDENTIAL["id"]
    assert payload.jwt.jws.compact == JWT


def test_decode_vc11_jwt() -> None:
    payload = decode(VC11_JWT.encode())
    assert payload.jwt is not None
    assert payload.jwt.style == "vc-jwt-1.1"
    assert payload.document["issuer"] == {**CREDENTIAL["issuer"], "id": "did:example:issuer"}
    assert payload.document["id"] == "urn:x"


def test_decode_jwt_with_bom() -> None:
    payload = decode(b"\xef\xbb\xbf" + JWT.encode())
    assert payload.bom is True
    assert payload.media == "jwt"


def test_decode_vc_jose() -> None:
    payload = decode(make_jws({"alg": "ES256", "typ": "vc+jwt"}, CREDENTIAL).encode())
    assert payload.jwt is not None
    assert payload.jwt.style == "vc-jose"
    assert payload.document == CREDENTIAL


def test_decode_png_with_json() -> None:
    payload = decode(baked_png(credential_bytes().decode()))
    assert payload.media == "png"
    assert payload.document == CREDENTIAL
    assert payload.jwt is None
    assert payload.baking is not None
    assert payload.baking.embedded_form == "json"


def test_decode_png_with_jwt() -> None:
    payload = decode(baked_png(VC11_JWT))
    assert payload.media == "png"
    assert payload.jwt is not None
    assert payload.jwt.style == "vc-jwt-1.1"
    assert payload.document["id"] == "urn:x"
    assert payload.baking is not None
    assert payload.baking.embedded_form == "jws"


def test_decode_png_with_bom_json() -> None:
    payload = decode(baked_png("\ufeff" + credential_bytes().decode()))
    assert payload.bom is True
    assert payload.document == CREDENTIAL


def test_decode_svg_with_json() -> None:
    payload = decode(baked_svg_json())
    assert payload.media == "svg"
    assert payload.document == CREDENTIAL
    assert payload.baking is not None
    assert payload.baking.svg is not None
    assert payload.baking.svg.first_child_of_root is True


def test_decode_svg_with_jwt() -> None:
    payload = decode(baked_svg_jws(JWT))
    assert payload.media == "svg"
    assert payload.jwt is not None
    assert payload.document["id"] == CREDENTIAL["id"]


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (baked_png("{not json"), "json-syntax", "in the credential of the iTXt chunk at offset 33: "),
        (baked_png("[1, 2]"), "json-not-object", "the embedded JSON value is an array"),
        (baked_png("a.b"), "jws-malformed", "in the credential of the iTXt chunk"),
        (baked_png("[" * 3000), "json-too-deep", "iTXt"),
        (
            build_svg("<openbadges:credential>{,}</openbadges:credential>"),
            "json-syntax",
            "in the text of the openbadges",
        ),
        (build_svg('<openbadges:credential verify="x.y"/>'), "jws-malformed", "in the verify attribute"),
    ],
)
def test_decode_embedded_errors_say_where(raw: bytes, code: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode(raw)
    assert caught.value.code == code
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("raw", "name", "code"),
    [
        (b"hello", "badge.png", "png-malformed"),
        (b"hello", "badge.svg", "svg-malformed"),
        (b"hello", "credential.jwt", "jws-malformed"),
        (b"hello", "credential.JWS", "jws-malformed"),
        (b"hello", "credential.json", "json-syntax"),
        (b"hello", "credential.jsonld", "json-syntax"),
        (b"hello", "credential.txt", "unknown-format"),
        (b"hello", "noextension", "unknown-format"),
        (b"hello", None, "unknown-format"),
    ],
)
def test_decode_name_hint_applies_only_when_content_is_unknown(raw: bytes, name: str | None, code: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode(raw, name=name)
    assert caught.value.code == code


@pytest.mark.parametrize("name", ["badge.png", "badge.svg", "x.jwt", "x.json", None])
def test_decode_content_beats_the_name(name: str | None) -> None:
    assert decode(credential_bytes(), name=name).media == "json"
    assert decode(baked_png("{}"), name=name).media == "png"


def test_decode_50_mb_is_too_large() -> None:
    blob = PNG_SIGNATURE + b"\0" * (50 * 1024 * 1024)
    with pytest.raises(PayloadError) as caught:
        decode(blob)
    assert caught.value.code == "too-large"
    assert "the limit is 16,777,216 bytes" in caught.value.message


def test_decode_unknown_format_names_the_first_bytes() -> None:
    with pytest.raises(PayloadError) as caught:
        decode(b"GIF89a\x01\x00")
    assert caught.value.code == "unknown-format"
    assert "47 49 46 38 39 61" in caught.value.message


def test_decode_accepts_str() -> None:
    assert decode(credential_bytes().decode()).document == CREDENTIAL


# Each code: a call that raises it, and a near miss of the same call that does not.
CODE_CASES: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "too-large": (
        lambda: decode(credential_bytes(), Limits(max_bytes=100)),
        lambda: decode(credential_bytes(), Limits(max_bytes=len(credential_bytes()))),
    ),
    "not-utf8": (lambda: decode(b'{"a": "\xe9"}'), lambda: decode('{"a": "\u00e9"}'.encode())),
    "json-syntax": (lambda: decode(b'{"a": 1,}'), lambda: decode(b'{"a": 1}')),
    "json-too-deep": (
        lambda: decode(b'{"a":' + nested_json(64) + b"}"),
        lambda: decode(b'{"a":' + nested_json(63) + b"}"),
    ),
    "json-not-object": (lambda: decode(b"[{}]"), lambda: decode(b"{}")),
    "jws-malformed": (lambda: decode_compact_jws(JWT + "="), lambda: decode_compact_jws(JWT)),
    "png-malformed": (lambda: extract_png(baked_png("{}")[:-1]), lambda: extract_png(baked_png("{}"))),
    "png-no-credential": (
        lambda: extract_png(build_png(itxt_chunk("openbadgecredentials", "{}"))),
        lambda: extract_png(build_png(itxt_chunk("openbadgecredential", "{}"))),
    ),
    "svg-malformed": (
        lambda: extract_svg(baked_svg_json().replace(b"</svg>", b"")),
        lambda: extract_svg(baked_svg_json()),
    ),
    "svg-entity-refused": (
        lambda: extract_svg(b'<!DOCTYPE svg [<!ENTITY n "1">]>' + baked_svg_json()),
        lambda: extract_svg(b'<!DOCTYPE svg [<!ATTLIST svg class CDATA "b">]>' + baked_svg_json()),
    ),
    "svg-no-credential": (
        lambda: extract_svg(build_svg("<openbadges:credentials>{}</openbadges:credentials>")),
        lambda: extract_svg(build_svg("<openbadges:credential>{}</openbadges:credential>")),
    ),
    "data-url-malformed": (lambda: parse_data_url("data:;base64,e30*"), lambda: parse_data_url("data:;base64,e30=")),
    "unknown-format": (lambda: decode(b"\x00{}"), lambda: decode(b" {}")),
    "cose-malformed": (lambda: decode(b"\xd2\x84\x40\xa0\x40"), lambda: decode(b"\xd2\x84\x40\xa0\x40\x40")),
}


def test_every_code_has_a_case() -> None:
    assert set(CODE_CASES) == PAYLOAD_ERROR_CODES


@pytest.mark.parametrize("code", sorted(CODE_CASES))
def test_code_positive_and_negative(code: str) -> None:
    raising, passing = CODE_CASES[code]
    with pytest.raises(PayloadError) as caught:
        raising()
    assert caught.value.code == code
    assert caught.value.message
    passing_result = passing()
    assert passing_result is not None


def test_payload_error_shape() -> None:
    error = PayloadError("json-syntax", "the text is empty")
    assert (error.code, error.message, str(error)) == ("json-syntax", "the text is empty", "the text is empty")
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.code, restored.message) == (error.code, error.message)
    assert "json-syntax" in repr(error)


def test_payload_error_codes_raised_here_are_the_documented_ones() -> None:
    # Callers may wrap their own failures in PayloadError; this layer itself sticks to the set.
    assert PayloadError("unreadable", "x").code == "unreadable"
    assert "unreadable" not in PAYLOAD_ERROR_CODES
    assert len(PAYLOAD_ERROR_CODES) == 14


def test_limits_defaults_and_validation() -> None:
    assert Limits() == Limits(max_bytes=16 * 1024 * 1024, max_depth=64, max_jws_bytes=4 * 1024 * 1024)
    with pytest.raises(ValueError):
        Limits(max_depth=-1)
    with pytest.raises(TypeError):
        Limits(max_bytes="1")  # type: ignore[arg-type]


def test_parse_json_and_decode_agree_on_depth_code() -> None:
    deep = nested_json(10_000, "{")
    codes = set()
    for call in (lambda: parse_json(deep), lambda: decode(deep)):
        with pytest.raises(PayloadError) as caught:
            call()
        codes.add(caught.value.code)
    assert codes == {"json-too-deep"}


def test_decode_png_chunk_walk_survives_unknown_chunks() -> None:
    raw = build_png(png_chunk(b"prVt", b"\x00" * 50), itxt_chunk("openbadgecredential", "{}"))
    payload = decode(raw)
    assert payload.baking is not None
    assert [chunk.type for chunk in payload.baking.png_chunks][1] == "prVt"
