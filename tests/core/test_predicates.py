"""Shared predicates: the dateTime instant accepts exactly what the dateTime grammar accepts."""
from __future__ import annotations

from fractions import Fraction

import pytest

from conformance.core.predicates import instant, is_datetime, is_datetime_stamp


@pytest.mark.parametrize("value, seconds", [
    ("1970-01-01T00:00:00Z", 0),
    ("1970-01-01T01:00:00+01:00", 0),
    ("1970-01-01T00:00:00.5Z", Fraction(1, 2)),
    ("1969-12-31T24:00:00Z", 0),
    ("10000-01-01T00:00:00Z", 253402300800),
    ("1970-01-02T00:00:00", 86400),                       # no offset: read as UTC
])
def test_instants(value: str, seconds: int | Fraction) -> None:
    assert instant(value) == seconds


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00+14:30", "1970-01-01T24:00:01Z", "1970-13-01T00:00:00Z",
                                   "yesterday", 17, None])
def test_values_outside_the_grammar_have_no_instant(value: object) -> None:
    assert instant(value) is None and not is_datetime(value)


def test_offset_required_matches_datetime_stamp() -> None:
    assert instant("2025-01-01T00:00:00", offset_required=True) is None
    assert not is_datetime_stamp("2025-01-01T00:00:00")
    assert instant("2025-01-01T00:00:00+14:00", offset_required=True) is not None
