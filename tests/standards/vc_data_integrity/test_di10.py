"""DI10 checks where vectors cannot reach: the reason-to-step table, the one reason-to-outcome table, and results
that must never become a failure (an unreachable key, a canonicalization stopped by its work bound, a registered
cryptosuite the suite does not implement). The step semantics themselves are shown by vectors/vc-data-integrity/1.0."""
from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding, Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards import securing
from conformance.standards.vc_data_integrity import checks
from conformance.standards.vc_data_integrity.checks import STEP_OF_REASON, STEPS
from conformance.support.formats.json_patch import apply_mutation
from conformance.support.securing.jose import JOSE_REASONS
from conformance.support.securing.proofs import (
    OUTCOMES,
    REGISTERED_CRYPTOSUITES,
    Canonicalizer,
    Judgement,
    ProofResult,
    Reason,
    UnknownReason,
    VerificationResult,
    outcome_of,
)
from conformance.support.securing.signing import sign_document
from tests.conftest import artifacts_dir

BASES = Path(__file__).resolve().parents[3] / "vectors" / "vc-data-integrity" / "1.0" / "bases"
CREDENTIAL: dict[str, Any] = json.loads((BASES / "credential.json").read_text(encoding="utf-8"))
REASONS: frozenset[str] = frozenset(typing.get_args(Reason))
DI10_IDS = [rid for rid, _, _ in STEPS]
UNREACHABLE_METHOD = "did:web:unreachable.example.org#key-1"   # no manifest resource serves this DID


# --- the table from verifier reasons to verification steps ------------------------------------------------------

def test_every_reason_maps_to_exactly_one_step() -> None:
    claimed: dict[str, list[str]] = {}
    for requirement, reasons, _ in STEPS:
        for reason in reasons:
            claimed.setdefault(reason, []).append(requirement)
    unmapped = sorted(REASONS - claimed.keys())
    assert not unmapped, f"reason codes of conformance.support.securing.proofs.integrity.Reason that no DI10 step maps: {unmapped}"
    twice = {reason: steps for reason, steps in claimed.items() if len(steps) > 1}
    assert not twice, f"reason codes mapped to more than one DI10 step: {twice}"
    unknown = sorted(claimed.keys() - REASONS)
    assert not unknown, f"DI10 steps name reason codes the proof verifier never gives: {unknown}"


NOT_STEPS = {"DI10-cryptosuite-registered-name"}     # judged on the proof's name, not a stop of verification


def test_steps_follow_the_catalog_order(env: Environment) -> None:
    catalog_ids = [r.id for r in env.catalog.of_standard("DI10") if r.id not in NOT_STEPS]
    assert DI10_IDS == catalog_ids, f"expected STEPS in catalog order {catalog_ids}, found {DI10_IDS}"
    missing = [rid for rid in DI10_IDS if rid not in env.check_registry.checks]
    assert not missing, f"DI10 steps without a registered check: {missing}"


# --- the one table from reason to outcome ------------------------------------------------------------------------

def test_the_outcome_table_covers_every_reason_of_both_verifiers_and_nothing_else() -> None:
    given = REASONS | JOSE_REASONS
    assert not sorted(given - OUTCOMES.keys()), f"reasons without an outcome: {sorted(given - OUTCOMES.keys())}"
    assert not sorted(OUTCOMES.keys() - given), f"outcomes for no reason: {sorted(OUTCOMES.keys() - given)}"


@pytest.mark.parametrize(("reason", "judgement"), [
    ("signature-mismatch", Judgement.FAILED),
    ("unknown-cryptosuite", Judgement.FAILED),              # no specification defines the name
    ("unsupported-cryptosuite", Judgement.UNSUPPORTED),     # registered, not implemented by the suite
    ("unsupported-proof-type", Judgement.UNSUPPORTED),
    ("key-unsupported", Judgement.UNSUPPORTED),
    ("alg-unsupported", Judgement.UNSUPPORTED),
    ("crit-unsupported", Judgement.UNSUPPORTED),
    ("key-unavailable", Judgement.UNAVAILABLE),
    ("canonicalization-timeout", Judgement.NOT_EVALUATED),
    ("context-unavailable", Judgement.NOT_EVALUATED),
    (None, Judgement.VERIFIED),
])
def test_outcome_of_says_whose_problem_a_reason_is(reason: str | None, judgement: Judgement) -> None:
    assert outcome_of(reason) is judgement


