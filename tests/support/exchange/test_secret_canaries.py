"""No secret the run knows survives into any output (issue 13, redaction by value).

A distinct canary for every kind of secret is planted against hostile loopback services that echo everything they
receive, under member names that name-based redaction does not catch, in JSON answers, in 5xx text pages and in
redirect URLs: an env bearer token, an env OAuth client secret and the access and refresh tokens its token endpoint
issues, the client secret an OB host hands out at registration, its authorization code, its access and refresh
tokens, the PKCE verifier the suite makes (captured by the server), an env refresh token and client secret, an
OpenID4VCI issuer's pre-authorized code and the tokens it issues, and a token written inline in targets.toml. Then
`check --out --format json`, `check -v` and `report --html --pdf --earl --matrix --attest` run, and every file they
write (the PDF as its text), stdout and stderr are searched for every canary.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from click.testing import CliRunner, Result
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.cli import main
from conformance.support.net.secrets import Secrets
from tests.conftest import artifacts_dir
from tests.support.exchange.servers import serve_app

CANARIES = {
    "env bearer token": "cnry-env-bearer-7f3a9c1e52",
    "env OAuth client secret": "cnry-env-client-secret-5b2d",
    "issued access token (client credentials)": "cnry-issued-access-cc-81e4",
    "issued refresh token (client credentials)": "cnry-issued-refresh-cc-2c9f",
    "issued client secret (registration)": "cnry-issued-client-secret-4a7e",
    "authorization code": "cnry-authorization-code-9d1b",
    "issued access token (authorization code)": "cnry-issued-access-ob-6e0c",
    "issued refresh token (authorization code)": "cnry-issued-refresh-ob-3f5a",
    "env refresh token": "cnry-env-refresh-token-0b8d",
    "env OB client secret": "cnry-env-ob-client-secret-d41",
    "pre-authorized code": "cnry-pre-authorized-code-e7c2",
    "issued access token (pre-authorized code)": "cnry-issued-access-vci-a19d",
    "issued refresh token (pre-authorized code)": "cnry-issued-refresh-vci-5c30",
}
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
INLINE = "cnry-inline-token-in-targets-77aa"
ENV = {"CANARY_BEARER": CANARIES["env bearer token"], "CANARY_CLIENT_SECRET": CANARIES["env OAuth client secret"],
       "CANARY_REFRESH": CANARIES["env refresh token"], "CANARY_OB_CLIENT_ID": "hostile-ob-client",
       "CANARY_OB_SECRET": CANARIES["env OB client secret"]}


class Seen:
    """What the hostile server received that the suite made up itself (PKCE verifiers)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.verifiers: set[str] = set()
        self.requests: list[str] = []


SEEN = Seen()


async def _echo(request: Request) -> str:
    """Everything the request carried, as one plain string under an innocent name."""
    body = (await request.body()).decode("utf-8", "replace")
    headers = "; ".join(f"{k}={v}" for k, v in request.headers.items())
    echo = f"{request.method} {request.url} | headers: {headers} | body: {body}"
    with SEEN.lock:
        SEEN.requests.append(echo)
    return echo


