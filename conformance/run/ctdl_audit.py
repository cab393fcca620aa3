"""Bulk audit of a CTDL publication set: sharded, streamed, on local processes or a Dask cluster.

The set (a directory, a JSONL dump, JSON files) is cut into shards of raw bytes or file lists by the main process,
which never parses a document; workers parse and judge them (`audit_shard`, a plain importable function, so the
same shards run on a ProcessPoolExecutor or on Dask). At most `2 x workers` shards are outstanding and results are
written in shard order as they come back, so memory stays bounded whatever the size of the set.

Two modes:
- full (default): every requirement of the profile through the Runner, per document, as `ler-conformance check`
  would judge it; passed and inapplicable findings are counted, not listed (a set of 500,000 resources would
  otherwise carry tens of millions of them);
- minimum only (`minimum_only=True`): the profile's minimum data requirements alone, straight from the compiled
  shapes (conformance/standards/ctdl/facts/policy.py), with the same findings the CTDLMIN checks give. This is the fast path the
  benchmark measures against pyshacl.

Either way each top-level resource gets a benchmark score (share of recommended groups present), and the summary
names the most common gaps per class and per publisher (ownedBy, else the envelope's owned_by).
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from conformance._version import __version__
from conformance.run.environment import Environment
from conformance.run.reproducibility import reproducibility
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode
from conformance.standards.ctdl.facts.policy import VERSIONS, Gap, Policy, load_policy
from conformance.standards.ctdl.facts.run_set import RunSet, RunSetResolver, index_records, load_index
from conformance.standards.ctdl.facts.sets import JSONL_SUFFIXES, SET_SUFFIXES, SetProblem, documents_in
from conformance.support.artifacts.store import ARTIFACTS_ENV
from conformance.support.formats import Limits, PayloadError
from conformance.support.formats.json_text import parse_json
from conformance.support.outputs import commit, make_folder, open_new, write_atomically

DEFAULT_SHARD = 2_000
UNKNOWN_PUBLISHER = "(no ownedBy)"
TOP = 20


@dataclass(frozen=True, slots=True)
class AuditOptions:
    profile: str = "ctdl-minimum-2026"
    minimum_only: bool = False
    artifacts: str | None = None          # the artifact directory workers read pinned files from
    shard_size: int = DEFAULT_SHARD
    max_bytes: int = Limits().max_bytes
    set_index: str | None = None          # the set's CTID index file (full mode), so references resolve across it


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    kind: str                             # "lines" (a slice of a JSONL dump) or "files"
    source: str                           # the JSONL file, or "" for a file list
    first_line: int = 1
    data: bytes = b""
    paths: tuple[str, ...] = ()


@dataclass
class ShardResult:
    index: int
    documents: int = 0
    resources: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)      # results.json "results" items
    assertions: list[dict[str, Any]] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    gaps_by_class: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps_by_publisher: Counter[tuple[str, str]] = field(default_factory=Counter)
    failing_resources: int = 0
    scores: list[dict[str, Any]] = field(default_factory=list)
    score_totals: dict[str, tuple[float, int]] = field(default_factory=dict)
    index_records: list[list[Any]] = field(default_factory=list)     # the indexing pass only (run_set rows)


# -- planning (main process: bytes only) --------------------------------------------------------------------

def plan(paths: Iterable[Path], shard_size: int = DEFAULT_SHARD, max_bytes: int = Limits().max_bytes) -> Iterator[Shard]:
    """Shards of a set: JSONL dumps by runs of lines, other JSON files in batches; in a stable order."""
    index = 0
    batch: list[str] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SET_SUFFIXES and p.is_file()
                       and not p.is_symlink()) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() in JSONL_SUFFIXES:
                for shard in _line_shards(file, index, shard_size, max_bytes):
                    yield shard
                    index = shard.index + 1
                continue
            batch.append(str(file))
            if len(batch) >= shard_size:
                yield Shard(index, "files", "", paths=tuple(batch))
                index, batch = index + 1, []
    if batch:
        yield Shard(index, "files", "", paths=tuple(batch))


def _line_shards(path: Path, start: int, shard_size: int, max_bytes: int) -> Iterator[Shard]:
    index, first, number = start, 1, 0
    lines: list[bytes] = []
    with path.open("rb") as handle:
        while True:
            line = handle.readline(max_bytes + 1)
            if not line:
                break
            number += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                line = b"\x00too-long\n"       # a marker the worker reports, so line numbers stay right
            lines.append(line if line.endswith(b"\n") else line + b"\n")
            if len(lines) >= shard_size:
                yield Shard(index, "lines", str(path), first, b"".join(lines))
                index, first, lines = index + 1, number + 1, []
    if lines:
        yield Shard(index, "lines", str(path), first, b"".join(lines))


# -- judging (workers) --------------------------------------------------------------------------------------

@cache
def _state(options: AuditOptions) -> tuple[Any, Any, Policy | None, frozenset[str]]:

    env = Environment.create(artifacts=Path(options.artifacts) if options.artifacts else None)
    if options.set_index:

        env.ctdl_set_index = RunSet.of_index(load_index(Path(options.set_index)))
        env.ctdl_set = RunSetResolver(env.ctdl_set_index)
    profile = env.profile(options.profile)
    levels = profile.select(env.catalog)
    versions = [v for v, prefix in VERSIONS.items() if any(rid.startswith(prefix + "-") for rid in levels)]
    policy = load_policy(versions[-1]) if versions else load_policy("2026")
    minimum = frozenset(rid for rid in levels if rid.split("-", 1)[0] in VERSIONS.values())
    runner = None if options.minimum_only else Runner(env, profile)
    return env, runner, policy, minimum


def _items(shard: Shard, max_bytes: int) -> Iterator[tuple[str, bytes | None, str | None]]:
    """(source, raw bytes, problem) per document of the shard."""
    if shard.kind == "lines":
        for offset, line in enumerate(shard.data.split(b"\n")[:-1]):
            source = f"{shard.source}:{shard.first_line + offset}"
            if line == b"\x00too-long":
                yield source, None, f"the line is longer than the limit of {max_bytes:,} bytes"
            elif line.strip(b" \t\r"):
                yield source, line.rstrip(b"\r"), None
        return
    for name in shard.paths:
        try:
            size = os.path.getsize(name)
            if size > max_bytes:
                yield name, None, f"the file has {size:,} bytes; the limit is {max_bytes:,}"
                continue
            with open(name, "rb") as handle:
                yield name, handle.read(), None
        except OSError as exc:
            yield name, None, f"the file cannot be read: {exc}"


def _publisher(node: CtdlNode, document: CtdlDocument) -> str:
    for key in ("ceterms:ownedBy", "ceasn:publisher", "ceterms:offeredBy"):
        for value in node.values(key):
            if isinstance(value, str) and value:
                return value
            if isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                return value["@id"]
    owner = (document.envelope or {}).get("owned_by")
    return owner if isinstance(owner, str) and owner else UNKNOWN_PUBLISHER


def _documents(source: str, raw: bytes, limits: Limits) -> Iterator[CtdlDocument | SetProblem]:
    try:
        value = parse_json(raw, limits)
    except PayloadError as exc:
        yield SetProblem(source, exc.message)
        return
    for item in documents_in(value, source):
        if isinstance(item, CtdlDocument) and not item.ctdl:
            yield SetProblem(item.source, "the document is not a CTDL publication: it cites no Credential Engine "
                                          "context and none of its types or properties is a CTDL term")
        else:
            yield item


def audit_shard(shard: Shard, options: AuditOptions) -> ShardResult:
    """Judge one shard. Pure apart from reading the shard's files; safe to run in any process."""
    env, runner, policy, minimum = _state(options)
    limits = Limits(max_bytes=options.max_bytes)
    result = ShardResult(shard.index)
    for source, raw, problem in _items(shard, options.max_bytes):
        if raw is None:
            result.problems.append((source, problem or "unreadable"))
            continue
        failing: set[str] = set()
        for item in _documents(source, raw, limits):
            if isinstance(item, SetProblem):
                result.problems.append((item.source, item.message))
                continue
            result.documents += 1
            _facts(item, policy, minimum, result, failing, collect=options.minimum_only)
        if runner is not None:
            _run_full(runner, source, raw, result)
    return result