def test_an_unlisted_reason_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownReason):
        outcome_of("invented-reason")


def test_undecided_outcomes_are_exactly_the_proof_verifier_indeterminate_results() -> None:
    for reason in sorted(REASONS):
        proof = ProofResult("/proof", False, typing.cast(Reason, reason))
        assert proof.indeterminate is outcome_of(reason).undecided, reason
    assert STEP_OF_REASON["key-unavailable"] == DI10_IDS.index("DI10-verification-method-resolves")


@pytest.mark.parametrize("reason", ["unsupported-cryptosuite", "key-unavailable", "canonicalization-timeout",
                                    "signature-mismatch"])
def test_di10_and_the_shared_findings_read_the_same_outcome(reason: str) -> None:
    """The step that a reason stops and OB30-proof-verifies give the same outcome for the same proof."""
    proof = ProofResult("/proof", False, typing.cast(Reason, reason), "why", proof_type="DataIntegrityProof",
                        cryptosuite="ecdsa-sd-2023", verification_method="did:web:example.org#key-1")
    (step,) = _findings(STEPS[STEP_OF_REASON[reason]][0], _subject(proof))
    (shared,) = securing.proof_findings(CheckContext("OB30-proof-verifies"), _subject(proof).data_integrity, None)
    assert step.outcome is shared.outcome, (step, shared)
    assert bool(step.limitation) is bool(shared.limitation) is (outcome_of(reason) is Judgement.UNSUPPORTED)


# --- the step rule on hand-made verifier results ----------------------------------------------------------------

def _subject(*proofs: ProofResult) -> Any:
    result = VerificationResult(all(p.verified for p in proofs), proofs,
                                next((p.reason for p in proofs if not p.verified), None))
    return SimpleNamespace(data_integrity=result, is_presentation=False)


def _findings(requirement: str, subject: Any) -> list[Finding]:
    step = DI10_IDS.index(requirement)
    return list(checks._step_findings(subject, CheckContext(requirement), step))


def test_each_proof_of_a_set_fails_only_its_own_step() -> None:
    subject = _subject(ProofResult("/proof/0", False, "wrong-purpose", "expected assertionMethod"),
                       ProofResult("/proof/1", False, "signature-mismatch", "does not match"),
                       ProofResult("/proof/2", True))
    purpose = _findings("DI10-proof-purpose", subject)
    assert [(f.outcome, f.location) for f in purpose] == [(Outcome.FAILED, "/proof/0/proofPurpose")]
    signature = _findings("DI10-signature-verifies", subject)
    assert [(f.outcome, f.location) for f in signature] == [(Outcome.CANT_TELL, "/proof/0"),
                                                            (Outcome.FAILED, "/proof/1/proofValue")]
    assert _findings("DI10-proof-well-formed", subject) == [], "steps before both stops hold for both proofs"


def test_a_proof_stopped_only_by_time_has_its_later_steps_judged() -> None:
    """DI10-proof-validity-period is a SHOULD that does not stop verification: the steps after it are judged by how
    the verifier's run past the time check ended, never left cantTell."""
    intact = ProofResult("/proof/0", False, "expired", "expired at 2025-02-01",
                         after_time=ProofResult("/proof/0", True))
    tampered = ProofResult("/proof/1", False, "created-in-future", "created 2026-06-01",
                           after_time=ProofResult("/proof/1", False, "signature-mismatch", "does not match"))
    stopped = ProofResult("/proof/2", False, "expired", "expired at 2025-02-01",
                          after_time=ProofResult("/proof/2", False, "context-mismatch", "proof context differs"))
    subject = _subject(intact, tampered, stopped)
    time = _findings("DI10-proof-validity-period", subject)
    assert [(f.outcome, f.location) for f in time] == [(Outcome.FAILED, "/proof/0"), (Outcome.FAILED, "/proof/1"),
                                                       (Outcome.FAILED, "/proof/2")]
    assert [(f.outcome, f.location) for f in _findings("DI10-proof-context", subject)] == [
        (Outcome.FAILED, "/proof/2/@context")]
    signature = _findings("DI10-signature-verifies", subject)
    assert [(f.outcome, f.location) for f in signature] == [(Outcome.FAILED, "/proof/1/proofValue"),
                                                            (Outcome.CANT_TELL, "/proof/2")]
    assert _findings("DI10-proof-purpose", subject) == [], "steps before the time check held for every proof"


