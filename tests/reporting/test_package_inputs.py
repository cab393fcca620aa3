"""The judged inputs a report package archives: what `report` reads (only files results.json names, below their
targets, regular and not through a final link, within bounds), the digests a run records, and writes that never go
through a symbolic link."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.files import ReportError, write_no_follow
from conformance.reporting.inputs import (
    InputsError,
    check_archive,
    collect_inputs,
    read_manifest,
    write_inputs,
)
from tests.conftest import artifacts_dir
from tests.reporting.packages import invoke

DOCUMENT = b'{"type": ["VerifiableCredential"]}\n'


def results_of(targets: list[dict[str, Any]], subjects: list[str]) -> dict[str, Any]:
    """Just what collect_inputs reads of a results.json: targets and the subjects judged, in order."""
    return {"targets": targets, "results": [{"subject": s, "verdict": "pass", "standards": [], "findings": []}
                                            for s in subjects]}


def one(tmp_path: Path, targets: list[dict[str, Any]], subject: str, **bounds: int) -> Any:
    (record,) = [c.record for c in collect_inputs(results_of(targets, [subject]), tmp_path, **bounds)]
    return record


@pytest.fixture
def badges(tmp_path: Path) -> Path:
    folder = tmp_path / "badges"
    folder.mkdir()
    (folder / "a.json").write_bytes(DOCUMENT)
    return folder


def test_a_file_below_its_directory_is_archived_with_its_digest(tmp_path: Path, badges: Path) -> None:
    record = one(tmp_path, [{"id": "badges", "kind": "directory"}], "badges/a.json")
    assert (record.archived, record.file, record.name) == (True, "inputs/0001.json", "a.json")
    assert (record.sha256, record.size, record.digest_from) == (hashlib.sha256(DOCUMENT).hexdigest(), len(DOCUMENT),
                                                                "report")


def test_relative_paths_resolve_against_the_inputs_base_and_absolute_ones_stand(tmp_path: Path, badges: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    relative = one(elsewhere, [{"id": "badges", "kind": "directory"}], "badges/a.json")
    assert not relative.archived and relative.note == "not read: the file is no longer there"
    absolute = one(elsewhere, [{"id": str(badges), "kind": "directory"}], str(badges / "a.json"))
    assert absolute.archived


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "pipe.json")
    return "badges/pipe.json"


def _link_out(folder: Path) -> str:
    secret = folder.parent / "secret.json"
    secret.write_text("{}", encoding="utf-8")
    (folder / "link.json").symlink_to(secret)
    return "badges/link.json"


def _link_in(folder: Path) -> str:
    (folder / "alias.json").symlink_to(folder / "a.json")
    return "badges/alias.json"


def _linked_folder(folder: Path) -> str:
    outside = folder.parent / "outside"
    outside.mkdir()
    (outside / "b.json").write_bytes(DOCUMENT)
    (folder / "sub").symlink_to(outside)
    return "badges/sub/b.json"


REFUSED: list[tuple[str, Callable[[Path], str], str]] = [
    # a name that climbs out of its directory, or one the run skips (hidden), is below no target
    ("dot-dot", lambda f: "badges/../secret.json", "results.json names no target it came from"),
    ("hidden-file", lambda f: (f / ".env").write_text("SECRET=1") and "badges/.env",
     "results.json names no target it came from"),
    ("link-out-of-the-directory", _link_out, "not read: it resolves outside its target directory badges"),
    ("folder-linked-out", _linked_folder, "not read: it resolves outside its target directory badges"),
    ("link-inside-the-directory", _link_in, "not read: a symbolic link; the package follows none"),
    ("fifo", _fifo, "not read: not a regular file"),
    ("gone", lambda f: "badges/gone.json", "not read: the file is no longer there"),
    ("not-below-any-target", lambda f: "/etc/passwd", "results.json names no target it came from"),
]


@pytest.mark.parametrize(("make", "note"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_report_reads_only_regular_files_results_json_names_below_their_target(
        tmp_path: Path, badges: Path, make: Callable[[Path], str], note: str) -> None:
    subject = make(badges)
    record = one(tmp_path, [{"id": "badges", "kind": "directory"}], subject)
    assert (record.archived, record.sha256, record.note) == (False, None, note)


def test_a_file_target_is_read_only_under_its_own_name(tmp_path: Path, badges: Path) -> None:
    target = [{"id": "badges/a.json", "kind": "file"}]
    assert one(tmp_path, target, "badges/a.json").archived
    (badges / ".hidden.json").write_bytes(DOCUMENT)
    hidden = one(tmp_path, [{"id": "badges/.hidden.json", "kind": "file"}], "badges/.hidden.json")
    assert hidden.note == "not read: a hidden file; the package archives none"


@pytest.mark.parametrize(("kind", "note"), [
    ("url", "fetched from a URL during the run; report reads only local files"),
    ("service", "a live service, judged over the HTTP exchanges results.json records; there are no input bytes"),
    ("bytes", "held in memory during the run; there is no file to read"),
])
def test_inputs_that_are_no_local_file_are_listed_with_the_reason(tmp_path: Path, kind: str, note: str) -> None:
    record = one(tmp_path, [{"id": "https://example.edu/badge.json", "kind": kind}], "https://example.edu/badge.json")
    assert (record.kind, record.archived, record.note) == (kind, False, note)


def test_the_per_file_and_total_bounds_keep_digests_only(tmp_path: Path, badges: Path) -> None:
    (badges / "b.json").write_bytes(DOCUMENT.replace(b"Verifiable", b"Other"))
    (badges / "c.json").write_bytes(b"x" * 100)
    subjects = ["badges/a.json", "badges/b.json", "badges/c.json", "badges/a.json"]
    records = [c.record for c in collect_inputs(results_of([{"id": "badges", "kind": "directory"}], subjects),
                                                tmp_path, file_bytes=64, total_bytes=len(DOCUMENT) + 10)]
    assert [r.file for r in records] == ["inputs/0001.json", None, None, "inputs/0001.json"]   # same bytes: one copy
    assert records[1].note == "not archived: the package's 45-byte bound for all inputs is reached"
    assert records[2].note == "not archived: 100 bytes, over the 64-byte bound for one input"
    assert all(r.sha256 is not None for r in records)


def _recorded(sha256: str, size: int) -> list[dict[str, Any]]:
    return [{"id": "badges", "kind": "directory", "files": [{"subject": "badges/a.json", "sha256": sha256,
                                                              "size": size}]}]


def test_a_digest_the_run_recorded_confirms_the_bytes(tmp_path: Path, badges: Path) -> None:
    record = one(tmp_path, _recorded(hashlib.sha256(DOCUMENT).hexdigest(), len(DOCUMENT)), "badges/a.json")
    assert (record.archived, record.digest_from) == (True, "results.json")


def test_a_recorded_subject_is_still_read_only_below_its_target(tmp_path: Path, badges: Path) -> None:
    targets = [{"id": "badges", "kind": "directory",
                "files": [{"subject": "badges/../secret.json", "sha256": "0" * 64, "size": 2}]}]
    record = one(tmp_path, targets, "badges/../secret.json")
    assert (record.archived, record.sha256, record.note) == (False, "0" * 64,
                                                             "not read: not a file below its target directory")


def test_a_digest_recorded_on_the_result_confirms_the_bytes_too(tmp_path: Path, badges: Path) -> None:
    results = results_of([{"id": "badges", "kind": "directory"}], ["badges/a.json"])
    results["results"][0]["input"] = {"sha256": hashlib.sha256(DOCUMENT).hexdigest(), "size": len(DOCUMENT)}
    (collected,) = collect_inputs(results, tmp_path)
    assert (collected.record.archived, collected.record.digest_from) == (True, "results.json")
    results["results"][0]["input"] = {"sha256": "1" * 64, "size": len(DOCUMENT)}
    (collected,) = collect_inputs(results, tmp_path)
    assert (collected.record.archived, collected.record.sha256) == (False, "1" * 64)
    assert collected.record.note.startswith("not archived: the file changed since the run")


def test_a_file_changed_since_the_run_is_not_archived(tmp_path: Path, badges: Path) -> None:
    recorded = hashlib.sha256(b"what was judged").hexdigest()
    record = one(tmp_path, _recorded(recorded, 15), "badges/a.json")
    assert (record.archived, record.sha256, record.digest_from) == (False, recorded, "results.json")
    assert record.note == f"not archived: the file changed since the run (its sha256 is now " \
                          f"{hashlib.sha256(DOCUMENT).hexdigest()})"


@pytest.mark.parametrize("files", [
    [{"subject": "badges/a.json", "sha256": "not-hex", "size": 3}],
    [{"subject": "badges/a.json", "sha256": "0" * 64, "size": -1}],
    "not a list",
])
def test_a_malformed_recorded_digest_is_ignored(tmp_path: Path, badges: Path, files: Any) -> None:
    record = one(tmp_path, [{"id": "badges", "kind": "directory", "files": files}], "badges/a.json")
    assert (record.archived, record.digest_from) == (True, "report")


# --- writing and reading the archive ---------------------------------------------------------------------------

def _collected(tmp_path: Path) -> list[Any]:
    return collect_inputs(results_of([{"id": "badges", "kind": "directory"}], ["badges/a.json"]), tmp_path)


def test_written_inputs_read_back_and_check(tmp_path: Path, badges: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    manifest_file = write_inputs(package, _collected(tmp_path))
    assert manifest_file == package / "inputs.json"
    assert (package / "inputs" / "0001.json").read_bytes() == DOCUMENT
    manifest = read_manifest(package)
    assert [r.subject for r in manifest.archived] == ["badges/a.json"]
    assert check_archive(package, manifest) == []
    # a second report into the same folder replaces its own previous archive
    write_inputs(package, _collected(tmp_path))
    assert sorted(p.name for p in (package / "inputs").iterdir()) == ["0001.json"]


def test_an_inputs_folder_that_is_not_a_previous_archive_is_left_alone(tmp_path: Path, badges: Path) -> None:
    package = tmp_path / "package"
    (package / "inputs").mkdir(parents=True)
    (package / "inputs" / "mine.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputsError, match="expected an empty folder or a previous package's archive, found "
                                          "mine.json"):
        write_inputs(package, _collected(tmp_path))
    assert (package / "inputs" / "mine.json").read_text(encoding="utf-8") == "{}"


def test_a_linked_inputs_folder_is_refused(tmp_path: Path, badges: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (package / "inputs").symlink_to(elsewhere)
    with pytest.raises(InputsError, match="found a symbolic link"):
        write_inputs(package, _collected(tmp_path))
    assert list(elsewhere.iterdir()) == []


def test_write_no_follow_refuses_a_link_at_the_name(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "report.html").symlink_to(victim)
    with pytest.raises(ReportError, match="found a symbolic link"):
        write_no_follow(tmp_path / "report.html", b"<p>x</p>")
    assert victim.read_text(encoding="utf-8") == "keep"


def test_report_does_not_write_through_a_link_in_the_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  badges: Path) -> None:
    from tests.reporting.test_attestation import sample_results

    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    results_file = tmp_path / "results.json"
    results_file.write_text(json.dumps(sample_results()), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.json"
    victim.write_text("keep", encoding="utf-8")
    (out / "inputs.json").symlink_to(victim)
    made = invoke("report", str(results_file), "--attest", "--out", str(out))
    assert made.exit_code == 2, made.output
    assert "found a symbolic link" in made.output
    assert victim.read_text(encoding="utf-8") == "keep"


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("escaping-file", lambda e: e.update(file="inputs/../../etc/passwd"), "file to be inputs/<digits>"),
    ("bad-digest", lambda e: e.update(sha256="abc"), "sha256 to be 64 hex digits"),
    ("archived-disagrees", lambda e: e.update(archived=False), "archived to be true exactly when file is set"),
    ("negative-size", lambda e: e.update(size=-3), "size to be a whole number"),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_a_malformed_manifest_is_refused_naming_the_entry(tmp_path: Path, badges: Path,
                                                          edit: Callable[[dict[str, Any]], None], expected: str) -> None:
    package = tmp_path / "package"
    package.mkdir()
    write_inputs(package, _collected(tmp_path))
    manifest = json.loads((package / "inputs.json").read_text(encoding="utf-8"))
    edit(manifest["inputs"][0])
    (package / "inputs.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputsError) as caught:
        read_manifest(package)
    assert "inputs.json /inputs/0" in str(caught.value) and expected in str(caught.value)
