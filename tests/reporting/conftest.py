"""A small real run to render: two conformant signed badges, a broken one under a hostile file name, a pathway
diagram and a vendor attestation, so every section of the HTML report has something to show."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.run.vectors import load_vectors
from tests.conftest import REPO, artifacts_dir
from tests.documents import minimal_badge

HOSTILE_NAME = '<img src=x onerror=alert(1)> "quoted" & more.json'
VENDOR_FILE = REPO / "examples" / "vendor-attestation.toml"
DIAGRAM_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" '
               'fill="#ffffff" stroke="#000000"/><text x="8" y="25" font-size="14">A to B</text></svg>')


@dataclass(frozen=True)
class RenderedRun:
    results_file: Path
    results: dict
    out: Path


def run_and_report(tmp_path: Path, *report_options: str) -> RenderedRun:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    wanted = {"ob30-minimal-ok", "ob30-full-ok"}
    for vector in load_vectors():
        if vector.id in wanted:
            (inputs / vector.filename).write_bytes(vector.materialize())
    broken = minimal_badge()
    del broken["issuer"]
    (inputs / HOSTILE_NAME).write_text(json.dumps(broken), encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(inputs), "--out", str(tmp_path / "run")], catch_exceptions=False)
    assert checked.exit_code == 1, checked.output
    results_file = tmp_path / "run" / "results.json"
    results = json.loads(results_file.read_text(encoding="utf-8"))
    results["diagrams"] = [{"title": "Pathway: welding certificate", "subject": "ce-1234", "svg": DIAGRAM_SVG}]
    results_file.write_text(json.dumps(results), encoding="utf-8")
    made = runner.invoke(main, ["report", str(results_file), "--out", str(tmp_path / "report"), *report_options],
                         catch_exceptions=False)
    assert made.exit_code == 0, made.output
    return RenderedRun(results_file, results, tmp_path / "report")


@pytest.fixture(scope="module")
def html_run(tmp_path_factory: pytest.TempPathFactory) -> RenderedRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return run_and_report(tmp_path_factory.mktemp("html"), "--html", "--attestations", str(VENDOR_FILE))
