"""Wallet portability (C-BEN universal access): a learner moves a credential from one wallet to another and it
still works (role "wallet-portability", rules WALLETPORT-* in conformance/standards/wallet_portability/).

targets.toml names the two wallets in options (each `driver` as for oid4vci-wallet; export and import are a URL
or a command):

    [[service]]
    role = "wallet-portability"
    endpoint = "https://wallet-a.example"              # names the pair (the source wallet)
    options = { timeout_s = 60,
      source = { driver = { url = "https://wallet-a.example/offer" },
                 export = { url = "https://wallet-a.example/export" } },
      destination = { driver = { url = "https://wallet-b.example/offer" },
                      import = { url = "https://wallet-b.example/import" } } }

    export = { url = U }          GET U answers the wallet's export as JSON ({"credentials": [...]} or a list)
    export = { command = [...] }  run without a shell; its stdout is the export JSON (at most 1 MiB)
    import = { url = U }          POST U with the export JSON exactly as the source gave it
    import = { command = [..., "{file}", ...] }   run with {file} naming a file that holds the export JSON

Commands (drivers, export, import) run only with --allow-driver-commands (ServiceConfig.commands), each side's with
the variables its driver lists in `env`; without it the flows do not start and every rule is error.

Sessions, recorded in one transcript: "issue" (the suite's OpenID4VCI issuer hands the source wallet an Open Badges
3.0 credential, as for oid4vp-wallet), "export" (from the source), "import" (into the destination, the export
passed on unchanged), "present" (the suite's OpenID4VP verifier asks the destination for the badge; the response
step's observed facts say whether the presented credential is the issued one, canonical JSON, and verifies).
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.standards.oid4vci.counterparty import WalletTestIssuer
from conformance.standards.oid4vp.counterparty import PRESENT, WalletTestVerifier, canonical
from conformance.standards.oid4vp.wallet_flows import issue_into, keeping
from conformance.support.exchange.drivers import asked, described, driver_from, hand
from conformance.support.exchange.server import CounterpartyOptions, CounterpartyServer
from conformance.support.exchange.service import CommandPolicy
from conformance.support.net import FetchError, GuardedClient, redact_url

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

MAX_EXPORT = 1024 * 1024


def _hook(side: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    hook = side.get(name)
    if not isinstance(hook, Mapping) or len(hook) != 1 or not (
            isinstance(hook.get("url"), str) and hook["url"].startswith(("http://", "https://"))
            or isinstance(hook.get("command"), list) and hook["command"]
            and all(isinstance(a, str) and a for a in hook["command"])):
        raise ValueError(f"options.{'source' if name == 'export' else 'destination'}.{name} must be "
                         "{ url = \"http(s)://...\" } or { command = [...] }")
    return hook


def _side(options: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    side = options.get(name)
    if not isinstance(side, Mapping) or not isinstance(side.get("driver"), Mapping):
        raise ValueError(f"options.{name} must be a table with a driver (and "  # noqa: TRY004 - a config error
                         f"{'export' if name == 'source' else 'import'})")
    return side


def _facts(value: Any, issued: list[Any]) -> dict[str, Any]:
    """What an export holds, as far as the rules care: how many credentials, and whether the issued one is there."""
    items = value.get("credentials") if isinstance(value, dict) else value
    items = items if isinstance(items, list) else []
    wanted = {canonical(c) for c in issued}
    return {"credentials": len(items), "holds_issued": any(canonical(c) in wanted for c in items)}


def _env(side: Mapping[str, Any]) -> tuple[str, ...]:
    """The variables a side's export or import command gets besides the base set: those its driver lists."""
    listed = side["driver"].get("env", ())
    return tuple(n for n in listed if isinstance(n, str)) if isinstance(listed, list | tuple) else ()


