"""The OpenID4VCI issuer module against its reference on 127.0.0.1: the conformant reference passes every
requirement and each fault switch makes exactly its requirement fail (both in test_reference_modules.py), secrets
stay out of the transcript, and hostile issuers give findings, never tracebacks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.core.findings import Outcome
from conformance.reference.oid4vci import serve_oid4vci
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.standards.oid4vci.flows import holder_did, well_known
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.net.evidence import REDACTED
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.exchange.servers import misbehave, serve_app

PREFIX = "OID4VCI"


@pytest.fixture(scope="module")
def oid4vci_fault_runs(reference_fault_runs) -> dict[str | None, LiveRun]:  # type: ignore[no-untyped-def]
    return reference_fault_runs(PREFIX)


def test_issued_credential_is_bound_and_judged_by_the_document_checks(
        oid4vci_fault_runs: dict[str | None, LiveRun]) -> None:
    result = oid4vci_fault_runs[None].results[0]
    assert {"OB30", "VCDM20", "DI10"} <= set(result.standards)
    embedded = [f for f in result.findings if f.subject != result.subject and f.subject]
    assert embedded and all("/response/body/credentials/0/credential » " in f.location for f in embedded)
    assert any(f.requirement.startswith("DI10-") and f.outcome is Outcome.PASSED for f in embedded)
    assert holder_did().startswith("did:key:")


def test_codes_and_tokens_stay_out_of_the_transcript(env: Environment, tmp_path: Path) -> None:
    with serve_oid4vci(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(running.targets_toml(), encoding="utf-8")
        loaded = load_targets_file(path)
        subject = next(iter(ServiceTarget(loaded.services, client).subjects(env)))
        steps = subject.transcript.steps
        offer = next(s for s in steps if s.flow == "offer")
        token = next(s for s in steps if s.label == "token/pre-authorized-code")
        assert offer.body["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
            "pre-authorized_code"] == REDACTED
        assert token.request["pre-authorized_code"] == REDACTED and token.body["access_token"] == REDACTED
        sent = [dict(e.request_headers) for e in client.exchanges]
        assert any(h.get("authorization") == REDACTED for h in sent)
        assert all(h.get("authorization") in (None, REDACTED) for h in sent)


def test_well_known_goes_between_host_and_path() -> None:
    assert well_known("https://issuer.example/tenant/1", "openid-credential-issuer") \
        == "https://issuer.example/.well-known/openid-credential-issuer/tenant/1"
    assert well_known("https://issuer.example", "oauth-authorization-server") \
        == "https://issuer.example/.well-known/oauth-authorization-server"


def _hostile_issuer(metadata_mode: str) -> Starlette:
    """An issuer whose metadata is broken (`html`) or whose nonce and credential endpoints misbehave (`ok`)."""
    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def metadata(request: Request) -> Response:
        if metadata_mode == "html":
            return Response("<html>issuer</html>", media_type="text/html")
        return JSONResponse({"credential_issuer": base(request), "credential_endpoint": base(request) + "/huge/c",
                             "nonce_endpoint": base(request) + "/slow/n",
                             "credential_configurations_supported": {"x": {"format": "ldp_vc"}}})

    async def as_metadata(request: Request) -> Response:
        return JSONResponse({"issuer": base(request), "token_endpoint": base(request) + "/token"})

    async def offer(request: Request) -> Response:
        return JSONResponse({"credential_issuer": base(request), "credential_configuration_ids": ["x"],
                             "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code":
                                        {"pre-authorized_code": "c"}}})

    async def token(request: Request) -> Response:
        return JSONResponse({"access_token": "t", "token_type": "Bearer"}, headers={"cache-control": "no-store"})

    return Starlette(routes=[Route("/.well-known/openid-credential-issuer", metadata),
                             Route("/.well-known/oauth-authorization-server", as_metadata),
                             Route("/offer", offer, methods=["POST"]), Route("/token", token, methods=["POST"]),
                             Route("/{mode}/{rest:path}", misbehave, methods=["POST", "GET"])])


def _judge_hostile(env: Environment, tmp_path: Path, mode: str) -> LiveRun:
    tight = FetchPolicy(allow_private=True, read_timeout_s=0.3, timeout_s=2.0, max_bytes=64 * 1024)
    with serve_app(_hostile_issuer(mode)) as url, GuardedClient(tight) as client:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "oid4vci-issuer"\nendpoint = "{url}"\n'
                        f'options = {{ offer_endpoint = "{url}/offer" }}\n', encoding="utf-8")
        return run_targets(env, path, client)


def test_hostile_issuer_endpoints_give_findings_not_tracebacks(env: Environment, tmp_path: Path) -> None:
    outcomes = _judge_hostile(env, tmp_path, "ok").outcomes(PREFIX)
    assert outcomes["OID4VCI-nonce-issued"] is Outcome.ERROR            # no answer in time: we could not judge
    assert outcomes["OID4VCI-credential-issued"] is Outcome.FAILED      # an endless body is the service's defect
    assert outcomes["OID4VCI-metadata-ob30-configuration"] is Outcome.FAILED


def test_issuer_without_usable_metadata_fails_it_and_leaves_the_rest_undecided(env: Environment,
                                                                                tmp_path: Path) -> None:
    outcomes = _judge_hostile(env, tmp_path, "html").outcomes(PREFIX)
    assert outcomes["OID4VCI-metadata-served"] is Outcome.FAILED
    assert outcomes["OID4VCI-credential-issued"] is Outcome.CANT_TELL
    assert outcomes["OID4VCI-proof-wrong-nonce"] is Outcome.CANT_TELL


def test_missing_offer_option_is_an_error_not_a_pass(env: Environment, tmp_path: Path) -> None:
    with serve_oid4vci(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "oid4vci-issuer"\nendpoint = "{running.base_url}"\n', encoding="utf-8")
        run = run_targets(env, path, client)
    outcomes = {rid: o for rid, o in run.outcomes(PREFIX).items()
                if not rid.startswith("OID4VCI-WALLET-")}          # the wallet side is inapplicable to an issuer
    assert set(outcomes.values()) == {Outcome.ERROR}
    assert json.dumps([f.message for r in run.results for f in r.findings]).count("offer_endpoint") >= 1
