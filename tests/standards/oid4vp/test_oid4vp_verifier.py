"""The OpenID4VP verifier module against its reference on 127.0.0.1 (the conformant reference passes and each
fault switch breaks exactly its requirement: test_reference_modules.py), plus what is particular to it: the holder
binding of the valid answer, the request reading, and hostile verifiers giving findings, never tracebacks."""
from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.core.findings import Outcome
from conformance.reference.oid4vp_verifier import serve_oid4vp_verifier
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.standards.oid4vp.flows import (
    AuthorizationRequest,
    new_holder,
    url_params,
    verify_request_object,
)
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.exchange.servers import misbehave, serve_app

PREFIX = "OID4VP-VERIFIER"     # wallet-side OID4VP-WALLET-* rules are inapplicable to a verifier


def test_valid_answer_is_bound_to_nonce_client_and_holder(env: Environment, tmp_path: Path) -> None:
    with serve_oid4vp_verifier(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(running.targets_toml(), encoding="utf-8")
        subject = next(iter(ServiceTarget(load_targets_file(path).services, client).subjects(env)))
        steps = subject.transcript.steps
    labels = [s.label for s in steps]
    assert "respond/valid" in labels and "respond/replay" in labels and "respond/unknown-state" in labels
    valid = next(s for s in steps if s.label == "respond/valid")
    assert valid.status == 200 and isinstance(valid.body.get("redirect_uri"), str)
    assert all(s.status == 400 for s in steps if s.flow == "respond" and s.name != "valid")
    obj = next(s for s in steps if s.label == "request-object/valid")
    assert obj.body["verification"]["result"] == "verified"
    assert obj.body["claims"]["client_id"].startswith("decentralized_identifier:did:key:")


def test_holders_are_fresh_per_run() -> None:
    assert new_holder().did != new_holder().did


def test_request_object_prefix_rules() -> None:
    unsigned = "eyJhbGciOiJub25lIn0.e30."
    assert verify_request_object(unsigned, "redirect_uri:https://v.example/cb")["result"] == "unsigned"
    assert verify_request_object("eyJhbGciOiJFZERTQSJ9.e30.c2ln", "redirect_uri:https://v.example/cb")["result"] \
        == "failed"
    assert verify_request_object("eyJhbGciOiJFZERTQSJ9.e30.c2ln", "x509_san_dns:v.example")["result"] \
        == "unsupported"
    assert verify_request_object("not-a-jwt", "decentralized_identifier:did:key:z6Mk")["result"] == "failed"


def test_by_value_request_parses_dcql() -> None:
    url = ("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fcb"
           "&dcql_query=%7B%22credentials%22%3A%5B%5D%7D")
    params = url_params(url)
    request = AuthorizationRequest("valid", url, params, dict(params))
    assert request.client_id == "redirect_uri:https://v.example/cb" and request.dcql == {"credentials": []}


def _hostile_verifier(mode: str) -> Starlette:
    """A verifier whose start answers garbage (`garbage`) or whose request_uri and response_uri misbehave."""
    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def start(request: Request) -> Response:
        if mode == "garbage":
            return Response("<html>scan the QR code</html>", media_type="text/html")
        return JSONResponse({"authorization_request": f"openid4vp://?client_id=x&request_uri={base(request)}/huge/r"
                             if mode == "huge-request" else
                             f"openid4vp://?client_id=redirect_uri%3A{base(request)}/cb&response_type=vp_token"
                             f"&response_mode=direct_post&response_uri={base(request)}/slow/resp&nonce=n&state=s"})

    return Starlette(routes=[Route("/start", start, methods=["POST"]),
                             Route("/{mode}/{rest:path}", misbehave, methods=["POST", "GET"])])


def _judge_hostile(env: Environment, tmp_path: Path, mode: str) -> LiveRun:
    tight = FetchPolicy(allow_private=True, read_timeout_s=0.3, timeout_s=2.0, max_bytes=64 * 1024)
    with serve_app(_hostile_verifier(mode)) as url, GuardedClient(tight) as client:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "oid4vp-verifier"\nendpoint = "{url}"\n'
                        f'options = {{ request_start = "{url}/start" }}\n', encoding="utf-8")
        return run_targets(env, path, client)


@pytest.mark.parametrize("mode", ["garbage", "huge-request", "slow-response"])
def test_hostile_verifiers_give_findings_not_tracebacks(env: Environment, tmp_path: Path, mode: str) -> None:
    outcomes = _judge_hostile(env, tmp_path, mode).outcomes(PREFIX)
    assert outcomes, mode
    if mode == "garbage":
        assert outcomes["OID4VP-VERIFIER-request-started"] is Outcome.FAILED
        assert outcomes["OID4VP-VERIFIER-accepts-valid"] is Outcome.CANT_TELL
    elif mode == "huge-request":
        assert outcomes["OID4VP-VERIFIER-request-object-served"] is Outcome.FAILED
    else:
        assert outcomes["OID4VP-VERIFIER-nonce-fresh"] is Outcome.FAILED          # the same nonce every time
        assert outcomes["OID4VP-VERIFIER-accepts-valid"] is Outcome.ERROR         # no answer in time


def test_missing_start_option_is_an_error_not_a_pass(env: Environment, tmp_path: Path) -> None:
    with serve_oid4vp_verifier(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "oid4vp-verifier"\nendpoint = "{running.base_url}"\n', encoding="utf-8")
        run = run_targets(env, path, client)
    assert set(run.outcomes(PREFIX).values()) == {Outcome.ERROR}
