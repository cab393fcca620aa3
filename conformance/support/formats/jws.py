"""Compact JWS decoding and the reading of the credential a JWT carries.

Nothing here verifies a signature: the signing input and signature bytes are kept so that a later
check can, and every decoded claim stays on `Jws.payload` even when it is copied into a document.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .errors import Limits, PayloadError, too_large
from .json_text import parse_json

__all__ = ["Jws", "JwtCredential", "JwtStyle", "credential_from_jws", "decode_compact_jws"]

JwtStyle = Literal["vc-jwt-1.1", "vc-jose", "jwt-claims"]

_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")
_SEGMENT_NAMES = ("header", "payload", "signature")

# Media types that announce "the payload is the document itself" (VC-JOSE-COSE and its drafts).
# RFC 7515 lets typ/cty omit the "application/" prefix, so both spellings are compared bare.
_JOSE_TYPES = frozenset({"vc+jwt", "vp+jwt", "vc+ld+jwt", "vp+ld+jwt"})
_JOSE_CONTENT_TYPES = frozenset({"vc", "vp", "vc+ld+json", "vp+ld+json"})


@dataclass(frozen=True, slots=True)
class Jws:
    compact: str
    # Both mappings are freshly decoded dicts; treat them as read-only, other checks share them.
    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    signing_input: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class JwtCredential:
    jws: Jws
    style: JwtStyle
    document: Mapping[str, Any]
    mapped_claims: tuple[str, ...]


def decode_compact_jws(text: str, limits: Limits = Limits()) -> Jws:
    """Split and decode a compact JWS: three base64url segments without padding, the first two
    holding JSON objects. The text must be exact: surrounding whitespace is the caller's to strip.

    Raises PayloadError: too-large beyond `limits.max_jws_bytes`, jws-malformed for any structural
    fault, and json-too-deep when the header or payload nests too deeply.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        if len(text) > limits.max_jws_bytes:
            raise too_large(len(text), limits.max_jws_bytes, "the compact JWS")
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError as exc:
            raise PayloadError(
                "jws-malformed", f"byte {exc.start:,} of the compact JWS is not ASCII; base64url text is expected"
            ) from None
    elif not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    if len(text) > limits.max_jws_bytes:
        raise too_large(len(text), limits.max_jws_bytes, "the compact JWS", unit="characters")

    # Counting first keeps a text made of millions of dots from being split into a huge list.
    dots = text.count(".")
    if dots != 2:
        raise PayloadError(
            "jws-malformed",
            f"a compact JWS has three segments separated by two dots; found {dots + 1:,} segments",
        )
    segments = text.split(".")
    decoded: list[bytes] = []
    position = 0
    for name, segment in zip(_SEGMENT_NAMES, segments, strict=True):
        decoded.append(_decode_segment(name, segment, position))
        position += len(segment) + 1

    header = _json_object(decoded[0], "header", limits)
    payload = _json_object(decoded[1], "payload", limits)
    signing_input = f"{segments[0]}.{segments[1]}".encode("ascii")
    return Jws(compact=text, header=header, payload=payload, signing_input=signing_input, signature=decoded[2])


def _decode_segment(name: str, segment: str, position: int) -> bytes:
    if not segment and name != "signature":
        raise PayloadError("jws-malformed", f"the {name} segment of the compact JWS is empty")
    bad = _NOT_BASE64URL.search(segment)
    if bad is not None:
        found = bad.group()
        hint = "; base64url is written without padding" if found == "=" else ""
        raise PayloadError(
            "jws-malformed",
            f"character {position + bad.start():,} of the compact JWS (in the {name} segment) is {found!r}, "
            f"outside the base64url alphabet{hint}",
        )
    if len(segment) % 4 == 1:
        raise PayloadError(
            "jws-malformed",
            f"the {name} segment has {len(segment):,} character{'s' if len(segment) != 1 else ''}; "
            "no base64url encoding has a length of 4n+1",
        )
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("jws-malformed", f"the {name} segment is not valid base64url: {exc}") from None


def _json_object(data: bytes, name: str, limits: Limits) -> dict[str, Any]:
    try:
        value = parse_json(data, limits)
    except PayloadError as exc:
        # Depth and size are limits, not malformation: their own codes say more to a reader.
        if exc.code in ("json-too-deep", "too-large"):
            raise PayloadError(exc.code, f"in the JWS {name}, {exc.message}") from None
        raise PayloadError("jws-malformed", f"the JWS {name} is not a JSON object: {exc.message}") from None
    if not isinstance(value, dict):
        raise PayloadError("jws-malformed", f"the JWS {name} is {describe_json_type(value)}; a JSON object is expected")
    return value


