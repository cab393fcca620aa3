"""A scriptable reference Open Badges 3.0 client application (`_MODULES` key "OB30API-CLIENT"), conformant by
default, with one fault switch per OB30API-CLIENT requirement; the same app speaks the CLR 2.0 API for the CLR20
flavour (conformance/reference/clrclient.py names its switches). Loopback only: a test fixture and the stand-in
`serve-reference` runs.

    POST /run/issuer      {"url": discovery URL} -> reads discovery, registers, authorizes (following the
                          authorization redirect itself, standing in for the learner's browser), exchanges the code
                          with PKCE and HTTP Basic, upserts one signed credential of the flavour's type
    POST /run/displayer   the same, then reads every page of getCredentials (Link rel=next) and getProfile

Each answers {"done": true} or {"done": false, "error": "why"} (the driver convention of
conformance/support/exchange/drivers.py, with `done` for an application).
"""
from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.reference import calls
from conformance.reference.ims import OB30, Api, s256, signed_credential
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

REDIRECT_URI = "https://app.ler-conformance.example/oauth/callback"
MAX_BODY_BYTES = 64 * 1024
MAX_PAGES = 20

# switch -> the requirement it makes fail (and nothing else, but what ALSO names)
FAULTS: Mapping[str, str] = MappingProxyType({
    "skips-discovery": "OB30API-CLIENT-discovery-read",
    "registration-without-software-id": "OB30API-CLIENT-registration-metadata",
    "authorize-without-response-type": "OB30API-CLIENT-authorize-request",
    "authorize-without-state": "OB30API-CLIENT-authorize-state",
    "pkce-plain": "OB30API-CLIENT-authorize-pkce",
    "secret-in-form": "OB30API-CLIENT-token-client-auth",
    "wrong-verifier": "OB30API-CLIENT-token-verifier",
    "token-in-query": "OB30API-CLIENT-bearer-header",
    "upsert-without-proof": "OB30API-CLIENT-upsert-credential",
    "first-page-only": "OB30API-CLIENT-read-paging",
    "skips-profile": "OB30API-CLIENT-read-profile",
    "asks-every-scope": "OB30API-CLIENT-least-scope",
})

# switch -> the other requirements it cannot help breaking: a credential upserted without a proof fails the document
# rules that ask a credential to be secured.
ALSO: Mapping[str, frozenset[str]] = MappingProxyType({
    "upsert-without-proof": frozenset({"OB30-proof-present", "VCDM20-secured"}),
})


class Stopped(Exception):
    """The application gives up (what it answers the driver as `error`)."""


