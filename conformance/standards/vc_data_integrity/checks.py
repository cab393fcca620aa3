"""DI10 checks: each requirement is one step of the verify-proof algorithm, read off the proof verifier's result.

The verifier (conformance.support.securing.proofs through Subject.data_integrity) stops a proof at the first step that fails and
says why with a reason code. A proof that stopped at step k fails the requirement of step k; the requirements of
later steps were not evaluated for it (cantTell), and those of earlier steps hold. What a reason means (the
credential's defect, the suite's limit, something that could not be had, work the suite stopped) is the one table
`conformance.support.securing.proofs.outcome_of`, which the shared "verifies with the issuer's key" findings read too: a registered
mechanism the suite does not implement is cantTell with the suite's limitation, never failed and never passed.

DI10-cryptosuite-registered-name is no step: the suite verifies the draft name eddsa-2022 with the algorithm it
names, and that rule alone judges the name.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject, as_list
from conformance.standards.securing import unsupported_mechanism
from conformance.support.securing.proofs import (
    DRAFT_CRYPTOSUITES,
    Judgement,
    ProofResult,
    UnknownReason,
    outcome_of,
)

# The verification steps in the order the algorithm takes them, each with the reason codes that stop a proof there
# and the proof member a finding points at.
STEPS: Final[tuple[tuple[str, frozenset[str], str], ...]] = (
    ("DI10-proof-well-formed", frozenset({"malformed-proof", "no-proof"}), ""),
    ("DI10-previous-proof", frozenset({"previous-proof-missing"}), "/previousProof"),
    ("DI10-cryptosuite-supported", frozenset({"unknown-proof-type", "unknown-cryptosuite", "unsupported-proof-type",
                                              "unsupported-cryptosuite"}), "/cryptosuite"),
    ("DI10-proof-purpose", frozenset({"wrong-purpose"}), "/proofPurpose"),
    ("DI10-proof-validity-period", frozenset({"expired", "created-in-future"}), ""),
    ("DI10-presentation-challenge", frozenset({"challenge-mismatch"}), "/challenge"),
    ("DI10-presentation-domain", frozenset({"domain-mismatch"}), "/domain"),
    ("DI10-proof-value-encoding", frozenset({"bad-proof-value"}), "/proofValue"),
    ("DI10-proof-context", frozenset({"context-mismatch"}), "/@context"),
    ("DI10-lossless", frozenset({"undefined-term", "canonicalization-failed", "context-unavailable"}), ""),
    ("DI10-verification-method-resolves", frozenset({"key-not-found", "key-unavailable", "key-unsupported"}),
     "/verificationMethod"),
    ("DI10-verification-method-authorized", frozenset({"key-not-authorized"}), "/verificationMethod"),
    ("DI10-key-type", frozenset({"key-type-mismatch"}), "/verificationMethod"),
    ("DI10-signature-verifies", frozenset({"signature-mismatch", "canonicalization-timeout"}), "/proofValue"),
)
STEP_OF_REASON: Final[dict[str, int]] = {reason: index for index, (_, reasons, _) in enumerate(STEPS)
                                         for reason in reasons}
_TIME_STEP: Final[int] = next(i for i, (rid, _, _) in enumerate(STEPS) if rid == "DI10-proof-validity-period")
# Where a mechanism-unsupported stop points: the member that names the mechanism.
_MECHANISM_MEMBER: Final[Mapping[str, str]] = {"unsupported-proof-type": "/type", "unknown-proof-type": "/type"}


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
        if stopped_at == _TIME_STEP and step > _TIME_STEP and proof.after_time is not None:
            # the verify-proof algorithm has no time step: the verifier went on, and the later steps are judged
            # by how they ended (DI10-proof-validity-period alone reports the time)
            proof = proof.after_time
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
    reason = proof.reason or ""
    at = proof.pointer + _MECHANISM_MEMBER.get(reason, member)
    try:
        judgement = outcome_of(reason)
    except UnknownReason:
        return ctx.error(f"the proof verifier gave reason {reason!r}, which the outcome table does not list", at)
    if judgement is Judgement.UNSUPPORTED:
        return unsupported_mechanism(ctx, proof, at)
    if judgement is Judgement.UNAVAILABLE:
        return ctx.cant_tell(proof.message, at)
    if judgement is Judgement.NOT_EVALUATED:
        return ctx.error(proof.message, at)
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


@check("DI10-cryptosuite-registered-name")
def cryptosuite_has_its_registered_name(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A DataIntegrityProof whose algorithm has a draft name (eddsa-rdfc-2022) uses the registered name; the
    signature itself is judged by the steps, under the algorithm the draft name stood for."""
    judged = False
    for at, proof in _located_proofs(subject.document.get("proof")):
        name = proof.get("cryptosuite")
        if proof.get("type") != "DataIntegrityProof" or not isinstance(name, str):
            continue
        if name in DRAFT_CRYPTOSUITES:
            judged = True
            registered = DRAFT_CRYPTOSUITES[name]
            yield ctx.fail(at + "/cryptosuite", expected=f'"{registered}"', found=name,
                           message=f"{at}/cryptosuite is \"{name}\", the draft name of {registered}; vc-di-eddsa "
                                   f"names this algorithm {registered}, and a verifier following it rejects any "
                                   "other name before reading the signature (DI10-signature-verifies judges the "
                                   f"signature under the {registered} algorithm)")
        elif name in DRAFT_CRYPTOSUITES.values():
            judged = True
    if not judged:
        yield ctx.inapplicable("no DataIntegrityProof uses an algorithm that had a draft name (eddsa-rdfc-2022)")


def _located_proofs(value: object) -> Iterator[tuple[str, Mapping[str, object]]]:
    proofs = as_list(value)
    for index, proof in enumerate(proofs):
        if isinstance(proof, Mapping):
            yield (f"/proof/{index}" if isinstance(value, list) else "/proof"), proof


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
