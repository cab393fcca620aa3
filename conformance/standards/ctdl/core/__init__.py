"""CTDL core (prefix CTDL): document shapes, CTIDs and Registry addresses, vocabulary against the pinned CTDL and
CTDL-ASN encodings, and personal data in publications."""
from __future__ import annotations

from conformance.ctdl.load import looks_like_ctdl
from conformance.model.subjects import Subject
from conformance.registry import detects


@detects("CTDL")
def claims_ctdl(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)
