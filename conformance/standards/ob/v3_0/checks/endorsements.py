"""EndorsementCredential and EndorsementSubject (OB 3.0 §B.1.14)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    is_url,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import get_value, nodes_or_inapplicable, present, type_rule


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
    if not present(subject.document, "name"):
        yield ctx.fail("/name", expected="a name for the endorsement", found=subject.document.get("name", MISSING))


def _endorsement_subjects(subject: Subject) -> list[s.Node]:
    return list(s.subjects_of(subject)) if s.kind(subject) == "endorsement" else []


@check("OB30-endorsementsubject-type")
def endorsement_subject_type(subject: Subject, ctx: CheckContext) -> Findings:
    """credentialSubject is an object typed EndorsementSubject."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    yield from type_rule(ctx, _endorsement_subjects(subject), "EndorsementSubject", "credentialSubject")


@check("OB30-endorsementsubject-id")
def endorsement_subject_id(subject: Subject, ctx: CheckContext) -> Findings:
    """The EndorsementSubject has an id that is a URI."""
    if (skip := _endorsement_or_inapplicable(subject, ctx)) is not None:
        yield skip
        return
    nodes = _endorsement_subjects(subject)
    yield from nodes_or_inapplicable(ctx, nodes, "credentialSubject")
    for at, node in nodes:
        if isinstance(node, Mapping) and not is_url(node.get("id")):
            yield ctx.fail(at + "/id", expected="the URI of the endorsed entity", found=get_value(node, "id"))
