"""VCDM20 and VCJOSE10 checks: exact findings for tricky inputs, helper predicates, and no suite defect on
hostile shapes."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards.vcdm.v2_0._shapes import (
    data_url_media_type,
    instant,
    is_media_type,
    is_multibase,
    is_sri_digest,
)
from conformance.support.securing.signing import jwt_of
from conformance.support.securing.verifier import VerificationOptions

VECTORS = Path(__file__).resolve().parents[4] / "vectors"
VALID = VECTORS / "vcdm" / "2.0" / "valid"
MINIMAL = json.loads((VALID / "minimal.json").read_text(encoding="utf-8"))
FULL = json.loads((VALID / "full.json").read_text(encoding="utf-8"))
PRESENTATION = json.loads((VALID / "presentation.json").read_text(encoding="utf-8"))
JOSE_VALID = VECTORS / "vc-jose-cose" / "1.0" / "valid"
JOSE_CREDENTIAL = json.loads((JOSE_VALID / "credential.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def findings(runner: Runner, data: bytes,
             prefixes: tuple[str, ...] = ("VCDM20-", "VCJOSE10-")) -> set[tuple[str, str]]:
    """(requirement, location) of each failed or errored finding of the given standards."""
    (result,) = list(runner.run([BytesTarget("t", data, "t")]))
    return {(f.requirement, f.location) for f in result.findings
            if f.requirement.startswith(prefixes) and f.outcome in (Outcome.FAILED, Outcome.ERROR)}


def as_json(document: Any) -> bytes:
    return json.dumps(document).encode()


# --- helpers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("1970-01-01T00:00:00Z", 0),
    ("2024-06-14T17:30:00+02:00", 1718379000),
    ("2024-06-14T10:30:00-05:00", 1718379000),
    ("2024-06-14T15:30:00.5Z", Fraction(1718379000) + Fraction(1, 2)),
    ("2000-02-28T24:00:00Z", 951782400),                         # 24:00:00 is the next midnight
])
def test_instant_reads_datetime_stamps(text: str, seconds: Any) -> None:
    assert instant(text) == seconds


@pytest.mark.parametrize("text", ["2024-06-14T15:30:00", "2024-06-14", "2024-06-14T24:00:01Z", 0, None])
def test_instant_rejects_values_without_offset_or_time(text: Any) -> None:
    assert instant(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", True),
    ("sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb", True),
    ("sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb?ct=application/json", True),
    ("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= "
     "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb", True),
    ("sha384-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", False),     # a sha256-sized digest
    ("SHA256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", False),
    ("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", False),
    ("sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", False),       # base64url is not SRI's alphabet
    ("", False), (None, False), (["sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="], False),
])
def test_sri_digests(value: Any, expected: bool) -> None:
    assert is_sri_digest(value) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("uEiDjsMRCmPwcFJr79MiZb7kkJ65B5GSbk0yklZkbeFK4VQ", True),
    ("zQmWvQxTqbG2Z9HPJgG57jjwR154cKhbtJenbyYTWkjgF3e", True),
    ("z0OIl", False), ("u", False), ("f1220e3b0c442", False), ("uEiD+/", False), (7, False),
])
def test_multibase(value: Any, expected: bool) -> None:
    assert is_multibase(value) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("data:application/vc+jwt,eyJ", "application/vc+jwt"),
    ("DATA:Application/VC+JWT;base64,ZXlK", "application/vc+jwt"),
    ("data:,hello", ""),
    ("data:application/vc+jwt", None),                               # no comma: no data part
    ("https://example.edu/c.jwt", None), (None, None),
])
def test_data_url_media_type(value: Any, expected: str | None) -> None:
    assert data_url_media_type(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("image/png", True), ("application/ld+json; charset=utf-8", True),
    ("png", False), ("image/", False), (3, False),
])
def test_media_types(value: Any, expected: bool) -> None:
    assert is_media_type(value) is expected


# --- exact findings -----------------------------------------------------------------------------------------

def test_self_asserted_credential_is_secured_by_its_presentation(runner: Runner) -> None:
    presentation = copy.deepcopy(PRESENTATION)
    del presentation["verifiableCredential"][0]["proof"]
    presentation["verifiableCredential"][0]["issuer"] = {"id": "did:example:learner-4f7a21"}
    presentation["holder"] = {"id": "did:example:learner-4f7a21"}
    assert findings(runner, as_json(presentation)) == set()


def test_self_asserted_credential_in_unsigned_presentation_is_not_secured(runner: Runner) -> None:
    presentation = copy.deepcopy(PRESENTATION)
    del presentation["verifiableCredential"][0]["proof"]
    del presentation["proof"]
    presentation["verifiableCredential"][0]["issuer"] = "did:example:learner-4f7a21"
    assert findings(runner, as_json(presentation)) == {
        ("VCDM20-secured", "/proof"),
        ("VCDM20-secured", "/verifiableCredential/0/proof"),
    }


def test_undefined_terms_inside_a_presented_credential_are_reported_once(runner: Runner) -> None:
    presentation = copy.deepcopy(PRESENTATION)
    presentation["verifiableCredential"][0]["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    assert findings(runner, as_json(presentation)) == {
        ("VCDM20-terms-defined", "/verifiableCredential/0/credentialSubject/completedCourse"),
        ("VCDM20-terms-defined", "/verifiableCredential/0/type/1"),
    }


def test_language_values_inside_a_presented_credential_are_reported_once(runner: Runner) -> None:
    presentation = copy.deepcopy(PRESENTATION)
    presentation["verifiableCredential"][0]["name"] = {"@value": "Statistik", "@language": "de_DE"}
    assert findings(runner, as_json(presentation)) == {
        ("VCDM20-language-tag-wellformed", "/verifiableCredential/0/name/@language"),
    }


def test_every_broken_part_is_located(runner: Runner) -> None:
    document = copy.deepcopy(FULL)
    duplicate = document["relatedResource"][0]["id"]
    document["relatedResource"].append({"id": duplicate, "digestMultibase": ["zabc", "mAB"]})
    document["evidence"].append("https://example.edu/evidence/2")
    assert findings(runner, as_json(document)) == {
        ("VCDM20-related-resource-unique-ids", "/relatedResource/2/id"),
        ("VCDM20-related-resource-multibase", "/relatedResource/2/digestMultibase/1"),
        ("VCDM20-evidence-type", "/evidence/1"),
    }


def test_enveloped_presentation_needs_a_vp_media_type(runner: Runner) -> None:
    envelope = json.loads((VALID / "enveloped.json").read_text(encoding="utf-8"))
    envelope["type"] = "EnvelopedVerifiablePresentation"
    assert findings(runner, as_json(envelope), ("VCDM20-",)) == {("VCDM20-enveloped-media-type", "/id")}


def test_validity_order_compares_instants_not_text(env: Environment) -> None:
    # judged at an instant inside the period, so only the order rule speaks (validity at the instant is apart)
    runner = Runner(env.with_options(VerificationOptions(now=datetime(2024, 12, 31, 23, 40, tzinfo=UTC))),
                    env.profile("default"))
    document = copy.deepcopy(MINIMAL)
    document["validFrom"] = "2025-01-01T00:30:00+01:00"      # 2024-12-31T23:30:00Z
    document["validUntil"] = "2024-12-31T23:45:00Z"
    assert findings(runner, as_json(document)) == set()
    document["validUntil"] = "2024-12-31T23:15:00Z"
    assert findings(runner, as_json(document)) == {("VCDM20-validity-order", "/validUntil"),
                                                   ("VCDM20-valid-at-instant", "/validUntil")}


@pytest.mark.parametrize(("header", "claims", "expected"), [
    ({"typ": "VC+JWT"}, {}, set()),
    ({"typ": "vc+ld+jwt"}, {}, {("VCJOSE10-typ", "(JWS header)/typ")}),
    ({"alg": "NONE"}, {}, {("VCJOSE10-alg-not-none", "(JWS header)/alg")}),
    ({}, {"iss": "did:example:ebfeb1f712ebc6f1c276e12ec21", "nbf": True},
     {("VCJOSE10-time-claims-numeric", "/nbf")}),
    ({"kid": "did:example:ebfeb1f712ebc6f1c276e12ec21#key-1"}, {"vp": {}, "vc": {}},
     {("VCJOSE10-no-vc-vp-claims", "/vc"), ("VCJOSE10-no-vc-vp-claims", "/vp")}),
])
def test_vc_jose_header_and_claims(runner: Runner, header: dict[str, Any], claims: dict[str, Any],
                                   expected: set[tuple[str, str]]) -> None:
    token = jwt_of(JOSE_CREDENTIAL, {"style": "vc-jose", "header": header, "claims": claims})
    assert findings(runner, token.encode(), ("VCJOSE10-",)) == expected


# --- hostile shapes -----------------------------------------------------------------------------------------

HOSTILE = ["x", 5, 1.5, None, True, [], [None], {}, [{}], {"id": []}, {"@value": 3, "@language": 5},
           {"type": [None]}]
KEYS = ["@context", "id", "type", "issuer", "name", "description", "validFrom", "validUntil",
        "credentialSubject", "credentialStatus", "credentialSchema", "evidence", "termsOfUse",
        "refreshService", "relatedResource", "renderMethod", "confidenceMethod", "proof", "holder",
        "verifiableCredential"]


@pytest.mark.parametrize("key", KEYS)
def test_hostile_values_never_break_a_check(runner: Runner, key: str) -> None:
    for base in (FULL, PRESENTATION):
        for value in HOSTILE:
            document = copy.deepcopy(base)
            document[key] = value
            for data in (as_json(document), jwt_of(document, {"style": "vc-jose"}).encode()):
                (result,) = list(runner.run([BytesTarget("t", data, "t")]))
                defects = [f for f in result.findings if f.outcome is Outcome.ERROR and "raised" in f.message]
                assert not defects, (key, value, defects[0].message)
