"""The pathway graph library and the SVG diagrams: cycles, reference keys, layout, escaping, marking, size bounds."""
from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.graphs import Edge, cycles, label_of, reference_key, registry_ctid
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.pathways.diagram import (
    MAX_SVG_CHARS,
    diagrams_for,
    failing_nodes,
    pathway_diagrams,
)

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways"
PATHWAY = json.loads((VECTORS / "pathway.json").read_text(encoding="utf-8"))
SVG = "{http://www.w3.org/2000/svg}"
R = "https://credentialengineregistry.org/resources/"
C2 = R + "ce-61573a6d-c88d-40fa-b9ce-8eecabe6abd6"
CTID = "ce-61573a6d-c88d-40fa-b9ce-8eecabe6abd6"


@pytest.mark.parametrize(("reference", "ctid"), [
    (R + CTID, CTID),
    ("https://credentialengineregistry.org/graph/" + CTID.upper(), CTID),
    ("https://sandbox.credentialengineregistry.org/resources/" + CTID + "/", CTID),
    ("http://localhost:8080/ce-registry/resources/" + CTID, CTID),
    (CTID, CTID),
    ("https://example.edu/resources/ce-not-a-ctid", None),
    ("_:b0", None),
    ("https://credentialengineregistry.org/resources/" + CTID + "?x=1", None),
])
def test_registry_references_are_keyed_by_ctid(reference: str, ctid: str | None) -> None:
    assert registry_ctid(reference) == ctid
    assert reference_key(reference) == (ctid or reference)


def _edges(pairs: list[tuple[str, str]]) -> dict[str, list[Edge]]:
    edges: dict[str, list[Edge]] = {}
    for parent, child in pairs:
        edges.setdefault(parent, []).append(Edge(parent, child, "ceasn:hasChild", f"/{parent}"))
    return edges


