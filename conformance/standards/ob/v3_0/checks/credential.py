"""The credential itself: its type, id, dates, credentialSchema and evidence (OB 3.0 §B.1.1)."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    is_datetime_stamp,
    items,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import get_value, present


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
    if not present(subject.document, "id"):
        yield ctx.fail("/id", expected="a credential id", found=subject.document.get("id", MISSING))


@check("OB30-validfrom-present")
def valid_from_present(subject: Subject, ctx: CheckContext) -> Findings:
    """A VC 2.0-shaped credential has validFrom; VC 1.1 shapes are VCDM11's (issuanceDate)."""
    if not s.is_vc2(subject):
        yield ctx.inapplicable("a VC 1.1-shaped credential: issuanceDate is VCDM11's rule")
    elif not present(subject.document, "validFrom"):
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
                           "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/", found=get_value(entry, "id"))
    if not judged:
        yield ctx.inapplicable("no 1EdTechJsonSchemaValidator2019 credentialSchema entry")

