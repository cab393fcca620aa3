from __future__ import annotations

import base64

import pytest

from conformance.support.formats import Limits, PayloadError, parse_data_url
from tests.support.formats.builders import baked_png, credential_bytes

PNG = baked_png("{}")


@pytest.mark.parametrize(
    ("url", "media_type", "data"),
    [
        ("data:image/png;base64," + base64.b64encode(PNG).decode(), "image/png", PNG),
        ("data:,Hello%2C%20World%21", "text/plain;charset=US-ASCII", b"Hello, World!"),
        ("data:;charset=utf-8,caf%C3%A9", "text/plain;charset=utf-8", "caf\u00e9".encode()),
        ("DATA:Application/JSON,%7B%7D", "application/json", b"{}"),
        ("data:application/ld+json;charset=utf-8;base64,e30=", "application/ld+json;charset=utf-8", b"{}"),
        ("data:text/plain;BASE64,aGk", "text/plain", b"hi"),
        ("data:text/plain;base64,aG k=\n", "text/plain", b"hi"),
        ("data:text/plain;base64,aGk%3D", "text/plain", b"hi"),
        ("  data:,x  ", "text/plain;charset=US-ASCII", b"x"),
        ("data:,", "text/plain;charset=US-ASCII", b""),
        ("data:text/plain,a,b", "text/plain", b"a,b"),
        ('data:text/plain;name="a b",x', 'text/plain;name="a b"', b"x"),
        ("data:,caf\u00e9", "text/plain;charset=US-ASCII", "caf\u00e9".encode()),
        (b"data:,bytes", "text/plain;charset=US-ASCII", b"bytes"),
        (
            "data:application/json;base64," + base64.b64encode(credential_bytes()).decode(),
            "application/json",
            credential_bytes(),
        ),
    ],
)
def test_parse_data_url_accepts(url: str | bytes, media_type: str, data: bytes) -> None:
    assert parse_data_url(url) == (media_type, data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "starts with 'data:'"),
        ("https://example.org/x.png", "starts with 'data:'"),
        ("data:text/plain", "no ','"),
        ("data:text,hi", "type/subtype"),
        ("data:te xt/plain,hi", "type/subtype"),
        ("data:text/plain;charset,hi", "name=value"),
        ("data:,100%", "'%' not followed"),
        ("data:,%zz", "'%' not followed"),
        ("data:;base64,a", "4n+1"),
        ("data:;base64,a*bc", "'*'"),
        ("data:;base64,aGk=a", "wrong place"),
        ("data:;base64,aGk===", "wrong place"),
        ("data:;base64,a===", "wrong place"),
        ("data:;base64,aGk_", "'_'"),
        ("data:,\ud800", "lone surrogate"),
        ("data:;base64,\u00e9", "base64 alphabet"),
        (b"data:,\xff", "not ASCII"),
    ],
)
def test_parse_data_url_rejects(url: str | bytes, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_data_url(url)  # type: ignore[arg-type]
    assert caught.value.code == "data-url-malformed"
    assert fragment in caught.value.message


def test_parse_data_url_limits_the_decoded_data() -> None:
    url = "data:;base64," + base64.b64encode(b"x" * 1000).decode()
    assert len(parse_data_url(url, Limits(max_bytes=1000))[1]) == 1000
    with pytest.raises(PayloadError) as caught:
        parse_data_url(url, Limits(max_bytes=999))
    assert caught.value.code == "too-large"


def test_parse_data_url_refuses_a_huge_url_before_decoding() -> None:
    url = "data:," + "%" * (50 * 1024 * 1024)
    with pytest.raises(PayloadError) as caught:
        parse_data_url(url)
    assert caught.value.code == "too-large"


def test_parse_data_url_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        parse_data_url(42)  # type: ignore[arg-type]
