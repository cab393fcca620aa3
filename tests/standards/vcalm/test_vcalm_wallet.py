"""The VC API wallet module (the suite as the exchange server, LCW-style deep links) against the reference wallet on
127.0.0.1: each fault switch breaks exactly its requirement (test_reference_modules.py); here, the two deep-link
forms read back as what the suite meant, the request the wallet gets is a DIDAuthentication request, the wallet's
QueryByExample matching, and hostile or absent wallets give findings, never hangs or passes."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.reference.wallet import Store
from conformance.reference.wallet_vcapi import VcapiHolder, is_vcapi_link, matching, serve
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.standards.oid4vci.counterparty import OB30_CONTEXTS
from conformance.standards.vcalm.counterparty import MAX_PRESENTED, observe_credentials, parse_link
from conformance.support.exchange.service import ServiceSubject
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, Phone, run_targets

WALLET = "VCALM-WALLET"
RULES = 11


def _targets(tmp_path: Path, service: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "wallet under test"\n\n' + service, encoding="utf-8")
    return path


def _subject(env: Environment, path: Path, client: GuardedClient) -> ServiceSubject:
    services = load_targets_file(path, allow_driver_commands=True).services
    subject = next(iter(ServiceTarget(services, client).subjects(env)))
    assert isinstance(subject, ServiceSubject)
    return subject


def _outcomes(run: LiveRun) -> dict[str, Outcome]:
    return {rid: o for rid, o in run.outcomes("VCALM").items() if rid.startswith(WALLET + "-")}


def _command(tmp_path: Path, script: str, timeout_s: float) -> str:
    path = tmp_path / "wallet.py"
    path.write_text(script, encoding="utf-8")
    return (f'[[service]]\nrole = "vcapi-wallet"\nendpoint = "https://wallet.example"\n'
            f'driver = {{ command = [{json.dumps(sys.executable)}, {json.dumps(str(path))}, "{{url}}"] }}\n'
            f'options = {{ timeout_s = {timeout_s} }}\n')


def test_both_deep_link_forms_read_back_as_the_exchange_they_name(env: Environment, tmp_path: Path) -> None:
    with serve(env) as wallet, GuardedClient(FetchPolicy(allow_private=True)) as client:
        steps = _subject(env, _targets(tmp_path, wallet.service_toml()), client).transcript.steps
    drivers = {s.flow: s for s in steps if s.name == "driver"}
    assert set(drivers) == {"request-link", "protocols-link", "tampered-credential", "query-by-example"}
    assert all(is_vcapi_link(s.request["offer"]) and s.body["stored"] is (s.flow != "tampered-credential")
               for s in drivers.values())

    request = parse_link(drivers["request-link"].request["offer"])
    assert drivers["request-link"].request["offer"].startswith("dccrequest://request?issuer=")
    assert request["form"] == "request" and request["auth_type"] == "bearer"
    assert request["vc_request_url"].endswith("/x/request-link") and request["issuer"].startswith("http://127.0.0.1:")
    presented = next(s for s in steps if s.flow == "request-link" and s.name == "present")
    assert presented.url == request["vc_request_url"]
    assert presented.request["observed"]["challenge"] == request["challenge"] == \
        presented.request["observed"]["challenge_asked"]

    protocols = parse_link(drivers["protocols-link"].request["offer"])
    assert drivers["protocols-link"].request["offer"].startswith("dccrequest://request?request=%7B")
    assert protocols["form"] == "protocols" and protocols["credentialRequestOrigin"] == request["issuer"]
    assert list(protocols["protocols"]) == ["vcapi"] and protocols["protocols"]["vcapi"].endswith("/x/protocols-link")
    start = next(s for s in steps if s.flow == "protocols-link" and s.name == "start")
    assert start.url == protocols["protocols"]["vcapi"] and start.request["body"] == {}
    vpr = start.body["verifiablePresentationRequest"]
    assert [q["type"] for q in vpr["query"]] == ["DIDAuthentication"] and vpr["domain"] == request["issuer"]
    assert vpr["interact"]["service"][0]["serviceEndpoint"] == start.url + "/present"
    answer = next(s for s in steps if s.flow == "protocols-link" and s.name == "present")
    seen = answer.request["observed"]
    assert (seen["challenge"], seen["domain"], seen["place"]) == (vpr["challenge"], vpr["domain"], "interact")
    assert seen["signature"] == {"verdict": "verifies"} and seen["holder"] == seen["controller"]
    with pytest.raises(ValueError):
        parse_link("dccrequest://request?nothing=here")


def test_the_query_session_asks_for_the_earlier_badge_and_notes_what_came(env: Environment, tmp_path: Path) -> None:
    with serve(env) as wallet, GuardedClient(FetchPolicy(allow_private=True)) as client:
        steps = _subject(env, _targets(tmp_path, wallet.service_toml()), client).transcript.steps
    delivered = {s.flow: s.body["verifiablePresentation"]["verifiableCredential"][0]
                 for s in steps if s.name == "present" and s.status == 200}
    start = next(s for s in steps if s.flow == "query-by-example" and s.name == "start")
    query = start.body["verifiablePresentationRequest"]["query"]
    assert [q["type"] for q in query] == ["DIDAuthentication", "QueryByExample"]
    example = query[1]["credentialQuery"][0]["example"]
    assert example["id"] == delivered["protocols-link"]["id"] != delivered["request-link"]["id"]
    assert example["issuer"]["id"] == delivered["protocols-link"]["issuer"]["id"]
    seen = next(s for s in steps if s.flow == "query-by-example" and s.name == "present").request["observed"]
    assert seen["example_of"] == "protocols-link" and seen["credentials_total"] == 1
    assert [(c["id"], c["matches"], c["signature"]) for c in seen["credentials"]] == \
        [(example["id"], True, {"verdict": "verifies"})]


def test_credentials_the_suite_cannot_read_never_match_and_never_crash(env: Environment) -> None:
    example = {"type": "OpenBadgeCredential"}
    seen = observe_credentials({"verifiableCredential": ["eyJ.not.a.jwt", 42, {"type": "OpenBadgeCredential"}]
                                + [{}] * (MAX_PRESENTED + 5)}, example, env.verifier)
    assert seen["credentials_total"] == MAX_PRESENTED + 8 and len(seen["credentials"]) == MAX_PRESENTED
    assert [c["matches"] for c in seen["credentials"][:3]] == [False, False, True]
    assert seen["credentials"][2]["signature"]["verdict"] in ("does not verify", "cannot be checked")
    assert observe_credentials({"verifiableCredential": None}, example, env.verifier)["credentials"] == []
    assert observe_credentials("not a presentation", example, env.verifier)["credentials"] == []


def test_query_by_example_picks_the_stored_credentials_that_match() -> None:
    badge = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "credentialSubject": {"id": "did:example:1"}}
    other = {"type": ["VerifiableCredential", "ClrCredential"]}
    query = {"type": "QueryByExample", "credentialQuery": [{"example": {"type": ["OpenBadgeCredential"]}}]}
    assert matching([badge, other], query) == [badge]
    assert matching([badge, other], {"type": "QueryByExample", "credentialQuery": {"example": {"type": "Nope"}}}) == []


def test_the_wallet_answers_a_query_by_example_with_what_it_holds(env: Environment) -> None:
    store = Store()
    badge = {"@context": OB30_CONTEXTS, "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    store.add(badge)
    holder = VcapiHolder(env, store, frozenset())
    presentation = holder._answer({"query": [{"type": "QueryByExample", "credentialQuery": [
        {"example": {"type": "OpenBadgeCredential"}}]}], "challenge": "c-1", "domain": "https://verifier.example"})
    assert presentation["verifiableCredential"] == [badge]
    assert (presentation["proof"]["challenge"], presentation["proof"]["domain"]) == ("c-1", "https://verifier.example")


HOSTILE = r'''
import json, sys, urllib.parse, urllib.request
link = sys.argv[1]
query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
url = query.get("vc_request_url") or json.loads(query["request"])["protocols"]["vcapi"]
def post(data):
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST",
                               headers={"content-type": "application/json"}), timeout=5).read()
    except Exception:
        pass
post(b"{" * 400 * 1024)                       # huge
post(b"\x00\xff not json at all")             # garbage
post(json.dumps({"verifiablePresentation": 42}).encode())
print(json.dumps({"stored": True}))
'''


def test_a_hostile_wallet_gets_findings_and_the_suite_goes_on(env: Environment, tmp_path: Path) -> None:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        path = _targets(tmp_path, _command(tmp_path, HOSTILE, 10))
        steps = _subject(env, path, client).transcript.steps
        run = run_targets(env, path, client, allow_driver_commands=True)
    assert any(s.flow == "bounds" and s.status == 413 for s in steps)
    assert any(s.name == "garbage" and s.status == 400 for s in steps)
    outcomes = _outcomes(run)
    assert len(outcomes) == RULES
    for rule in ("starts-exchange", "vp-verifies", "vp-challenge", "request-link", "follows-interact"):
        assert outcomes[f"{WALLET}-{rule}"] is Outcome.FAILED, rule
    assert outcomes[f"{WALLET}-refuses-tampered-credential"] is Outcome.FAILED   # it reports storing everything


def test_a_wallet_that_never_comes_is_timed_out_and_nothing_passes(env: Environment, tmp_path: Path) -> None:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, _command(tmp_path, "import time\ntime.sleep(30)\n", 0.5)), client,
                          allow_driver_commands=True)
    outcomes = _outcomes(run)
    assert len(outcomes) == RULES and Outcome.PASSED not in outcomes.values()
    assert set(outcomes.values()) <= {Outcome.CANT_TELL, Outcome.ERROR}


def test_a_driver_that_is_not_there_is_an_error_not_a_failure(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "vcapi-wallet"\nendpoint = "https://wallet.example"\n'
               'driver = { command = ["/nonexistent/ler-conformance-wallet", "{url}"] }\noptions = { timeout_s = 2 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        outcomes = _outcomes(run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True))
    assert Outcome.PASSED not in outcomes.values() and Outcome.FAILED not in outcomes.values()
    assert Outcome.ERROR in outcomes.values()


def test_interactive_mode_leaves_what_the_wallet_stored_to_a_person(
        env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    holder = VcapiHolder(env, Store(), frozenset())
    phone = Phone(r"(dccrequest://\S+)", lambda link, _: holder.receive(link))
    monkeypatch.setattr(sys, "stderr", phone)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    service = ('[[service]]\nrole = "vcapi-wallet"\nendpoint = "https://wallet.example"\n'
               'driver = { interactive = true }\noptions = { timeout_s = 5 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, service), client)
    assert phone.getvalue().count("dccrequest://request?") == 4
    outcomes = _outcomes(run)
    assert outcomes[f"{WALLET}-accepts-credential"] is Outcome.CANT_TELL
    assert outcomes[f"{WALLET}-refuses-tampered-credential"] is Outcome.CANT_TELL
    assert outcomes[f"{WALLET}-vp-verifies"] is Outcome.PASSED          # what the suite sees itself is judged
