"""The one verdict rule, seen through every output: a corpus with one input per verdict (pass, fail, incomplete,
not judged) gives the same verdict in the text output, the exit code, `--format json`, results.json, the HTML report
and the pytest plugin."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import EXIT_CODES, main
from conformance.core.findings import Verdict
from conformance.support.schemas import validate_data_file
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

UNPINNED_CONTEXT = "https://example.org/contexts/unpinned-v1.jsonld"


def _corpus() -> dict[Verdict, dict]:
    unjudgeable = minimal_badge()          # the suite cannot process a context nobody pinned: undecided, not failed
    unjudgeable["@context"] = [*unjudgeable["@context"], UNPINNED_CONTEXT]
    no_issuer = minimal_badge()
    del no_issuer["issuer"]
    return {Verdict.PASS: minimal_badge(), Verdict.FAIL: no_issuer, Verdict.INCOMPLETE: unjudgeable,
            Verdict.NOT_JUDGED: {"hello": "world"}}


CORPUS = _corpus()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def _input(folder: Path, verdict: Verdict) -> Path:
    path = folder / f"{verdict.value}.json"
    path.write_text(json.dumps(CORPUS[verdict]), encoding="utf-8")
    return path


@pytest.mark.parametrize("verdict", list(Verdict), ids=str)
def test_every_output_gives_the_same_verdict(verdict: Verdict, cli, tmp_path: Path) -> None:  # noqa: ANN001
    document = _input(tmp_path, verdict)
    out = tmp_path / "out"
    text = cli("check", str(document), "--profile", "data-model", "--out", str(out))
    assert text.exit_code == EXIT_CODES[verdict], text.output
    assert f"verdict: {verdict.label} (" in text.output
    if verdict is Verdict.INCOMPLETE:     # the undecided MUSTs are named, with the reason
        assert "must   error    VCDM20-jsonld-processable" in text.output
    as_json = cli("check", str(document), "--profile", "data-model", "--format", "json")
    assert as_json.exit_code == EXIT_CODES[verdict]
    payload = json.loads(as_json.stdout)
    assert payload["verdict"] == verdict.value
    assert [r["verdict"] for r in payload["results"]] == [verdict.value]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", results, out / "results.json")
    assert results["summary"]["verdict"] == verdict.value
    assert results["results"][0]["verdict"] == verdict.value
    report = cli("report", str(out / "results.json"), "--html", "--attest", "--out", str(out))
    assert report.exit_code == 0, report.output
    html = (out / "report.html").read_text(encoding="utf-8")
    banner = re.search(r'<strong>Verdict: <span class="verdict [a-z-]+">([^<]+)</span>', html)
    assert banner is not None and banner.group(1) == verdict.label.capitalize()
    attestation = json.loads((out / "attestation.json").read_text(encoding="utf-8"))
    assert f"Verdict: {verdict.value}." in attestation["credentialSubject"]["endorsementComment"]


def test_the_distinct_exit_codes_are_documented() -> None:
    assert len(set(EXIT_CODES.values())) == len(Verdict)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for verdict, code in EXIT_CODES.items():
        assert re.search(rf"\|\s*`?{code}`?\s*\|\s*`?{verdict.label}`?", readme), f"README lacks exit code {code}"


def test_an_incomplete_subject_names_its_undecided_musts(cli, tmp_path: Path) -> None:  # noqa: ANN001
    result = cli("check", str(_input(tmp_path, Verdict.INCOMPLETE)), "--profile", "data-model", "--format", "json")
    (entry,) = json.loads(result.stdout)["results"]
    assert "VCDM20-jsonld-processable" in entry["undecided"]
    assert all(f["outcome"] != "failed" or f["level"] != "must" for f in entry["findings"])


_PYTEST_EXIT = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.INCOMPLETE: 3, Verdict.NOT_JUDGED: 4}


@pytest.mark.parametrize("verdict", list(Verdict), ids=str)
def test_the_pytest_plugin_gives_the_same_verdict(verdict: Verdict, pytester: pytest.Pytester) -> None:
    document = _input(pytester.path, verdict)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ler-target", str(document),
                                           "--ler-profile", "data-model", "--ler-artifacts", str(artifacts_dir()), "-q")
    assert result.ret == _PYTEST_EXIT[verdict], result.stdout.str()
    result.stdout.fnmatch_lines([f"*ler-conformance verdict: {verdict.label}*"])


def test_a_hostile_string_cannot_drive_the_terminal(cli, tmp_path: Path) -> None:  # noqa: ANN001
    document = minimal_badge()
    document["@context"] = [*document["@context"], "https://x.example/\u001b[31mRED\u001b[0m\u0000\u202e"]
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli("check", str(path), "--profile", "data-model", "-v")
    assert "https://x.example/\\u001b[31mRED\\u001b[0m\\u0000\\u202e" in result.output
    assert not any(c in result.output for c in ("\u001b", "\u0000", "\u202e"))
    missing = cli("check", str(tmp_path / "no\u001b[31msuch.json"))
    assert missing.exit_code == 2 and "no\\u001b[31msuch.json" in missing.output
    assert "\u001b" not in missing.output
