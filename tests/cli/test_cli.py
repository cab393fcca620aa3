"""The `ler-conformance` command: output shapes, exit codes, results.json, artifacts and vectors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def _file(tmp_path: Path, name: str, content: dict | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def test_a_conformant_badge_passes_with_exit_zero(run, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("check", str(_file(tmp_path, "badge.json", minimal_badge())), "--profile", "data-model")
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "Open Badges 3.0" in result.output


def test_json_output_has_the_documented_shape(run, tmp_path: Path) -> None:  # noqa: ANN001
    document = minimal_badge()
    del document["issuer"]
    result = run("check", str(_file(tmp_path, "bad.json", document)), "--format", "json", "--profile", "data-model")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert set(payload) == {"suite_version", "verdict", "scope", "results"} and payload["verdict"] == "fail"
    (entry,) = payload["results"]
    assert set(entry) == {"subject", "verdict", "standards", "findings", "input"}
    assert entry["verdict"] == "fail" and {"VCDM20", "OB30"} <= set(entry["standards"])
    failed = [f for f in entry["findings"] if f["outcome"] == "failed"]
    assert failed and all(set(f) == {"requirement", "outcome", "level", "location", "message"} for f in failed)
    assert any(f["requirement"].startswith("VCDM20-issuer") for f in failed)


def test_malformed_json_fails_with_a_located_message(run, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("check", str(_file(tmp_path, "broken.json", b'{"@context": [')), "--format", "json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["results"]
    (failed,) = [f for f in entry["findings"] if f["outcome"] == "failed"]
    assert failed["requirement"] == "CORE-json-wellformed" and "line 1" in failed["message"]


def test_an_input_beyond_the_limits_is_an_error_and_the_run_incomplete(run, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("check", str(_file(tmp_path, "deep.json", b"[" * 10_000 + b"]" * 10_000)), "--format", "json")
    assert result.exit_code == 3
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["verdict"] == "incomplete" and entry["undecided"] == ["CORE-input-limits"]
    assert [f["requirement"] for f in entry["findings"] if f["outcome"] == "error"] == ["CORE-input-limits"]


def test_an_unpinned_context_is_an_error_that_names_the_url(run, tmp_path: Path) -> None:  # noqa: ANN001
    document = minimal_badge()
    document["@context"].append("https://contexts.example.org/private.json")
    result = run("check", str(_file(tmp_path, "ctx.json", document)), "--format", "json", "--profile", "data-model")
    assert result.exit_code == 3
    (entry,) = json.loads(result.stdout)["results"]
    errors = [f for f in entry["findings"] if f["outcome"] == "error"]
    assert errors and all("https://contexts.example.org/private.json" in f["message"] for f in errors)


def test_a_directory_means_every_file_in_it_and_out_writes_results(run, tmp_path: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "in"
    folder.mkdir()
    _file(folder, "a.json", minimal_badge())
    _file(folder, "b.json", b"not json at all")
    result = run("check", str(folder), "--out", str(tmp_path / "out"), "--profile", "data-model")
    assert result.exit_code == 1
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert document["summary"]["subjects"] == 2 and document["profile"] == "data-model"
    assertion_keys = {"target", "subject", "requirement", "outcome", "level", "location", "message"}
    assert document["assertions"] and all(set(a) == assertion_keys for a in document["assertions"])
    assert {Path(a["subject"]).name for a in document["assertions"]} == {"a.json", "b.json"}


def test_usage_errors_exit_two(run, tmp_path: Path) -> None:  # noqa: ANN001
    assert run("check", str(tmp_path / "nope.json")).exit_code == 2
    assert run("check", str(_file(tmp_path, "a.json", minimal_badge())), "--profile", "nope").exit_code == 2


def test_artifacts_verify_reports_missing_pins(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    assert run("artifacts", "verify").exit_code == 0
    monkeypatch.setenv("LER_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    result = run("artifacts", "verify", "--artifacts", str(tmp_path))
    assert result.exit_code == 2 and "missing" in result.output


def test_vectors_export_writes_every_vector(run, tmp_path: Path) -> None:  # noqa: ANN001
    from conformance.run.vectors import load_vectors

    result = run("vectors", "export", str(tmp_path / "v"))
    assert result.exit_code == 0
    assert len([p for p in (tmp_path / "v").rglob("*") if p.is_file()]) == len(load_vectors())
    assert (tmp_path / "v-documents" / "documents.toml").is_file()


def test_vectors_export_without_the_artifacts_says_why_in_one_line(tmp_path: Path) -> None:
    """In a process of its own: the artifact store and the canonicalizer built over it are cached per process."""
    env = {**os.environ, "LER_CONFORMANCE_ARTIFACTS": str(tmp_path / "empty"),
           "LER_CONFORMANCE_CACHE": str(tmp_path / "empty-cache")}
    done = subprocess.run([sys.executable, "-c", "from conformance.cli import main; main()", "vectors", "export",
                           str(tmp_path / "v")], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert line.startswith("error: the vectors cannot be signed: context ") and "artifacts fetch" in line


def test_requirements_lists_the_catalog(run) -> None:  # noqa: ANN001
    result = run("requirements", "--format", "json")
    rows = json.loads(result.stdout)
    assert any(r["id"] == "CORE-utf8" and r["url"].startswith("https://") for r in rows)


def _serve(directory: Path, tamper: bool = False):  # noqa: ANN202
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

        def send_head(self):  # noqa: ANN202
            if tamper:
                self.send_response(200)
                self.send_header("Content-Length", "9")
                self.end_headers()
                return __import__("io").BytesIO(b"tampered!")
            return super().send_head()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_the_bootstrap_fills_an_empty_cache_from_a_loopback_mirror(
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """What `make demo` and `make test` do first on a clone with nothing beside it: `artifacts fetch`, with the
    mirror named by LER_CONFORMANCE_MIRROR (a mirror the user names may be on loopback)."""
    import hashlib

    from conformance.support.artifacts import load_pins
    from conformance.support.resources import shapes_dir

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for path in artifacts_dir().rglob("*"):
        if path.is_file():
            (mirror / hashlib.sha256(path.read_bytes()).hexdigest()).write_bytes(path.read_bytes())
    cache = tmp_path / "cache"
    monkeypatch.setenv("LER_CONFORMANCE_CACHE", str(cache))
    monkeypatch.delenv("LER_CONFORMANCE_ARTIFACTS")
    pins = load_pins(shapes_dir() / "pins.toml")
    assert run("artifacts", "verify").exit_code == 2
    server, url = _serve(mirror)
    monkeypatch.setenv("LER_CONFORMANCE_MIRROR", url)
    try:
        result = run("artifacts", "fetch")
        again = run("artifacts", "fetch")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"fetching {len(pins)} of {len(pins)} pinned artifacts from {url} into {cache}"
    progress = [line for line in lines if " fetched https://" in line]
    assert len(progress) == len(pins) and progress[0].startswith(f"  1/{len(pins)} fetched https://")
    assert lines[-1] == f"all {len(pins)} pinned artifacts are in place ({cache})"
    assert again.exit_code == 0 and again.stdout.strip() == f"all {len(pins)} pinned artifacts are available"
    verified = run("artifacts", "verify")
    assert verified.exit_code == 0
    assert verified.stdout.splitlines()[-1] == f"all {len(pins)} pinned artifacts are available and match their hashes"
    assert {p.name for p in cache.iterdir()} == {pin.sha256 for pin in pins.values()}


def test_offline_without_a_mirror_the_bootstrap_says_the_three_ways_out_in_one_sentence(
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """No network in tests: the guarded client answers as it does offline (the host cannot be resolved)."""
    from conformance.support.net import FetchError, GuardedClient
    from conformance.support.net.errors import FetchReason

    tried: list[str] = []

    def offline(self: GuardedClient, url: str, *args: object, **kwargs: object) -> bytes:
        tried.append(url)
        raise FetchError(FetchReason.CONNECTION, f"{url} cannot be reached: the name does not resolve", url=url)

    monkeypatch.setattr(GuardedClient, "fetch", offline)
    monkeypatch.setenv("LER_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LER_CONFORMANCE_ARTIFACTS")
    monkeypatch.delenv("LER_CONFORMANCE_MIRROR", raising=False)
    result = run("artifacts", "fetch")
    assert result.exit_code == 2
    assert len(tried) == 1 and tried[0].startswith("https://")         # the first unreachable pin stops it
    (error,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert error.startswith("error: ")
    assert "pinned artifacts are missing and the network cannot be reached: point " in error
    assert "LER_CONFORMANCE_ARTIFACTS" in error and "LER_CONFORMANCE_MIRROR" in error
    assert "connect to the network" in error and "Traceback" not in result.output


def test_artifacts_fetch_refuses_bytes_with_another_hash(run, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("LER_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LER_CONFORMANCE_ARTIFACTS")
    server, url = _serve(tmp_path, tamper=True)
    try:
        result = run("artifacts", "fetch", "--mirror", url, "--allow-private")
    finally:
        server.shutdown()
    assert result.exit_code == 2 and "sha256" in result.output
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_check_fetches_a_document_from_a_url(run, tmp_path: Path) -> None:  # noqa: ANN001
    _file(tmp_path, "badge.json", minimal_badge())
    server, url = _serve(tmp_path)
    try:
        refused = run("check", f"{url}/badge.json", "--profile", "data-model", "--format", "json")
        result = run("check", f"{url}/badge.json", "--profile", "data-model", "--format", "json", "--allow-private",
                     "--out", str(tmp_path / "out"))
        missing = run("check", f"{url}/nope.json", "--format", "json", "--allow-private")
    finally:
        server.shutdown()
    (entry,) = json.loads(refused.stdout)["results"]
    assert refused.exit_code == 3 and any(f["requirement"] == "CORE-input-readable" and "private" in f["message"]
                                          for f in entry["findings"])
    assert result.exit_code == 0, result.output
    (exchange,) = json.loads((tmp_path / "out" / "results.json").read_text())["evidence"]["http"]
    assert exchange["url"] == f"{url}/badge.json" and exchange["status"] == 200
    assert json.loads(result.stdout)["results"][0]["verdict"] == "pass"
    # the input's own server says the document is not there: the input's defect, not the suite's limit
    assert missing.exit_code == 1
    (entry,) = json.loads(missing.stdout)["results"]
    (failed,) = [f for f in entry["findings"] if f["outcome"] == "failed"]
    assert failed["requirement"] == "CORE-input-readable" and "404" in failed["message"]
    assert not [f for f in entry["findings"] if f["outcome"] == "error"]


def test_online_fetches_an_unpinned_context_that_offline_refuses(run, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "hours.json").write_text(json.dumps({"@context": {"hoursOfStudy": "https://example.org/v#hours"}}))
    server, url = _serve(tmp_path)
    document = minimal_badge()
    document["@context"].append(f"{url}/hours.json")
    document["credentialSubject"]["achievement"]["hoursOfStudy"] = 12
    path = _file(tmp_path, "badge.json", document)
    try:
        offline = run("check", str(path), "--profile", "data-model", "--format", "json")
        online = run("check", str(path), "--profile", "data-model", "--format", "json", "--online",
                     "--allow-private")
    finally:
        server.shutdown()
    assert offline.exit_code == 3 and f"{url}/hours.json" in offline.output
    assert online.exit_code == 0, online.output
