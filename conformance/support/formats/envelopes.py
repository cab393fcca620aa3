"""Enveloping formats the suite recognizes without opening: SD-JWT and COSE_Sign1.

VC-JOSE-COSE secures a credential as a compact JWS (read by jws.py), as an SD-JWT or as a COSE_Sign1 structure.
For the last two this module records what the bytes are and how they are built, so a check can say "an SD-JWT, whose
securing the suite does not verify" instead of "not a credential format". Nothing here verifies a signature,
evaluates a disclosure or reads the secured payload as a document: the credential inside stays unjudged.

The CBOR reader is bounded (nesting depth, item count, lengths checked against the bytes left) and only walks the
four members of COSE_Sign1; it decodes the protected header, a small map, to record its typ and content type.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Limits, PayloadError
from .jws import Jws, decode_compact_jws

__all__ = ["CoseSign1", "Envelope", "SdJwt", "read_cose_sign1", "read_sd_jwt", "sniff_cose", "sniff_sd_jwt"]

# issuer-signed JWT ~ disclosures ~ ... ~ optional key binding JWT (SD-JWT section 4): the text ends with "~" unless a
# key binding JWT closes it.
_B64URL = r"[A-Za-z0-9_-]"
_SD_JWT = re.compile(
    rb"(%s+\.%s+\.%s*)~((?:%s+~)*)(%s+\.%s+\.%s*)?[ \t\r\n]*" % ((_B64URL.encode(),) * 7)
)
_COSE_SIGN1_TAG = 0xD2          # CBOR tag 18 (COSE_Sign1) in one byte
_ARRAY_OF_FOUR = 0x84
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/_-]+={0,2}[ \t\r\n]*")
# COSE header labels (RFC 9052 section 3.1, RFC 9596)
_CONTENT_TYPE, _TYP = 3, 16


@dataclass(frozen=True, slots=True)
class SdJwt:
    """An SD-JWT as sent: the issuer-signed JWT (decoded, not verified), its disclosures (as base64url text, not
    evaluated) and the holder's key binding JWT when there is one."""

    issuer_jwt: Jws
    disclosures: tuple[str, ...]
    key_binding: str | None = None


@dataclass(frozen=True, slots=True)
class CoseSign1:
    """A COSE_Sign1 structure (RFC 9052 section 4.2): sizes and the protected header's typ and content type."""

    tagged: bool                     # CBOR tag 18 precedes the array
    base64: bool                     # the input was base64 text of the CBOR bytes
    protected: Mapping[Any, Any] = field(default_factory=dict)
    payload_size: int | None = None  # None: a detached payload (nil)
    signature_size: int = 0

    @property
    def typ(self) -> Any:
        return self.protected.get(_TYP)

    @property
    def content_type(self) -> Any:
        return self.protected.get(_CONTENT_TYPE)


Envelope = SdJwt | CoseSign1


def sniff_sd_jwt(data: bytes, start: int = 0) -> bool:
    return _SD_JWT.fullmatch(data, start) is not None


def read_sd_jwt(text: bytes, limits: Limits = Limits()) -> SdJwt:
    """Split an SD-JWT and decode its issuer-signed JWT. Raises PayloadError jws-malformed (or a limit code) when
    that JWT is not a compact JWS with JSON header and payload."""
    matched = _SD_JWT.fullmatch(text)
    if matched is None:
        raise PayloadError("unknown-format", "the text is not an SD-JWT (a JWT, then ~-separated disclosures)")
    try:
        issuer = decode_compact_jws(matched[1].decode("ascii"), limits)
    except PayloadError as exc:
        raise PayloadError(exc.code, f"in the issuer-signed JWT of the SD-JWT, {exc.message}") from None
    disclosures = tuple(part.decode("ascii") for part in matched[2].split(b"~") if part)
    key_binding = matched[3].decode("ascii") if matched[3] else None
    return SdJwt(issuer, disclosures, key_binding)


def sniff_cose(data: bytes) -> bool:
    """COSE_Sign1 bytes (tagged, or an array of four starting with a byte string), or base64 text of tagged ones."""
    if data[:2] == bytes((_COSE_SIGN1_TAG, _ARRAY_OF_FOUR)):
        return True
    if data[:1] == bytes((_ARRAY_OF_FOUR,)) and len(data) > 1 and 0x40 <= data[1] <= 0x5B:
        return True
    # base64 of 0xd2 0x84 begins "0oR" in both alphabets; anything else is not worth decoding
    return data[:3] == b"0oR" and _BASE64_TEXT.fullmatch(data) is not None


