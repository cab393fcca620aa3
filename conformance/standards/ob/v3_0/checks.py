"""Open Badges 3.0 checks: one per requirement of shapes/ob/3.0/requirements.toml."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    PNG_CONTAINER,
    SVG_CONTAINER,
    as_list,
    claim_location,
    in_jws_header,
    is_datetime,
    is_datetime_stamp,
    is_language_tag,
    is_url,
    items,
    pointer,
    type_list,
)
from conformance.core.subject import Subject
from conformance.standards.jsonld_terms import undefined_terms
from conformance.standards.ob.v3_0 import _shapes as s
from conformance.standards.securing import secured_by_issuer
from conformance.standards.validity import verification_period

Findings = Iterator[Finding]


def _get(node: Any, key: str) -> Any:
    return node.get(key, MISSING) if isinstance(node, Mapping) else MISSING


def _nonempty_string(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_one_of(value: Any, options: Any) -> bool:
    """Membership for untrusted values: only strings can be members (lists and objects are unhashable)."""
    return isinstance(value, str) and value in options


def _present(node: Any, key: str) -> bool:
    """Present with a value: null and empty strings or arrays count as absent (OB omits empty values)."""
    value = _get(node, key)
    return value is not MISSING and value is not None and value != "" and value != []


def _nodes_or_inapplicable(ctx: CheckContext, nodes: list[s.Node], what: str) -> Findings:
    if not nodes:
        yield ctx.inapplicable(f"the document has no {what}")


def _type_rule(ctx: CheckContext, nodes: list[s.Node], name: str, what: str, *, single: bool = False) -> Findings:
    """Each node is an object whose type includes `name` (or, for single-IRI classes, is `name`)."""
    yield from _nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if not isinstance(node, Mapping):
            yield ctx.fail(at, expected=f"a {name} object", found=node)
        elif single and not s.type_is(node, name):
            yield ctx.fail(at + "/type", expected=f"the IRI {name}", found=_get(node, "type"))
        elif not single and not s.type_includes(node, name):
            yield ctx.fail(at + "/type", expected=f"a type that includes {name}", found=_get(node, "type"))


def _required_rule(ctx: CheckContext, nodes: list[s.Node], keys: tuple[str, ...], what: str) -> Findings:
    yield from _nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if not isinstance(node, Mapping):
            continue                     # the class's type rule reports a non-object
        for key in keys:
            if not _present(node, key):
                yield ctx.fail(pointer_join(at, key), expected=f"a {key} value on the {what}",
                               found=_get(node, key))


def _closed_rule(ctx: CheckContext, nodes: list[s.Node], allowed: frozenset[str], what: str) -> Findings:
    yield from _nodes_or_inapplicable(ctx, nodes, what)
    for at, node in nodes:
        if isinstance(node, Mapping):
            for key in node:
                if key not in allowed:
                    expected = f"no property other than {', '.join(sorted(allowed))} on an {what}"
                    yield ctx.fail(pointer_join(at, key), expected=expected, found=node[key])


def _vocabulary_rule(ctx: CheckContext, nodes: list[s.Node], key: str, terms: frozenset[str], enum: str,
                     *, extensible: bool = True) -> Findings:
    """The key's value, where present, is a term of the enumeration (or ext:, when it is extensible)."""
    judged = False
    for at, node in nodes:
        if not isinstance(node, Mapping) or key not in node:
            continue                     # absence is a required-properties rule's business
        judged = True
        value = node[key]
        ok = s.in_vocabulary(value, terms) if extensible else _is_one_of(value, terms)
        if not ok:
            suffix = " or an ext: term" if extensible else ""
            yield ctx.fail(pointer_join(at, key), expected=f"a {enum} value{suffix}", found=value)
    if not judged:
        yield ctx.inapplicable(f"no {key} to judge")


def pointer_join(base: str, *parts: str | int) -> str:
    return base + pointer(*parts)


# --- contexts and JSON-LD --------------------------------------------------------------------------------------

def _ob_context(subject: Subject) -> Any:
    contexts = subject.contexts
    return contexts[1] if len(contexts) > 1 else MISSING


@check("OB30-context-ob-second")
def ob_context_is_second(subject: Subject, ctx: CheckContext) -> Findings:
    """@context[1] matches the OB 3.0 context URL pattern of the 1EdTech schema."""
    value = _ob_context(subject)
    if not (isinstance(value, str) and s.OB_CONTEXT.match(value)):
        at = "/@context/1" if value is not MISSING else "/@context"
        yield ctx.fail(at, expected="an Open Badges 3.0 context URL (…/spec/ob/v3p0/context-3.x.y.json)",
                       found=value)


@check("OB30-context-current")
def ob_context_is_current(subject: Subject, ctx: CheckContext) -> Findings:
    """The OB context named in @context[1] is the current version; absent or foreign URLs are another rule's."""
    value = _ob_context(subject)
    if not (isinstance(value, str) and s.OB_CONTEXT.match(value)):
        yield ctx.inapplicable("@context[1] is not an Open Badges context")
    elif value != s.CURRENT_OB_CONTEXT:
        yield ctx.fail("/@context/1", expected=f"the current context {s.CURRENT_OB_CONTEXT}", found=value)


