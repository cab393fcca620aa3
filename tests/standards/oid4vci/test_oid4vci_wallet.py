"""The OpenID4VCI wallet module (the suite as the credential issuer) against the reference wallet on 127.0.0.1:
each fault switch breaks exactly its requirement (test_reference_modules.py); here, secrets stay out of the
transcript, a person's judgement never passes in interactive mode, and hostile or absent wallets give findings."""
from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.reference.wallet import Oid4vciHolder, Store, serve_wallet
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.support.exchange.service import ServiceSubject
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, Phone, run_targets

WALLET = "OID4VCI-WALLET"


def _targets(tmp_path: Path, service: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "wallet under test"\n\n' + service, encoding="utf-8")
    return path


def _subject(env: Environment, path: Path, client: GuardedClient) -> ServiceSubject:
    loaded = load_targets_file(path)
    subject = next(iter(ServiceTarget(loaded.services, client).subjects(env)))
    assert isinstance(subject, ServiceSubject)
    return subject


def _wallet_outcomes(run: LiveRun) -> dict[str, Outcome]:
    return {rid: o for rid, o in run.outcomes("OID4VCI").items() if rid.startswith(WALLET + "-")}


def test_secrets_the_suite_hands_out_are_labelled_not_kept(env: Environment, tmp_path: Path) -> None:
    with serve_wallet(env) as wallet, GuardedClient(FetchPolicy(allow_private=True)) as client:
        subject = _subject(env, _targets(tmp_path, wallet.service_toml()), client)
        steps = subject.transcript.steps
    token = next(s for s in steps if s.flow == "by-reference" and s.name == "token")
    assert token.request["body"]["pre-authorized_code"] == "[redacted pre-authorized-code/by-reference]"
    assert token.request["body"]["tx_code"] == "[redacted tx-code/by-reference]"
    assert token.body["access_token"] == "[redacted access-token/by-reference]"
    credential = next(s for s in steps if s.flow == "plain" and s.name == "credential")
    assert credential.request["headers"]["authorization"] == "Bearer [redacted access-token/plain]"
    driver = next(s for s in steps if s.flow == "plain" and s.name == "driver")
    assert "[redacted pre-authorized-code/plain]" in driver.request["offer"] and driver.body == {"stored": True}
    text = json.dumps([s.request for s in steps] + [s.body for s in steps], default=str)
    assert not re.search(r'"Bearer (?!\[redacted)', text)
    assert all(s.name != "driver" or s.url.endswith("/offer") for s in steps)


def test_a_wallet_that_never_comes_is_timed_out_and_nothing_passes(env: Environment, tmp_path: Path) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    service = (f'[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
               f'driver = {{ command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}, "{{url}}"] }}\n'
               'options = { timeout_s = 0.5 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True)
    outcomes = _wallet_outcomes(run)
    assert len(outcomes) == 16 and Outcome.PASSED not in outcomes.values()
    assert set(outcomes.values()) <= {Outcome.CANT_TELL, Outcome.ERROR}


def test_a_driver_that_is_not_there_is_an_error_not_a_failure(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
               'driver = { command = ["/nonexistent/ler-conformance-wallet", "{url}"] }\noptions = { timeout_s = 2 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        outcomes = _wallet_outcomes(run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True))
    assert Outcome.PASSED not in outcomes.values() and Outcome.FAILED not in outcomes.values()
    assert Outcome.ERROR in outcomes.values()


def test_bad_options_stop_the_flows_before_anything_is_served(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
               'driver = { interactive = true }\noptions = { listen = "0.0.0.0:0" }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        subject = _subject(env, _targets(tmp_path, service), client)
        assert "public_url" in subject.transcript.setup_error and subject.transcript.steps == ()


def test_interactive_mode_prints_a_qr_code_and_leaves_judgement_to_a_person(
        env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    holder = Oid4vciHolder(env, store, frozenset())

    def scan(offer: str, printed: str) -> None:
        codes = re.findall(r"Transaction code: (\d+)", printed)
        holder.receive(offer, codes[0] if codes else None)

    phone = Phone(r"(openid-credential-offer://\S+)", scan)
    monkeypatch.setattr(sys, "stderr", phone)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))     # nobody presses Enter: a refused offer waits the timeout
    service = ('[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
               'driver = { interactive = true }\noptions = { timeout_s = 3 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, _targets(tmp_path, service), client)
    printed = phone.getvalue()
    assert printed.count("openid-credential-offer://") == 5 and "Transaction code: " in printed
    assert "█" in printed or "▀" in printed                              # the QR code, in block characters
    outcomes = _wallet_outcomes(run)
    for rid in ("accepts-valid-credential", "refuses-unbound-credential", "refuses-tampered-credential"):
        assert outcomes[f"{WALLET}-{rid}"] is Outcome.CANT_TELL
    review = [f for r in run.results for f in r.findings if f.requirement == f"{WALLET}-accepts-valid-credential"]
    assert any("a person should check" in f.message for f in review)
    assert outcomes[f"{WALLET}-proof-signature"] is Outcome.PASSED     # what the suite sees itself is judged
