"""VCDM20 checks: one per automated requirement of shapes/vcdm/2.0/requirements.toml, except the class rules
(the type of each data-model object), which are rows of shapes/vcdm/2.0/classes.toml (classes.py)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.predicates import (
    as_list,
    is_datetime_stamp,
    is_language_tag,
    is_url,
    items,
    per_subject,
    pointer,
)
from conformance.core.subject import Subject
from conformance.standards.jsonld_terms import undefined_terms
from conformance.standards.validity import judge_bounds, property_bounds

from ._shapes import (
    ENVELOPE_MEDIA_TYPES,
    V2_CONTEXT,
    data_url_media_type,
    embedded_json_pointers,
    has_proof,
    instant,
    is_enveloped,
    is_media_type,
    is_multibase,
    is_secured_itself,
    is_sri_digest,
    issuer_objects,
    kind,
    language_value_objects,
    node_id,
    shares_parent_jsonld,
    within,
)


def _credential_only(subject: Subject, ctx: CheckContext) -> Finding | None:
    """An inapplicable finding when the subject is not a credential (for issuer, subject, validity rules)."""
    found = kind(subject)
    if found != "credential":
        article = "an" if found[0] == "e" else "a"
        return ctx.inapplicable(f"the document is {article} {found}, not a credential")
    return None


def _not_enveloped(subject: Subject, ctx: CheckContext) -> Finding | None:
    if is_enveloped(subject):
        return ctx.inapplicable("the document is an enveloped object; the document it carries is judged")
    return None


# --- @context and JSON-LD -----------------------------------------------------------------------------------

@check("VCDM20-context-present")
def context_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """@context is a key of the document; null counts as absent."""
    if subject.document.get("@context") is None:
        yield ctx.fail("/@context", expected="an @context property",
                       found=subject.document.get("@context", MISSING))


@check("VCDM20-context-ordered-set")
def context_is_an_array(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """@context is a JSON array."""
    value = subject.document.get("@context")
    if value is None:
        yield ctx.inapplicable("the document has no @context")
    elif not isinstance(value, list):
        yield ctx.fail("/@context", expected=f'an array starting with "{V2_CONTEXT}"', found=value)


@check("VCDM20-context-first-v2")
def context_starts_with_v2(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The first @context item (a lone value counts as the first) is exactly the v2 base context URL."""
    value = subject.document.get("@context")
    if value is None:
        yield ctx.inapplicable("the document has no @context")
        return
    if isinstance(value, list):
        if not value:
            yield ctx.fail("/@context", expected=f'"{V2_CONTEXT}" as the first item', found=value)
        elif value[0] != V2_CONTEXT:
            yield ctx.fail("/@context/0", expected=f'exactly "{V2_CONTEXT}"', found=value[0])
    elif value != V2_CONTEXT:
        yield ctx.fail("/@context", expected=f'"{V2_CONTEXT}" as the first item', found=value)


@check("VCDM20-context-items-urls-or-objects")
def later_contexts_are_urls_or_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each @context item after the first is an absolute URL string or a JSON object."""
    value = subject.document.get("@context")
    if not isinstance(value, list) or len(value) < 2:
        yield ctx.inapplicable("@context has no items after the first")
        return
    for index, item in enumerate(value[1:], start=1):
        if not (isinstance(item, Mapping) or is_url(item)):
            yield ctx.fail(pointer("@context", index), expected="a context URL or a context object",
                           found=item)


@check("VCDM20-terms-defined")
def terms_are_defined(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """No property or type is dropped by safe-mode JSON-LD expansion (conformance.standards.jsonld_terms)."""
    yield from undefined_terms(subject, ctx, processable_rule="VCDM20-jsonld-processable")


@check("VCDM20-jsonld-processable")
def jsonld_is_processable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Safe-mode expansion over the pinned contexts does not stop with an error."""
    report = subject.jsonld
    if shares_parent_jsonld(subject):
        yield ctx.inapplicable("expanded as part of the enclosing document; reported there")
        return
    if report.unavailable is not None:
        yield ctx.error(report.unavailable.describe())
    elif report.invalid is not None:
        yield ctx.fail("", expected="a document JSON-LD processing accepts",
                       message=f"JSON-LD processing rejects the document: {report.invalid}")


