"""CLR20 checks: exact findings for inputs the vectors cannot reach cleanly, and no suite defect on hostile shapes."""
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
from conformance.standards.clr.v2_0._shapes import (
    CLR_CONTEXT,
    OB_CONTEXT,
    achievement_ids,
    context_version,
    is_identity_hash,
)
from conformance.support.formats.json_patch import apply_mutation
from conformance.support.securing.signing import jwt_of

VALID = Path(__file__).resolve().parents[4] / "vectors" / "clr" / "2.0" / "valid"
FULL = json.loads((VALID / "clr-full.json").read_text(encoding="utf-8"))
NESTED = FULL["credentialSubject"]["verifiableCredential"][1]


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def clr20_findings(runner: Runner, document: Any) -> list[tuple[str, str, str]]:
    (result,) = list(runner.run([BytesTarget("t", json.dumps(document).encode(), "t.json")]))
    return sorted((f.requirement, str(f.outcome), f.location) for f in result.findings
                  if f.requirement.startswith("CLR20-") and f.outcome in (Outcome.FAILED, Outcome.ERROR))


def mutated(*mutations: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(FULL)
    for mutation in mutations:
        document = apply_mutation(document, mutation)
    return document


def jws(document: dict[str, Any]) -> str:
    return jwt_of(document, {"style": "jwt-claims"})


@pytest.mark.parametrize(("url", "pattern", "unversioned", "version"), [
    ("https://purl.imsglobal.org/spec/clr/v2p0/context.json", CLR_CONTEXT, (2, 0, 0), (2, 0, 0)),
    ("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", CLR_CONTEXT, (2, 0, 0), (2, 0, 1)),
    ("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.10.json", CLR_CONTEXT, (2, 0, 0), (2, 0, 10)),
    ("https://purl.imsglobal.org/spec/clr/v2p0/context-3.0.0.json", CLR_CONTEXT, (2, 0, 0), None),
    ("http://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", CLR_CONTEXT, (2, 0, 0), None),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", OB_CONTEXT, (3, 0, 0), (3, 0, 3)),
    ("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", OB_CONTEXT, (3, 0, 0), None),
    ({"@vocab": "https://example.edu/"}, OB_CONTEXT, (3, 0, 0), None),
])
def test_context_version(url: Any, pattern: Any, unversioned: tuple[int, int, int], version: Any) -> None:
    assert context_version(url, pattern, unversioned) == version


@pytest.mark.parametrize(("value", "expected"), [
    ("md5$" + "a" * 32, True), ("sha256$" + "F" * 64, True), ("sha256$" + "a" * 63, False),
    ("sha1$" + "a" * 40, False), ("SHA256$" + "a" * 64, False), ("sha256$" + "g" * 64, False), (None, False),
])
def test_identity_hash_format(value: Any, expected: bool) -> None:
    assert is_identity_hash(value) is expected


def test_achievement_ids_include_nested_jws_credentials() -> None:
    document = mutated({"op": "replace", "path": "/credentialSubject/verifiableCredential/1", "value": jws(NESTED)})
    assert achievement_ids(document) == {
        "https://courses.example.edu/achievements/ds-certificate",
        "https://courses.example.edu/achievements/stat-101",
        "https://courses.example.edu/achievements/cs-210",
    }


def test_type_without_clrcredential_fails(runner: Runner) -> None:
    document = mutated({"op": "replace", "path": "/type", "value": ["VerifiableCredential"]})
    assert ("CLR20-type-clrcredential", "failed", "/type") in clr20_findings(runner, document)


def test_nested_jws_with_wrong_type_fails_at_the_item(runner: Runner) -> None:
    endorsement_like = {**NESTED, "type": ["VerifiableCredential", "EndorsementCredential"]}
    document = mutated({"op": "replace", "path": "/credentialSubject/verifiableCredential/1",
                        "value": jws(endorsement_like)})
    findings = clr20_findings(runner, document)
    assert ("CLR20-nested-credential-type", "failed", "/credentialSubject/verifiableCredential/1") in findings
    assert not [f for f in findings if f[0] == "CLR20-nested-credential-secured"]


def test_undecodable_nested_string_fails_type_but_not_securing(runner: Runner) -> None:
    document = mutated({"op": "replace", "path": "/credentialSubject/verifiableCredential/1", "value": "not-a-jws"})
    findings = clr20_findings(runner, document)
    assert ("CLR20-nested-credential-type", "failed", "/credentialSubject/verifiableCredential/1") in findings
    assert not [f for f in findings if f[0] == "CLR20-nested-credential-secured"]


def test_enveloped_nested_credential_is_accepted(runner: Runner) -> None:
    enveloped = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                 "id": "data:application/vc+jwt," + jws(NESTED)}
    document = mutated({"op": "replace", "path": "/credentialSubject/verifiableCredential/1", "value": enveloped})
    findings = {f[0] for f in clr20_findings(runner, document)}
    assert not findings & {"CLR20-nested-credential-type", "CLR20-nested-credential-secured"}


