"""CTDL recognized by meaning, whatever the context: inline prefix maps, full IRIs as keys, @vocab, the credreg.net
context family in any spelling, context-less drafts. Recognized publications load with keys in the one prefixed
spelling the checks compare and findings located at the keys as written; credentials are never CTDL, and CTDL is
never claimed by a credential detector. Bounded: recognition reads the top of a document only."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from conformance.core.checks import CHECK_REGISTRY
from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.recognition import is_ctdl_context_url, read_context, recognize

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "core"
BADGE = json.loads((VECTORS / "resource-badge.json").read_text())
CTID = "ce-6f0b2e2c-5b8e-4c47-9d4c-3f1a2b3c4d5e"
SANDBOX = f"https://sandbox.credentialengineregistry.org/resources/{CTID}"
CREDENTIAL_SUBJECT = {"id": "did:example:learner", "achievement": {"type": ["Achievement"]}}


def _run(env: Environment, requirement: str, document: Any) -> list[Finding]:
    subject = Subject(id="doc.json", env=env, raw=orjson.dumps(document))
    return list(CHECK_REGISTRY.checks[requirement].run(subject))


def _failed(findings: list[Finding]) -> list[str]:
    return [f.location for f in findings if f.outcome is Outcome.FAILED]


INLINE = {"@context": {"ceterms": "https://purl.org/ctdl/terms/"}, "@id": SANDBOX, "@type": "ceterms:Certificate",
          "ceterms:ctid": CTID, "ceterms:name": {"en-US": "A cert"}}


@pytest.mark.parametrize("document", [
    INLINE,
    {"@context": {"ct": "https://purl.org/ctdl/terms/"}, "@type": "ct:Certificate", "ct:ctid": CTID},
    {"@context": {"ct": "http://purl.org/ctdl/terms/"}, "@type": "ct:Certificate"},           # http spelling
    {"@context": {"@vocab": "https://purl.org/ctdl/terms/"}, "@type": "Certificate", "name": {"en": "x"}},
    {"@context": {"Cert": "https://purl.org/ctdl/terms/Certificate"}, "@type": "Cert"},       # a defined term
    {"@type": "https://purl.org/ctdl/terms/Certificate", "https://purl.org/ctdl/terms/ctid": CTID},
    {"@context": {"asn": "https://purl.org/ctdlasn/terms/"}, "@type": "asn:CompetencyFramework"},
    {"@context": "https://credreg.net/qdata/schema/context/json", "@type": "qdata:DataSetProfile"},
    {"@context": "http://credreg.net/ctdl/schema/context/json", "@id": "x"},
    {"@context": {"id": "@id", "type": "@type", "ceterms": "https://purl.org/ctdl/terms/"},
     "type": "ceterms:Badge", "id": SANDBOX},                                                 # keyword aliases
    # a urn:ctid draft: no context URL, http namespace, ids that are not CTIDs yet
    {"@context": {"ceterms": "http://purl.org/ctdl/terms/"}, "@graph": [
        {"@id": "urn:ctid:61183b59-0669-457b-881a-a2b3bedcafdc", "@type": "ceterms:Course"}]},
    {"ceterms:ctid": CTID, "ceterms:name": {"en": "no context at all"}},
    {"decoded_resource": json.dumps(BADGE), "envelope_ceterms_ctid": BADGE["ceterms:ctid"]},
])
def test_publications_are_recognized_by_meaning(document: dict[str, Any]) -> None:
    found = recognize(document)
    assert found.ctdl, found.why


@pytest.mark.parametrize(("document", "why"), [
    ({"@context": ["https://www.w3.org/ns/credentials/v2", "https://credreg.net/ctdl/schema/context/json"],
      "type": ["VerifiableCredential"], "credentialSubject": CREDENTIAL_SUBJECT}, "verifiable credential"),
    ({"@context": "https://www.w3.org/ns/credentials/v2", "@type": "ceterms:Pathway"}, "verifiable credential"),
    ({"@context": "https://www.w3.org/2018/credentials/v1", "type": "VerifiablePresentation"}, "presentation"),
    ({"@context": {"ex": "https://example.org/"}, "@type": "ex:Thing", "ex:name": "x"}, "cites no CTDL context"),
    ({"@context": "https://schema.org/", "@type": "Course"}, "cites no CTDL context"),
    ({"skos:prefLabel": "asn, skos and schema alone are not CTDL"}, "none of its types or properties"),
    ([1, 2], "JSON list"),
])
def test_other_documents_are_not_ctdl_and_say_what_they_are(document: Any, why: str) -> None:
    found = recognize(document)
    assert not found.ctdl
    assert why in found.why


@pytest.mark.parametrize(("url", "ctdl"), [
    ("https://credreg.net/ctdl/schema/context/json", True), ("http://credreg.net/ctdlasn/schema/context/json", True),
    ("https://credreg.net/qdata/schema/context/json", True), ("http://www.credreg.net/ctdl/schema/context/json", True),
    ("https://credreg.net/ctdl/schema/context/json?version=0.8", True),
    ("https://credreg.net/ctdl/terms", False), ("https://example.org/ctdl/schema/context/json", False),
    ("https://www.w3.org/ns/credentials/v2", False), ("not a url", False),
])
def test_credreg_context_urls(url: str, ctdl: bool) -> None:
    assert is_ctdl_context_url(url) is ctdl


def test_loading_brings_keys_to_one_spelling_and_remembers_the_written_one() -> None:
    document = {"@context": {"ct": "https://purl.org/ctdl/terms/", "name": "ct:name"}, "@graph": [
        {"@id": SANDBOX, "@type": "ct:Certificate", "ct:ctid": CTID, "name": {"en": "x"},
         "https://purl.org/ctdl/terms/inLanguage": ["en"],
         "ct:estimatedDuration": [{"@type": "ct:DurationProfile", "ct:exactDuration": "P1M"}]}]}
    loaded = load_document(document, "doc.json")
    head, nested = loaded.nodes
    assert head.types == ("ceterms:Certificate",) and nested.types == ("ceterms:DurationProfile",)
    assert {"ceterms:ctid", "ceterms:name", "ceterms:inLanguage", "ceterms:estimatedDuration"} <= set(head.data)
    assert head.ctid == CTID and head.top_level
    assert head.at("ceterms:name") == "/@graph/0/name"
    assert head.at("ceterms:inLanguage") == "/@graph/0/https:~1~1purl.org~1ctdl~1terms~1inLanguage"
    assert nested.pointer == "/@graph/0/ct:estimatedDuration/0" and nested.at("ceterms:exactDuration").endswith(
        "/ct:exactDuration")
    assert loaded.ctdl and loaded.graph_key == "@graph"


def test_an_aliased_graph_is_a_graph() -> None:
    document = {"@context": [{"items": "@graph", "ceterms": "https://purl.org/ctdl/terms/"}],
                "items": [{"@id": SANDBOX, "@type": "ceterms:Badge"}, "stray"]}
    loaded = load_document(document, "doc.json")
    assert loaded.graph_key == "items" and [n.pointer for n in loaded.nodes] == ["/items/0"]
    assert loaded.is_top(loaded.nodes[0])


def test_the_brief_example_is_judged_as_ctdl_and_not_as_a_credential(env: Environment) -> None:
    from conformance.run.runner import Runner

    result = Runner(env, env.profile("default")).evaluate(
        Subject(id="inline.json", env=env, raw=orjson.dumps(INLINE)))
    assert "CTDL" in result.standards
    assert not {"VCDM11", "VCDM20", "OB30", "CLR20"} & set(result.standards)
    # judged: the thin certificate lacks its minimum data, and its sandbox address is consistent
    failed = {f.requirement for f in result.findings if f.outcome is Outcome.FAILED}
    assert "CTDLMIN26-certificate" in failed and "CTDL-registry-host" not in failed


def test_findings_point_at_keys_as_written(env: Environment) -> None:
    document = {"@context": {"ct": "https://purl.org/ctdl/terms/"}, "@id": SANDBOX, "@type": "ct:Certificate",
                "ct:ctid": CTID.upper().replace("CE-", "ce-"), "ct:credentialLevel": {"en": "2"}, "level": 2}
    assert _failed(_run(env, "CTDL-property-known", document)) == ["/ct:credentialLevel", "/level"]
    assert _failed(_run(env, "CTDL-ctid-lower-case", document)) == ["/ct:ctid"]
    assert _failed(_run(env, "CTDL-ctid-grammar", document)) == []


@pytest.mark.parametrize(("key", "value"), [
    ("qdata:dataSetTimePeriod", [{"@type": "qdata:DataSetTimeFrame"}]),    # QData: not in the pinned encodings
    ("schema:currency", "USD"), ("asn:statementLabel", "x"), ("skos:scopeNote", "x"),
    ("navy:hasRating", "https://example.org/rating"), ("https://example.org/terms/extension", "x"),
])
def test_terms_of_other_namespaces_are_not_unknown_ctdl(env: Environment, key: str, value: Any) -> None:
    document = dict(BADGE, **{key: value})
    assert _failed(_run(env, "CTDL-property-known", document)) == []
    assert _failed(_run(env, "CTDL-class-known", document)) == []


@pytest.mark.parametrize(("key", "replacement"), [
    ("ceterms:creditUnitValue", "ceterms:creditValue"), ("ceterms:creditHourValue", "ceterms:creditValue"),
    ("ceterms:identifierValue", "ceterms:identifier"),
])
def test_superseded_terms_are_out_of_date_not_unknown(env: Environment, key: str, replacement: str) -> None:
    document = dict(BADGE, **{key: "3"})
    assert _failed(_run(env, "CTDL-property-known", document)) == []
    (finding,) = [f for f in _run(env, "CTDL-term-current", document) if f.outcome is Outcome.FAILED]
    assert finding.location == f"/{key}" and replacement in finding.message


def test_superseded_classes_are_out_of_date_not_unknown(env: Environment) -> None:
    document = dict(BADGE, **{"@type": "ceterms:Competency"})
    assert _failed(_run(env, "CTDL-class-known", document)) == []
    (finding,) = [f for f in _run(env, "CTDL-term-current", document) if f.outcome is Outcome.FAILED]
    assert finding.location == "/@type" and "ceasn:Competency" in finding.message


def test_ctdl_publication_passes_publications_and_fails_anything_else(env: Environment) -> None:
    assert _run(env, "CTDL-publication", INLINE) == []
    (credential,) = _run(env, "CTDL-publication", {"@context": "https://www.w3.org/ns/credentials/v2",
                                                   "type": ["VerifiableCredential"]})
    assert credential.outcome is Outcome.FAILED and "verifiable credential" in credential.message
    subject = Subject(id="x.json", env=env, raw=b"not json at all")
    (garbage,) = CHECK_REGISTRY.checks["CTDL-publication"].run(subject)
    assert garbage.outcome is Outcome.FAILED and "does not decode" in garbage.message


def test_recognition_reads_the_top_of_a_document_only() -> None:
    items = [{"@id": f"_:b{i}", "@type": "ex:Thing"} for i in range(200_000)]
    document = {"@context": [{"ex": "https://example.org/"}] * 10_000, "@graph": items}
    started = time.perf_counter()
    assert not recognize(document).ctdl
    assert time.perf_counter() - started < 1.0
    assert len(read_context(document).urls) == 0


def test_an_unloadable_publication_fails_its_shape_once_and_nothing_errs(env: Environment) -> None:
    """Review defect 7, through the runner: one cause, one outcome."""
    from conformance.run.runner import Runner

    broken = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": {"not": "a list"}}
    result = Runner(env, env.profile("default")).evaluate(Subject(id="b.json", env=env, raw=orjson.dumps(broken)))
    ctdl = [f for f in result.findings if f.requirement.startswith("CTDL")]
    assert {(f.requirement, f.outcome) for f in ctdl if f.outcome is not Outcome.INAPPLICABLE} == {
        ("CTDL-document-shape", Outcome.FAILED), ("CTDL-publication", Outcome.PASSED)}
    assert result.verdict == "fail"
