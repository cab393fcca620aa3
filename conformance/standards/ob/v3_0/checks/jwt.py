"""The VC-JWT form (OB 3.0 §8.2.4 and following)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    claim_location,
    in_jws_header,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import is_one_of, nonempty_string, on_part


def _ob_jwt(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    jwt = subject.payload.jwt
    if jwt is None:
        return None, ctx.inapplicable("the credential does not travel as a JWT")
    if jwt.style == "vc-jose":
        return None, ctx.inapplicable("a vc+jwt (VC-JOSE-COSE) token: judged by that standard")
    return jwt, None


def _claimed_credential(jwt: Any) -> Mapping[str, Any]:
    """The credential as the issuer wrote it, before claims were mapped into it."""
    if jwt.style == "vc-jwt-1.1":
        vc = jwt.jws.payload.get("vc")
        return vc if isinstance(vc, Mapping) else {}
    return jwt.jws.payload


_ASYMMETRIC_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
                              "ES256K", "EdDSA", "Ed25519", "Ed448"})


@check("OB30-jwt-alg")
@on_part(_ob_jwt)
def jwt_alg(jwt: Any, ctx: CheckContext) -> Findings:
    """alg names an asymmetric JWA signature algorithm; none and HS* fail."""
    alg = jwt.jws.header.get("alg", MISSING)
    if not is_one_of(alg, _ASYMMETRIC_ALGS):
        yield ctx.fail(in_jws_header("alg"), expected="an asymmetric signature algorithm (RS256 at least; RS/PS/ES/EdDSA)",
                       message=f"the JOSE header alg is {'absent' if alg is MISSING else repr(alg)}; expected an "
                               f"asymmetric signature algorithm (RS256 at least; RS/PS/ES/EdDSA)")


@check("OB30-jwt-key-reference")
@on_part(_ob_jwt)
def jwt_key_reference(jwt: Any, ctx: CheckContext) -> Findings:
    """The JOSE header has kid or jwk."""
    header = jwt.jws.header
    if not (nonempty_string(header.get("kid")) or isinstance(header.get("jwk"), Mapping)):
        yield ctx.fail(in_jws_header("kid"), expected="a kid or jwk JOSE header", message="the JOSE header has neither kid nor jwk; "
                       "expected one of them so the verifier can find the key")


@check("OB30-jwt-typ")
@on_part(_ob_jwt)
def jwt_typ(jwt: Any, ctx: CheckContext) -> Findings:
    """typ, when present, is JWT."""
    header = jwt.jws.header
    if "typ" not in header:
        yield ctx.inapplicable("no typ header")
    elif header["typ"] != "JWT":
        yield ctx.fail(in_jws_header("typ"), expected="typ JWT", message=f"the JOSE header typ is {header['typ']!r}; expected JWT")


def _claim_rule(ctx: CheckContext, jwt: Any, claim: str, expected: Any, what: str) -> Findings:
    """The claim is present and, when the credential states `expected`, equal to it."""
    value = jwt.jws.payload.get(claim, MISSING)
    at = claim_location(jwt.style, claim)
    if value is MISSING:
        yield ctx.fail(at, expected=f"a {claim} claim", message=f"the JWT has no {claim} claim; expected {what}")
    elif expected is not MISSING and value != expected:
        yield ctx.fail(at, expected=what, message=f"the JWT {claim} claim is {value!r}; expected {what} "
                                                  f"({expected!r})")


@check("OB30-jwt-iss")
@on_part(_ob_jwt)
def jwt_iss(jwt: Any, ctx: CheckContext) -> Findings:
    """iss is present and equals the issuer id the credential states."""
    issuer = _claimed_credential(jwt).get("issuer", MISSING)
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id", MISSING)
    yield from _claim_rule(ctx, jwt, "iss", issuer, "the issuer id")


@check("OB30-jwt-jti")
@on_part(_ob_jwt)
def jwt_jti(jwt: Any, ctx: CheckContext) -> Findings:
    """jti is present and equals the credential id."""
    yield from _claim_rule(ctx, jwt, "jti", _claimed_credential(jwt).get("id", MISSING),
                           "the credential id")


@check("OB30-jwt-nbf")
@on_part(_ob_jwt)
def jwt_nbf(jwt: Any, ctx: CheckContext) -> Findings:
    """nbf is present and equals validFrom (issuanceDate for VC 1.1 shapes) in epoch seconds."""
    credential = _claimed_credential(jwt)
    term = "validFrom" if "validFrom" in credential or jwt.style == "jwt-claims" else "issuanceDate"
    stated = s.epoch(credential.get(term))
    claims = jwt.jws.payload
    nbf = claims.get("nbf", MISSING)
    at = claim_location(jwt.style, "nbf")
    if nbf is MISSING:
        yield ctx.fail(at, expected="an nbf claim", message=f"the JWT has no nbf claim; expected {term} in seconds")
    elif s.numeric_date(nbf) is None:
        yield ctx.fail(at, expected="a NumericDate", message=f"the JWT nbf claim is {nbf!r}; expected a NumericDate")
    elif stated is not None and s.numeric_date(nbf) != stated:
        yield ctx.fail(at, expected=f"{term} in seconds",
                       message=f"the JWT nbf claim is {nbf!r}; expected {stated} ({term} {credential.get(term)!r})")


@check("OB30-jwt-sub")
@on_part(_ob_jwt)
def jwt_sub(jwt: Any, ctx: CheckContext) -> Findings:
    """sub is present and equals credentialSubject.id when the subject has an id."""
    node = _claimed_credential(jwt).get("credentialSubject")
    identifier = node.get("id", MISSING) if isinstance(node, Mapping) else MISSING
    if identifier is MISSING:
        yield ctx.inapplicable("the credential states no credentialSubject id to compare sub with")
        return
    yield from _claim_rule(ctx, jwt, "sub", identifier, "the credentialSubject id")


@check("OB30-jwt-exp")
@on_part(_ob_jwt)
def jwt_exp(jwt: Any, ctx: CheckContext) -> Findings:
    """exp is present and equals validUntil (expirationDate for VC 1.1 shapes) when the credential states one."""
    credential = _claimed_credential(jwt)
    term = "validUntil" if "validUntil" in credential else "expirationDate"
    if term not in credential:
        yield ctx.inapplicable("the credential states no validUntil")
        return
    stated = s.epoch(credential.get(term))
    exp = jwt.jws.payload.get("exp", MISSING)
    at = claim_location(jwt.style, "exp")
    if exp is MISSING:
        yield ctx.fail(at, expected="an exp claim", message=f"the JWT has no exp claim; expected {term} in seconds")
    elif s.numeric_date(exp) is None or (stated is not None and s.numeric_date(exp) != stated):
        yield ctx.fail(at, expected=f"{term} in seconds",
                       message=f"the JWT exp claim is {exp!r}; expected {stated} ({term} {credential.get(term)!r})")