def index_shard(shard: Shard, options: AuditOptions) -> ShardResult:
    """The set-index rows of one shard's documents (the first pass of a full audit); nothing is judged."""

    limits = Limits(max_bytes=options.max_bytes)
    result = ShardResult(shard.index)
    for source, raw, _problem in _items(shard, options.max_bytes):
        if raw is None:
            continue                      # the judging pass reports it
        for item in _documents(source, raw, limits):
            if isinstance(item, CtdlDocument):
                result.index_records.extend(index_records(item))
    return result


def _facts(document: CtdlDocument, policy: Policy | None, minimum: frozenset[str], result: ShardResult,
           failing: set[str], *, collect: bool) -> None:
    """Gaps (as findings when `collect`), counters and scores of one document's top-level resources."""
    if policy is None:
        return
    findings: list[dict[str, Any]] = []
    for node in document.resources:
        result.resources += 1
        gaps = [g for g in policy.gaps(node) if g.requirement in minimum]
        if gaps:
            result.failing_resources += 1
        publisher = _publisher(node, document) if gaps else ""
        for gap in gaps:
            result.gaps_by_class[(gap.cls, gap.group.key)] += 1
            result.gaps_by_publisher[(publisher, gap.group.key)] += 1
            if collect:
                findings.append(_finding(gap))
        score = policy.score(node)
        if score is not None:
            total, count = result.score_totals.get(score.cls, (0.0, 0))
            result.score_totals[score.cls] = (total + score.value, count + 1)
            result.scores.append(score.record(document.source, node.pointer))
    if collect:
        verdict = "fail" if findings else "pass"
        result.verdicts[verdict] += 1
        result.outcomes["failed"] += len(findings)
        result.results.append({"subject": document.source, "verdict": verdict,
                               "standards": sorted({f["requirement"].split("-", 1)[0] for f in findings}),
                               "findings": findings})
        result.assertions.extend({"target": document.source, "subject": document.source, **f} for f in findings)