def _extension_types(value: Any, at: str, found: list[tuple[str, str]], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(value, Mapping):
        for index, name in enumerate(as_list(value.get("type"))):
            if isinstance(name, str) and name in s.EXTENSION_TYPES:
                where = at + "/type" + (f"/{index}" if isinstance(value.get("type"), list) else "")
                found.append((where, name))
        for key, item in value.items():
            if key not in ("@context", "type", "endorsement"):
                _extension_types(item, pointer_join(at, key), found, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _extension_types(item, f"{at}/{index}", found, depth + 1)


@check("OB30-context-extensions")
def extensions_context_listed(subject: Subject, ctx: CheckContext) -> Findings:
    """extensions.json is in @context when a 1EdTech extension type is used (endorsements are judged on their own)."""
    used: list[tuple[str, str]] = []
    _extension_types(subject.document, "", used)
    if not used:
        yield ctx.inapplicable("no 1EdTech extension type is used")
    elif s.EXTENSIONS_CONTEXT not in subject.contexts:
        at, name = used[0]
        yield ctx.fail("/@context", expected=f"{s.EXTENSIONS_CONTEXT} listed, since {at} uses {name}",
                       found=list(subject.contexts))


@check("OB30-jsonld-safe-mode")
def jsonld_safe_mode(subject: Subject, ctx: CheckContext) -> Findings:
    """Safe-mode expansion drops no term (conformance.standards.jsonld_terms); endorsements are judged on their own."""
    yield from undefined_terms(subject, ctx, processable_rule=None)


# --- the credential --------------------------------------------------------------------------------------------

@check("OB30-credential-type")
def credential_type(subject: Subject, ctx: CheckContext) -> Findings:
    """type includes VerifiableCredential and OpenBadgeCredential or AchievementCredential (endorsements aside)."""
    if s.kind(subject) == "endorsement":
        yield ctx.inapplicable("an endorsement credential")
        return
    types = subject.types
    if "VerifiableCredential" not in types or not types & s.ACHIEVEMENT_CREDENTIAL_TYPES:
        yield ctx.fail("/type", expected="VerifiableCredential and OpenBadgeCredential or AchievementCredential",
                       found=subject.document.get("type", MISSING))


@check("OB30-credential-id-present")
def credential_id_present(subject: Subject, ctx: CheckContext) -> Findings:
    """The credential has an id (its form is VCDM's rule)."""
    if not _present(subject.document, "id"):
        yield ctx.fail("/id", expected="a credential id", found=subject.document.get("id", MISSING))


@check("OB30-validfrom-present")
def valid_from_present(subject: Subject, ctx: CheckContext) -> Findings:
    """A VC 2.0-shaped credential has validFrom; VC 1.1 shapes are VCDM11's (issuanceDate)."""
    if not s.is_vc2(subject):
        yield ctx.inapplicable("a VC 1.1-shaped credential: issuanceDate is VCDM11's rule")
    elif not _present(subject.document, "validFrom"):
        yield ctx.fail("/validFrom", expected="a validFrom date-time", found=subject.document.get("validFrom", MISSING))


@check("OB30-awardeddate-datetime")
def awarded_date_is_datetimez(subject: Subject, ctx: CheckContext) -> Findings:
    """awardedDate is an XML Schema date-time with an offset."""
    if "awardedDate" not in subject.document:
        yield ctx.inapplicable("no awardedDate")
    elif not is_datetime_stamp(subject.document["awardedDate"]):
        yield ctx.fail("/awardedDate", expected="a date-time with a time zone offset",
                       found=subject.document["awardedDate"])


@check("OB30-credentialschema-ob-url")
def credential_schema_is_ob(subject: Subject, ctx: CheckContext) -> Findings:
    """Each 1EdTechJsonSchemaValidator2019 entry's id is a published OB 3.0 schema URL."""
    judged = False
    for at, entry in items(subject.document, "credentialSchema"):
        if not s.type_includes(entry, "1EdTechJsonSchemaValidator2019"):
            continue
        judged = True
        if not (isinstance(entry.get("id"), str) and s.OB_SCHEMA_URL.match(entry["id"])):
            yield ctx.fail(at + "/id", expected="an Open Badges 3.0 JSON Schema URL under "
                           "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/", found=_get(entry, "id"))
    if not judged:
        yield ctx.inapplicable("no 1EdTechJsonSchemaValidator2019 credentialSchema entry")


@check("OB30-evidence-type")
def evidence_type(subject: Subject, ctx: CheckContext) -> Findings:
    """Evidence entries are objects typed Evidence."""
    yield from _type_rule(ctx, list(s.evidence(subject)), "Evidence", "evidence")


# --- proofs ----------------------------------------------------------------------------------------------------

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
    yield from _nodes_or_inapplicable(ctx, proofs, "embedded proof")
    for at, proof in proofs:
        if proof.get("proofPurpose") != "assertionMethod":
            yield ctx.fail(at + "/proofPurpose", expected="assertionMethod", found=_get(proof, "proofPurpose"))


ACCEPTED_CRYPTOSUITES = frozenset({"eddsa-rdfc-2022", "ecdsa-sd-2023"})
LEGACY_PROOF_TYPES = frozenset({"Ed25519Signature2020"})


@check("OB30-proof-cryptosuite")
def proof_cryptosuite(subject: Subject, ctx: CheckContext) -> Findings:
    """Every proof is DataIntegrityProof with an OB-accepted cryptosuite, or the legacy Ed25519Signature2020."""
    proofs = _proofs(subject)
    yield from _nodes_or_inapplicable(ctx, proofs, "embedded proof")
    for at, proof in proofs:
        types = type_list(proof)
        if set(types) & LEGACY_PROOF_TYPES:
            continue
        if "DataIntegrityProof" not in types:
            yield ctx.fail(at + "/type", expected="DataIntegrityProof (or legacy Ed25519Signature2020)",
                           found=_get(proof, "type"))
        elif not _is_one_of(proof.get("cryptosuite"), ACCEPTED_CRYPTOSUITES):
            yield ctx.fail(at + "/cryptosuite", expected="eddsa-rdfc-2022 or ecdsa-sd-2023",
                           found=_get(proof, "cryptosuite"))


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


# --- AchievementSubject and identity ---------------------------------------------------------------------------

@check("OB30-achievementsubject-type")
def achievement_subject_type(subject: Subject, ctx: CheckContext) -> Findings:
    """The credentialSubject of an achievement credential is an object typed AchievementSubject."""
    if s.kind(subject) != "achievement":
        yield ctx.inapplicable("an endorsement credential")
        return
    nodes = list(s.achievement_subjects(subject))
    # no credentialSubject: VCDM's rule fails it; nothing of OB's to judge here (never a silent pass)
    yield from _type_rule(ctx, nodes, "AchievementSubject", "credentialSubject")


@check("OB30-subject-id-or-identifier")
def subject_identified(subject: Subject, ctx: CheckContext) -> Findings:
    """The AchievementSubject has an id or a non-empty identifier list."""
    nodes = [(at, n) for at, n in s.achievement_subjects(subject) if isinstance(n, Mapping)]
    yield from _nodes_or_inapplicable(ctx, nodes, "AchievementSubject object")
    for at, node in nodes:
        if not _present(node, "id") and not _present(node, "identifier"):
            yield ctx.fail(at, expected="an id or at least one identifier entry for the learner",
                           message=f"{at} has neither id nor identifier; expected an id or at least one identifier "
                                   f"entry for the learner")


@check("OB30-subject-achievement-present")
def subject_has_achievement(subject: Subject, ctx: CheckContext) -> Findings:
    """The AchievementSubject has an achievement object."""
    nodes = [(at, n) for at, n in s.achievement_subjects(subject) if isinstance(n, Mapping)]
    yield from _nodes_or_inapplicable(ctx, nodes, "AchievementSubject object")
    for at, node in nodes:
        if not isinstance(node.get("achievement"), Mapping):
            yield ctx.fail(at + "/achievement", expected="an Achievement object", found=_get(node, "achievement"))


@check("OB30-activity-dates-datetime")
def activity_dates(subject: Subject, ctx: CheckContext) -> Findings:
    """activityStartDate and activityEndDate are XML Schema date-times."""
    judged = False
    for at, node in s.achievement_subjects(subject):
        for key in ("activityStartDate", "activityEndDate"):
            if isinstance(node, Mapping) and key in node:
                judged = True
                if not is_datetime(node[key]):
                    yield ctx.fail(pointer_join(at, key), expected="a date-time", found=node[key])
    if not judged:
        yield ctx.inapplicable("no activity dates")


@check("OB30-identityobject-type")
def identity_object_type(subject: Subject, ctx: CheckContext) -> Findings:
    """credentialSubject.identifier entries are objects typed IdentityObject."""
    yield from _type_rule(ctx, list(s.identity_objects(subject)), "IdentityObject", "identifier entry", single=True)


@check("OB30-identityobject-required")
def identity_object_required(subject: Subject, ctx: CheckContext) -> Findings:
    """hashed is a boolean, identityHash a string, identityType present."""
    nodes = [(at, n) for at, n in s.identity_objects(subject) if isinstance(n, Mapping)]
    yield from _nodes_or_inapplicable(ctx, nodes, "IdentityObject")
    for at, node in nodes:
        if not isinstance(node.get("hashed"), bool):
            yield ctx.fail(at + "/hashed", expected="true or false", found=_get(node, "hashed"))
        if not _nonempty_string(node.get("identityHash")):
            yield ctx.fail(at + "/identityHash", expected="a string", found=_get(node, "identityHash"))
        if not _present(node, "identityType"):
            yield ctx.fail(at + "/identityType", expected="an identityType", found=_get(node, "identityType"))


@check("OB30-identityobject-no-extra")
def identity_object_closed(subject: Subject, ctx: CheckContext) -> Findings:
    """IdentityObject is a closed class."""
    allowed = frozenset({"type", "hashed", "identityHash", "identityType", "salt"})
    yield from _closed_rule(ctx, list(s.identity_objects(subject)), allowed, "IdentityObject")


@check("OB30-identityhash-format")
def identity_hash_format(subject: Subject, ctx: CheckContext) -> Findings:
    """A hashed identity is algorithm$hex, with sha256 or md5 and the matching digest length."""
    hashed = [(at, n) for at, n in s.identity_objects(subject) if isinstance(n, Mapping) and n.get("hashed") is True]
    yield from _nodes_or_inapplicable(ctx, hashed, "hashed IdentityObject")
    for at, node in hashed:
        value = node.get("identityHash")
        if not (isinstance(value, str) and s.IDENTITY_HASH.match(value)):
            yield ctx.fail(at + "/identityHash", expected="sha256$<64 hex digits> or md5$<32 hex digits>",
                           found=_get(node, "identityHash"))


@check("OB30-identitytype-vocabulary")
def identity_type_vocabulary(subject: Subject, ctx: CheckContext) -> Findings:
    """identityType is an IdentifierTypeEnum term or ext:."""
    yield from _vocabulary_rule(ctx, list(s.identity_objects(subject)), "identityType", s.IDENTIFIER_TYPES,
                                "IdentifierTypeEnum")


_LEAKY_IDENTITY_TYPES = frozenset({"emailAddress", "nationalIdentityNumber"})


@check("OB30-identityhash-recommended")
def identity_hashed_when_personal(subject: Subject, ctx: CheckContext) -> Findings:
    """emailAddress and nationalIdentityNumber identities are hashed (our reading of 'strongly recommended')."""
    leaky = [(at, n) for at, n in s.identity_objects(subject)
             if isinstance(n, Mapping) and _is_one_of(n.get("identityType"), _LEAKY_IDENTITY_TYPES)]
    yield from _nodes_or_inapplicable(ctx, leaky, "email or national identity number entry")
    for at, node in leaky:
        if node.get("hashed") is not True:
            yield ctx.fail(at + "/hashed", expected=f"true for a {node['identityType']} identity",
                           found=_get(node, "hashed"))


# --- Achievement -----------------------------------------------------------------------------------------------

@check("OB30-achievement-type")
def achievement_type(subject: Subject, ctx: CheckContext) -> Findings:
    """The achievement's type includes Achievement."""
    yield from _type_rule(ctx, list(s.achievements(subject)), "Achievement", "achievement")


@check("OB30-achievement-required")
def achievement_required(subject: Subject, ctx: CheckContext) -> Findings:
    """id, type, criteria, name and description are present."""
    yield from _required_rule(ctx, list(s.achievements(subject)), ("id", "type", "criteria", "name", "description"),
                              "achievement")


@check("OB30-achievement-id-uri")
def achievement_id_uri(subject: Subject, ctx: CheckContext) -> Findings:
    """The achievement id, when present, is a URI (absence is OB30-achievement-required)."""
    nodes = [(at, n) for at, n in s.achievements(subject) if "id" in n]
    yield from _nodes_or_inapplicable(ctx, nodes, "achievement id")
    for at, node in nodes:
        if not is_url(node["id"]):
            yield ctx.fail(at + "/id", expected="a URI", found=node["id"])


@check("OB30-achievementtype-vocabulary")
def achievement_type_vocabulary(subject: Subject, ctx: CheckContext) -> Findings:
    """achievementType is an AchievementType term or ext:."""
    yield from _vocabulary_rule(ctx, list(s.achievements(subject)), "achievementType", s.ACHIEVEMENT_TYPES,
                                "AchievementType")


@check("OB30-criteria-id-or-narrative")
def criteria_says_something(subject: Subject, ctx: CheckContext) -> Findings:
    """criteria is an object with an id or a narrative."""
    nodes = [(at + "/criteria", n["criteria"]) for at, n in s.achievements(subject) if "criteria" in n]
    yield from _nodes_or_inapplicable(ctx, nodes, "criteria")
    for at, node in nodes:
        if not (isinstance(node, Mapping) and (_present(node, "id") or _present(node, "narrative"))):
            yield ctx.fail(at, expected="a criteria object with an id or a narrative", found=node)


@check("OB30-inlanguage-tag")
def in_language_tag(subject: Subject, ctx: CheckContext) -> Findings:
    """inLanguage is a well-formed BCP 47 tag."""
    judged = False
    for at, node in [*s.achievements(subject), *s.related(subject)]:
        if isinstance(node, Mapping) and "inLanguage" in node:
            judged = True
            if not is_language_tag(node["inLanguage"]):
                yield ctx.fail(at + "/inLanguage", expected="a BCP 47 language tag", found=node["inLanguage"])
    if not judged:
        yield ctx.inapplicable("no inLanguage")


@check("OB30-related-required")
def related_required(subject: Subject, ctx: CheckContext) -> Findings:
    """related entries are objects with an id and a type including Related."""
    nodes = list(s.related(subject))
    yield from _type_rule(ctx, nodes, "Related", "related entry")
    for at, node in nodes:
        if isinstance(node, Mapping) and not _present(node, "id"):
            yield ctx.fail(at + "/id", expected="the id of the related achievement", found=_get(node, "id"))


@check("OB30-identifierentry-type")
def identifier_entry_type(subject: Subject, ctx: CheckContext) -> Findings:
    """otherIdentifier entries are objects typed IdentifierEntry."""
    yield from _type_rule(ctx, list(s.other_identifiers(subject)), "IdentifierEntry", "otherIdentifier entry",
                          single=True)


@check("OB30-identifierentry-required")
def identifier_entry_required(subject: Subject, ctx: CheckContext) -> Findings:
    """identifier is a string and identifierType is present."""
    nodes = [(at, n) for at, n in s.other_identifiers(subject) if isinstance(n, Mapping)]
    yield from _nodes_or_inapplicable(ctx, nodes, "IdentifierEntry")
    for at, node in nodes:
        if not _nonempty_string(node.get("identifier")):
            yield ctx.fail(at + "/identifier", expected="an identifier string", found=_get(node, "identifier"))
        if not _present(node, "identifierType"):
            yield ctx.fail(at + "/identifierType", expected="an identifierType", found=_get(node, "identifierType"))


@check("OB30-identifierentry-no-extra")
def identifier_entry_closed(subject: Subject, ctx: CheckContext) -> Findings:
    """IdentifierEntry is a closed class."""
    yield from _closed_rule(ctx, list(s.other_identifiers(subject)),
                            frozenset({"type", "identifier", "identifierType"}), "IdentifierEntry")


@check("OB30-identifiertype-vocabulary")
def identifier_type_vocabulary(subject: Subject, ctx: CheckContext) -> Findings:
    """identifierType is an IdentifierTypeEnum term or ext:."""
    yield from _vocabulary_rule(ctx, list(s.other_identifiers(subject)), "identifierType", s.IDENTIFIER_TYPES,
                                "IdentifierTypeEnum")


# --- alignments ------------------------------------------------------------------------------------------------

@check("OB30-alignment-type")
def alignment_type(subject: Subject, ctx: CheckContext) -> Findings:
    """alignment entries are objects typed Alignment."""
    yield from _type_rule(ctx, list(s.alignments(subject)), "Alignment", "alignment")


@check("OB30-alignment-required")
def alignment_required(subject: Subject, ctx: CheckContext) -> Findings:
    """targetName and targetUrl are present."""
    yield from _required_rule(ctx, list(s.alignments(subject)), ("targetName", "targetUrl"), "alignment")


@check("OB30-alignment-targeturl-url")
def alignment_target_url(subject: Subject, ctx: CheckContext) -> Findings:
    """targetUrl, when present, is an absolute URL."""
    nodes = [(at, n) for at, n in s.alignments(subject) if isinstance(n, Mapping) and "targetUrl" in n]
    yield from _nodes_or_inapplicable(ctx, nodes, "alignment targetUrl")
    for at, node in nodes:
        if not is_url(node["targetUrl"]):
            yield ctx.fail(at + "/targetUrl", expected="an absolute URL", found=node["targetUrl"])


@check("OB30-alignment-targettype-vocabulary")
def alignment_target_type(subject: Subject, ctx: CheckContext) -> Findings:
    """targetType is an AlignmentTargetType term or ext:."""
    yield from _vocabulary_rule(ctx, list(s.alignments(subject)), "targetType", s.ALIGNMENT_TARGET_TYPES,
                                "AlignmentTargetType")


@check("OB30-alignment-ctdl-ctid")
def alignment_ctdl_ctid(subject: Subject, ctx: CheckContext) -> Findings:
    """A CTDL-typed alignment's targetCode is a CTID (ce- + lower-case UUID)."""
    nodes = [(at, n) for at, n in s.alignments(subject)
             if isinstance(n, Mapping) and _is_one_of(n.get("targetType"), s.CTDL_TARGET_TYPES)]
    yield from _nodes_or_inapplicable(ctx, nodes, "CTDL alignment")
    for at, node in nodes:
        code = node.get("targetCode")
        if not (isinstance(code, str) and s.CTID.match(code)):
            yield ctx.fail(at + "/targetCode", expected="a CTID: ce- followed by a UUID",
                           found=_get(node, "targetCode"))


# --- results ---------------------------------------------------------------------------------------------------

@check("OB30-resultdescription-type")
def result_description_type(subject: Subject, ctx: CheckContext) -> Findings:
    """resultDescription entries are objects typed ResultDescription."""
    yield from _type_rule(ctx, list(s.result_descriptions(subject)), "ResultDescription", "resultDescription")


@check("OB30-resultdescription-required")
def result_description_required(subject: Subject, ctx: CheckContext) -> Findings:
    """id, type, name and resultType are present."""
    yield from _required_rule(ctx, list(s.result_descriptions(subject)), ("id", "type", "name", "resultType"),
                              "ResultDescription")


@check("OB30-resulttype-vocabulary")
def result_type_vocabulary(subject: Subject, ctx: CheckContext) -> Findings:
    """resultType is a ResultType term or ext:."""
    yield from _vocabulary_rule(ctx, list(s.result_descriptions(subject)), "resultType", s.RESULT_TYPES,
                                "ResultType")


@check("OB30-resultdescription-ids-unique")
def result_description_ids_unique(subject: Subject, ctx: CheckContext) -> Findings:
    """No two ResultDescriptions of one achievement share an id."""
    judged = False
    for at, achievement in s.achievements(subject):
        seen: dict[str, str] = {}
        for at2, description in items(achievement, "resultDescription", at):
            identifier = description.get("id") if isinstance(description, Mapping) else None
            if not isinstance(identifier, str):
                continue
            judged = True
            if identifier in seen:
                yield ctx.fail(at2 + "/id", expected=f"an id not already used by {seen[identifier]}", found=identifier)
            else:
                seen[identifier] = at2
    if not judged:
        yield ctx.inapplicable("no ResultDescription ids")


@check("OB30-rubriccriterionlevel-type")
def rubric_level_type(subject: Subject, ctx: CheckContext) -> Findings:
    """rubricCriterionLevel entries are objects typed RubricCriterionLevel."""
    yield from _type_rule(ctx, list(s.rubric_levels(subject)), "RubricCriterionLevel", "rubricCriterionLevel")


@check("OB30-rubriccriterionlevel-required")
def rubric_level_required(subject: Subject, ctx: CheckContext) -> Findings:
    """id, type and name are present."""
    yield from _required_rule(ctx, list(s.rubric_levels(subject)), ("id", "type", "name"), "RubricCriterionLevel")


@check("OB30-result-type")
def result_type(subject: Subject, ctx: CheckContext) -> Findings:
    """result entries are objects typed Result."""
    yield from _type_rule(ctx, list(s.results(subject)), "Result", "result")


def _descriptions_by_id(subject: Subject) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for _, description in s.result_descriptions(subject):
        if isinstance(description, Mapping) and isinstance(description.get("id"), str):
            found.setdefault(description["id"], description)
    return found


def _linked_description(subject: Subject, result: Any) -> Mapping[str, Any] | None:
    if not isinstance(result, Mapping):
        return None
    reference = result.get("resultDescription")
    return _descriptions_by_id(subject).get(reference) if isinstance(reference, str) else None


@check("OB30-result-resultdescription-resolves")
def result_description_resolves(subject: Subject, ctx: CheckContext) -> Findings:
    """resultDescription names the id of a ResultDescription of the achievement."""
    nodes = [(at, n) for at, n in s.results(subject) if isinstance(n, Mapping) and "resultDescription" in n]
    yield from _nodes_or_inapplicable(ctx, nodes, "result with a resultDescription")
    known = _descriptions_by_id(subject)
    for at, node in nodes:
        if not _is_one_of(node["resultDescription"], known):
            yield ctx.fail(at + "/resultDescription", expected="the id of a ResultDescription of the achievement"
                           + (f" ({', '.join(sorted(known))})" if known else " (it has none)"),
                           found=node["resultDescription"])


@check("OB30-result-achievedlevel-resolves")
def achieved_level_resolves(subject: Subject, ctx: CheckContext) -> Findings:
    """achievedLevel names a RubricCriterionLevel of the linked ResultDescription, or of any when none is linked."""
    nodes = [(at, n) for at, n in s.results(subject) if isinstance(n, Mapping) and "achievedLevel" in n]
    yield from _nodes_or_inapplicable(ctx, nodes, "result with an achievedLevel")
    every = {lvl["id"] for _, lvl in s.rubric_levels(subject)
             if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str)}
    for at, node in nodes:
        linked = _linked_description(subject, node)
        if linked is not None:
            levels = {lvl["id"] for lvl in as_list(linked.get("rubricCriterionLevel"))
                      if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str)}
            scope = "the linked ResultDescription"
        else:
            levels, scope = every, "the achievement"
        value = node["achievedLevel"]
        if not isinstance(value, str) or value not in levels:
            yield ctx.fail(at + "/achievedLevel", expected=f"the id of a RubricCriterionLevel of {scope}", found=value)