def test_the_verifier_goes_on_past_an_expired_proof(env: Environment) -> None:
    result = env.verifier.data_integrity(_signed(env, expires="2025-02-01T00:00:00Z"), presentation=False)
    (proof,) = result.proofs
    assert not result.verified and proof.reason == "expired", "readers outside DI10 still see the time stop"
    assert proof.after_time is not None and proof.after_time.verified, proof.after_time


def test_a_reason_no_step_maps_is_an_error_not_a_pass() -> None:
    subject = _subject(ProofResult("/proof", False, typing.cast(Reason, "invented-reason"), "?"))
    for requirement in DI10_IDS:
        (finding,) = _findings(requirement, subject)
        assert finding.outcome is Outcome.ERROR, f"{requirement}: {finding}"
        assert "invented-reason" in finding.message


def test_an_empty_proof_list_fails_well_formed_only() -> None:
    subject = SimpleNamespace(data_integrity=VerificationResult(False, (), "no-proof", "expected at least one"),
                              is_presentation=False)
    (first,) = _findings("DI10-proof-well-formed", subject)
    assert first.outcome is Outcome.FAILED and first.location == "/proof"
    for requirement in DI10_IDS[1:]:
        assert [f.outcome for f in _findings(requirement, subject)] == [Outcome.CANT_TELL], requirement


# --- whole runs: results that are never a failure ---------------------------------------------------------------

def _di10(env: Environment, document: dict[str, Any]) -> dict[str, list[Finding]]:
    (result,) = list(Runner(env, env.profile("default")).run([BytesTarget("t", json.dumps(document).encode(),
                                                                          "doc.json")]))
    by_requirement: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.requirement.startswith("DI10-") and finding.outcome is not Outcome.PASSED:
            by_requirement.setdefault(finding.requirement, []).append(finding)
    return by_requirement


def _outcomes(findings: dict[str, list[Finding]]) -> dict[str, set[Outcome]]:
    return {rid: {f.outcome for f in found} for rid, found in findings.items()}


def _signed(env: Environment, *mutations: dict[str, Any], **step: Any) -> dict[str, Any]:
    document = copy.deepcopy(CREDENTIAL)
    for mutation in mutations:
        document = apply_mutation(document, mutation)
    return sign_document(document, [{"key": "issuer-ed25519", **step}], env.verifier.canonicalizer)


def test_the_signed_base_credential_passes_every_applicable_step(env: Environment) -> None:
    found = _outcomes(_di10(env, _signed(env)))
    assert found == {"DI10-presentation-challenge": {Outcome.INAPPLICABLE},
                     "DI10-presentation-domain": {Outcome.INAPPLICABLE}}, found


@pytest.mark.parametrize("online", [False, True], ids=["offline", "server-not-answering"])
def test_an_unreachable_key_is_cant_tell(online: bool) -> None:
    def not_answering(url: str) -> bytes:
        raise OSError(f"connection to {url} timed out")

    run_env = Environment.create(artifacts=artifacts_dir(), online=online, fetch=not_answering if online else None)
    found = _di10(run_env, _signed(run_env, method=UNREACHABLE_METHOD, issuer=False))
    outcomes = _outcomes(found)
    assert outcomes["DI10-verification-method-resolves"] == {Outcome.CANT_TELL}, found
    assert not any(Outcome.FAILED in o or Outcome.ERROR in o for o in outcomes.values()), found
    (resolves,) = found["DI10-verification-method-resolves"]
    assert resolves.location == "/proof/verificationMethod"
    assert "unreachable.example.org" in resolves.message


