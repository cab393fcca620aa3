"""The canonical results document (results.json) and the `--format json` object."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance._version import __version__
from conformance.run.reproducibility import reproducibility
from conformance.run.runner import Scope, SubjectResult, run_verdict
from conformance.support.net.secrets import Secrets
from conformance.support.outputs import make_folder, write_atomically


def check_output(results: Sequence[SubjectResult], scope: Scope | None = None, *,
                 secrets: Secrets | None = None) -> dict[str, Any]:
    """The object `check --format json` prints; every secret in `secrets` (the run's) replaced wherever it appears."""
    shown: dict[str, Any] = {"suite_version": __version__, "verdict": str(run_verdict(results, scope)),
                             "results": [r.to_json() for r in results]}
    if scope is not None:
        shown["scope"] = scope.to_json()
    return secrets.redact(shown) if secrets is not None else shown


def summary(results: Sequence[SubjectResult], scope: Scope | None = None) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    limitations: Counter[str] = Counter()
    for result in results:
        outcomes.update(str(f.outcome) for f in result.findings)
        limitations.update(f.limitation for f in result.findings if f.limitation)
    shown: dict[str, Any] = {
        "subjects": len(results),
        "verdicts": dict(Counter(str(r.verdict) for r in results)),
        "outcomes": dict(outcomes),
        "verdict": str(run_verdict(results, scope)),
        "undecided": sorted({f.requirement for r in results for f in r.undecided}),
        "limitations": dict(sorted(limitations.items())),
    }
    if scope is not None:
        shown["not_tested"] = [n.to_json() for n in scope.not_tested]
    return shown


def results_document(results: Sequence[SubjectResult], *, profile: str, started: datetime, ended: datetime,
                     environment: Mapping[str, Any], targets: Sequence[Mapping[str, Any]],
                     exchanges: Sequence[Mapping[str, Any]] = (), scope: Scope | None = None,
                     secrets: Secrets | None = None) -> dict[str, Any]:
    """The run as one document (schema: shapes/schemas/results.schema.json). `targets`: each target's id and kind;
    `exchanges`: every HTTP exchange of the run, secrets already redacted by the guarded client. `secrets`: the run's
    registry; each one is replaced wherever it appears (findings' messages, transcripts, evidence), so results.json,
    and every report made from it, never holds one."""
    document: dict[str, Any] = {
        "suite": {"name": "ler-conformance", "version": __version__},
        "profile": profile,
        "reproducibility": reproducibility(profile),
        "targets": [dict(t) for t in targets],
        "started": started.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "ended": ended.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "environment": dict(environment),
        "summary": summary(results, scope),
        "evidence": {"http": list(exchanges),
                     "transcripts": [dict(r.transcript) for r in results if r.transcript is not None]},
        "results": [r.to_json() for r in results],
        "assertions": [
            {
                "target": r.target,
                "subject": f.subject or r.subject,
                "requirement": f.requirement,
                "outcome": str(f.outcome),
                "level": str(r.levels[f.requirement]),
                "location": f.location,
                "message": f.message,
                **({"limitation": f.limitation} if f.limitation else {}),
            }
            for r in results for f in r.findings
        ] + [   # what the profile requires and no subject could test: untested MUSTs of the run itself
            {"target": "", "subject": "", "requirement": n.requirement, "outcome": "untested", "level": "must",
             "location": "", "message": n.why}
            for n in (scope.not_tested if scope is not None else ())
        ],
    }
    if scope is not None:
        document["scope"] = scope.to_json()
    diagrams = [dict(d) for r in results for d in r.diagrams]
    if diagrams:
        document["diagrams"] = diagrams
    scores = [dict(s) for r in results for s in r.scores]
    if scores:
        document["scores"] = scores
    return secrets.redact(document) if secrets is not None else document


def describe_target(target: Any) -> dict[str, Any]:
    """A target as results.json names it: its id and what kind of input it is (file, directory, url, bytes)."""
    kind = type(target).__name__.removesuffix("Target").lower() or "target"
    return {"id": target.id, "kind": kind}


def write_results(out_dir: Path, document: Mapping[str, Any]) -> Path:
    """results.json in `out_dir`, written atomically and never through a symbolic link (OutputError says why not)."""

    make_folder(out_dir)
    return write_atomically(out_dir / "results.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                            root=out_dir)
