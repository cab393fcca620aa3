"""A reference Open Badges 3.0 host (the 1EdTech OB REST API with its OAuth 2.0 profile), conformant by default,
with one fault switch per OB30API requirement; the same app serves the CLR 2.0 API for an `Api` (ims.CLR20:
/ims/clr/v2p0, CLR scopes, ClrCredentials; conformance/reference/clrapi.py names its switches). In memory,
loopback only: a test fixture and the stand-in `serve-reference` and `make demo` run, not a service.

    GET  {API}/discovery             the service description (OpenAPI 3, OAuth2ACG scheme), unprotected
    POST {API}/oauth/register        RFC 7591 dynamic registration, no initial access token -> 201
    GET  {API}/oauth/authorize       PKCE S256 required; approves at once for the one test user (no consent page:
                                     the headless stand-in for a signed-in user who consents) -> 302 ?code&state
    POST {API}/oauth/token           authorization_code (HTTP Basic client credentials, code_verifier checked),
                                     refresh_token
    POST {API}/oauth/revoke          RFC 7009
    GET  {API}/credentials           limit/offset paging, X-Total-Count, Link (next, prev, first, last)
    POST {API}/credentials           upsertCredential: 201 created, 200 replaced (same issuer id and id)
    GET  {API}/profile               the test user's Profile

{API} is /ims/ob/v3p0 (the flavour's base path). Resource errors are Imsx_StatusInfo objects; OAuth errors are
RFC 6749 error objects.
The host holds three credentials of the flavour's type signed with the suite's public test key for its test user,
and lists the first of them once more as a compact JWS (compactJwsString) signed with the same key.
"""
from __future__ import annotations

import base64
import copy
import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.reference import ims
from conformance.reference.ims import OB30, Api, s256, signed_credential
from conformance.support.securing.signing import jwt_of
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

API = OB30.base_path
SCOPE = OB30.scope_base
READ, UPSERT, PROFILE = SCOPE + "credential.readonly", SCOPE + "credential.upsert", SCOPE + "profile.readonly"
USER = "https://host.ler-conformance.example/users/learner-0001"
SEEDED = 3
ISSUER_KEY = "issuer-ed25519"   # the suite's public test key the host's credentials are signed with
MAX_BODY_BYTES = 1024 * 1024

# switch -> the requirement it makes fail (and nothing else, but what ALSO names)
FAULTS: Mapping[str, str] = MappingProxyType({
    "discovery-needs-token": "OB30API-discovery-open",
    "discovery-missing-scope": "OB30API-discovery-oauth",
    "registration-answers-200": "OB30API-registration",
    "authorize-drops-state": "OB30API-authorize-redirect",
    "token-type-missing": "OB30API-token-code",
    "pkce-not-checked": "OB30API-pkce-verified",
    "credentials-open": "OB30API-token-required",
    "scope-not-checked": "OB30API-scope-enforced",
    "credentials-bare-entries": "OB30API-get-credentials",
    "limit-ignored": "OB30API-paging-limit",
    "total-count-missing": "OB30API-total-count",
    "link-next-missing": "OB30API-paging-link",
    "profile-without-type": "OB30API-get-profile",
    "upsert-answers-204": "OB30API-upsert-answer",
    "upsert-drops-terms": "OB30API-upsert-round-trip",
    "revocation-ignored": "OB30API-revoked-token-refused",
    "errors-plain-text": "OB30API-error-status-info",
})
DROPPED_TERM = "tag"            # what upsert-drops-terms leaves out of a stored achievement

# switch -> the other requirements it cannot help breaking: a host that drops a term from the credential it stores
# hands back a credential whose proof no longer verifies (the suite signed it before the upsert).
ALSO: Mapping[str, frozenset[str]] = MappingProxyType({
    "upsert-drops-terms": frozenset({"OB30-proof-verifies", "DI10-signature-verifies"}),
})


@lru_cache(maxsize=4)
def _seeded(canonicalizer: Any, flavour: Api = OB30) -> tuple[dict[str, Any], ...]:
    seed = "5e0c9a7b-2d4f-4b8e-a1c3" if flavour is OB30 else "9a4d1f6c-3e2b-4c7a-b8e5"
    what = "Badge" if flavour is OB30 else "Record"
    return tuple(signed_credential(canonicalizer, flavour, f"urn:uuid:{seed}-00000000000{number}",
                                 f"Host Seed {what} {number}") for number in range(1, SEEDED + 1))