def read_cose_sign1(data: bytes, limits: Limits = Limits()) -> CoseSign1:
    """The structure of COSE_Sign1 bytes (or of base64 text of them). Raises PayloadError when the bytes do not hold
    exactly one well-formed COSE_Sign1: cose-malformed when they carry CBOR tag 18, which announces a COSE_Sign1 (the
    input claims the format and breaks it), unknown-format otherwise (the suite does not recognize them at all)."""
    encoded = False
    if data[:3] == b"0oR":
        data = _base64(data)
        encoded = True
    reader = _Reader(data, limits)
    tagged = data[:1] == bytes((_COSE_SIGN1_TAG,))
    try:
        if tagged:
            reader.position = 1
        major, count = reader.head()
        if (major, count) != (4, 4):
            raise _Malformed("a COSE_Sign1 is an array of four items")
        protected_bytes = reader.byte_string()
        unprotected = reader.item(0)
        if not isinstance(unprotected, dict):
            raise _Malformed("the unprotected header is not a map")
        payload = reader.byte_string(nil=True)
        signature = reader.byte_string()
        if reader.position != len(data):
            raise _Malformed(f"{len(data) - reader.position:,} bytes follow the structure")
        protected = _Reader(protected_bytes, limits).whole() if protected_bytes else {}
        if not isinstance(protected, dict):
            raise _Malformed("the protected header is not a map")
    except _Malformed as exc:
        if tagged:
            raise PayloadError("cose-malformed", f"the bytes carry the COSE_Sign1 tag (18) but are not a COSE_Sign1: "
                                                 f"{exc}") from None
        raise PayloadError("unknown-format", f"the bytes begin like COSE_Sign1 but are not one: {exc}") from None
    return CoseSign1(tagged, encoded, protected, None if payload is None else len(payload), len(signature))


def _base64(text: bytes) -> bytes:
    compact = re.sub(rb"[ \t\r\n]+", b"", text).rstrip(b"=")
    try:
        return base64.b64decode(compact.replace(b"-", b"+").replace(b"_", b"/") + b"=" * (-len(compact) % 4),
                                validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("unknown-format", f"the text begins like base64 COSE_Sign1 but does not decode: {exc}") \
            from None


class _Malformed(Exception):
    pass


class _Reader:
    """Just enough CBOR (RFC 8949) to walk COSE_Sign1: every major type, definite and indefinite lengths, bounded."""

    _MAX_DEPTH = 16

    def __init__(self, data: bytes, limits: Limits):
        self.data = data
        self.position = 0
        self.items_left = limits.max_containers
        self.width = 0

    def whole(self) -> Any:
        value = self.item(0)
        if self.position != len(self.data):
            raise _Malformed("bytes follow the protected header map")
        return value

    def _take(self, size: int) -> bytes:
        if size > len(self.data) - self.position:
            raise _Malformed(f"an item claims {size:,} byte{'s' if size != 1 else ''}, more than remain")
        chunk = self.data[self.position:self.position + size]
        self.position += size
        return chunk

    def head(self) -> tuple[int, int | None]:
        """(major type, argument); the argument is None for an indefinite length. For a float (major 7, additional
        information 25 to 27) the argument holds its bits; `self.width` says how many bytes they took."""
        (initial,) = self._take(1)
        major, info = initial >> 5, initial & 0x1F
        self.width = 0
        if info < 24:
            return major, info
        if info in (24, 25, 26, 27):
            self.width = 1 << (info - 24)
            return major, int.from_bytes(self._take(self.width), "big")
        if info == 31 and major in (2, 3, 4, 5):
            return major, None
        raise _Malformed(f"additional information {info} is not allowed in this item head")

    def byte_string(self, *, nil: bool = False) -> bytes | None:
        start = self.position
        major, argument = self.head()
        if nil and (major, argument) == (7, 22):
            return None
        if major != 2:
            self.position = start
            raise _Malformed("a byte string is expected")
        return self._string(argument, 2)

    def _string(self, length: int | None, major: int) -> bytes:
        if length is not None:
            return self._take(length)
        chunks = []
        while self.data[self.position:self.position + 1] != b"\xff":
            inner_major, inner_length = self.head()
            if inner_major != major or inner_length is None:
                raise _Malformed("an indefinite string holds a chunk of another kind")
            chunks.append(self._take(inner_length))
        self.position += 1
        return b"".join(chunks)

    def item(self, depth: int) -> Any:
        if depth > self._MAX_DEPTH:
            raise _Malformed(f"items nest deeper than {self._MAX_DEPTH}")
        self.items_left -= 1
        if self.items_left < 0:
            raise _Malformed("too many items")
        major, argument = self.head()
        if major == 0:
            return argument
        if major == 1:
            return -1 - (argument or 0)
        if major in (2, 3):
            raw = self._string(argument, major)
            if major == 2:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Malformed("a text string is not UTF-8") from None
        if major == 4:
            return self._sequence(argument, depth)
        if major == 5:
            pairs = self._sequence(None if argument is None else argument * 2, depth)
            if len(pairs) % 2:
                raise _Malformed("a map has a key without a value")
            return {(key if isinstance(key, int | str | bytes) else repr(key)): value
                    for key, value in zip(pairs[::2], pairs[1::2], strict=True)}
        if major == 6:
            return self.item(depth + 1)           # a tag: the value it tags
        return self._simple(argument)

    def _sequence(self, count: int | None, depth: int) -> list[Any]:
        values: list[Any] = []
        if count is not None:
            if count > self.items_left:
                raise _Malformed("too many items")
            for _ in range(count):
                values.append(self.item(depth + 1))
            return values
        while self.data[self.position:self.position + 1] != b"\xff":
            if self.position >= len(self.data):
                raise _Malformed("an indefinite array or map has no end")
            values.append(self.item(depth + 1))
        self.position += 1
        return values

    def _simple(self, argument: int | None) -> Any:
        if self.width in (2, 4, 8) and argument is not None:
            return struct.unpack({2: ">e", 4: ">f", 8: ">d"}[self.width], argument.to_bytes(self.width, "big"))[0]
        return {20: False, 21: True, 22: None, 23: None}.get(argument or 0, argument)