def test_a_canonicalization_over_its_work_bound_is_an_error(env: Environment) -> None:
    # two anonymous subjects with the same claims: their blank nodes hash alike, so RDFC-1.0 must run
    # Hash N-Degree Quads, which a work bound of one permutation stops
    twins = {"op": "replace", "path": "/credentialSubject",
             "value": [{"completedCourse": "Workplace Safety"}, {"completedCourse": "Workplace Safety"}]}
    document = _signed(env, twins)
    assert _outcomes(_di10(env, document)).get("DI10-signature-verifies") is None, "unbounded, the proof verifies"

    bounded = Environment.create(artifacts=artifacts_dir())
    bounded.verifier.canonicalizer = Canonicalizer(bounded.loader, expander=bounded.expander, max_work=1)
    found = _di10(bounded, document)
    outcomes = _outcomes(found)
    assert outcomes.get("DI10-signature-verifies") == {Outcome.ERROR}, found
    assert not any(Outcome.FAILED in o for o in outcomes.values()), found
    (error,) = found["DI10-signature-verifies"]
    assert "permutations" in error.message


@pytest.mark.parametrize("name", sorted(REGISTERED_CRYPTOSUITES))
def test_a_registered_cryptosuite_the_suite_does_not_implement_is_cant_tell(env: Environment, name: str) -> None:
    document = _signed(env)
    document["proof"]["cryptosuite"] = name
    found = _di10(env, document)
    outcomes = _outcomes(found)
    assert outcomes["DI10-cryptosuite-supported"] == {Outcome.CANT_TELL}, found
    assert not any(Outcome.FAILED in o or Outcome.ERROR in o for o in outcomes.values()), found
    (finding,) = found["DI10-cryptosuite-supported"]
    assert finding.location == "/proof/cryptosuite" and name in finding.message
    assert finding.limitation == f"the {name} cryptosuite", "reported as the suite's limitation"
    assert finding.message.startswith("the suite does not support")


def test_an_unregistered_cryptosuite_fails(env: Environment) -> None:
    document = _signed(env)
    document["proof"]["cryptosuite"] = "ecdsa-sd-2099"
    assert _outcomes(_di10(env, document))["DI10-cryptosuite-supported"] == {Outcome.FAILED}


def test_a_registered_legacy_proof_type_is_cant_tell(env: Environment) -> None:
    document = _signed(env)
    document["proof"]["type"] = "Ed25519Signature2018"
    del document["proof"]["cryptosuite"]
    found = _di10(env, document)
    outcomes = _outcomes(found)
    assert outcomes["DI10-cryptosuite-supported"] == {Outcome.CANT_TELL}, found
    assert not any(Outcome.FAILED in o or Outcome.ERROR in o for o in outcomes.values()), found
    assert {f.location for f in found["DI10-cryptosuite-supported"]} == {"/proof/type"}
    assert {f.limitation for f in found["DI10-cryptosuite-supported"]} == {"the Ed25519Signature2018 proof type"}


def test_a_legacy_proof_with_a_detached_jws_is_not_called_malformed(env: Environment) -> None:
    """Ed25519Signature2018 and JsonWebSignature2020 carry jws, not proofValue: their own rules, not DI10's."""
    document = _signed(env)
    document["proof"] = {"type": "JsonWebSignature2020", "created": "2025-01-15T12:00:00Z",
                         "verificationMethod": document["proof"]["verificationMethod"],
                         "proofPurpose": "assertionMethod", "jws": "eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl"}
    outcomes = _outcomes(_di10(env, document))
    assert outcomes["DI10-cryptosuite-supported"] == {Outcome.CANT_TELL}, outcomes
    assert "DI10-proof-well-formed" not in outcomes, outcomes


def test_a_did_method_the_suite_does_not_resolve_is_its_limitation(env: Environment) -> None:
    found = _di10(env, _signed(env, method="did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w#key-1",
                               issuer=False))
    (resolves,) = found["DI10-verification-method-resolves"]
    assert resolves.outcome is Outcome.CANT_TELL and resolves.limitation, resolves
    assert not any(f.outcome in (Outcome.FAILED, Outcome.ERROR) for fs in found.values() for f in fs), found


