"""Outputs are written atomically and never through a symbolic link planted in the output folder (issue 13)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.reporting.files import ReportError, write_no_follow
from conformance.reporting.results import write_results
from conformance.support.outputs import OutputError, make_folder, write_atomically


def _planted(tmp_path: Path) -> tuple[Path, Path]:
    """out/results.json as a link to a file elsewhere that must survive."""
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    victim.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").symlink_to(victim)
    return out, victim


def test_a_link_planted_at_results_json_is_refused_and_its_target_unchanged(tmp_path: Path) -> None:
    out, victim = _planted(tmp_path)
    with pytest.raises(OutputError, match="symbolic link"):
        write_results(out, {"verdict": "pass"})
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert (out / "results.json").is_symlink()
    assert [p.name for p in out.iterdir()] == ["results.json"]       # no temporary file left behind


def test_a_link_planted_at_a_folder_inside_the_output_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="sub"):
        write_atomically(out / "sub" / "deeper" / "file.json", "{}", root=out)
    with pytest.raises(OutputError, match="sub"):
        make_folder(out / "sub" / "deeper", root=out)
    assert list(elsewhere.iterdir()) == []


def test_the_output_root_itself_may_be_a_link_the_person_chose(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    out = tmp_path / "out"
    out.symlink_to(real, target_is_directory=True)
    write_results(out, {"verdict": "pass"})
    assert json.loads((real / "results.json").read_text(encoding="utf-8")) == {"verdict": "pass"}


def test_an_interrupted_write_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_results(out, {"run": "old"})
    before = (out / "results.json").read_bytes()

    def crash(descriptor: int) -> None:          # the temporary file exists and holds the new bytes by now
        assert any(p.name.endswith(".partial") for p in out.iterdir())
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        write_results(out, {"run": "new"})
    assert (out / "results.json").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["results.json"]


def test_a_failing_disk_is_a_clear_error_and_the_old_file_stays(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.html"
    write_atomically(path, "old")

    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="No space left"):
        write_atomically(path, "new")
    assert path.read_text(encoding="utf-8") == "old"


def test_files_are_replaced_whole_and_readable(tmp_path: Path) -> None:
    path = write_atomically(tmp_path / "a.json", "one")
    write_atomically(path, b"two")
    assert path.read_bytes() == b"two" and oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_the_report_package_writer_uses_the_same_rule(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "report.html").symlink_to(victim)
    with pytest.raises(ReportError, match="symbolic link"):
        write_no_follow(tmp_path / "report.html", b"<html>")
    assert victim.read_text(encoding="utf-8") == "keep"


def test_vectors_export_refuses_a_link_in_its_folder(tmp_path: Path) -> None:
    from conformance.run.vectors import export, load_vectors, vectors_dir

    first = next(iter(load_vectors(vectors_dir())))
    target = tmp_path / "export"
    planted = target / first.folder.relative_to(vectors_dir())
    planted.parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="symbolic link"):
        next(export(target, documents=tmp_path / "documents"))
    assert list(elsewhere.iterdir()) == []


def test_check_refuses_a_planted_results_json_in_one_line(tmp_path: Path) -> None:
    from conformance.cli import EXIT_ERROR, main

    out, victim = _planted(tmp_path)
    document = tmp_path / "doc.json"
    document.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(document), "--format", "json", "--out", str(out)])
    assert result.exit_code == EXIT_ERROR
    assert "symbolic link" in result.stderr and str(out / "results.json") in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_the_audit_writes_through_no_link_planted_in_its_folder(tmp_path: Path) -> None:
    from conformance.run.ctdl_audit import AuditOptions, run_audit
    from tests.conftest import artifacts_dir

    dump = tmp_path / "set.jsonl"
    dump.write_text(json.dumps({"@context": "https://example.org/other", "name": "not CTDL"}) + "\n", encoding="utf-8")
    out = tmp_path / "audit"
    out.mkdir()
    victims = []
    for name in (".results.jsonl", ".results.json.tmp", "audit-summary.md"):
        victim = tmp_path / f"victim{len(victims)}"
        victim.write_text("keep", encoding="utf-8")
        (out / name).symlink_to(victim)
        victims.append(victim)
    options = AuditOptions(artifacts=str(artifacts_dir()), minimum_only=True)
    with pytest.raises(OutputError, match="audit-summary.md"):       # a link at an output's name is refused
        run_audit([dump], out, options, workers=1)
    assert (out / "results.json").is_file()          # the working files' links were replaced, not followed
    assert all(v.read_text(encoding="utf-8") == "keep" for v in victims)


def test_the_rfp_appendix_refuses_a_planted_link(tmp_path: Path) -> None:
    from conformance.cli import EXIT_ERROR, main

    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "rfp-wallet.md").symlink_to(victim)
    result = CliRunner().invoke(main, ["requirements", "--profile", "wallet", "--rfp", "--out", str(out)])
    assert result.exit_code == EXIT_ERROR and "symbolic link" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep"


@pytest.mark.browser
def test_the_pdf_is_never_printed_through_a_planted_link(tmp_path: Path) -> None:
    from conformance.cli import main
    from tests.reporting.conftest import run_and_report

    (tmp_path / "made").mkdir()
    run = run_and_report(tmp_path / "made", "--html")
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.pdf").symlink_to(victim)
    made = CliRunner().invoke(main, ["report", str(run.results_file), "--pdf", "--out", str(out)])
    assert made.exit_code == 2 and "symbolic link" in made.output
    assert victim.read_text(encoding="utf-8") == "keep"
