"""The Node peer (peers/node): one process per test session (per xdist worker), started here and ended here.

The peer serves JSON-LD contexts only from the file this fixture writes (our pinned artifacts) and resolves
did:key itself, so both sides canonicalize against the same bytes and neither touches the network.
"""
from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from conformance.core.findings import Outcome
from tests.conftest import REPO
from tests.peers.documents import pinned_context_paths

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from tests.support.exchange.harness import LiveRun

PEER_DIR = REPO / "peers" / "node"
SERVER = PEER_DIR / "server.mjs"
# Guards against a peer that hangs at start-up; never asserted on, only a bound on waiting.
START_DEADLINE_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 60.0


class PeerError(Exception):
    """The peer answered a request with an error status (it refused the input, or the request was malformed)."""

    def __init__(self, route: str, status: int, message: str):
        super().__init__(f"the Node peer answered {route} with {status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class NodePeer:
    client: httpx.Client = field(repr=False)
    versions: dict[str, str]
    log: Path

    def post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(route, json=body)
        answer = response.json()
        if response.status_code != 200:
            raise PeerError(route, response.status_code, str(answer.get("error")))
        return answer

    def verify(self, document: dict[str, Any], **options: Any) -> dict[str, Any]:
        member = "presentation" if "VerifiablePresentation" in document.get("type", []) else "credential"
        return self.post("/verify", {member: document, "options": options})

    def sign(self, document: dict[str, Any], *, cryptosuite: str, public_multibase: str, secret_multibase: str,
             **options: Any) -> dict[str, Any]:
        member = "presentation" if "VerifiablePresentation" in document.get("type", []) else "credential"
        return self.post("/sign", {member: document, "cryptosuite": cryptosuite, "options": options,
                                   "key": {"publicKeyMultibase": public_multibase,
                                           "secretKeyMultibase": secret_multibase}})


def _context_map(env: Environment, directory: Path) -> Path:
    mapping = {url: str(path) for url, path in pinned_context_paths(env, "Node peer").items()}
    target = directory / "contexts.json"
    target.write_text(json.dumps(mapping, indent=1, sort_keys=True))
    return target


def _read_port(process: subprocess.Popen[bytes], log: Path) -> int:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(timeout=remaining):
            break
        chunk = os.read(process.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
    selector.close()
    try:
        return int(json.loads(line)["port"])
    except (ValueError, KeyError, TypeError):
        pytest.fail(f"expected the Node peer to print {{\"port\": N}} first, found {line!r}; "
                    f"exit code {process.poll()}; its log ({log}):\n{log.read_text()[-4000:]}")


def _wait_healthy(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    last: Exception | None = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            response = client.get("/health")
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError as exc:
            last = exc
        time.sleep(0.05)
    pytest.fail(f"expected GET /health on the Node peer to answer 200, found {last or 'no answer'}; "
                f"exit code {process.poll()}; its log ({log}):\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def node_peer(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodePeer]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("expected `node` (v20+) on PATH for the peer tests, found none")
    if not (PEER_DIR / "node_modules").is_dir():
        pytest.fail(f"expected the Node peer's packages in {PEER_DIR / 'node_modules'}, found none: "
                    f"run `make test` (or `npm ci` in peers/node)")
    directory = tmp_path_factory.mktemp("node-peer")
    contexts = _context_map(env, directory)
    log = directory / "peer.log"
    with log.open("wb") as log_handle:
        process = subprocess.Popen([node, str(SERVER), "--contexts", str(contexts)], cwd=PEER_DIR,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_handle)
    client: httpx.Client | None = None
    try:
        port = _read_port(process, log)
        # trust_env=False: a proxy from the environment must never see loopback traffic
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False,
                              timeout=REQUEST_TIMEOUT_SECONDS)
        health = _wait_healthy(client, process, log)
        yield NodePeer(client=client, versions=dict(health["versions"]), log=log)
    finally:
        if client is not None:
            client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def assert_recorded(run: LiveRun, found: Mapping[str, Outcome], table: Mapping[str, tuple[Outcome, str]],
                    title: str, capsys: pytest.CaptureFixture[str],
                    explain: Callable[[str], str] | None = None) -> None:
    """What a live module found against a peer, printed as a table, is exactly the recorded departures: every
    requirement not in `table` passes, every one in it comes to the outcome it names (`explain` gives a row's
    reason when the table has none; by default the suite's own message)."""
    reason = explain or (lambda rid: run.why(rid)[:110])
    rows = [f"{rid:50} {outcome.value:10} {table.get(rid, (None, ''))[1] or reason(rid)}"
            for rid, outcome in found.items()]
    with capsys.disabled():
        print(f"\n{title}:")
        print("\n".join(rows))
    departures = {rid: outcome for rid, outcome in found.items() if outcome is not Outcome.PASSED}
    expected = {rid: outcome for rid, (outcome, _) in table.items()}
    assert departures == expected, "\n".join(
        [f"expected the departures {expected}, found {departures}; why, as the suite says:"]
        + [f"  {rid}: {run.why(rid)}" for rid in sorted(set(departures) | set(expected))])
