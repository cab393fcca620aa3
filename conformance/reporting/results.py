"""The canonical results document (results.json) and the `--format json` object."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.model.findings import Verdict
from conformance.reporting.reproducibility import reproducibility
from conformance.runner import SubjectResult


def check_output(results: Sequence[SubjectResult]) -> dict[str, Any]:
    """The object `check --format json` prints."""
    return {"suite_version": __version__, "results": [r.to_json() for r in results]}


def overall_verdict(results: Iterable[SubjectResult]) -> Verdict:
    verdicts = {r.verdict for r in results}
    if Verdict.FAIL in verdicts:
        return Verdict.FAIL
    if Verdict.ERROR in verdicts:
        return Verdict.ERROR
    return Verdict.PASS


def summary(results: Sequence[SubjectResult]) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    for result in results:
        outcomes.update(str(f.outcome) for f in result.findings)
    return {
        "subjects": len(results),
        "verdicts": dict(Counter(str(r.verdict) for r in results)),
        "outcomes": dict(outcomes),
        "verdict": str(overall_verdict(results)),
    }


def results_document(results: Sequence[SubjectResult], *, profile: str, started: datetime, ended: datetime,
                     environment: Mapping[str, Any], targets: Sequence[Mapping[str, Any]],
                     exchanges: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The run as one document (schema: shapes/schemas/results.schema.json). `targets`: each target's id and kind;
    `exchanges`: every HTTP exchange of the run, secrets already redacted by the guarded client."""
    document: dict[str, Any] = {
        "suite": {"name": "ler-conformance", "version": __version__},
        "profile": profile,
        "reproducibility": reproducibility(profile),
        "targets": [dict(t) for t in targets],
        "started": started.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "ended": ended.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "environment": dict(environment),
        "summary": summary(results),
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
            }
            for r in results for f in r.findings
        ],
    }
    diagrams = [dict(d) for r in results for d in r.diagrams]
    if diagrams:
        document["diagrams"] = diagrams
    scores = [dict(s) for r in results for s in r.scores]
    if scores:
        document["scores"] = scores
    return document


def describe_target(target: Any) -> dict[str, Any]:
    """A target as results.json names it: its id and what kind of input it is (file, directory, url, bytes)."""
    kind = type(target).__name__.removesuffix("Target").lower() or "target"
    return {"id": target.id, "kind": kind}


def write_results(out_dir: Path, document: Mapping[str, Any]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