@check("OB30-result-status-vocabulary")
def result_status_vocabulary(subject: Subject, ctx: CheckContext) -> Findings:
    """status is a ResultStatusType term (closed enumeration)."""
    yield from _vocabulary_rule(ctx, list(s.results(subject)), "status", s.RESULT_STATUSES, "ResultStatusType",
                                extensible=False)


@check("OB30-result-status-required")
def result_status_required(subject: Subject, ctx: CheckContext) -> Findings:
    """A result linked to a Status ResultDescription has a status."""
    nodes = [(at, n) for at, n in s.results(subject)
             if (linked := _linked_description(subject, n)) is not None and linked.get("resultType") == "Status"]
    yield from _nodes_or_inapplicable(ctx, nodes, "result linked to a Status ResultDescription")
    for at, node in nodes:
        if not _present(node, "status"):
            yield ctx.fail(at + "/status", expected="a status, since the linked ResultDescription has resultType "
                           "Status", found=_get(node, "status"))


# --- profiles and images ---------------------------------------------------------------------------------------

@check("OB30-profile-type")
def profile_type(subject: Subject, ctx: CheckContext) -> Findings:
    """Profile objects have a type that includes Profile."""
    yield from _type_rule(ctx, list(s.profiles(subject)), "Profile", "Profile object")


