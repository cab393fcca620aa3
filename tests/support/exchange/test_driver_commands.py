"""A vendor's targets.toml runs no program without --allow-driver-commands, and with it the program sees no other
service's secret and no variable it did not list (issue 13)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.support.exchange.service import CommandPolicy, TargetsFileError
from conformance.support.net import FetchPolicy, GuardedClient
from tests.support.exchange.harness import run_targets

ISSUER_SECRET = "canary-issuer-token-5d1e"
HOST_SECRET = "canary-host-refresh-token-77b0"
UNLISTED = "canary-unlisted-variable-a93f"

DUMP_ENVIRONMENT = """import json, os, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(dict(os.environ)) + "\\n")
print(json.dumps({"stored": False, "error": "only looking"}))
"""
MARK = "import pathlib, sys\npathlib.Path(sys.argv[1]).write_text('ran')\n"


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _file(tmp_path: Path, wallet: str) -> Path:
    """An issuer and a host with secrets in the environment, and the wallet under test."""
    path = tmp_path / "targets.toml"
    path.write_text('[implementation]\nname = "vendor"\n\n'
                    '[[service]]\nrole = "issuer"\nendpoint = "https://issuer.example"\n'
                    'auth = { type = "bearer", token_env = "LER_TEST_ISSUER_TOKEN" }\n\n'
                    '[[service]]\nrole = "ob-host"\nendpoint = "https://host.example/ims/ob/v3p0"\n'
                    'options = { refresh_token_env = "LER_TEST_HOST_REFRESH" }\n\n' + wallet, encoding="utf-8")
    return path


def _wallet(argv: list[str], env: list[str] | None = None, timeout_s: float = 10) -> str:
    listed = f", env = {json.dumps(env)}" if env is not None else ""
    return (f'[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
            f"driver = {{ command = {json.dumps(argv)}{listed} }}\noptions = {{ timeout_s = {timeout_s} }}\n")


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_TEST_ISSUER_TOKEN", ISSUER_SECRET)
    monkeypatch.setenv("LER_TEST_HOST_REFRESH", HOST_SECRET)
    monkeypatch.setenv("LER_TEST_UNLISTED", UNLISTED)
    monkeypatch.setenv("LER_TEST_WALLET_HOME", "/wallet/home")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def _run_wallet(env: Environment, path: Path, *, allow: bool) -> list:
    """Run only the wallet (the issuer and host are not there); its results."""
    from conformance.run.runner import Runner

    loaded = load_targets_file(path, allow_driver_commands=allow)
    wallet = tuple(s for s in loaded.services if s.role == "oid4vci-wallet")
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        return list(Runner(env, env.profile("default")).run([ServiceTarget(wallet, client, loaded.implementation)]))


def test_a_driver_command_sees_no_other_services_secret_and_no_unlisted_variable(
        env: Environment, tmp_path: Path, secrets: None) -> None:
    dump = tmp_path / "environment.jsonl"
    script = _script(tmp_path, "dump.py", DUMP_ENVIRONMENT)
    path = _file(tmp_path, _wallet([sys.executable, str(script), str(dump), "{url}"], env=["LER_TEST_WALLET_HOME"]))
    _run_wallet(env, path, allow=True)
    seen = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert len(seen) == 5                                        # one per session
    for environment in seen:
        text = json.dumps(environment)
        assert ISSUER_SECRET not in text and HOST_SECRET not in text and UNLISTED not in text
        assert environment["LER_TEST_WALLET_HOME"] == "/wallet/home" and environment["LC_ALL"] == "C.UTF-8"
        assert "PATH" in environment
        assert set(environment) <= {"PATH", "HOME", "LANG", "TMPDIR", "LER_TEST_WALLET_HOME"} | {
            k for k in environment if k.startswith("LC_")}


def test_a_driver_listing_another_services_secret_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, _wallet(["wallet", "{url}"], env=["LER_TEST_HOST_REFRESH"]))
    with pytest.raises(TargetsFileError, match="LER_TEST_HOST_REFRESH"):
        load_targets_file(path, allow_driver_commands=True)


def test_withheld_variables_never_pass_even_when_listed() -> None:
    policy = CommandPolicy(allowed=True, withheld=frozenset({"TOKEN"}))
    source = {"PATH": "/bin", "TOKEN": "x", "OTHER": "y", "LC_CTYPE": "C", "HOME": "/h", "MINE": "m"}
    assert policy.environment(("TOKEN", "MINE"), source) == {"PATH": "/bin", "LC_CTYPE": "C", "HOME": "/h",
                                                             "MINE": "m"}


def test_without_the_flag_the_program_never_runs_and_the_rules_are_errors(
        env: Environment, tmp_path: Path, secrets: None) -> None:
    marker = tmp_path / "ran"
    script = _script(tmp_path, "mark.py", MARK)
    path = _file(tmp_path, _wallet([sys.executable, str(script), str(marker)]))
    results = _run_wallet(env, path, allow=False)
    assert not marker.exists()
    findings = [f for r in results for f in r.findings if f.requirement.startswith("OID4VCI-WALLET-")]
    assert findings and {f.outcome for f in findings} == {Outcome.ERROR}
    assert all(sys.executable in f.message and "--allow-driver-commands" in f.message
               and "oid4vci-wallet https://wallet.example" in f.message for f in findings)


def test_portability_export_and_import_commands_need_the_flag_too(env: Environment, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = _script(tmp_path, "mark.py", MARK)
    argv = json.dumps([sys.executable, str(script), str(marker)])
    service = (f'[[service]]\nrole = "wallet-portability"\nendpoint = "https://wallet-a.example"\n'
               f'options = {{ timeout_s = 2, source = {{ driver = {{ url = "https://wallet-a.example/offer" }}, '
               f'export = {{ command = {argv} }} }}, destination = {{ driver = {{ url = "https://b.example/offer" }}, '
               f'import = {{ command = {argv} }} }} }}\n')
    path = tmp_path / "targets.toml"
    path.write_text(service, encoding="utf-8")
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, path, client)
    assert not marker.exists()
    assert run.outcome("WALLETPORT-round-trip") is Outcome.ERROR
    assert load_targets_file(path).services[0].programs == (("options.source.export.command", sys.executable),
                                                            ("options.destination.import.command", sys.executable))


def test_check_says_in_one_line_which_service_wanted_which_program(tmp_path: Path, secrets: None) -> None:
    from conformance.cli import main

    marker = tmp_path / "ran"
    script = _script(tmp_path, "mark.py", MARK)
    path = tmp_path / "targets.toml"
    path.write_text(_wallet([sys.executable, str(script), str(marker)], timeout_s=2), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--allow-private", "--format", "json"])
    assert not marker.exists()
    lines = [line for line in result.stderr.splitlines() if "wants to run" in line]
    assert len(lines) == 1
    assert "oid4vci-wallet https://wallet.example" in lines[0] and repr(sys.executable) in lines[0]
    assert "--allow-driver-commands" in lines[0]
    assert result.exit_code in (3, 4)                 # incomplete or not judged: never a pass, never the vendor's fail


@pytest.mark.parametrize(("driver", "accepted"), [
    ('{ command = ["w", "{url}"], env = ["WALLET_HOME", "LC_ALL"] }', True),
    ('{ url = "https://w.example/offer", env = ["WALLET_HOME"] }', False),      # env only goes with a command
    ('{ command = ["w"], url = "https://w.example/offer" }', False),            # one way to reach the wallet
    ('{ command = ["w"], env = ["not a name"] }', False),
    ('{ env = ["WALLET_HOME"] }', False),
])
def test_the_schema_takes_an_env_list_with_a_command_only(tmp_path: Path, driver: str, accepted: bool) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f'[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://w.example"\ndriver = {driver}\n',
                    encoding="utf-8")
    if accepted:
        assert load_targets_file(path).services[0].driver["env"] == ["WALLET_HOME", "LC_ALL"]
        return
    with pytest.raises(TargetsFileError):
        load_targets_file(path)
