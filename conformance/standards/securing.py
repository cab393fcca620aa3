"""Findings from the securing layer's results, shared by the standards whose rules say "the signature verifies with
a key the issuer controls" (OB30, CLR20, VCJOSE10, VCDM11). The step-by-step Data Integrity rules live in DI10.

What a result means is `conformance.support.securing.proofs.outcome_of`, the table DI10 reads too: a mechanism the suite does not
implement (a registered cryptosuite, JWS algorithm, DID method or key discovery) is cantTell with the suite's
limitation, an unreachable key is cantTell, a canonicalization stopped by its bound or a missing context is error;
only the credential's own defects fail.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding
from conformance.core.predicates import JWS_HEADER, in_jws_header
from conformance.core.subject import Subject, as_list
from conformance.support.securing.jose import JoseResult, JwtVerification
from conformance.support.securing.proofs import (
    DRAFT_CRYPTOSUITES,
    Judgement,
    ProofResult,
    UnknownReason,
    VerificationResult,
    outcome_of,
)
from conformance.support.securing.trust import issuer_id_of

JWS_SIGNATURE = "(JWS signature)"


def controller_of(method: str | None) -> str | None:
    """The DID or URL a verification method id belongs to (the part before the fragment)."""
    return method.split("#", 1)[0] if isinstance(method, str) and method else None


def unsupported_mechanism(ctx: CheckContext, proof: ProofResult, at: str) -> Finding:
    """cantTell with the suite's limitation named: the proof type, cryptosuite or key resolution it lacks."""
    if proof.reason == "unsupported-proof-type":
        return ctx.unsupported(f"the {proof.proof_type} proof type", at)
    if proof.reason == "unsupported-cryptosuite":
        return ctx.unsupported(f"the {proof.cryptosuite} cryptosuite", at)
    return ctx.unsupported(f"the verification method {proof.verification_method}", at, why=proof.message)


def proof_findings(ctx: CheckContext, result: VerificationResult, issuer: str | None,
                   *, role: str = "issuer") -> Iterator[Finding]:
    """Every embedded proof verifies, with a key whose controller is the issuer (or the holder)."""
    if not result.proofs:
        yield ctx.fail(result.pointer or "/proof", expected="at least one proof", found=[], message=result.message)
        return
    for stated in result.proofs:
        # a proof stopped only by its own created/expires is judged here on what follows (key and signature): its
        # validity period is DI10-proof-validity-period's (a should: verify-proof has no time step)
        proof = stated.after_time if stated.after_time is not None else stated
        at = proof.pointer
        if proof.verified:
            if issuer is not None and proof.controller != issuer:
                yield ctx.fail(at + "/verificationMethod", expected=f"a key controlled by the {role} {issuer}",
                               found=proof.controller,
                               message=f"the proof verifies with a key of {proof.controller}, not of the {role} "
                                       f"{issuer}")
            else:
                yield ctx.passed(f"the proof verifies with {proof.verification_method}{_draft_note(proof)}", at)
            continue
        try:
            judgement = outcome_of(proof.reason)
        except UnknownReason:
            yield ctx.error(f"the proof verifier gave reason {proof.reason!r}, which the outcome table does not "
                            "list (a defect in the suite)", at)
            continue
        if judgement is Judgement.UNSUPPORTED:
            yield unsupported_mechanism(ctx, proof, at + _MECHANISM_MEMBER.get(proof.reason or "",
                                                                                 "/verificationMethod"))
        elif judgement is Judgement.UNAVAILABLE:
            yield ctx.cant_tell(proof.message, at + "/verificationMethod")
        elif judgement is Judgement.NOT_EVALUATED:
            yield ctx.error(proof.message, at)
        else:
            yield ctx.fail(at, expected="a proof that verifies (DI10 gives the failing step)", found=proof.reason,
                           message=f"the proof does not verify: {proof.message}")


# Where an unsupported mechanism is named in a proof.
_MECHANISM_MEMBER: Mapping[str, str] = {"unsupported-proof-type": "/type", "unsupported-cryptosuite": "/cryptosuite"}