@check("OB30-profile-required")
def profile_required(subject: Subject, ctx: CheckContext) -> Findings:
    """Profile objects have id and type."""
    yield from _required_rule(ctx, list(s.profiles(subject)), ("id", "type"), "Profile")


@check("OB30-profile-id-uri")
def profile_id_uri(subject: Subject, ctx: CheckContext) -> Findings:
    """The issuer (string or Profile id) and every other Profile id is a URI."""
    nodes: list[s.Node] = []
    issuer = subject.document.get("issuer", MISSING)
    if isinstance(issuer, str):
        nodes.append(("/issuer", issuer))
    for at, profile in s.profiles(subject):
        if "id" in profile:
            nodes.append((at + "/id", profile["id"]))
    yield from _nodes_or_inapplicable(ctx, nodes, "issuer or Profile id")
    for at, value in nodes:
        if not is_url(value):
            yield ctx.fail(at, expected="a URI", found=value)


@check("OB30-image-type")
def image_type(subject: Subject, ctx: CheckContext) -> Findings:
    """image values are Image objects whose type is Image."""
    yield from _type_rule(ctx, list(s.images(subject)), "Image", "image", single=True)


@check("OB30-image-required")
def image_required(subject: Subject, ctx: CheckContext) -> Findings:
    """An Image has an id that is a URI or data: URL."""
    nodes = [(at, n) for at, n in s.images(subject) if isinstance(n, Mapping)]
    yield from _nodes_or_inapplicable(ctx, nodes, "Image object")
    for at, node in nodes:
        if not is_url(node.get("id")):
            yield ctx.fail(at + "/id", expected="a URI or data: URL of the image", found=_get(node, "id"))


