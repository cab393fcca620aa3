"""The compiled policy: what counts as present, who is judged, and what each version asks for."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.policy import load_policy

REPO = Path(__file__).resolve().parents[4]
BASES = REPO / "vectors" / "ctdl" / "minimum-2026" / "bases"


def _base(name: str) -> dict[str, Any]:
    return json.loads((BASES / f"{name}.json").read_text(encoding="utf-8"))


def _node(cls: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for name in ("publications", "pathway", "framework", "concepts"):
        document = _base(name)
        for node in document["@graph"]:
            if node["@type"] == cls:
                return document, node
    raise AssertionError(cls)


def _gaps(document: dict[str, Any], version: str) -> list[tuple[str, str]]:
    policy = load_policy(version)
    return sorted((g.requirement, g.group.key) for g in policy.evaluate(load_document(document, "t")))


def _mutated(cls: str, change) -> dict[str, Any]:
    document, node = _node(cls)
    document = copy.deepcopy(document)
    target = next(n for n in document["@graph"] if n["@type"] == cls)
    change(target)
    document["@graph"] = [target]
    return document


CASES = [
    # (class, change, version, expected gaps)
    ("ceterms:Certificate", lambda n: None, "2026", []),
    ("ceterms:Certificate", lambda n: n.pop("ceterms:name"), "2026", [("CTDLMIN26-certificate", "ceterms:name")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:name": {"en-US": ""}}), "2026",
     [("CTDLMIN26-certificate", "ceterms:name")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:name": {"en-US": "A", "fr": ""}}), "2026",
     [("CTDLMIN26-certificate", "ceterms:name")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:name": {}}), "2026",
     [("CTDLMIN26-certificate", "ceterms:name")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:ownedBy": []}), "2026",
     [("CTDLMIN26-certificate", "ceterms:ownedBy")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:ownedBy": [""]}), "2026",
     [("CTDLMIN26-certificate", "ceterms:ownedBy")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:description": {"en-US": "Too short."}}), "2026",
     [("CTDLMIN26-certificate", "ceterms:description")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:description": {"en-US": "Too short."}}), "2022", []),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:offeredBy": n.pop("ceterms:ownedBy")}), "2022", []),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:offeredBy": n.pop("ceterms:ownedBy")}), "2026",
     [("CTDLMIN26-certificate", "ceterms:ownedBy")]),
    ("ceterms:Certificate", lambda n: n.update({"ceterms:ctid": {"@value": n["ceterms:ctid"]}}), "2026", []),
    ("ceterms:Certificate", lambda n: n.update({"@id": "_:b0", "ceterms:name": ""}), "2026", []),
    # a subclass without a shape of its own (2022) is judged by its nearest shaped ancestor
    ("ceterms:AcademicCertificate", lambda n: n.pop("ceterms:name"), "2022",
     [("CTDLMIN22-certificate", "ceterms:name")]),
    ("ceterms:AcademicCertificate", lambda n: n.pop("ceterms:name"), "2026",
     [("CTDLMIN26-academic-certificate", "ceterms:name")]),
    # several types: every selected shape judges the node
    ("ceterms:Certificate", lambda n: n.update({"@type": ["ceterms:Certificate", "ceterms:Badge"],
                                                "ceterms:name": ""}), "2026",
     [("CTDLMIN26-badge", "ceterms:name"), ("CTDLMIN26-certificate", "ceterms:name")]),
    ("ceterms:CredentialOrganization", lambda n: n.pop("ceterms:address"), "2026",
     [("CTDLMIN26-credential-organization", "ceterms:email|ceterms:address")]),
    ("ceterms:Course", lambda n: n.pop("ceterms:subjectWebpage"), "2026", []),
    ("ceterms:Course", lambda n: n.pop("ceterms:lifeCycleStatusType"), "2022", []),
    ("ceterms:Course", lambda n: n.pop("ceterms:availableOnlineAt"), "2022",
     [("CTDLMIN22-learning-opportunity-profile", "ceterms:availableAt|ceterms:availableOnlineAt|ceterms:availabilityListing")]),
    ("ceterms:Pathway", lambda n: n.pop("ceterms:hasDestinationComponent"), "2026",
     [("CTDLMIN26-pathway", "ceterms:hasDestinationComponent|ceterms:hasPart")]),
    ("ceterms:Pathway", lambda n: (n.pop("ceterms:hasDestinationComponent"), n.pop("ceterms:hasPart")), "2026", []),
    ("ceasn:Competency", lambda n: n.pop("ceasn:isPartOf"), "2026",
     [("CTDLMIN26-competency", "ceasn:isPartOf|ceasn:creator")]),
    ("ceasn:Competency", lambda n: n.update({"ceasn:creator": n.pop("ceasn:isPartOf")}), "2026", []),
    ("ceasn:Competency", lambda n: n.update({"ceasn:creator": n.pop("ceasn:isPartOf")}), "2022",
     [("CTDLMIN22-competency", "ceasn:isPartOf")]),
]


@pytest.mark.parametrize(("cls", "change", "version", "expected"), CASES)
def test_gaps(cls: str, change, version: str, expected: list[tuple[str, str]]) -> None:
    assert _gaps(_mutated(cls, change), version) == expected


def test_embedded_blank_nodes_are_exempt() -> None:
    document = _mutated("ceterms:Certificate", lambda n: n.update({"ceterms:hasPart": [{"@type": "ceterms:Certificate"}]}))
    assert _gaps(document, "2026") == []


def test_envelopes_and_graph_documents_are_judged_alike() -> None:
    document = _mutated("ceterms:Certificate", lambda n: n.pop("ceterms:name"))
    envelope = {"envelope_ceterms_ctid": "x", "decoded_resource": document}
    assert _gaps(envelope, "2026") == _gaps(document, "2026") == [("CTDLMIN26-certificate", "ceterms:name")]


def test_benchmark_score_is_a_share_of_recommended_groups() -> None:
    document = _mutated("ceterms:Certificate", lambda n: n.update({"ceterms:keyword": [{"en-US": "k"}]}))
    node = next(load_document(document, "t").resources)
    score = load_policy("2026").score(node)
    assert score is not None and score.total > 10
    assert score.present == 1 and "ceterms:keyword" not in score.missing
    assert 0 < score.value < 0.1


@pytest.mark.parametrize("value", [
    {"en-US": {"nested": "object"}}, [[[[[[[[[[["deep"]]]]]]]]]]], 12, True, {"@value": None}, {"@list": []},
    {"@id": 5}, [None, None], "x" * 100_000,
])
def test_odd_values_never_crash(value: Any) -> None:
    document = _mutated("ceterms:Certificate", lambda n: n.update({"ceterms:name": value}))
    gaps = _gaps(document, "2026")
    assert all(r == "CTDLMIN26-certificate" for r, _ in gaps)


def test_messages_name_what_is_missing_and_where() -> None:
    document = _mutated("ceterms:Certificate", lambda n: n.update({"ceterms:description": {"en-US": "Short"}}))
    (gap,) = load_policy("2026").evaluate(load_document(document, "t"))
    assert gap.pointer == "/@graph/0"
    assert "ceterms:description" in gap.message and "5 characters" in gap.message and "15" in gap.message
