"""The counter-party core: bounds against hostile callers, secret labels, and the command and URL drivers."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import httpx

from conformance.support.exchange.drivers import CommandDriver, InteractiveDriver, UrlDriver, driver_from
from conformance.support.exchange.server import Answer, Call, CounterpartyOptions, CounterpartyServer, Route
from conformance.support.exchange.service import CommandPolicy, ServiceConfig
from conformance.support.net import FetchPolicy, GuardedClient

ALLOWED = CommandPolicy(allowed=True)      # as with --allow-driver-commands


def _echo(call: Call) -> Answer:
    return Answer("echo", "echo", 200, {"seen": call.json is not None, "problem": call.problem,
                                        "token": "issued-secret-value"})


def _server(**options: object) -> CounterpartyServer:
    settings = CounterpartyOptions(**options)  # type: ignore[arg-type]
    server = CounterpartyServer([Route("/echo", ("POST",), _echo)], settings)
    server.secret("issued-secret-value", "access-token/test")
    return server


def test_huge_and_deep_bodies_are_bounded_and_recorded() -> None:
    with _server(max_body_bytes=20_000, max_depth=8).running() as server, httpx.Client() as http:
        huge = http.post(server.url("/echo"), content=b'{"a": "' + b"x" * 100_000 + b'"}')
        deep = http.post(server.url("/echo"), content=b"[" * 100 + b"]" * 100)
        deeper = http.post(server.url("/echo"), content=b"[" * 9000 + b"]" * 9000)
        ok = http.post(server.url("/echo"), json={"a": 1}, headers={"authorization": "Bearer issued-secret-value"})
        unrouted = http.get(server.url("/nowhere"))
    assert huge.status_code == 413 and unrouted.status_code == 404
    assert deep.json()["problem"].startswith("the JSON nests deeper")
    assert deeper.json()["problem"].startswith("the body is not JSON")
    assert ok.json()["seen"] is True
    steps = server.steps
    assert [s.label for s in steps] == ["bounds/too-large", "echo/echo", "echo/echo", "echo/echo", "unrouted/404"]
    assert steps[3].request["headers"]["authorization"] == "Bearer [redacted access-token/test]"
    assert steps[3].body["token"] == "[redacted access-token/test]"


def test_wait_for_gives_up_at_the_timeout() -> None:
    server = _server()
    assert server.wait_for(lambda steps: bool(steps), 0.2) is False


def test_command_driver_substitutes_without_a_shell_and_redacts_its_output(tmp_path: Path) -> None:
    script = tmp_path / "wallet.py"
    script.write_text("import json, sys\nprint('got', sys.argv[1])\nprint(json.dumps({'stored': False, "
                      "'error': 'refused ' + sys.argv[2]}))\n", encoding="utf-8")
    server = _server()
    wallet = ServiceConfig(role="oid4vci-wallet", endpoint="https://w.example", implementation="t", commands=ALLOWED)
    driver = driver_from({"command": [sys.executable, str(script), "{url}; rm -rf /", "{tx_code}"]},
                         GuardedClient(FetchPolicy()), wallet)
    assert isinstance(driver, CommandDriver)
    delivery = driver.deliver(server, "openid-credential-offer://?code=issued-secret-value", "1234",
                              lambda steps: False, 10)
    assert delivery.status == 0 and delivery.error is None
    assert delivery.report == {"stored": False, "error": "refused 1234"}
    assert "issued-secret-value" not in delivery.output and "[redacted access-token/test]" in delivery.output
    assert "; rm -rf /" in delivery.output                     # one argument, never a shell command


def test_command_driver_is_killed_at_the_timeout(tmp_path: Path) -> None:
    script = tmp_path / "slow.py"
    script.write_text("import time\nprint('x' * 100000, flush=True)\ntime.sleep(60)\n", encoding="utf-8")
    delivery = CommandDriver((sys.executable, str(script)), ALLOWED).deliver(_server(), "u", None, lambda s: False, 0.5)
    assert delivery.error == "timeout" and len(delivery.output) <= 4096


def test_url_driver_posts_the_offer_and_reads_the_report() -> None:
    def report(call: Call) -> Answer:
        return Answer("wallet", "offer", 200, {"stored": True, "echo": call.json})

    wallet = CounterpartyServer([Route("/offer", ("POST",), report)])
    with wallet.running(), GuardedClient(FetchPolicy(allow_private=True)) as client:
        driver = UrlDriver(wallet.url("/offer"), client)
        delivery = driver.deliver(_server(), "openid-credential-offer://x", "42", lambda s: False, 5)
    assert delivery.status == 200 and delivery.report is not None and delivery.report["stored"] is True
    assert delivery.report["echo"] == {"url": "openid-credential-offer://x", "tx_code": "42"}


def test_url_driver_to_nowhere_is_a_delivery_error() -> None:
    with GuardedClient(FetchPolicy(allow_private=True, timeout_s=2)) as client:
        delivery = UrlDriver("http://127.0.0.1:9/offer", client).deliver(_server(), "u", None, lambda s: False, 2)
    assert delivery.error is not None and delivery.report is None


def test_interactive_driver_prints_the_qr_code_and_waits_no_longer_than_the_timeout() -> None:
    out = io.StringIO()
    driver = InteractiveDriver(stream=out, stdin=io.StringIO(""))      # end of input: nobody presses Enter
    delivery = driver.deliver(_server(), "openid-credential-offer://?credential_offer_uri=x", "0042",
                              lambda steps: False, 0.4)
    printed = out.getvalue()
    assert delivery.error == "timeout" and delivery.observes is False and delivery.report is None
    assert "openid-credential-offer://" in printed and "Transaction code: 0042" in printed
    assert len(printed.splitlines()) > 10


def test_listen_options() -> None:
    assert CounterpartyOptions.from_options({}).host == "127.0.0.1"
    lan = CounterpartyOptions.from_options({"listen": "0.0.0.0:8765", "public_url": "https://w.example/",
                                            "timeout_s": 5})
    assert (lan.host, lan.port, lan.public_url, lan.timeout_s) == ("0.0.0.0", 8765, "https://w.example", 5.0)
    for bad in ({"listen": "nohost"}, {"listen": "0.0.0.0:1"}, {"timeout_s": -1}, {"public_url": "ftp://x"}):
        try:
            CounterpartyOptions.from_options(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} is accepted")
    assert json.dumps(True)


def test_the_schema_requires_a_driver_for_a_wallet_and_refuses_one_elsewhere(tmp_path: Path) -> None:
    from conformance.run.targets.services import load_targets_file
    from conformance.support.exchange.service import TargetsFileError

    cases = {'role = "oid4vci-wallet"\nendpoint = "https://w.example"\n': "driver",
             'role = "issuer"\nendpoint = "https://i.example"\ndriver = { interactive = true }\n': "driver",
             'role = "oid4vci-wallet"\nendpoint = "https://w.example"\ndriver = { command = "wallet {url}" }\n':
                 "command",
             'role = "oid4vci-wallet"\nendpoint = "https://w.example"\ndriver = { url = "https://w", token = "x" }\n':
                 "token"}
    for index, (entry, word) in enumerate(cases.items()):
        path = tmp_path / f"t{index}.toml"
        path.write_text("[[service]]\n" + entry, encoding="utf-8")
        try:
            load_targets_file(path)
        except TargetsFileError as exc:
            assert word in str(exc) or "schema" in str(exc)
            continue
        raise AssertionError(f"{entry!r} is accepted")
    path = tmp_path / "ok.toml"
    path.write_text('[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://w.example"\n'
                    'driver = { command = ["wallet", "{url}"] }\n', encoding="utf-8")
    assert load_targets_file(path).services[0].driver["command"] == ["wallet", "{url}"]
