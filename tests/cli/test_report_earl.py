"""`ler-conformance report --earl`: EARL 1.0 JSON-LD and Turtle from results.json, read back with rdflib."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from conformance.cli import main
from conformance.reporting.earl import REQUIREMENT_IRI
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

EARL = Namespace("http://www.w3.org/ns/earl#")
LER = Namespace("urn:ler-conformance:vocab#")


@pytest.fixture
def reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[dict, Path]:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    broken = minimal_badge()
    del broken["issuer"]
    badge = tmp_path / "no issuer.json"
    badge.write_text(json.dumps(broken), encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(badge), "--out", str(tmp_path / "run")], catch_exceptions=False)
    assert checked.exit_code == 1, checked.output
    made = runner.invoke(main, ["report", str(tmp_path / "run" / "results.json"), "--earl", "--out",
                                str(tmp_path / "earl")], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    return json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8")), tmp_path / "earl"


def _graph(path: Path, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(path, format=fmt)
    return graph


@pytest.mark.parametrize(("name", "fmt"), [("earl.jsonld", "json-ld"), ("earl.ttl", "turtle")])
def test_one_assertion_per_subject_and_requirement(reported: tuple[dict, Path], name: str, fmt: str) -> None:
    results, folder = reported
    graph = _graph(folder / name, fmt)
    pairs = {(r["subject"], f["requirement"]) for r in results["results"] for f in r["findings"]}
    assertions = list(graph.subjects(RDF.type, EARL.Assertion))
    assert len(assertions) == len(pairs)
    tests = {str(graph.value(a, EARL.test)) for a in assertions}
    assert tests == {REQUIREMENT_IRI + requirement for _, requirement in pairs}


def test_outcomes_carry_over_and_the_test_links_to_the_spec(reported: tuple[dict, Path]) -> None:
    _, folder = reported
    graph = _graph(folder / "earl.ttl", "turtle")
    test = URIRef(REQUIREMENT_IRI + "VCDM20-issuer-present")
    (assertion,) = list(graph.subjects(EARL.test, test))
    result = graph.value(assertion, EARL.result)
    assert graph.value(result, EARL.outcome) == EARL.failed
    assert graph.value(result, LER.outcome) == Literal("failed")
    assert str(graph.value(test, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"))).startswith(
        "https://www.w3.org/TR/vc-data-model-2.0/#")
    subject = str(graph.value(assertion, EARL.subject))
    assert subject.startswith("file:///") and "no%20issuer.json" in subject


def test_report_without_a_format_is_a_usage_error(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text("{}", encoding="utf-8")
    outcome = CliRunner().invoke(main, ["report", str(results)], catch_exceptions=False)
    assert outcome.exit_code == 2


def test_report_of_an_unreadable_file_names_it(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_bytes(b"\xff not json")
    outcome = CliRunner().invoke(main, ["report", str(results), "--earl", "--out", str(tmp_path / "o")],
                                 catch_exceptions=False)
    assert outcome.exit_code == 2
    assert "results.json" in outcome.output


@pytest.mark.parametrize("subject", ["/tmp/a b/<odd> \"name\" {x}.json#/verifiableCredential/0 » /iss",
                                     "https://example.edu/badge?id=1 2#frag", "relative/ünïcode.json"])
def test_hostile_subject_ids_still_make_parseable_turtle(subject: str) -> None:
    from conformance.reporting.earl import earl_document, earl_turtle

    results = {"suite": {"name": "ler-conformance", "version": "0"}, "ended": "2026-01-01T00:00:00Z",
               "results": [{"subject": subject, "verdict": "fail", "standards": ["CORE"], "findings": [
                   {"requirement": "CORE-json-wellformed", "outcome": "failed", "level": "must", "location": "",
                    "message": "a \"quoted\" message\nover two lines"}]}]}
    graph = Graph()
    graph.parse(data=earl_turtle(earl_document(results)), format="turtle")
    assert len(list(graph.subjects(RDF.type, EARL.Assertion))) == 1


def test_what_the_profile_requires_and_the_run_did_not_test_is_earl_untested(monkeypatch: pytest.MonkeyPatch,
                                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(minimal_badge()), encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(badge), "--profile", "ob30-issuer", "--out", str(tmp_path / "run")],
                            catch_exceptions=False)
    not_tested = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))["scope"]["not_tested"]
    assert not_tested and "not tested:" in checked.stderr
    made = runner.invoke(main, ["report", str(tmp_path / "run" / "results.json"), "--earl", "--out",
                                str(tmp_path / "earl")], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    graph = _graph(tmp_path / "earl" / "earl.ttl", "turtle")
    subject = URIRef("urn:ler-conformance:subject:implementation")
    untested = {str(graph.value(a, EARL.test)) for a in graph.subjects(EARL.subject, subject)
                if graph.value(graph.value(a, EARL.result), EARL.outcome) == EARL.untested}
    assert untested == {REQUIREMENT_IRI + n["requirement"] for n in not_tested}