@check("OB30-image-no-extra")
def image_closed(subject: Subject, ctx: CheckContext) -> Findings:
    """Image is a closed class."""
    yield from _closed_rule(ctx, list(s.images(subject)), frozenset({"id", "type", "caption"}), "Image")


# --- endorsements ----------------------------------------------------------------------------------------------

def _endorsement_or_inapplicable(subject: Subject, ctx: CheckContext) -> Finding | None:
    if s.kind(subject) != "endorsement":
        return ctx.inapplicable("not an endorsement credential")
    return None


@check("OB30-endorsement-type")
def endorsement_type(subject: Subject, ctx: CheckContext) -> Findings:
    """type includes VerifiableCredential and EndorsementCredential."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    if not {"VerifiableCredential", "EndorsementCredential"} <= subject.types:
        yield ctx.fail("/type", expected="VerifiableCredential and EndorsementCredential",
                       found=subject.document.get("type", MISSING))


@check("OB30-endorsement-name-present")
def endorsement_name(subject: Subject, ctx: CheckContext) -> Findings:
    """The endorsement credential has a name."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    if not _present(subject.document, "name"):
        yield ctx.fail("/name", expected="a name for the endorsement", found=subject.document.get("name", MISSING))


def _endorsement_subjects(subject: Subject) -> list[s.Node]:
    return list(s.subjects_of(subject)) if s.kind(subject) == "endorsement" else []