def export_from(client: GuardedClient, hook: Mapping[str, Any], timeout_s: float,
                issued: list[Any], commands: CommandPolicy = CommandPolicy(),
                env: tuple[str, ...] = ()) -> tuple[Step, bytes | None]:
    if "url" in hook:
        url = hook["url"]
        try:
            answer = client.send("GET", url, accept="application/json", max_bytes=MAX_EXPORT)
        except FetchError as exc:
            return Step("export", "export", "GET", redact_url(url), None, status=exc.status, error=exc.reason.value,
                        message=exc.message), None
        raw, status, where, method = answer.body, answer.status, redact_url(url), "GET"
    else:
        argv = list(hook["command"])
        where, method = f"command:{argv[0]}", "RUN"
        refused = commands.refusal("the source wallet", argv, "export command")
        if refused:          # run() refuses first; this guards any other caller
            return Step("export", "export", method, where, None, error="not-allowed", message=refused), None
        try:
            done = subprocess.run(argv, capture_output=True, timeout=timeout_s, stdin=subprocess.DEVNULL, check=False,
                                  env=commands.environment(env))
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = "timeout" if isinstance(exc, subprocess.TimeoutExpired) else "not-started"
            return Step("export", "export", method, where, None, error=reason,
                        message=f"the export command does not finish: {type(exc).__name__}"), None
        raw, status = done.stdout[:MAX_EXPORT + 1], done.returncode
    if len(raw) > MAX_EXPORT:
        return Step("export", "export", method, where, None, status=status, error="too-large",
                    message=f"the export is over {MAX_EXPORT} bytes"), None
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return Step("export", "export", method, where, None, status=status, json_error="the export is not JSON",
                    text=raw[:200].decode("utf-8", "replace")), None
    return Step("export", "export", method, where, None, status=status, body=_facts(parsed, issued)), raw


def import_into(client: GuardedClient, hook: Mapping[str, Any], raw: bytes, timeout_s: float,
                commands: CommandPolicy = CommandPolicy(), env: tuple[str, ...] = ()) -> Step:
    if "url" in hook:
        url = hook["url"]
        try:
            answer = client.send("POST", url, content=raw, content_type="application/json",
                                 accept="application/json", max_bytes=64 * 1024)
        except FetchError as exc:
            return Step("import", "import", "POST", redact_url(url), {"bytes": len(raw)}, status=exc.status,
                        error=exc.reason.value, message=exc.message)
        return Step("import", "import", "POST", redact_url(url), {"bytes": len(raw)}, status=answer.status)
    argv = list(hook["command"])
    refused = commands.refusal("the destination wallet", argv, "import command")
    if refused:              # run() refuses first; this guards any other caller
        return Step("import", "import", "RUN", f"command:{argv[0]}", {"bytes": len(raw)}, error="not-allowed",
                    message=refused)
    with tempfile.NamedTemporaryFile(suffix=".json") as held:
        held.write(raw)
        held.flush()
        try:
            done = subprocess.run([a.replace("{file}", held.name) for a in argv], capture_output=True,
                                  timeout=timeout_s, stdin=subprocess.DEVNULL, check=False,
                                  env=commands.environment(env))
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = "timeout" if isinstance(exc, subprocess.TimeoutExpired) else "not-started"
            return Step("import", "import", "RUN", f"command:{argv[0]}", {"bytes": len(raw)}, error=reason,
                        message=f"the import command does not finish: {type(exc).__name__}")
    return Step("import", "import", "RUN", f"command:{argv[0]}", {"bytes": len(raw)}, status=done.returncode)


@flows("wallet-portability")
def run(subject: ServiceSubject) -> Transcript:
    options = subject.service.options
    try:
        server_options = CounterpartyOptions.from_options({k: v for k, v in options.items()
                                                           if k in ("listen", "public_url", "timeout_s")})
        source, destination = _side(options, "source"), _side(options, "destination")
        export_hook, import_hook = _hook(source, "export"), _hook(destination, "import")
        from_driver = driver_from(source["driver"], subject.client, subject.service)
        to_driver = driver_from(destination["driver"], subject.client, subject.service)
        for hook, where in ((export_hook, "options.source.export"), (import_hook, "options.destination.import")):
            refused = subject.service.commands.refusal(described(subject.service), hook.get("command") or ("",),
                                                      f"{where} command") if "command" in hook else ""
            if refused:
                raise ValueError(refused)
    except ValueError as exc:
        return Transcript((), setup_error=str(exc))
    issuer = WalletTestIssuer(subject.env.verifier.canonicalizer)
    verifier = WalletTestVerifier(subject.env)
    server = CounterpartyServer([*keeping(issuer, verifier.issued), *verifier.routes()], server_options,
                                name="wallet-portability")
    issuer.server = verifier.server = server
    timeout = server_options.timeout_s

    def sessions() -> None:
        issue_into(server, issuer, from_driver, timeout)
        commands = subject.service.commands
        step, raw = export_from(subject.client, export_hook, timeout, verifier.issued, commands, _env(source))
        server.record(step)
        if raw is not None:
            server.record(import_into(subject.client, import_hook, raw, timeout, commands, _env(destination)))
            hand(server, to_driver, PRESENT.name, verifier.open(PRESENT), asked(PRESENT.name, "response"), timeout)
    return server.run("test issuer and verifier", sessions)
