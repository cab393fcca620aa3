"""VCJOSE10 checks: the header, claims and payload of a vc+jwt / vp+jwt, one per automated requirement.

A credential secured as an SD-JWT or a COSE_Sign1 is recognized but not opened (conformance.support.formats.envelopes): every
rule reports that as the suite's limitation, so such a credential is never judged by rules written for vc+jwt and
never failed for what the suite cannot read.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.predicates import in_jws_header, is_url, items, pointer
from conformance.core.subject import Subject
from conformance.standards.securing import jws_findings
from conformance.support.formats import Jws
from conformance.support.securing.trust import issuer_id_of

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def _jws(subject: Subject) -> Jws:
    jwt = subject.payload.jwt
    assert jwt is not None          # _unopened has returned the SD-JWT and COSE subjects the detector also claims
    return jwt.jws


_ENVELOPES = {"sd-jwt": "credentials and presentations secured as SD-JWT (vc+sd-jwt, vp+sd-jwt)",
              "cose": "credentials and presentations secured with COSE (vc+cose, vp+cose)"}


def _unopened(subject: Subject, ctx: CheckContext) -> Finding | None:
    """cantTell for an envelope the suite recognizes but does not open (issue 17), None for a vc+jwt / vp+jwt."""
    feature = _ENVELOPES.get(subject.payload.media)
    if feature is None:
        return None
    where = "(SD-JWT)" if subject.payload.media == "sd-jwt" else "(COSE_Sign1)"
    return ctx.unsupported(feature, where, why="the envelope is recognized, but its header, claims and signature "
                                               "are not read")


def _is_presentation(subject: Subject) -> bool:
    if subject.is_presentation:
        return True
    document = subject.document
    return "VerifiableCredential" not in subject.types and "credentialSubject" not in document \
        and ("verifiableCredential" in document or "holder" in document)


def _bare(value: Any) -> str | None:
    return value.strip().lower().removeprefix("application/") if isinstance(value, str) else None


def _claim_at(name: str) -> str:
    # in VC-JOSE the claims set is the document itself, so a claim's pointer is a document pointer
    return pointer(name)


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else value


@check("VCJOSE10-alg-present")
def algorithm_is_named(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """alg is a non-empty string in the protected header."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    alg = _jws(subject).header.get("alg", MISSING)
    if not (isinstance(alg, str) and alg):
        yield ctx.fail(in_jws_header("alg"), expected="a signature algorithm such as ES256", found=alg)


