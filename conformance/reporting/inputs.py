"""The judged inputs in a report package: each subject's sha256 and, when small, its bytes, so the run can be
judged again from the package alone.

results.json names what was judged (target ids, subject ids) but holds no bytes. `report --attest` reads each
subject it names from the local file of that name and writes:

- `inputs.json`: one entry per subject of results.json, in its order: subject, target, the name the decoder saw,
  sha256 and size of the bytes judged, whether those bytes are archived and, when not, why;
- `inputs/`: the archived bytes, one file per distinct digest.

The attestation binds inputs.json by its digest and inputs.json binds each archived file by its sha256, so the one
signature covers every archived input.

What `report` reads is bounded by what results.json names: only subjects of file and directory targets, only the
target file itself or a file below the target directory (after resolving links), only regular files opened without
following a final symbolic link, never hidden files, and never more bytes than the run itself read. When results.json
records the digest of the bytes each subject was judged on (`results[i].input`, or `targets[i].files[]`), bytes are
archived only if they still have that digest, so a file changed since the run is never passed off as the one judged;
until it does, inputs.json says the digest was taken when the report was made (`digest_from`: report).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal

from conformance.reporting.files import ReportError, write_no_follow
from conformance.support.formats import Limits, PayloadError, parse_json

__all__ = [
    "ARCHIVE_DIR", "MANIFEST_NAME", "MAX_ARCHIVED_FILE_BYTES", "MAX_ARCHIVED_TOTAL_BYTES", "ArchiveProblem",
    "CollectedInput", "InputRecord", "InputsError", "InputsManifest", "check_archive", "collect_inputs",
    "read_archived", "read_manifest", "recorded_digests", "write_inputs",
]

MANIFEST_NAME = "inputs.json"
ARCHIVE_DIR = "inputs"
MANIFEST_FORMAT = "ler-conformance judged inputs 1"
# Most credentials are a few KiB; baked badge images run to a few hundred. Past these bounds a package keeps the
# digest only, so a run over a large export stays a package one can mail.
MAX_ARCHIVED_FILE_BYTES = 512 * 1024
MAX_ARCHIVED_TOTAL_BYTES = 16 * 1024 * 1024
# A manifest entry is a few hundred bytes; this admits runs of well over a hundred thousand subjects.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ARCHIVED_NAME = re.compile(r"^[0-9]{4,9}(\.[a-z0-9]{1,8})?$")
_LOCAL_KINDS = frozenset({"file", "directory"})
_ABSENT_BECAUSE = {
    "url": "fetched from a URL during the run; report reads only local files",
    "bytes": "held in memory during the run; there is no file to read",
    "service": "a live service, judged over the HTTP exchanges results.json records; there are no input bytes",
}
DigestSource = Literal["results.json", "report"]


class InputsError(ReportError):
    """inputs.json or the inputs/ folder cannot be read or written; the message says which file and why."""


class _Changed(InputsError):
    """An archived copy whose bytes no longer have the digest inputs.json gives."""


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One judged subject as inputs.json lists it.

    `sha256`/`size`: of the bytes judged (the run reads at most its byte limit plus one); None when unknown.
    `digest_from`: "results.json" when the run recorded the digest (and the file still matched it), "report" when
    only the report's own reading gave it: then nothing shows the file was not changed between the run and the
    report. `file`: the archived copy (`inputs/<name>`), None when not archived; `note` says why not."""

    subject: str
    target: str | None
    kind: str
    name: str | None
    sha256: str | None
    size: int | None
    digest_from: DigestSource | None
    file: str | None = None
    note: str = ""

    @property
    def archived(self) -> bool:
        return self.file is not None

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "target": self.target, "kind": self.kind, "name": self.name,
                "sha256": self.sha256, "size": self.size, "digest_from": self.digest_from,
                "archived": self.archived, "file": self.file, "note": self.note}


@dataclass(frozen=True, slots=True)
class CollectedInput:
    record: InputRecord
    data: bytes | None = field(default=None, repr=False)     # the bytes to archive, when the record is archived


@dataclass(frozen=True, slots=True)
class InputsManifest:
    records: tuple[InputRecord, ...]

    @property
    def archived(self) -> tuple[InputRecord, ...]:
        return tuple(r for r in self.records if r.archived)


