"""OB30 checks on hostile shapes (never an error) and exact findings for the reference and JWT checks."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.formats.json_patch import apply_mutation
from conformance.support.securing.signing import jwt_of

VALID = Path(__file__).resolve().parents[4] / "vectors" / "ob" / "3.0" / "valid"
FULL = json.loads((VALID / "full.json").read_text(encoding="utf-8"))

HOSTILE: list[Any] = [None, 0, 1.5, True, "", "x", [], [None], {}, {"type": 7}, [[1]], {"id": {"nested": []}}]
# every place a class or a referenced value sits in the full document
PLACES = [
    "/@context", "/type", "/id", "/issuer", "/issuer/image", "/issuer/otherIdentifier", "/issuer/otherIdentifier/0",
    "/image", "/awardedDate", "/validFrom", "/validUntil", "/credentialSubject", "/credentialSubject/type",
    "/credentialSubject/identifier", "/credentialSubject/identifier/0", "/credentialSubject/identifier/0/hashed",
    "/credentialSubject/activityStartDate", "/credentialSubject/achievement", "/credentialSubject/achievement/type",
    "/credentialSubject/achievement/criteria", "/credentialSubject/achievement/alignment",
    "/credentialSubject/achievement/alignment/1", "/credentialSubject/achievement/alignment/1/targetType",
    "/credentialSubject/achievement/creator", "/credentialSubject/achievement/related",
    "/credentialSubject/achievement/inLanguage", "/credentialSubject/achievement/resultDescription",
    "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel",
    "/credentialSubject/achievement/resultDescription/0/id", "/credentialSubject/result",
    "/credentialSubject/result/1", "/credentialSubject/result/1/achievedLevel",
    "/credentialSubject/result/0/resultDescription", "/evidence", "/credentialSchema", "/credentialSchema/0",
    "/proof", "/proof/type", "/proof/proofPurpose",
]


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def ob30_findings(runner: Runner, data: bytes, name: str = "doc.json") -> list[Any]:
    (result,) = runner.run([BytesTarget("t", data, name)])
    # These tests change documents without re-signing them; signature verification has its own vectors and tests.
    return [f for f in result.findings if f.requirement.startswith("OB30-") and f.requirement != "OB30-proof-verifies"]


def failed(findings: list[Any]) -> list[tuple[str, str]]:
    return sorted((f.requirement, f.location) for f in findings if f.outcome is Outcome.FAILED)


@pytest.mark.parametrize("place", PLACES)
def test_hostile_values_never_raise(runner: Runner, place: str) -> None:
    for value in HOSTILE:
        document = apply_mutation(copy.deepcopy(FULL), {"op": "replace", "path": place, "value": value})
        findings = ob30_findings(runner, json.dumps(document).encode())
        errors = [(f.requirement, f.message) for f in findings if f.outcome is Outcome.ERROR]
        assert not errors, f"{place} = {value!r}: {errors}"


def test_hostile_jwt_header_and_claims_never_raise(runner: Runner) -> None:
    document = {k: v for k, v in FULL.items() if k != "proof"}
    for value in HOSTILE:
        token = jwt_of(document, {"style": "jwt-claims", "header": {"alg": value, "kid": value, "typ": value},
                                  "claims": {"iss": value, "nbf": value, "exp": value, "sub": value, "jti": value}})
        findings = ob30_findings(runner, token.encode(), "doc.jwt")
        assert not [f for f in findings if f.outcome is Outcome.ERROR], value


RS = "/credentialSubject/achievement/resultDescription"


@pytest.mark.parametrize(("mutations", "expected"), [
    # a level of another ResultDescription does not count when one is linked
    ([{"op": "replace", "path": "/credentialSubject/result/1/resultDescription",
       "value": "urn:uuid:0e2c6b8a-1f3d-4a5b-9c7e-6d5f4e3a2b10"}],
     [("OB30-result-achievedlevel-resolves", "/credentialSubject/result/1/achievedLevel")]),
    # with no link, any level of the achievement counts
    ([{"op": "remove", "path": "/credentialSubject/result/1/resultDescription"}], []),
    # a Status result must carry status; other results need not
    ([{"op": "remove", "path": "/credentialSubject/result/2/status"}],
     [("OB30-result-status-required", "/credentialSubject/result/2/status")]),
    ([{"op": "replace", "path": f"{RS}/2/resultType", "value": "ext:Attendance"},
      {"op": "remove", "path": "/credentialSubject/result/2/status"}], []),
    # a non-string reference fails rather than raising
    ([{"op": "replace", "path": "/credentialSubject/result/0/resultDescription", "value": ["x"]}],
     [("OB30-jsonschema-achievementcredential", "/credentialSubject/result/0/resultDescription"),
      ("OB30-result-resultdescription-resolves", "/credentialSubject/result/0/resultDescription")]),
    # md5 digests are accepted, in upper case too
    ([{"op": "replace", "path": "/credentialSubject/identifier/0/identityHash",
       "value": "md5$0123456789ABCDEF0123456789abcdef"}], []),
    ([{"op": "replace", "path": "/credentialSubject/identifier/0/identityHash", "value": "sha256$abc"}],
     [("OB30-identityhash-format", "/credentialSubject/identifier/0/identityHash")]),
    # upper-case CTIDs are not what the Registry issues
    ([{"op": "replace", "path": "/credentialSubject/achievement/alignment/1/targetCode",
       "value": "ce-1B7A0D3E-52C4-4F1D-9E6B-8A2C3D4E5F60"}],
     [("OB30-alignment-ctdl-ctid", "/credentialSubject/achievement/alignment/1/targetCode")]),
    # legacy Ed25519Signature2020 passes the cryptosuite rule
    ([{"op": "replace", "path": "/proof", "value": {"type": "Ed25519Signature2020", "proofPurpose": "assertionMethod",
                                                     "verificationMethod": "did:example:issuer#key-1",
                                                     "proofValue": "z3FXQ"}},
      {"op": "add", "path": "/@context/-", "value": "https://w3id.org/security/suites/ed25519-2020/v1"}], []),
])
def test_exact_findings(runner: Runner, mutations: list[dict[str, Any]], expected: list[tuple[str, str]]) -> None:
    document = copy.deepcopy(FULL)
    for mutation in mutations:
        document = apply_mutation(document, mutation)
    assert failed(ob30_findings(runner, json.dumps(document).encode())) == expected


def test_jwt_nbf_ignores_fractional_seconds(runner: Runner) -> None:
    document = {k: v for k, v in FULL.items() if k != "proof"}
    document["validFrom"] = "2025-05-02T16:00:00.750Z"
    token = jwt_of(document, {"style": "jwt-claims", "claims": {"nbf": 1746201600}})
    assert failed(ob30_findings(runner, token.encode(), "doc.jwt")) == []
    token = jwt_of(document, {"style": "jwt-claims", "claims": {"nbf": 1746201601}})
    assert failed(ob30_findings(runner, token.encode(), "doc.jwt")) == [("OB30-jwt-nbf", "/nbf")]


ADDED = ["/endorsement", "/credentialSubject/achievement/endorsement", "/issuer/endorsementJwt", "/issuer/parentOrg",
         "/credentialSubject/source", "/credentialSubject/achievement/creator/parentOrg",
         "/credentialSubject/achievement/otherIdentifier/0/extra"]
ENDORSEMENT = json.loads((VALID / "endorsement.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("place", ADDED)
def test_hostile_added_properties_never_raise(runner: Runner, place: str) -> None:
    for value in [*HOSTILE, [ENDORSEMENT, 3, "a.b.c"], {"parentOrg": {"parentOrg": {}}}]:
        document = apply_mutation(copy.deepcopy(FULL), {"op": "add", "path": place, "value": value})
        findings = ob30_findings(runner, json.dumps(document).encode())
        assert not [f for f in findings if f.outcome is Outcome.ERROR], f"{place} = {value!r}"


@pytest.mark.parametrize("place", ["/type", "/credentialSubject", "/credentialSubject/id", "/issuer", "/name"])
def test_hostile_endorsement_values_never_raise(runner: Runner, place: str) -> None:
    for value in HOSTILE:
        document = apply_mutation(copy.deepcopy(ENDORSEMENT), {"op": "replace", "path": place, "value": value})
        findings = ob30_findings(runner, json.dumps(document).encode())
        assert not [f for f in findings if f.outcome is Outcome.ERROR], f"{place} = {value!r}"