def describe_json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def credential_from_jws(jws: Jws) -> JwtCredential:
    """Work out which JWT encoding a JWS uses and produce the document it carries.

    The header is read first because typ/cty are the issuer's explicit statement of how to read
    the payload: vc+jwt / vp+jwt (or cty vc / vp) means the payload is the document. Otherwise a
    `vc` or `vp` claim means the VC Data Model 1.1 encoding, whose document is rebuilt from that
    claim plus the registered claims (`vc` wins if both are present). Anything else is taken as a
    document with registered JWT claims added, as Open Badges 3.0 does.
    """
    if not isinstance(jws, Jws):
        raise TypeError(f"expected Jws, not {type(jws).__name__}")
    payload = jws.payload
    if _announces_document(jws.header):
        return JwtCredential(jws=jws, style="vc-jose", document=payload, mapped_claims=())
    claim = "vc" if "vc" in payload else "vp" if "vp" in payload else None
    if claim is None:
        return JwtCredential(jws=jws, style="jwt-claims", document=payload, mapped_claims=())

    embedded = payload[claim]
    if not isinstance(embedded, Mapping):
        raise PayloadError(
            "jws-malformed",
            f"the {claim} claim is {describe_json_type(embedded)}; a JSON object is expected",
        )
    document = copy_json_tree(embedded, f"the {claim} claim")
    mapped = _map_credential_claims(payload, document) if claim == "vc" else _map_presentation_claims(payload, document)
    return JwtCredential(jws=jws, style="vc-jwt-1.1", document=document, mapped_claims=mapped)


def _announces_document(header: Mapping[str, Any]) -> bool:
    return (
        _bare_media_type(header.get("typ")) in _JOSE_TYPES or _bare_media_type(header.get("cty")) in _JOSE_CONTENT_TYPES
    )


def _bare_media_type(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    return lowered.removeprefix("application/")


def _map_credential_claims(payload: Mapping[str, Any], document: dict[str, Any]) -> tuple[str, ...]:
    # Claims overwrite what the vc claim says: the decoding rule makes the JWT claim authoritative,
    # and the original values remain on jws.payload for any check that compares them.
    mapped: list[str] = []
    if "iss" in payload:
        _set_identifier(document, "issuer", payload["iss"])
        mapped.append("iss")
    for claim, term in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
        if claim in payload:
            stamp = numeric_date_to_rfc3339(payload[claim])
            if stamp is not None:
                document[term] = stamp
                mapped.append(claim)
    if "jti" in payload:
        document["id"] = payload["jti"]
        mapped.append("jti")
    if "sub" in payload:
        subject = document.get("credentialSubject")
        # With several subjects (an array) there is no single id the claim could stand for.
        if isinstance(subject, dict):
            subject["id"] = payload["sub"]
            mapped.append("sub")
    return tuple(mapped)


def _map_presentation_claims(payload: Mapping[str, Any], document: dict[str, Any]) -> tuple[str, ...]:
    mapped: list[str] = []
    if "iss" in payload:
        _set_identifier(document, "holder", payload["iss"])
        mapped.append("iss")
    if "jti" in payload:
        document["id"] = payload["jti"]
        mapped.append("jti")
    return tuple(mapped)


def _set_identifier(document: dict[str, Any], term: str, value: Any) -> None:
    current = document.get(term)
    if isinstance(current, dict):
        current["id"] = value
    else:
        document[term] = value


def numeric_date_to_rfc3339(value: Any) -> str | None:
    """A JWT NumericDate as an RFC 3339 UTC timestamp, or None when it is not a usable number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    # strftime's %Y does not zero-pad years below 1000 on every platform, so build the text by hand.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def copy_json_tree(value: Any, where: str) -> Any:
    """Deep-copy JSON values without recursion, so nesting depth never meets the interpreter's limit.

    A container met twice means the input is not a tree (it can only happen with hand-built
    mappings); copying it could loop forever, so it is refused.
    """
    if not isinstance(value, (Mapping, list, tuple)):
        return value
    seen: set[int] = set()
    root: Any = {} if isinstance(value, Mapping) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        if id(source) in seen:
            raise PayloadError(
                "jws-malformed", f"{where} holds a value that appears more than once; a JSON tree is expected"
            )
        seen.add(id(source))
        items = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, child in items:
            if isinstance(child, Mapping):
                copied: Any = {}
                stack.append((child, copied))
            elif isinstance(child, (list, tuple)):
                copied = []
                stack.append((child, copied))
            else:
                copied = child
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return root
