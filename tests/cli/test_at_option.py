"""`check --at`: one judging instant per run, recorded in results.json; `--documents` standing in for any DID."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def _write(path: Path, content: Any) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def _badge(env: Environment, **changes: Any) -> dict[str, Any]:
    return sign_document({**minimal_badge(), **changes}, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)


def _validity(payload: dict[str, Any]) -> list[dict[str, Any]]:
    (entry,) = payload["results"]
    return [f for f in entry["findings"] if f["requirement"] == "OB30-verification-validity-period"]


def test_the_run_is_judged_at_the_given_instant_and_records_it(run, env: Environment, tmp_path: Path) -> None:  # noqa: ANN001
    badge = _write(tmp_path / "badge.json", _badge(env, validUntil="2030-01-01T00:00:00Z"))
    inside = run("check", str(badge), "--format", "json", "--at", "2026-12-07T12:00:00-05:00",
                 "--out", str(tmp_path / "inside"))
    assert {f["outcome"] for f in _validity(json.loads(inside.stdout))} == {"passed"}
    results = json.loads((tmp_path / "inside" / "results.json").read_text(encoding="utf-8"))
    assert results["environment"]["at"] == "2026-12-07T17:00:00Z"
    after = run("check", str(badge), "--format", "json", "--at", "2031-01-01T00:00:00Z")
    assert after.exit_code == 1
    (failed,) = [f for f in _validity(json.loads(after.stdout)) if f["outcome"] == "failed"]
    assert failed["location"] == "/validUntil"
    assert failed["message"] == ("validUntil 2030-01-01T00:00:00Z is before the judging instant 2031-01-01T00:00:00Z: "
                                 "the credential has expired")


def test_without_at_the_run_records_when_it_started(run, env: Environment, tmp_path: Path) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    badge = _write(tmp_path / "badge.json", _badge(env))
    before = datetime.now(UTC).replace(microsecond=0)
    run("check", str(badge), "--format", "json", "--out", str(tmp_path / "out"))
    recorded = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["environment"]["at"]
    assert recorded.endswith("Z") and "." not in recorded
    assert before <= datetime.fromisoformat(recorded) <= datetime.now(UTC)


@pytest.mark.parametrize("value", ["2026-12-07", "2026-12-07T17:00:00", "yesterday"])
def test_a_bad_instant_is_a_one_line_usage_error(run, env: Environment, tmp_path: Path, value: str) -> None:  # noqa: ANN001
    badge = _write(tmp_path / "badge.json", _badge(env))
    result = run("check", str(badge), "--at", value)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: --at:") and repr(value) in lines[0] and "time zone" in lines[0]


def test_a_did_document_supplied_with_documents_decides_offline(run, env: Environment, tmp_path: Path) -> None:  # noqa: ANN001
    did = "did:example:ler-college-12"
    badge = minimal_badge()
    badge["issuer"] = {**badge["issuer"], "id": did}
    signed = sign_document(badge, [{"key": "issuer-ed25519", "method": f"{did}#key-1", "issuer": False}],
                           env.verifier.canonicalizer)
    path = _write(tmp_path / "badge.json", signed)
    undecided = run("check", str(path), "--format", "json", "--at", "2026-12-07T17:00:00Z")
    (entry,) = json.loads(undecided.stdout)["results"]
    assert entry["verdict"] != "pass"
    assert any(f["requirement"] == "OB30-proof-verifies" and f["outcome"] == "cantTell" for f in entry["findings"])
    multikey = suite_key("issuer-ed25519").did.removeprefix("did:key:")
    _write(tmp_path / "college.json", {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": multikey}],
        "assertionMethod": [f"{did}#key-1"]})
    (tmp_path / "documents.toml").write_text(f'[documents]\n"{did}" = "college.json"\n', encoding="utf-8")
    decided = run("check", str(path), "--format", "json", "--at", "2026-12-07T17:00:00Z",
                  "--documents", str(tmp_path / "documents.toml"))
    (entry,) = json.loads(decided.stdout)["results"]
    proof = [f for f in entry["findings"] if f["requirement"] == "OB30-proof-verifies"]
    assert proof and {f["outcome"] for f in proof} == {"passed"}, proof
