"""`ler-conformance registry` end to end against the stand-in on 127.0.0.1."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conformance.cli import EXIT_INCOMPLETE
from conformance.cli.registry import registry
from conformance.reference.registry import serve_registry
from conformance.support.schemas import validate_data_file

DATA = Path(__file__).resolve().parents[2] / "examples" / "registry"
CERTIFICATE = "ce-1b7a0d3e-52c4-4f1d-9e6b-8a2c3d4e5f60"
FRAMEWORK = "ce-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
UNKNOWN = "ce-00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    with serve_registry(DATA) as running:
        yield running.base_url


def _run(*args: str) -> Result:
    return CliRunner().invoke(registry, list(args), catch_exceptions=False)


@pytest.mark.parametrize(("route", "ctid", "path"), [
    ("graph", CERTIFICATE.upper(), f"/graph/{CERTIFICATE}"),
    ("resources", CERTIFICATE, f"/resources/{CERTIFICATE}"),
    ("envelopes", FRAMEWORK, f"/envelopes/{FRAMEWORK}"),
])
def test_a_ctid_is_fetched_and_checked(standin: str, tmp_path: Path, route: str, ctid: str, path: str) -> None:
    result = _run(ctid, "--registry-base", standin, "--route", route, "--allow-private", "--format", "json",
                  "--out", str(tmp_path))
    output = json.loads(result.stdout.splitlines()[-1])
    (only,) = output["results"]
    assert only["subject"] == standin + path
    assert any(s.startswith("CTDL") for s in only["standards"]), only["standards"]
    assert only["findings"], "the CTDL checks ran"
    assert result.exit_code in (0, 1)
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", document, tmp_path / "results.json")
    assert document["targets"] == [{"id": standin + path, "kind": "url"}]
    assert document["environment"]["registry_base"] == standin
    fetched = [e["url"] for e in document["evidence"]["http"]]
    assert fetched[0] == standin + path
    # what the resource references is looked up in the same Registry, each resource once
    assert all(url.startswith((f"{standin}/resources/", f"{standin}/graph/")) for url in fetched[1:])
    assert len(set(fetched)) == len(fetched)


def test_a_ctid_the_registry_lacks_is_reported_and_cannot_pass(standin: str, tmp_path: Path) -> None:
    result = _run(UNKNOWN, CERTIFICATE, "--registry-base", standin, "--allow-private", "--out", str(tmp_path))
    assert result.exit_code == EXIT_INCOMPLETE       # an input not read was not judged: never pass, never fail
    assert f"not read: {standin}/graph/{UNKNOWN}" in result.stderr
    assert "404" in result.stderr
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert document["environment"]["unread"] == [
        {"url": f"{standin}/graph/{UNKNOWN}", "reason": "not-found",
         "message": f"{standin}/graph/{UNKNOWN} answers HTTP 404: the Registry publishes nothing there"}]
    assert [r["subject"] for r in document["results"]] == [f"{standin}/graph/{CERTIFICATE}"]


def test_the_stand_in_is_refused_without_allow_private(standin: str) -> None:
    result = _run(CERTIFICATE, "--registry-base", standin, "--format", "json")
    assert result.exit_code == EXIT_INCOMPLETE
    assert "--allow-private" in result.stderr
    assert json.loads(result.stdout)["results"] == []


def test_files_and_registry_urls_mix(standin: str) -> None:
    result = _run(str(DATA / "organization.json"), f"{standin}/resources/{CERTIFICATE}", "--allow-private",
                  "--format", "json")
    subjects = [r["subject"] for r in json.loads(result.stdout)["results"]]
    assert subjects == [f"{standin}/resources/{CERTIFICATE}", str(DATA / "organization.json")]


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-file.json"], "neither a CTID"),
    ([CERTIFICATE, "--registry-base", "qa"], "neither a Registry environment"),
    ([CERTIFICATE, "--profile", "no-such-profile"], "no profile named"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