def _all(env: Environment, document: dict[str, Any], profile: str = "default") -> dict[str, list[Finding]]:
    (result,) = list(Runner(env, env.profile(profile)).run([BytesTarget("t", json.dumps(document).encode(),
                                                                        "doc.json")]))
    by_requirement: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.outcome is not Outcome.PASSED:
            by_requirement.setdefault(finding.requirement, []).append(finding)
    return by_requirement


@pytest.mark.parametrize("base", ["badge.json", "credential.json"])
def test_an_unsupported_cryptosuite_fails_no_rule_of_any_standard(env: Environment, base: str) -> None:
    """ecdsa-sd-2023 is accepted by OB 3.0: every rule that reads the proof says cantTell, none fails."""
    document = json.loads((BASES / base).read_text(encoding="utf-8"))
    document = sign_document(document, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    document["proof"]["cryptosuite"] = "ecdsa-sd-2023"
    found = _all(env, document)
    failed = {rid for rid, fs in found.items() if any(f.outcome in (Outcome.FAILED, Outcome.ERROR) for f in fs)}
    assert not failed, {rid: found[rid] for rid in failed}
    assert found["DI10-cryptosuite-supported"][0].limitation == "the ecdsa-sd-2023 cryptosuite"
    if base == "badge.json":
        (verifies,) = found["OB30-proof-verifies"]
        assert (verifies.outcome, verifies.limitation) == (Outcome.CANT_TELL, "the ecdsa-sd-2023 cryptosuite")


# --- eddsa-2022: the draft name, two readings ------------------------------------------------------------------

def test_an_intact_eddsa_2022_proof_fails_only_on_its_name(env: Environment) -> None:
    document = json.loads((BASES / "badge.json").read_text(encoding="utf-8"))
    document = sign_document(document, [{"key": "issuer-ed25519", "cryptosuite": "eddsa-2022"}],
                             env.verifier.canonicalizer)
    found = _all(env, document)
    (name,) = found["DI10-cryptosuite-registered-name"]
    assert (name.outcome, name.location) == (Outcome.FAILED, "/proof/cryptosuite")
    assert "draft name of eddsa-rdfc-2022" in name.message
    assert not {rid for rid in found if rid.startswith("DI10-") and rid != "DI10-cryptosuite-registered-name"
                and not rid.startswith("DI10-presentation-")}, found
    assert "OB30-proof-verifies" not in found, "the signature verifies with the issuer's key"


def test_a_tampered_eddsa_2022_proof_fails_its_signature_in_both_readings(env: Environment) -> None:
    document = sign_document(copy.deepcopy(CREDENTIAL), [{"key": "issuer-ed25519", "cryptosuite": "eddsa-2022"}],
                             env.verifier.canonicalizer)
    document["name"] = "Advanced Workplace Safety Training"
    for profile in ("default", "ecosystem-readings"):
        found = _all(env, document, profile)
        assert {f.outcome for f in found["DI10-signature-verifies"]} == {Outcome.FAILED}, (profile, found)


def test_the_registered_name_is_a_warning_in_the_ecosystem_reading(env: Environment) -> None:
    levels = env.profile("ecosystem-readings").select(env.catalog)
    assert str(levels["DI10-cryptosuite-registered-name"]) == "should"
    assert str(env.profile("default").select(env.catalog)["DI10-cryptosuite-registered-name"]) == "must"


def test_the_did_web_document_carries_the_issuer_test_key() -> None:
    """The did:web vectors sign with issuer-ed25519; the hand-built DID document must publish that key."""
    from conformance.support.securing.keys.testkeys import suite_key

    document = json.loads((BASES / "did-web-example-edu.json").read_text(encoding="utf-8"))
    expected = suite_key("issuer-ed25519").public_multibase
    keys = {m["id"]: m["publicKeyMultibase"] for m in document["verificationMethod"]}
    assert keys == {"did:web:example.edu#key-1": expected, "did:web:example.edu#login-key": expected}, keys
    assert document["assertionMethod"] == ["did:web:example.edu#key-1"], "login-key must not assert"
