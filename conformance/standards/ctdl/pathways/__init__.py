"""CTDL pathways and CTDL-ASN competency frameworks (prefix CTDLPATH): structure rules over one publication.

Applies to CTDL documents that publish a pathway, its components or conditions, a competency framework or
competencies. The graphs come from conformance/standards/ctdl/facts/graphs.py; the checks only sort their facts.
"""
from __future__ import annotations

from collections.abc import Sequence

from conformance.core.checks import detects, illustrates
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import CtdlLoadError, looks_like_ctdl
from conformance.standards.ctdl.pathways.diagram import diagrams_for
from conformance.standards.ctdl.views import ctdl_document

STRUCTURE_TYPES = frozenset({"ceterms:Pathway", "ceterms:PathwaySet", "ceterms:ComponentCondition",
                             "ceasn:CompetencyFramework", "ceasn:Competency"})


def _structural(type_name: str) -> bool:
    # every component class is spelled ceterms:<Kind>Component; the checks use the schema's closure to be exact
    return type_name in STRUCTURE_TYPES or (type_name.startswith("ceterms:") and type_name.endswith("Component"))


@detects("CTDLPATH")
def publishes_structure(subject: Subject) -> bool:
    if not looks_like_ctdl(subject.document):
        return False
    try:
        document = ctdl_document(subject)
    except CtdlLoadError:
        return False        # a publication that does not load is CTDL-document-shape's alone (never an error)
    return any(_structural(t) for node in document.nodes for t in node.types)


@illustrates("CTDLPATH")
def pathway_figures(subject: Subject, findings: Sequence[Finding]) -> list[dict[str, str]]:

    return diagrams_for(subject, findings)