ProblemKind = Literal["missing", "changed", "unreadable", "unlisted"]


@dataclass(frozen=True, slots=True)
class ArchiveProblem:
    kind: ProblemKind
    file: str
    message: str


# --- collecting (report) -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Recorded:
    target: str | None          # None: the run named no target for it; it is placed by its path
    sha256: str
    size: int


def _digest(entry: Any) -> tuple[str, int] | None:
    if not isinstance(entry, Mapping):
        return None
    sha256, size = entry.get("sha256"), entry.get("size")
    if isinstance(sha256, str) and _SHA256.match(sha256) and isinstance(size, int) and not isinstance(size, bool) \
            and size >= 0:
        return sha256, size
    return None


def _recorded_digests(results: Mapping[str, Any]) -> dict[str, _Recorded]:
    """subject -> the digest of the bytes the run judged, when results.json records one: `results[i].input`
    ({sha256, size}) or `targets[i].files[]` ({subject, sha256, size}). Read defensively: a malformed entry counts as
    no record, as if the run had recorded nothing for that subject."""
    recorded: dict[str, _Recorded] = {}
    targets = results.get("targets")
    for target in targets if isinstance(targets, list) else ():
        files = target.get("files") if isinstance(target, Mapping) else None
        if not isinstance(files, list) or not isinstance(target.get("id"), str):
            continue
        for entry in files:
            digest = _digest(entry)
            subject = entry.get("subject") if isinstance(entry, Mapping) else None
            if digest is not None and isinstance(subject, str):
                recorded.setdefault(subject, _Recorded(target["id"], *digest))
    entries = results.get("results")
    for entry in entries if isinstance(entries, list) else ():
        subject = entry.get("subject") if isinstance(entry, Mapping) else None
        digest = _digest(entry.get("input")) if isinstance(entry, Mapping) else None
        if digest is not None and isinstance(subject, str):
            recorded.setdefault(subject, _Recorded(None, *digest))
    return recorded


