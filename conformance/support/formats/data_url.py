"""RFC 2397 data URLs, as found in image and credential fields."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import Limits, PayloadError, too_large

__all__ = ["parse_data_url"]

_DEFAULT_MEDIA_TYPE = "text/plain;charset=US-ASCII"
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})")
_PARAMETER = re.compile(rf"{_TOKEN}=(?:{_TOKEN}|\"[^\"]*\")")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
_ASCII_WHITESPACE = re.compile(rb"[ \t\n\f\r]+")
# Percent-encoding can triple a payload; anything longer than that cannot decode within the limit.
_ENCODING_OVERHEAD = 3
_ALLOWANCE = 4096


def parse_data_url(url: str, limits: Limits = Limits()) -> tuple[str, bytes]:
    """Split a data URL into its media type and decoded bytes.

    The media type keeps its parameters (without ";base64"), with type and subtype lower-cased;
    an omitted one becomes text/plain;charset=US-ASCII as RFC 2397 says. Base64 data may contain
    ASCII whitespace and may omit padding, as browsers accept. Raises PayloadError with code
    data-url-malformed or too-large.
    """
    if isinstance(url, (bytes, bytearray, memoryview)):
        try:
            url = bytes(url).decode("ascii")
        except UnicodeDecodeError as exc:
            raise PayloadError("data-url-malformed", f"byte {exc.start:,} of the data URL is not ASCII") from None
    elif not isinstance(url, str):
        raise TypeError(f"expected str, not {type(url).__name__}")
    if len(url) > limits.max_bytes * _ENCODING_OVERHEAD + _ALLOWANCE:
        raise too_large(len(url), limits.max_bytes * _ENCODING_OVERHEAD + _ALLOWANCE, "the data URL", "characters")

    text = url.strip(" \t\n\f\r")
    if text[:5].lower() != "data:":
        raise PayloadError("data-url-malformed", f"a data URL starts with 'data:'; found {text[:16]!r}")
    comma = text.find(",", 5)
    if comma < 0:
        raise PayloadError("data-url-malformed", "the data URL has no ',' between its media type and its data")

    media_type, is_base64 = _media_type(text[5:comma])
    encoded = text[comma + 1 :]
    bad = _BAD_PERCENT.search(encoded)
    if bad is not None:
        raise PayloadError(
            "data-url-malformed",
            f"character {comma + 1 + bad.start():,} of the data is a '%' not followed by two hex digits",
        )
    try:
        # Non-ASCII characters cannot appear in a URL; taking them as UTF-8 matches what a browser
        # does when it percent-encodes an IRI.
        data = _percent_decode(encoded.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise PayloadError(
            "data-url-malformed", f"character {comma + 1 + exc.start:,} of the data is a lone surrogate"
        ) from None
    if is_base64:
        data = _base64_decode(data)
    if len(data) > limits.max_bytes:
        raise too_large(len(data), limits.max_bytes, "the data in the data URL")
    return media_type, data


def _media_type(header: str) -> tuple[str, bool]:
    parts = header.split(";")
    is_base64 = len(parts) > 1 and parts[-1].strip().lower() == "base64"
    if is_base64:
        parts.pop()
    essence = parts[0].strip()
    parameters = [part.strip() for part in parts[1:]]
    for parameter in parameters:
        if _PARAMETER.fullmatch(parameter) is None:
            raise PayloadError("data-url-malformed", f"the media type parameter {parameter!r} is not name=value")
    if not essence:
        if not parameters:
            return _DEFAULT_MEDIA_TYPE, is_base64
        essence = "text/plain"
    else:
        matched = _MEDIA_TYPE.fullmatch(essence)
        if matched is None:
            raise PayloadError("data-url-malformed", f"the media type {essence!r} is not of the form type/subtype")
        essence = essence.lower()
    return ";".join([essence, *parameters]), is_base64


def _percent_decode(data: bytes) -> bytes:
    if b"%" not in data:
        return data
    # urllib's unquote loops in Python and takes over ten seconds on a 16 MB payload of escapes.
    # Rewriting each "%HH" as "\\xHH" (after doubling any backslash already there) lets the
    # unicode_escape codec do the work in C; _BAD_PERCENT has already guaranteed the hex digits,
    # and latin-1 maps every other byte back to itself.
    escaped = data.replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    return escaped.decode("unicode_escape").encode("latin-1")


def _base64_decode(data: bytes) -> bytes:
    compact = _ASCII_WHITESPACE.sub(b"", data)
    bad = _NOT_BASE64.search(compact)
    if bad is not None:
        raise PayloadError(
            "data-url-malformed",
            f"the base64 data holds {bad.group()!r}, outside the base64 alphabet",
        )
    body = compact.rstrip(b"=")
    padding = len(compact) - len(body)
    if b"=" in body or padding > 2:
        raise PayloadError("data-url-malformed", "the base64 data has '=' padding in the wrong place")
    if len(body) % 4 == 1:
        raise PayloadError(
            "data-url-malformed", f"the base64 data has {len(body):,} characters; no base64 encoding has 4n+1"
        )
    if padding and (len(body) + padding) % 4:
        raise PayloadError("data-url-malformed", "the base64 data has the wrong amount of '=' padding")
    try:
        return base64.b64decode(body + b"=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("data-url-malformed", f"the base64 data does not decode: {exc}") from None
