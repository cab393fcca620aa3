"""VCDM11 checks: exact findings for tricky inputs, and no suite defect on hostile shapes."""
from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards.vcdm.v1_1._shapes import instant, is_compact_jws
from conformance.support.securing.signing import jwt_of

VALID = Path(__file__).resolve().parents[4] / "vectors" / "vcdm" / "1.1" / "valid"
MINIMAL = json.loads((VALID / "minimal.json").read_text(encoding="utf-8"))
FULL = json.loads((VALID / "full.json").read_text(encoding="utf-8"))
PRESENTATION = json.loads((VALID / "presentation.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def vcdm11_findings(runner: Runner, data: bytes) -> list[tuple[str, str, str]]:
    (result,) = list(runner.run([BytesTarget("t", data, "t")]))
    return [(f.requirement, str(f.outcome), f.location) for f in result.findings
            if f.requirement.startswith("VCDM11-") and f.outcome in (Outcome.FAILED, Outcome.ERROR)]


@pytest.mark.parametrize(("text", "seconds"), [
    ("1970-01-01T00:00:00Z", 0),
    ("1970-01-01T00:00:00", 0),                                   # no offset: read as UTC
    ("2024-06-14T15:30:00Z", 1718379000),
    ("2024-06-14T17:30:00+02:00", 1718379000),
    ("2024-06-14T10:30:00-05:00", 1718379000),
    ("2024-06-14T15:30:00.25Z", Fraction(1718379000) + Fraction(1, 4)),
    ("2000-02-29T24:00:00Z", 951868800),                          # 24:00 is the next midnight
    ("1969-12-31T23:59:59Z", -1),
    ("0000-01-01T00:00:00Z", -62167219200),                       # XML Schema year 0 (1 BCE)
])
def test_instant_reads_xml_schema_datetimes(text: str, seconds: Any) -> None:
    assert instant(text) == seconds


@pytest.mark.parametrize("text", ["2024-06-14", "2024-13-01T00:00:00Z", "2024-06-14T24:00:01Z", "2024-06-14T15:30Z",
                                  "2024-06-14 15:30:00Z", 1718379000, None, ["2024-06-14T15:30:00Z"]])
def test_instant_rejects_other_values(text: Any) -> None:
    assert instant(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("eyJh.eyJi.", True), ("eyJh.eyJi.c2ln", True), ("eyJh..c2ln", False), ("https://example.edu/c/1", False),
    ("a.b.c.d", False), ("eyJh.eyJi.c2l=", False), (42, False),
])
def test_compact_jws_shape(value: Any, expected: bool) -> None:
    assert is_compact_jws(value) is expected


def _with(document: dict[str, Any], key: str, value: Any) -> bytes:
    changed = copy.deepcopy(document)
    changed[key] = value
    return json.dumps(changed).encode()


def test_subject_array_reports_each_bad_item(runner: Runner) -> None:
    data = _with(FULL, "credentialSubject", [{"id": "did:example:a"}, "did:example:b", {}])
    assert vcdm11_findings(runner, data) == [
        ("VCDM11-subject-objects", "failed", "/credentialSubject/1"),
        ("VCDM11-subject-objects", "failed", "/credentialSubject/2"),
    ]


def test_jwt_findings_of_embedded_vc_jwt_are_placed_in_the_presentation(runner: Runner) -> None:
    vp = copy.deepcopy(PRESENTATION)
    vp["verifiableCredential"][1] = jwt_of(MINIMAL, {"style": "vc-jwt-1.1", "claims": {"sub": "did:example:x"}})
    found = vcdm11_findings(runner, json.dumps(vp).encode())
    assert [(rid, outcome) for rid, outcome, _ in found] == [("VCDM11-jwt-sub-subject", "failed")]
    assert found[0][2].startswith("/verifiableCredential/1")


HOSTILE = [None, 0, -1.5, True, "", "not a uri", [], [None], [1, "x"], ["", "x"], {}, {"id": None, "type": 7}, [{}],
           [[]]]
KEYS = ["@context", "id", "type", "issuer", "issuanceDate", "expirationDate", "credentialSubject", "credentialStatus",
        "credentialSchema", "refreshService", "termsOfUse", "evidence", "proof", "validFrom"]


def _wrappable(key: str, value: Any) -> bool:
    # the vector wrapper reads type with `in`, so it cannot build a JWT around a numeric or boolean type
    return key != "type" or isinstance(value, str | list | dict) or value is None


@pytest.mark.parametrize("key", KEYS)
def test_hostile_shapes_never_break_a_check(runner: Runner, key: str) -> None:
    for value in HOSTILE:
        for carrier in ("json", "jwt") if _wrappable(key, value) else ("json",):
            document = json.loads(_with(FULL, key, value))
            data = (json.dumps(document).encode() if carrier == "json"
                    else jwt_of(document, {"style": "vc-jwt-1.1"}).encode())
            (result,) = list(runner.run([BytesTarget("t", data, "t")]))
            defects = [f for f in result.findings if "a defect in the suite" in f.message]
            assert not defects, (key, value, carrier, defects)


@pytest.mark.parametrize("key", ["verifiableCredential", "holder", "type", "id"])
def test_hostile_presentation_shapes_never_break_a_check(runner: Runner, key: str) -> None:
    for value in HOSTILE + [[42, "x.y.z", {"type": 5}]]:
        (result,) = list(runner.run([BytesTarget("t", _with(PRESENTATION, key, value), "t")]))
        defects = [f for f in result.findings if "a defect in the suite" in f.message]
        assert not defects, (key, value, defects)


@pytest.mark.parametrize("claims", [
    {"nbf": 10 ** 400}, {"exp": 1e308}, {"nbf": None}, {"exp": [1]}, {"iss": {"id": "x"}}, {"jti": 5},
    {"sub": ["did:example:a"]}, {"nbf": True},
])
def test_hostile_claims_never_break_a_check(runner: Runner, claims: dict[str, Any]) -> None:
    data = jwt_of(FULL, {"style": "vc-jwt-1.1", "claims_json": json.dumps(claims)}).encode()
    (result,) = list(runner.run([BytesTarget("t", data, "t")]))
    defects = [f for f in result.findings if "a defect in the suite" in f.message]
    assert not defects, (claims, defects)


@pytest.mark.parametrize("value", ["", "not a uri", ["https://www.w3.org/2018/credentials/v1", "examples-v1"]])
def test_relative_context_iri_is_not_a_suite_defect(runner: Runner, value: Any) -> None:
    (result,) = list(runner.run([BytesTarget("t", _with(MINIMAL, "@context", value), "t")]))
    assert not [f for f in result.findings if "a defect in the suite" in f.message]
