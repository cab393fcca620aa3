"""BENCH hostile: the worst inputs of issue 13, each judged in a fresh process, with its time and peak memory.

    LER_CONFORMANCE_ARTIFACTS=../shared/standards .venv/bin/python benchmarks/bench_hostile.py [--only NAME]

Each case is an input a hostile vendor could send, far below the 16 MiB size limit unless it says otherwise. It is
built, then judged by the runner with the default profile and default work budgets in a child process of its own,
which reports the seconds the judgement took, its peak resident memory and the verdict. The baseline is a
conforming signed Open Badge judged the same way in the same run. Each case prints

    BENCH hostile-<case> rate=<inputs/s> baseline=<inputs/s> ratio=<rate/baseline> seconds=<s> peak_mib=<MiB>
          verdict=<verdict> stopped=<the budgets that stopped it, if any>

The goals (issue 13): every case ends with a finding or an error naming a budget, never a hang, and under 500 MiB of
peak memory (`peak_mib`, which includes the ~100 MiB of the suite itself); a case over the goal is marked OVER.
Nothing here asserts on time.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GOAL_MIB = 500


def _env() -> Any:
    from conformance.run.environment import Environment

    return Environment.create()


def _signed(document: dict[str, Any]) -> dict[str, Any]:
    from conformance.support.securing.signing import sign_document

    return sign_document(document, [{"key": "issuer-ed25519"}], _env().verifier.canonicalizer)


def _badge() -> dict[str, Any]:
    from tests.documents import minimal_badge

    return minimal_badge()


def conforming() -> dict[str, Any]:
    return _signed(_badge())


def _with_a_proof(document: dict[str, Any]) -> dict[str, Any]:
    """A proof taken from another credential: it does not verify, but verifying it canonicalizes the document (as a
    hostile vendor would send it; signing a document this large would itself run out of the canonicalization bound)."""
    return {**document, "proof": conforming()["proof"]}


def evidence(n: int) -> Callable[[], dict[str, Any]]:
    return lambda: _with_a_proof({**_badge(), "evidence": [{"type": ["Evidence"]} for _ in range(n)]})


def evidence_urls(n: int) -> Callable[[], dict[str, Any]]:
    return lambda: _with_a_proof({**_badge(), "evidence": [{"id": f"https://evidence.example/{i}",
                                                             "type": ["Evidence"]} for i in range(n)]})


def zeros_in(where: str, n: int) -> Callable[[], Any]:
    def make() -> Any:
        badge = _badge()
        badge[where] = [*badge[where], *[0] * n] if isinstance(badge.get(where), list) else [0] * n
        return badge
    return make


def many_keys(n: int) -> Callable[[], dict[str, Any]]:
    return lambda: {**_badge(), **{f"k{i}": 0 for i in range(n)}}


def poison_proofs(n: int) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        signed = conforming()
        knows = "https://example.org/knows"
        signed["https://example.org/poison"] = [{"@id": f"_:n{i}", knows: [{"@id": f"_:n{j}"} for j in range(12)
                                                                          if j != i]} for i in range(12)]
        signed["proof"] = [{**signed["proof"], "id": f"urn:proof:{i}"} for i in range(n)]
        return signed
    return make


def previous_all(n: int) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        signed = conforming()
        ids = [f"urn:proof:{i}" for i in range(n)]
        signed["proof"] = [{**signed["proof"], "id": i, "previousProof": [o for o in ids if o != i]} for i in ids]
        return signed
    return make


def status_list_members(n: int) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        encoded = "u" + base64.urlsafe_b64encode(gzip.compress(b"") * n).decode().rstrip("=")
        return {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "https://status.example/1",
                "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": "did:example:issuer",
                "validFrom": "2025-01-01T00:00:00Z",
                "credentialSubject": {"id": "https://status.example/1#list", "type": "BitstringStatusList",
                                      "statusPurpose": "revocation", "encodedList": encoded}}
    return make


CASES: dict[str, Callable[[], Any]] = {
    "evidence-10k-signed": lambda: _signed({**_badge(), "evidence": [{"type": ["Evidence"]} for _ in range(10_000)]}),
    "evidence-50k-with-a-proof": evidence(50_000),
    "evidence-urls-20k-with-a-proof": evidence_urls(20_000),
    "zeros-1m-in-type": zeros_in("type", 1_000_000),
    "zeros-1m-in-subject": zeros_in("credentialSubject", 1_000_000),
    "zeros-1m-in-context": zeros_in("@context", 1_000_000),
    "keys-500k": many_keys(500_000),
    "poison-graph-200-proofs": poison_proofs(200),
    "previous-proof-all-120": previous_all(120),
    "status-list-400k-members": status_list_members(400_000),
    "zeros-16mib-in-type": zeros_in("type", 8_000_000),
}

_CHILD = """
import json, re, resource, sys, time
sys.path.insert(0, {repo!r})
from conformance.run.environment import Environment
from conformance.run.targets.files import BytesTarget
from conformance.run.runner import Runner
data = open({path!r}, "rb").read()
env = Environment.create()
runner = Runner(env, env.profile("default"))
started = time.perf_counter()
(result,) = list(runner.run([BytesTarget("input", data, "input.json")]))
seconds = time.perf_counter() - started
stopped = sorted({{m.group(1) for f in result.findings for m in [re.search(r"[(]--work-budget ([a-z-]+)[)]", f.message)]
                  if m}})
print(json.dumps({{"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "verdict": str(result.verdict), "findings": len(result.findings), "stopped": stopped}}))
"""


def judge_in_child(document: Any, scratch: Path) -> dict[str, Any]:
    path = scratch / "input.json"
    path.write_bytes(json.dumps(document, separators=(",", ":")).encode())
    done = subprocess.run([sys.executable, "-c", _CHILD.format(repo=str(REPO), path=str(path))],
                          capture_output=True, text=True, timeout=1_800, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the child failed:\n{done.stderr[-2000:]}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    measured["bytes"] = path.stat().st_size
    return measured


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="Run only this case (repeatable).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        scratch = Path(tmp)
        baseline = judge_in_child(conforming(), scratch)
        base_rate = 1 / baseline["seconds"]
        print(f"baseline: a conforming signed badge, {baseline['seconds'] * 1000:.0f} ms, "
              f"peak {baseline['peak_mib']:.0f} MiB, {baseline['verdict']}")
        over = 0
        for name in args.only or CASES:
            built = time.perf_counter()
            document = CASES[name]()
            built = time.perf_counter() - built
            measured = judge_in_child(document, scratch)
            rate = 1 / max(measured["seconds"], 1e-9)
            flag = "" if measured["peak_mib"] < GOAL_MIB else " OVER"
            over += bool(flag)
            print(f"BENCH hostile-{name} rate={rate:.3f} baseline={base_rate:.1f} ratio={rate / base_rate:.4f} "
                  f"seconds={measured['seconds']:.2f} peak_mib={measured['peak_mib']:.0f}{flag} "
                  f"bytes={measured['bytes']:,} verdict={measured['verdict']} "
                  f"stopped={','.join(measured['stopped']) or '-'} (built in {built:.1f} s)", flush=True)
    print(f"peak memory goal: under {GOAL_MIB} MiB; {over} case(s) over it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
