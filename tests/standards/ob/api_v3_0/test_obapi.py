"""The Open Badges 3.0 host API module against the reference host on 127.0.0.1: the conformant host passes every
OB30API requirement and each fault switch makes exactly its requirement fail (both in test_reference_modules.py),
returned credentials reach the document checks, secrets stay out of the transcript, and hostile hosts give findings,
never a crash."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.standards.ob.api_v3_0.flows import next_link, oauth_urls
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.exchange.servers import hostile_app, serve_app


@pytest.fixture(scope="module")
def obapi_runs(reference_fault_runs) -> dict[object, LiveRun]:
    return reference_fault_runs("OB30API")


def test_listed_credentials_are_judged_by_the_document_checks(obapi_runs: dict[object, LiveRun]) -> None:
    host = obapi_runs[None].results[0]
    assert {"OB30", "VCDM20", "DI10"} <= set(host.standards)
    embedded = [f for f in host.findings if f.subject and f.subject != host.subject]
    assert embedded and all("/response/body/credential/" in f.location or "/response/body/compactJwsString/"
                            in f.location for f in embedded)
    assert any(f.requirement.startswith("DI10-") and f.outcome is Outcome.PASSED for f in embedded)


JWT_CHECKS = {"OB30-jwt-alg", "OB30-jwt-typ", "OB30-jwt-key-reference", "OB30-jwt-iss", "OB30-jwt-jti",
              "OB30-jwt-nbf", "OB30-jwt-sub", "OB30-proof-verifies"}


def _jws_findings(run: LiveRun) -> dict[str, set[Outcome]]:
    host = run.results[0]
    found: dict[str, set[Outcome]] = {}
    for f in host.findings:
        if re.search(r"/response/body/compactJwsString/\d+( |$)", f.location or ""):
            found.setdefault(f.requirement, set()).add(f.outcome)
    return found


def test_listed_jws_is_judged_by_the_jwt_checks(obapi_runs: dict[object, LiveRun]) -> None:
    """The reference lists one credential as a compact JWS (a VC-JWT with OB claims); the JOSE checks of the OB 3.0
    JWT form, the signature among them, judge it there and pass."""
    found = _jws_findings(obapi_runs[None])
    assert JWT_CHECKS <= set(found)
    assert all(found[rid] == {Outcome.PASSED} for rid in JWT_CHECKS)
    assert {"CORE-jws-compact", "OB30-credential-type"} <= {r for r, o in found.items() if o == {Outcome.PASSED}}


def test_listed_jws_with_a_broken_signature_fails_there(env: Environment, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a fault switch (no API requirement is broken): the host lists a JWS whose signature does not verify, and
    the signature check fails at that entry."""
    from conformance.reference import obapi as reference

    good = reference._seeded_jws(env.verifier.canonicalizer)
    head, _, signature = good.rpartition(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    monkeypatch.setattr(reference, "_seeded_jws", lambda canonicalizer, flavour: f"{head}.{flipped}")
    with reference.serve_obapi(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(running.targets_toml(), encoding="utf-8")
        run = run_targets(env, path, client)
    found = _jws_findings(run)
    assert found["OB30-proof-verifies"] == {Outcome.FAILED}
    assert found["OB30-jwt-alg"] == {Outcome.PASSED}
    assert all(o is Outcome.PASSED for rid, o in run.outcomes("OB30API").items() if "-CLIENT-" not in rid)


def test_secrets_stay_out_of_results(obapi_runs: dict[object, LiveRun]) -> None:
    text = repr(obapi_runs[None].results)
    assert "Bearer " not in text and "Basic " not in text
    for member in ("'client_secret': '", "'access_token': '", "code="):
        assert all(rest.startswith("[redacted]") for rest in text.split(member)[1:]), member


def test_transcript_keeps_no_secret(env: Environment, tmp_path: Path) -> None:
    from conformance.reference.obapi import serve_obapi
    from conformance.run.targets.services import load_targets_file
    from conformance.support.exchange.service import ServiceSubject

    with serve_obapi(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = tmp_path / "targets.toml"
        path.write_text(running.targets_toml(), encoding="utf-8")
        service = load_targets_file(path).services[0]
        transcript = ServiceSubject(service=service, client=client, env=env).transcript
    dumped = json.dumps([(s.url, s.request, s.headers, s.body) for s in transcript.steps], default=str)
    registered = next(s for s in transcript.steps if s.flow == "register")
    assert registered.body["client_secret"] == "[redacted]"
    tokens = [s for s in transcript.steps if s.flow == "token"]
    assert tokens and all(s.body["access_token"] == "[redacted]" for s in tokens)
    assert all(s.request["code"] == "[redacted]" and s.request["code_verifier"] == "[redacted]" for s in tokens)
    assert "code=[redacted]" in dumped and "authorization" not in {k for s in transcript.steps for k, _ in s.headers}


@pytest.mark.parametrize("mode", ["slow", "huge", "html", "redirect"])
def test_hostile_host_gives_findings_not_a_crash(mode: str, env: Environment, tmp_path: Path) -> None:
    with serve_app(hostile_app()) as base:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "ob-host"\nendpoint = "{base}/{mode}/ims/ob/v3p0"\n', encoding="utf-8")
        policy = FetchPolicy(allow_private=True, read_timeout_s=1.0, timeout_s=2.0, max_bytes=256 * 1024)
        with GuardedClient(policy) as client:
            run = run_targets(env, path, client)
    outcomes = run.outcomes("OB30API")
    assert outcomes["OB30API-discovery-open"] in (Outcome.FAILED, Outcome.ERROR)
    assert Outcome.PASSED not in {o for rid, o in outcomes.items() if rid != "OB30API-revoked-token-refused"}
    # a host that answers nothing usable leaves registration nothing to go on (cantTell); one that never answers
    # at all (slow) could not be evaluated for any rule (error)
    assert outcomes["OB30API-registration"] is (Outcome.ERROR if mode == "slow" else Outcome.CANT_TELL)


def test_oauth_urls_and_links_resolve_relative_references() -> None:
    description = {"components": {"securitySchemes": {"OAuth2ACG": {
        "x-imssf-registrationUrl": "oauth/register",
        "flows": {"authorizationCode": {"authorizationUrl": "/auth", "tokenUrl": "https://h.example/token"}}}}}}
    assert oauth_urls(description, "https://h.example/ims/ob/v3p0") == {
        "registration": "https://h.example/ims/ob/v3p0/oauth/register", "authorization": "https://h.example/auth",
        "token": "https://h.example/token"}
    header = '<https://h.example/c?limit=2&offset=0>; rel="first", <https://h.example/c?limit=2&offset=2>; rel="next"'
    assert next_link(header, "https://h.example/c") == "https://h.example/c?limit=2&offset=2"
    assert next_link('<x>; rel="last"', "https://h.example/c") is None
    assert next_link(None, "https://h.example/c") is None


def test_pre_issued_refresh_token_drives_a_host_without_the_consent_step(env: Environment, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A host whose consent page needs a person: the vendor registers and signs in once, the targets file names the
    variables holding the client and its refresh token, and the suite judges everything after the grant."""
    import base64
    from urllib.parse import parse_qs, urlsplit

    import httpx

    from conformance.reference.obapi import serve_obapi
    from conformance.standards.ob.api_v3_0.flows import REDIRECT_URI, SCOPES, _pkce

    with serve_obapi(env) as running:
        api = running.endpoint
        with httpx.Client() as http:          # the vendor's one-off sign-in, done by hand
            client = http.post(f"{api}/oauth/register", json={"redirect_uris": [REDIRECT_URI]}).json()
            verifier, challenge = _pkce()
            redirect = http.get(f"{api}/oauth/authorize", params={
                "response_type": "code", "client_id": client["client_id"], "redirect_uri": REDIRECT_URI,
                "scope": " ".join(SCOPES.values()), "state": "s", "code_challenge": challenge,
                "code_challenge_method": "S256"}).headers["location"]
            basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
            grant = http.post(f"{api}/oauth/token", headers={"authorization": f"Basic {basic}"}, data={
                "grant_type": "authorization_code", "code": parse_qs(urlsplit(redirect).query)["code"][0],
                "redirect_uri": REDIRECT_URI, "code_verifier": verifier}).json()
        monkeypatch.setenv("OB_TEST_CLIENT_ID", client["client_id"])
        monkeypatch.setenv("OB_TEST_CLIENT_SECRET", client["client_secret"])
        monkeypatch.setenv("OB_TEST_REFRESH", grant["refresh_token"])
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "ob-host"\nendpoint = "{api}"\n'
                        'options = { client_id_env = "OB_TEST_CLIENT_ID", client_secret_env = "OB_TEST_CLIENT_SECRET",'
                        ' refresh_token_env = "OB_TEST_REFRESH" }\n', encoding="utf-8")
        with GuardedClient(FetchPolicy(allow_private=True)) as guarded:
            run = run_targets(env, path, guarded)
    outcomes = {rid: o for rid, o in run.outcomes("OB30API").items() if "-CLIENT-" not in rid}   # client apps' rules
    manual = {"OB30API-registration", "OB30API-authorize-redirect", "OB30API-pkce-verified",
              "OB30API-scope-enforced"}
    assert {rid for rid, o in outcomes.items() if o is Outcome.CANT_TELL} == manual
    assert outcomes["OB30API-revoked-token-refused"] is Outcome.INAPPLICABLE
    assert all(o is Outcome.PASSED for rid, o in outcomes.items()
               if rid not in manual | {"OB30API-revoked-token-refused"})
    assert grant["refresh_token"] not in repr(run.results)
