"""Every finding of a run as comparable rows, and the stored snapshot they are compared with.

A row is (subject, requirement, outcome, location, message, limitation) in the order the runner gave them. What
differs from one run to the next without meaning anything is masked first: the judging instant (now, to the
microsecond), loopback ports, and the random tokens of the live flows (nonces, challenges, exchange ids). The
snapshot keeps, per vector or fault run, a sha256 of all its rows and, readable, the rows that decide something
(failed, cantTell, error, untested), so a change in a decision shows as a diff and any other change as a digest.
The checkout's own path is masked too, so that a clone elsewhere compares equal."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from conformance.core.findings import Outcome
from conformance.run.runner import SubjectResult

FOLDER = Path(__file__).resolve().parent
REPO = FOLDER.parent.parent
VECTORS = FOLDER / "findings-vectors.json"
FAULT_RUNS = FOLDER / "findings-fault-runs.json"

_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|\+00:00)?")
_PORT = re.compile(r"(127\.0\.0\.1|localhost):\d+")
_EXCHANGE_ID = re.compile(r"(/exchanges/)[A-Za-z0-9_-]+")
_QUOTED_TOKEN = re.compile(r"(['\"])[A-Za-z0-9_-]{16,}(-other)?\1")   # challenges and nonces the flows draw
_DECIDING = {str(o) for o in (Outcome.FAILED, Outcome.CANT_TELL, Outcome.ERROR, Outcome.UNTESTED)}

Row = list[str]


def masked(text: str) -> str:
    text = text.replace(f"{REPO}/", "<repo>/")       # a checkout's own path (a trust list named by its file)
    text = _PORT.sub(r"\1:<port>", _INSTANT.sub("<instant>", text))
    return _QUOTED_TOKEN.sub(r"\1<token>\2\1", _EXCHANGE_ID.sub(r"\1<id>", text))


def rows(results: Iterable[SubjectResult]) -> list[Row]:
    return [[masked(f.subject), f.requirement, str(f.outcome), masked(f.location), masked(f.message),
             masked(f.limitation)] for result in results for f in result.findings]


def entry(found: list[Row]) -> dict[str, Any]:
    digest = hashlib.sha256(json.dumps(found, ensure_ascii=False).encode()).hexdigest()
    return {"sha256": digest, "rows": len(found), "deciding": [r for r in found if r[2] in _DECIDING]}


def load(path: Path) -> Mapping[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def difference(stored: Mapping[str, Any] | None, found: list[Row]) -> str | None:
    """Why `found` is not the stored entry, or None when it is."""
    if stored is None:
        return "no snapshot entry: take one with python -m tests.snapshots.update"
    now = entry(found)
    if now["sha256"] == stored["sha256"]:
        return None
    gone = [r for r in stored["deciding"] if r not in now["deciding"]]
    new = [r for r in now["deciding"] if r not in stored["deciding"]]
    lines = [f"{stored['rows']} findings before, {now['rows']} now"]
    lines += [f"- {r}" for r in gone] + [f"+ {r}" for r in new]
    if not gone and not new:
        lines.append("the deciding findings are the same; a passed or inapplicable finding changed")
    return "\n".join(lines)


def write(path: Path, entries: Mapping[str, dict[str, Any]]) -> None:
    path.write_text(json.dumps(dict(sorted(entries.items())), indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