def _finding(gap: Gap) -> dict[str, Any]:
    return {"requirement": gap.requirement, "outcome": "failed", "level": "must", "location": gap.pointer,
            "message": gap.message}


def _run_full(runner: Any, source: str, raw: bytes, result: ShardResult) -> None:

    for subject in runner.run([BytesTarget(id=source, data=raw, name=Path(source.rsplit(":", 1)[0]).name)]):
        data = subject.to_json()
        result.outcomes.update(f["outcome"] for f in data["findings"])
        result.verdicts[data["verdict"]] += 1
        kept = [f for f in data["findings"] if f["outcome"] not in ("passed", "inapplicable")]
        result.results.append({**data, "findings": kept})
        result.assertions.extend({"target": source, "subject": source, **f} for f in kept)


# -- running ------------------------------------------------------------------------------------------------

Submit = Callable[[Shard], Any]


@dataclass
class AuditSummary:
    """Everything the audit counts, merged over the shards (small: counters, not documents)."""

    documents: int = 0
    resources: int = 0
    failing_resources: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    gaps_by_class: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps_by_publisher: Counter[tuple[str, str]] = field(default_factory=Counter)
    score_totals: dict[str, tuple[float, int]] = field(default_factory=dict)

    def add(self, part: ShardResult) -> None:
        self.documents += part.documents
        self.resources += part.resources
        self.failing_resources += part.failing_resources
        self.problems.extend(part.problems[: max(0, 1000 - len(self.problems))])
        self.outcomes.update(part.outcomes)
        self.verdicts.update(part.verdicts)
        self.gaps_by_class.update(part.gaps_by_class)
        self.gaps_by_publisher.update(part.gaps_by_publisher)
        for cls, (total, count) in part.score_totals.items():
            old_total, old_count = self.score_totals.get(cls, (0.0, 0))
            self.score_totals[cls] = (old_total + total, old_count + count)

    @property
    def verdict(self) -> str:
        if self.verdicts.get("fail"):
            return "fail"
        if self.verdicts.get("error") or self.problems:
            return "error"
        return "pass"

    def to_json(self, top: int = TOP) -> dict[str, Any]:
        by_class: dict[str, list[dict[str, Any]]] = {}
        for (cls, group), count in self.gaps_by_class.most_common():
            if len(by_class.setdefault(cls, [])) < top:
                by_class[cls].append({"missing": group, "resources": count})
        by_publisher: dict[str, list[dict[str, Any]]] = {}
        publishers = Counter[str]()
        for (publisher, _group), count in self.gaps_by_publisher.items():
            publishers[publisher] += count
        for publisher, _total in publishers.most_common(top):
            gaps = [(g, c) for (p, g), c in self.gaps_by_publisher.items() if p == publisher]
            by_publisher[publisher] = [{"missing": g, "resources": c}
                                       for g, c in sorted(gaps, key=lambda x: (-x[1], x[0]))[:top]]
        return {
            "documents": self.documents, "resources": self.resources,
            "resources_with_gaps": self.failing_resources,
            "unreadable": len(self.problems), "problems": [{"source": s, "message": m} for s, m in self.problems],
            "verdict": self.verdict, "verdicts": dict(self.verdicts), "outcomes": dict(self.outcomes),
            "gaps_by_class": by_class, "gaps_by_publisher": by_publisher,
            "benchmark_by_class": {cls: {"resources": n, "mean_score": round(total / n, 4) if n else None}
                                   for cls, (total, n) in sorted(self.score_totals.items())},
        }