# --- identifiers --------------------------------------------------------------------------------------------

@check("VCDM20-id-single-url")
def document_id_is_url(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The document's id, when present, is one absolute URL string."""
    if (skip := _not_enveloped(subject, ctx)) is not None:
        yield skip
        return
    document = subject.document
    if "id" not in document:
        yield ctx.inapplicable("the document has no id")
    elif not is_url(document["id"]):
        yield ctx.fail("/id", expected="a single URL", found=document["id"])


def _ids_of(subject: Subject, ctx: CheckContext, key: str, *, required: bool = False) -> Iterator[Finding]:
    """For each object under `key`: its id (when present, or always when required) is a URL."""
    document = subject.document
    if key not in document:
        yield ctx.inapplicable(f"the document has no {key}")
        return
    for at, node in items(document, key):
        if not isinstance(node, Mapping):
            continue                      # the shape of the value is judged by the property's type rule
        if "id" in node:
            if not is_url(node["id"]):
                yield ctx.fail(at + "/id", expected="a single URL", found=node["id"])
        elif required:
            yield ctx.fail(at + "/id", expected="an id holding a URL", found=MISSING)


@check("VCDM20-subject-id-url")
def subject_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each credentialSubject object's id, when present, is a URL."""
    yield from _ids_of(subject, ctx, "credentialSubject")


@check("VCDM20-status-id-url")
def status_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each credentialStatus object's id, when present, is a URL."""
    yield from _ids_of(subject, ctx, "credentialStatus")


@check("VCDM20-schema-id-url")
def schema_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each credentialSchema object has an id holding a URL."""
    yield from _ids_of(subject, ctx, "credentialSchema", required=True)


@check("VCDM20-evidence-id-url")
def evidence_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each evidence object's id, when present, is a URL."""
    yield from _ids_of(subject, ctx, "evidence")


@check("VCDM20-terms-of-use-id-url")
def terms_of_use_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each termsOfUse object's id, when present, is a URL."""
    yield from _ids_of(subject, ctx, "termsOfUse")


@check("VCDM20-refresh-service-id-url")
def refresh_service_ids_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each refreshService object's id, when present, is a URL."""
    yield from _ids_of(subject, ctx, "refreshService")


# --- types --------------------------------------------------------------------------------------------------

@check("VCDM20-type-present")
def type_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type is a key of the document; null counts as absent."""
    if subject.document.get("type") is None:
        yield ctx.fail("/type", expected="a type property", found=subject.document.get("type", MISSING))


@check("VCDM20-type-values-strings")
def type_values_are_strings(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """type is a non-empty string or a non-empty array of non-empty strings."""
    value = subject.document.get("type")
    if value is None:
        yield ctx.inapplicable("the document has no type")
    elif isinstance(value, list):
        if not value:
            yield ctx.fail("/type", expected="one or more type names", found=value)
        for index, item in enumerate(value):
            if not (isinstance(item, str) and item):
                yield ctx.fail(pointer("type", index), expected="a non-empty string", found=item)
    elif not (isinstance(value, str) and value):
        yield ctx.fail("/type", expected="a non-empty string or an array of them", found=value)


@check("VCDM20-type-includes-base")
def type_includes_base_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential's type has VerifiableCredential; a presentation's has VerifiablePresentation."""
    found = kind(subject)
    if found.startswith("enveloped"):
        yield ctx.inapplicable("the document is an enveloped object")
        return
    if subject.document.get("type") is None:
        yield ctx.inapplicable("the document has no type")
        return
    base = "VerifiablePresentation" if found == "presentation" else "VerifiableCredential"
    if base not in subject.types:
        yield ctx.fail("/type", expected=f"a type that includes {base}", found=subject.document.get("type"))


@check("VCDM20-type-specific")
def credential_has_specific_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential's type names something besides VerifiableCredential."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    if "VerifiableCredential" not in subject.types:
        yield ctx.inapplicable("the type lacks VerifiableCredential (see VCDM20-type-includes-base)")
    elif not subject.types - {"VerifiableCredential"}:
        yield ctx.fail("/type", expected="a specific credential type beside VerifiableCredential",
                       found=subject.document.get("type"))


# --- names, descriptions, language --------------------------------------------------------------------------

def _is_language_value_shape(value: Any) -> bool:
    """A string @value and no keys besides @language and @direction (their values are judged separately)."""
    return (isinstance(value, Mapping) and isinstance(value.get("@value"), str)
            and not set(value) - {"@value", "@language", "@direction"})


def _text_values(subject: Subject, ctx: CheckContext, key: str) -> Iterator[Finding]:
    document = subject.document
    holders = [("", document)] + list(issuer_objects(document))
    holders = [(at, node) for at, node in holders if key in node]
    if not holders:
        yield ctx.inapplicable(f"neither the document nor its issuer has a {key}")
        return
    expected = "a string, a language value object, or an array of these"
    for base, node in holders:
        value = node[key]
        if isinstance(value, list):
            if not value:
                yield ctx.fail(base + pointer(key), expected=expected, found=value)
            for index, item in enumerate(value):
                if not (isinstance(item, str) or _is_language_value_shape(item)):
                    yield ctx.fail(base + pointer(key, index), expected="a string or a language value object",
                                   found=item)
        elif not (isinstance(value, str) or _is_language_value_shape(value)):
            yield ctx.fail(base + pointer(key), expected=expected, found=value)


@check("VCDM20-name-string-or-language")
def names_are_text(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """name on the document and on an issuer object is a string or a language value object (or an array)."""
    yield from _text_values(subject, ctx, "name")


@check("VCDM20-description-string-or-language")
def descriptions_are_text(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """description on the document and on an issuer object is text, as name is."""
    yield from _text_values(subject, ctx, "description")


@per_subject
def _value_objects(subject: Subject) -> list[tuple[str, Mapping[str, Any]]]:
    children = embedded_json_pointers(subject)
    return [(at, node) for at, node in language_value_objects(subject.document) if not within(at, children)]


@check("VCDM20-language-tag-wellformed")
def language_tags_are_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Every @language of a value object anywhere in the document (outside embedded credentials) is BCP 47."""
    tagged = [(at, node) for at, node in _value_objects(subject) if "@language" in node]
    if not tagged:
        yield ctx.inapplicable("the document has no language-tagged values")
        return
    for at, node in tagged:
        if not is_language_tag(node["@language"]):
            yield ctx.fail(at + "/@language", expected="a well-formed BCP 47 language tag",
                           found=node["@language"])


@check("VCDM20-direction-valid")
def directions_are_valid(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Every @direction of a value object in the document (outside embedded credentials) is ltr or rtl."""
    directed = [(at, node) for at, node in _value_objects(subject) if "@direction" in node]
    if not directed:
        yield ctx.inapplicable("the document has no values with a base direction")
        return
    for at, node in directed:
        if node["@direction"] not in ("ltr", "rtl"):
            yield ctx.fail(at + "/@direction", expected='"ltr" or "rtl"', found=node["@direction"])


# --- issuer and subject -------------------------------------------------------------------------------------

@check("VCDM20-issuer-present")
def issuer_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential has issuer; null counts as absent."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
    elif subject.document.get("issuer") is None:
        yield ctx.fail("/issuer", expected="an issuer property",
                       found=subject.document.get("issuer", MISSING))


@check("VCDM20-issuer-url-or-object")
def issuer_is_url_or_object(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """issuer is a URL string, or an object whose id is a URL string."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    issuer = subject.document.get("issuer")
    if issuer is None:
        yield ctx.inapplicable("the credential has no issuer")
    elif isinstance(issuer, Mapping):
        if not is_url(issuer.get("id")):
            yield ctx.fail("/issuer/id", expected="a URL identifying the issuer",
                           found=issuer.get("id", MISSING))
    elif not is_url(issuer):
        yield ctx.fail("/issuer", expected="a URL, or an object whose id is a URL", found=issuer)


@check("VCDM20-subject-present")
def subject_is_present(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A credential has credentialSubject; null counts as absent."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
    elif subject.document.get("credentialSubject") is None:
        yield ctx.fail("/credentialSubject", expected="a credentialSubject property",
                       found=subject.document.get("credentialSubject", MISSING))


@check("VCDM20-subject-objects")
def subject_is_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """credentialSubject is an object or a non-empty array of objects."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    value = subject.document.get("credentialSubject")
    if value is None:
        yield ctx.inapplicable("the credential has no credentialSubject")
    elif isinstance(value, list):
        if not value:
            yield ctx.fail("/credentialSubject", expected="one or more subject objects", found=value)
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                yield ctx.fail(pointer("credentialSubject", index), expected="a subject object", found=item)
    elif not isinstance(value, Mapping):
        yield ctx.fail("/credentialSubject", expected="an object or an array of objects", found=value)


@check("VCDM20-subject-makes-claim")
def subjects_make_claims(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each credentialSubject object has at least one property (an id alone counts)."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    subjects = [(at, node) for at, node in items(subject.document, "credentialSubject")
                if isinstance(node, Mapping)]
    if not subjects:
        yield ctx.inapplicable("the credential has no credentialSubject object")
    for at, node in subjects:
        if not node:
            yield ctx.fail(at, expected="an object stating at least one claim", found=node)


# --- validity period ----------------------------------------------------------------------------------------

def _datetime_stamp(subject: Subject, ctx: CheckContext, key: str) -> Iterator[Finding]:
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    document = subject.document
    if key not in document:
        yield ctx.inapplicable(f"the credential has no {key}")
    elif not is_datetime_stamp(document[key]):
        yield ctx.fail(pointer(key), expected="an XML Schema dateTimeStamp such as 2025-01-31T09:00:00Z",
                       found=document[key])


@check("VCDM20-valid-from-datetime-stamp")
def valid_from_is_datetime_stamp(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _datetime_stamp(subject, ctx, "validFrom")


@check("VCDM20-valid-until-datetime-stamp")
def valid_until_is_datetime_stamp(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _datetime_stamp(subject, ctx, "validUntil")


@check("VCDM20-validity-order")
def valid_from_not_after_valid_until(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """validFrom <= validUntil as instants; inapplicable unless both are dateTimeStamps."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    start, end = instant(subject.document.get("validFrom")), instant(subject.document.get("validUntil"))
    if start is None or end is None:
        yield ctx.inapplicable("the credential does not have both validFrom and validUntil as dateTimeStamps")
    elif start > end:
        yield ctx.fail("/validUntil", expected=f"an instant no earlier than validFrom "
                                               f"({subject.document['validFrom']})",
                       found=subject.document["validUntil"])


@check("VCDM20-valid-at-instant")
def valid_at_judging_instant(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """validFrom is not after, and validUntil not before, the run's judging instant. Apart from the format rules
    above: a credential past its validUntil is still a conformant document (the rule is tagged verification)."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    bounds = property_bounds(subject.document, "validFrom", "validUntil")
    if not bounds:
        yield ctx.inapplicable("the credential states neither validFrom nor validUntil: its validity period is open")
        return
    yield from judge_bounds(ctx, bounds, subject.verification_options.instant(),
                            format_rules="VCDM20-valid-from-datetime-stamp and VCDM20-valid-until-datetime-stamp")


@check("VCDM20-no-v1-dates")
def no_v1_validity_properties(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Neither issuanceDate nor expirationDate appears at the top of a 2.0 credential."""
    if (skip := _credential_only(subject, ctx)) is not None:
        yield skip
        return
    for key, instead in (("issuanceDate", "validFrom"), ("expirationDate", "validUntil")):
        if key in subject.document:
            yield ctx.fail(pointer(key), expected=f"no {key} in a 2.0 credential ({instead} instead)",
                           found=subject.document[key])


# --- related resources --------------------------------------------------------------------------------------

def _related(subject: Subject, ctx: CheckContext) -> list[tuple[str, Any]] | None:
    if "relatedResource" not in subject.document:
        return None
    return list(items(subject.document, "relatedResource"))


@check("VCDM20-related-resource-id-url")
def related_resources_have_url_ids(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each relatedResource value is an object whose id is a URL."""
    related = _related(subject, ctx)
    if related is None:
        yield ctx.inapplicable("the document has no relatedResource")
        return
    value = subject.document["relatedResource"]
    if isinstance(value, list) and not value:
        yield ctx.fail("/relatedResource", expected="one or more related resource objects", found=value)
    for at, node in related:
        if not isinstance(node, Mapping):
            yield ctx.fail(at, expected="an object with an id and a digest", found=node)
        elif not is_url(node.get("id")):
            yield ctx.fail(at + "/id", expected="a URL identifying the resource",
                           found=node.get("id", MISSING))


@check("VCDM20-related-resource-unique-ids")
def related_resource_ids_are_unique(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """No id string repeats among the relatedResource objects."""
    related = _related(subject, ctx)
    if related is None:
        yield ctx.inapplicable("the document has no relatedResource")
        return
    seen: dict[str, str] = {}
    for at, node in related:
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            first = seen.setdefault(node["id"], at)
            if first != at:
                yield ctx.fail(at + "/id", expected=f"an id not already used at {first}/id", found=node["id"])


@check("VCDM20-related-resource-digest")
def related_resources_have_digest(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each relatedResource object has digestSRI or digestMultibase."""
    related = _related(subject, ctx)
    if related is None:
        yield ctx.inapplicable("the document has no relatedResource")
        return
    for at, node in related:
        if isinstance(node, Mapping) and "digestSRI" not in node and "digestMultibase" not in node:
            yield ctx.fail(at, expected="a digestSRI or digestMultibase value",
                           message=f"{at} has neither digestSRI nor digestMultibase; expected at least one")


def _digests(subject: Subject, ctx: CheckContext, key: str, valid: Any, expected: str) -> Iterator[Finding]:
    related = _related(subject, ctx) or []
    values = [(at, node[key]) for at, node in related if isinstance(node, Mapping) and key in node]
    if not values:
        yield ctx.inapplicable(f"no relatedResource object has {key}")
        return
    for at, value in values:
        listed = ([(at + pointer(key, i), v) for i, v in enumerate(value)] if isinstance(value, list)
                  else [(at + pointer(key), value)])
        for where, digest in listed:
            if not valid(digest):
                yield ctx.fail(where, expected=expected, found=digest)


@check("VCDM20-related-resource-sri")
def related_resource_sri_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each digestSRI is sha256|sha384|sha512, '-', base64 of the right length (several, space-separated)."""
    yield from _digests(subject, ctx, "digestSRI", is_sri_digest,
                        "an SRI hash expression such as sha384-<base64 of 48 bytes>")


@check("VCDM20-related-resource-multibase")
def related_resource_multibase_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each digestMultibase is 'u' + base64url or 'z' + base58btc."""
    yield from _digests(subject, ctx, "digestMultibase", is_multibase,
                        "a multibase string: u + base64url or z + base58btc")


@check("VCDM20-related-resource-media-type")
def related_resource_media_type_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each relatedResource mediaType, when present, is type/subtype (parameters allowed)."""
    related = _related(subject, ctx) or []
    typed = [(at, node["mediaType"]) for at, node in related
             if isinstance(node, Mapping) and "mediaType" in node]
    if not typed:
        yield ctx.inapplicable("no relatedResource object has a mediaType")
        return
    for at, value in typed:
        if not is_media_type(value):
            yield ctx.fail(at + "/mediaType", expected="a media type such as application/ld+json",
                           found=value)


# --- presentations ------------------------------------------------------------------------------------------

def _presentation_only(subject: Subject, ctx: CheckContext) -> Finding | None:
    if kind(subject) != "presentation":
        return ctx.inapplicable("the document is not a presentation")
    return None


@check("VCDM20-vp-credentials-objects")
def presented_credentials_are_objects(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """verifiableCredential holds one or more JSON objects."""
    if (skip := _presentation_only(subject, ctx)) is not None:
        yield skip
        return
    document = subject.document
    if "verifiableCredential" not in document:
        yield ctx.inapplicable("the presentation has no verifiableCredential")
        return
    value = document["verifiableCredential"]
    if isinstance(value, list) and not value:
        yield ctx.fail("/verifiableCredential", expected="one or more credential objects", found=value)
    for at, item in items(document, "verifiableCredential"):
        if not isinstance(item, Mapping):
            hint = ("a credential object; a JWT travels as an EnvelopedVerifiableCredential with a "
                    "data: URL id"
                    if isinstance(item, str) else "a credential object")
            yield ctx.fail(at, expected=hint, found=item)


@check("VCDM20-vp-holder-url-or-object")
def holder_is_url_or_object(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """holder is a URL string, or an object whose id is a URL string."""
    if (skip := _presentation_only(subject, ctx)) is not None:
        yield skip
        return
    document = subject.document
    if "holder" not in document:
        yield ctx.inapplicable("the presentation has no holder")
        return
    holder = document["holder"]
    if isinstance(holder, Mapping):
        if not is_url(holder.get("id")):
            yield ctx.fail("/holder/id", expected="a URL identifying the holder",
                           found=holder.get("id", MISSING))
    elif not is_url(holder):
        yield ctx.fail("/holder", expected="a URL, or an object whose id is a URL", found=holder)


def _unsecured_credentials(document: Mapping[str, Any]) -> list[str]:
    """Pointers of presented credential objects with no securing of their own (no proof, not enveloped)."""
    found = []
    for at, item in items(document, "verifiableCredential"):
        if not isinstance(item, Mapping):
            continue
        types = {t for t in as_list(item.get("type")) if isinstance(t, str)}
        if types & {"EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"} or has_proof(item):
            continue
        found.append(at)
    return found


@check("VCDM20-vp-holder-for-self-asserted")
def self_asserted_presentation_has_holder(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """A presentation with a presented credential that has no proof and no envelope states a holder."""
    if (skip := _presentation_only(subject, ctx)) is not None:
        yield skip
        return
    unsecured = _unsecured_credentials(subject.document)
    if not unsecured:
        yield ctx.inapplicable("every presented credential is secured on its own")
    elif subject.document.get("holder") is None:
        yield ctx.fail("/holder",
                       expected=f"a holder, since {unsecured[0]} is secured only by the presentation",
                       found=subject.document.get("holder", MISSING))


# --- enveloped objects --------------------------------------------------------------------------------------

@check("VCDM20-enveloped-id-data-url")
def envelope_id_is_data_url(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """An enveloped object's id is a string starting with data: and holding a comma before its data."""
    if not is_enveloped(subject):
        yield ctx.inapplicable("the document is not an enveloped credential or presentation")
        return
    value = subject.document.get("id", MISSING)
    if data_url_media_type(value) is None:
        yield ctx.fail("/id", expected="a data: URL carrying the secured document", found=value)


@check("VCDM20-enveloped-media-type")
def envelope_media_type_is_secured_form(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The data: URL media type is a secured VC form for a credential envelope, a VP form for a VP one."""
    found = kind(subject)
    if found not in ENVELOPE_MEDIA_TYPES:
        yield ctx.inapplicable("the document is not an enveloped credential or presentation")
        return
    media = data_url_media_type(subject.document.get("id"))
    if media is None:
        yield ctx.inapplicable("the id is not a data: URL (see VCDM20-enveloped-id-data-url)")
        return
    accepted = ENVELOPE_MEDIA_TYPES[found]
    if media not in accepted:
        yield ctx.fail("/id", expected=f"a data: URL of type {', '.join(sorted(accepted))}",
                       message=f"/id is a data: URL of media type {media or '(none)'!r}; expected one of "
                               f"{', '.join(sorted(accepted))}")


# --- securing -----------------------------------------------------------------------------------------------

def _holder_of(document: Mapping[str, Any]) -> Any:
    return node_id(document.get("holder"))


@check("VCDM20-secured")
def document_is_secured(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """An embedded proof or an enveloping JWT; a credential presented without either is secured only when
    it is self-asserted: the presentation is secured and its holder is the credential's issuer."""
    if (skip := _not_enveloped(subject, ctx)) is not None:
        yield skip
        return
    if is_secured_itself(subject):
        return
    parent = subject.parent
    if parent is not None and shares_parent_jsonld(subject) and kind(parent) == "presentation" \
            and subject.pointer.startswith("/verifiableCredential"):
        holder = _holder_of(parent.document)
        issuer = node_id(subject.document.get("issuer"))
        if is_secured_itself(parent) and isinstance(holder, str) and holder == issuer:
            return
        shown_holder = describe(holder if holder is not None else MISSING)
        shown_issuer = describe(issuer if issuer is not None else MISSING)
        yield ctx.fail("/proof", expected="a proof of its own, or a secured presentation whose holder is "
                                          "this credential's issuer",
                       message=f"the credential has no proof, and it is not self-asserted in a secured "
                               f"presentation (holder {shown_holder}, issuer {shown_issuer}); expected a "
                               f"proof of its own")
        return
    yield ctx.fail("/proof", expected="an embedded proof or an enveloping JOSE, SD-JWT or COSE signature")


def _proofs(subject: Subject) -> list[tuple[str, Any]]:
    return list(items(subject.document, "proof"))


def _proof_objects(subject: Subject, ctx: CheckContext) -> list[tuple[str, Mapping[str, Any]]] | None:
    found = [(at, p) for at, p in _proofs(subject) if isinstance(p, Mapping)]
    return found or None


@check("VCDM20-proof-purpose")
def proofs_state_purpose(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each proof object has proofPurpose as a non-empty string."""
    proofs = _proof_objects(subject, ctx)
    if proofs is None:
        yield ctx.inapplicable("the document has no proof object")
        return
    for at, proof in proofs:
        value = proof.get("proofPurpose", MISSING)
        if not (isinstance(value, str) and value):
            yield ctx.fail(at + "/proofPurpose", expected="a proof purpose such as assertionMethod",
                           found=value)


@check("VCDM20-proof-cryptosuite")
def data_integrity_proofs_name_cryptosuite(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Each proof whose type includes DataIntegrityProof has cryptosuite as a non-empty string."""
    proofs = [(at, p) for at, p in _proof_objects(subject, ctx) or []
              if "DataIntegrityProof" in as_list(p.get("type"))]
    if not proofs:
        yield ctx.inapplicable("the document has no DataIntegrityProof")
        return
    for at, proof in proofs:
        value = proof.get("cryptosuite", MISSING)
        if not (isinstance(value, str) and value):
            yield ctx.fail(at + "/cryptosuite", expected="a cryptosuite name such as eddsa-rdfc-2022",
                           found=value)


@check("VCDM20-proof-dates")
def proof_dates_are_datetime_stamps(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """created and expires of each proof object, when present, are dateTimeStamps."""
    dated = [(at, p, key) for at, p in _proof_objects(subject, ctx) or [] for key in ("created", "expires")
             if key in p]
    if not dated:
        yield ctx.inapplicable("no proof states created or expires")
        return
    for at, proof, key in dated:
        if not is_datetime_stamp(proof[key]):
            yield ctx.fail(at + pointer(key),
                           expected="an XML Schema dateTimeStamp such as 2025-01-31T09:00:00Z",
                           found=proof[key])


@check("VCDM20-proof-verification-method-url")
def proof_verification_methods_are_urls(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """verificationMethod of each proof object, when present, is a URL string."""
    methods = [(at, p["verificationMethod"]) for at, p in _proof_objects(subject, ctx) or []
               if "verificationMethod" in p]
    if not methods:
        yield ctx.inapplicable("no proof states a verificationMethod")
        return
    for at, value in methods:
        if not is_url(value):
            yield ctx.fail(at + "/verificationMethod", expected="a URL of the verification method",
                           found=value)
