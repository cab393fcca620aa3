"""The one JSON comparison of the protocol rules (conformance.standards.json_diff): two readings, typed equality."""
from __future__ import annotations

from typing import Any

import pytest

from conformance.core.checks import MISSING
from conformance.standards.json_diff import differences

SENT = {"name": "Badge", "tags": ["a", "b"], "subject": {"id": "did:example:1", "score": 1}, "ok": True}


def diff(sent: Any, got: Any, reading: str) -> list[tuple[str, Any, Any]]:
    return list(differences(sent, got, reading=reading))   # type: ignore[arg-type]


@pytest.mark.parametrize("reading", ["exact", "kept"])
def test_the_same_document_has_no_differences(reading: str) -> None:
    assert diff(SENT, {**SENT, "subject": {"score": 1.0, "id": "did:example:1"}}, reading) == []


def test_exact_counts_a_member_either_side_adds() -> None:
    assert diff(SENT, {**SENT, "issuer": "did:example:i"}, "exact") == [("/issuer", MISSING, "did:example:i")]
    got = {k: v for k, v in SENT.items() if k != "ok"}
    assert diff(SENT, got, "exact") == [("/ok", True, MISSING)]


def test_kept_lets_the_receiver_add_members_and_plain_items() -> None:
    got = {**SENT, "issuer": "did:example:i", "tags": ["b", "c", "a"], "subject": {**SENT["subject"], "n": 2}}
    assert diff(SENT, got, "kept") == []
    assert diff(SENT, {**got, "tags": ["a"]}, "kept") == [("/tags", ["a", "b"], ["a"])]


def test_kept_still_counts_what_was_dropped_or_changed() -> None:
    got = {**SENT, "subject": {"id": "did:example:2"}}
    assert diff(SENT, got, "kept") == [("/subject/id", "did:example:1", "did:example:2"),
                                        ("/subject/score", 1, MISSING)]


@pytest.mark.parametrize("reading", ["exact", "kept"])
def test_true_is_not_one(reading: str) -> None:
    assert diff({"ok": True}, {"ok": 1}, reading) == [("/ok", True, 1)]
    assert diff({"tags": [True]}, {"tags": [1]}, reading) == [("/tags" + ("/0" if reading == "exact" else ""),
                                                              *(([True], [1]) if reading == "kept" else (True, 1)))]


def test_pointers_escape_slash_and_tilde() -> None:
    assert diff({"a/b~c": 1}, {"a/b~c": 2}, "exact") == [("/a~1b~0c", 1, 2)]


def test_arrays_of_objects_are_compared_item_by_item_when_their_lengths_agree() -> None:
    assert diff({"xs": [{"a": 1}, {"a": 2}]}, {"xs": [{"a": 1}, {"a": 3}]}, "exact") == [("/xs/1/a", 2, 3)]
    assert diff({"xs": [{"a": 1}]}, {"xs": [{"a": 1}, {"a": 2}]}, "exact") == [("/xs", [{"a": 1}],
                                                                                 [{"a": 1}, {"a": 2}])]
