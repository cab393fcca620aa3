"""EARL 1.0 from results.json: one assertion per subject and requirement, as JSON-LD and as Turtle.

The test of each assertion is the requirement's stable IRI (`urn:ler-conformance:requirement:<ID>`, which never
changes while the ID lives; its spec link is given beside it). Findings of one requirement on one subject collapse to
the weakest outcome among them (failed, then error, then cantTell, then passed, then inapplicable/untested). EARL
has no outcome for "we could not evaluate": such an assertion says earl:cantTell and keeps ours in ler:outcome.
Everything is rendered from results.json; nothing is judged again.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from conformance.core.requirements import Catalog
from conformance.reporting.scorecard import WEAKEST_FIRST

REQUIREMENT_IRI = "urn:ler-conformance:requirement:"
SUITE_IRI = "urn:ler-conformance:suite"
CONTEXT: dict[str, Any] = {
    "earl": "http://www.w3.org/ns/earl#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "ler": "urn:ler-conformance:vocab#",
    "assertedBy": {"@id": "earl:assertedBy", "@type": "@id"},
    "subject": {"@id": "earl:subject", "@type": "@id"},
    "test": {"@id": "earl:test", "@type": "@id"},
    "result": "earl:result",
    "mode": {"@id": "earl:mode", "@type": "@id"},
    "outcome": {"@id": "earl:outcome", "@type": "@id"},
    "pointer": "earl:pointer",
    "description": "dct:description",
    "date": "dct:date",
    "title": "dct:title",
    "name": "foaf:name",
    "seeAlso": {"@id": "rdfs:seeAlso", "@type": "@id"},
    "level": "ler:level",
    "lerOutcome": "ler:outcome",
}
_EARL_OUTCOME = {"passed": "earl:passed", "failed": "earl:failed", "cantTell": "earl:cantTell",
                 "inapplicable": "earl:inapplicable", "untested": "earl:untested", "error": "earl:cantTell"}


_IRI_SAFE = "/:@!$&'()*+,;=-._~%"


# the subject of what the run did not test: the implementation as a whole, not one of its documents
IMPLEMENTATION_SUBJECT = "implementation"


def subject_iri(subject: str) -> str:
    """An IRI for a subject id: http(s) URLs keep their form (percent-encoding what an IRI cannot hold); file paths
    become file: IRIs; anything else a URN. An embedded subject's "#pointer" stays inside the encoded path."""
    if subject.startswith(("http://", "https://")):
        return quote(subject, safe=_IRI_SAFE + "?#")
    if subject.startswith("/"):
        return "file://" + quote(subject, safe=_IRI_SAFE)
    return "urn:ler-conformance:subject:" + quote(subject, safe=_IRI_SAFE)


def earl_document(results: Mapping[str, Any], catalog: Catalog | None = None) -> dict[str, Any]:
    """The EARL graph of one results.json as a JSON-LD document with an inline context (no fetching)."""
    run_date = results.get("ended")
    suite = results.get("suite", {})
    graph: list[dict[str, Any]] = [{
        "@id": SUITE_IRI, "@type": ["earl:Assertor", "earl:Software"],
        "title": suite.get("name", "ler-conformance"), "description": f"version {suite.get('version', '')}",
    }]
    grouped: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for result in results.get("results", []):
        for finding in result.get("findings", []):
            grouped.setdefault((result["subject"], finding["requirement"]), []).append(finding)
    scope = results.get("scope") if isinstance(results.get("scope"), Mapping) else {}
    for entry in scope.get("not_tested", []):       # MUSTs the profile requires that the run could not test
        grouped.setdefault((IMPLEMENTATION_SUBJECT, entry["requirement"]), []).append(
            {"outcome": "untested", "level": "must", "location": "", "message": entry["why"]})
    for (subject, requirement), findings in sorted(grouped.items()):
        worst = min(findings, key=lambda f: WEAKEST_FIRST.index(f["outcome"]))
        located = [f for f in findings if f["outcome"] == worst["outcome"]]
        outcome: dict[str, Any] = {
            "@type": "earl:TestResult",
            "outcome": _EARL_OUTCOME[worst["outcome"]],
            "lerOutcome": worst["outcome"],
            "description": "; ".join(f"{f['location'] or '/'}: {f['message']}" for f in located if f["message"]),
            "date": run_date,
        }
        pointers = sorted({f["location"] for f in located if f["location"]})
        if pointers:
            outcome["pointer"] = pointers
        assertion: dict[str, Any] = {
            "@type": "earl:Assertion", "assertedBy": SUITE_IRI, "subject": subject_iri(subject),
            "test": REQUIREMENT_IRI + requirement, "mode": "earl:automatic", "result": outcome,
            "level": worst["level"],
        }
        graph.append(assertion)
    tests = sorted({requirement for _, requirement in grouped})
    for requirement in tests:
        node: dict[str, Any] = {"@id": REQUIREMENT_IRI + requirement, "@type": "earl:TestRequirement",
                                "title": requirement}
        if catalog is not None and requirement in catalog:
            entry = catalog[requirement]
            node["description"] = entry.summary
            node["seeAlso"] = entry.url
        graph.append(node)
    return {"@context": CONTEXT, "@graph": graph}


def earl_turtle(document: Mapping[str, Any]) -> str:
    """The same graph as Turtle, through rdflib's JSON-LD parser (the context is inline, so nothing is fetched)."""
    from rdflib import Graph  # lazy: rdflib takes a second to import, and only Turtle output needs it

    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    graph.bind("earl", "http://www.w3.org/ns/earl#")
    graph.bind("dct", "http://purl.org/dc/terms/")
    graph.bind("ler", "urn:ler-conformance:vocab#")
    return graph.serialize(format="turtle")
