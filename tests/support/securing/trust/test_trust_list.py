"""Trust list files: parsing, errors that name the file and line, lookups and decisions."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from conformance.core.findings import Outcome
from conformance.support.securing.trust import (
    TrustEntry,
    TrustError,
    TrustList,
    TrustReason,
    issuer_id_of,
    load_trust_list,
    parse_trust_list,
    trust_list_schema,
)

GOOD = """\
name = "Pilot issuers"

[[issuer]]
id = "did:web:registrar.example.edu"
name = "Example University Registrar"
valid_from = 2024-01-01
valid_until = 2026-12-31T23:59:59Z
note = "signed MoU 2023"

[[issuer]]
id = "https://badges.example.org/issuers/1/"
name = "Example Badges"

[[issuer]]
id = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
name = "1EdTech sample key"
valid_from = "2025-03-01T12:00:00+02:00"
"""


def test_a_good_file_is_read() -> None:
    trust = parse_trust_list(GOOD, "pilot.toml")
    assert trust.name == "Pilot issuers"
    assert len(trust) == 3
    first = trust.entries[0]
    assert first == TrustEntry(
        id="did:web:registrar.example.edu",
        name="Example University Registrar",
        valid_from=datetime(2024, 1, 1, tzinfo=UTC),
        valid_until=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
        note="signed MoU 2023",
        source="pilot.toml:3",
    )
    assert trust.entries[1].source == "pilot.toml:10"
    assert trust.entries[2].valid_from == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def test_a_file_is_loaded_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "trust.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_trust_list(path)) == 3
    with pytest.raises(TrustError, match=r"missing\.toml: the trust list cannot be read"):
        load_trust_list(tmp_path / "missing.toml")


BAD = [
    # (text, expected message lines: each "line: fragment")
    ("[[issuer]\nid = 1\n", ["1:", "not valid TOML"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\nname = "B"\n', ["4:", "not valid TOML"]),
    ('name = "x"\n[[issuer]]\nid = "did:web:a"\nname = """unterminated\n', ["not valid TOML"]),
    ('name = "empty"\n', ["1:", "no [[issuer]] table"]),
    ("", ["1:", "no [[issuer]] table"]),
    ('[[issuer]]\nname = "No id"\n', ["1:", "issuer table 1 has no id"]),
    ('[[issuer]]\nid = "did:web:a"\n', ["1:", "issuer table 1 has no name"]),
    ('[[issuer]]\nid = "example.org"\nname = "A"\n', ["2:", "id of issuer table 1 is 'example.org'",
                                                     "a DID (did:method:identifier) or an http(s) URL is expected"]),
    ('[[issuer]]\nid = "did:web:a"\nname = 7\n', ["3:", "name of issuer table 1 is the number 7"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\n\n[[issuer]]\nid = "did:web:b"\nname = "B"\ncolour = "red"\n',
     ["8:", "issuer table 2 has the unknown key(s) colour"]),
    ('title = "x"\n[[issuer]]\nid = "did:web:a"\nname = "A"\n', ["1:", "the file has the unknown key(s) title"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\nvalid_from = 2024-01-01T00:00:00\n',
     ["4:", "valid_from of issuer table 1 is '2024-01-01T00:00:00'", "with an offset"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\nvalid_until = "2024-02-30"\n',
     ["4:", "valid_until 2024-02-30 is not a real date"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\nvalid_from = 2025-01-01\nvalid_until = 2024-01-01\n',
     ["5:", "valid_until 2024-01-01 is before valid_from 2025-01-01"]),
    ('[[issuer]]\nid = "did:web:Example.org"\nname = "A"\n\n[[issuer]]\nid = "did:web:example.org#key-1"\nname = "B"\n',
     ["6:", "listed twice (as did:web:example.org, first at line 1)"]),
    ('[[issuer]]\nid = "did:web:a"\nname = "A"\nnote = 1\n[[issuer]]\nid = 2\nname = "B"\n',
     ["4:", "note of issuer table 1", "6:", "id of issuer table 2"]),
    ('issuer = [{id = "did:web:a", name = 5}]\n', ["1:", "name of issuer table 1 is the number 5"]),
    (b"[[issuer]]\nid = \"did:web:a\"\nname = \"\xff\"\n", ["3:", "not UTF-8"]),
]


@pytest.mark.parametrize(("text", "fragments"), BAD)
def test_errors_name_the_file_and_line(text: str | bytes, fragments: list[str]) -> None:
    with pytest.raises(TrustError) as info:
        parse_trust_list(text, "conf/trust.toml")
    message = str(info.value)
    assert message.startswith("conf/trust.toml:")
    position = 0
    for fragment in fragments:
        found = message.find(fragment, position)
        assert found >= 0, (fragment, message)
        position = found
    assert all(issue.startswith("conf/trust.toml:") for issue in info.value.issues)


def test_the_schema_is_valid_and_describes_the_converted_file() -> None:
    schema = trust_list_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    converted = {"issuer": [{"id": "did:web:a", "name": "A", "valid_from": "2024-01-01"}]}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(converted)) == []


LOOKUPS = [
    ("did:web:registrar.example.edu", 0),
    ("did:web:REGISTRAR.example.edu", 0),
    ("did:web:registrar.example.edu#key-1", 0),
    ("did:web:registrar.example.edu?service=files", 0),
    ("did:web:registrar.example.edu:dept", None),
    ("https://badges.example.org/issuers/1", 1),
    ("HTTPS://Badges.Example.ORG/issuers/1/", 1),
    ("https://badges.example.org:443/issuers/1#key", 1),
    ("https://badges.example.org/issuers/2", None),
    ("http://badges.example.org/issuers/1", None),
    ("https://badges.example.org/Issuers/1", None),
    ("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", 2),
    ("did:key:z6mkjzrzv3aez3r18pb1rbfjr1kwuvj5jht92jmqwxbd5hwi", None),
    ("", None),
    (None, None),
    (42, None),
]


@pytest.mark.parametrize(("issuer", "expected"), LOOKUPS)
def test_lookup_normalises_ids(issuer: object, expected: int | None) -> None:
    trust = parse_trust_list(GOOD, "pilot.toml")
    found = trust.lookup(issuer)
    assert found is (trust.entries[expected] if expected is not None else None)


DECISIONS = [
    ("did:web:registrar.example.edu", datetime(2025, 6, 1, tzinfo=UTC), True, TrustReason.LISTED),
    ("did:web:registrar.example.edu", datetime(2023, 12, 31, 23, 59, tzinfo=UTC), False, TrustReason.NOT_YET_VALID),
    ("did:web:registrar.example.edu", datetime(2027, 1, 1, tzinfo=UTC), False, TrustReason.EXPIRED),
    ("did:web:stranger.example", datetime(2025, 6, 1, tzinfo=UTC), False, TrustReason.NOT_LISTED),
    (None, datetime(2025, 6, 1, tzinfo=UTC), False, TrustReason.NO_ISSUER),
]


@pytest.mark.parametrize(("issuer", "when", "trusted", "reason"), DECISIONS)
def test_decisions(issuer: str | None, when: datetime, trusted: bool, reason: TrustReason) -> None:
    decision = parse_trust_list(GOOD, "pilot.toml").decide(issuer, when)
    assert (decision.trusted, decision.reason) == (trusted, reason)
    assert decision.outcome is (Outcome.PASSED if trusted else Outcome.FAILED)
    if issuer:
        assert issuer in decision.message
    if reason in (TrustReason.NOT_YET_VALID, TrustReason.EXPIRED):
        assert "pilot.toml:3" in decision.message


def test_a_date_bound_covers_the_whole_day() -> None:
    trust = parse_trust_list('[[issuer]]\nid = "did:web:a"\nname = "A"\nvalid_until = 2025-01-31\n', "t.toml")
    assert trust.decide("did:web:a", datetime(2025, 1, 31, 23, 30, tzinfo=UTC)).trusted
    assert not trust.decide("did:web:a", datetime(2025, 2, 1, tzinfo=UTC)).trusted


def test_merged_lists_keep_the_first_entry() -> None:
    first = TrustList((TrustEntry("did:web:a", "First"),), "one")
    second = TrustList((TrustEntry("did:web:A", "Second"), TrustEntry("did:web:b", "B")), "two")
    merged = first.merged(second)
    assert merged.lookup("did:web:a").name == "First"  # type: ignore[union-attr]
    assert merged.lookup("did:web:b").name == "B"  # type: ignore[union-attr]
    assert merged.name == "one + two"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"issuer": "did:web:a"}, "did:web:a"),
        ({"issuer": {"id": "https://a.example", "name": "A"}}, "https://a.example"),
        ({"issuer": {"name": "A"}}, None),
        ({"issuer": ""}, None),
        ({}, None),
        ("not a document", None),
    ],
)
def test_issuer_id_of(document: object, expected: str | None) -> None:
    assert issuer_id_of(document) == expected  # type: ignore[arg-type]
