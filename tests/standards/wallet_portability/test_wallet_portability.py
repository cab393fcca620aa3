"""Wallet portability (WALLETPORT, C-BEN universal access) against two reference wallets on 127.0.0.1: the switch
breaks its rule (test_reference_modules.py); here, the reference wallet's store exports and imports as documented,
the rule counts toward universal access, and a destination that cannot import, or never answers, gives findings."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from conformance.core.findings import Outcome
from conformance.reference.wallet import serve_wallet
from conformance.reference.wallet_portability import serve
from conformance.run.environment import Environment
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import run_targets

RULE = "WALLETPORT-round-trip"


def _targets(tmp_path: Path, service: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "wallets under test"\n\n' + service, encoding="utf-8")
    return path


def test_the_store_exports_and_imports_credentials_as_they_are(env: Environment) -> None:
    credential = {"type": ["VerifiableCredential"], "name": "kept as given", "nested": {"ü": [1, 2.5, None]}}
    with serve_wallet(env) as wallet, GuardedClient(FetchPolicy(allow_private=True)) as client:
        assert json.loads(client.send("GET", wallet.base_url + "/export").body) == {"credentials": []}
        answer = client.send("POST", wallet.base_url + "/import", content=json.dumps({"credentials": [credential]})
                             .encode(), content_type="application/json")
        assert answer.status == 200 and json.loads(answer.body) == {"imported": 1}
        assert json.loads(client.send("GET", wallet.base_url + "/export").body) == {"credentials": [credential]}
        refused = client.send("POST", wallet.base_url + "/import", content=b"[1]", content_type="application/json")
        assert refused.status == 400


def test_the_rule_counts_toward_universal_access(env: Environment) -> None:
    assert "universal-access" in {str(p) for p in env.catalog[RULE].principles}
    assert RULE in {r.id for r in env.profile("wallet").tested(env.catalog)}


def test_the_destination_presents_the_issued_credential_unchanged(env: Environment, tmp_path: Path) -> None:
    with serve(env) as pair, GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, pair.service_toml()), client)
    assert run.outcome(RULE) is Outcome.PASSED


def test_a_destination_without_import_fails_and_a_silent_one_is_not_passed(env: Environment, tmp_path: Path) -> None:
    sleepy = tmp_path / "sleepy.py"
    sleepy.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    with serve_wallet(env) as source, GuardedClient(FetchPolicy(allow_private=True)) as client:
        a = source.base_url
        no_import = (f'[[service]]\nrole = "wallet-portability"\nendpoint = "{a}"\n'
                     f'options = {{ timeout_s = 5, source = {{ driver = {{ url = "{a}/offer" }}, export = {{ url = '
                     f'"{a}/export" }} }}, destination = {{ driver = {{ url = "{a}/offer" }}, import = {{ url = '
                     f'"{a}/no-such-import" }} }} }}\n')
        run = run_targets(env, _targets(tmp_path, no_import), client)
        assert run.outcome(RULE) is Outcome.FAILED
        silent = (f'[[service]]\nrole = "wallet-portability"\nendpoint = "{a}"\n'
                  f'options = {{ timeout_s = 0.5, source = {{ driver = {{ url = "{a}/offer" }}, export = {{ command = '
                  f'[{json.dumps(sys.executable)}, "-c", "print(\'{{}}\')"] }} }}, destination = {{ driver = {{ '
                  f'command = [{json.dumps(sys.executable)}, {json.dumps(str(sleepy))}, "{{url}}"] }}, import = {{ '
                  f'command = [{json.dumps(sys.executable)}, "-c", "pass", "{{file}}"] }} }} }}\n')
        outcome = run_targets(env, _targets(tmp_path, silent), client, allow_driver_commands=True).outcome(RULE)
    assert outcome in (Outcome.CANT_TELL, Outcome.ERROR)


def test_bad_options_stop_the_flows_before_anything_is_served(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "wallet-portability"\nendpoint = "https://wallet-a.example"\n'
               'options = { source = { driver = { url = "https://wallet-a.example/offer" } } }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, service), client)
    assert run.outcome(RULE) is Outcome.ERROR
