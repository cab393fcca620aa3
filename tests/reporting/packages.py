"""Report packages for the verify-report and re-judging tests: a small real run (a conformant signed badge, one
missing its issuer, and optionally one too large to archive), packaged by `report --attest`, and the forgery an
attacker would make of it."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from conformance.cli import main
from conformance.core.findings import Verdict, combined_verdict
from conformance.support.securing.proofs import Canonicalizer
from conformance.support.securing.signing import sign_document
from tests.documents import minimal_badge

BROKEN = "broken.json"
GOOD = "good.json"
LARGE = "large.json"


def make_run(folder: Path, canonicalizer: Canonicalizer, *, large: bool = False) -> Path:
    """Judge a few badges with `check --out`; return the results.json path."""
    inputs = folder / "badges"
    inputs.mkdir(parents=True)
    good = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], canonicalizer)
    (inputs / GOOD).write_text(json.dumps(good), encoding="utf-8")
    broken = minimal_badge()
    del broken["issuer"]
    (inputs / BROKEN).write_text(json.dumps(broken), encoding="utf-8")
    if large:           # past the 512 KiB a package archives of one input: kept as a digest only
        padded = minimal_badge()
        padded["credentialSubject"]["achievement"]["description"] = "x" * (600 * 1024)
        (inputs / LARGE).write_text(json.dumps(padded), encoding="utf-8")
    checked = invoke("check", str(inputs), "--out", str(folder / "run"))
    assert checked.exit_code in (0, 1, 3), checked.output
    return folder / "run" / "results.json"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def package(results: Path, out: Path, *options: str) -> Path:
    made = invoke("report", str(results), "--out", str(out), *options)
    assert made.exit_code == 0, made.output
    return out


def verify(folder: Path, *options: str) -> tuple[int, str]:
    done = invoke("verify-report", str(folder), *options)
    return done.exit_code, done.output


def forge_pass(results: dict[str, Any], name: str = BROKEN) -> dict[str, Any]:
    """results.json with the failures of subject `name` removed and every verdict made to agree: the edit someone
    would make to pass a failing input off as conformant, consistent enough that `report` signs it."""
    forged = json.loads(json.dumps(results))
    for entry in forged["results"]:
        if entry["subject"].endswith(name):
            entry["findings"] = [f for f in entry["findings"] if f["outcome"] != "failed"]
            undecided = sorted({f["requirement"] for f in entry["findings"]
                                if f["level"] == "must" and f["outcome"] in ("cantTell", "untested", "error")})
            entry["verdict"] = "incomplete" if undecided else "pass"
            entry.pop("undecided", None)
            if undecided:
                entry["undecided"] = undecided
    forged["assertions"] = [a for a in forged["assertions"]
                            if not (a["subject"].endswith(name) and a["outcome"] == "failed")]
    verdicts = [Verdict(entry["verdict"]) for entry in forged["results"]]
    forged["summary"]["verdicts"] = {str(v): verdicts.count(v) for v in set(verdicts)}
    overall = combined_verdict(verdicts)
    if overall is Verdict.PASS and forged["summary"].get("not_tested"):
        overall = Verdict.INCOMPLETE
    forged["summary"]["verdict"] = str(overall)
    forged["summary"]["outcomes"] = dict(Counter(f["outcome"] for e in forged["results"] for f in e["findings"]))
    return forged
