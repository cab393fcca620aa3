"""Proofs and verification (OB 3.0 §8, §9)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    items,
    type_list,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s
from conformance.standards.securing import secured_by_issuer
from conformance.standards.validity import verification_period

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import get_value, is_one_of, nodes_or_inapplicable


def _proofs(subject: Subject) -> list[s.Node]:
    return list(items(subject.document, "proof"))


@check("OB30-proof-present")
def proof_present(subject: Subject, ctx: CheckContext) -> Findings:
    """An embedded proof object, or the VC-JWT envelope, secures the credential."""
    if subject.payload.jwt is not None:
        return
    if not any(isinstance(p, Mapping) for _, p in _proofs(subject)):
        yield ctx.fail("/proof", expected="an embedded proof or a VC-JWT", found=subject.document.get("proof", MISSING))


@check("OB30-proof-purpose")
def proof_purpose(subject: Subject, ctx: CheckContext) -> Findings:
    """Every embedded proof object says proofPurpose assertionMethod."""
    proofs = [(at, p) for at, p in _proofs(subject) if isinstance(p, Mapping)]
    yield from nodes_or_inapplicable(ctx, proofs, "embedded proof")
    for at, proof in proofs:
        if proof.get("proofPurpose") != "assertionMethod":
            yield ctx.fail(at + "/proofPurpose", expected="assertionMethod", found=get_value(proof, "proofPurpose"))


ACCEPTED_CRYPTOSUITES = frozenset({"eddsa-rdfc-2022", "ecdsa-sd-2023"})
LEGACY_PROOF_TYPES = frozenset({"Ed25519Signature2020"})


@check("OB30-proof-cryptosuite")
def proof_cryptosuite(subject: Subject, ctx: CheckContext) -> Findings:
    """Every proof is DataIntegrityProof with an OB-accepted cryptosuite, or the legacy Ed25519Signature2020."""
    proofs = _proofs(subject)
    yield from nodes_or_inapplicable(ctx, proofs, "embedded proof")
    for at, proof in proofs:
        types = type_list(proof)
        if set(types) & LEGACY_PROOF_TYPES:
            continue
        if "DataIntegrityProof" not in types:
            yield ctx.fail(at + "/type", expected="DataIntegrityProof (or legacy Ed25519Signature2020)",
                           found=get_value(proof, "type"))
        elif not is_one_of(proof.get("cryptosuite"), ACCEPTED_CRYPTOSUITES):
            yield ctx.fail(at + "/cryptosuite", expected="eddsa-rdfc-2022 or ecdsa-sd-2023",
                           found=get_value(proof, "cryptosuite"))


@check("OB30-proof-verifies")
def proof_verifies(subject: Subject, ctx: CheckContext) -> Findings:
    """The embedded proofs, or the VC-JWT's signature, verify with a key whose controller is the issuer."""
    yield from secured_by_issuer(subject, ctx, presence_rule="OB30-proof-present")


@check("OB30-verification-validity-period")
def valid_at_judging_instant(subject: Subject, ctx: CheckContext) -> Findings:
    """Verification's status step: at the run's judging instant the credential (or endorsement) is not before its
    validFrom and not after its validUntil (issuanceDate and expirationDate in the VC 1.1 shape), and a VC-JWT is
    within its nbf and exp."""
    modern = s.is_vc2(subject)
    yield from verification_period(
        subject, ctx, modern=modern,
        format_rules="VCDM20-valid-from-datetime-stamp and VCDM20-valid-until-datetime-stamp" if modern
        else "VCDM11-issuance-date-datetime and VCDM11-expiration-date-datetime")
