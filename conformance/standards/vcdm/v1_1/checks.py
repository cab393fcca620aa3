"""VCDM 1.1 checks: one per automated requirement of shapes/vcdm/1.1/requirements.toml, except the class rules
(the type and id of status, schema, refresh, terms of use, evidence and proof objects), which are rows of
shapes/vcdm/1.1/classes.toml (classes.py).

Documents decoded from a VC-JWT are judged after the claims are mapped in (section 6.3.1.2); the VCDM11-jwt-*
checks look at the JWT itself: its header, its raw claims and the vc or vp claim as the issuer wrote it.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.predicates import (
    JWT_CLAIMS,
    claim_location,
    in_jws_header,
    is_datetime,
    is_datetime_stamp,
    is_url,
    items,
    pointer,
)
from conformance.core.subject import Subject
from conformance.standards.securing import jws_findings
from conformance.standards.validity import claim_bounds, judge_bounds, mapped_properties, property_bounds
from conformance.standards.vcdm import V1_CONTEXT
from conformance.standards.vcdm.v1_1._shapes import (
    has_embedded_proof,
    instant,
    is_compact_jws,
    is_numeric_date,
    is_presentation,
    issuer_id,
    subject_ids,
    type_values,
)
from conformance.support.securing.trust import issuer_id_of

# --- @context ---------------------------------------------------------------------------------------------


@check("VCDM11-context-present")
def context_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document has an @context property (null counts as absent)."""
    if subject.document.get("@context") is None:
        yield ctx.fail("/@context", expected="an @context property", found=subject.document.get("@context", MISSING))


