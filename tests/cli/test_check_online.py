"""`check --online` end to end: status lists fetched through the guarded client from a loopback server we start.

The list server is on 127.0.0.1, so fetches need --allow-private; without it the guard refuses and the status is
cantTell, never a pass. Every exchange lands in results.json as evidence.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conformance.cli import main
from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from conformance.support.securing.status import bitstring_entry, make_bitstring, status_list_credential
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

REVOKED_INDEX, VALID_INDEX = 5, 6


@pytest.fixture
def list_server(env: Environment) -> Iterator[str]:
    """Serves a signed revocation list at /status/1 and answers 404 elsewhere."""
    documents: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/vc" if body is not None else "text/plain")
            self.end_headers()
            self.wfile.write(body if body is not None else b"not found")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    status_key = suite_key("status-ed25519")
    listed = status_list_credential(f"{base}/status/1", status_key.did,
                                    make_bitstring(131_072, [REVOKED_INDEX]))
    signed = sign_document(listed, [{"key": "status-ed25519"}], env.verifier.canonicalizer)
    documents["/status/1"] = json.dumps(signed).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def _badge(env: Environment, tmp_path: Path, list_url: str, index: int) -> Path:
    document = minimal_badge()
    document["credentialStatus"] = bitstring_entry(list_url, index)
    signed = sign_document(document, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    path = tmp_path / f"badge-{index}.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path


def _outcomes(result: Result, requirement: str) -> set[str]:
    (subject,) = json.loads(result.stdout)["results"]
    return {f["outcome"] for f in subject["findings"] if f["requirement"] == requirement}


def test_a_revoked_credential_fails_when_its_list_is_fetched(run, env: Environment, list_server: str,
                                                             tmp_path: Path) -> None:
    badge = _badge(env, tmp_path, f"{list_server}/status/1", REVOKED_INDEX)
    result = run("check", str(badge), "--online", "--allow-private", "--format", "json", "-v",
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert _outcomes(result, "BSL10-not-revoked") == {"failed"}
    assert _outcomes(result, "BSL10-list-verifies") == {"passed"}
    evidence = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["evidence"]["http"]
    assert any(e["url"] == f"{list_server}/status/1" and e.get("status") == 200 for e in evidence), evidence


def test_a_valid_entry_passes_when_its_list_is_fetched(run, env: Environment, list_server: str,
                                                       tmp_path: Path) -> None:
    result = run("check", str(_badge(env, tmp_path, f"{list_server}/status/1", VALID_INDEX)), "--online",
                 "--allow-private", "--format", "json", "-v")
    assert result.exit_code == 0, result.output
    assert _outcomes(result, "BSL10-not-revoked") == {"passed"}


def test_a_list_the_server_does_not_have_fails_retrieval(run, env: Environment, list_server: str,
                                                         tmp_path: Path) -> None:
    result = run("check", str(_badge(env, tmp_path, f"{list_server}/status/gone", REVOKED_INDEX)), "--online",
                 "--allow-private", "--format", "json", "-v")
    assert _outcomes(result, "BSL10-list-retrievable") == {"failed"}
    assert _outcomes(result, "BSL10-not-revoked") == {"cantTell"}


def test_private_addresses_are_refused_without_allow_private(run, env: Environment, list_server: str,
                                                             tmp_path: Path) -> None:
    result = run("check", str(_badge(env, tmp_path, f"{list_server}/status/1", REVOKED_INDEX)), "--online",
                 "--format", "json", "-v")
    # nothing is known to be wrong, and nothing decided the status: incomplete, never a pass
    assert result.exit_code == 3, result.output
    assert "BSL10-not-revoked" in json.loads(result.stdout)["results"][0]["undecided"]
    assert _outcomes(result, "BSL10-list-retrievable") == {"cantTell"}
    assert _outcomes(result, "BSL10-not-revoked") == {"cantTell"}
