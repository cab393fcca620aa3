"""Verifiable Credential Data Integrity 1.0: embedded proofs verified step by step (prefix DI10)."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject


@detects("DI10")
def carries_embedded_proof(subject: Subject) -> bool:
    return "proof" in subject.document