@check("OB30-endorsementsubject-type")
def endorsement_subject_type(subject: Subject, ctx: CheckContext) -> Findings:
    """credentialSubject is an object typed EndorsementSubject."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    yield from _type_rule(ctx, _endorsement_subjects(subject), "EndorsementSubject", "credentialSubject")


@check("OB30-endorsementsubject-id")
def endorsement_subject_id(subject: Subject, ctx: CheckContext) -> Findings:
    """The EndorsementSubject has an id that is a URI."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    nodes = _endorsement_subjects(subject)
    yield from _nodes_or_inapplicable(ctx, nodes, "credentialSubject")
    for at, node in nodes:
        if isinstance(node, Mapping) and not is_url(node.get("id")):
            yield ctx.fail(at + "/id", expected="the URI of the endorsed entity", found=_get(node, "id"))


# --- 1EdTech JSON Schemas --------------------------------------------------------------------------------------

def _schema_rule(subject: Subject, ctx: CheckContext, url: str) -> Findings:
    report = subject.schema(url)
    if report.unavailable is not None:
        yield ctx.error(report.unavailable)
        return
    if report.limitation is not None:
        yield ctx.unsupported(report.limitation)
        return
    own = s.endorsement_pointers(subject)
    failed = False
    for violation in report.violations:
        if s.inside(violation.pointer, own):
            continue
        failed = True
        where = violation.pointer or "the document"
        yield ctx.fail(violation.pointer, expected=f"valid per {url.rsplit('/', 1)[-1]}",
                       message=f"{where}: {violation.message} (schema keyword {violation.keyword or '?'})")
    if not failed and not report.complete:
        # the one violation listed belongs to an endorsement, judged on its own: this document's own is unknown
        yield ctx.unsupported("listing every JSON Schema violation of a document this large",
                              why="the first lies inside an endorsement, which is judged on its own")


