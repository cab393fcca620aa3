"""`ler-conformance verify-report DIR`: a report package's attestation verifies and its files match their digests;
a changed file, a tampered attestation and a missing one are each reported with the right exit code."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from tests.conftest import artifacts_dir
from tests.reporting.conftest import RenderedRun, run_and_report


@pytest.fixture(scope="module")
def attested(tmp_path_factory: pytest.TempPathFactory) -> RenderedRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return run_and_report(tmp_path_factory.mktemp("attested"), "--earl", "--html", "--attest")


def _copy(run: RenderedRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.out, tmp_path / "package"))


def _verify(folder: Path) -> tuple[int, str]:
    done = CliRunner().invoke(main, ["verify-report", str(folder)])
    return done.exit_code, done.output


def test_an_untouched_package_verifies(attested: RenderedRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    code, output = _verify(attested.out)
    assert code == 0, output
    assert "the proof verifies with a key of did:key:z6Mk" in output
    assert "all 4 report files match their digests" in output      # results, earl x2, html
    names = sorted(p.name for p in attested.out.iterdir())
    assert names == ["attestation.json", "earl.jsonld", "earl.ttl", "report.html", "results.json"]


def test_a_changed_report_file_fails(attested: RenderedRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    folder = _copy(attested, tmp_path)
    with (folder / "report.html").open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->")
    code, output = _verify(folder)
    assert code == 1
    assert "the proof verifies" in output
    assert "expected report.html to have the digest" in output


def test_a_tampered_attestation_fails(attested: RenderedRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    folder = _copy(attested, tmp_path)
    document = json.loads((folder / "attestation.json").read_text(encoding="utf-8"))
    document["credentialSubject"]["endorsementComment"] = "Verdict: pass (conformant)."
    (folder / "attestation.json").write_text(json.dumps(document), encoding="utf-8")
    code, output = _verify(folder)
    assert code == 1
    assert "the proof does not verify" in output
    assert "all 4 report files match their digests" in output


def test_a_missing_attestation_is_an_error(tmp_path: Path) -> None:
    code, output = _verify(tmp_path)
    assert code == 2
    assert "is not a readable attestation" in output


def test_a_single_runs_matrix_is_bound_by_its_attestation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    run = run_and_report(tmp_path, "--matrix", "--attest")
    attestation = json.loads((run.out / "attestation.json").read_text(encoding="utf-8"))
    names = sorted(entry["id"].rsplit(":", 1)[-1] for entry in attestation["relatedResource"])
    assert names == ["matrix.html", "matrix.md", "results.json"]
    code, output = _verify(run.out)
    assert code == 0, output
