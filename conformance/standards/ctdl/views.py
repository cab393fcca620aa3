"""What the CTDL rules read about a subject, computed once per subject (core.subject.view): the publication, the
pinned vocabulary, its pathway and framework graphs, its references, duplicates in the run's publication set, and the
links an Open Badges or CLR credential makes to Registry data."""
from __future__ import annotations

from conformance.core.subject import Subject, view
from conformance.standards.ctdl.facts.graphs import (
    FrameworkGraph,
    PathwayGraph,
    framework_graph,
    pathway_graph,
)
from conformance.standards.ctdl.facts.ler_links import RegistryLinks, registry_links
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.model import CtdlDocument
from conformance.standards.ctdl.facts.references import Reference, references_of
from conformance.standards.ctdl.facts.run_set import Duplicate
from conformance.standards.ctdl.facts.schema import CtdlSchema, schema_for


@view
def ctdl_document(subject: Subject) -> CtdlDocument:
    """The document read as a CTDL publication (resource, /graph/ document or Registry envelope)."""
    return load_document(subject.document, subject.id)


@view
def ctdl_schema(subject: Subject) -> CtdlSchema:
    """The pinned CTDL and CTDL-ASN vocabulary, built once per artifact store."""
    return schema_for(subject.env.store)


@view
def ctdl_pathways(subject: Subject) -> PathwayGraph:
    """The pathways of a CTDL document as graphs (destination, components, conditions)."""
    return pathway_graph(ctdl_document(subject), ctdl_schema(subject).is_component)


@view
def ctdl_frameworks(subject: Subject) -> FrameworkGraph:
    """The competency frameworks of a CTDL document as graphs (top children, hierarchy)."""
    return framework_graph(ctdl_document(subject))


@view
def ctdl_references(subject: Subject) -> tuple[Reference, ...]:
    """Every reference of a CTDL document, looked up through the run's resolver (set, known documents, Registry)."""
    return references_of(ctdl_document(subject), ctdl_schema(subject), subject.env.ctdl_resolver)


@view
def ctdl_set_duplicates(subject: Subject) -> dict[str, Duplicate]:
    """By resource pointer: the resources of this CTDL document whose CTID another document of the run's publication
    set published first (empty when the run has no set or this document is not in it)."""
    run_set = subject.env.ctdl_set_index
    if run_set is None or subject.parent is not None:
        return {}
    found: dict[str, Duplicate] = {}
    for node in ctdl_document(subject).resources:
        ctid = node.ctid
        if ctid is not None and (duplicate := run_set.duplicate_of(subject.id, node.pointer, ctid)) is not None:
            found[node.pointer] = duplicate
    return found


@view
def credential_registry_links(subject: Subject) -> RegistryLinks:
    """Links to Credential Registry data in an OB/CLR credential, each linked CTID resolved once (known documents,
    then the network when the run is online)."""
    return registry_links(subject.document, subject.env.verifier.fetch)