@check("OB30-jsonschema-achievementcredential")
def achievement_credential_schema(subject: Subject, ctx: CheckContext) -> Findings:
    """VC 2.0-shaped achievement credentials validate against the 1EdTech schema; 1.1 shapes have none."""
    if s.kind(subject) != "achievement":
        yield ctx.inapplicable("an endorsement credential")
    elif not s.is_vc2(subject):
        yield ctx.inapplicable("1EdTech publishes no JSON Schema for VC 1.1-shaped credentials")
    else:
        yield from _schema_rule(subject, ctx, s.ACHIEVEMENT_SCHEMA)


@check("OB30-jsonschema-endorsementcredential")
def endorsement_credential_schema(subject: Subject, ctx: CheckContext) -> Findings:
    """VC 2.0-shaped endorsement credentials validate against the 1EdTech endorsement schema."""
    if s.kind(subject) != "endorsement":
        yield ctx.inapplicable("not an endorsement credential")
    elif not s.is_vc2(subject):
        yield ctx.inapplicable("1EdTech publishes no JSON Schema for VC 1.1-shaped credentials")
    else:
        yield from _schema_rule(subject, ctx, s.ENDORSEMENT_SCHEMA)


# --- VC-JWT ----------------------------------------------------------------------------------------------------

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
def jwt_alg(subject: Subject, ctx: CheckContext) -> Findings:
    """alg names an asymmetric JWA signature algorithm; none and HS* fail."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    alg = jwt.jws.header.get("alg", MISSING)
    if not _is_one_of(alg, _ASYMMETRIC_ALGS):
        yield ctx.fail(in_jws_header("alg"), expected="an asymmetric signature algorithm (RS256 at least; RS/PS/ES/EdDSA)",
                       message=f"the JOSE header alg is {'absent' if alg is MISSING else repr(alg)}; expected an "
                               f"asymmetric signature algorithm (RS256 at least; RS/PS/ES/EdDSA)")


@check("OB30-jwt-key-reference")
def jwt_key_reference(subject: Subject, ctx: CheckContext) -> Findings:
    """The JOSE header has kid or jwk."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    header = jwt.jws.header
    if not (_nonempty_string(header.get("kid")) or isinstance(header.get("jwk"), Mapping)):
        yield ctx.fail(in_jws_header("kid"), expected="a kid or jwk JOSE header", message="the JOSE header has neither kid nor jwk; "
                       "expected one of them so the verifier can find the key")


@check("OB30-jwt-typ")
def jwt_typ(subject: Subject, ctx: CheckContext) -> Findings:
    """typ, when present, is JWT."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
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
def jwt_iss(subject: Subject, ctx: CheckContext) -> Findings:
    """iss is present and equals the issuer id the credential states."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    issuer = _claimed_credential(jwt).get("issuer", MISSING)
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id", MISSING)
    yield from _claim_rule(ctx, jwt, "iss", issuer, "the issuer id")