def hostile_echo_app(seen: Seen) -> Starlette:
    async def vc(request: Request) -> Response:
        echo = await _echo(request)
        if request.path_params["mode"] == "text":          # a 5xx page repeating the request
            return PlainTextResponse(f"Internal Server Error\n{echo}", status_code=500)
        if request.path_params["mode"] == "doc":           # a credential whose values the findings quote
            credential = {"@context": ["https://www.w3.org/ns/credentials/v2", echo], "id": echo,
                          "type": ["VerifiableCredential"], "issuer": echo, "validFrom": echo,
                          "credentialSubject": {"id": echo}}
            return JSONResponse({"verifiableCredential": credential, "verified": echo}, status_code=201)
        return JSONResponse({"seen": echo, "verifiableCredential": {"note": echo}}, status_code=400)

    async def cc_token(request: Request) -> Response:
        return JSONResponse({"access_token": CANARIES["issued access token (client credentials)"],
                             "refresh_token": CANARIES["issued refresh token (client credentials)"],
                             "token_type": "Bearer", "seen": await _echo(request)})

    async def discovery(request: Request) -> Response:
        base = str(request.base_url).rstrip("/") + "/" + request.path_params["host"]
        return JSONResponse({"openapi": "3.0.1", "seen": await _echo(request), "components": {"securitySchemes": {
            "OAuth2ACG": {"type": "oauth2", "x-imssf-registrationUrl": f"{base}/register",
                          "flows": {"authorizationCode": {"authorizationUrl": f"{base}/authorize",
                                                          "tokenUrl": f"{base}/token", "scopes": {}}}}}}})

    async def register(request: Request) -> Response:
        return JSONResponse({"client_id": "hostile-ob-client", "seen": await _echo(request),
                             "client_secret": CANARIES["issued client secret (registration)"]}, status_code=201)

    async def authorize(request: Request) -> Response:
        query = dict(request.query_params)
        code = CANARIES["authorization code"]
        target = f"{query.get('redirect_uri', 'https://x.example/cb')}?" + urlencode(
            {"code": code, "state": query.get("state", ""), "also": code})
        return RedirectResponse(target, status_code=302)

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") == PRE_AUTH_GRANT:
            return JSONResponse({"access_token": CANARIES["issued access token (pre-authorized code)"],
                                 "refresh_token": CANARIES["issued refresh token (pre-authorized code)"],
                                 "token_type": "Bearer", "seen": await _echo(request)})
        if form.get("code_verifier"):
            with seen.lock:
                seen.verifiers.add(form["code_verifier"])
        return JSONResponse({"access_token": CANARIES["issued access token (authorization code)"],
                             "refresh_token": CANARIES["issued refresh token (authorization code)"],
                             "token_type": "Bearer", "seen": await _echo(request)})

    async def well_known(request: Request) -> Response:
        issuer = str(request.base_url).rstrip("/") + "/" + request.path_params["host"]
        return JSONResponse({"credential_issuer": issuer, "token_endpoint": f"{issuer}/token",
                             "credential_endpoint": f"{issuer}/credential", "nonce_endpoint": f"{issuer}/nonce",
                             "credential_configurations_supported": {"x": {"format": "ldp_vc"}},
                             "seen": await _echo(request)})

    async def offer(request: Request) -> Response:
        return JSONResponse({"credential_issuer": str(request.base_url).rstrip("/") + "/" + request.path_params["host"],
                             "credential_configuration_ids": ["x"], "seen": await _echo(request),
                             "grants": {PRE_AUTH_GRANT: {"pre-authorized_code": CANARIES["pre-authorized code"]}}})

    async def resources(request: Request) -> Response:
        return PlainTextResponse(f"Internal Server Error\n{await _echo(request)}", status_code=500)

    return Starlette(routes=[
        Route("/vc/{mode}/{rest:path}", vc, methods=["GET", "POST"]),
        Route("/oauth/token", cc_token, methods=["POST"]),
        Route("/{host}/discovery", discovery), Route("/{host}/register", register, methods=["POST"]),
        Route("/{host}/authorize", authorize), Route("/{host}/token", token, methods=["POST"]),
        Route("/.well-known/{kind}/{host}", well_known), Route("/{host}/offer", offer, methods=["POST"]),
        Route("/{host}/{rest:path}", resources, methods=["GET", "POST"]),
    ])


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[str, Seen]]:
    with serve_app(hostile_echo_app(SEEN)) as base:
        yield base, SEEN


