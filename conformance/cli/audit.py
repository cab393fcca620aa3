"""`ler-conformance audit`: the bulk audit of a CTDL publication set (conformance/run/ctdl_audit.py) as a command."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from conformance.run.ctdl_audit import DEFAULT_SHARD, AuditOptions, ShardResult, run_audit

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


@click.command("audit")
@click.argument("inputs", nargs=-1, required=True, metavar="DIR|FILE.jsonl...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--profile", "profile_name", default="ctdl-minimum-2026", show_default=True,
              help="The profile whose requirements judge the set (ctdl-minimum-2026 or ctdl-minimum-2022).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: every local core).")
@click.option("--dask", metavar="ADDRESS",
              help="Run the shards on a Dask cluster at ADDRESS (tcp://host:8786), or `local` to start a local "
                   "cluster. Needs the optional dask extra.")
@click.option("--minimum-only", is_flag=True,
              help="Judge only the profile's minimum data requirements, from the compiled shapes (much faster).")
@click.option("--shard-size", type=click.IntRange(min=1), default=DEFAULT_SHARD, show_default=True,
              help="Documents per shard (a JSONL line or a file each).")
@click.option("--artifacts", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Directory of pinned artifacts (default: $LER_CONFORMANCE_ARTIFACTS, then the user cache).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports/audit"),
              show_default=True, help="Where results.json, audit-summary.json/.md and scores.jsonl go.")
def audit(inputs: tuple[Path, ...], profile_name: str, workers: int | None, dask: str | None, minimum_only: bool,
          shard_size: int, artifacts: Path | None, out: Path) -> None:
    """Audit a CTDL publication set (directory, JSONL dump, JSON files): results.json plus the most common gaps
    per class and per publisher and a benchmark score per resource."""
    errors = Console(stderr=True, highlight=False, emoji=False)
    options = AuditOptions(profile=profile_name, minimum_only=minimum_only, shard_size=shard_size,
                           artifacts=str(artifacts) if artifacts else None)
    try:
        from conformance.run.environment import Environment

        env = Environment.create(artifacts=artifacts)
        env.profile(profile_name)
    except (KeyError, ValueError) as exc:
        errors.print(f"[red]error:[/] {exc.args[0] if exc.args else exc}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    columns = (SpinnerColumn(), TextColumn("auditing"), BarColumn(), MofNCompleteColumn(),
               TextColumn("resources"), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task("audit", total=None)

        def advance(part: ShardResult) -> None:
            bar.advance(task, part.resources)

        try:
            summary = run_audit(list(inputs), out, options, workers=workers, dask=dask, progress=advance)
        except RuntimeError as exc:
            errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
    errors.print(f"{summary.resources:,} resources in {summary.documents:,} documents; "
                 f"{summary.failing_resources:,} lack minimum data; {len(summary.problems):,} unreadable")
    errors.print(f"results: {out / 'results.json'}  summary: {out / 'audit-summary.md'}")
    sys.exit({"pass": EXIT_PASS, "fail": EXIT_FAIL}.get(summary.verdict, EXIT_ERROR))
