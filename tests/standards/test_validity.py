"""Validity at the judging instant (issue 12): VCDM20/VCDM11 (should), VCDM11-jwt, OB30 and CLR20 (must).

Each rule judges one instant, the run's; the messages name it and the date that decides, at the date's location.
The data-model profile leaves the rules out: an expired credential can still be a conformant document.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.core.findings import Finding, Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import BytesTarget
from conformance.support.securing.signing import jwt_of, sign_document
from conformance.support.securing.verifier import VerificationOptions, parse_instant
from tests.documents import minimal_badge

AT = "2026-12-07T17:00:00Z"
RULES = ("VCDM20-valid-at-instant", "VCDM11-valid-at-instant", "VCDM11-jwt-valid-at-instant",
         "OB30-verification-validity-period", "CLR20-verification-validity-period", "CLR20-revocation-list-status")


def judge(env: Environment, document: dict[str, Any] | str, *, at: str = AT, profile: str = "default") -> SubjectResult:
    run_env = env.with_options(VerificationOptions(now=parse_instant(at)))
    data = document.encode() if isinstance(document, str) else json.dumps(document).encode()
    (result,) = Runner(run_env, run_env.profile(profile)).run([BytesTarget(id="doc", data=data, name="doc")])
    return result


def of(result: SubjectResult, requirement: str) -> list[Finding]:
    return [f for f in result.findings if f.requirement == requirement]


def signed_badge(env: Environment, **changes: Any) -> dict[str, Any]:
    badge = {**minimal_badge(), **changes}
    return sign_document(badge, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)


def test_an_expired_badge_fails_verification_at_the_instant_naming_both_dates(env: Environment) -> None:
    badge = signed_badge(env, validUntil="2019-01-01T00:00:00Z")
    result = judge(env, badge)
    (finding,) = [f for f in of(result, "OB30-verification-validity-period") if f.outcome is Outcome.FAILED]
    assert finding.location == "/validUntil"
    assert finding.message == ("validUntil 2019-01-01T00:00:00Z is before the judging instant 2026-12-07T17:00:00Z: "
                               "the credential has expired")
    (should,) = [f for f in of(result, "VCDM20-valid-at-instant") if f.outcome is Outcome.FAILED]
    assert should.location == "/validUntil" and result.levels["VCDM20-valid-at-instant"] == "should"
    assert result.verdict is Verdict.FAIL


def test_the_same_badge_passes_at_an_instant_inside_its_period(env: Environment) -> None:
    badge = signed_badge(env, validUntil="2030-01-01T00:00:00Z")
    result = judge(env, badge)
    assert result.verdict is Verdict.PASS, [f.message for f in result.findings if f.outcome is Outcome.FAILED]
    notes = {f.location: f.message for f in of(result, "OB30-verification-validity-period")}
    assert notes == {
        "/validFrom": "validFrom 2025-06-01T09:00:00Z is not after the judging instant 2026-12-07T17:00:00Z",
        "/validUntil": "validUntil 2030-01-01T00:00:00Z is not before the judging instant 2026-12-07T17:00:00Z"}
    assert judge(env, badge, at="2030-01-01T00:00:01Z").verdict is Verdict.FAIL


def test_an_expired_credential_is_still_a_conformant_document(env: Environment) -> None:
    badge = {**minimal_badge(), "validUntil": "2025-12-31T00:00:00Z"}
    assert judge(env, badge).verdict is Verdict.FAIL
    result = judge(env, badge, profile="data-model")
    assert not [f for f in result.findings if f.requirement in RULES]
    assert result.verdict is Verdict.PASS


@pytest.mark.parametrize(("valid_until", "outcome"), [
    ("2026-12-07T17:00:00Z", Outcome.PASSED),           # validUntil is the last instant the credential holds
    ("2026-12-07T18:00:00+01:00", Outcome.PASSED),      # the same instant, another offset
    ("2026-12-07T16:59:59Z", Outcome.FAILED),
    ("2026-12-07T16:59:59.999Z", Outcome.FAILED),
])
def test_the_end_of_the_period_gets_no_allowance(env: Environment, valid_until: str, outcome: Outcome) -> None:
    result = judge(env, signed_badge(env, validUntil=valid_until))
    assert {f.outcome for f in of(result, "OB30-verification-validity-period") if f.location == "/validUntil"} \
        == {outcome}


@pytest.mark.parametrize(("valid_from", "outcome", "note"), [
    ("2026-12-07T17:04:59Z", Outcome.PASSED, "by less than the 5 minutes of clock skew allowed"),
    ("2026-12-07T17:05:01Z", Outcome.FAILED, "is after the judging instant 2026-12-07T17:00:00Z: the credential is "
                                             "not valid yet"),
])
def test_the_start_of_the_period_gets_the_proof_clock_skew(env: Environment, valid_from: str, outcome: Outcome,
                                                           note: str) -> None:
    badge = sign_document({**minimal_badge(), "validFrom": valid_from},
                          [{"key": "issuer-ed25519", "created": "2026-12-07T16:00:00Z"}], env.verifier.canonicalizer)
    (finding,) = [f for f in of(judge(env, badge), "OB30-verification-validity-period") if f.location == "/validFrom"]
    assert finding.outcome is outcome and note in finding.message


def test_a_date_that_names_no_instant_is_undecided_not_passed(env: Environment) -> None:
    result = judge(env, signed_badge(env, validUntil="next spring"))
    (finding,) = [f for f in of(result, "OB30-verification-validity-period") if f.location == "/validUntil"]
    assert finding.outcome is Outcome.CANT_TELL
    assert "judging instant 2026-12-07T17:00:00Z cannot be told" in finding.message
    assert "VCDM20-valid-until-datetime-stamp" in finding.message
    assert result.verdict is Verdict.FAIL           # the format rule fails the document itself


def test_a_credential_without_dates_has_an_open_period(env: Environment) -> None:
    badge = minimal_badge()
    del badge["validFrom"]
    result = judge(env, sign_document(badge, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer))
    assert {f.outcome for f in of(result, "VCDM20-valid-at-instant")} == {Outcome.INAPPLICABLE}


def _jwt_badge(env: Environment, **claims: Any) -> str:
    document = {**minimal_badge(), "validUntil": "2026-12-07T16:59:30Z"}
    return jwt_of(document, {"style": "jwt-claims", "key": "issuer-ed25519", "claims": claims})


def test_jwt_exp_and_nbf_get_the_jwt_leeway(env: Environment) -> None:
    result = judge(env, _jwt_badge(env))
    findings = {f.location: f for f in of(result, "OB30-verification-validity-period")}
    assert findings["/exp"].outcome is Outcome.PASSED
    assert "within the 60 seconds of leeway" in findings["/exp"].message
    assert findings["/validUntil"].outcome is Outcome.FAILED          # the credential's own date gets none
    late = judge(env, _jwt_badge(env), at="2026-12-07T17:00:31Z")
    (exp,) = [f for f in of(late, "OB30-verification-validity-period") if f.location == "/exp"]
    assert exp.outcome is Outcome.FAILED and exp.expected == "an exp after the judging instant 2026-12-07T17:00:31Z"
    assert exp.message.startswith("the exp claim 1796662770 (2026-12-07T16:59:30Z) is before the judging instant "
                                  "2026-12-07T17:00:31Z")


def test_a_vc_jwt_11_is_judged_once_on_its_claims(env: Environment) -> None:
    credential = {"@context": ["https://www.w3.org/2018/credentials/v1"],
                  "id": "urn:uuid:2b0f3c1e-1a2b-4c3d-9e8f-000000000001",
                  "type": ["VerifiableCredential"], "issuer": "did:example:registrar",
                  "issuanceDate": "2024-06-14T15:30:00Z", "expirationDate": "2025-06-14T15:30:00Z",
                  "credentialSubject": {"id": "did:example:learner"}}
    token = jwt_of(credential, {"style": "vc-jwt-1.1", "key": "issuer-ed25519"})
    result = judge(env, token)
    (failed,) = [f for f in result.findings if f.outcome is Outcome.FAILED and f.requirement in RULES]
    assert (failed.requirement, failed.location) == ("VCDM11-jwt-valid-at-instant", "(JWT claims)/exp")
    assert {f.outcome for f in of(result, "VCDM11-valid-at-instant")} == {Outcome.INAPPLICABLE}
    assert result.levels["VCDM11-jwt-valid-at-instant"] == "must"


def test_an_embedded_endorsement_is_judged_at_its_own_location(env: Environment) -> None:
    endorsement = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f81",
        "type": ["VerifiableCredential", "EndorsementCredential"], "name": "Employers endorse the course",
        "issuer": {"id": "https://employers.example.org", "type": ["Profile"]},
        "validFrom": "2025-01-15T12:00:00Z", "validUntil": "2025-06-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.edu/achievements/weld-1", "type": ["EndorsementSubject"]}}
    badge = minimal_badge()
    badge["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    signed = sign_document(badge, [{"at": "/credentialSubject/achievement/endorsement/0", "key": "other-ed25519"},
                                   {"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    result = judge(env, signed)
    failed = [f for f in of(result, "OB30-verification-validity-period") if f.outcome is Outcome.FAILED]
    assert [f.location for f in failed] == ["/credentialSubject/achievement/endorsement/0/validUntil"]


def test_without_a_fixed_instant_the_clock_is_read(env: Environment) -> None:
    badge = signed_badge(env, validUntil="2019-01-01T00:00:00Z")
    (result,) = Runner(env, env.profile("default")).run(
        [BytesTarget(id="doc", data=json.dumps(badge).encode(), name="doc")])
    (finding,) = [f for f in of(result, "OB30-verification-validity-period") if f.outcome is Outcome.FAILED]
    assert "is before the judging instant" in finding.message
