"""The CLR 2.0 host API module (CLR20API) against the reference CLR host on 127.0.0.1. The conformant host passing
every CLR20API requirement and each clr- switch breaking exactly its requirement are in test_reference_modules.py;
here: the rules are the OB30API bodies under the CLR prefix (one body, two IDs, each in its own catalog), the flows
use the CLR base path, scopes and a signed ClrCredential, listed ClrCredentials reach the CLR 2.0 document checks,
secrets stay out of the results, and hostile hosts give findings, never a crash."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.reference import clrapi, obapi
from conformance.run.environment import Environment
from conformance.standards.ob.api_v3_0.flows import CLR20, OB30, host_credential
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.exchange.servers import hostile_app, serve_app


@pytest.fixture(scope="module")
def clrapi_runs(reference_fault_runs) -> dict[object, LiveRun]:
    return reference_fault_runs("CLR20API")


def test_one_rule_body_two_requirement_ids(env: Environment) -> None:
    ob = {rid.removeprefix("OB30API-") for rid in env.check_registry.checks if rid.startswith("OB30API-")}
    clr = {rid.removeprefix("CLR20API-") for rid in env.check_registry.checks if rid.startswith("CLR20API-")}
    assert ob and ob == clr
    for name in ob:
        one, other = env.check_registry.checks[f"OB30API-{name}"].fn, env.check_registry.checks[f"CLR20API-{name}"].fn
        assert one is not other and one.__code__ is other.__code__          # the same body, registered twice
        assert env.catalog[f"CLR20API-{name}"].level == env.catalog[f"OB30API-{name}"].level
    assert {v.removeprefix("CLR20API-") for v in clrapi.FAULTS.values()} == \
        {v.removeprefix("OB30API-") for v in obapi.FAULTS.values()}
    assert all(switch.startswith("clr-") for switch in clrapi.FAULTS)


def test_flows_speak_the_clr_api(clrapi_runs: dict[object, LiveRun]) -> None:
    host = clrapi_runs[None].results[0]
    assert "CLR20API" in host.standards and "OB30API" not in host.standards
    evidence = repr(host)
    assert "/ims/clr/v2p0/credentials" in evidence and "/ims/ob/v3p0" not in evidence
    assert CLR20.scope_base + "credential.readonly" in evidence and OB30.scope_base not in evidence


def test_listed_clr_credentials_are_judged_by_the_document_checks(clrapi_runs: dict[object, LiveRun]) -> None:
    host = clrapi_runs[None].results[0]
    assert {"CLR20", "OB30", "VCDM20", "DI10"} <= set(host.standards)
    embedded = [f for f in host.findings if f.subject and f.subject != host.subject]
    assert embedded and all("/response/body/credential/" in f.location or "/response/body/compactJwsString/"
                            in f.location for f in embedded)
    # the ClrCredential the host lists as a compact JWS is judged there, its signature verified
    assert {f.outcome for f in embedded if f.requirement == "CLR20-proof-verifies"
            and "/response/body/compactJwsString/0 " in f.location} == {Outcome.PASSED}
    passed = {f.requirement.split("-", 1)[0] for f in embedded if f.outcome is Outcome.PASSED}
    assert {"CLR20", "OB30", "DI10"} <= passed
    # the nested OpenBadgeCredential of each listed CLR is judged too
    assert any("» /credentialSubject/verifiableCredential/0" in f.location or
               "/credentialSubject/verifiableCredential/0" in f.location for f in embedded)
    assert not [f for f in embedded if f.outcome in (Outcome.FAILED, Outcome.ERROR)]


def test_the_suite_upserts_a_signed_clr(env: Environment) -> None:
    credential = host_credential(env.verifier.canonicalizer, CLR20, CLR20.upsert_id, "x")
    assert credential["type"] == ["VerifiableCredential", "ClrCredential"] and "proof" in credential
    nested = credential["credentialSubject"]["verifiableCredential"]
    assert len(nested) == 1 and "OpenBadgeCredential" in nested[0]["type"] and "proof" in nested[0]
    credential["name"] = "changed"      # callers get a copy
    assert host_credential(env.verifier.canonicalizer, CLR20, CLR20.upsert_id, "x")["name"] == "x"


def test_secrets_stay_out_of_results(clrapi_runs: dict[object, LiveRun]) -> None:
    text = repr(clrapi_runs[None].results)
    assert "Bearer " not in text and "Basic " not in text
    for member in ("'client_secret': '", "'access_token': '", "code="):
        assert all(rest.startswith("[redacted]") for rest in text.split(member)[1:]), member


def test_service_toml_names_the_clr_role(env: Environment) -> None:
    with clrapi.serve(env) as running:
        entry = running.service_toml()
        assert running.targets_toml().endswith(entry)
    assert 'role = "clr-host"' in entry and "/ims/clr/v2p0" in entry and 'versions = ["2.0"]' in entry


@pytest.mark.parametrize("mode", ["slow", "html"])
def test_hostile_clr_host_gives_findings_not_a_crash(mode: str, env: Environment, tmp_path: Path) -> None:
    with serve_app(hostile_app()) as base:
        path = tmp_path / "targets.toml"
        path.write_text(f'[[service]]\nrole = "clr-host"\nendpoint = "{base}/{mode}/ims/clr/v2p0"\n',
                        encoding="utf-8")
        policy = FetchPolicy(allow_private=True, read_timeout_s=1.0, timeout_s=2.0, max_bytes=256 * 1024)
        with GuardedClient(policy) as client:
            run = run_targets(env, path, client)
    outcomes = run.outcomes("CLR20API")
    assert outcomes["CLR20API-discovery-open"] in (Outcome.FAILED, Outcome.ERROR)
    assert Outcome.PASSED not in {o for rid, o in outcomes.items() if rid != "CLR20API-revoked-token-refused"}
    # a host that answers nothing usable leaves registration nothing to go on (cantTell); one that never answers
    # at all (slow) could not be evaluated for any rule (error)
    assert outcomes["CLR20API-registration"] is (Outcome.ERROR if mode == "slow" else Outcome.CANT_TELL)
    assert not run.outcomes("OB30API")
