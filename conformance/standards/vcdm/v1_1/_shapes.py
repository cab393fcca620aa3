"""Pure helpers for VCDM 1.1 checks: dateTime instants, JWS shape, credential parts. They never make findings."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from conformance.model.subjects import Subject
from conformance.standards.predicates import as_list, items, pointer

# XML Schema dateTime, split into its parts (offset optional); matches predicates.is_datetime
_DATETIME_PARTS = re.compile(
    r"^(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?P<hour>[01][0-9]|2[0-4]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?P<fraction>\.[0-9]+)?"
    r"(?P<zone>Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?$")

_JWS_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def instant(value: Any) -> Fraction | None:
    """Seconds since the epoch of an XML Schema dateTime string; a missing offset is read as UTC.

    None when the value is not a dateTime. XML Schema years are proleptic Gregorian with a year 0, as ISO 8601.
    """
    if not isinstance(value, str):
        return None
    match = _DATETIME_PARTS.match(value)
    if match is None:
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


def is_compact_jws(value: Any) -> bool:
    """Three base64url parts separated by dots (the signature part may be empty for an unsecured JWT)."""
    return isinstance(value, str) and bool(_JWS_COMPACT.match(value))


def is_numeric_date(value: Any) -> bool:
    """A JSON number that is finite (JWT NumericDate); booleans are not numbers here."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def is_presentation(subject: Subject) -> bool:
    """A presentation by type, or, when type says neither, by the properties only presentations have."""
    if subject.is_presentation:
        return True
    if "VerifiableCredential" in subject.types:
        return False
    document = subject.document
    return "credentialSubject" not in document and ("verifiableCredential" in document or "holder" in document)


def objects_of(document: Mapping[str, Any], key: str) -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each value of a property that holds one object or an array of them."""
    return items(document, key)


def has_type(node: Mapping[str, Any]) -> bool:
    """A type that names something: a non-empty string, or a non-empty array of non-empty strings."""
    value = node.get("type")
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and t for t in value)


def subject_ids(credential_subject: Any) -> list[Any]:
    return [s["id"] for s in as_list(credential_subject) if isinstance(s, Mapping) and "id" in s]


def issuer_id(issuer: Any) -> Any:
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def has_embedded_proof(document: Mapping[str, Any]) -> bool:
    return any(isinstance(p, Mapping) for p in as_list(document.get("proof")))


TYPED_PARTS = ("issuer", "credentialSubject", "credentialStatus", "credentialSchema", "refreshService",
               "termsOfUse", "evidence", "proof")


def type_values(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(holder pointer, value pointer, value) for each type value of the document and its data-model objects."""
    for at, value in items(document, "type"):
        yield "", at, value
    for key in TYPED_PARTS:
        for holder, node in items(document, key):
            if isinstance(node, Mapping):
                for at, value in items(node, "type", holder):
                    yield holder, at, value


__all__ = ["instant", "is_compact_jws", "is_numeric_date", "is_presentation", "objects_of", "has_type",
           "subject_ids", "issuer_id", "has_embedded_proof", "type_values", "pointer"]
