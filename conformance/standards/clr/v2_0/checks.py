"""CLR 2.0 checks: one per requirement of shapes/clr/2.0/requirements.toml, except the class rules of the ClrSubject's
achievements and associations, which are rows of shapes/clr/2.0/classes.toml (classes.py).

Only ClrCredentials (or documents claiming the CLR context) reach these checks; the credentials a CLR wraps are
judged as subjects of their own by OB30 and VCDM20.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    as_list,
    is_datetime_stamp,
    is_language_value,
    is_url,
    items,
    pointer,
)
from conformance.core.subject import Subject
from conformance.standards.jsonld_terms import undefined_terms
from conformance.standards.ob.v3_0.revocation import revocation_list_clears_the_credential
from conformance.standards.securing import secured_by_issuer
from conformance.standards.validity import verification_period
from conformance.standards.vcdm import vc_version

from ._shapes import (
    CLR_CONTEXT,
    CURRENT_CLR,
    CURRENT_OB,
    ENVELOPED,
    IDENTITY_OBJECT_KEYS,
    NESTED_TYPES,
    NO_ACHIEVEMENT,
    NO_ASSOCIATION,
    OB_CONTEXT,
    SUBJECT,
    achievement_ids,
    clr_subject,
    context_version,
    endorsement_holders,
    is_identifier_type,
    is_identity_hash,
    is_language_map,
    jws_document,
    nested_document,
    subject_entries,
    types_of,
)

CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"


def _context_item(subject: Subject, index: int) -> Any:
    contexts = subject.document.get("@context")
    if not isinstance(contexts, list) or len(contexts) <= index:
        return MISSING
    return contexts[index]


# --- @context ----------------------------------------------------------------------------------------------

@check("CLR20-context-clr-second")
def second_context_is_clr(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """@context[1] is a CLR 2.0 context URL; a lone string @context has no second item and fails."""
    value = _context_item(subject, 1)
    if context_version(value, CLR_CONTEXT, (2, 0, 0)) is None:
        yield ctx.fail(pointer("@context", 1), expected="a CLR 2.0 context URL "
                       "(https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json)", found=value)


@check("CLR20-context-ob-third")
def third_context_is_ob(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """@context[2] is an Open Badges 3.0 context URL."""
    value = _context_item(subject, 2)
    if context_version(value, OB_CONTEXT, (3, 0, 0)) is None:
        yield ctx.fail(pointer("@context", 2), expected="an Open Badges 3.0 context URL "
                       "(https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json)", found=value)


@check("CLR20-context-current-versions")
def contexts_are_current(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The CLR and OB context URLs in @context name the current versions (CLR 2.0.1+, OB 3.0.3+).

    Only the CLR and OB context URLs found anywhere in @context are judged; their position is the order rules' job.
    """
    judged = False
    for index, value in enumerate(as_list(subject.document.get("@context"))):
        for pattern, unversioned, current, label in ((CLR_CONTEXT, (2, 0, 0), CURRENT_CLR, "CLR 2.0.1"),
                                                     (OB_CONTEXT, (3, 0, 0), CURRENT_OB, "OB 3.0.3")):
            version = context_version(value, pattern, unversioned)
            if version is None:
                continue
            judged = True
            if version < current:
                yield ctx.fail(pointer("@context", index), found=value,
                               expected=f"the {label} context or a later version")
    if not judged:
        yield ctx.inapplicable("@context names no CLR or OB context URL")


# --- the credential ----------------------------------------------------------------------------------------

