"""Benchmark (recommended) data scores: `check` reports one per top-level CTDL resource for the policy the profile
applies, in results.json's `scores` and in the HTML report; a score never becomes a finding or changes a verdict."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.policy import load_policy
from conformance.support.schemas import validate_data_file
from tests.conftest import REPO, artifacts_dir

CERTIFICATE_GRAPH = REPO / "vectors" / "ctdl" / "core" / "graph-certificate.json"


def _check(tmp_path: Path, *options: str) -> dict:
    result = CliRunner().invoke(main, ["check", str(CERTIFICATE_GRAPH), "--out", str(tmp_path), *options],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", document, tmp_path / "results.json")
    return document


@pytest.fixture(autouse=True)
def _artifacts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))


@pytest.mark.parametrize(("profile", "version"), [("default", "2026"), ("ctdl-minimum-2022", "2022")])
def test_each_resource_gets_the_score_of_the_profiles_policy(tmp_path: Path, profile: str, version: str) -> None:
    document = _check(tmp_path, "--profile", profile)
    published = load_document(json.loads(CERTIFICATE_GRAPH.read_text(encoding="utf-8")), str(CERTIFICATE_GRAPH))
    policy = load_policy(version)
    expected = [policy.score(node).record(str(CERTIFICATE_GRAPH), node.pointer)
                for node in published.resources if policy.score(node) is not None]
    assert expected, "the certificate graph has scored resources"
    assert document["scores"] == expected


def test_the_html_report_shows_the_scores_apart(tmp_path: Path) -> None:
    _check(tmp_path / "run")
    made = CliRunner().invoke(main, ["report", str(tmp_path / "run" / "results.json"), "--html", "--out",
                                     str(tmp_path / "report")], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="benchmark"'):page.index('id="attested"')]
    assert "Benchmark data (recommended, not judged)" in section
    assert "<code>ceterms:Certificate</code>" in section
    assert "missing it is never a failure" in section