@check("OB30-jwt-jti")
def jwt_jti(subject: Subject, ctx: CheckContext) -> Findings:
    """jti is present and equals the credential id."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    yield from _claim_rule(ctx, jwt, "jti", _claimed_credential(jwt).get("id", MISSING),
                           "the credential id")


@check("OB30-jwt-nbf")
def jwt_nbf(subject: Subject, ctx: CheckContext) -> Findings:
    """nbf is present and equals validFrom (issuanceDate for VC 1.1 shapes) in epoch seconds."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
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
def jwt_sub(subject: Subject, ctx: CheckContext) -> Findings:
    """sub is present and equals credentialSubject.id when the subject has an id."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
    node = _claimed_credential(jwt).get("credentialSubject")
    identifier = node.get("id", MISSING) if isinstance(node, Mapping) else MISSING
    if identifier is MISSING:
        yield ctx.inapplicable("the credential states no credentialSubject id to compare sub with")
        return
    yield from _claim_rule(ctx, jwt, "sub", identifier, "the credentialSubject id")


@check("OB30-jwt-exp")
def jwt_exp(subject: Subject, ctx: CheckContext) -> Findings:
    """exp is present and equals validUntil (expirationDate for VC 1.1 shapes) when the credential states one."""
    jwt, skip = _ob_jwt(subject, ctx)
    if skip is not None:
        yield skip
        return
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


# --- baked images ----------------------------------------------------------------------------------------------

def _png(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    baking = subject.payload.baking
    if baking is None or baking.container != "png":
        return None, ctx.inapplicable("not a baked PNG")
    return baking, None


@check("OB30-png-single-itxt")
def png_single_itxt(subject: Subject, ctx: CheckContext) -> Findings:
    """Exactly one iTXt chunk has the keyword openbadgecredential."""
    baking, skip = _png(subject, ctx)
    if skip is not None:
        yield skip
        return
    chunks = [c for c in baking.png_chunks if c.type == "iTXt" and c.keyword == "openbadgecredential"]
    if len(chunks) != 1:
        offsets = ", ".join(f"{c.offset:,}" for c in chunks)
        yield ctx.fail(PNG_CONTAINER, expected="exactly one openbadgecredential iTXt chunk",
                       message=f"the PNG has {len(chunks)} openbadgecredential iTXt chunks (at offsets {offsets}); "
                               f"expected exactly one")


@check("OB30-png-uncompressed")
def png_uncompressed(subject: Subject, ctx: CheckContext) -> Findings:
    """The openbadgecredential iTXt chunks are stored uncompressed."""
    baking, skip = _png(subject, ctx)
    if skip is not None:
        yield skip
        return
    for chunk in baking.png_chunks:
        if chunk.type == "iTXt" and chunk.keyword == "openbadgecredential" and chunk.compressed:
            yield ctx.fail(PNG_CONTAINER, expected="an uncompressed iTXt chunk",
                           message=f"the openbadgecredential iTXt chunk at offset {chunk.offset:,} is compressed; "
                                   f"expected it uncompressed")


@check("OB30-png-no-text-keyword")
def png_no_text_keyword(subject: Subject, ctx: CheckContext) -> Findings:
    """No tEXt or zTXt chunk uses the keyword openbadgecredential."""
    baking, skip = _png(subject, ctx)
    if skip is not None:
        yield skip
        return
    for chunk in baking.png_chunks:
        if chunk.type in ("tEXt", "zTXt") and chunk.keyword == "openbadgecredential":
            yield ctx.fail(PNG_CONTAINER, expected="the credential only in an iTXt chunk",
                           message=f"the PNG has a {chunk.type} chunk with the keyword openbadgecredential at offset "
                                   f"{chunk.offset:,}; expected the credential only in one iTXt chunk")


def _svg(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    baking = subject.payload.baking
    if baking is None or baking.container != "svg" or baking.svg is None:
        return None, ctx.inapplicable("not a baked SVG")
    return baking, None


@check("OB30-svg-namespace")
def svg_namespace(subject: Subject, ctx: CheckContext) -> Findings:
    """The svg root binds the prefix openbadges to the OB 3.0 namespace."""
    baking, skip = _svg(subject, ctx)
    if skip is not None:
        yield skip
        return
    facts = baking.svg
    if not facts.namespace_declared_on_root or facts.namespace_prefix != "openbadges":
        found = ("not declared on the svg element" if not facts.namespace_declared_on_root
                 else f"bound to the prefix {facts.namespace_prefix!r}")
        yield ctx.fail(SVG_CONTAINER, expected="xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\" on the svg element",
                       message=f"the Open Badges 3.0 namespace is {found}; expected xmlns:openbadges="
                               f"\"https://purl.imsglobal.org/ob/v3p0\" on the svg element")


@check("OB30-svg-single-credential")
def svg_single_credential(subject: Subject, ctx: CheckContext) -> Findings:
    """Exactly one openbadges:credential element."""
    baking, skip = _svg(subject, ctx)
    if skip is not None:
        yield skip
        return
    if baking.svg.element_count != 1:
        yield ctx.fail(SVG_CONTAINER, expected="exactly one openbadges:credential element",
                       message=f"the SVG has {baking.svg.element_count} openbadges:credential elements; expected one")


@check("OB30-svg-credential-first")
def svg_credential_first(subject: Subject, ctx: CheckContext) -> Findings:
    """The (first) credential element is the first child element of svg."""
    baking, skip = _svg(subject, ctx)
    if skip is not None:
        yield skip
        return
    if not baking.svg.first_child_of_root:
        yield ctx.fail(SVG_CONTAINER, expected="openbadges:credential as the first child of svg",
                       message="the openbadges:credential element is not the first child of the svg element; "
                               "expected it right after the svg start tag")


@check("OB30-svg-embedded-form")
def svg_embedded_form(subject: Subject, ctx: CheckContext) -> Findings:
    """A JWS sits in the verify attribute and JSON in the element text."""
    baking, skip = _svg(subject, ctx)
    if skip is not None:
        yield skip
        return
    in_attribute = bool((baking.svg.verify_attribute or "").strip())
    if in_attribute and baking.embedded_form == "json":
        yield ctx.fail(SVG_CONTAINER, expected="JSON in the element text",
                       message="the verify attribute holds a JSON credential; expected JSON in the element text "
                               "and only a compact JWS in verify")
    elif not in_attribute and baking.embedded_form == "jws":
        yield ctx.fail(SVG_CONTAINER, expected="a JWS in the verify attribute",
                       message="the element text holds a compact JWS; expected it in the verify attribute")
