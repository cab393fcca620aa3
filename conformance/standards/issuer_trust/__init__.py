"""Issuer trust (prefix TRUST10): is the issuer one the relying party accepts? Separate from proof validity."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject


@detects("TRUST10")
def names_an_issuer(subject: Subject) -> bool:
    return not subject.is_presentation and "issuer" in subject.document
