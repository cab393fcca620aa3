"""OAuth 2.0 client credentials (auth type "oauth2-client-credentials"): the suite asks the token endpoint for a
bearer token with the client id and secret from environment variables, then calls the services with it.

Against the reference VC API with its token endpoint (serve_vcalm(client_credentials=...)): the right secret gets
a token and the run passes; a wrong secret, or a token endpoint answering garbage, HTML or an endless body, is a
clear setup error (exit 2, every service's findings `error`), never a traceback, and the secret is in no output.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.cli import EXIT_CODES, main
from conformance.core.findings import Verdict
from conformance.reference.vcalm import TOKEN_PATH, serve_vcalm
from conformance.run.environment import Environment
from tests.conftest import artifacts_dir
from tests.support.exchange.servers import hostile_app, serve_app

CLIENT_ID = "ler-conformance-test-client"
SECRET = "cl13nt-s3cr3t-for-the-oauth-tests"
SECRET_ENV = "LIVE_TEST_OAUTH_SECRET"


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with serve_app(hostile_app()) as base:
        yield base


def _with_auth(service_toml: str, token_url: str) -> str:
    auth = (f'auth = {{ type = "oauth2-client-credentials", token_url = "{token_url}", client_id = "{CLIENT_ID}", '
            f'client_secret_env = "{SECRET_ENV}", scopes = ["issue", "verify"] }}')
    return '[implementation]\nname = "oauth test"\n\n' + re.sub(r"(?m)^(endpoint = .*)$", rf"\1\n{auth}",
                                                                  service_toml)


def _check(tmp_path: Path, text: str) -> tuple[int, str, str]:
    targets = tmp_path / "targets.toml"
    targets.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", "--artifacts", str(artifacts_dir()), "--allow-private", "--out",
                                       str(out), "--format", "json", str(targets)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output, (out / "results.json").read_text(encoding="utf-8")


def _outcomes(results_json: str) -> set[str]:
    document = json.loads(results_json)
    return {f["outcome"] for r in document["results"] for f in r["findings"] if f["requirement"].startswith("VCALM-")}


def test_client_credentials_get_a_token_and_the_run_passes(env: Environment, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    with serve_vcalm(env, client_credentials=(CLIENT_ID, SECRET)) as running:
        code, output, written = _check(tmp_path, _with_auth(running.service_toml(), running.base_url + TOKEN_PATH))
    assert code == 0, output
    assert SECRET not in written and SECRET not in output
    document = json.loads(written)
    token_posts = [e for e in document["evidence"]["http"] if e["url"].endswith(TOKEN_PATH)]
    assert token_posts and all(e["status"] == 200 for e in token_posts)
    service_posts = [e for e in document["evidence"]["http"] if e["method"] == "POST" and e not in token_posts]
    assert service_posts and all(["authorization", "[redacted]"] in e["requestHeaders"] for e in service_posts)
    assert "error" not in _outcomes(written) and "passed" in _outcomes(written)


def test_without_a_token_the_reference_refuses(env: Environment, tmp_path: Path) -> None:
    """The token endpoint is what lets the run in: the same services without auth are refused (401)."""
    with serve_vcalm(env, client_credentials=(CLIENT_ID, SECRET)) as running:
        code, output, written = _check(tmp_path, running.targets_toml())
    assert code == 1, output
    assert "401" in written
    with serve_vcalm(env, client_credentials=(CLIENT_ID, SECRET)) as running:    # nor with a made-up token
        answer = httpx.post(running.base_url + "/credentials/verify", json={}, trust_env=False,
                            headers={"authorization": "Bearer None"})
    assert answer.status_code == 401


def test_a_wrong_secret_is_a_clear_setup_error(env: Environment, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "not-the-s3cr3t-of-this-client"
    monkeypatch.setenv(SECRET_ENV, wrong)
    with serve_vcalm(env, client_credentials=(CLIENT_ID, SECRET)) as running:
        code, output, written = _check(tmp_path, _with_auth(running.service_toml(), running.base_url + TOKEN_PATH))
    assert code == EXIT_CODES[Verdict.INCOMPLETE], output          # the flows could not start: nothing evaluated
    assert _outcomes(written) <= {"error", "inapplicable"} and "error" in _outcomes(written)
    assert "(the client credentials are refused)" in written and "found HTTP 401" in written
    for secret in (wrong, SECRET):
        assert secret not in written and secret not in output


async def _token_garbage(request: Request) -> Response:
    mode = request.path_params["mode"]
    if mode == "html-200":
        return Response("<html><body>Sign in</body></html>", media_type="text/html")
    if mode == "not-json":
        return Response(b"\x00\xffaccess_token", media_type="application/json")
    if mode == "no-token":
        return JSONResponse({"token": "x", "expires_in": 3600})
    if mode == "mac-token":
        return JSONResponse({"access_token": "abc", "token_type": "mac"})
    return JSONResponse({"error": "nothing here"}, status_code=404)


@pytest.fixture(scope="module")
def garbage() -> Iterator[str]:
    with serve_app(Starlette(routes=[Route("/{mode}/token", _token_garbage, methods=["POST"])])) as base:
        yield base


@pytest.mark.parametrize(("server", "mode", "reason"), [
    ("garbage", "html-200", "bytes of text/html"),
    ("garbage", "not-json", "without a usable access token"),
    ("garbage", "no-token", "without a usable access token"),
    ("garbage", "mac-token", "only bearer tokens"),
    ("hostile", "html", "found HTTP 201"),                  # an HTML page with 201
    ("hostile", "huge", "sends more than"),                 # an endless JSON body past the cap
    ("hostile", "error", "found HTTP 500"),
    ("hostile", "redirect", "found HTTP 307"),              # redirects are not followed for the token request
])
def test_a_token_endpoint_that_misbehaves_is_a_clear_setup_error(server: str, mode: str, reason: str,
                                                                 env: Environment, request: pytest.FixtureRequest,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    base = request.getfixturevalue(server)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    with serve_vcalm(env, client_credentials=(CLIENT_ID, SECRET)) as running:
        code, output, written = _check(tmp_path, _with_auth(running.service_toml(), f"{base}/{mode}/token"))
    assert code == EXIT_CODES[Verdict.INCOMPLETE], output
    assert _outcomes(written) <= {"error", "inapplicable"} and "error" in _outcomes(written)
    assert "the OAuth 2.0 token endpoint" in written and reason in written
    assert SECRET not in written and SECRET not in output
