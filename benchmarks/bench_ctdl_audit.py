"""BENCH ctdl-audit: the bulk minimum data audit of a generated CTDL publication set, against pyshacl.

    LER_CONFORMANCE_ARTIFACTS=../shared/standards .venv/bin/python benchmarks/bench_ctdl_audit.py [--count N]

Generates `--count` (default 100,000) one-resource CTDL documents (conformance/standards/ctdl/facts/synthetic.py: every shaped
class of the 2026 policy, 10 % with a seeded gap, half the benchmark properties present) into a JSONL dump, then:

- audits the dump on one core with `ler-conformance audit --minimum-only` (the engine behind it: parse, load,
  compiled shapes, benchmark score, results.json, summary), and reports resources/s and the peak memory;
- audits it again on every local core (the default), for the wall-clock figure;
- the baseline: pyshacl 0.40 over one rdflib graph with the same shapes (SHACL-AF targets, advanced=True), the
  documents turned into RDF through pyld with the pinned contexts. pyshacl keeps the whole graph in memory
  (~2.4 kB per triple) and runs at well under 1,000 resources/s, so it runs on a slice of `--baseline-slice`
  (default 10,000) resources, said so in the output; its rate includes the JSON-LD to RDF step;
- checks that both report identical findings (focus node, shape) on the slice.

Nothing here asserts on time.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from conformance.run.ctdl_audit import AuditOptions, run_audit
from conformance.run.environment import Environment
from conformance.standards.ctdl.facts import synthetic
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.policy import fast_findings, rdf_graph, shacl_validate
from conformance.standards.ctdl.facts.schema import schema_for


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024      # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--baseline-slice", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--version", choices=("2022", "2026"), default="2026")
    args = parser.parse_args()

    env = Environment.create()
    schema = schema_for(env.store)
    profile = f"ctdl-minimum-{args.version}"
    with tempfile.TemporaryDirectory(prefix="bench-ctdl-") as tmp:
        dump = Path(tmp) / "set.jsonl"
        started = time.perf_counter()
        with dump.open("w", encoding="utf-8") as handle:
            for document in synthetic.documents(args.count, version=args.version, seed=args.seed, schema=schema):
                handle.write(json.dumps(document, ensure_ascii=False) + "\n")
        print(f"generated {args.count:,} resources ({dump.stat().st_size / 2**20:.0f} MiB JSONL) in "
              f"{time.perf_counter() - started:.1f} s")

        options = AuditOptions(profile=profile, minimum_only=True)
        started = time.perf_counter()
        summary = run_audit([dump], Path(tmp) / "one-core", options, workers=1)
        one_core = time.perf_counter() - started
        rate = summary.resources / one_core
        peak_main = _peak_mib(resource.RUSAGE_SELF)
        print(f"audit, one core: {summary.resources:,} resources in {one_core:.1f} s = {rate:,.0f} resources/s; "
              f"{summary.failing_resources:,} with gaps; peak memory {peak_main:,.0f} MiB")

        cores = os.cpu_count() or 1
        started = time.perf_counter()
        run_audit([dump], Path(tmp) / "all-cores", options, workers=cores)
        wall = time.perf_counter() - started
        print(f"audit, {cores} processes: {summary.resources / wall:,.0f} resources/s wall; "
              f"peak memory per worker {_peak_mib(resource.RUSAGE_CHILDREN):,.0f} MiB")

        with dump.open(encoding="utf-8") as handle:
            sliced = [json.loads(line) for line in islice(handle, args.baseline_slice)]
        started = time.perf_counter()
        graph = rdf_graph(sliced, env.loader)
        loaded = time.perf_counter() - started
        oracle = shacl_validate(graph, args.version)
        baseline_time = time.perf_counter() - started
        baseline = len(sliced) / baseline_time
        print(f"baseline: pyshacl over one rdflib graph ({len(graph):,} triples) on a {len(sliced):,}-resource "
              f"slice: {baseline_time:.1f} s ({loaded:.1f} s JSON-LD to RDF) = {baseline:,.0f} resources/s")
        ours = fast_findings([load_document(d, f"slice:{i}") for i, d in enumerate(sliced)], args.version)
        same = ours == oracle
        print(f"findings on the slice: ours {len(ours):,}, pyshacl {len(oracle):,}, identical: {same}")
        print(f"BENCH ctdl-audit rate={rate:.0f} baseline={baseline:.1f} ratio={rate / baseline:.1f} "
              f"peak_mib={peak_main:.0f} (baseline on a {len(sliced):,}-resource slice)")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
