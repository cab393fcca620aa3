"""The live modules against servers that misbehave, the client's POST bounds, and secrets kept out of results."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import EXIT_CODES, SERVE_REFERENCE_DONE, main
from conformance.core.findings import Outcome, Verdict
from conformance.reference.vcalm import serve_vcalm
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.services import TESTED_ROLES, ServiceTarget, load_targets_file
from conformance.support.exchange.service import ServiceConfig, TargetsFileError
from conformance.support.net import FetchError, FetchPolicy, FetchReason, GuardedClient
from conformance.support.net.evidence import REDACTED
from tests.conftest import artifacts_dir
from tests.support.exchange.servers import hostile_app, serve_app

TIGHT = FetchPolicy(allow_private=True, read_timeout_s=0.3, timeout_s=2.0, max_bytes=64 * 1024)
SECRET = "s3cr3t-bearer-value-for-the-live-tests"


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with serve_app(hostile_app()) as base:
        yield base


def _judge(env: Environment, endpoint: str, role: str = "issuer") -> tuple:
    service = ServiceConfig(role=role, endpoint=endpoint, implementation="hostile")
    with GuardedClient(TIGHT) as client:
        return tuple(Runner(env, env.profile("default")).run([ServiceTarget((service,), client, "hostile")]))


def _vcalm(result) -> dict[str, set[Outcome]]:
    found: dict[str, set[Outcome]] = {}
    for f in result.findings:
        if f.requirement.startswith("VCALM-"):
            found.setdefault(f.requirement, set()).add(f.outcome)
    return found


@pytest.mark.parametrize(("mode", "outcome"), [
    ("slow", Outcome.ERROR),          # no answer in time: we could not evaluate
    ("huge", Outcome.FAILED),         # an answer past the size cap is the service's defect
    ("error", Outcome.FAILED),
    ("html", Outcome.FAILED),
    ("redirect", Outcome.FAILED),     # a POST is not replayed elsewhere: the 307 is the answer
])
def test_hostile_issuer_gives_findings_not_tracebacks(mode: str, outcome: Outcome, env: Environment,
                                                      hostile: str) -> None:
    (result,) = _judge(env, f"{hostile}/{mode}")
    vcalm = _vcalm(result)
    assert outcome in vcalm["VCALM-issue-created"]
    assert Outcome.PASSED not in vcalm["VCALM-issue-created"]
    assert not any("raised" in f.message for f in result.findings), [f.message for f in result.findings]
    assert result.verdict in (Verdict.FAIL, Verdict.INCOMPLETE)


def test_hostile_verifier_gives_findings(env: Environment, hostile: str) -> None:
    (result,) = _judge(env, f"{hostile}/error", role="verifier")
    vcalm = _vcalm(result)
    assert vcalm["VCALM-no-server-error"] == {Outcome.FAILED}
    assert vcalm["VCALM-verify-answers-200"] == {Outcome.FAILED}
    assert Outcome.CANT_TELL in vcalm["VCALM-verify-verdicts"]


def test_send_returns_any_status_and_redacts(hostile: str) -> None:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        answer = client.post_json(f"{hostile}/echo/x", {"client_secret": "abc", "claim": 1},
                                  headers={"Authorization": f"Bearer {SECRET}"})
        assert answer.status == 400 and json.loads(answer.body)["body"]["claim"] == 1
        (exchange,) = client.exchanges
    assert exchange.method == "POST" and exchange.status == 400
    assert ("authorization", REDACTED) in exchange.request_headers
    assert SECRET not in json.dumps(exchange.to_json())


def test_send_keeps_the_address_rules(hostile: str) -> None:
    with GuardedClient(FetchPolicy()) as client:
        with pytest.raises(FetchError) as caught:
            client.post_json(f"{hostile}/echo/x", {})
        (refused,) = client.exchanges
    assert caught.value.reason is FetchReason.PRIVATE_ADDRESS
    assert refused.method == "POST" and refused.error == "private-address"


def test_transcript_redacts_secret_members(env: Environment, hostile: str) -> None:
    from conformance.support.exchange.transcript import exchange

    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        step = exchange(client, "t", "echo", f"{hostile}/echo/x", body={"password": "pw-1", "keep": "yes"})
    assert step.request == {"password": REDACTED, "keep": "yes"}
    assert step.body["access_token"] == REDACTED and step.body["body"]["password"] == "[redacted]"


def _check(*args: str):
    return CliRunner().invoke(main, ["check", "--artifacts", str(artifacts_dir()), "--allow-private", *args])


def _write_targets(folder: Path, text: str) -> Path:
    path = folder / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_secrets_never_reach_results(env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVE_TEST_TOKEN", SECRET)
    with serve_vcalm(env, token=SECRET) as running:
        targets = _write_targets(tmp_path, running.targets_toml(token_env="LIVE_TEST_TOKEN"))
        out = tmp_path / "out"
        result = _check("--out", str(out), "--format", "json", str(targets))
    assert result.exit_code == 0, result.output
    written = (out / "results.json").read_text(encoding="utf-8")
    assert SECRET not in written and SECRET not in result.output
    document = json.loads(written)
    posts = [e for e in document["evidence"]["http"] if e["method"] == "POST"]
    assert posts and all(["authorization", REDACTED] in e["requestHeaders"] for e in posts)
    assert {t["kind"] for t in document["targets"]} == {"service"}
    # every exchange the checks judged is kept as evidence, and findings point into it
    transcripts = {t["subject"]: t["steps"] for t in document["evidence"]["transcripts"]}
    assert {r["subject"] for r in document["results"]} == set(transcripts)
    for result in document["results"]:
        steps = transcripts[result["subject"]]
        assert steps and all(step["status"] for step in steps)
        for finding in result["findings"]:
            location = finding.get("location") or ""
            if location.startswith("/transcript/"):
                assert int(location.split("/")[2]) < len(steps), location
    report = CliRunner().invoke(main, ["report", str(out / "results.json"), "--html", "--out", str(tmp_path / "r")])
    assert report.exit_code == 0, report.output
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert page.count("<h3>Transcript: ") == len(transcripts) and SECRET not in page


def test_missing_token_variable_is_an_error_not_a_traceback(env: Environment, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVE_TEST_TOKEN_UNSET", raising=False)
    with serve_vcalm(env, token=SECRET) as running:
        targets = _write_targets(tmp_path, running.targets_toml(token_env="LIVE_TEST_TOKEN_UNSET"))
        result = _check(str(targets))
    assert result.exit_code == EXIT_CODES[Verdict.INCOMPLETE], result.output     # nothing could be evaluated
    assert "LIVE_TEST_TOKEN_UNSET is not set" in result.output


def test_wrong_token_fails_the_service(env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVE_TEST_TOKEN", "not-the-token")
    with serve_vcalm(env, token=SECRET) as running:
        targets = _write_targets(tmp_path, running.targets_toml(token_env="LIVE_TEST_TOKEN"))
        result = _check(str(targets))
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("auth", [
    'auth = { type = "bearer", token = "inline-secret" }',
    'auth = { type = "bearer", token_env = "OK", token = "inline-secret" }',
    ('auth = { type = "oauth2-client-credentials", token_url = "https://a.example/t", client_id = "c", '
    'client_secret = "inline-secret" }'),
    'auth = { type = "bearer", token_env = "not a variable name" }',
])
def test_schema_refuses_inline_secrets(auth: str, tmp_path: Path) -> None:
    path = _write_targets(tmp_path, f'[[service]]\nrole = "issuer"\nendpoint = "https://a.example"\n{auth}\n')
    with pytest.raises(TargetsFileError, match="targets schema|auth holds") as caught:
        load_targets_file(path)
    assert "inline-secret" not in str(caught.value)       # the refusal names the key, never the value


def test_targets_file_keeps_documents_and_services(tmp_path: Path) -> None:
    path = _write_targets(tmp_path, '[[target]]\npath = "a.json"\n\n[implementation]\nname = "Acme"\n\n'
                                    '[[service]]\nrole = "verifier"\nendpoint = "https://v.example/api/"\n'
                                    'auth = { type = "oauth2-client-credentials", token_url = "https://v.example/t",'
                                    ' client_id = "suite", client_secret_env = "ACME_SECRET", scopes = ["write:/"] }\n')
    loaded = load_targets_file(path)
    assert loaded.documents == (str((tmp_path / "a.json").resolve()),)
    (service,) = loaded.services
    assert (service.role, service.endpoint, service.implementation) == ("verifier", "https://v.example/api", "Acme")
    assert service.auth is not None and service.auth.client_secret_env == "ACME_SECRET"


def test_untested_role_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = _write_targets(tmp_path, '[[service]]\nrole = "wallet"\nendpoint = "https://w.example"\n')
    with pytest.raises(TargetsFileError, match="no live module tests yet"):
        load_targets_file(path)


def test_example_targets_file_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "targets.toml"
    loaded = load_targets_file(example)
    assert {"issuer", "verifier", "exchange", "ob-host", "clr-host", "oid4vci-issuer", "oid4vp-verifier",
            "oid4vci-wallet"} <= {s.role for s in loaded.services}


def test_serve_reference_lists_faults_and_refuses_unknown_ones() -> None:
    from conformance.reference.vcalm import FAULTS

    listed = CliRunner().invoke(main, ["serve-reference", "--list-faults"])
    assert listed.exit_code == 0 and all(name in listed.output for name in FAULTS)
    refused = CliRunner().invoke(main, ["serve-reference", "--fault", "no-such-fault"])
    assert refused.exit_code == 2 and "unknown fault" in refused.output


def test_serve_reference_serves_until_interrupted(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    import httpx

    examples = Path(__file__).resolve().parents[3] / "examples" / "registry"
    command = [sys.executable, "-c", "from conformance.cli import main; main()", "serve-reference", "--artifacts",
               str(artifacts_dir()), "--registry", str(examples)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        assert process.stdout is not None
        while len(lines) < 400 and not (lines and lines[-1].strip() == SERVE_REFERENCE_DONE):
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        assert lines and lines[-1].strip() == SERVE_REFERENCE_DONE, "".join(lines)
        loaded = load_targets_file(_write_targets(tmp_path, "".join(lines)))
        assert {s.role for s in loaded.services} == set(TESTED_ROLES)       # every module's reference is served
        assert all(s.endpoint.startswith("http://127.0.0.1:") for s in loaded.services)
        (registry,) = [line.split()[4] for line in lines if line.startswith("# Credential Registry stand-in: ")]
        answer = httpx.get(f"{registry}/resources/ce-1b7a0d3e-52c4-4f1d-9e6b-8a2c3d4e5f60", timeout=10)
        assert answer.status_code == 200 and answer.json()["ceterms:ctid"] == "ce-1b7a0d3e-52c4-4f1d-9e6b-8a2c3d4e5f60"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
