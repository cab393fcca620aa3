"""Findings from the securing layer's results, shared by the standards whose rules say "the signature verifies with
a key the issuer controls" (OB30, VCJOSE10, VCDM11). The step-by-step Data Integrity rules live in DI10.

A result that could not be decided is never a failure: an unreachable key is cantTell, a canonicalization stopped
by its bound or a missing context is error.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.jose import JwtVerification
from conformance.model.findings import Finding
from conformance.model.subjects import Subject, as_list
from conformance.proofs import VerificationResult
from conformance.registry import CheckContext
from conformance.standards.predicates import JWS_HEADER, in_jws_header
from conformance.trust import issuer_id_of

JWS_SIGNATURE = "(JWS signature)"
_CANT_TELL = frozenset({"key-unavailable"})
_NOT_EVALUATED = frozenset({"canonicalization-timeout", "context-unavailable"})


def controller_of(method: str | None) -> str | None:
    """The DID or URL a verification method id belongs to (the part before the fragment)."""
    return method.split("#", 1)[0] if isinstance(method, str) and method else None


def proof_findings(ctx: CheckContext, result: VerificationResult, issuer: str | None,
                   *, role: str = "issuer") -> Iterator[Finding]:
    """Every embedded proof verifies, with a key whose controller is the issuer (or the holder)."""
    if not result.proofs:
        yield ctx.fail(result.pointer or "/proof", expected="at least one proof", found=[], message=result.message)
        return
    for proof in result.proofs:
        at = proof.pointer
        if not proof.verified:
            if proof.reason in _CANT_TELL:
                yield ctx.cant_tell(proof.message, at + "/verificationMethod")
            elif proof.reason in _NOT_EVALUATED:
                yield ctx.error(proof.message, at)
            else:
                yield ctx.fail(at, expected="a proof that verifies (DI10 gives the failing step)",
                               found=proof.reason, message=f"the proof does not verify: {proof.message}")
        elif issuer is not None and proof.controller != issuer:
            yield ctx.fail(at + "/verificationMethod", expected=f"a key controlled by the {role} {issuer}",
                           found=proof.controller,
                           message=f"the proof verifies with a key of {proof.controller}, not of the {role} {issuer}")
        else:
            yield ctx.passed(f"the proof verifies with {proof.verification_method}", at)


def jws_findings(ctx: CheckContext, verification: JwtVerification, issuer: str | None) -> Iterator[Finding]:
    """The JWS signature verifies, with a key named by kid (whose controller is the issuer) or by iss."""
    signature = verification.signature
    if not signature.verified:
        at = in_jws_header("kid") if signature.part == "key" or signature.reason.startswith("key") else (
            JWS_HEADER + signature.pointer if signature.part == "header" else JWS_SIGNATURE)
        if signature.reason == "key-unavailable":
            yield ctx.cant_tell(signature.message, at)
        else:
            yield ctx.fail(at, expected="a JWS signature that verifies with the issuer's key", found=signature.reason,
                           message=f"the JWS does not verify: {signature.message}")
        return
    source = verification.key_source
    if source is None or issuer is None:
        return
    if source.kind == "jwk":
        yield ctx.cant_tell("the key travels in the header (jwk): nothing ties it to the issuer", in_jws_header("jwk"))
    elif source.kind == "kid" and controller_of(source.value) != issuer:
        yield ctx.fail(in_jws_header("kid"), expected=f"a key controlled by the issuer {issuer}", found=source.value,
                       message=f"kid names a key of {controller_of(source.value)}, not of the issuer {issuer}")


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
