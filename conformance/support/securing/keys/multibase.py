"""Multibase text (base58btc `z`, base64url `u`) and multicodec varint prefixes, decoded strictly.

Base58 is implemented here rather than taken from the `base58` package: that package strips trailing
whitespace before decoding (so a padded key would be accepted) and converts with a per-digit loop.
Validating the alphabet first and converting with Python's big integers is a dozen lines and leaves
every refusal under our own reason codes.
"""

from __future__ import annotations

import base64
import binascii
import re

from .errors import KeysError, describe

__all__ = [
    "MAX_MULTIBASE_CHARS",
    "base58btc_decode",
    "base58btc_encode",
    "base64url_decode",
    "base64url_encode",
    "decode_multibase",
    "encode_multibase",
    "encode_varint",
    "read_varint",
    "split_multicodec",
]

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_VALUE = {c: i for i, c in enumerate(_B58_ALPHABET)}
_NOT_B58 = re.compile(f"[^{_B58_ALPHABET}]")
_NOT_B64URL = re.compile(r"[^A-Za-z0-9_-]")

# Keys, signatures and selective-disclosure proof values all fit well inside this; the cap keeps the
# quadratic big-integer conversion of base58 to milliseconds on hostile input.
MAX_MULTIBASE_CHARS = 16_384

# Multicodec codes fit in 63 bits; nine varint bytes carry that many.
_MAX_VARINT_BYTES = 9


def base58btc_encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_B58_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str, *, what: str = "the value") -> bytes:
    """Bytes from base58btc text (no multibase header). Raises KeysError bad-multibase."""
    if not isinstance(text, str):
        raise KeysError("bad-multibase", f"{what} is expected to be a string; found {type(text).__name__}")
    if len(text) > MAX_MULTIBASE_CHARS:
        raise KeysError(
            "bad-multibase",
            f"{what} has {len(text):,} characters; at most {MAX_MULTIBASE_CHARS:,} are accepted",
        )
    bad = _NOT_B58.search(text)
    if bad:
        raise KeysError(
            "bad-multibase",
            f"{what} is expected to be base58btc; character {bad.start():,} is {describe(bad.group())}, "
            "which is not in the base58btc alphabet",
        )
    zeros = len(text) - len(text.lstrip("1"))
    number = 0
    for char in text[zeros:]:
        number = number * 58 + _B58_VALUE[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def base64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def base64url_decode(text: str, *, what: str = "the value", code: str = "bad-multibase") -> bytes:
    """Bytes from unpadded base64url text in its one canonical spelling.

    Padding, characters of the standard alphabet and non-zero leftover bits are refused, so each byte
    string has exactly one accepted text (a signature or key cannot be re-spelled unnoticed).
    """
    if not isinstance(text, str):
        raise KeysError(code, f"{what} is expected to be a base64url string; found {type(text).__name__}")
    if len(text) > MAX_MULTIBASE_CHARS:
        raise KeysError(
            code, f"{what} has {len(text):,} characters; at most {MAX_MULTIBASE_CHARS:,} are accepted"
        )
    bad = _NOT_B64URL.search(text)
    if bad:
        raise KeysError(
            code,
            f"{what} is expected to be unpadded base64url; character {bad.start():,} is {describe(bad.group())}",
        )
    if len(text) % 4 == 1:
        raise KeysError(
            code, f"{what} has {len(text):,} base64url characters, a length no byte string encodes to"
        )
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # unreachable after the checks above; kept typed regardless
        raise KeysError(code, f"{what} is not valid base64url: {exc}") from None
    if base64url_encode(data) != text:
        raise KeysError(
            code, f"{what} is not canonical base64url: its last character carries non-zero unused bits"
        )
    return data


def encode_multibase(data: bytes, base: str = "z") -> str:
    if base == "z":
        return "z" + base58btc_encode(data)
    if base == "u":
        return "u" + base64url_encode(data)
    raise ValueError(f"multibase header {base!r} is not supported; use 'z' or 'u'")


def decode_multibase(text: object, *, allowed: str = "zu", what: str = "the multibase value") -> bytes:
    """Bytes from multibase text whose header is one of `allowed` ('z' base58btc, 'u' base64url).

    Raises KeysError bad-multibase for a non-string, an empty value, a header outside `allowed`, or a
    body that is not valid in its base.
    """
    if not isinstance(text, str):
        raise KeysError(
            "bad-multibase", f"{what} is expected to be a multibase string; found {type(text).__name__}"
        )
    if not text:
        raise KeysError("bad-multibase", f"{what} is empty; a multibase header and data are expected")
    header, body = text[0], text[1:]
    if header not in allowed:
        names = " or ".join(f"'{h}' ({'base58btc' if h == 'z' else 'base64url'})" for h in allowed)
        raise KeysError(
            "bad-multibase",
            f"{what} starts with {describe(header)}; the multibase header {names} is expected",
        )
    if not body:
        raise KeysError("bad-multibase", f"{what} has a multibase header but no data")
    if header == "z":
        return base58btc_decode(body, what=what)
    return base64url_decode(body, what=what)


def encode_varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("a varint encodes a non-negative integer")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data: bytes, *, what: str = "the multicodec prefix") -> tuple[int, int]:
    """The unsigned varint at the start of `data` and the number of bytes it takes.

    Raises KeysError bad-multicodec when it is truncated, longer than nine bytes, or not minimally
    encoded (a trailing zero group would give one code two spellings).
    """
    value = 0
    for index, byte in enumerate(data[:_MAX_VARINT_BYTES]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if byte == 0 and index > 0:
                raise KeysError(
                    "bad-multicodec", f"{what} is not minimally encoded (its last varint byte is zero)"
                )
            return value, index + 1
    if len(data) >= _MAX_VARINT_BYTES:
        raise KeysError("bad-multicodec", f"{what} is longer than {_MAX_VARINT_BYTES} bytes")
    raise KeysError("bad-multicodec", f"{what} is truncated: {len(data)} byte(s) all announce another byte")


def split_multicodec(data: bytes, *, what: str = "the multicodec value") -> tuple[int, bytes]:
    """The codec code and the bytes after it."""
    code, used = read_varint(data, what=f"the prefix of {what}")
    return code, data[used:]
