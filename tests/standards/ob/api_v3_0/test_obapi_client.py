"""Open Badges 3.0 / CLR 2.0 client applications (the suite as host) against the reference client app on 127.0.0.1:
each fault switch breaks exactly its requirement (test_reference_modules.py); here, secrets the host hands out stay
labels, hostile or absent applications give findings rather than hangs, and interactive mode leaves to a person
what only a person can see."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.reference.obclient import ClientApp, serve_obclient
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.standards.ob.api_v3_0.flows import OB30
from conformance.support.exchange.service import ServiceSubject
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import LiveRun, Phone, run_targets

CLIENT = "OB30API-CLIENT"


def _targets(tmp_path: Path, service: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "client application under test"\n\n' + service, encoding="utf-8")
    return path


def _command(script: Path, app: str = "issuer", timeout_s: float = 10) -> str:
    return (f'[[service]]\nrole = "ob-client"\nendpoint = "https://app.example"\n'
            f'driver = {{ command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}, "{{url}}"] }}\n'
            f'options = {{ app = "{app}", timeout_s = {timeout_s} }}\n')


def _outcomes(run: LiveRun) -> dict[str, Outcome]:
    return {rid: o for rid, o in run.outcomes("OB30API").items() if rid.startswith(CLIENT + "-")}


def _run(env: Environment, tmp_path: Path, service: str) -> LiveRun:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:     # the tests' own scripted apps
        return run_targets(env, _targets(tmp_path, service), client, allow_driver_commands=True)


def test_secrets_the_host_hands_out_are_labelled_not_kept(env: Environment, tmp_path: Path) -> None:
    with serve_obclient(env) as app, GuardedClient(FetchPolicy(allow_private=True)) as client:
        loaded = load_targets_file(_targets(tmp_path, app.service_toml()))
        subject = next(iter(ServiceTarget(loaded.services, client).subjects(env)))
        assert isinstance(subject, ServiceSubject)
        steps = subject.transcript.steps
    by_name = {s.name: s for s in steps}
    assert by_name["register"].body["client_secret"] == "[redacted client-secret]"
    location = dict(by_name["authorize"].headers)["location"]
    assert "code=[redacted authorization-code]&state=" in location
    assert by_name["token"].request["body"]["code_verifier"] == "[redacted code-verifier]"
    assert by_name["token"].request["body"]["code"] == "[redacted authorization-code]"
    assert by_name["token"].body["access_token"] == "[redacted access-token]"
    assert by_name["upsert"].request["headers"]["authorization"] == "Bearer [redacted access-token]"
    assert by_name["driver"].body == {"done": True}
    text = json.dumps([s.to_json() for s in steps], default=str)
    assert '"Bearer [redacted' in text and '"Basic [redacted]' in text


def test_a_hostile_application_gets_findings_and_the_suite_goes_on(env: Environment, tmp_path: Path) -> None:
    """Garbage registration, JSON nested too deep, a huge upsert without a token: findings, no crash, no hang."""
    script = tmp_path / "hostile.py"
    script.write_text(
        "import sys, urllib.request\n"
        "api = sys.argv[1].removesuffix('/discovery')\n"
        "def post(path, data, kind='application/json'):\n"
        "    try:\n"
        "        urllib.request.urlopen(urllib.request.Request(api + path, data=data, method='POST',\n"
        "                               headers={'content-type': kind}), timeout=5).read()\n"
        "    except Exception:\n"
        "        pass\n"
        "urllib.request.urlopen(sys.argv[1], timeout=5).read()\n"
        "post('/oauth/register', b'\\x00\\xffnot json at all')\n"
        "post('/oauth/register', b'[' * 500 + b']' * 500)\n"
        "post('/credentials', b'{\"id\": \"' + b'x' * (2 * 1024 * 1024) + b'\"}')\n"
        "post('/oauth/token', b'grant_type=authorization_code&code=guess', 'application/x-www-form-urlencoded')\n"
        "print('{\"done\": true}')\n", encoding="utf-8")
    run = _run(env, tmp_path, _command(script))
    outcomes = _outcomes(run)
    assert outcomes[f"{CLIENT}-registration-metadata"] is Outcome.FAILED
    assert outcomes[f"{CLIENT}-discovery-read"] is Outcome.PASSED
    assert outcomes[f"{CLIENT}-token-client-auth"] is Outcome.FAILED         # no client authentication at all
    assert outcomes[f"{CLIENT}-upsert-credential"] is Outcome.FAILED         # says it is done, upserted nothing
    assert outcomes[f"{CLIENT}-read-paging"] is Outcome.INAPPLICABLE         # an issuer
    assert Outcome.ERROR not in outcomes.values()
    findings = [f for r in run.results for f in r.findings if f.requirement == f"{CLIENT}-upsert-credential"]
    assert any("reports it is done" in f.message for f in findings)


def test_an_application_that_never_comes_is_timed_out_and_nothing_passes(env: Environment, tmp_path: Path) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    outcomes = _outcomes(_run(env, tmp_path, _command(script, "both", 0.5)))
    assert len(outcomes) == 12 and Outcome.PASSED not in outcomes.values()
    assert set(outcomes.values()) <= {Outcome.CANT_TELL, Outcome.ERROR}


def test_a_driver_that_is_not_there_is_an_error_not_a_failure(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "ob-client"\nendpoint = "https://app.example"\n'
               'driver = { command = ["/nonexistent/ler-conformance-app", "{url}"] }\noptions = { timeout_s = 2 }\n')
    outcomes = _outcomes(_run(env, tmp_path, service))
    assert Outcome.PASSED not in outcomes.values() and Outcome.FAILED not in outcomes.values()
    assert Outcome.ERROR in outcomes.values()


def test_an_unknown_application_kind_stops_the_flows(env: Environment, tmp_path: Path) -> None:
    service = ('[[service]]\nrole = "clr-client"\nendpoint = "https://app.example"\n'
               'driver = { interactive = true }\noptions = { app = "administrator" }\n')
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        loaded = load_targets_file(_targets(tmp_path, service))
        subject = next(iter(ServiceTarget(loaded.services, client).subjects(env)))
        assert isinstance(subject, ServiceSubject)
        assert "options.app" in subject.transcript.setup_error and subject.transcript.steps == ()


def test_interactive_mode_leaves_what_only_a_person_sees_to_a_person(
        env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The person's application only reads (it is told to be an issuer): the suite sees the protocol and judges it,
    but whether the application wrote anything is not the suite's to say without a report."""
    app = ClientApp(env, OB30, frozenset())
    phone = Phone(r"(http://127\.0\.0\.1:\d+/ims/ob/v3p0/discovery)", lambda url, _: app.run(url, "displayer"))
    monkeypatch.setattr(sys, "stderr", phone)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))        # nobody presses Enter: waits the timeout
    service = ('[[service]]\nrole = "ob-client"\nendpoint = "https://app.example"\n'
               'driver = { interactive = true }\noptions = { app = "issuer", timeout_s = 3 }\n')
    run = _run(env, tmp_path, service)
    assert "/ims/ob/v3p0/discovery" in phone.getvalue()
    outcomes = _outcomes(run)
    assert outcomes[f"{CLIENT}-upsert-credential"] is Outcome.CANT_TELL
    review = [f for r in run.results for f in r.findings if f.requirement == f"{CLIENT}-upsert-credential"]
    assert any("a person should check" in f.message for f in review)
    assert outcomes[f"{CLIENT}-authorize-pkce"] is Outcome.PASSED          # what the suite sees itself is judged
    assert outcomes[f"{CLIENT}-least-scope"] is Outcome.FAILED             # an "issuer" asking to read