class _Sink:
    """Writes results, assertions and scores to temporary JSON-lines files as shards arrive (in shard order)."""

    def __init__(self, folder: Path):
        self.folder = folder
        # working files in the output folder: created afresh, never through a link someone left there
        self.files = {name: open_new(folder / f".{name}.jsonl") for name in ("results", "assertions", "scores")}

    def write(self, part: ShardResult) -> None:
        for name, items in (("results", part.results), ("assertions", part.assertions), ("scores", part.scores)):
            handle = self.files[name]
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()

    def stream(self, name: str, out: Any) -> None:
        out.write("[")
        with (self.folder / f".{name}.jsonl").open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                out.write(("," if number else "") + "\n    " + line.rstrip("\n"))
        out.write("\n  ]")

    def remove(self) -> None:
        for name in self.files:
            (self.folder / f".{name}.jsonl").unlink(missing_ok=True)


def _drive(shards: Iterable[Shard], submit: Submit, wait: Callable[[set[Any]], set[Any]], result_of: Callable[[Any], ShardResult],
           window: int, on_result: Callable[[ShardResult], None]) -> None:
    """Keep at most `window` shards outstanding (running or waiting to be written) and hand results on in order."""
    pending: set[Any] = set()
    ready: dict[int, ShardResult] = {}
    next_index = 0

    def collect(done: set[Any]) -> None:
        nonlocal next_index
        for future in done:
            part = result_of(future)
            ready[part.index] = part
        while next_index in ready:
            on_result(ready.pop(next_index))
            next_index += 1

    for shard in shards:
        pending.add(submit(shard))
        while len(pending) + len(ready) >= window and pending:
            done = wait(pending)
            pending -= done
            collect(done)
    while pending:
        done = wait(pending)
        pending -= done
        collect(done)
    for index in sorted(ready):
        on_result(ready.pop(index))


def run_audit(paths: Sequence[Path], out_dir: Path, options: AuditOptions, *, workers: int | None = None,
              dask: str | None = None, progress: Callable[[ShardResult], None] | None = None) -> AuditSummary:
    """Audit the set; write results.json, audit-summary.json, audit-summary.md and scores.jsonl into `out_dir`
    (each atomically and never through a symbolic link: conformance/support/outputs.py)."""
    make_folder(out_dir)
    options = options if options.artifacts else _with_artifacts(options)
    summary = AuditSummary()
    sink = _Sink(out_dir)
    started = datetime.now(UTC)

    def on_result(part: ShardResult) -> None:
        summary.add(part)
        sink.write(part)
        if progress is not None:
            progress(part)

    if not options.minimum_only:          # the Runner's set checks (references, duplicate CTIDs) need the whole set
        options = _index_set(paths, out_dir, options, workers=workers or os.cpu_count() or 1, dask=dask)
    shards = plan(paths, options.shard_size, options.max_bytes)
    try:
        workers = workers or os.cpu_count() or 1
        if dask:
            _run_dask(dask, workers, shards, options, on_result)
        elif workers == 1:
            for shard in shards:
                on_result(audit_shard(shard, options))
        else:
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
                _drive(shards, lambda s: pool.submit(audit_shard, s, options),
                       lambda p: concurrent.futures.wait(p, return_when=concurrent.futures.FIRST_COMPLETED)[0],
                       lambda f: f.result(), 2 * workers, on_result)
    finally:
        sink.close()
    ended = datetime.now(UTC)
    _write_results(out_dir, sink, summary, options, paths, started, ended)
    sink.remove()
    data = summary.to_json()
    data["profile"] = options.profile
    data["mode"] = "minimum data only" if options.minimum_only else "full profile"
    write_atomically(out_dir / "audit-summary.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n", root=out_dir)
    write_atomically(out_dir / "audit-summary.md", summary_markdown(data), root=out_dir)
    if options.set_index:
        Path(options.set_index).unlink(missing_ok=True)
    return summary


def _index_set(paths: Sequence[Path], out_dir: Path, options: AuditOptions, *, workers: int,
               dask: str | None) -> AuditOptions:
    """A first pass over the same shards that writes the set's CTID index (one JSON row per resource, in set
    order) for the judging workers to load; the main process still parses nothing."""

    target = out_dir / ".set-index.jsonl"
    with open_new(target, "wb") as handle:
        def on_result(part: ShardResult) -> None:
            handle.writelines(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in part.index_records)

        shards = plan(paths, options.shard_size, options.max_bytes)
        if dask:
            _run_dask(dask, workers, shards, options, on_result, work=index_shard)
        elif workers == 1:
            for shard in shards:
                on_result(index_shard(shard, options))
        else:
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
                _drive(shards, lambda s: pool.submit(index_shard, s, options),
                       lambda p: concurrent.futures.wait(p, return_when=concurrent.futures.FIRST_COMPLETED)[0],
                       lambda f: f.result(), 2 * workers, on_result)
    return replace(options, set_index=str(target.resolve()))


