"""Reruns are idempotent: every reference service served once (as `serve-reference` does) and judged twice comes to
the same verdicts and the same findings, so what a service or wallet kept from the first run changes nothing."""
from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from conformance.reference import reference_modules
from conformance.run.environment import Environment
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets


def _findings(run: LiveRun) -> Counter[tuple[str, str, str, str, str, str]]:
    return Counter((result.subject, finding.subject, finding.requirement, str(finding.outcome), finding.location,
                    finding.message) for result in run.results for finding in result.findings)


def test_two_runs_against_one_reference_come_to_the_same_findings(env: Environment, tmp_path: Path) -> None:
    # one judging instant for both runs: the time-bound rules say "not after the judging instant <t>"
    judge = env.with_options(replace(env.options, now=datetime.now(UTC)))
    path = tmp_path / "targets.toml"
    with ExitStack() as stack:
        entries = [stack.enter_context(module.serve(env, frozenset())).service_toml()
                   for module in reference_modules().values()]
        path.write_text('[implementation]\nname = "ler-conformance reference"\n\n' + "\n".join(entries),
                        encoding="utf-8")
        runs = []
        for _ in range(2):
            with GuardedClient(FetchPolicy(allow_private=True)) as client:
                runs.append(run_targets(judge, path, client))
    first, second = runs
    assert len(first.results) == len(second.results) > len(reference_modules())
    assert [(r.subject, r.verdict) for r in first.results] == [(r.subject, r.verdict) for r in second.results]
    assert first.everywhere() == second.everywhere()
    once, twice = _findings(first), _findings(second)
    assert once == twice, {"only the first run": sorted((once - twice).elements())[:20],
                           "only the second run": sorted((twice - once).elements())[:20]}