@check("VCDM11-context-first-v1")
def context_starts_with_v1(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """@context is an array and its first item is the v1 URL; a lone string is not an ordered set."""
    value = subject.document.get("@context")
    if value is None:
        yield ctx.inapplicable("the document has no @context")
    elif not isinstance(value, list):
        yield ctx.fail("/@context", expected=f"an array starting with {V1_CONTEXT}", found=value)
    elif not value or value[0] != V1_CONTEXT:
        yield ctx.fail("/@context/0", expected=V1_CONTEXT, found=value[0] if value else MISSING)


@check("VCDM11-context-items-uris-or-objects")
def later_contexts_are_uris_or_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each @context item after the first is an absolute URI or an object."""
    value = subject.document.get("@context")
    if not isinstance(value, list) or len(value) < 2:
        yield ctx.inapplicable("@context has no items after the first")
        return
    for index, item in enumerate(value[1:], start=1):
        if not (isinstance(item, Mapping) or is_url(item)):
            yield ctx.fail(pointer("@context", index), expected="a context URI or a context object", found=item)


# --- identifiers and types --------------------------------------------------------------------------------


@check("VCDM11-id-single-uri")
def id_is_single_uri(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document's id, when present, is one URI (not an array, not null)."""
    if "id" not in subject.document:
        yield ctx.inapplicable("the document has no id")
    elif not is_url(subject.document["id"]):
        yield ctx.fail("/id", expected="a single URI", found=subject.document["id"])


@check("VCDM11-subject-id-uri")
def subject_ids_are_uris(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each credentialSubject object's id, when present, is one URI."""
    found = False
    for at, node in items(subject.document, "credentialSubject"):
        if isinstance(node, Mapping) and "id" in node:
            found = True
            if not is_url(node["id"]):
                yield ctx.fail(at + "/id", expected="a single URI", found=node["id"])
    if not found:
        yield ctx.inapplicable("no credentialSubject has an id")


@check("VCDM11-type-present")
def type_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document has a type property."""
    if "type" not in subject.document:
        yield ctx.fail("/type", expected="a type property")


@check("VCDM11-type-includes-base")
def type_includes_base(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type includes VerifiableCredential (for a presentation: VerifiablePresentation)."""
    if "type" not in subject.document:
        yield ctx.inapplicable("the document has no type")
        return
    base = "VerifiablePresentation" if is_presentation(subject) else "VerifiableCredential"
    if base not in subject.types:
        yield ctx.fail("/type", expected=f"a type that includes {base}", found=subject.document["type"])


@check("VCDM11-type-values-uris")
def type_values_map_to_uris(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each type value of the document and its data-model objects is an absolute URI or a term the contexts define.

    Compact IRIs and absolute URIs pass without JSON-LD; terms are judged by expansion over the pinned contexts.
    """
    values = list(type_values(subject.document))
    terms = [(holder, at, value) for holder, at, value in values if isinstance(value, str) and ":" not in value]
    for _, at, value in values:
        if not isinstance(value, str) or not value:
            yield ctx.fail(at, expected="a URI or a term defined by @context", found=value)
    if not terms:
        if not values:
            yield ctx.inapplicable("the document states no type values")
        return
    report = subject.jsonld
    if report.unavailable is not None:
        yield ctx.error(report.unavailable.describe())
        return
    if report.invalid is not None:
        for _, at, value in terms:
            yield ctx.fail(at, expected="a term the contexts map to a URI", found=value,
                           message=f"{at} is {value!r}, which maps to no URI: the contexts do not process "
                                   f"({report.invalid})")
        return
    undefined = {p.pointer for p in report.problems if p.kind == "undefined-type"}
    # where no context aliases "type" to @type, the values are not types at all and map to nothing
    unaliased = {p.pointer for p in report.problems if p.kind == "undefined-property" and p.term == "type"}
    for holder, at, value in terms:
        if at in undefined or holder in unaliased:
            yield ctx.fail(at, expected="a term defined by @context or an absolute URI", found=value)


# --- credentialSubject and issuer ------------------------------------------------------------------------


def _credential_only(subject: Subject, ctx: CheckContext) -> Finding | None:
    if is_presentation(subject):
        return ctx.inapplicable("the document is a presentation")
    return None


@check("VCDM11-subject-present")
def subject_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential has credentialSubject."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
    elif "credentialSubject" not in subject.document:
        yield ctx.fail("/credentialSubject", expected="a credentialSubject property")


@check("VCDM11-subject-objects")
def subject_is_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """credentialSubject is an object or a non-empty array of objects, each with at least one property."""
    if "credentialSubject" not in subject.document:
        yield ctx.inapplicable("the document has no credentialSubject")
        return
    value = subject.document["credentialSubject"]
    if isinstance(value, list) and not value:
        yield ctx.fail("/credentialSubject", expected="an object or a non-empty array of objects", found=value)
        return
    for at, node in items(subject.document, "credentialSubject"):
        if not isinstance(node, Mapping):
            yield ctx.fail(at, expected="an object making claims about a subject", found=node)
        elif not node:
            yield ctx.fail(at, expected="an object with at least one property", found=node)


@check("VCDM11-issuer-present")
def issuer_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential has issuer."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
    elif "issuer" not in subject.document:
        yield ctx.fail("/issuer", expected="an issuer property")


@check("VCDM11-issuer-uri-or-object")
def issuer_is_uri_or_object(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuer is a URI string or an object whose id is a URI."""
    if "issuer" not in subject.document:
        yield ctx.inapplicable("the document has no issuer")
        return
    issuer = subject.document["issuer"]
    if isinstance(issuer, Mapping):
        if not is_url(issuer.get("id")):
            yield ctx.fail("/issuer/id", expected="the issuer's URI", found=issuer.get("id", MISSING))
    elif not is_url(issuer):
        yield ctx.fail("/issuer", expected="a URI or an object with an id URI", found=issuer)


# --- dates --------------------------------------------------------------------------------------------------


@check("VCDM11-issuance-date-present")
def issuance_date_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential has issuanceDate."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
    elif "issuanceDate" not in subject.document:
        yield ctx.fail("/issuanceDate", expected="an issuanceDate property")


def _datetime_rule(subject: Subject, ctx: CheckContext, key: str) -> Iterator[Finding]:
    if key not in subject.document:
        yield ctx.inapplicable(f"the document has no {key}")
    elif not is_datetime(subject.document[key]):
        yield ctx.fail(pointer(key), expected="an XML Schema dateTime such as 2024-05-01T09:00:00Z",
                       found=subject.document[key])


@check("VCDM11-issuance-date-datetime")
def issuance_date_is_datetime(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuanceDate is an XML Schema dateTime string; the offset may be missing (see VCDM11-datetime-offset)."""
    yield from _datetime_rule(subject, ctx, "issuanceDate")


@check("VCDM11-expiration-date-datetime")
def expiration_date_is_datetime(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """expirationDate, when present, is an XML Schema dateTime string."""
    yield from _datetime_rule(subject, ctx, "expirationDate")


@check("VCDM11-datetime-offset")
def dates_state_offset(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuanceDate and expirationDate that are dateTimes end in Z or a numeric offset."""
    judged = False
    for key in ("issuanceDate", "expirationDate"):
        value = subject.document.get(key)
        if is_datetime(value):
            judged = True
            if not is_datetime_stamp(value):
                yield ctx.fail(pointer(key), expected="a dateTime ending in Z or an offset such as +02:00",
                               found=value)
    if not judged:
        yield ctx.inapplicable("the document has no issuanceDate or expirationDate dateTime")


@check("VCDM11-expiration-after-issuance")
def expiration_follows_issuance(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """expirationDate is at or after issuanceDate, both read as instants (no offset: UTC)."""
    start = instant(subject.document.get("issuanceDate"))
    end = instant(subject.document.get("expirationDate"))
    if start is None or end is None:
        yield ctx.inapplicable("the document does not have both dates as dateTimes")
    elif end < start:
        yield ctx.fail("/expirationDate", expected=f"a time at or after issuanceDate "
                       f"{subject.document['issuanceDate']}", found=subject.document["expirationDate"])


@check("VCDM11-valid-at-instant")
def valid_at_judging_instant(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuanceDate is not after, and expirationDate not before, the run's judging instant. Dates a VC-JWT set from
    its nbf and exp claims are judged on the claims (VCDM11-jwt-valid-at-instant), not twice."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    mapped = mapped_properties(subject.payload.jwt)
    bounds = property_bounds(subject.document, "issuanceDate", "expirationDate", skip=mapped)
    if not bounds:
        why = ("its dates come from the JWT's nbf and exp (see VCDM11-jwt-valid-at-instant)" if mapped
               else "the credential states neither issuanceDate nor expirationDate")
        yield ctx.inapplicable(why)
        return
    yield from judge_bounds(ctx, bounds, subject.verification_options.instant(),
                            format_rules="VCDM11-issuance-date-datetime and VCDM11-expiration-date-datetime")


@check("VCDM11-no-2-0-validity-properties")
def no_2_0_validity_properties(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document does not use validFrom or validUntil, the VC 2.0 names for its validity period."""
    for key, instead in (("validFrom", "issuanceDate"), ("validUntil", "expirationDate")):
        if key in subject.document:
            yield ctx.fail(pointer(key), expected=f"no {key} in a 1.1 credential (1.1 uses {instead})",
                           found=subject.document[key])


# --- proofs -------------------------------------------------------------------------------------------------


def _signed_jwt(subject: Subject) -> bool:
    jwt = subject.payload.jwt
    if jwt is None:
        return False
    alg = jwt.jws.header.get("alg")
    return isinstance(alg, str) and bool(alg) and alg.lower() != "none"


@check("VCDM11-secured")
def document_is_secured(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document has an embedded proof object or travels in a JWT signed with an algorithm other than none."""
    if not (has_embedded_proof(subject.document) or _signed_jwt(subject)):
        yield ctx.fail("/proof", expected="an embedded proof or an enclosing signed JWT",
                       found=subject.document.get("proof", MISSING))


# --- presentations ------------------------------------------------------------------------------------------


@check("VCDM11-vp-credentials")
def presented_items_are_credentials(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each verifiableCredential item is an object typed VerifiableCredential or a compact JWS string."""
    if not is_presentation(subject):
        yield ctx.inapplicable("the document is not a presentation")
        return
    if "verifiableCredential" not in subject.document:
        yield ctx.inapplicable("the presentation has no verifiableCredential")
        return
    for at, item in items(subject.document, "verifiableCredential"):
        if isinstance(item, Mapping):
            types = item.get("type")
            if "VerifiableCredential" not in (types if isinstance(types, list) else [types]):
                yield ctx.fail(at + "/type", expected="a credential whose type includes VerifiableCredential",
                               found=item.get("type", MISSING))
        elif not is_compact_jws(item):
            yield ctx.fail(at, expected="a credential object or a compact JWS string", found=item)


@check("VCDM11-vp-holder-uri")
def holder_is_uri(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A presentation's holder, when present, is a URI string (the object form is a VC 2.0 feature)."""
    if not is_presentation(subject) or "holder" not in subject.document:
        yield ctx.inapplicable("the document is not a presentation with a holder")
    elif not is_url(subject.document["holder"]):
        yield ctx.fail("/holder", expected="the holder's URI", found=subject.document["holder"])


# --- VC-JWT ---------------------------------------------------------------------------------------------------
# Locations of JWT findings: "" with a message naming the header parameter or claim (they are not in the
# document); the vc/vp claim's properties are named by their path in the claim.


def _vc_jwt(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    jwt = subject.payload.jwt
    if jwt is None or jwt.style != "vc-jwt-1.1":
        return None, ctx.inapplicable("the document does not travel as a VC-JWT 1.1")
    return jwt, None


def _claim_name(subject: Subject, claims: Mapping[str, Any]) -> str:
    if "vp" in claims and "vc" not in claims:
        return "vp"
    if "vc" in claims:
        return "vc"
    return "vp" if is_presentation(subject) else "vc"


def _enclosed(subject: Subject, ctx: CheckContext) -> tuple[Mapping[str, Any], Mapping[str, Any], str] | Finding:
    """The raw claims, the vc or vp object as written, and its claim name; or a finding saying why not."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        return skip
    claims = jwt.jws.payload
    if not isinstance(claims, Mapping):
        return ctx.inapplicable("the JWT payload is not an object")
    name = _claim_name(subject, claims)
    raw = claims.get(name)
    if not isinstance(raw, Mapping):
        return ctx.inapplicable(f"the JWT has no {name} object")
    return claims, raw, name


def _jwt_fail(ctx: CheckContext, at: str, what: str, expected: str, found: Any = MISSING) -> Finding:
    shown = "absent" if found is MISSING else describe(found)
    return ctx.fail(at, expected=expected, found=found, message=f"{what} is {shown}; expected {expected}")


@check("VCDM11-jwt-valid-at-instant")
def jwt_valid_at_judging_instant(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A VC-JWT's nbf is not after, and its exp not before, the run's judging instant (RFC 7519 processing)."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    bounds = claim_bounds(jwt.jws.payload, jwt.style)
    if not bounds:
        yield ctx.inapplicable("the JWT has neither an nbf nor an exp claim")
        return
    yield from judge_bounds(ctx, bounds, subject.verification_options.instant(),
                            format_rules="VCDM11-jwt-numeric-dates")


@check("VCDM11-jwt-signature")
def jwt_signature_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The JWS verifies with the issuer's (holder's) key; alg none beside an embedded proof is judged elsewhere."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    alg = jwt.jws.header.get("alg")
    if not isinstance(alg, str) or not alg or alg.lower() == "none":
        yield ctx.inapplicable("no signature algorithm to verify with (see VCDM11-jwt-alg)")
        return
    verification = subject.jwt_verification
    assert verification is not None
    controller = subject.document.get("holder") if is_presentation(subject) else issuer_id_of(subject.document)
    yield from jws_findings(ctx, verification, controller if isinstance(controller, str) else None)


@check("VCDM11-jwt-alg")
def jwt_alg_is_set(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The header has a non-empty string alg; alg none only when the document has an embedded proof."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    alg = jwt.jws.header.get("alg", MISSING)
    if not isinstance(alg, str) or not alg:
        yield _jwt_fail(ctx, in_jws_header("alg"), "the JWT header alg", "a signature algorithm such as ES256", alg)
    elif alg.lower() == "none" and not has_embedded_proof(subject.document):
        yield _jwt_fail(ctx, in_jws_header("alg"), "the JWT header alg", "a signature algorithm (none only beside an embedded proof)",
                        alg)


@check("VCDM11-jwt-typ")
def jwt_typ_is_jwt(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The header typ, when present, is exactly "JWT"."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
    elif "typ" not in jwt.jws.header:
        yield ctx.inapplicable("the JWT header has no typ")
    elif jwt.jws.header["typ"] != "JWT":
        yield _jwt_fail(ctx, in_jws_header("typ"), "the JWT header typ", '"JWT"', jwt.jws.header["typ"])


@check("VCDM11-jwt-vc-claim")
def jwt_carries_vc_claim(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential sits in a vc claim that is an object, a presentation in a vp claim that is an object."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    claims = jwt.jws.payload
    if not isinstance(claims, Mapping):
        yield _jwt_fail(ctx, JWT_CLAIMS, "the JWT payload", "a claims object with a vc or vp claim", claims)
        return
    name = "vp" if is_presentation(subject) else "vc"
    other = "vc" if name == "vp" else "vp"
    what = "presentation" if name == "vp" else "credential"
    if not isinstance(claims.get(name), Mapping):
        if isinstance(claims.get(other), Mapping):
            yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", name), f"the JWT {name} claim", f"the {what} in the {name} claim, not in {other}")
        else:
            yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", name), f"the JWT {name} claim", f"the {what} as a JSON object",
                            claims.get(name, MISSING))


@check("VCDM11-jwt-registered-claims")
def jwt_uses_registered_claims(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each property of the vc (vp) object that has a registered claim counterpart is also stated by that claim."""
    found = _enclosed(subject, ctx)
    if isinstance(found, Finding):
        yield found
        return
    claims, raw, name = found
    if name == "vp":
        pairs = [("holder", "iss"), ("id", "jti")]
    else:
        pairs = [("issuer", "iss"), ("issuanceDate", "nbf"), ("expirationDate", "exp"), ("id", "jti")]
        subject_value = raw.get("credentialSubject")
        if isinstance(subject_value, Mapping) and "id" in subject_value and "sub" not in claims:
            yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", "sub"), "the JWT sub claim", f"the subject id {subject_value['id']!r} as sub")
    for prop, claim in pairs:
        if prop in raw and claim not in claims:
            yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", claim), f"the JWT {claim} claim", f"{name}.{prop} stated as {claim}")


def _consistency(subject: Subject, ctx: CheckContext, claim: str, prop: str) -> Iterator[Finding]:
    found = _enclosed(subject, ctx)
    if isinstance(found, Finding):
        yield found
        return
    claims, raw, name = found
    if claim not in claims or prop not in raw:
        yield ctx.inapplicable(f"the JWT does not state both {claim} and {name}.{prop}")
        return
    expected = issuer_id(raw[prop]) if prop in ("issuer", "holder") else raw[prop]
    if claims[claim] != expected:
        yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", claim), f"the JWT {claim} claim", f"{expected!r}, as {name}.{prop} states", claims[claim])


@check("VCDM11-jwt-iss-issuer")
def jwt_iss_matches_issuer(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """iss equals vc.issuer (or vc.issuer.id); for a presentation, vp.holder."""
    name = "vp" if is_presentation(subject) else "vc"
    yield from _consistency(subject, ctx, "iss", "holder" if name == "vp" else "issuer")


@check("VCDM11-jwt-jti-id")
def jwt_jti_matches_id(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """jti equals the id of the vc (vp) object."""
    yield from _consistency(subject, ctx, "jti", "id")


def _same_instant(subject: Subject, ctx: CheckContext, claim: str, prop: str) -> Iterator[Finding]:
    found = _enclosed(subject, ctx)
    if isinstance(found, Finding):
        yield found
        return
    claims, raw, name = found
    value = claims.get(claim)
    when = instant(raw.get(prop))
    if not is_numeric_date(value) or when is None:
        yield ctx.inapplicable(f"the JWT does not state both {claim} as a number and {name}.{prop} as a dateTime")
    elif math.floor(value) != math.floor(when):
        yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", claim), f"the JWT {claim} claim",
                        f"{math.floor(when)}, the instant of {name}.{prop} {raw[prop]}", value)


@check("VCDM11-jwt-nbf-issuance")
def jwt_nbf_matches_issuance(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """nbf and vc.issuanceDate are the same instant, to the second."""
    yield from _same_instant(subject, ctx, "nbf", "issuanceDate")


@check("VCDM11-jwt-exp-expiration")
def jwt_exp_matches_expiration(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """exp and vc.expirationDate are the same instant, to the second."""
    yield from _same_instant(subject, ctx, "exp", "expirationDate")


@check("VCDM11-jwt-sub-subject")
def jwt_sub_matches_subject(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """sub equals the id of the vc's credentialSubject (one of them, when there are several)."""
    found = _enclosed(subject, ctx)
    if isinstance(found, Finding):
        yield found
        return
    claims, raw, name = found
    ids = subject_ids(raw.get("credentialSubject"))
    if name != "vc" or "sub" not in claims or not ids:
        yield ctx.inapplicable("the JWT does not state both sub and a credentialSubject id")
    elif claims["sub"] not in ids:
        yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", "sub"), "the JWT sub claim", f"the credentialSubject id {ids[0]!r}", claims["sub"])


@check("VCDM11-jwt-numeric-dates")
def jwt_dates_are_numeric(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """nbf and exp, when present, are JSON numbers (NumericDate), not strings or booleans."""
    jwt, skip = _vc_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    claims = jwt.jws.payload
    present = [c for c in ("nbf", "exp") if isinstance(claims, Mapping) and c in claims]
    if not present:
        yield ctx.inapplicable("the JWT has no nbf or exp claim")
    for claim in present:
        value = claims[claim]
        if not is_numeric_date(value):
            yield _jwt_fail(ctx, claim_location("vc-jwt-1.1", claim), f"the JWT {claim} claim", "a NumericDate (seconds since the epoch, a JSON number)",
                            value)