@check("CLR20-type-clrcredential")
def type_includes_clrcredential(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type holds both VerifiableCredential and ClrCredential (one string or an array)."""
    missing = [t for t in ("VerifiableCredential", "ClrCredential") if t not in subject.types]
    if missing:
        yield ctx.fail("/type", expected="a type including VerifiableCredential and ClrCredential",
                       found=subject.document.get("type", MISSING))


@check("CLR20-id-present")
def id_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """id is present and not null; VCDM20 judges its form."""
    if subject.document.get("id") is None:
        yield ctx.fail("/id", expected="an id for the ClrCredential",
                       found=MISSING if "id" not in subject.document else None)


def _is_name(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value) and all(is_language_value(v) and v["@value"].strip() for v in value)
    return (is_language_value(value) and bool(value["@value"].strip())) or is_language_map(value)


@check("CLR20-name-present")
def name_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """name is a non-empty string, language value object(s), or a language map keyed by language tags."""
    value = subject.document.get("name", MISSING)
    if value is MISSING or not _is_name(value):
        yield ctx.fail("/name", found=value,
                       expected="a non-empty name: a string, language value objects, or a language map")


@check("CLR20-issuer-profile")
def issuer_is_url_or_profile(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuer is a URL, or an object with a URL id and a type including Profile."""
    issuer = subject.document.get("issuer", MISSING)
    if isinstance(issuer, str) and is_url(issuer):
        return
    if not isinstance(issuer, Mapping):
        yield ctx.fail("/issuer", expected="a URL or a Profile object", found=issuer)
        return
    if not is_url(issuer.get("id")):
        yield ctx.fail("/issuer/id", expected="a URL identifying the issuer Profile", found=issuer.get("id", MISSING))
    if "Profile" not in types_of(issuer):
        yield ctx.fail("/issuer/type", expected="a type including Profile", found=issuer.get("type", MISSING))


@check("CLR20-valid-from-present")
def valid_from_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """validFrom is present and not null; VCDM20 judges its form."""
    if subject.document.get("validFrom") is None:
        yield ctx.fail("/validFrom", expected="a validFrom date-time",
                       found=MISSING if "validFrom" not in subject.document else None)


@check("CLR20-awarded-date-datetime")
def awarded_date_is_datetime(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """awardedDate, when present, is an XML Schema dateTime with a time zone offset."""
    if "awardedDate" not in subject.document:
        yield ctx.inapplicable("the ClrCredential has no awardedDate")
        return
    value = subject.document["awardedDate"]
    if not is_datetime_stamp(value):
        yield ctx.fail("/awardedDate", expected="a date-time with a time zone offset (2025-07-01T00:00:00Z)",
                       found=value)


@check("CLR20-partial-boolean")
def partial_is_boolean(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """partial, when present, is true or false (a JSON boolean, not a string)."""
    if "partial" not in subject.document:
        yield ctx.inapplicable("the ClrCredential has no partial property")
        return
    value = subject.document["partial"]
    if not isinstance(value, bool):
        yield ctx.fail("/partial", expected="a JSON boolean (true or false)", found=value)


# --- securing ----------------------------------------------------------------------------------------------

def _proofs(node: Mapping[str, Any]) -> list[Any]:
    return as_list(node.get("proof"))


@check("CLR20-secured")
def clr_is_secured(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The CLR travels as a JWT, or carries at least one proof object."""
    if subject.payload.jwt is not None:
        return
    if not any(isinstance(p, Mapping) for p in _proofs(subject.document)):
        yield ctx.fail("/proof", expected="an embedded proof object, or the CLR secured as a JWT",
                       found=subject.document.get("proof", MISSING))


@check("CLR20-proof-verifies")
def clr_proof_verifies(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The CLR's proofs, or its JWS, verify with a key of the CLR's issuer."""
    yield from secured_by_issuer(subject, ctx, presence_rule="CLR20-secured")


@check("CLR20-proof-purpose")
def proof_purpose_is_assertion_method(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Every proof object on the CLR states proofPurpose assertionMethod."""
    if "proof" not in subject.document:
        yield ctx.inapplicable("the ClrCredential has no embedded proof")
        return
    for at, proof in items(subject.document, "proof"):
        if not isinstance(proof, Mapping):
            continue    # the schema layer reports non-object proofs
        if proof.get("proofPurpose") != "assertionMethod":
            yield ctx.fail(f"{at}/proofPurpose", expected="assertionMethod", found=proof.get("proofPurpose", MISSING))


@check("CLR20-nested-credential-secured")
def nested_credentials_are_secured(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each nested credential object has a proof object or is an EnvelopedVerifiableCredential.

    A string item is taken as a compact JWS (secured by its form); whether it decodes is the CORE rules' call.
    """
    entries = list(subject_entries(subject.document, "verifiableCredential"))
    if not entries:
        yield ctx.inapplicable("the ClrSubject holds no nested credential")
        return
    for at, item in entries:
        if not isinstance(item, Mapping) or ENVELOPED in types_of(item):
            continue
        if not any(isinstance(p, Mapping) for p in _proofs(item)):
            yield ctx.fail(f"{at}/proof", expected="an embedded proof on the nested credential (or a JWS form)",
                           found=item.get("proof", MISSING))


@check("CLR20-verification-validity-period")
def clr_valid_at_judging_instant(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Verification's status step for the CLR itself: not before validFrom, not after validUntil (issuanceDate and
    expirationDate in a VC 1.1 shape), and a JWT within its nbf and exp, at the run's judging instant. The nested
    credentials are judged by their own rules at their own locations."""
    modern = vc_version(subject) != "1.1"
    yield from verification_period(
        subject, ctx, modern=modern,
        format_rules="VCDM20-valid-from-datetime-stamp and VCDM20-valid-until-datetime-stamp" if modern
        else "VCDM11-issuance-date-datetime and VCDM11-expiration-date-datetime")


@check("CLR20-revocation-list-status")
def clr_revocation_list_clears(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A 1EdTechRevocationList entry on the CLR names a list that answers for the CLR's id and does not list it.
    The same reading as OB30-revocation-list-status, which OB30 applies to the credentials a CLR wraps."""
    yield from revocation_list_clears_the_credential(subject, ctx)


# --- the subject -------------------------------------------------------------------------------------------

@check("CLR20-subject-clrsubject")
def subject_is_clrsubject(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """credentialSubject is one object (not an array) whose type includes ClrSubject."""
    value = subject.document.get("credentialSubject", MISSING)
    if not isinstance(value, Mapping):
        yield ctx.fail(SUBJECT, expected="a single ClrSubject object", found=value)
    elif "ClrSubject" not in types_of(value):
        yield ctx.fail(f"{SUBJECT}/type", expected="a type including ClrSubject", found=value.get("type", MISSING))


@check("CLR20-subject-id-or-identifier")
def subject_has_id_or_identifier(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The ClrSubject has an id, or at least one identifier entry (an object)."""
    credential_subject = clr_subject(subject.document)
    if credential_subject is None:
        yield ctx.inapplicable("credentialSubject is not a single object")
        return
    if credential_subject.get("id") is not None:
        return
    if not any(isinstance(entry, Mapping) for entry in as_list(credential_subject.get("identifier"))):
        yield ctx.fail(SUBJECT, expected="an id or at least one identifier for the learner",
                       message=f"{SUBJECT} has neither an id nor an identifier; expected one of them "
                               "to identify the learner")


@check("CLR20-subject-identifier-shape")
def identifiers_are_identity_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each identifier is an IdentityObject with the four required properties of the right JSON types, and no others."""
    entries = list(subject_entries(subject.document, "identifier"))
    if not entries:
        yield ctx.inapplicable("the ClrSubject has no identifier")
        return
    for at, entry in entries:
        if not isinstance(entry, Mapping):
            yield ctx.fail(at, expected="an IdentityObject", found=entry)
            continue
        if entry.get("type") != "IdentityObject":
            yield ctx.fail(f"{at}/type", expected="IdentityObject", found=entry.get("type", MISSING))
        if not isinstance(entry.get("hashed"), bool):
            yield ctx.fail(f"{at}/hashed", expected="a JSON boolean", found=entry.get("hashed", MISSING))
        if not isinstance(entry.get("identityHash"), str):
            yield ctx.fail(f"{at}/identityHash", expected="a string", found=entry.get("identityHash", MISSING))
        if not is_identifier_type(entry.get("identityType")):
            yield ctx.fail(f"{at}/identityType", expected="an IdentifierTypeEnum value or an ext: extension",
                           found=entry.get("identityType", MISSING))
        if "salt" in entry and not isinstance(entry["salt"], str):
            yield ctx.fail(f"{at}/salt", expected="a string", found=entry["salt"])
        for extra in sorted(set(entry) - IDENTITY_OBJECT_KEYS):
            yield ctx.fail(pointer(*_tokens(at), extra), expected="no property beyond type, hashed, identityHash, "
                           "identityType and salt", found=entry[extra])


def _tokens(at: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in at[1:].split("/")] if at else []


@check("CLR20-subject-identity-hash-format")
def hashed_identities_are_digests(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A hashed identityHash is md5$<32 hex> or sha256$<64 hex>."""
    hashed = [(at, entry) for at, entry in subject_entries(subject.document, "identifier")
              if isinstance(entry, Mapping) and entry.get("hashed") is True]
    if not hashed:
        yield ctx.inapplicable("the ClrSubject has no hashed identifier")
        return
    for at, entry in hashed:
        value = entry.get("identityHash", MISSING)
        if not is_identity_hash(value):
            yield ctx.fail(f"{at}/identityHash", found=value,
                           expected="md5$ followed by 32 hex digits, or sha256$ followed by 64 hex digits")


@check("CLR20-verifiable-credential-present")
def clr_holds_credentials(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """ClrSubject.verifiableCredential is present and holds at least one item."""
    credential_subject = clr_subject(subject.document)
    if credential_subject is None:
        yield ctx.inapplicable("credentialSubject is not a single object")
        return
    value = credential_subject.get("verifiableCredential", MISSING)
    if value is MISSING or value is None or value == []:
        yield ctx.fail(f"{SUBJECT}/verifiableCredential", expected="at least one nested credential", found=value)


@check("CLR20-nested-credential-type")
def nested_credentials_are_achievement_credentials(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each nested credential (object, or compact JWS decoded) is a VerifiableCredential and an Achievement/OpenBadge
    credential; an EnvelopedVerifiableCredential is accepted as is."""
    entries = list(subject_entries(subject.document, "verifiableCredential"))
    if not entries:
        yield ctx.inapplicable("the ClrSubject holds no nested credential")
        return
    expected = "a credential typed VerifiableCredential and AchievementCredential (or OpenBadgeCredential)"
    for at, item in entries:
        if isinstance(item, Mapping) and ENVELOPED in types_of(item):
            continue
        document = nested_document(item)
        if document is None:
            yield ctx.fail(at, expected=f"{expected}, as an object or a compact JWS", found=item)
            continue
        types = types_of(document)
        if "VerifiableCredential" not in types or not types & NESTED_TYPES:
            where = f"{at}/type" if isinstance(item, Mapping) else at
            yield ctx.fail(where, expected=expected, found=document.get("type", MISSING))


# --- achievements and associations -------------------------------------------------------------------------
# Their type, id, required-property and vocabulary rules are rows of shapes/clr/2.0/classes.toml; what stays
# here compares entries with each other or with the rest of the CLR.

def _achievements(subject: Subject, ctx: CheckContext) -> list[tuple[str, Any]] | Finding:
    entries = list(subject_entries(subject.document, "achievement"))
    return entries or ctx.inapplicable(NO_ACHIEVEMENT)


@check("CLR20-achievement-ids-unique")
def achievement_ids_are_unique(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """No id appears on two ClrSubject.achievement entries; each repeat after the first is reported."""
    entries = _achievements(subject, ctx)
    if isinstance(entries, Finding):
        yield entries
        return
    counts = Counter(e["id"] for _, e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str))
    seen: set[str] = set()
    for at, entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            continue
        value = entry["id"]
        if value in seen:
            yield ctx.fail(f"{at}/id", found=value, expected=f"an id not used by another achievement "
                                                             f"({counts[value]} entries share it)")
        seen.add(value)


def _associations(subject: Subject, ctx: CheckContext) -> list[tuple[str, Mapping[str, Any]]] | Finding:
    entries = list(subject_entries(subject.document, "association"))
    if not entries:
        return ctx.inapplicable(NO_ASSOCIATION)
    return [(at, e) for at, e in entries if isinstance(e, Mapping)]


@check("CLR20-association-ids-resolve")
def association_ids_name_known_achievements(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each URI sourceId/targetId equals the id of an achievement in the CLR or in one of its nested credentials.

    Ids that are not URIs are left to CLR20-association-ids-uri.
    """
    entries = _associations(subject, ctx)
    if isinstance(entries, Finding):
        yield entries
        return
    known = achievement_ids(subject.document)
    for at, entry in entries:
        for key in ("sourceId", "targetId"):
            value = entry.get(key)
            if is_url(value) and value not in known:
                yield ctx.fail(f"{at}/{key}", found=value,
                               expected="the id of an achievement in the CLR or in one of its nested credentials")


@check("CLR20-association-not-self")
def associations_relate_distinct_achievements(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """sourceId and targetId of an association are not the same string."""
    entries = _associations(subject, ctx)
    if isinstance(entries, Finding):
        yield entries
        return
    for at, entry in entries:
        source = entry.get("sourceId")
        if isinstance(source, str) and source == entry.get("targetId"):
            yield ctx.fail(f"{at}/targetId", found=source, expected="an achievement other than the sourceId")


# --- endorsements ------------------------------------------------------------------------------------------

@check("CLR20-endorsement-type")
def endorsements_are_endorsement_credentials(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each endorsement (object) and each decodable endorsementJwt on the CLR, its issuer or its own achievements is
    typed VerifiableCredential and EndorsementCredential. Undecodable JWS strings are left to the CORE rules."""
    found_any = False
    expected = "a credential typed VerifiableCredential and EndorsementCredential"
    for base, holder in endorsement_holders(subject.document):
        for key in ("endorsement", "endorsementJwt"):
            for at, item in items(holder, key, base):
                found_any = True
                if key == "endorsementJwt":
                    document = jws_document(item) if isinstance(item, str) else None
                    if document is None:
                        continue
                    where = at
                elif isinstance(item, Mapping):
                    document, where = item, f"{at}/type"
                else:
                    yield ctx.fail(at, expected=f"{expected}, as an object", found=item)
                    continue
                if not {"VerifiableCredential", "EndorsementCredential"} <= types_of(document):
                    yield ctx.fail(where, expected=expected, found=document.get("type", MISSING))
    if not found_any:
        yield ctx.inapplicable("the ClrCredential carries no endorsement")


# --- processing layers -------------------------------------------------------------------------------------

@check("CLR20-jsonld-safe-mode")
def expands_in_safe_mode(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Safe-mode expansion finds no undefined property or type outside the embedded credentials and endorsements
    (conformance.standards.jsonld_terms)."""
    yield from undefined_terms(subject, ctx, processable_rule=None)


@check("CLR20-jsonschema-clrcredential")
def validates_against_clr_schema(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document meets the 1EdTech ClrCredential JSON Schema (JSON-LD adaptation); one failure per violation."""
    report = subject.schema(CLR_SCHEMA)
    if report.unavailable is not None:
        yield ctx.error(report.unavailable)
        return
    if report.limitation is not None:
        yield ctx.unsupported(report.limitation)
        return
    for violation in report.violations:
        at = violation.pointer or "the document"
        yield ctx.fail(violation.pointer, expected="a value the ClrCredential JSON Schema accepts",
                       message=f"{at} breaks the ClrCredential JSON Schema ({violation.keyword}): "
                               f"{_short(violation.message)}")


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
