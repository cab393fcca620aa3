"""CTDLPATH checks beyond the vectors: each rule's outcomes on variations of the pathway and framework vectors,
cantTell where the document does not hold what a rule needs, and hostile structures that must end in findings."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways"
PATHWAY = json.loads((VECTORS / "pathway.json").read_text(encoding="utf-8"))
FRAMEWORK = json.loads((VECTORS / "framework.json").read_text(encoding="utf-8"))
R = "https://credentialengineregistry.org/resources/"
P = R + "ce-09a32a5d-358c-45ac-8b87-5d015138685d"
DEST = R + "ce-c4fd0844-c2f0-419f-8d52-cd3f4e6b38b8"
C1 = R + "ce-17228e79-a6a5-42e4-afa0-826ab111a807"
C2 = R + "ce-61573a6d-c88d-40fa-b9ce-8eecabe6abd6"
C3 = R + "ce-1d90e754-7d1e-401a-b741-a9c4310810b4"
JOB = R + "ce-af63061a-1a05-4cd3-bbfa-d8838bbee541"
K1 = R + "ce-acc4c894-c194-4578-bd9a-5aa68f06346f"
K2 = R + "ce-7dc38c91-e0d7-4835-8803-e67e5466b775"


def run(env: Environment, requirement: str, document: Any) -> list[Finding]:
    subject = Subject(id="doc.json", env=env, raw=orjson.dumps(document))
    return list(env.check_registry.checks[requirement].run(subject))


def outcomes(findings: list[Finding]) -> set[Outcome]:
    return {f.outcome for f in findings}


def changed(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(base)
    change(document)
    return document


def _graph(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["@graph"]


def set_(index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: _graph(d)[index].__setitem__(key, value)


def drop(index: int, key: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: _graph(d)[index].pop(key)


def condition(number: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: _graph(d)[1]["ceterms:hasCondition"][0].__setitem__("ceterms:requiredNumber", number)


# (requirement, change to the pathway, expected outcomes of that requirement's findings; empty = passes)
CASES: list[tuple[str, str, Callable[[dict[str, Any]], None] | None, set[Outcome]]] = [
    ("CTDLPATH-destination-exists", "as published", None, set()),
    ("CTDLPATH-destination-exists", "no destination", drop(0, "ceterms:hasDestinationComponent"), {Outcome.FAILED}),
    ("CTDLPATH-destination-exists", "destination published elsewhere",
     set_(0, "ceterms:hasDestinationComponent", [R + "ce-00000000-0000-4000-8000-000000000000"]), {Outcome.CANT_TELL}),
    ("CTDLPATH-destination-component", "destination is the pathway itself",
     set_(0, "ceterms:hasDestinationComponent", [P]), {Outcome.FAILED}),
    ("CTDLPATH-destination-component", "destination given as a sandbox graph URI",
     set_(0, "ceterms:hasDestinationComponent",
          ["https://sandbox.credentialengineregistry.org/graph/ce-c4fd0844-c2f0-419f-8d52-cd3f4e6b38b8"]), set()),
    ("CTDLPATH-components-reachable", "as published", None, set()),
    ("CTDLPATH-components-reachable", "job only named by the blank-node condition",
     lambda d: (_graph(d)[1]["ceasn:hasChild"].remove(JOB), _graph(d)[5].pop("ceasn:isChildOf")), set()),
    ("CTDLPATH-components-reachable", "work condition dropped too",
     lambda d: (_graph(d)[1]["ceasn:hasChild"].remove(JOB), _graph(d)[5].pop("ceasn:isChildOf"),
                _graph(d)[1]["ceterms:hasCondition"].pop()), {Outcome.FAILED}),
    ("CTDLPATH-components-reachable", "no destination to start from", drop(0, "ceterms:hasDestinationComponent"),
     {Outcome.CANT_TELL}),
    ("CTDLPATH-acyclic", "as published", None, set()),
    ("CTDLPATH-acyclic", "component is its own child", set_(2, "ceasn:hasChild", [C1]), {Outcome.FAILED}),
    ("CTDLPATH-acyclic", "cycle through a condition target",
     set_(3, "ceterms:hasCondition", [{"@type": "ceterms:ComponentCondition", "ceterms:description": {"en": "x"},
                                       "ceterms:targetComponent": [DEST]}]), {Outcome.FAILED}),
    ("CTDLPATH-acyclic", "order cycle by precededBy alone", set_(2, "ceterms:precededBy", [C3]), {Outcome.FAILED}),
    ("CTDLPATH-acyclic", "a child that comes before its parent", set_(2, "ceterms:precedes", [DEST, C3]), set()),
    ("CTDLPATH-required-number", "as published", None, set()),
    ("CTDLPATH-required-number", "equal to the targets", condition(3), set()),
    ("CTDLPATH-required-number", "above the targets", condition(4), {Outcome.FAILED}),
    ("CTDLPATH-required-number", "negative", condition(-1), {Outcome.FAILED}),
    ("CTDLPATH-required-number", "not a number", condition("two"), {Outcome.FAILED}),
    ("CTDLPATH-required-number", "a boolean", condition(True), {Outcome.FAILED}),
    ("CTDLPATH-required-number", "a typed literal", condition({"@value": "2"}), set()),
    ("CTDLPATH-required-number", "a fraction", condition(1.5), {Outcome.FAILED}),
    ("CTDLPATH-inverse-links", "as published", None, set()),
    ("CTDLPATH-inverse-links", "course names the job as parent", set_(3, "ceasn:isChildOf", [JOB]), {Outcome.FAILED}),
    ("CTDLPATH-inverse-links", "component omits the inverse", drop(3, "ceasn:isChildOf"), set()),
    ("CTDLPATH-inverse-links", "destination names another pathway",
     set_(1, "ceterms:isDestinationComponentOf", [R + "ce-11111111-1111-4111-8111-111111111111"]), {Outcome.FAILED}),
    ("CTDLPATH-components-part-of", "as published", None, set()),
    ("CTDLPATH-components-part-of", "legacy ceasn:isPartOf", lambda d: _graph(d)[2].__setitem__(
        "ceasn:isPartOf", _graph(d)[2].pop("ceterms:isPartOf")), set()),
    ("CTDLPATH-components-part-of", "no isPartOf (a minimum data gap)", drop(2, "ceterms:isPartOf"), set()),
    ("CTDLPATH-components-part-of", "part of another pathway",
     set_(4, "ceterms:isPartOf", [R + "ce-11111111-1111-4111-8111-111111111111"]), {Outcome.FAILED}),
]


@pytest.mark.parametrize(("requirement", "label", "change", "expected"), CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_pathway_rule(env: Environment, requirement: str, label: str,
                      change: Callable[[dict[str, Any]], None] | None, expected: set[Outcome]) -> None:
    document = changed(PATHWAY, change) if change else PATHWAY
    findings = run(env, requirement, document)
    assert outcomes(findings) == expected, [f.message for f in findings]
    for finding in findings:
        assert finding.location.startswith("/@graph/"), finding
        if finding.outcome is Outcome.FAILED:
            assert finding.evidence.get("nodes"), "failed findings name the nodes for the diagrams"
            assert "expected" in finding.message


FRAMEWORK_CASES: list[tuple[str, str, Callable[[dict[str, Any]], None] | None, set[Outcome]]] = [
    ("CTDLPATH-framework-top-children", "as published", None, set()),
    ("CTDLPATH-framework-top-children", "top child part of another framework",
     set_(1, "ceasn:isPartOf", R + "ce-544090df-47f8-4cce-9f2b-df5534a3efa9"), {Outcome.FAILED}),
    ("CTDLPATH-framework-top-children", "top child part of both",
     set_(1, "ceasn:isPartOf", [R + "ce-544090df-47f8-4cce-9f2b-df5534a3efa9",
                                R + "ce-f390e8a9-0e9f-432a-80f4-e92dc1c7046f"]), set()),
    ("CTDLPATH-framework-top-children", "top child without isPartOf", drop(1, "ceasn:isPartOf"), set()),
    ("CTDLPATH-framework-acyclic", "as published", None, set()),
    ("CTDLPATH-framework-acyclic", "child names its parent as child", set_(2, "ceasn:hasChild", [K1]),
     {Outcome.FAILED}),
    ("CTDLPATH-framework-acyclic", "competency is its own parent", set_(2, "ceasn:isChildOf", [K2]),
     {Outcome.FAILED}),
    ("CTDLPATH-inverse-links", "framework as published", None, set()),
    ("CTDLPATH-inverse-links", "top child names another framework",
     set_(1, "ceasn:isTopChildOf", R + "ce-544090df-47f8-4cce-9f2b-df5534a3efa9"), {Outcome.FAILED}),
]


@pytest.mark.parametrize(("requirement", "label", "change", "expected"), FRAMEWORK_CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in FRAMEWORK_CASES])
def test_framework_rule(env: Environment, requirement: str, label: str,
                        change: Callable[[dict[str, Any]], None] | None, expected: set[Outcome]) -> None:
    document = changed(FRAMEWORK, change) if change else FRAMEWORK
    assert outcomes(run(env, requirement, document)) == expected


@pytest.mark.parametrize("requirement", ["CTDLPATH-destination-exists", "CTDLPATH-components-reachable",
                                         "CTDLPATH-components-part-of", "CTDLPATH-destination-component"])
def test_pathway_rules_are_inapplicable_to_a_framework(env: Environment, requirement: str) -> None:
    assert outcomes(run(env, requirement, FRAMEWORK)) == {Outcome.INAPPLICABLE}


def test_framework_rules_are_inapplicable_to_a_pathway(env: Environment) -> None:
    assert outcomes(run(env, "CTDLPATH-framework-top-children", PATHWAY)) == {Outcome.INAPPLICABLE}
    assert outcomes(run(env, "CTDLPATH-framework-acyclic", PATHWAY)) == {Outcome.INAPPLICABLE}


def test_cycle_finding_names_the_components_in_order(env: Environment) -> None:
    document = changed(PATHWAY, set_(2, "ceasn:hasChild", [DEST]))
    (finding,) = run(env, "CTDLPATH-acyclic", document)
    assert "ce-17228e79-a6a5-42e4-afa0-826ab111a807" in finding.message
    assert "ce-c4fd0844-c2f0-419f-8d52-cd3f4e6b38b8" in finding.message
    assert set(finding.evidence["nodes"]) == {C1, DEST}


def _chain(length: int, cyclic: bool) -> dict[str, Any]:
    ids = [f"{R}ce-{i:08x}-0000-4000-8000-000000000000" for i in range(length)]
    graph: list[dict[str, Any]] = [{"@id": P, "@type": "ceterms:Pathway", "ceterms:hasDestinationComponent": [ids[0]]}]
    for i, ident in enumerate(ids):
        child = ids[(i + 1) % length] if cyclic or i + 1 < length else None
        node: dict[str, Any] = {"@id": ident, "@type": "ceterms:CourseComponent", "ceterms:isPartOf": [P]}
        if child:
            node["ceasn:hasChild"] = [child]
        graph.append(node)
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}


@pytest.mark.parametrize(("requirement", "cyclic", "expected"), [
    ("CTDLPATH-components-reachable", False, set()),
    ("CTDLPATH-acyclic", False, set()),
    ("CTDLPATH-acyclic", True, {Outcome.FAILED}),
])
def test_long_chains_end_in_findings_not_recursion_errors(env: Environment, requirement: str, cyclic: bool,
                                                          expected: set[Outcome]) -> None:
    findings = run(env, requirement, _chain(20_000, cyclic))
    assert outcomes(findings) == expected
    if cyclic:
        (finding,) = findings
        assert len(finding.evidence["nodes"]) == 20_000


def test_many_orphans_are_capped(env: Environment) -> None:
    document = _chain(2, False)
    for i in range(500):
        document["@graph"].append({"@id": f"_:orphan{i}", "@type": "ceterms:BasicComponent",
                                   "ceterms:isPartOf": [P]})
    # blank-node components have ids too; the per-check cap keeps the findings bounded
    findings = run(env, "CTDLPATH-components-reachable", document)
    assert len(findings) == 201
    assert "300 more findings" in findings[-1].message


@pytest.mark.parametrize("hostile", [
    {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [
        {"@id": "_:c", "@type": "ceterms:ComponentCondition", "ceterms:hasCondition": ["_:c", "_:c"],
         "ceterms:requiredNumber": 1},
        {"@id": DEST, "@type": "ceterms:CourseComponent", "ceterms:hasCondition": "_:c"}]},
    {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [
        {"@id": P, "@type": ["ceterms:Pathway", 7], "ceterms:hasDestinationComponent": [None, 3, {"x": 1}],
         "ceterms:hasPart": "not-a-list"},
        {"@id": 5, "@type": "ceterms:CourseComponent"},
        {"@id": DEST, "@type": "ceterms:CourseComponent", "ceasn:hasChild": [[DEST]], "ceterms:isPartOf": {}}]},
    {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Pathway",
     "ceterms:hasDestinationComponent": "_:nowhere"},
])
def test_odd_structures_give_findings_not_tracebacks(env: Environment, hostile: dict[str, Any]) -> None:
    for requirement in [r for r in env.check_registry.checks if r.startswith("CTDLPATH-")]:
        for finding in run(env, requirement, hostile):
            assert finding.outcome is not Outcome.ERROR, (requirement, finding.message)


def test_an_unreadable_document_is_inapplicable_here_and_fails_its_shape(env: Environment) -> None:
    """One cause, one outcome (review defect 7): the document's defect is CTDL-document-shape's failure; the other
    rules are inapplicable to it, never `error`, which would call a broken document a suite problem."""
    document = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": {"not": "a list"}}
    for requirement in ("CTDLPATH-acyclic", "CTDLREF-resolves", "CTDLREF-target-class", "CTDLMIN26-certificate",
                        "CTDL-ctid-grammar", "CTDL-class-known"):
        assert outcomes(run(env, requirement, document)) == {Outcome.INAPPLICABLE}, requirement
    assert outcomes(run(env, "CTDL-document-shape", document)) == {Outcome.FAILED}


@pytest.mark.parametrize(("document", "claimed"), [
    (PATHWAY, True), (FRAMEWORK, True),
    ({"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Certificate"}, False),
    ({"@context": "https://www.w3.org/ns/credentials/v2", "@type": "ceterms:Pathway"}, False),
])
def test_detector_claims_pathways_and_frameworks_only(env: Environment, document: dict[str, Any],
                                                      claimed: bool) -> None:
    subject = Subject(id="doc.json", env=env, raw=orjson.dumps(document))
    assert env.check_registry.detectors["CTDLPATH"](subject) is claimed
