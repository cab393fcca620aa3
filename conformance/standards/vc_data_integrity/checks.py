"""DI10 checks: each requirement is one step of the verify-proof algorithm, read off the proof verifier's result.

The verifier (conformance.proofs through Subject.data_integrity) stops a proof at the first step that fails and
says why with a reason code. A proof that stopped at step k fails the requirement of step k; the requirements of
later steps were not evaluated for it (cantTell), and those of earlier steps hold. Reasons that mean "could not
find out" (a key whose controller cannot be reached, a canonicalization over its work bound, a context that cannot
be had) are cantTell or error, never failed and never passed.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from conformance.model.findings import Finding
from conformance.model.subjects import Subject
from conformance.proofs import ProofResult
from conformance.registry import CheckContext, check

# The verification steps in the order the algorithm takes them, each with the reason codes that stop a proof there
# and the proof member a finding points at.
STEPS: Final[tuple[tuple[str, frozenset[str], str], ...]] = (
    ("DI10-proof-well-formed", frozenset({"malformed-proof", "no-proof"}), ""),
    ("DI10-previous-proof", frozenset({"previous-proof-missing"}), "/previousProof"),
    ("DI10-cryptosuite-supported", frozenset({"unknown-proof-type", "unknown-cryptosuite"}), "/cryptosuite"),
    ("DI10-proof-purpose", frozenset({"wrong-purpose"}), "/proofPurpose"),
    ("DI10-proof-validity-period", frozenset({"expired", "created-in-future"}), ""),
    ("DI10-presentation-challenge", frozenset({"challenge-mismatch"}), "/challenge"),
    ("DI10-presentation-domain", frozenset({"domain-mismatch"}), "/domain"),
    ("DI10-proof-value-encoding", frozenset({"bad-proof-value"}), "/proofValue"),
    ("DI10-proof-context", frozenset({"context-mismatch"}), "/@context"),
    ("DI10-lossless", frozenset({"undefined-term", "canonicalization-failed", "context-unavailable"}), ""),
    ("DI10-verification-method-resolves", frozenset({"key-not-found", "key-unavailable"}), "/verificationMethod"),
    ("DI10-verification-method-authorized", frozenset({"key-not-authorized"}), "/verificationMethod"),
    ("DI10-key-type", frozenset({"key-type-mismatch"}), "/verificationMethod"),
    ("DI10-signature-verifies", frozenset({"signature-mismatch", "canonicalization-timeout"}), "/proofValue"),
)
STEP_OF_REASON: Final[dict[str, int]] = {reason: index for index, (_, reasons, _) in enumerate(STEPS)
                                         for reason in reasons}
INDETERMINATE: Final[frozenset[str]] = frozenset({"key-unavailable"})           # cantTell: could not find out
NOT_EVALUATED: Final[frozenset[str]] = frozenset({"canonicalization-timeout", "context-unavailable"})  # error

# Cryptosuites and proof types registered for Data Integrity (or widely deployed) that this suite does not verify:
# another verifier may, so a proof using one is cantTell rather than failed.
REGISTERED_ELSEWHERE: Final[frozenset[str]] = frozenset({
    "eddsa-jcs-2022", "ecdsa-jcs-2019", "ecdsa-sd-2023", "bbs-2023",
    "Ed25519Signature2018", "JsonWebSignature2020", "EcdsaSecp256k1Signature2019", "BbsBlsSignature2020",
})


def _step_findings(subject: Subject, ctx: CheckContext, step: int) -> Iterator[Finding]:
    member = STEPS[step][2]
    result = subject.data_integrity
    proofs: tuple[ProofResult, ...] = result.proofs
    if not proofs:                                    # no proof object at all (an empty list)
        if step == 0:
            yield ctx.fail(result.pointer or "/proof", expected="at least one proof", found=[],
                           message=result.message)
        else:
            yield ctx.cant_tell("not evaluated: the document has no proof to verify", result.pointer or "/proof")
        return
    for proof in proofs:
        if proof.verified or proof.reason is None:
            continue
        stopped_at = STEP_OF_REASON.get(proof.reason)
        if stopped_at is None:
            yield ctx.error(f"the proof verifier gave reason {proof.reason!r}, which no DI10 step maps",
                            proof.pointer)
        elif stopped_at < step:
            yield ctx.cant_tell(f"not evaluated: verification stops earlier, at {STEPS[stopped_at][0]}",
                                proof.pointer)
        elif stopped_at == step:
            yield _stopped_here(ctx, proof, member)


def _stopped_here(ctx: CheckContext, proof: ProofResult, member: str) -> Finding:
    at = proof.pointer + member
    reason = proof.reason or ""
    if reason in INDETERMINATE:
        return ctx.cant_tell(proof.message, at)
    if reason in NOT_EVALUATED:
        return ctx.error(proof.message, at)
    if reason == "unknown-proof-type":
        at = proof.pointer + "/type"
    if reason == "unknown-cryptosuite" and proof.cryptosuite in REGISTERED_ELSEWHERE \
            or reason == "unknown-proof-type" and proof.proof_type in REGISTERED_ELSEWHERE:
        name = proof.cryptosuite if reason == "unknown-cryptosuite" else proof.proof_type
        return ctx.cant_tell(f"{name} is a registered proof mechanism this suite does not verify", at)
    return ctx.fail(at, expected="a proof that passes this verification step", found=reason, message=proof.message)


def _index(requirement: str) -> int:
    return next(i for i, (rid, _, _) in enumerate(STEPS) if rid == requirement)


@check("DI10-proof-well-formed")
def proof_is_well_formed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-proof-well-formed"))

@check("DI10-previous-proof")
def previous_proofs_are_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-previous-proof"))

@check("DI10-cryptosuite-supported")
def cryptosuite_is_supported(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-cryptosuite-supported"))

@check("DI10-proof-purpose")
def purpose_is_expected(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-proof-purpose"))

@check("DI10-proof-validity-period")
def proof_is_in_force(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-proof-validity-period"))

@check("DI10-presentation-challenge")
def presentation_challenge(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Judged only for a presentation when the run names the challenge it expects."""
    if not subject.is_presentation:
        yield ctx.inapplicable("a credential: challenges belong to presentations")
    elif subject.verification_options.challenge is None:
        yield ctx.inapplicable("the run names no expected challenge (--challenge)")
    else:
        yield from _step_findings(subject, ctx, _index("DI10-presentation-challenge"))


@check("DI10-presentation-domain")
def presentation_domain(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Judged only for a presentation when the run names the domain it expects."""
    if not subject.is_presentation:
        yield ctx.inapplicable("a credential: domains are checked on presentations")
    elif subject.verification_options.domain is None:
        yield ctx.inapplicable("the run names no expected domain (--domain)")
    else:
        yield from _step_findings(subject, ctx, _index("DI10-presentation-domain"))


@check("DI10-proof-value-encoding")
def proof_value_decodes(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-proof-value-encoding"))

@check("DI10-proof-context")
def proof_context_leads_document_context(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-proof-context"))

@check("DI10-verification-method-resolves")
def verification_method_resolves(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-verification-method-resolves"))

@check("DI10-verification-method-authorized")
def verification_method_is_authorized(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-verification-method-authorized"))

@check("DI10-key-type")
def key_fits_cryptosuite(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-key-type"))

@check("DI10-lossless")
def nothing_is_dropped(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-lossless"))

@check("DI10-signature-verifies")
def signature_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _step_findings(subject, ctx, _index("DI10-signature-verifies"))