@check("VCJOSE10-alg-not-none")
def algorithm_is_not_none(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """alg, when a string, is not 'none' in any letter case."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    alg = _jws(subject).header.get("alg")
    if not isinstance(alg, str):
        yield ctx.inapplicable("the header names no algorithm (see VCJOSE10-alg-present)")
    elif alg.lower() == "none":
        yield ctx.fail(in_jws_header("alg"), expected="a signature algorithm, not none", found=alg)


@check("VCJOSE10-typ")
def typ_names_the_document_kind(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """typ is vc+jwt for a credential and vp+jwt for a presentation (application/ prefix optional)."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    expected = "vp+jwt" if _is_presentation(subject) else "vc+jwt"
    typ = _jws(subject).header.get("typ", MISSING)
    if _bare(typ) != expected:
        yield ctx.fail(in_jws_header("typ"), expected=f'"{expected}"', found=typ)


@check("VCJOSE10-cty")
def cty_names_the_document_kind(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """cty, when present, is vc for a credential and vp for a presentation (application/ prefix optional)."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    header = _jws(subject).header
    if "cty" not in header:
        yield ctx.inapplicable("the header has no cty")
        return
    expected = "vp" if _is_presentation(subject) else "vc"
    if _bare(header["cty"]) != expected:
        yield ctx.fail(in_jws_header("cty"), expected=f'"{expected}"', found=header["cty"])


@check("VCJOSE10-no-vc-vp-claims")
def no_vc_or_vp_claim(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Neither vc nor vp is a claim of the JWT."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    claims = _jws(subject).payload
    for name in ("vc", "vp"):
        if name in claims:
            yield ctx.fail(_claim_at(name), expected=f"no {name} claim: the payload is the document itself",
                           found=claims[name])


@check("VCJOSE10-iss-matches-issuer")
def iss_matches_issuer(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """iss equals issuer (or issuer.id); for a presentation, holder (or holder.id) when there is one."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    claims = _jws(subject).payload
    if "iss" not in claims:
        yield ctx.inapplicable("the JWT has no iss claim")
        return
    role = "holder" if _is_presentation(subject) else "issuer"
    if role not in subject.document:
        yield ctx.inapplicable(f"the document has no {role} to compare iss with")
        return
    identifier = _id_of(subject.document[role])
    if claims["iss"] != identifier:
        yield ctx.fail(_claim_at("iss"), expected=f"the {role} identifier {describe(identifier)}",
                       found=claims["iss"])


def _party(subject: Subject) -> tuple[str, Any]:
    role = "holder" if _is_presentation(subject) else "issuer"
    return role, _id_of(subject.document.get(role))


@check("VCJOSE10-kid-for-did")
def kid_present_for_did_party(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The header has a kid (null counts as absent) when the issuer (holder, for a VP) id is a DID."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    role, identifier = _party(subject)
    if not (isinstance(identifier, str) and identifier.startswith("did:")):
        yield ctx.inapplicable(f"the {role} is not identified by a DID")
    elif _jws(subject).header.get("kid") is None:
        yield ctx.fail(in_jws_header("kid"), expected=f"a kid naming the key of {identifier}",
                       found=_jws(subject).header.get("kid", MISSING))


@check("VCJOSE10-kid-url-without-iss")
def kid_is_url_without_iss(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """When the JWT has no iss, the header's kid is present and an absolute URL."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    if "iss" in _jws(subject).payload:
        yield ctx.inapplicable("the JWT has an iss claim")
        return
    kid = _jws(subject).header.get("kid", MISSING)
    if not is_url(kid):
        yield ctx.fail(in_jws_header("kid"), expected="an absolute URL of the verification method", found=kid)


@check("VCJOSE10-time-claims-numeric")
def time_claims_are_numeric_dates(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """iat, nbf and exp, when present, are JSON numbers (not booleans)."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    claims = _jws(subject).payload
    present = [name for name in ("iat", "nbf", "exp") if name in claims]
    if not present:
        yield ctx.inapplicable("the JWT has no iat, nbf or exp claim")
        return
    for name in present:
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield ctx.fail(_claim_at(name), expected="a NumericDate (seconds since 1970-01-01T00:00:00Z)",
                           found=value)


@check("VCJOSE10-vp-enveloped-credentials")
def presented_credentials_are_enveloped(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each verifiableCredential item of a vp+jwt is an EnvelopedVerifiableCredential with a data: id."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    if not _is_presentation(subject):
        yield ctx.inapplicable("the JWT holds a credential, not a presentation")
        return
    document = subject.document
    if "verifiableCredential" not in document:
        yield ctx.inapplicable("the presentation has no verifiableCredential")
        return
    for at, item in items(document, "verifiableCredential"):
        types = item.get("type") if isinstance(item, Mapping) else None
        type_names = types if isinstance(types, list) else [types]
        identifier = item.get("id") if isinstance(item, Mapping) else None
        if "EnvelopedVerifiableCredential" not in type_names:
            yield ctx.fail(at, expected="an EnvelopedVerifiableCredential object", found=item)
        elif not (isinstance(identifier, str) and identifier[:5].lower() == "data:"):
            yield ctx.fail(at + "/id", expected="a data: URL carrying the secured credential",
                           found=item.get("id", MISSING))


@check("VCJOSE10-payload-vcdm20")
def payload_is_vcdm20(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The first @context item (a lone value counts) of the payload is the VC 2.0 base context."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    value = subject.document.get("@context", MISSING)
    first = value[0] if isinstance(value, list) and value else value
    if first != V2_CONTEXT:
        yield ctx.fail(pointer("@context", 0) if isinstance(value, list) and value else "/@context",
                       expected=f'a VC 2.0 document whose @context starts with "{V2_CONTEXT}"', found=first)


@check("VCJOSE10-signature-verifies")
def signature_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The JWS verifies with a key of the issuer (the holder for a presentation), found through kid or iss."""
    if (limit := _unopened(subject, ctx)) is not None:
        yield limit
        return
    alg = _jws(subject).header.get("alg")
    if not isinstance(alg, str) or not alg or alg.lower() == "none":
        yield ctx.inapplicable("no signature algorithm to verify with (see VCJOSE10-alg-present, VCJOSE10-alg-not-none)")
        return
    verification = subject.jwt_verification
    assert verification is not None          # the detector claims only subjects carried in a vc-jose JWT
    controller = _id_of(subject.document.get("holder")) if _is_presentation(subject) \
        else issuer_id_of(subject.document)
    yield from jws_findings(ctx, verification, controller if isinstance(controller, str) else None)