def test_duplicate_ids_are_reported_once_per_repeat(runner: Runner) -> None:
    first = FULL["credentialSubject"]["achievement"][0]
    document = mutated({"op": "add", "path": "/credentialSubject/achievement/-", "value": first},
                       {"op": "add", "path": "/credentialSubject/achievement/-", "value": first})
    findings = [f for f in clr20_findings(runner, document) if f[0] == "CLR20-achievement-ids-unique"]
    assert findings == [("CLR20-achievement-ids-unique", "failed", "/credentialSubject/achievement/1/id"),
                        ("CLR20-achievement-ids-unique", "failed", "/credentialSubject/achievement/2/id")]


def test_identity_object_extra_property_is_located(runner: Runner) -> None:
    document = mutated({"op": "add", "path": "/credentialSubject/identifier/1/identityName", "value": "x"})
    findings = clr20_findings(runner, document)
    assert ("CLR20-subject-identifier-shape", "failed", "/credentialSubject/identifier/1/identityName") in findings


def test_safe_mode_ignores_problems_inside_nested_credentials(runner: Runner) -> None:
    document = mutated({"op": "add", "path": "/credentialSubject/verifiableCredential/0/credentialSubject/gpa",
                        "value": "3.9"})
    assert "CLR20-jsonld-safe-mode" not in {f[0] for f in clr20_findings(runner, document)}


def test_jwt_clr_counts_as_secured(runner: Runner) -> None:
    document = mutated({"op": "remove", "path": "/proof"})
    data = jwt_of(document, {"style": "jwt-claims"}).encode()
    (result,) = list(runner.run([BytesTarget("t", data, "t.jwt")]))
    outcomes = {(f.requirement, str(f.outcome)) for f in result.findings if f.requirement.startswith("CLR20-")}
    assert ("CLR20-secured", "passed") in outcomes
    assert ("CLR20-proof-purpose", "inapplicable") in outcomes


HOSTILE: list[Any] = [None, 0, 1.5, True, "", "x", [], [None], [1, "a", {}], {}, {"type": 7}, {"id": []}]
PATHS = ["/@context", "/type", "/name", "/issuer", "/validFrom", "/awardedDate", "/partial", "/proof",
         "/endorsement", "/credentialSubject", "/credentialSubject/type", "/credentialSubject/identifier",
         "/credentialSubject/achievement", "/credentialSubject/association", "/credentialSubject/verifiableCredential",
         "/credentialSubject/association/0", "/credentialSubject/association/0/sourceId",
         "/credentialSubject/achievement/0/id", "/credentialSubject/identifier/0", "/issuer/endorsement"]


@pytest.mark.parametrize("path", PATHS)
def test_hostile_values_never_raise(runner: Runner, path: str) -> None:
    """Errors may only say we could not evaluate (e.g. an unloadable context), never that a check raised."""
    for value in HOSTILE:
        if path == "/@context" and value in ("", "x"):
            continue    # engine defect, reported: pyld raises ValueError for a relative context IRI
        op = "add" if path in ("/endorsement", "/issuer/endorsement") else "replace"
        document = mutated({"op": op, "path": path, "value": value})
        (result,) = list(runner.run([BytesTarget("t", json.dumps(document).encode(), "t.json")]))
        raised = [(f.requirement, f.message) for f in result.findings
                  if f.requirement.startswith("CLR20-") and f.outcome is Outcome.ERROR and "raised" in f.message]
        assert raised == [], (path, value, raised)