def _draft_note(proof: ProofResult) -> str:
    registered = DRAFT_CRYPTOSUITES.get(proof.cryptosuite or "")
    if registered is None:
        return ""
    return (f", with the {registered} algorithm its draft name {proof.cryptosuite} stands for "
            "(DI10-cryptosuite-registered-name judges the name)")


# What the suite lacks, for each JOSE reason the outcome table calls unsupported. key-unsupported comes from key
# discovery (the header or claims point at JWT VC issuer metadata) or from resolving the key (its DID method or
# verification method type).
_JOSE_FEATURES: Mapping[tuple[str, bool], str] = {
    ("alg-unsupported", False): "the JWS algorithm {alg}",
    ("crit-unsupported", False): "the critical JWS header extensions {crit}",
    ("key-unsupported", False): "keys published as JWT VC issuer metadata (.well-known/jwt-vc-issuer)",
    ("key-unsupported", True): "the DID method or verification method type of kid {kid}",
}


def jws_findings(ctx: CheckContext, verification: JwtVerification, issuer: str | None) -> Iterator[Finding]:
    """The JWS signature verifies, with a key named by kid (whose controller is the issuer) or by iss."""
    signature = verification.signature
    if not signature.verified:
        if signature.part == "payload":          # a vc+jwt claim (iss): the claims set is the document itself
            at = signature.pointer
        else:
            at = in_jws_header("kid") if signature.part == "key" or signature.reason.startswith("key") else (
                JWS_HEADER + signature.pointer if signature.part == "header" else JWS_SIGNATURE)
        yield _unverified_jws(ctx, verification, signature, at)
        return
    source = verification.key_source
    if source is None or issuer is None:
        return
    if source.kind == "jwk":
        yield ctx.cant_tell("the key travels in the header (jwk): nothing ties it to the issuer", in_jws_header("jwk"))
    elif source.kind == "kid" and controller_of(source.value) != issuer:
        yield ctx.fail(in_jws_header("kid"), expected=f"a key controlled by the issuer {issuer}", found=source.value,
                       message=f"kid names a key of {controller_of(source.value)}, not of the issuer {issuer}")


def _unverified_jws(ctx: CheckContext, verification: JwtVerification, signature: JoseResult, at: str) -> Finding:
    try:
        judgement = outcome_of(signature.reason)
    except UnknownReason:
        return ctx.error(f"the JWS verifier gave reason {signature.reason!r}, which the outcome table does not list "
                         "(a defect in the suite)", at)
    if judgement is Judgement.UNSUPPORTED:
        header = verification.credential.jws.header if verification.credential is not None else {}
        feature = _JOSE_FEATURES.get((signature.reason, signature.part == "key"), "this JWS").format(
            alg=header.get("alg"), kid=header.get("kid"), crit=", ".join(str(c) for c in as_list(header.get("crit"))))
        return ctx.unsupported(feature, at, why=signature.message)
    if judgement is Judgement.UNAVAILABLE:
        return ctx.cant_tell(signature.message, at)
    if judgement is Judgement.NOT_EVALUATED:
        return ctx.error(signature.message, at)
    return ctx.fail(at, expected="a JWS signature that verifies with the issuer's key", found=signature.reason,
                    message=f"the JWS does not verify: {signature.message}")


def secured_by_issuer(subject: Subject, ctx: CheckContext, *, presence_rule: str) -> Iterator[Finding]:
    """A credential's JWS and embedded proofs verify with keys of its issuer; not applicable when it carries neither
    (`presence_rule` names the requirement that judges that)."""
    issuer = issuer_id_of(subject.document)
    jwt = subject.jwt_verification
    if jwt is not None:
        yield from jws_findings(ctx, jwt, issuer)
    if any(isinstance(p, Mapping) for p in as_list(subject.document.get("proof"))):
        yield from proof_findings(ctx, subject.data_integrity, issuer)
    elif jwt is None:
        yield ctx.inapplicable(f"the credential carries no proof and is not a JWT (see {presence_rule})")
