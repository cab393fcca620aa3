"""The VCALM live modules against a real peer: the Node peer's VC API face (peers/node/vcapi.mjs, Digital Bazaar's
vc / data-integrity / eddsa-rdfc-2022 libraries behind HTTP handling of its own, written from the VC API
specification and not from the suite's reference service).

The suite runs its issuer, verifier and exchange flows against the peer and records what every VCALM requirement
came to. Nothing is forced to agree: `DEPARTURES` lists each requirement the peer does not pass, with the outcome
and why, and the test asserts the exact table, so a change on either side (the peer fixed, a check changed) fails
it and has to be looked at. The table is printed (`pytest -s`), and README.md "Interop" summarises it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.securing.keys.testkeys import suite_key
from tests.peers.conftest import (
    PEER_DIR,
    REQUEST_TIMEOUT_SECONDS,
    SERVER,
    _context_map,
    _read_port,
    _wait_healthy,
    assert_recorded,
)
from tests.support.exchange.harness import LiveRun, run_targets

pytestmark = pytest.mark.peer

# The peer signs as this key's did:key (a suite test key other than the one the suite's own corpus is signed with).
PEER_ISSUER_KEY = "other-ed25519"
WORKFLOW = "peer-did-auth"

# requirement -> (outcome, why). Every VCALM requirement the run judges and that is not listed here must pass.
DEPARTURES: dict[str, tuple[Outcome, str]] = {
    "VCALM-exchange-request-no-side-effects": (
        Outcome.CANT_TELL, "the peer serves no GET {exchange}/request (404), so the suite has nothing to judge"),
}


@dataclass(frozen=True)
class VcApiPeer:
    base_url: str
    versions: dict[str, str]
    log: Path


@pytest.fixture(scope="module")
def vcapi_peer(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VcApiPeer]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("expected `node` (v20+) on PATH for the peer tests, found none")
    directory = tmp_path_factory.mktemp("node-vcapi-peer")
    contexts = _context_map(env, directory)
    key = suite_key(PEER_ISSUER_KEY)
    key_file = directory / "issuer-key.json"
    key_file.write_text(json.dumps({"publicKeyMultibase": key.public_multibase,
                                    "secretKeyMultibase": key.secret_multibase}))
    key_file.chmod(0o600)
    log = directory / "peer.log"
    with log.open("wb") as log_handle:
        process = subprocess.Popen([node, str(SERVER), "--contexts", str(contexts), "--issuer-key", str(key_file)],
                                   cwd=PEER_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_handle)
    try:
        port = _read_port(process, log)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False,
                          timeout=REQUEST_TIMEOUT_SECONDS) as client:
            health = _wait_healthy(client, process, log)
        yield VcApiPeer(f"http://127.0.0.1:{port}", dict(health["versions"]), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def targets_toml(peer: VcApiPeer) -> str:
    did = suite_key(PEER_ISSUER_KEY).did
    name = f"Node peer (@digitalbazaar/vc {peer.versions['@digitalbazaar/vc']})"
    tags = 'tags = { formats = ["ldp_vc"], cryptosuites = ["eddsa-rdfc-2022"], versions = ["2.0"] }\n'
    return (f'[implementation]\nname = "{name}"\n\n'
            f'[[service]]\nrole = "issuer"\nid = "{did}"\nendpoint = "{peer.base_url}"\n{tags}\n'
            f'[[service]]\nrole = "verifier"\nendpoint = "{peer.base_url}"\n{tags}\n'
            f'[[service]]\nrole = "exchange"\nendpoint = "{peer.base_url}/workflows/{WORKFLOW}"\n'
            "options = { expired_ttl_s = 0.2, expiry_margin_s = 0.3 }\n")


@pytest.fixture(scope="module")
def peer_run(env: Environment, vcapi_peer: VcApiPeer, tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    path = tmp_path_factory.mktemp("vcalm-peer") / "targets.toml"
    path.write_text(targets_toml(vcapi_peer), encoding="utf-8")
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        return run_targets(env, path, client)


def test_the_suite_judges_the_node_peer_as_recorded(peer_run: LiveRun, vcapi_peer: VcApiPeer,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # the VC API service rules; VCALM-WALLET-* judge a wallet, which the peer's services are not
    found = {rid: o for rid, o in peer_run.outcomes("VCALM").items() if not rid.startswith("VCALM-WALLET-")}
    assert len(found) >= 15, f"expected every VCALM requirement judged, found {sorted(found)}"
    assert_recorded(peer_run, found, DEPARTURES,
                    f"VCALM against the Node peer (@digitalbazaar/vc {vcapi_peer.versions['@digitalbazaar/vc']})",
                    capsys)


def test_the_issued_credential_verifies_in_the_suite(peer_run: LiveRun) -> None:
    """What the peer's issuer signed reaches the document checks, and the suite's Data Integrity checks accept it."""
    issuer = next(r for r in peer_run.results if r.subject.endswith("#issuer"))
    embedded = [f for f in issuer.findings if f.subject not in ("", issuer.subject)]
    assert any(f.requirement.startswith("DI10-") and f.outcome is Outcome.PASSED for f in embedded)
    assert not [f for f in embedded if f.requirement.startswith("DI10-") and f.outcome is Outcome.FAILED]


def test_the_peer_answers_what_it_cannot_use_with_problem_details(vcapi_peer: VcApiPeer) -> None:
    """The peer's own HTTP handling: bounded bodies, problem details, the issuer it signs as; it stays up."""
    from conformance.standards.vcalm.flows import credential_template

    with httpx.Client(base_url=vcapi_peer.base_url, trust_env=False, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        answers = {
            "too-large": client.post("/credentials/verify", content=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                                     headers={"content-type": "application/json"}),
            "unknown-exchange": client.post(f"/workflows/{WORKFLOW}/exchanges/no-such-exchange", json={}),
            "other-issuer": client.post("/credentials/issue", json={"credential": credential_template(
                suite_key("issuer-ed25519").did)}),
            "bad-ttl": client.post(f"/workflows/{WORKFLOW}/exchanges", json={"ttl": "forever"}),
        }
        health = client.get("/health")
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "too-large": 413, "unknown-exchange": 404, "other-issuer": 400, "bad-ttl": 400}
    for answer in answers.values():
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert {"type", "title", "detail"} <= set(answer.json())
    assert suite_key(PEER_ISSUER_KEY).did in answers["other-issuer"].json()["detail"]
    assert health.status_code == 200
