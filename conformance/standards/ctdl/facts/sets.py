"""Whole publication sets: a directory of CTDL files, a JSONL dump, a Registry search result or envelope list.

Each is read as a stream of CtdlDocument (a JSONL dump one line at a time, so a dump of any size costs the memory
of its longest line), and a CtidIndex gathers every top-level resource across the set for the checks that need
the set (duplicate CTIDs, references). Items that cannot be read as CTDL are kept as SetProblem entries with their
source, never dropped silently.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.standards.ctdl.facts.load import CtdlLoadError, load_document
from conformance.standards.ctdl.facts.model import CtdlDocument
from conformance.support.formats import Limits, PayloadError
from conformance.support.formats.json_text import parse_json

SET_SUFFIXES = (".json", ".jsonld", ".jsonl", ".ndjson")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class SetProblem:
    """An item of a set that is not a readable CTDL document."""

    source: str              # "<file>", "<file>:<line>" or "<file>#/data/3"
    message: str


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """Where a top-level resource of the set lives, and what it is."""

    ctid: str                # as written
    id: str | None
    types: tuple[str, ...]
    source: str
    pointer: str


@dataclass
class CtidIndex:
    """Top-level resources of a set by CTID (case-insensitively, as the Registry looks them up) and by @id."""

    by_ctid: dict[str, list[IndexEntry]] = field(default_factory=dict)
    by_id: dict[str, IndexEntry] = field(default_factory=dict)

    def add(self, document: CtdlDocument) -> None:
        for node in document.resources:
            ctid = node.ctid
            if ctid is None:
                if node.id is not None:
                    self.by_id.setdefault(node.id, IndexEntry("", node.id, node.types, node.source, node.pointer))
                continue
            entry = IndexEntry(ctid, node.id, node.types, node.source, node.pointer)
            self.by_ctid.setdefault(ctid.lower(), []).append(entry)
            if node.id is not None:
                self.by_id.setdefault(node.id, entry)

    def get(self, ctid_or_uri: str) -> IndexEntry | None:
        """The first resource with this CTID, or with this @id (a Registry URI or a self-published URL)."""
        found = self.by_ctid.get(ctid_or_uri.lower())
        if found:
            return found[0]
        return self.by_id.get(ctid_or_uri)

    def __contains__(self, ctid_or_uri: object) -> bool:
        return isinstance(ctid_or_uri, str) and self.get(ctid_or_uri) is not None

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.by_ctid.values())

    def duplicates(self) -> dict[str, list[IndexEntry]]:
        """CTIDs held by more than one resource of the set (the Registry keeps one resource per CTID)."""
        return {ctid: entries for ctid, entries in self.by_ctid.items() if len(entries) > 1}


def documents_in(value: Any, source: str) -> Iterator[CtdlDocument | SetProblem]:
    """The CTDL documents one parsed JSON value holds: a document, a search result `{"data": [...]}` or a list
    of documents or envelopes."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _one(item, f"{source}#/{index}")
    elif isinstance(value, Mapping) and _is_search_result(value):
        for index, item in enumerate(value["data"]):
            yield from _one(item, f"{source}#/data/{index}")
    else:
        yield from _one(value, source)


def _is_search_result(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("data"), list) and not any(
        key in value for key in ("@context", "@graph", "@id", "decoded_resource"))


def _one(value: Any, source: str) -> Iterator[CtdlDocument | SetProblem]:
    try:
        yield load_document(value, source)
    except CtdlLoadError as exc:
        yield SetProblem(source, str(exc))


def read_file(path: Path, limits: Limits = Limits()) -> Iterator[CtdlDocument | SetProblem]:
    """One file: a JSONL dump line by line, anything else as one JSON text (BOM tolerated)."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from read_jsonl(path, limits)
        return
    source = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            yield SetProblem(source, f"the file has {size:,} bytes; the limit is {limits.max_bytes:,}")
            return
        value = parse_json(path.read_bytes(), limits)
    except OSError as exc:
        yield SetProblem(source, f"the file cannot be read: {exc}")
        return
    except PayloadError as exc:
        yield SetProblem(source, exc.message)
        return
    yield from documents_in(value, source)


def read_jsonl(path: Path, limits: Limits = Limits()) -> Iterator[CtdlDocument | SetProblem]:
    """One document per line, sources `<file>:<line>`; blank lines are skipped, an over-long line is reported and
    skipped without being held in memory."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield SetProblem(str(path), f"the file cannot be read: {exc}")
        return
    with handle:
        number = 0
        while True:
            line = handle.readline(limits.max_bytes + 1)
            if not line:
                return
            number += 1
            source = f"{path}:{number}"
            if len(line) > limits.max_bytes and not line.endswith(b"\n"):
                _skip_rest_of_line(handle)
                yield SetProblem(source, f"the line is longer than the limit of {limits.max_bytes:,} bytes")
                continue
            if not line.strip(b" \t\r\n"):
                continue
            try:
                value = parse_json(line.rstrip(b"\r\n"), limits)
            except PayloadError as exc:
                yield SetProblem(source, exc.message)
                continue
            yield from documents_in(value, source)


def _skip_rest_of_line(handle: Any) -> None:
    while True:
        chunk = handle.readline(_READ_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def files_of(directory: Path) -> Iterator[Path]:
    """The set's files under a directory, recursively, in a stable order; symbolic links are not followed out."""
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() in SET_SUFFIXES and path.is_file() and not path.is_symlink():
            yield path


def read_set(path: Path, limits: Limits = Limits()) -> Iterator[CtdlDocument | SetProblem]:
    """A directory, a JSONL dump, or one JSON file (a document, a search result or an envelope list)."""
    if path.is_dir():
        for file in files_of(path):
            yield from read_file(file, limits)
    else:
        yield from read_file(path, limits)


class PublicationSet:
    """A set read once, front to back: iterate it for its documents; `problems` and `index` fill as it goes."""

    def __init__(self, paths: Iterable[Path], limits: Limits = Limits()):
        self.paths = tuple(paths)
        self.limits = limits
        self.problems: list[SetProblem] = []
        self.index = CtidIndex()

    def __iter__(self) -> Iterator[CtdlDocument]:
        self.problems, self.index = [], CtidIndex()      # a second pass starts afresh rather than doubling
        for path in self.paths:
            for item in read_set(path, self.limits):
                if isinstance(item, SetProblem):
                    self.problems.append(item)
                else:
                    self.index.add(item)
                    yield item

    def build_index(self) -> CtidIndex:
        """Read the whole set for its index only (documents are not kept)."""
        for _ in self:
            pass
        return self.index
