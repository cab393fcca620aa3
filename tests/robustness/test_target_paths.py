"""A targets file's paths are checked when read, not only when loaded: a link swapped in between is never followed
out of the folder (the check-then-read race of `[[target]] path`)."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import conformance.run.targets.files as targets
import conformance.run.targets.services as services
from conformance.core.findings import Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import DirectoryTarget, FileTarget, TargetPathError, local_target
from conformance.run.targets.services import load_targets_file

SECRET = "canary-outside-the-folder-5d1e"
BADGE = b'{"inside": true}'

pytestmark = pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX links and O_NOFOLLOW")


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    """vendor/ holds targets.toml and badge.json; outside/ beside it holds secret.json and a badge.json of its own,
    both with the canary."""
    folder = tmp_path / "vendor"
    folder.mkdir()
    (folder / "badge.json").write_bytes(BADGE)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("secret.json", "badge.json"):
        (outside / name).write_text(f'{{"token": "{SECRET}"}}', encoding="utf-8")
    return folder


def _targets_file(folder: Path, *paths: str) -> Path:
    file = folder / "targets.toml"
    file.write_text("".join(f"[[target]]\npath = {path!r}\n" for path in paths), encoding="utf-8")
    return file


def _load(folder: Path, *paths: str) -> list[FileTarget | DirectoryTarget]:
    """The targets the check command builds from a targets file: its documents, read inside its folder."""
    loaded = load_targets_file(_targets_file(folder, *paths))
    assert loaded.inside == folder.resolve()
    built = [local_target(Path(document), loaded.inside) for document in loaded.documents]
    assert all(isinstance(t, FileTarget | DirectoryTarget) for t in built)
    return built  # type: ignore[return-value]


def _swap_for_link(path: Path, destination: Path) -> None:
    path.unlink()
    path.symlink_to(destination)


def _refused(target: FileTarget | DirectoryTarget, env: Environment) -> str:
    with pytest.raises(TargetPathError) as refused:
        list(target.subjects(env))
    message = str(refused.value)
    assert SECRET not in message and "\n" not in message
    return message


def test_an_ordinary_file_inside_the_folder_still_reads(vendor: Path, env: Environment) -> None:
    (target,) = _load(vendor, "badge.json")
    (subject,) = target.subjects(env)
    assert subject.raw == BADGE and subject.id == str((vendor / "badge.json").resolve())


def test_a_link_swapped_in_that_stays_inside_still_reads(vendor: Path, env: Environment) -> None:
    (target,) = _load(vendor, "badge.json")
    (vendor / "copy.json").write_bytes(BADGE)
    _swap_for_link(vendor / "badge.json", vendor / "copy.json")      # as the loader allows a link that stays inside
    assert [s.raw for s in target.subjects(env)] == [BADGE]


def test_a_file_swapped_for_a_link_after_loading_is_not_read(vendor: Path, env: Environment) -> None:
    (target,) = _load(vendor, "badge.json")
    _swap_for_link(vendor / "badge.json", vendor.parent / "outside" / "secret.json")
    message = _refused(target, env)
    assert str(vendor / "badge.json") in message and "leads outside the targets file's folder" in message
    assert "expected a regular file inside that folder" in message and "secret.json" in message


def test_the_runner_reports_it_unreadable_and_reads_nothing_of_it(vendor: Path, env: Environment) -> None:
    (target,) = _load(vendor, "badge.json")
    _swap_for_link(vendor / "badge.json", vendor.parent / "outside" / "secret.json")
    (result,) = Runner(env, env.profile("default")).run([target])
    (error,) = [f for f in result.findings if f.outcome is Outcome.ERROR]
    assert error.requirement == "CORE-input-readable" and result.verdict is Verdict.INCOMPLETE
    assert "leads outside the targets file's folder" in error.message
    assert SECRET not in repr(result)


def test_a_link_swapped_in_between_the_check_and_the_open_is_refused_by_the_open(
    vendor: Path, env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    (target,) = _load(vendor, "badge.json")
    _on_open(monkeypatch, lambda: _swap_for_link(vendor / "badge.json", vendor.parent / "outside" / "secret.json"))
    assert "found a symbolic link in its place" in _refused(target, env)


def test_a_folder_swapped_for_a_link_during_the_open_is_found_on_the_opened_file(
    vendor: Path, env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    (vendor / "sub").mkdir()
    (vendor / "sub" / "badge.json").write_bytes(BADGE)
    (target,) = _load(vendor, "sub/badge.json")

    def swap_the_folder() -> None:       # the open then follows sub/ to outside/ and opens outside/badge.json
        (vendor / "sub").rename(vendor / "sub.was")
        (vendor / "sub").symlink_to(vendor.parent / "outside", target_is_directory=True)

    _on_open(monkeypatch, swap_the_folder)
    assert "found that the file opened is not the one inside the folder" in _refused(target, env)


def _on_open(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> None:
    """Runs `swap` once, right before the read's open: the moment a racing link would land."""
    real_open = os.open

    def racing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        swap()
        monkeypatch.setattr(targets.os, "open", real_open)
        return real_open(path, flags, *args)

    monkeypatch.setattr(targets.os, "open", racing_open)