@pytest.mark.parametrize(("pairs", "expected"), [
    ([("a", "b"), ("b", "c")], []),
    ([("a", "a")], [{"a"}]),
    ([("a", "b"), ("b", "a")], [{"a", "b"}]),
    ([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], [{"a", "b", "c"}]),
    ([("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("b", "c")], [{"a", "b"}, {"c", "d"}]),
    ([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], []),           # a diamond is not a cycle
])
def test_cycles(pairs: list[tuple[str, str]], expected: list[set[str]]) -> None:
    found = cycles(_edges(pairs))
    assert sorted(map(sorted, (set(c.keys) for c in found))) == sorted(map(sorted, expected))
    for cycle in found:
        assert all(e.parent in cycle.keys and e.child in cycle.keys for e in cycle.edges)


def test_cycle_walk_follows_the_edges() -> None:
    (cycle,) = cycles(_edges([("c", "a"), ("a", "b"), ("b", "c")]))
    assert cycle.keys == ("a", "b", "c")


@pytest.mark.parametrize(("data", "label"), [
    ({"ceterms:name": {"es": "Curso", "en-US": "Course"}}, "Course"),
    ({"ceterms:name": {"fr": ["Cours"]}}, "Cours"),
    ({"ceasn:competencyText": {"en": "Does things"}}, "Does things"),
    ({"@id": "_:b1"}, "_:b1"),
    ({"ceterms:name": 5}, "(unnamed)"),
])
def test_labels(data: dict[str, Any], label: str) -> None:
    assert label_of(data) == label


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def test_pathway_diagram_is_self_contained_and_accessible() -> None:
    (diagram,) = pathway_diagrams(load_document(PATHWAY, "p.json"), [C2])
    assert diagram["title"] == "Pathway: Pharmacy Technician Pathway"
    assert diagram["subject"] == "ce-09a32a5d-358c-45ac-8b87-5d015138685d"
    root = _parse(diagram["svg"])
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Pathway: Pharmacy Technician Pathway"
    assert desc is not None and "Pharmacy Law and Ethics" in (desc.text or "")
    assert set(root.get("aria-labelledby", "").split()) == {title.get("id"), desc.get("id")}
    for element in root.iter():
        assert element.tag != f"{SVG}script" and element.tag != f"{SVG}foreignObject"
        for name, value in element.attrib.items():
            assert not name.startswith("on"), name
            assert "href" not in name, name
            assert "url(" not in value or value.startswith("url(#"), value
    boxes = root.findall(f"{SVG}g")
    assert len(boxes) == 5
    texts = [" ".join(t.text or "" for t in box.iter(f"{SVG}text")) for box in boxes]
    assert sum("Destination" in t for t in texts) == 1
    failing = [t for t in texts if "FAILS" in t]
    assert len(failing) == 1 and "Pharmacy Law" in failing[0]
    red = [box for box in boxes if box.find(f"{SVG}rect").get("stroke") == "#b00020"]  # type: ignore[union-attr]
    assert len(red) == 1
    assert any("requires 2 of 3" in t for t in texts)
    lines = root.findall(f"{SVG}line")
    assert sum(1 for line in lines if line.get("stroke-dasharray")) == 4     # 3 courses + the job
    assert sum(1 for line in lines if not line.get("stroke-dasharray")) == 4  # hasChild to the four


def test_unreachable_components_get_a_row_of_their_own() -> None:
    document = copy.deepcopy(PATHWAY)
    document["@graph"].append({"@id": R + "ce-41dab526-5c76-4ec7-8360-7077a41b5cc5",
                               "@type": "ceterms:CourseComponent", "ceterms:name": {"en-US": "Orphan"},
                               "ceterms:isPartOf": [PATHWAY["@graph"][0]["@id"]]})
    (diagram,) = pathway_diagrams(load_document(document, "p.json"))
    root = _parse(diagram["svg"])
    texts = [" ".join(t.text or "" for t in box.iter(f"{SVG}text")) for box in root.findall(f"{SVG}g")]
    assert [t for t in texts if "Unreachable" in t] == ["Unreachable · Course Orphan"]
    assert "1 component(s) cannot be reached" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_publication_text_is_escaped() -> None:
    document = copy.deepcopy(PATHWAY)
    hostile = '</text><script>alert(1)</script><a href="https://evil.example/">x</a>&\x00\x07'
    document["@graph"][0]["ceterms:name"] = {"en-US": hostile}
    document["@graph"][2]["ceterms:name"] = {"en-US": hostile}
    (diagram,) = pathway_diagrams(load_document(document, "p.json"))
    root = _parse(diagram["svg"])      # still well-formed XML
    assert "<script" not in diagram["svg"] and "evil.example/\"" not in diagram["svg"]
    assert all(element.tag != f"{SVG}script" for element in root.iter())
    assert hostile[:20] in (root.find(f"{SVG}title").text or "")  # type: ignore[union-attr]


def test_huge_pathways_stay_under_the_report_limit() -> None:
    pathway = R + "ce-09a32a5d-358c-45ac-8b87-5d015138685d"
    ids = [f"{R}ce-{i:08x}-0000-4000-8000-000000000000" for i in range(3000)]
    graph: list[dict[str, Any]] = [{"@id": pathway, "@type": "ceterms:Pathway",
                                    "ceterms:name": {"en": "Wide"}, "ceterms:hasDestinationComponent": [ids[0]]},
                                   {"@id": ids[0], "@type": "ceterms:CredentialComponent", "ceasn:hasChild": ids[1:],
                                    "ceterms:name": {"en": "x" * 5000}}]
    graph += [{"@id": i, "@type": "ceterms:CourseComponent", "ceterms:name": {"en": "y" * 300}} for i in ids[1:]]
    document = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}
    (diagram,) = pathway_diagrams(load_document(document, "wide.json"), ids)
    assert len(diagram["svg"]) <= MAX_SVG_CHARS
    root = _parse(diagram["svg"])
    assert "more component(s) are not drawn" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_documents_without_pathways_have_no_diagrams() -> None:
    framework = json.loads((VECTORS / "framework.json").read_text(encoding="utf-8"))
    assert pathway_diagrams(load_document(framework, "f.json")) == []


def test_failing_nodes_come_from_failed_findings_only() -> None:
    findings = [Finding("CTDLPATH-acyclic", Outcome.FAILED, "/x", "m", evidence={"nodes": ("a", "b")}),
                Finding("CTDLREF-resolves", Outcome.CANT_TELL, "/y", "m", evidence={"nodes": ("c",)}),
                Finding("CTDLPATH-acyclic", Outcome.FAILED, "/z", "m")]
    assert failing_nodes(findings) == {"a", "b"}


def test_diagrams_for_a_subject_mark_what_its_checks_failed(env: Environment) -> None:
    document = copy.deepcopy(PATHWAY)
    document["@graph"][3]["ceasn:isChildOf"] = [R + "ce-af63061a-1a05-4cd3-bbfa-d8838bbee541"]
    subject = Subject(id="pathway.json", env=env, raw=orjson.dumps(document))
    findings = list(env.check_registry.checks["CTDLPATH-inverse-links"].run(subject))
    (diagram,) = diagrams_for(subject, findings)
    assert diagram["subject"] == "pathway.json"
    assert diagram["title"].endswith("(ce-09a32a5d-358c-45ac-8b87-5d015138685d)")
    root = _parse(diagram["svg"])
    failing = [" ".join(t.text or "" for t in box.iter(f"{SVG}text")) for box in root.findall(f"{SVG}g")]
    assert sorted(t for t in failing if "FAILS" in t) == [
        "FAILS · Course Pharmacy Law and Ethics", "FAILS · Destination · Credential Pharmacy Technician Certifi… "
        "requires 2 of 3; 1 of 1"]


def test_unreadable_subjects_get_no_diagrams(env: Environment) -> None:
    subject = Subject(id="bad.json", env=env, raw=b'{"@context": "https://credreg.net/ctdl/schema/context/json", '
                                                 b'"@graph": 5}')
    assert diagrams_for(subject, []) == []
