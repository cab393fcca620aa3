"""CTDL references (prefix CTDLREF): what a publication's @id-typed values name exists and is of a fitting class.

Applies to every CTDL document. References are looked up in the document, then through the run's resolver (the
publication set, known documents, and the Registry when online); see conformance/standards/ctdl/facts/references.py.
"""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import looks_like_ctdl


@detects("CTDLREF")
def is_ctdl(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)
