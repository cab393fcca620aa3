"""From untrusted bytes to the credential or presentation they carry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .baking import Baking
from .envelopes import Envelope, read_cose_sign1, read_sd_jwt, sniff_cose, sniff_sd_jwt
from .errors import Limits, PayloadError, as_bytes, too_large
from .json_text import UTF8_BOM, duplicate_keys, parse_json
from .jws import JwtCredential, credential_from_jws, decode_compact_jws, describe_json_type
from .png import PNG_SIGNATURE, extract_png
from .svg import extract_svg

__all__ = ["Media", "Payload", "decode", "sniff"]

# sd-jwt and cose are recognized, not opened: their payload carries no document for the checks (see envelopes.py)
Media = Literal["json", "jwt", "png", "svg", "sd-jwt", "cose"]

_LEADING_TEXT_NOISE = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")
_JWS_SHAPE = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*[ \t\r\n]*")
# An <svg> root (possibly prefixed), an XML declaration or processing instruction, a comment, or
# a DOCTYPE naming svg: all can open an SVG file. Other markup (an HTML page) is not sniffed as SVG.
_SVG_START = re.compile(
    rb"<(?:\?|!--|!DOCTYPE[ \t\r\n]+(?:[A-Za-z_][\w.-]*:)?svg\b|(?:[A-Za-z_][\w.-]*:)?svg[ \t\r\n/>])"
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_EXTENSION_HINTS: dict[str, Media] = {
    "json": "json",
    "jsonld": "json",
    "jwt": "jwt",
    "jws": "jwt",
    "png": "png",
    "svg": "svg",
}


@dataclass(frozen=True, slots=True)
class Payload:
    media: Media
    document: Mapping[str, Any]
    jwt: JwtCredential | None
    baking: Baking | None
    # Recorded for any text form that carried one: a JSON file, a JWT file, or the JSON text
    # embedded in a baked image.
    bom: bool = False
    # The SD-JWT or COSE_Sign1 structure of an sd-jwt or cose payload, whose document is empty: the suite does not
    # open these envelopes, so no data-model rule judges a document it has not read.
    envelope: Envelope | None = None
    # JSON Pointers of the members whose name repeats an earlier one in the same object (the document keeps the last):
    # a fact of the JSON text, which other parsers may read differently. Found in a JSON file and in the JSON text
    # baked in an image; a JWT's claims are not searched.
    duplicate_keys: tuple[str, ...] = ()


def sniff(raw: bytes) -> Media | None:
    """Guess the container from the content alone; None when it looks like none of them."""
    data = as_bytes(raw)
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if sniff_cose(data):                # binary CBOR, or base64 text of it
        return "cose"
    if data[:2] in _UTF16_BOMS:
        return _sniff_utf16(data)
    start = _LEADING_TEXT_NOISE.match(data).end()  # type: ignore[union-attr]  # the pattern matches empty text
    first = data[start : start + 1]
    # A top-level array is not a document either, but sniffing it as JSON gets a precise
    # "not an object" error instead of "unknown format".
    if first == b"{" or first == b"[":
        return "json"
    if first == b"<":
        return "svg" if _SVG_START.match(data, start) else None
    if _JWS_SHAPE.fullmatch(data, start):
        return "jwt"
    if sniff_sd_jwt(data, start):
        return "sd-jwt"
    return None


def _sniff_utf16(data: bytes) -> Media | None:
    # UTF-16 is legal for XML but not for JSON; still, calling a UTF-16 JSON file "json" lets the
    # decoder say exactly what is wrong with it.
    codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
    head = data[2:514].decode(codec, "ignore").lstrip(" \t\r\n")
    if head.startswith("<"):
        return "svg"
    if head.startswith(("{", "[")):
        return "json"
    return None


def decode(raw: bytes, limits: Limits = Limits(), *, name: str | None = None) -> Payload:
    """Decode untrusted bytes into the document they carry, keeping every container detail.

    The size check comes first, then the content decides the format; the extension of `name`
    (.json, .jsonld, .jwt, .jws, .png, .svg) is used only when the content matches nothing, so that
    a damaged file gets the error of the format it claims to be. Raises PayloadError only.
    """
    data = as_bytes(raw)
    if len(data) > limits.max_bytes:
        raise too_large(len(data), limits.max_bytes)
    media = sniff(data) or _hint_from_name(name)
    if media is None:
        raise PayloadError(
            "unknown-format",
            "the content is none of JSON, a compact JWS, an SD-JWT, COSE_Sign1, PNG or SVG; "
            f"it starts with the bytes {data[:12].hex(' ') or '(none: it is empty)'}",
        )
    try:
        if media == "json":
            document = _json_document(data, limits, "the top-level JSON value")
            return Payload("json", document, None, None, data.startswith(UTF8_BOM),
                           duplicate_keys=_pointers(duplicate_keys(data, document)))
        if media == "jwt":
            credential = _jwt_credential(_text(data), limits)
            return Payload("jwt", credential.document, credential, None, data.startswith(UTF8_BOM))
        if media == "sd-jwt":
            return Payload("sd-jwt", {}, None, None, data.startswith(UTF8_BOM), read_sd_jwt(_text(data), limits))
        if media == "cose":
            return Payload("cose", {}, None, None, envelope=read_cose_sign1(data.strip(b" \t\r\n"), limits))
        baking = extract_png(data, limits) if media == "png" else extract_svg(data, limits)
        return _from_baking(media, baking, limits)
    except MemoryError:
        raise PayloadError("too-large", "decoding needs more memory than is available") from None


def _text(data: bytes) -> bytes:
    return data.strip(b" \t\r\n").removeprefix(UTF8_BOM).strip(b" \t\r\n")


def _hint_from_name(name: str | None) -> Media | None:
    if not isinstance(name, str):
        return None
    _, dot, extension = name.rpartition(".")
    return _EXTENSION_HINTS.get(extension.lower()) if dot else None


def _json_document(text: bytes | str, limits: Limits, what: str) -> dict[str, Any]:
    value = parse_json(text, limits)
    if not isinstance(value, dict):
        raise PayloadError(
            "json-not-object",
            f"{what} is {describe_json_type(value)}; a credential or presentation is a JSON object",
        )
    return value


def _pointers(paths: list[list[str]]) -> tuple[str, ...]:
    return tuple("".join("/" + key.replace("~", "~0").replace("/", "~1") for key in path) for path in paths)


def _jwt_credential(text: bytes | str, limits: Limits) -> JwtCredential:
    # latin-1 maps every byte to one character, so a stray non-ASCII byte is reported by the
    # base64url check with its position instead of failing here.
    compact = text.decode("latin-1") if isinstance(text, bytes) else text
    return credential_from_jws(decode_compact_jws(compact, limits))


def _from_baking(media: Literal["png", "svg"], baking: Baking, limits: Limits) -> Payload:
    where = _embedding_place(baking)
    text = baking.credential_text
    try:
        if baking.embedded_form == "json":
            document = _json_document(text, limits, "the embedded JSON value")
            return Payload(media, document, None, baking, text.startswith("\ufeff"),
                           duplicate_keys=_pointers(duplicate_keys(text, document)))
        credential = _jwt_credential(text.strip(), limits)
    except PayloadError as exc:
        raise PayloadError(exc.code, f"{where}: {exc.message}") from None
    return Payload(media, credential.document, credential, baking)


def _embedding_place(baking: Baking) -> str:
    if baking.container == "png":
        for chunk in baking.png_chunks:
            if chunk.text is not None:
                return f"in the credential of the iTXt chunk at offset {chunk.offset:,}"
        return "in the credential of the PNG"
    if baking.svg is not None and (baking.svg.verify_attribute or "").strip():
        return "in the verify attribute of the openbadges:credential element"
    return "in the text of the openbadges:credential element"
