"""Reusable pure predicates for checks. They answer questions; they never make findings."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

from conformance.core.subject import Subject, as_list

Node = tuple[str, Any]          # (JSON pointer, value)

__all__ = [
    "JWS_HEADER",
    "JWT_CLAIMS",
    "PNG_CONTAINER",
    "SVG_CONTAINER",
    "as_list",
    "claim_location",
    "in_jws_header",
    "instant",
    "is_datetime",
    "is_datetime_stamp",
    "is_language_tag",
    "is_language_value",
    "is_string_or_language_value",
    "is_url",
    "items",
    "pointer",
    "type_list",
]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UNSAFE = re.compile(r"[\s<>\"{}|\\^`\x00-\x1f\x7f]")


def is_url(value: Any) -> bool:
    """An absolute URL with a scheme (https:, did:, urn:, data: ...) and no characters a URL parser rejects."""
    if not isinstance(value, str) or not _SCHEME.match(value) or _UNSAFE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return len(value) > len(parts.scheme) + 1


# XML Schema dateTimeStamp as VCDM 2.0 gives it (offset required)
_DATETIME_STAMP = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$")
# XML Schema dateTime (offset optional), as VCDM 1.1 uses
_DATETIME = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$")


# the same grammar as _DATETIME (offsets up to 14:00), split into parts for arithmetic
_DATETIME_PARTS = re.compile(
    r"^(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?P<hour>[01][0-9]|2[0-4]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?P<fraction>\.[0-9]+)?"
    r"(?P<zone>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$")


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def instant(value: Any, *, offset_required: bool = False) -> Fraction | None:
    """Exact seconds since the epoch of an XML Schema dateTime (a missing offset reads as UTC), or None.

    Written here rather than with `datetime` because XML Schema years run past 9999 and below 1, with a year 0.
    `offset_required` accepts only dateTimeStamp values (VCDM 2.0).
    """
    if not isinstance(value, str):
        return None
    match = _DATETIME_PARTS.match(value)
    if match is None or (offset_required and match["zone"] is None):
        return None
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    fraction = Fraction(match["fraction"]) if match["fraction"] else Fraction(0)
    if hour == 24 and (minute or second or fraction):
        return None
    total = (_days_from_civil(int(match["year"]), int(match["month"]), int(match["day"])) * 86400
             + hour * 3600 + minute * 60 + second + fraction)
    zone = match["zone"]
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        total -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return total


def is_datetime_stamp(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATETIME_STAMP.match(value))


def is_datetime(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATETIME.match(value))


# BCP 47 language tags: "well-formed" in the sense of RFC 5646, i.e. the ABNF of section 2.1 and nothing more
# (https://www.rfc-editor.org/rfc/rfc5646#section-2.1). Letters compare without case. A tag is one of three things:
# - a langtag: a primary language of 2-3 letters (optionally followed by up to three 3-letter extlangs), or of
#   4 letters (reserved) or 5-8 letters (registered); then optionally a 4-letter script; then optionally a region
#   of 2 letters or 3 digits; then any number of variants (5-8 letters/digits, or a digit and 3 letters/digits);
#   then any number of extensions (a one-character singleton other than x, then one or more 2-8 character
#   subtags); then optionally a private-use part;
# - a private-use tag: x followed by one or more subtags of 1-8 letters/digits;
# - one of the grandfathered tags the section lists by name (irregular and regular); some regular ones also
#   parse as langtags, and a tag is well-formed if either branch accepts it.
# Section 2.2.9 (https://www.rfc-editor.org/rfc/rfc5646#section-2.2.9) separates "well-formed" (the ABNF) from
# "valid", which also asks for registered subtags and no repeated variant or singleton. Our rules ask for
# well-formed tags, so repeated variants/singletons (de-1901-1901, en-a-bbb-a-ccc) pass and there is no registry
# lookup. Explicit ASCII classes, no IGNORECASE: with re.I, [a-z] would also match the Kelvin sign and long s.
_LANGTAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"     # language (+ extlangs)
    r"(?:-[A-Za-z]{4})?"                                         # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"                            # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"            # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"             # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"                          # private use
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+")                              # a private-use tag on its own
_GRANDFATHERED = frozenset({
    # irregular
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo",
    "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de",
    # regular
    "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang",
})


def is_language_tag(value: Any, *, coded_language: bool = False) -> bool:
    """A well-formed BCP 47 language tag (RFC 5646 section 2.1); the one language-tag test every rule uses.

    `coded_language`: also ask that a langtag's primary language subtag be 2 or 3 letters, the lengths of the ISO
    639 codes the registry holds (4 letters is reserved, and no 5-8 letter subtag has been registered), so that a
    word such as "english", well-formed by the grammar, names no language. The CTDL rules read their datatype so
    (their catalog notes say why); grandfathered and private-use tags are unaffected."""
    if not isinstance(value, str) or not value.isascii():
        return False
    if value.lower() in _GRANDFATHERED:
        return True
    if _LANGTAG.fullmatch(value) is None:
        return False
    primary = value.split("-", 1)[0]
    return not coded_language or primary in ("x", "X") or len(primary) <= 3


def is_language_value(value: Any) -> bool:
    """A value object: a string @value, an optional well-formed @language, an optional @direction, nothing else."""
    if not isinstance(value, Mapping) or not isinstance(value.get("@value"), str):
        return False
    if set(value) - {"@value", "@language", "@direction"}:
        return False
    if "@language" in value and not is_language_tag(value["@language"]):
        return False
    return value.get("@direction", "ltr") in ("ltr", "rtl")


def is_string_or_language_value(value: Any) -> bool:
    return isinstance(value, str) or is_language_value(value)


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def items(document: Mapping[str, Any], key: str, base: str = "") -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each value of a property that may hold one value or an array."""
    value = document.get(key)
    if value is None and key not in document:
        return
    at = f"{base}{pointer(key)}"
    if isinstance(value, list):
        # one join per property, not per item: a hostile array of a million values is walked by many rules
        for index, item in enumerate(value):
            yield f"{at}/{index}", item
    else:
        yield at, value


def type_list(node: Any) -> list[str]:
    if not isinstance(node, Mapping):
        return []
    return [t for t in as_list(node.get("type")) if isinstance(t, str)]


# Locations outside the JSON document: the JOSE header, JWT claims that sit beside the credential (VC-JWT 1.1),
# and the image a credential is baked into. Inside the document, locations are JSON pointers.
JWS_HEADER = "(JWS header)"
JWT_CLAIMS = "(JWT claims)"
PNG_CONTAINER = "(PNG)"
SVG_CONTAINER = "(SVG)"


def in_jws_header(name: str) -> str:
    return f"{JWS_HEADER}{pointer(name)}"


def claim_location(style: str, name: str) -> str:
    """Where a JWT claim is: a pointer when the payload is the document itself, else beside it (vc-jwt-1.1)."""
    return f"{JWT_CLAIMS}{pointer(name)}" if style == "vc-jwt-1.1" else pointer(name)


def per_subject(walk: Callable[[Subject], Iterable[Node]]) -> Callable[[Subject], tuple[Node, ...]]:
    """A walk over a subject's document, taken once per subject: many rules read the same nodes (every achievement,
    every profile), and a document with a hostile array would otherwise be walked once per rule."""
    key = f"{walk.__module__}.{walk.__qualname__}"

    @functools.wraps(walk)
    def walked(subject: Subject) -> tuple[Node, ...]:
        memo = subject.__dict__.setdefault("_walks", {})
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(walk(subject))
        return found

    return walked