def test_a_file_of_a_folder_target_swapped_for_a_link_is_not_read(vendor: Path, env: Environment) -> None:
    (vendor / "badges").mkdir()
    (vendor / "badges" / "a.json").write_bytes(BADGE)
    (vendor / "badges" / "b.json").write_bytes(BADGE)
    (target,) = _load(vendor, "badges")
    assert isinstance(target, DirectoryTarget)
    assert [s.raw for s in target.subjects(env)] == [BADGE, BADGE]
    _swap_for_link(vendor / "badges" / "b.json", vendor.parent / "outside" / "secret.json")
    assert "b.json" in _refused(target, env)


def test_a_fifo_in_place_of_the_file_is_refused_without_waiting(vendor: Path, env: Environment) -> None:
    (target,) = _load(vendor, "badge.json")
    (vendor / "badge.json").unlink()
    os.mkfifo(vendor / "badge.json")
    assert "is not a regular file" in _refused(target, env) and "found a FIFO" in _refused(target, env)


def test_allow_outside_paths_reads_where_the_link_leads(vendor: Path, env: Environment) -> None:
    loaded = load_targets_file(_targets_file(vendor, "badge.json"), allow_outside_paths=True)
    assert loaded.inside is None
    (target,) = [local_target(Path(document), loaded.inside) for document in loaded.documents]
    _swap_for_link(vendor / "badge.json", vendor.parent / "outside" / "secret.json")
    assert target is not None and SECRET.encode() in b"".join(s.raw for s in target.subjects(env))


def test_check_refuses_a_link_swapped_in_after_loading(
    vendor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conformance.cli import EXIT_INCOMPLETE, main

    real_load = services.load_targets_file

    def load_then_swap(path: Path, **options: bool) -> services.TargetsFile:
        loaded = real_load(path, **options)
        _swap_for_link(vendor / "badge.json", vendor.parent / "outside" / "secret.json")
        return loaded

    monkeypatch.setattr(services, "load_targets_file", load_then_swap)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(_targets_file(vendor, "badge.json")), "--format", "json",
                                       "--out", str(out)])
    assert result.exit_code == EXIT_INCOMPLETE, result.output + result.stderr
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert SECRET not in result.output + result.stderr + written
    (entry,) = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    messages = [f["message"] for f in entry["findings"] if f["outcome"] == "error"]
    assert any("leads outside the targets file's folder" in m for m in messages)


def test_a_nested_targets_file_swapped_for_a_link_after_loading_is_not_read(vendor: Path, tmp_path: Path) -> None:
    nested = vendor / "more.toml"
    nested.write_text('[[target]]\npath = "badge.json"\n', encoding="utf-8")
    loaded = load_targets_file(_targets_file(vendor, "more.toml"))
    assert loaded.documents == (str(nested.resolve()),)
    (tmp_path / "outside" / "more.toml").write_text(f'secret = "{SECRET}"\n', encoding="utf-8")
    _swap_for_link(nested, tmp_path / "outside" / "more.toml")
    with pytest.raises(services.TargetsFileError) as refused:
        load_targets_file(nested, inside=loaded.inside)
    assert "leads outside the targets file's folder" in str(refused.value) and SECRET not in str(refused.value)


def test_a_nested_targets_file_inside_the_folder_still_loads(vendor: Path) -> None:
    nested = vendor / "more.toml"
    nested.write_text('[[target]]\npath = "badge.json"\n', encoding="utf-8")
    loaded = load_targets_file(nested, inside=vendor.resolve())
    assert loaded.documents == (str((vendor / "badge.json").resolve()),)