@lru_cache(maxsize=4)
def _seeded_jws(canonicalizer: Any, flavour: Api = OB30) -> str:
    """The first seeded credential once more, as a compact JWS (VC-JWT with the credential's members as claims, the
    form of the suite's own OB 3.0 JWT vectors), signed with the suite's public issuer test key."""

    credential = copy.deepcopy(_seeded(canonicalizer, flavour)[0])
    credential.pop("proof", None)
    return jwt_of(credential, {"style": "jwt-claims", "key": ISSUER_KEY})


def _drop_term(credential: dict[str, Any]) -> None:
    """What upsert-drops-terms does: leave DROPPED_TERM out of the achievement, or out of the nested credentials'
    achievements of a CLR."""
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return
    achievement = subject.get("achievement")
    if isinstance(achievement, dict):
        achievement.pop(DROPPED_TERM, None)
    for nested in subject.get("verifiableCredential") or ():
        if isinstance(nested, dict):
            _drop_term(nested)


@dataclass
class _State:
    clients: dict[str, dict[str, Any]]
    codes: dict[str, dict[str, Any]]
    tokens: dict[str, dict[str, Any]]
    refresh: dict[str, dict[str, Any]]
    credentials: list[dict[str, Any]]


def build_app(env: Environment, faults: frozenset[str] = frozenset(), flavour: Api = OB30) -> Starlette:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    api = flavour.base_path
    read, upsert_scope, profile_scope = (flavour.scopes[n] for n in ("credential.readonly", "credential.upsert",
                                                                      "profile.readonly"))
    state = _State({}, {}, {}, {}, [copy.deepcopy(c) for c in _seeded(env.verifier.canonicalizer, flavour)])
    listed_jws = _seeded_jws(env.verifier.canonicalizer, flavour)      # listed after the JSON credentials
    lock = threading.Lock()

    def status_info(status: int, description: str, minor: str) -> Response:
        if "errors-plain-text" in faults:
            return PlainTextResponse(description, status_code=status)
        return JSONResponse({"imsx_codeMajor": "failure", "imsx_severity": "error",
                             "imsx_description": description,
                             "imsx_codeMinor": {"imsx_codeMinorField": [
                                 {"imsx_codeMinorFieldName": "TargetEndSystem",
                                  "imsx_codeMinorFieldValue": minor}]}}, status_code=status)

    def oauth_error(status: int, error: str, description: str) -> Response:
        return JSONResponse({"error": error, "error_description": description}, status_code=status,
                            headers={"cache-control": "no-store"})

    def bearer(request: Request, scope: str) -> Response | None:
        """None when the request carries a live token with `scope`; otherwise the refusal."""
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            if "credentials-open" in faults and scope == read:
                return None
            return status_info(401, "an access token is required", "unauthorisedrequest")
        token = state.tokens.get(header[7:].strip())
        if token is None or (token["revoked"] and "revocation-ignored" not in faults):
            return status_info(401, "the access token is not valid", "unauthorisedrequest")
        if scope not in token["scope"] and "scope-not-checked" not in faults:
            return status_info(403, f"the access token lacks the scope {scope}", "forbidden")
        return None

    async def discovery(request: Request) -> Response:
        if "discovery-needs-token" in faults and "authorization" not in request.headers:
            return status_info(401, "an access token is required", "unauthorisedrequest")
        base = str(request.base_url).rstrip("/") + api
        scopes = {read: "Read the user's credentials", upsert_scope: "Create or replace the user's credentials",
                  profile_scope: "Read the user's profile"}
        if "discovery-missing-scope" in faults:
            scopes.pop(profile_scope)
        return JSONResponse(ims.discovery(flavour, base, scopes))

    async def json_body(request: Request) -> Any:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise ValueError("the body is too large")
        return json.loads(raw)

    async def register(request: Request) -> Response:
        try:
            metadata = await json_body(request)
        except (ValueError, RecursionError):
            return oauth_error(400, "invalid_client_metadata", "the body is not JSON")
        redirects = metadata.get("redirect_uris") if isinstance(metadata, dict) else None
        if not isinstance(redirects, list) or not redirects or not all(isinstance(u, str) for u in redirects):
            return oauth_error(400, "invalid_redirect_uri", "redirect_uris is not a list of URLs")
        client_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        scope = str(metadata.get("scope") or f"{read} {upsert_scope} {profile_scope}")
        with lock:
            state.clients[client_id] = {"secret": secret, "redirect_uris": redirects, "scope": scope}
        answer = {**{k: v for k, v in metadata.items() if isinstance(k, str)}, "client_id": client_id,
                  "client_secret": secret, "client_id_issued_at": int(time.time()), "client_secret_expires_at": 0}
        return JSONResponse(answer, status_code=200 if "registration-answers-200" in faults else 201)

    async def authorize(request: Request) -> Response:
        query = request.query_params
        client = state.clients.get(query.get("client_id", ""))
        redirect = query.get("redirect_uri", "")
        if client is None or redirect not in client["redirect_uris"]:
            return PlainTextResponse("unknown client or redirect URI", status_code=400)
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256" \
                or not query.get("code_challenge"):
            return RedirectResponse(redirect + "?" + urlencode({"error": "invalid_request",
                                                                "state": query.get("state", "")}), 302)
        code = secrets.token_urlsafe(16)
        with lock:
            state.codes[code] = {"client_id": query["client_id"], "redirect_uri": redirect,
                                 "challenge": query["code_challenge"], "scope": query.get("scope", "").split()}
        back = {"code": code} if "authorize-drops-state" in faults else {"code": code, "state": query.get("state", "")}
        return RedirectResponse(redirect + "?" + urlencode(back), 302)

    def client_of(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        client = state.clients.get(client_id)
        return client_id if client is not None and secrets.compare_digest(client["secret"], secret) else None

    async def token(request: Request) -> Response:
        client_id = client_of(request)
        if client_id is None:
            return oauth_error(401, "invalid_client", "HTTP Basic client credentials are required")
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if form.get("grant_type") == "refresh_token":
            with lock:
                held = state.refresh.get(form.get("refresh_token", ""))
            if held is None or held["client_id"] != client_id:
                return oauth_error(400, "invalid_grant", "the refresh token is unknown or for another client")
            return issue(client_id, held["scope"])
        if form.get("grant_type") != "authorization_code":
            return oauth_error(400, "unsupported_grant_type", "authorization_code and refresh_token are served")
        with lock:
            grant = state.codes.pop(form.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != form.get("redirect_uri"):
            return oauth_error(400, "invalid_grant", "the code is unknown, used, or for another client")
        if s256(form.get("code_verifier", "")) != grant["challenge"] and "pkce-not-checked" not in faults:
            return oauth_error(400, "invalid_grant", "the code_verifier does not match the code_challenge")
        return issue(client_id, grant["scope"])

    def issue(client_id: str, scope: list[str]) -> Response:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with lock:
            state.tokens[access] = {"scope": scope, "revoked": False, "client_id": client_id}
            state.refresh[refresh] = {"scope": scope, "client_id": client_id}
        answer: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                                  "refresh_token": refresh, "scope": " ".join(scope)}
        if "token-type-missing" in faults:
            del answer["token_type"]
        return JSONResponse(answer, headers={"cache-control": "no-store"})

    async def revoke(request: Request) -> Response:
        client_id = client_of(request)
        if client_id is None:
            return oauth_error(401, "invalid_client", "HTTP Basic client credentials are required")
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        with lock:
            token = state.tokens.get(form.get("token", ""))
            if token is not None and token["client_id"] == client_id:
                token["revoked"] = True
        return Response(status_code=200)

    def number(value: str | None, default: int) -> int | None:
        if value is None:
            return default
        return int(value) if value.isdigit() else None

    async def get_credentials(request: Request) -> Response:
        refused = bearer(request, read)
        if refused is not None:
            return refused
        limit = number(request.query_params.get("limit"), 10)
        offset = number(request.query_params.get("offset"), 0)
        if not limit or offset is None:
            return status_info(400, "limit must be a positive integer and offset a non-negative one", "invaliddata")
        with lock:
            stored: list[Any] = [*state.credentials, listed_jws]
        total = len(stored)
        page = stored if "limit-ignored" in faults else stored[offset:offset + limit]
        objects, strings = [e for e in page if isinstance(e, dict)], [e for e in page if isinstance(e, str)]
        base = str(request.url.remove_query_params(["limit", "offset"]))
        links = []
        if offset + len(page) < total and "link-next-missing" not in faults:
            links.append(f'<{base}?limit={limit}&offset={offset + limit}>; rel="next"')
        last = max(0, (total - 1) // limit * limit)
        links.append(f'<{base}?limit={limit}&offset={last}>; rel="last"')
        links.append(f'<{base}?limit={limit}&offset=0>; rel="first"')
        if offset > 0:
            links.append(f'<{base}?limit={limit}&offset={max(0, offset - limit)}>; rel="prev"')
        headers = {"link": ", ".join(links)}
        if "total-count-missing" not in faults:
            headers["x-total-count"] = str(total)
        body: Any = objects if "credentials-bare-entries" in faults else {"credential": objects}
        if strings and isinstance(body, dict):
            body["compactJwsString"] = strings
        return JSONResponse(body, headers=headers)

    async def upsert(request: Request) -> Response:
        refused = bearer(request, upsert_scope)
        if refused is not None:
            return refused
        try:
            credential = await json_body(request)
        except (ValueError, RecursionError):
            return status_info(400, "the body is not JSON", "invaliddata")
        if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
            return status_info(400, "the body is not a credential with an id", "invaliddata")
        stored = copy.deepcopy(credential)
        if "upsert-drops-terms" in faults:
            _drop_term(stored)

        def key(c: dict[str, Any]) -> tuple[Any, Any]:
            issuer = c.get("issuer")
            return (issuer.get("id") if isinstance(issuer, dict) else issuer, c.get("id"))

        with lock:
            index = next((i for i, c in enumerate(state.credentials) if key(c) == key(stored)), None)
            if index is None:
                state.credentials.append(stored)
            else:
                state.credentials[index] = stored
        if "upsert-answers-204" in faults:
            return Response(status_code=204)
        return JSONResponse(credential, status_code=201 if index is None else 200)

    async def profile(request: Request) -> Response:
        refused = bearer(request, profile_scope)
        if refused is not None:
            return refused
        document: dict[str, Any] = {"id": USER, "type": ["Profile"], "name": "Test Learner"}
        if "profile-without-type" in faults:
            del document["type"]
        return JSONResponse(document)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return status_info(status, f"{request.method} {request.url.path} is not served here", "unknownobject")

    routes = [Route(f"{api}/discovery", discovery, methods=["GET"]),
              Route(f"{api}/oauth/register", register, methods=["POST"]),
              Route(f"{api}/oauth/authorize", authorize, methods=["GET"]),
              Route(f"{api}/oauth/token", token, methods=["POST"]),
              Route(f"{api}/oauth/revoke", revoke, methods=["POST"]),
              Route(f"{api}/credentials", get_credentials, methods=["GET"]),
              Route(f"{api}/credentials", upsert, methods=["POST"]),
              Route(f"{api}/profile", profile, methods=["GET"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


@dataclass(frozen=True, slots=True)
class RunningHost:
    base_url: str
    faults: frozenset[str]
    flavour: Api = OB30

    @property
    def endpoint(self) -> str:
        return self.base_url + self.flavour.base_path

    def targets_toml(self) -> str:
        """A targets.toml for this host (with its revocation URL, which service descriptions do not carry)."""
        return '[implementation]\nname = "ler-conformance reference"\n\n' + self.service_toml()

    def service_toml(self) -> str:
        """The [[service]] entry alone (serve-reference appends it to the VC API services' file)."""
        return (f'[[service]]\nrole = "{self.flavour.role}"\nendpoint = "{self.endpoint}"\n'
                f'tags = {{ versions = ["{self.flavour.version}"] }}\n'
                f'options = {{ revocation_url = "{self.endpoint}/oauth/revoke" }}\n')


@contextmanager
def serve_obapi(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 10.0,
                flavour: Api = OB30) -> Iterator[RunningHost]:
    """Serve the reference host (the flavour's API) on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults), flavour)
    with serve_in_thread(app, name="the reference Open Badges host", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningHost(bound.url(), frozenset(faults), flavour)


serve = serve_obapi      # the name every reference module exposes (conformance/reference/__init__.py)