def recorded_digests(results: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """subject -> (sha256, size) of the bytes the run judged, as results.json records them; empty when it records
    none."""
    return {subject: (entry.sha256, entry.size) for subject, entry in _recorded_digests(results).items()}


def _below(subject: str, directory: str) -> PurePath | None:
    """The part of `subject` below the target `directory`, when the subject is spelled as a file under it (as
    DirectoryTarget spells its files): no '..', no hidden component, nothing empty."""
    inner, outer = PurePath(subject).parts, PurePath(directory).parts
    if len(inner) <= len(outer) or inner[:len(outer)] != outer:
        return None
    rest = inner[len(outer):]
    if any(part in ("", ".", "..") or part.startswith(".") for part in rest):
        return None
    return PurePath(*rest)


def _target_of(subject: str, targets: Sequence[Mapping[str, Any]],
               recorded: Mapping[str, _Recorded]) -> Mapping[str, Any] | None:
    if subject in recorded and recorded[subject].target is not None:
        by_id = next((t for t in targets if t.get("id") == recorded[subject].target), None)
        if by_id is not None:
            return by_id
    for target in targets:
        if target.get("id") == subject and target.get("kind") != "directory":
            return target
        if target.get("kind") == "directory" and _below(subject, str(target.get("id"))) is not None:
            return target
    return None


class _NotRead(Exception):
    """The subject's file is not read; the message says why, for inputs.json."""


def _read_judged(path: Path, limit: int, keep: int) -> tuple[str, int, bytes | None]:
    """sha256 and size of the first `limit` bytes of the regular file `path` (what the run read), and the bytes when
    there are at most `keep` of them. The final component is never followed as a link and special files are never
    read: opening a FIFO or a device could block or hand over bytes that are no input."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise _NotRead("the file is no longer there") from None
    except OSError as exc:
        if path.is_symlink():
            raise _NotRead("a symbolic link; the package follows none") from None
        raise _NotRead(f"the file cannot be read ({exc.strerror or type(exc).__name__})") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _NotRead("not a regular file")
        digest, size, kept = hashlib.sha256(), 0, bytearray()
        while size < limit and (chunk := handle.read(min(_CHUNK, limit - size))):
            digest.update(chunk)
            size += len(chunk)
            if size <= keep:
                kept += chunk
    return digest.hexdigest(), size, bytes(kept) if size <= keep else None


def _local_path(subject: str, target: Mapping[str, Any], base: Path) -> Path:
    """Where the subject's file is, refusing anything results.json does not name as a judged file."""
    target_id = str(target.get("id"))
    if target.get("kind") == "file":
        if subject != target_id:
            raise _NotRead("results.json names it as no file target")
        path = Path(subject)
        if path.name.startswith("."):
            raise _NotRead("a hidden file; the package archives none")
        return path if path.is_absolute() else base / path
    below = _below(subject, target_id)
    if below is None:
        raise _NotRead("not a file below its target directory")
    directory = Path(target_id) if Path(target_id).is_absolute() else base / target_id
    path = directory / below
    try:
        # a link inside the directory could point anywhere: the file read must lie below the directory named
        inside = path.resolve(strict=True).is_relative_to(directory.resolve(strict=True))
    except (OSError, RuntimeError):
        raise _NotRead("the file is no longer there") from None
    if not inside:
        raise _NotRead(f"it resolves outside its target directory {target_id}")
    return path


def collect_inputs(results: Mapping[str, Any], base: Path, *, file_bytes: int = MAX_ARCHIVED_FILE_BYTES,
                   total_bytes: int = MAX_ARCHIVED_TOTAL_BYTES, limits: Limits | None = None) -> list[CollectedInput]:
    """One CollectedInput per entry of results.json `results`, in order. Relative target paths resolve against
    `base` (the folder `check` ran in). A subject that cannot be read is listed with the reason, never dropped."""
    judged_limit = (limits or Limits()).max_bytes + 1      # the run reads one byte past its limit, and so do we
    targets = [t for t in results.get("targets", ()) if isinstance(t, Mapping)]
    recorded = _recorded_digests(results)
    collected: list[CollectedInput] = []
    archived_names: dict[str, str] = {}          # sha256 -> archive file: the same bytes twice are stored once
    archived_total = 0
    for result in results.get("results", ()):
        subject = result.get("subject") if isinstance(result, Mapping) else None
        if not isinstance(subject, str):
            continue
        target = _target_of(subject, targets, recorded)
        kind = str(target.get("kind")) if target is not None else "unknown"
        target_id = str(target.get("id")) if target is not None else None
        known = recorded.get(subject)
        record = InputRecord(subject, target_id, kind, _name_of(subject, kind),
                             known.sha256 if known else None, known.size if known else None,
                             "results.json" if known else None)
        if target is None:
            collected.append(CollectedInput(_noted(record, "results.json names no target it came from")))
            continue
        if kind not in _LOCAL_KINDS:
            collected.append(CollectedInput(_noted(record, _ABSENT_BECAUSE.get(kind, f"a {kind} target"))))
            continue
        try:
            path = _local_path(subject, target, base)
            sha256, size, data = _read_judged(path, judged_limit, file_bytes)
        except _NotRead as why:
            collected.append(CollectedInput(_noted(record, f"not read: {why}")))
            continue
        if known is not None and (sha256, size) != (known.sha256, known.size):
            collected.append(CollectedInput(_noted(record, f"not archived: the file changed since the run (its "
                                                           f"sha256 is now {sha256})")))
            continue
        record = InputRecord(subject, target_id, kind, record.name, sha256, size,
                             "results.json" if known else "report")
        if data is None:
            collected.append(CollectedInput(_noted(record, f"not archived: {size:,} bytes, over the "
                                                           f"{file_bytes:,}-byte bound for one input")))
            continue
        name = archived_names.get(sha256)
        if name is None:
            if archived_total + size > total_bytes:
                collected.append(CollectedInput(_noted(record, f"not archived: the package's {total_bytes:,}-byte "
                                                               f"bound for all inputs is reached")))
                continue
            name = f"{ARCHIVE_DIR}/{len(archived_names) + 1:04d}{_suffix(record.name)}"
            archived_names[sha256] = name
            archived_total += size
        collected.append(CollectedInput(_replace_file(record, name), data))
    return collected


def _name_of(subject: str, kind: str) -> str | None:
    # the name the run's decoder saw: a file's own name, a URL's last segment
    if kind == "url":
        return subject.rsplit("/", 1)[-1]
    if kind in _LOCAL_KINDS:
        return PurePath(subject).name
    return None


def _suffix(name: str | None) -> str:
    suffix = PurePath(name).suffix.lower() if name else ""
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def _noted(record: InputRecord, note: str) -> InputRecord:
    return InputRecord(record.subject, record.target, record.kind, record.name, record.sha256, record.size,
                       record.digest_from, None, note)


def _replace_file(record: InputRecord, name: str) -> InputRecord:
    return InputRecord(record.subject, record.target, record.kind, record.name, record.sha256, record.size,
                       record.digest_from, name, "")


def _clear_previous_archive(folder: Path) -> Path:
    """The package's inputs/ folder, emptied of a previous report's archive. Anything else found there is left alone
    and refused: the folder could be someone's own inputs."""
    directory = folder / ARCHIVE_DIR
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise InputsError(f"{directory}: expected a folder for the archived inputs, found "
                          f"{'a symbolic link' if directory.is_symlink() else 'a file'}; the package writes through "
                          f"neither")
    if not directory.exists():
        directory.mkdir()
        return directory
    previous: set[str] = set()
    try:
        previous = {r.file.split("/", 1)[1] for r in read_manifest(folder).archived if r.file}
    except InputsError:
        pass
    strangers = sorted(entry.name for entry in directory.iterdir() if entry.name not in previous)
    if strangers:
        raise InputsError(f"{directory}: expected an empty folder or a previous package's archive, found "
                          f"{', '.join(strangers[:3])}{' and more' if len(strangers) > 3 else ''}; choose another "
                          f"--out")
    for name in previous:
        entry = directory / name
        if entry.is_symlink() or entry.is_file():
            entry.unlink()           # unlinking a link removes the link, never what it points at
    return directory


def write_inputs(folder: Path, collected: Sequence[CollectedInput], *,
                 file_bytes: int = MAX_ARCHIVED_FILE_BYTES, total_bytes: int = MAX_ARCHIVED_TOTAL_BYTES) -> Path:
    """Write inputs/ and inputs.json into `folder`; return inputs.json (the file the attestation binds)."""
    directory = _clear_previous_archive(folder)
    written: set[str] = set()
    for item in collected:
        file = item.record.file
        if file is None or file in written or item.data is None:
            continue
        write_no_follow(directory / file.split("/", 1)[1], item.data)
        written.add(file)
    manifest = {
        "format": MANIFEST_FORMAT,
        "about": "The inputs this run judged: sha256 and size of the bytes judged, and, within the bounds, a copy in "
                 "inputs/. The attestation binds this file by its digest; this file binds each copy by its sha256.",
        "bounds": {"file_bytes": file_bytes, "total_bytes": total_bytes},
        "inputs": [item.record.to_json() for item in collected],
    }
    return write_no_follow(folder / MANIFEST_NAME,
                           (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


# --- reading (verify-report) ---------------------------------------------------------------------------------

def _read_bounded(path: Path, limit: int, what: str) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise InputsError(f"expected {what} at {path}, found no such file") from None
    except OSError as exc:
        kind = "a symbolic link" if path.is_symlink() else f"a file that cannot be read ({exc.strerror})"
        raise InputsError(f"expected {what} at {path}, found {kind}") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputsError(f"expected {what} at {path}, found something other than a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputsError(f"expected {what} of at most {limit:,} bytes at {path}, found a larger file")
    return data


def _record(entry: Any, index: int) -> InputRecord:
    where = f"{MANIFEST_NAME} /inputs/{index}"
    if not isinstance(entry, Mapping):
        raise InputsError(f"{where}: expected an object, found {type(entry).__name__}")
    subject, target, kind, name = entry.get("subject"), entry.get("target"), entry.get("kind"), entry.get("name")
    sha256, size, digest_from = entry.get("sha256"), entry.get("size"), entry.get("digest_from")
    file, note = entry.get("file"), entry.get("note", "")
    checks = (
        (isinstance(subject, str), "subject to be a string"),
        (target is None or isinstance(target, str), "target to be a string or null"),
        (isinstance(kind, str), "kind to be a string"),
        (name is None or isinstance(name, str), "name to be a string or null"),
        (sha256 is None or (isinstance(sha256, str) and bool(_SHA256.match(sha256))), "sha256 to be 64 hex digits"),
        (size is None or (isinstance(size, int) and not isinstance(size, bool) and size >= 0),
         "size to be a whole number"),
        (digest_from in (None, "results.json", "report"), "digest_from to be results.json, report or null"),
        (isinstance(note, str), "note to be a string"),
        (file is None or (isinstance(file, str) and file.startswith(ARCHIVE_DIR + "/")
                          and bool(_ARCHIVED_NAME.match(file[len(ARCHIVE_DIR) + 1:]))),
         f"file to be {ARCHIVE_DIR}/<digits>[.suffix] or null"),
        (file is None or (sha256 is not None and size is not None), "an archived input to have sha256 and size"),
        (entry.get("archived", file is not None) == (file is not None), "archived to be true exactly when file is set"),
    )
    for holds, expected in checks:
        if not holds:
            raise InputsError(f"{where}: expected {expected}")
    return InputRecord(subject, target, kind, name, sha256, size, digest_from, file, note)


def read_manifest(folder: Path) -> InputsManifest:
    """inputs.json of the package in `folder`, checked member by member. Raises InputsError."""
    data = _read_bounded(folder / MANIFEST_NAME, MAX_MANIFEST_BYTES, MANIFEST_NAME)
    try:
        # the manifest nests a few levels; the document limits keep a hostile one from reaching recursive code
        document = parse_json(data, Limits(max_bytes=MAX_MANIFEST_BYTES, max_containers=MAX_MANIFEST_BYTES // 2))
    except PayloadError as exc:
        raise InputsError(f"{folder / MANIFEST_NAME}: expected JSON, found {exc.message}") from None
    if not isinstance(document, Mapping) or document.get("format") != MANIFEST_FORMAT \
            or not isinstance(document.get("inputs"), list):
        raise InputsError(f"{folder / MANIFEST_NAME}: expected an object with format {MANIFEST_FORMAT!r} and an inputs "
                          f"array")
    return InputsManifest(tuple(_record(entry, index) for index, entry in enumerate(document["inputs"])))


def read_archived(folder: Path, record: InputRecord) -> bytes:
    """The archived bytes of `record`, once they are seen to have its sha256. Raises InputsError."""
    if record.file is None or record.sha256 is None or record.size is None:
        raise InputsError(f"{record.subject}: not archived ({record.note or 'no copy in the package'})")
    # never more than the run itself could have read, whatever size a manifest claims
    limit = min(record.size, Limits().max_bytes + 1)
    data = _read_bounded(folder / record.file, limit, f"the archived copy of {record.subject}")
    found = hashlib.sha256(data).hexdigest()
    if found != record.sha256:
        raise _Changed(f"expected {record.file} to have the sha256 {record.sha256} ({MANIFEST_NAME}), found {found}: "
                          f"the archived input changed after the package was made")
    return data


def check_archive(folder: Path, manifest: InputsManifest) -> list[ArchiveProblem]:
    """Every archived copy against inputs.json, and nothing in inputs/ that inputs.json does not list."""
    problems: list[ArchiveProblem] = []
    for file, record in _distinct_files(manifest.archived):
        try:
            read_archived(folder, record)
        except _Changed as exc:
            problems.append(ArchiveProblem("changed", file, str(exc)))
        except InputsError as exc:
            gone = not (folder / file).exists() and not (folder / file).is_symlink()
            problems.append(ArchiveProblem("missing" if gone else "unreadable", file, str(exc)))
    listed = {record.file for record in manifest.archived}
    directory = folder / ARCHIVE_DIR
    if directory.is_dir() and not directory.is_symlink():
        for entry in sorted(directory.iterdir()):
            name = f"{ARCHIVE_DIR}/{entry.name}"
            if name not in listed:
                problems.append(ArchiveProblem("unlisted", name, f"expected only the inputs {MANIFEST_NAME} lists in "
                                                                 f"{directory}, found {entry.name}"))
    return problems


def _distinct_files(records: Iterable[InputRecord]) -> Iterator[tuple[str, InputRecord]]:
    # two subjects with the same bytes share one copy; a copy listed with two digests is checked against both
    seen: set[tuple[str, str | None]] = set()
    for record in records:
        if record.file is not None and (record.file, record.sha256) not in seen:
            seen.add((record.file, record.sha256))
            yield record.file, record
