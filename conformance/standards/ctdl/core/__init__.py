"""CTDL core (prefix CTDL): document shapes, CTIDs and Registry addresses, vocabulary against the pinned CTDL and
CTDL-ASN encodings, and personal data in publications."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import looks_like_ctdl


@detects("CTDL")
def claims_ctdl(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)