class ClientApp:
    """The application's whole session against one host: discovery -> register -> authorize -> token -> work."""

    def __init__(self, env: Environment, flavour: Api, faults: frozenset[str]) -> None:
        self.env, self.flavour, self.on = env, flavour, faults.__contains__

    def _send(self, client: Any, method: str, url: str, *, body: Any = None, form: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None) -> Any:
        return calls.send(client, method, url, refuse=Stopped, body=body, form=form, headers=headers)

    def _json(self, client: Any, method: str, url: str, **kwargs: Any) -> tuple[Any, Any]:
        answer = self._send(client, method, url, **kwargs)
        return calls.parsed(answer, method, url, refuse=Stopped), answer

    def scopes(self, kind: str) -> list[str]:
        named = self.flavour.scopes
        if self.on("asks-every-scope"):
            return list(named.values())
        wanted = (["credential.upsert"] if kind in ("issuer", "both") else []) \
            + (["credential.readonly", "profile.readonly"] if kind in ("displayer", "both") else [])
        return [named[n] for n in wanted]

    def run(self, discovery: str, kind: str) -> dict[str, Any]:

        try:
            with GuardedClient(FetchPolicy(allow_private=True)) as client:
                self._session(client, discovery, kind)
            return {"done": True}
        except Stopped as exc:
            return {"done": False, "error": str(exc)}

    def _session(self, client: Any, discovery: str, kind: str) -> None:
        api = discovery.removesuffix("/discovery")
        if self.on("skips-discovery"):
            register, authorize, token_url = api + "/oauth/register", api + "/oauth/authorize", api + "/oauth/token"
        else:
            description, _ = self._json(client, "GET", discovery)
            scheme = ((description.get("components") or {}).get("securitySchemes") or {}).get("OAuth2ACG") or {}
            flow = (scheme.get("flows") or {}).get("authorizationCode") or {}
            register, authorize, token_url = (scheme.get("x-imssf-registrationUrl"), flow.get("authorizationUrl"),
                                              flow.get("tokenUrl"))
            if not all(isinstance(u, str) for u in (register, authorize, token_url)):
                raise Stopped("the service description names no registration, authorization or token URL")
            api = str((description.get("servers") or [{}])[0].get("url") or api)
        scope = " ".join(self.scopes(kind))
        metadata = {"client_name": "ler-conformance reference client",
                    "client_uri": "https://app.ler-conformance.example/",
                    "logo_uri": "https://app.ler-conformance.example/logo.png",
                    "tos_uri": "https://app.ler-conformance.example/terms",
                    "policy_uri": "https://app.ler-conformance.example/privacy",
                    "software_id": "4f2c9e1a-7b3d-4c8e-a6f0-1d5b9e2c7a34", "software_version": "1.0.0",
                    "redirect_uris": [REDIRECT_URI], "scope": scope,
                    "token_endpoint_auth_method": "client_secret_basic",
                    "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]}
        if self.on("registration-without-software-id"):
            del metadata["software_id"]
        registered, _ = self._json(client, "POST", str(register), body=metadata)
        client_id, client_secret = registered.get("client_id"), registered.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(client_secret, str):
            raise Stopped("the registration answer has no client_id and client_secret")
        verifier = secrets.token_urlsafe(48)
        state = secrets.token_urlsafe(16)
        query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "scope": scope,
                 "state": state, "code_challenge": s256(verifier), "code_challenge_method": "S256"}
        if self.on("authorize-without-response-type"):
            del query["response_type"]
        if self.on("authorize-without-state"):
            del query["state"]
        if self.on("pkce-plain"):
            query.update(code_challenge=verifier, code_challenge_method="plain")
        answer = self._send(client, "GET", str(authorize) + "?" + urlencode(query))
        location = (answer.header("location") or "") if answer.status in (301, 302, 303, 307, 308) else ""
        if not location.startswith(REDIRECT_URI):
            raise Stopped(f"the authorization endpoint answers HTTP {answer.status}, not a redirect to the client")
        back = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if "state" in query and back.get("state") != state:
            raise Stopped("the redirect does not give back the state sent")
        if not back.get("code"):
            raise Stopped(f"the redirect carries no code ({back.get('error', 'no error either')})")
        form = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT_URI,
                "code_verifier": secrets.token_urlsafe(48) if self.on("wrong-verifier") else verifier}
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        headers: dict[str, str] = {"authorization": f"Basic {basic}"}
        if self.on("secret-in-form"):
            form.update(client_id=client_id, client_secret=client_secret)
            headers = {}
        token, _ = self._json(client, "POST", str(token_url), form=form, headers=headers)
        access = token.get("access_token")
        if not isinstance(access, str):
            raise Stopped("the token answer has no access_token")
        if kind in ("issuer", "both"):
            self._upsert(client, api, access)
        if kind in ("displayer", "both"):
            self._read(client, api, access)

    def _authorized(self, url: str, access: str) -> tuple[str, dict[str, str]]:
        if self.on("token-in-query"):
            return url + ("&" if "?" in url else "?") + urlencode({"access_token": access}), {}
        return url, {"authorization": f"Bearer {access}"}

    def _upsert(self, client: Any, api: str, access: str) -> None:
        credential = signed_credential(self.env.verifier.canonicalizer, self.flavour,
                                     "urn:uuid:6a1e3c5b-9d2f-4b7a-8e0c-2f4d6b8a0c13", "Reference issuer app credential")
        if self.on("upsert-without-proof"):
            credential.pop("proof", None)
        url, headers = self._authorized(api + "/credentials", access)
        self._json(client, "POST", url, body=credential, headers=headers)

    def _read(self, client: Any, api: str, access: str) -> None:
        url: str | None = api + "/credentials?limit=2&offset=0"
        pages = 0
        while url is not None and pages < MAX_PAGES:
            target, headers = self._authorized(url, access)
            body, answer = self._json(client, "GET", target, headers=headers)
            if not isinstance(body, dict) or not isinstance(body.get("credential", []), list):
                raise Stopped("getCredentials answers no credential array")
            pages += 1
            match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', answer.header("link") or "")
            url = match.group(1) if match and not self.on("first-page-only") else None
        if not self.on("skips-profile"):
            target, headers = self._authorized(api + "/profile", access)
            self._json(client, "GET", target, headers=headers)


def build_app(env: Environment, faults: frozenset[str] = frozenset(), flavour: Api = OB30) -> Starlette:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    app = ClientApp(env, flavour, frozenset(faults))

    async def run(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if len(raw) <= MAX_BODY_BYTES else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            return JSONResponse({"done": False, "error": "expected {\"url\": discovery URL}"}, status_code=400)
        return JSONResponse(await run_in_threadpool(app.run, body["url"], request.path_params["kind"]))

    return Starlette(routes=[Route("/run/{kind:str}", run, methods=["POST"])])


@dataclass(frozen=True, slots=True)
class RunningClient:
    base_url: str
    faults: frozenset[str]
    flavour: Api = OB30

    def service_toml(self) -> str:
        """Two [[service]] entries: the app as an issuer and as a displayer, each driven through its /run URL."""
        return "\n".join(f'[[service]]\nrole = "{self.flavour.client_role}"\nendpoint = "{self.base_url}/run/{kind}"\n'
                         f'driver = {{ url = "{self.base_url}/run/{kind}" }}\n'
                         f'options = {{ app = "{kind}", timeout_s = 20 }}\n' for kind in ("issuer", "displayer"))

    def targets_toml(self) -> str:
        return f'[implementation]\nname = "ler-conformance reference {self.flavour.title} client"\n\n' \
            + self.service_toml()


@contextmanager
def serve_obclient(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                   host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 10.0,
                   flavour: Api = OB30) -> Iterator[RunningClient]:
    """Serve the reference client application on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults), flavour)
    with serve_in_thread(app, name="the reference client application", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningClient(bound.url(), frozenset(faults), flavour)


serve = serve_obclient      # the name every reference module exposes (conformance/reference/__init__.py)
