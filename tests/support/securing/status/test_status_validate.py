"""The validate algorithms end to end, with lists served by stub fetchers and a stub proof verifier."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.support.securing.status import (
    MIN_LIST_ENTRIES,
    StatusCode,
    StatusResult,
    StatusVerdict,
    bitstring_entry,
    check_credential_status,
    encode_bitstring_list,
    make_bitstring,
    revocation_list_document,
    status_list_credential,
)

LIST = "https://issuer.example/status/1"
ISSUER = "did:web:issuer.example"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
REVOKED_INDEX, OTHER_INDEX = 94567, 5
MESSAGES = {0: "valid", 1: "pending review", 2: "accepted", 3: "rejected"}


@dataclass(frozen=True, slots=True)
class StubOutcome:
    verified: bool
    message: str = ""


def accept(document: Mapping[str, Any], raw: bytes) -> StubOutcome:
    return StubOutcome(True)


def reject(document: Mapping[str, Any], raw: bytes) -> StubOutcome:
    return StubOutcome(False, "the proofValue does not match the key")


def explode(document: Mapping[str, Any], raw: bytes) -> StubOutcome:
    raise RuntimeError("canonicalization ran out of budget")


def serve(*documents: tuple[str, Any]) -> Any:
    table = {url: body if isinstance(body, bytes) else json.dumps(body).encode() for url, body in documents}

    def fetch(url: str) -> bytes:
        if url not in table:
            raise OSError(f"{url} answers HTTP 404")
        return table[url]

    return fetch


def credential(*entries: dict[str, Any], credential_id: str = "urn:uuid:1") -> dict[str, Any]:
    return {"id": credential_id, "issuer": ISSUER, "credentialStatus": list(entries) if len(entries) != 1 else entries[0]}


def one(document: dict[str, Any], fetch: Any, verifier: Any = accept, **kwargs: Any) -> StatusResult:
    results = check_credential_status(document, fetch=fetch, verify_credential=verifier, now=NOW, **kwargs)
    assert len(results) == 1
    return results[0]


BITS_1 = make_bitstring(MIN_LIST_ENTRIES, [REVOKED_INDEX])
BITS_2 = make_bitstring(MIN_LIST_ENTRIES, {0: 0, 1: 1, 2: 2, 3: 3}, status_size=2)
REVOCATION_LIST = status_list_credential(LIST, ISSUER, BITS_1, "revocation")
MULTI_PURPOSE_LIST = status_list_credential(LIST, ISSUER, BITS_1, ["revocation", "suspension"])
LIST_2021 = status_list_credential(LIST, ISSUER, BITS_1, "revocation", kind="2021")
MESSAGE_LIST = status_list_credential(LIST, ISSUER, BITS_2, "message", ttl_ms=300_000)

VERDICTS = [
    # (list document, entry, expected verdict, expected value, expected message)
    (REVOCATION_LIST, bitstring_entry(LIST, REVOKED_INDEX), StatusVerdict.REVOKED, 1, None),
    (REVOCATION_LIST, bitstring_entry(LIST, OTHER_INDEX), StatusVerdict.VALID, 0, None),
    (REVOCATION_LIST, bitstring_entry(LIST, REVOKED_INDEX - 1), StatusVerdict.VALID, 0, None),
    (MULTI_PURPOSE_LIST, bitstring_entry(LIST, REVOKED_INDEX, "suspension"), StatusVerdict.SUSPENDED, 1, None),
    (MULTI_PURPOSE_LIST, bitstring_entry(LIST, 0, "suspension"), StatusVerdict.VALID, 0, None),
    (LIST_2021, bitstring_entry(LIST, REVOKED_INDEX, kind="2021"), StatusVerdict.REVOKED, 1, None),
    (LIST_2021, bitstring_entry(LIST, 0, kind="2021"), StatusVerdict.VALID, 0, None),
    (MESSAGE_LIST, bitstring_entry(LIST, 2, "message", size=2, messages=MESSAGES), StatusVerdict.MESSAGE, 2, "accepted"),
    (MESSAGE_LIST, bitstring_entry(LIST, 3, "message", size=2, messages=MESSAGES), StatusVerdict.MESSAGE, 3, "rejected"),
    (MESSAGE_LIST, bitstring_entry(LIST, 9, "message", size=2, messages=MESSAGES), StatusVerdict.MESSAGE, 0, "valid"),
    (status_list_credential(LIST, ISSUER, BITS_1, "refresh"), bitstring_entry(LIST, REVOKED_INDEX, "refresh"),
     StatusVerdict.REFRESH, 1, None),
    (status_list_credential(LIST, ISSUER, BITS_1, "audit"), bitstring_entry(LIST, REVOKED_INDEX, "audit"),
     StatusVerdict.SET, 1, None),
]


@pytest.mark.parametrize(("listed", "status", "verdict", "value", "message"), VERDICTS)
def test_verdicts(listed: dict[str, Any], status: dict[str, Any], verdict: StatusVerdict, value: int,
                  message: str | None) -> None:
    result = one(credential(status), serve((LIST, listed)))
    assert (result.verdict, result.value, result.message, result.problem) == (verdict, value, message, None)
    assert result.list_issuer == ISSUER
    expected_outcome = Outcome.FAILED if verdict in (StatusVerdict.REVOKED, StatusVerdict.SUSPENDED) else Outcome.PASSED
    assert result.outcome is expected_outcome
    assert result.reason == verdict.value
    assert f"statusListIndex {int(status['statusListIndex']):,} of the list at {LIST}" in result.describe()


def test_message_list_reports_ttl() -> None:
    result = one(credential(bitstring_entry(LIST, 1, "message", size=2, messages=MESSAGES)), serve((LIST, MESSAGE_LIST)))
    assert result.ttl_ms == 300_000
    assert result.describe().endswith("reads 1 (pending review)")


def with_subject(**changes: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(REVOCATION_LIST))
    document["credentialSubject"].update(changes)
    return document


def with_top(**changes: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(REVOCATION_LIST))
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


SHORT_LIST = status_list_credential(LIST, ISSUER, make_bitstring(MIN_LIST_ENTRIES - 8, [3]), "revocation")

PROBLEMS = [
    # (served lists, entry, verifier, code, outcome, location, message fragment)
    ((), bitstring_entry(LIST, 1), accept, StatusCode.STATUS_RETRIEVAL_ERROR, Outcome.CANT_TELL,
     "(status list)", "HTTP 404"),
    (((LIST, b"<html>busy</html>"),), bitstring_entry(LIST, 1), accept, StatusCode.STATUS_RETRIEVAL_ERROR,
     Outcome.CANT_TELL, "(status list)", "not a status list document"),
    (((LIST, b""),), bitstring_entry(LIST, 1), accept, StatusCode.STATUS_RETRIEVAL_ERROR,
     Outcome.CANT_TELL, "(status list)", "not a status list document"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1), reject, StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.FAILED, "(status list)/proof", "does not verify: the proofValue does not match the key"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1), lambda d, r: False, StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.FAILED, "(status list)/proof", "does not verify"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1), explode, StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.ERROR, "(status list)/proof", "failed inside the verifier"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1), lambda d, r: "yes", StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.ERROR, "(status list)/proof", "no boolean `verified`"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1), None, StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.ERROR, "(status list)", "no proof verifier"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1, "suspension"), accept, StatusCode.STATUS_VERIFICATION_ERROR,
     Outcome.FAILED, "/credentialStatus/statusPurpose", "'suspension' is not among the purposes"),
    (((LIST, SHORT_LIST),), bitstring_entry(LIST, 3), accept, StatusCode.STATUS_LIST_LENGTH_ERROR,
     Outcome.FAILED, "(status list)/credentialSubject/encodedList", "at least 131,072 entries"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, MIN_LIST_ENTRIES), accept, StatusCode.RANGE_ERROR,
     Outcome.FAILED, "/credentialStatus/statusListIndex", "outside the list"),
    (((LIST, status_list_credential(LIST, ISSUER, BITS_2, "revocation")),),
     bitstring_entry(LIST, MIN_LIST_ENTRIES, size=2, messages=MESSAGES), accept, StatusCode.RANGE_ERROR, Outcome.FAILED, "/credentialStatus/statusListIndex", "outside the list"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1, size=2, messages=MESSAGES), accept,
     StatusCode.STATUS_LIST_LENGTH_ERROR, Outcome.FAILED, "(status list)/credentialSubject/encodedList",
     "65,536 entries of 2 bit(s)"),
    (((LIST, with_subject(encodedList="H4sIAAAA")),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/encodedList",
     "multibase prefix"),
    (((LIST, with_subject(encodedList=encode_bitstring_list(BITS_1) + "!")),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/encodedList",
     "not a base64url character"),
    (((LIST, with_subject(encodedList=None)),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/encodedList",
     "a string is expected"),
    (((LIST, with_subject(type="StatusList2021")),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/type",
     "BitstringStatusList is expected"),
    (((LIST, with_top(type=["VerifiableCredential"])),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/type",
     "BitstringStatusListCredential is expected"),
    (((LIST, LIST_2021),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/type",
     "BitstringStatusListCredential is expected"),
    (((LIST, REVOCATION_LIST),), bitstring_entry(LIST, 1, kind="2021"), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/type", "StatusList2021Credential is expected"),
    (((LIST, with_subject(statusPurpose=[])),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/statusPurpose",
     "one or more non-empty strings"),
    (((LIST, with_subject(ttl="5 minutes")),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject/ttl", "milliseconds"),
    (((LIST, with_top(credentialSubject=[1, 2])),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/credentialSubject",
     "no single credentialSubject"),
    (((LIST, with_top(validUntil="2025-01-01T00:00:00Z")),), bitstring_entry(LIST, 1), accept,
     StatusCode.STATUS_VERIFICATION_ERROR, Outcome.FAILED, "(status list)/validUntil", "expired"),
    (((LIST, with_top(validFrom="2026-01-01T00:00:00Z")),), bitstring_entry(LIST, 1), accept,
     StatusCode.STATUS_VERIFICATION_ERROR, Outcome.FAILED, "(status list)/validFrom", "not valid yet"),
    (((LIST, with_top(validFrom="yesterday")),), bitstring_entry(LIST, 1), accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "(status list)/validFrom", "a date-time is expected"),
    (((LIST, REVOCATION_LIST),), {"type": "RevocationList2020Status", "id": LIST}, accept,
     StatusCode.UNSUPPORTED_STATUS_TYPE, Outcome.CANT_TELL, "/credentialStatus/type", "none the suite reads"),
    (((LIST, REVOCATION_LIST),), {**bitstring_entry(LIST, 1), "statusListIndex": 1}, accept,
     StatusCode.MALFORMED_VALUE_ERROR, Outcome.FAILED, "/credentialStatus/statusListIndex", "base-10 digits"),
]


@pytest.mark.parametrize(("served", "status", "verifier", "code", "outcome", "location", "fragment"), PROBLEMS)
def test_problems(served: tuple[tuple[str, Any], ...], status: dict[str, Any], verifier: Any, code: StatusCode,
                  outcome: Outcome, location: str, fragment: str) -> None:
    result = one(credential(status), serve(*served), verifier)
    assert result.problem is not None, result
    assert result.verdict is StatusVerdict.UNKNOWN
    assert (result.problem.code, result.outcome, result.location) == (code, outcome, location)
    assert fragment in result.describe()
    assert result.reason == code.value
    assert result.outcome is not Outcome.PASSED


def test_retrieval_failure_never_passes_whatever_the_fetcher_raises() -> None:
    for error in (OSError("refused"), TimeoutError(), ValueError("bad url"), KeyError(LIST)):
        def fetch(url: str, error: Exception = error) -> bytes:
            raise error
        result = one(credential(bitstring_entry(LIST, 1)), fetch)
        assert result.problem is not None and result.problem.code is StatusCode.STATUS_RETRIEVAL_ERROR
        assert result.outcome is Outcome.CANT_TELL


def test_fetcher_returning_no_bytes_is_our_error() -> None:
    result = one(credential(bitstring_entry(LIST, 1)), lambda url: {"not": "bytes"})
    assert result.outcome is Outcome.ERROR


def test_the_verifier_sees_the_fetched_document_and_bytes() -> None:
    seen: list[tuple[Mapping[str, Any], bytes]] = []

    def record(document: Mapping[str, Any], raw: bytes) -> bool:
        seen.append((document, raw))
        return True

    fetch = serve((LIST, REVOCATION_LIST))
    one(credential(bitstring_entry(LIST, 1)), fetch, record)
    assert seen == [(REVOCATION_LIST, fetch(LIST))]


def test_a_jwt_secured_list_is_decoded_and_verified_in_compact_form() -> None:
    import base64

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    compact = f"{part({'alg': 'ES256', 'typ': 'vc+jwt'})}.{part(REVOCATION_LIST)}.c2ln"
    raws: list[bytes] = []
    result = one(credential(bitstring_entry(LIST, REVOKED_INDEX)), serve((LIST, compact.encode())),
                 lambda d, raw: raws.append(raw) or True)
    assert result.verdict is StatusVerdict.REVOKED
    assert raws == [compact.encode()]


def test_a_cache_fetches_and_verifies_each_list_once() -> None:
    calls: list[str] = []
    inner = serve((LIST, REVOCATION_LIST))

    def counting_fetch(url: str) -> bytes:
        calls.append(url)
        return inner(url)

    cache: dict[tuple[str, str], Any] = {}
    document = credential(bitstring_entry(LIST, REVOKED_INDEX), bitstring_entry(LIST, 1))
    first = check_credential_status(document, fetch=counting_fetch, verify_credential=accept, now=NOW, cache=cache)
    second = check_credential_status(document, fetch=counting_fetch, verify_credential=accept, now=NOW, cache=cache)
    assert [r.verdict for r in first] == [StatusVerdict.REVOKED, StatusVerdict.VALID]
    assert first == second
    assert calls == [LIST]


def test_a_failed_fetch_is_cached_too() -> None:
    cache: dict[tuple[str, str], Any] = {}
    calls: list[str] = []

    def failing(url: str) -> bytes:
        calls.append(url)
        raise OSError("down")

    for _ in range(2):
        result = one(credential(bitstring_entry(LIST, 1)), failing, cache=cache)
        assert result.problem is not None and result.problem.code is StatusCode.STATUS_RETRIEVAL_ERROR
    assert calls == [LIST]


def test_entries_are_judged_one_by_one() -> None:
    document = credential(
        bitstring_entry(LIST, REVOKED_INDEX),
        {"type": "BitstringStatusListEntry"},
        bitstring_entry("https://issuer.example/gone", 1),
    )
    results = check_credential_status(document, fetch=serve((LIST, REVOCATION_LIST)), verify_credential=accept, now=NOW)
    assert [r.reason for r in results] == ["revoked", "MALFORMED_VALUE_ERROR", "STATUS_RETRIEVAL_ERROR"]
    assert [r.pointer for r in results] == ["/credentialStatus/0", "/credentialStatus/1", "/credentialStatus/2"]
    assert check_credential_status({"id": "x"}, fetch=serve(), verify_credential=accept) == ()


REVOKED_ID = "urn:uuid:revoked"
RL_URL = "https://issuer.example/revocations"
RL_ENTRY = {"id": RL_URL, "type": "1EdTechRevocationList"}

REVOCATION_LISTS = [
    # (list document, credential id, expected verdict)
    (revocation_list_document([REVOKED_ID]), REVOKED_ID, StatusVerdict.REVOKED),
    (revocation_list_document([REVOKED_ID]), "urn:uuid:fine", StatusVerdict.VALID),
    (revocation_list_document([], not_revoked=[REVOKED_ID]), REVOKED_ID, StatusVerdict.VALID),
    ({"revokedCredentials": [REVOKED_ID]}, REVOKED_ID, StatusVerdict.REVOKED),
    ([REVOKED_ID, "urn:uuid:other"], REVOKED_ID, StatusVerdict.REVOKED),
    ([{"id": REVOKED_ID, "revoked": True}], REVOKED_ID, StatusVerdict.REVOKED),
    ({"credentialSubject": {"revokedCredential": [{"id": REVOKED_ID}]}}, REVOKED_ID, StatusVerdict.REVOKED),
    ({"revokedCredential": []}, REVOKED_ID, StatusVerdict.VALID),
]


@pytest.mark.parametrize(("listed", "credential_id", "verdict"), REVOCATION_LISTS)
def test_1edtech_revocation_list(listed: Any, credential_id: str, verdict: StatusVerdict) -> None:
    result = one(credential(RL_ENTRY, credential_id=credential_id), serve((RL_URL, listed)), None)
    assert result.verdict is verdict and result.problem is None
    assert result.outcome is (Outcome.FAILED if verdict is StatusVerdict.REVOKED else Outcome.PASSED)
    assert RL_URL in result.describe()


RL_PROBLEMS = [
    ({"revokedCredential": [{"name": "x"}]}, "(status list)/revokedCredential/0", "a string id"),
    ({"revokedCredential": [{"id": REVOKED_ID, "revoked": "yes"}]}, "(status list)/revokedCredential/0/revoked",
     "a boolean"),
    ({"something": []}, "(status list)", "no revokedCredential or revokedCredentials"),
    ([1], "(status list)/0", "a string id"),
]


@pytest.mark.parametrize(("listed", "location", "fragment"), RL_PROBLEMS)
def test_1edtech_revocation_list_problems(listed: Any, location: str, fragment: str) -> None:
    result = one(credential(RL_ENTRY, credential_id=REVOKED_ID), serve((RL_URL, listed)), None)
    assert result.problem is not None
    assert (result.problem.code, result.location) == (StatusCode.MALFORMED_VALUE_ERROR, location)
    assert fragment in result.describe()


def test_1edtech_list_needs_a_credential_id_and_a_reachable_list() -> None:
    no_id = check_credential_status({"credentialStatus": RL_ENTRY}, fetch=serve((RL_URL, [])), verify_credential=None)
    assert no_id[0].problem is not None and no_id[0].location == "/id"
    unreachable = one(credential(RL_ENTRY), serve(), None)
    assert unreachable.outcome is Outcome.CANT_TELL


def test_1edtech_list_with_a_proof_is_verified_when_a_verifier_is_given() -> None:
    signed = {**revocation_list_document([]), "proof": {"type": "DataIntegrityProof"}}
    result = one(credential(RL_ENTRY, credential_id=REVOKED_ID), serve((RL_URL, signed)), reject)
    assert result.problem is not None and result.problem.code is StatusCode.STATUS_VERIFICATION_ERROR
    assert one(credential(RL_ENTRY), serve((RL_URL, signed)), accept).verdict is StatusVerdict.VALID
