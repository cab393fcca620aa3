"""Validation against the 1EdTech JSON Schemas (OB 3.0 §D)."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]



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