def _with_artifacts(options: AuditOptions) -> AuditOptions:


    configured = os.environ.get(ARTIFACTS_ENV)
    return replace(options, artifacts=configured) if configured else options


def _run_dask(address: str, workers: int, shards: Iterable[Shard], options: AuditOptions,
              on_result: Callable[[ShardResult], None],
              work: Callable[[Shard, AuditOptions], ShardResult] = audit_shard) -> None:
    try:
        from distributed import Client, LocalCluster, wait  # lazy: an optional extra (dask)
    except ImportError as exc:   # an optional extra
        raise RuntimeError("--dask needs the optional dask extra: pip install 'ler-conformance[dask]'") from exc
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) \
        if address == "local" else None
    client = Client(cluster if cluster is not None else address)
    try:
        _drive(shards, lambda s: client.submit(work, s, options, pure=False),
               lambda p: set(wait(p, return_when="FIRST_COMPLETED").done),
               lambda f: f.result(), 2 * max(workers, len(client.scheduler_info().get("workers", {})) or 1),
               on_result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _write_results(out_dir: Path, sink: _Sink, summary: AuditSummary, options: AuditOptions,
                   paths: Sequence[Path], started: datetime, ended: datetime) -> None:
    """results.json, streamed from the sink's files (schema: shapes/schemas/results.schema.json)."""

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

    head = {
        "suite": {"name": "ler-conformance", "version": __version__},
        "profile": options.profile,
        "reproducibility": reproducibility(options.profile),
        "targets": [{"id": str(p), "kind": "directory" if p.is_dir() else "file"} for p in paths],
        "started": utc(started), "ended": utc(ended),
        "environment": {"audit": {"mode": "minimum data only" if options.minimum_only else "full profile",
                                  "shard_size": options.shard_size, "documents": summary.documents,
                                  "resources": summary.resources, "unreadable": len(summary.problems),
                                  "findings_listed": "failed, cantTell, untested and error findings; passed and "
                                                     "inapplicable ones are counted in summary.outcomes"}},
        "summary": {"subjects": sum(summary.verdicts.values()), "verdicts": dict(summary.verdicts),
                    "outcomes": dict(summary.outcomes), "verdict": summary.verdict},
        "evidence": {"http": []},
    }
    tmp = out_dir / ".results.json.tmp"
    with open_new(tmp) as out:
        out.write(json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ",\n  \"results\": ")
        sink.stream("results", out)
        out.write(",\n  \"assertions\": ")
        sink.stream("assertions", out)
        out.write(",\n  \"scores\": ")
        sink.stream("scores", out)
        out.write("\n}\n")
    commit(tmp, out_dir / "results.json", root=out_dir)
    scores = out_dir / ".scores.jsonl.tmp"
    with open_new(scores, "wb") as out, (out_dir / ".scores.jsonl").open("rb") as source:
        shutil.copyfileobj(source, out)
    commit(scores, out_dir / "scores.jsonl", root=out_dir)


def summary_markdown(data: Mapping[str, Any]) -> str:
    lines = [f"# CTDL audit: {data['resources']:,} resources in {data['documents']:,} documents", "",
             f"Profile `{data['profile']}` ({data['mode']}). Verdict: **{data['verdict']}**. "
             f"{data['resources_with_gaps']:,} resources lack minimum data; {data['unreadable']:,} items could not be "
             "read.", "", "## Most common gaps per class", "", "| Class | Missing | Resources |", "|---|---|---:|"]
    for cls, gaps in data["gaps_by_class"].items():
        for gap in gaps[:5]:
            lines.append(f"| {cls} | {gap['missing']} | {gap['resources']:,} |")
    lines += ["", "## Most common gaps per publisher", "", "| Publisher | Missing | Resources |", "|---|---|---:|"]
    for publisher, gaps in data["gaps_by_publisher"].items():
        for gap in gaps[:5]:
            lines.append(f"| {publisher} | {gap['missing']} | {gap['resources']:,} |")
    lines += ["", "## Benchmark (recommended data) per class", "", "| Class | Resources | Mean score |",
              "|---|---:|---:|"]
    for cls, entry in data["benchmark_by_class"].items():
        score = "" if entry["mean_score"] is None else f"{entry['mean_score']:.0%}"
        lines.append(f"| {cls} | {entry['resources']:,} | {score} |")
    return "\n".join(lines) + "\n"
