"""Issuer trust (prefix TRUST10): is the issuer one the relying party accepts? Separate from proof validity."""
from __future__ import annotations

from conformance.model.subjects import Subject
from conformance.registry import detects


@detects("TRUST10")
def names_an_issuer(subject: Subject) -> bool:
    return not subject.is_presentation and "issuer" in subject.document
