"""The OpenID4VP wallet module (the suite as the verifier) against the reference wallet on 127.0.0.1: each fault
switch breaks exactly its requirement (test_reference_modules.py); here, the record keeps facts and not the
vp_token, the presented credential is compared with the issued one, and hostile or absent wallets give findings."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from conformance.core.findings import Outcome
from conformance.reference.wallet_oid4vp import serve
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.support.exchange.service import ServiceSubject
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, run_targets

WALLET = "OID4VP-WALLET"

# A wallet that takes the suite's offer, then answers each presentation request with `mode`:
#   garbage: fetches the request object and posts a body that is no form; huge: posts 1 MiB; silent: nothing.
HOSTILE = r'''
import json, sys, urllib.parse, urllib.request, base64
mode, url = sys.argv[1], sys.argv[2]
if not url.startswith("openid4vp://"):
    print(json.dumps({"stored": False, "error": "this wallet keeps nothing"})); sys.exit(0)
if mode == "silent":
    sys.exit(0)
params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
if "request_uri" in params:
    jwt = urllib.request.urlopen(params["request_uri"], timeout=5).read().decode()
    part = jwt.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
else:
    claims = params
body = b"\x00{not a form" if mode == "garbage" else b"vp_token=" + b"A" * (1024 * 1024)
req = urllib.request.Request(claims["response_uri"], data=body,
                             headers={"content-type": "application/x-www-form-urlencoded"})
try:
    urllib.request.urlopen(req, timeout=5)
except Exception as exc:
    print(json.dumps({"presented": False, "error": type(exc).__name__})); sys.exit(0)
print(json.dumps({"presented": True}))
'''


def _targets(tmp_path: Path, service: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "wallet under test"\n\n' + service, encoding="utf-8")
    return path


def _outcomes(run: LiveRun) -> dict[str, Outcome]:
    return {rid: o for rid, o in run.outcomes("OID4VP").items() if rid.startswith(WALLET + "-")}


def _hostile(env: Environment, tmp_path: Path, mode: str, timeout_s: float = 5) -> LiveRun:
    script = tmp_path / "hostile_wallet.py"
    script.write_text(HOSTILE, encoding="utf-8")
    argv = f'[{json.dumps(sys.executable)}, {json.dumps(str(script))}, "{mode}", "{{url}}"]'
    service = (f'[[service]]\nrole = "oid4vp-wallet"\nendpoint = "https://wallet.example"\n'
               f'driver = {{ command = {argv} }}\n'
               f'options = {{ timeout_s = {timeout_s} }}\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        return run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True)


def test_the_record_keeps_what_was_verified_not_the_vp_token(env: Environment, tmp_path: Path) -> None:
    with serve(env) as wallet, GuardedClient(FetchPolicy(allow_private=True)) as client:
        loaded = load_targets_file(_targets(tmp_path, wallet.service_toml()))
        subject = next(iter(ServiceTarget(loaded.services, client).subjects(env)))
        assert isinstance(subject, ServiceSubject)
        steps = subject.transcript.steps
    assert [s.flow for s in steps if s.name == "driver"] == ["issue", "present", "wrong-signer",
                                                              "foreign-response-uri", "no-nonce",
                                                              "unknown-response-mode"]
    answer = next(s for s in steps if s.flow == "present" and s.name == "response")
    assert answer.request["body"]["vp_token"] == "[redacted]"
    observed = answer.request["observed"]
    assert observed["entries"] == {"ob30_badge": 1} and observed["state"] == "echoed"
    fact = observed["presentations"][0]
    assert fact["challenge"] == "nonce" and fact["domain"] == "client_id"
    assert fact["signature"] == {"verdict": "verifies"}
    assert fact["credentials"] == [{"issued": True, "subject": fact["signer"], "signature": {"verdict": "verifies"},
                                    "types": ["VerifiableCredential", "OpenBadgeCredential"]}]
    # a conformant wallet does not answer a hostile request at all
    assert not any(s.name == "response" and s.flow != "present" for s in steps)
    assert next(s for s in steps if s.flow == "wrong-signer" and s.name == "driver").body["presented"] is False


def test_a_wallet_posting_garbage_gets_findings(env: Environment, tmp_path: Path) -> None:
    outcomes = _outcomes(_hostile(env, tmp_path, "garbage"))
    assert len(outcomes) == 12
    assert {rid for rid, o in outcomes.items() if o is Outcome.PASSED} == {f"{WALLET}-request-object-fetched"}
    assert outcomes[f"{WALLET}-response-vp-token"] is Outcome.FAILED


def test_a_wallet_posting_a_huge_body_is_cut_off_and_fails(env: Environment, tmp_path: Path) -> None:
    run = _hostile(env, tmp_path, "huge")
    outcomes = _outcomes(run)
    assert outcomes[f"{WALLET}-response-vp-token"] is Outcome.FAILED
    assert Outcome.PASSED not in {o for rid, o in outcomes.items() if "refuses" in rid}


def test_a_wallet_that_never_answers_is_timed_out_and_nothing_passes(env: Environment, tmp_path: Path) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    service = (f'[[service]]\nrole = "oid4vp-wallet"\nendpoint = "https://wallet.example"\n'
               f'driver = {{ command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}, "{{url}}"] }}\n'
               'options = { timeout_s = 0.5 }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        outcomes = _outcomes(run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True))
    assert len(outcomes) == 12 and set(outcomes.values()) <= {Outcome.CANT_TELL, Outcome.ERROR}


def test_a_silent_wallet_passes_no_refusal_rule(env: Environment, tmp_path: Path) -> None:
    """A wallet that never presents refuses everything: its refusals of hostile requests show nothing."""
    outcomes = _outcomes(_hostile(env, tmp_path, "silent"))
    assert {o for rid, o in outcomes.items() if "refuses" in rid} == {Outcome.CANT_TELL}
    assert outcomes[f"{WALLET}-response-vp-token"] is Outcome.FAILED