def _targets(base: str) -> str:
    bearer = 'auth = { type = "bearer", token_env = "CANARY_BEARER" }'
    oauth = (f'auth = {{ type = "oauth2-client-credentials", token_url = "{base}/oauth/token", '
             'client_id = "hostile-cc-client", client_secret_env = "CANARY_CLIENT_SECRET" }')
    services = [("issuer", f"{base}/vc/json", bearer), ("issuer", f"{base}/vc/text", bearer),
                ("issuer", f"{base}/vc/doc", bearer), ("verifier", f"{base}/vc/doc", oauth),
                ("verifier", f"{base}/vc/json", oauth), ("verifier", f"{base}/vc/text", oauth),
                ("ob-host", f"{base}/ob", ""),
                ("ob-host", f"{base}/ob2", 'options = { client_id_env = "CANARY_OB_CLIENT_ID", client_secret_env = '
                                           '"CANARY_OB_SECRET", refresh_token_env = "CANARY_REFRESH" }'),
                ("oid4vci-issuer", f"{base}/vci", f'options = {{ offer_endpoint = "{base}/vci/offer" }}')]
    entries = [f'[[service]]\nrole = "{role}"\nendpoint = "{endpoint}"\n{extra}\n'
               for role, endpoint, extra in services]
    return '[implementation]\nname = "Hostile echo"\n\n' + "\n".join(entries)


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _outputs(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text (a PDF also as the text it shows: its streams are compressed)."""
    import pypdf

    texts = {str(p.relative_to(folder)): p.read_bytes().decode("utf-8", "replace")
             for p in sorted(folder.rglob("*")) if p.is_file()}
    for path in sorted(folder.rglob("*.pdf")):
        shown = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
        texts[f"{path.relative_to(folder)} (text)"] = shown
    return texts


def _leaks(texts: dict[str, str], canaries: dict[str, str]) -> dict[str, dict[str, int]]:
    """kind -> {output: count} for every canary found anywhere."""
    found: dict[str, dict[str, int]] = {}
    for kind, canary in canaries.items():
        for name, text in texts.items():
            if canary in text:
                found.setdefault(kind, {})[name] = text.count(canary)
    return found


def test_no_canary_in_any_output(hostile: tuple[str, Seen], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    base, seen = hostile
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    targets = tmp_path / "vendor" / "targets.toml"
    targets.parent.mkdir()
    targets.write_text(_targets(base), encoding="utf-8")
    out = tmp_path / "out" / "hostile"
    common = ("check", "--artifacts", str(artifacts_dir()), "--allow-private")
    texts: dict[str, str] = {}
    run = _invoke(*common, "--out", str(out), "--format", "json", str(targets))
    texts |= {"check --format json: stdout": run.stdout, "check --format json: stderr": run.stderr}
    verbose = _invoke(*common, "-v", str(targets))
    texts |= {"check -v: stdout": verbose.stdout, "check -v: stderr": verbose.stderr}
    report = _invoke("report", str(out / "results.json"), "--html", "--pdf", "--earl", "--matrix", "--attest",
                     "--out", str(tmp_path / "report"))
    texts |= {"report: stdout": report.stdout, "report: stderr": report.stderr}
    texts |= {f"out/{k}": v for k, v in _outputs(out).items()}
    texts |= {f"report/{k}": v for k, v in _outputs(tmp_path / "report").items()}
    captured = capsys.readouterr()
    texts |= {"captured stdout": captured.out, "captured stderr": captured.err}

    with seen.lock:
        verifiers = sorted(seen.verifiers)
    canaries = CANARIES | {f"PKCE verifier {n}": v for n, v in enumerate(verifiers)}
    leaks = _leaks(texts, canaries)
    print("canary leaks:", json.dumps(leaks, indent=1))
    print("total:", sum(sum(where.values()) for where in leaks.values()))
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    transcripts = {t["subject"]: t for t in document["evidence"]["transcripts"]}
    assert len(transcripts) == 9, sorted(transcripts)      # every service was asked (the canaries were sent)
    assert report.exit_code == 0, report.output
    assert verifiers, "the OB host flows never reached the token endpoint"
    with seen.lock:
        received = "\n".join(seen.requests)
    # the canaries were in play: each one the suite sends back was received by the hostile services (and echoed)
    sent_back = [kind for kind in CANARIES if not kind.startswith(("issued refresh", "issued client secret",
                                                                     "env OB client secret"))]
    assert all(CANARIES[kind] in received for kind in sent_back), [k for k in sent_back if CANARIES[k] not in received]
    assert not leaks
    assert "[redacted access token]" in (out / "results.json").read_text(encoding="utf-8")
    assert "report/report.pdf (text)" in texts and "[redacted access token]" in texts["report/report.html"]


def test_inline_token_in_targets_is_refused_without_printing_it(tmp_path: Path) -> None:
    targets = tmp_path / "targets.toml"
    for auth in (f'auth = {{ type = "bearer", token = "{INLINE}" }}',
                 f'auth = {{ type = "bearer", token_env = "{INLINE}" }}',      # the value where the name belongs
                 f'auth = "{INLINE}"'):
        targets.write_text(f'[[service]]\nrole = "issuer"\nendpoint = "https://a.example"\n{auth}\n',
                           encoding="utf-8")
        run = _invoke("check", "--artifacts", str(artifacts_dir()), str(targets))
        assert run.exit_code == 2, run.output
        assert INLINE not in run.stdout and INLINE not in run.stderr, run.stderr
        assert "auth" in run.stderr


def test_secrets_redact_by_value_in_every_form() -> None:
    secrets = Secrets()
    secrets.add("tok/en+with space", "access token")
    secrets.add("abc", "authorization code")          # short: still redacted, where it stands alone
    secrets.add("", "bearer token")                    # nothing to redact
    text = secrets.redact("a tok/en+with space b tok%2Fen%2Bwith%20space c tok%2Fen%2Bwith+space abcd ?code=abc&")
    assert text == ("a [redacted access token] b [redacted access token] c [redacted access token] "
                    "abcd ?code=[redacted authorization code]&")
    document: Any = {"k abc": ["x abc", {"n": 1, "s": "tok/en+with space"}], "t": ("abc",)}
    assert secrets.redact(document) == {"k [redacted authorization code]": ["x [redacted authorization code]",
                                        {"n": 1, "s": "[redacted access token]"}],
                                        "t": ("[redacted authorization code]",)}
    assert secrets.redact(json.dumps("tok/en+with space\"")) == json.dumps("[redacted access token]\"")
    assert secrets.redact(b"abc") == b"[redacted authorization code]"


def test_client_evidence_and_errors_are_redacted_by_value() -> None:
    from conformance.support.net import FetchError, FetchPolicy, GuardedClient

    secret = "cnry-in-a-url-path-31c7"
    with GuardedClient(FetchPolicy()) as client:
        client.secrets.add(secret, "access token")
        with pytest.raises(FetchError) as caught:      # refused (loopback): the refusal is still recorded
            client.send("GET", f"http://127.0.0.1/items/{secret}?q={secret}", headers={"x-echo": secret})
        (exchange,) = client.exchanges
    assert secret not in json.dumps(exchange.to_json()) and secret not in str(caught.value)
    assert "[redacted access token]" in exchange.url


def test_counterparty_secrets_join_the_run_registry() -> None:
    from conformance.support.exchange.server import CounterpartyServer
    from conformance.support.net.secrets import FLOW_SECRETS

    run = Secrets()
    token = FLOW_SECRETS.set(run)
    try:
        server = CounterpartyServer([])
    finally:
        FLOW_SECRETS.reset(token)
    server.secret("cnry-counterparty-issued-code-8e", "pre-authorized-code/plain")
    assert run.redact("got cnry-counterparty-issued-code-8e") == "got [redacted pre-authorized-code/plain]"
    assert CounterpartyServer([]).secret("x" * 12, "k") == "x" * 12        # outside a flow: its own records only


def test_terminal_and_json_outputs_are_redacted(env: Any) -> None:
    import io

    from rich.console import Console

    from conformance.core.findings import Finding, Outcome, Verdict
    from conformance.core.requirements import Level
    from conformance.reporting.results import check_output
    from conformance.reporting.text import render
    from conformance.run.runner import SubjectResult

    secret = "cnry-in-a-finding-message-9a"
    secrets = Secrets()
    secrets.add(secret, "bearer token")
    finding = Finding("CORE-input-readable", Outcome.FAILED, f"/transcript/0/{secret}", f"the service says {secret}")
    result = SubjectResult(f"https://x.example/{secret}#issuer", "t", Verdict.FAIL, (), (finding,),
                           {"CORE-input-readable": Level.MUST})
    screen = io.StringIO()
    render(Console(file=screen, width=200), [result], env.catalog, verbose=True, secrets=secrets)
    assert secret not in screen.getvalue() and "[redacted bearer token]" in screen.getvalue()
    assert secret not in json.dumps(check_output([result], secrets=secrets))
