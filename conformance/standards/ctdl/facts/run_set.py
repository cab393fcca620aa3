"""The publication set a run's local inputs form: the CTDL files among the files `check` (or `registry`) judges.

A reference from one file to a resource another file publishes resolves in the set, and a CTID two files publish
is a duplicate. The index is built the first time a check asks for it, so a run without CTDL documents never reads
its files a second time; when it is built, each file is read once, and only files whose bytes mention the CTDL
context host are parsed (a credential beside them costs a substring search, not a parse).

Facts only: CTDL-ctid-unique and the CTDLREF checks judge them through Subject views.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from conformance.standards.ctdl.facts.model import CtdlDocument
from conformance.standards.ctdl.facts.references import CtidIndexResolver, Resolution
from conformance.standards.ctdl.facts.sets import (
    JSONL_SUFFIXES,
    CtidIndex,
    IndexEntry,
    SetProblem,
    documents_in,
    read_jsonl,
)
from conformance.support.formats import Limits, PayloadError
from conformance.support.formats.json_text import parse_json

# Every CTDL and CTDL-ASN context URL is on this host; a JSON text that escapes "/" as "\/" still spells it.
CTDL_MARKER = b"credreg.net"
SET_NAME = "the run's publication set"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A CTID the set already holds from another document: where that first copy is."""

    ctid: str
    first: IndexEntry


def _read_one(path: Path, limits: Limits) -> Iterator[CtdlDocument | SetProblem]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from read_jsonl(path, limits)
        return
    source = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            yield SetProblem(source, f"the file has {size:,} bytes; the limit is {limits.max_bytes:,}")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield SetProblem(source, f"the file cannot be read: {exc}")
        return
    if CTDL_MARKER not in data:
        return                      # a credential or other JSON: not part of the publication set
    try:
        value = parse_json(data, limits)
    except PayloadError as exc:
        yield SetProblem(source, exc.message)
        return
    yield from documents_in(value, source)


class RunSet:
    """The CTDL documents among a run's files, indexed by CTID and @id on first use (thread-safe, built once)."""

    def __init__(self, files: Sequence[Path], limits: Limits | None = None):
        self.files = tuple(files)
        self.limits = limits or Limits()
        self._index: CtidIndex | None = None
        self._problems: list[SetProblem] = []
        self._documents = 0
        self._lock = threading.Lock()

    @classmethod
    def of_index(cls, index: CtidIndex) -> RunSet:
        """A set whose index is already built (the bulk audit gathers it before judging)."""
        built = cls(())
        built._index = index
        return built

    @property
    def built(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> CtidIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._build()
        return self._index

    def _build(self) -> CtidIndex:
        index = CtidIndex()
        for path in self.files:
            for item in _read_one(path, self.limits):
                if isinstance(item, SetProblem):
                    self._problems.append(item)
                else:
                    self._documents += 1
                    index.add(item)
        return index

    @property
    def problems(self) -> tuple[SetProblem, ...]:
        return tuple(self._problems)

    def duplicate_of(self, source: str, pointer: str, ctid: str) -> Duplicate | None:
        """The first copy of a CTID when another document of the set published it before this one (at `source`,
        `pointer`); None when this copy is the first, when only its own document repeats it (the per-document
        rule judges that), or when this copy is not a member of the set (a document fetched from a URL)."""
        entries = self.index.by_ctid.get(ctid.lower(), [])
        mine = next((i for i, e in enumerate(entries) if e.source == source and e.pointer == pointer), None)
        if mine is None:
            return None
        first = next((e for e in entries[:mine] if e.source != source), None)
        return None if first is None else Duplicate(ctid, first)

    def describe(self) -> dict[str, object]:
        """What results.json records about the set (only once a check has needed it)."""
        if self._index is None:
            return {"files": len(self.files), "indexed": False}
        return {"files": len(self.files), "indexed": True, "documents": self._documents,
                "resources": len(self._index), "duplicate_ctids": len(self._index.duplicates()),
                "unreadable": [{"source": p.source, "message": p.message} for p in self._problems[:100]]}


class RunSetResolver:
    """References looked up in a RunSet (built when first asked): existence and classes, from the index."""

    def __init__(self, run_set: RunSet, name: str = SET_NAME):
        self._set = run_set
        self._name = name
        self._resolver: CtidIndexResolver | None = None

    def resolve(self, reference: str) -> Resolution:
        if self._resolver is None:
            self._resolver = CtidIndexResolver(self._set.index, self._name)
        return self._resolver.resolve(reference)

    def describe(self) -> str:
        return self._name


# -- a set index carried between processes (the bulk audit) ----------------------------------------------------

def index_records(document: CtdlDocument) -> list[list[object]]:
    """The index entries one document adds, as JSON-ready rows (ctid, id, types, source, pointer)."""
    return [[node.ctid or "", node.id, list(node.types), node.source, node.pointer]
            for node in document.resources if node.ctid or node.id is not None]


def add_record(index: CtidIndex, record: Sequence[object]) -> None:
    """One row of `index_records` into an index, with the same precedence CtidIndex.add gives (first wins)."""
    ctid, id_, types, source, pointer = record
    entry = IndexEntry(str(ctid), id_ if isinstance(id_, str) else None,
                       tuple(t for t in types if isinstance(t, str)) if isinstance(types, list) else (),
                       str(source), str(pointer))
    if entry.ctid:
        index.by_ctid.setdefault(entry.ctid.lower(), []).append(entry)
    if entry.id is not None:
        index.by_id.setdefault(entry.id, entry)


def load_index(path: Path) -> CtidIndex:
    """An index written one JSON row per line by the audit's indexing pass."""
    index = CtidIndex()
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                add_record(index, orjson.loads(line))
    return index
