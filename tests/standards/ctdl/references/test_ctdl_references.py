"""CTDLREF: which values are references, where they resolve (document, set, known documents, an authoritative
"gone"), cantTell offline, and range checks with subclass closure."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.model import CtdlNode
from conformance.standards.ctdl.facts.references import (
    ChainResolver,
    CtdlResolver,
    KnownDocumentsResolver,
    NoResolver,
    SetResolver,
    Unavailable,
    references_of,
    resolver_for,
)
from conformance.standards.ctdl.facts.schema import schema_for

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways"
PATHWAY = json.loads((VECTORS / "pathway.json").read_text(encoding="utf-8"))
ORGANIZATION = (VECTORS / "resources" / "organization.json").read_bytes()
CERTIFICATE = (VECTORS / "resources" / "certificate.json").read_bytes()
R = "https://credentialengineregistry.org/resources/"
ORG = "ce-2dfcdb29-cbdd-4d3a-807c-c6b1a9e30625"
CERT = "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"
KNOWN = {R + ORG: ORGANIZATION, R + CERT: CERTIFICATE}


def run(env: Environment, requirement: str, document: Any, documents: dict[str, bytes | None]) -> list[Finding]:
    run_env = replace(env, documents=documents)
    subject = Subject(id="doc.json", env=run_env, raw=orjson.dumps(document))
    return list(run_env.check_registry.checks[requirement].run(subject))


def outcomes(findings: list[Finding]) -> set[Outcome]:
    return {f.outcome for f in findings}


def test_references_of_the_pathway(env: Environment) -> None:
    document = load_document(PATHWAY, "p.json")
    found = references_of(document, schema_for(env.store), KnownDocumentsResolver(KNOWN))
    by_prop: dict[str, int] = {}
    for reference in found:
        by_prop[reference.ref.prop] = by_prop.get(reference.ref.prop, 0) + 1
        assert reference.target is not None, reference
    # subjectWebpage, concept IRIs (lifeCycle:Active), credentialType and the CAO framework are links, not resources
    assert set(by_prop) == {"ceterms:ownedBy", "ceterms:hasDestinationComponent", "ceterms:hasPart",
                            "ceterms:proxyFor", "ceterms:isPartOf", "ceterms:isDestinationComponentOf",
                            "ceasn:hasChild", "ceterms:hasCondition", "ceterms:targetComponent", "ceasn:isChildOf",
                            "ceterms:precedes", "ceterms:precededBy"}
    outside = {r.ref.value: r.where for r in found if r.where != "document"}
    assert outside == {R + ORG: "outside", R + CERT: "outside"}


# (what the run knows, expected outcomes of CTDLREF-resolves on the pathway)
RESOLVES: list[tuple[str, dict[str, bytes | None], set[Outcome]]] = [
    ("both served", KNOWN, set()),
    ("nothing known (offline)", {}, {Outcome.CANT_TELL}),
    ("certificate gone", {R + ORG: ORGANIZATION, R + CERT: None}, {Outcome.FAILED}),
    ("certificate served at its graph URL",
     {R + ORG: ORGANIZATION, "https://credentialengineregistry.org/graph/" + CERT: CERTIFICATE}, set()),
    ("served bytes are not JSON", {R + ORG: ORGANIZATION, R + CERT: b"<html>"}, {Outcome.CANT_TELL}),
    ("served with a byte-order mark", {R + ORG: b"\xef\xbb\xbf" + ORGANIZATION, R + CERT: CERTIFICATE}, set()),
    ("served document is about something else", {R + ORG: ORGANIZATION, R + CERT: ORGANIZATION},
     {Outcome.CANT_TELL}),
]


@pytest.mark.parametrize(("label", "documents", "expected"), RESOLVES, ids=[c[0] for c in RESOLVES])
def test_resolution(env: Environment, label: str, documents: dict[str, bytes | None],
                    expected: set[Outcome]) -> None:
    findings = run(env, "CTDLREF-resolves", PATHWAY, documents)
    assert outcomes(findings) == expected, [f.message for f in findings]
    for finding in findings:
        assert finding.location.startswith("/@graph/0/ceterms:ownedBy") or \
            finding.location.startswith("/@graph/1/ceterms:proxyFor"), finding.location


def test_missing_blank_node_fails_even_offline(env: Environment) -> None:
    document = copy.deepcopy(PATHWAY)
    document["@graph"][1]["ceterms:hasCondition"][1] = "_:elsewhere"
    (finding,) = [f for f in run(env, "CTDLREF-resolves", document, KNOWN) if f.outcome is Outcome.FAILED]
    assert finding.location == "/@graph/1/ceterms:hasCondition/1"
    assert "_:elsewhere" in finding.message


def test_explicit_id_objects_are_references(env: Environment) -> None:
    document = copy.deepcopy(PATHWAY)
    document["@graph"][0]["ceterms:ownedBy"] = [{"@id": R + "ce-99999999-9999-4999-8999-999999999999"}]
    (finding,) = run(env, "CTDLREF-resolves", document, KNOWN)
    assert finding.outcome is Outcome.CANT_TELL
    assert finding.location == "/@graph/0/ceterms:ownedBy/0/@id"


@pytest.mark.parametrize(("owner_type", "expected"), [
    ("ceterms:CredentialOrganization", set()),
    ("ceterms:QACredentialOrganization", set()),       # a subclass of Organization: fits through the closure
    ("ceterms:Certificate", {Outcome.FAILED}),
    ("ceterms:NoSuchClass", set()),                     # the vocabulary rules judge an unknown class
])
def test_target_class(env: Environment, owner_type: str, expected: set[Outcome]) -> None:
    organization = json.loads(ORGANIZATION)
    organization["@type"] = owner_type
    findings = run(env, "CTDLREF-target-class", PATHWAY,
                   {R + ORG: orjson.dumps(organization), R + CERT: CERTIFICATE})
    assert outcomes(findings) == expected


def test_datatype_ranges_are_not_judged(env: Environment) -> None:
    # proxyFor's range is xsd:anyURI: any resolved class is acceptable to the reference rules
    findings = run(env, "CTDLREF-target-class", PATHWAY, {R + ORG: ORGANIZATION, R + CERT: ORGANIZATION.replace(
        ORG.encode(), CERT.encode())})
    assert outcomes(findings) == set()


class _Fixed:
    def __init__(self, answer: CtdlNode | None | Unavailable, name: str = "fixed"):
        self.answer = answer
        self.name = name
        self.calls = 0

    def resolve(self, reference: str) -> CtdlNode | None | Unavailable:
        self.calls += 1
        return self.answer

    def describe(self) -> str:
        return self.name


NODE = CtdlNode({"@id": R + CERT, "@type": "ceterms:Certificate"}, "", "x", True)


@pytest.mark.parametrize(("answers", "expected"), [
    ([Unavailable("a"), NODE], NODE),
    ([None, NODE], NODE),
    ([None, Unavailable("b")], None),                  # an authoritative absence beats "cannot say"
    ([Unavailable("a"), Unavailable("b")], Unavailable("a; b")),
    ([], Unavailable("no resolver")),
])
def test_chain_resolver(answers: list[CtdlNode | None | Unavailable], expected: object) -> None:
    resolvers = [_Fixed(a) for a in answers]
    chain = ChainResolver(resolvers)
    assert chain.resolve("x") == expected
    assert chain.resolve("x") == expected
    assert all(r.calls <= 1 for r in resolvers), "answers are cached per reference"


def test_set_resolver_keeps_blank_nodes_in_their_document() -> None:
    document = load_document(PATHWAY, "p.json")
    resolver = SetResolver([document])
    assert isinstance(resolver.resolve("_:work-experience"), Unavailable)
    found = resolver.resolve("ce-17228e79-a6a5-42e4-afa0-826ab111a807")
    assert isinstance(found, CtdlNode) and found.pointer == "/@graph/2"


def test_resolver_for_orders_its_sources() -> None:
    registry = _Fixed(None, "the Registry")
    assert isinstance(resolver_for({}), NoResolver)
    chain = resolver_for(KNOWN, registry=registry)
    assert isinstance(chain.resolve(R + ORG), CtdlNode)
    assert registry.calls == 0, "known documents answer before the Registry is asked"
    assert chain.resolve(R + "ce-99999999-9999-4999-8999-999999999999") is None
    assert isinstance(registry, CtdlResolver)


def test_detector_claims_every_ctdl_document(env: Environment) -> None:
    for document, claimed in [(PATHWAY, True), (json.loads(ORGANIZATION), True),
                              ({"@context": "https://www.w3.org/ns/credentials/v2"}, False)]:
        subject = Subject(id="doc.json", env=env, raw=orjson.dumps(document))
        assert env.check_registry.detectors["CTDLREF"](subject) is claimed


def test_one_open_question_per_resource(env: Environment) -> None:
    document = copy.deepcopy(PATHWAY)
    for node in document["@graph"][1:6]:
        node["ceterms:ownedBy"] = [R + ORG]
    findings = run(env, "CTDLREF-resolves", document, {R + CERT: CERTIFICATE})
    (finding,) = findings
    assert finding.outcome is Outcome.CANT_TELL
    assert finding.location == "/@graph/0/ceterms:ownedBy/0"
    assert "and 5 more place(s)" in finding.message
