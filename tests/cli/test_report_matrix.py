"""`ler-conformance report --matrix`: implementations x requirements from several results.json files."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.reporting.matrix import build_matrix
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge


def _results(*findings: tuple[str, str]) -> dict:
    return {"results": [{"subject": "s", "verdict": "pass", "standards": [], "findings": [
        {"requirement": rid, "outcome": outcome, "level": "must", "location": "", "message": ""}
        for rid, outcome in findings]}]}


def test_cells_roll_up_and_rows_under_two_passes_are_at_risk() -> None:
    matrix = build_matrix([
        ("alpha", _results(("OB30-a", "passed"), ("OB30-b", "passed"), ("OB30-b", "failed"), ("OB30-c", "passed"))),
        ("beta", _results(("OB30-a", "passed"), ("OB30-b", "passed"), ("OB30-c", "cantTell"))),
        ("gamma", _results(("OB30-a", "error"), ("OB30-c", "inapplicable"))),
    ])
    assert matrix.implementations == ("alpha", "beta", "gamma")
    assert dict(matrix.rows) == {"OB30-a": ("passed", "passed", "error"), "OB30-b": ("failed", "passed", None),
                                 "OB30-c": ("passed", "cantTell", "inapplicable")}
    assert [rid for rid, _ in matrix.rows if matrix.at_risk(rid)] == ["OB30-b", "OB30-c"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.sources += [v or "" for k, v in attrs if k == "src"]


def test_report_writes_markdown_and_a_self_contained_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()
    broken = minimal_badge()
    del broken["issuer"]
    for vendor, document in (("vendor-a", minimal_badge()), ("vendor-b", broken)):
        (tmp_path / f"{vendor}.json").write_text(json.dumps(document), encoding="utf-8")
        done = runner.invoke(main, ["check", str(tmp_path / f"{vendor}.json"), "--profile", "data-model",
                                    "--out", str(tmp_path / vendor)], catch_exceptions=False)
        assert done.exit_code in (0, 1), done.output
    made = runner.invoke(main, ["report", str(tmp_path / "vendor-a" / "results.json"),
                                str(tmp_path / "vendor-b" / "results.json"), "--matrix", "--out", str(tmp_path / "m")],
                         catch_exceptions=False)
    assert made.exit_code == 0, made.output
    markdown = (tmp_path / "m" / "matrix.md").read_text(encoding="utf-8")
    assert "| Requirement | vendor-a | vendor-b | Passing | At risk |" in markdown
    row = next(line for line in markdown.splitlines() if "VCDM20-issuer-present" in line)
    assert re.search(r"\| pass \| FAIL \| 1 \| \*\*at risk\*\* \|$", row), row
    page = (tmp_path / "m" / "matrix.html").read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(page)
    assert collector.sources == [] and "script" not in collector.tags and "link" not in collector.tags
    assert 'class="risk"' in page and "<h1>Interop matrix</h1>" in page
