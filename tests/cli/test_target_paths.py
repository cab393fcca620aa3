"""A vendor's targets.toml reads nothing outside its own folder unless the run says --allow-outside-paths (issue 13)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.run.targets.services import load_targets_file
from conformance.support.exchange.service import TargetsFileError

SECRET = "canary-outside-the-folder-8f2c"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """vendor/ holds the targets file and a badge; secret.json lies beside vendor/, outside it."""
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "badge.json").write_text("{}", encoding="utf-8")
    secret = tmp_path / "secret.json"
    secret.write_text(f'{{"token": "{SECRET}"}}', encoding="utf-8")
    return vendor, secret


def _targets(vendor: Path, path: str) -> Path:
    targets = vendor / "targets.toml"
    targets.write_text(f"[[target]]\npath = {path!r}\n", encoding="utf-8")
    return targets


def test_a_path_inside_the_folder_resolves_there(layout: tuple[Path, Path]) -> None:
    vendor, _ = layout
    assert load_targets_file(_targets(vendor, "badge.json")).documents == (str((vendor / "badge.json").resolve()),)
    assert load_targets_file(_targets(vendor, "./sub/../badge.json")).documents == (str((vendor / "badge.json").resolve()),)


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "folder-with-a-link"])
def test_a_path_leading_outside_is_refused_naming_it(layout: tuple[Path, Path], how: str) -> None:
    vendor, secret = layout
    if how == "dotdot":
        named = "../secret.json"
    elif how == "absolute":
        named = str(secret)
    elif how == "symlink":
        (vendor / "innocent.json").symlink_to(secret)
        named = "innocent.json"
    else:
        (vendor / "badges").mkdir()
        (vendor / "badges" / "more.json").symlink_to(secret)
        named = "badges"
    with pytest.raises(TargetsFileError) as refused:
        load_targets_file(_targets(vendor, named))
    message = str(refused.value)
    assert "\n" not in message and "--allow-outside-paths" in message
    assert (named if how != "folder-with-a-link" else "more.json") in message
    assert SECRET not in message
    allowed = load_targets_file(_targets(vendor, named), allow_outside_paths=True)
    assert len(allowed.documents) == 1


def test_check_refuses_it_in_one_line_and_reads_nothing_of_it(layout: tuple[Path, Path], tmp_path: Path) -> None:
    from conformance.cli import EXIT_ERROR, main

    vendor, _ = layout
    targets = _targets(vendor, "../secret.json")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(targets), "--format", "json", "--out", str(out)])
    assert result.exit_code == EXIT_ERROR
    assert "../secret.json" in result.stderr and "--allow-outside-paths" in result.stderr
    assert SECRET not in result.output + result.stderr and not out.exists()
    allowed = CliRunner().invoke(main, ["check", str(targets), "--format", "json", "--allow-outside-paths",
                                        "--out", str(out)])
    assert allowed.exit_code != EXIT_ERROR and (out / "results.json").is_file()
