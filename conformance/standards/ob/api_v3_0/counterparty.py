"""The suite as an Open Badges 3.0 or CLR 2.0 host, for a client application under test (an Issuer app that
upserts credentials, a Displayer app that reads them). One `ApiFlavour` picks the base path, the scopes and the
credential type; the routes sit under {flavour.base_path} (e.g. /ims/ob/v3p0):

    GET  /discovery          the service description (`service_description`, from shapes/templates/ob-api-discovery.json)
    POST /oauth/register     RFC 7591 registration -> 201 client_id, client_secret (whatever metadata came)
    GET  /oauth/authorize    approves the suite's test learner at once: 302 to the redirect_uri with code and
                             state (no login page, so a headless client or a person's browser just follows it)
    POST /oauth/token        authorization_code (PKCE) and refresh_token -> a bearer token
    POST /oauth/revoke       RFC 7009
    GET  /credentials        at most PAGE_SIZE entries a page, X-Total-Count and Link (next, first, last)
    POST /credentials        upsertCredential: 201 created, 200 replaced
    GET  /profile            the test learner's Profile

Lenient on purpose: the host answers whatever it can (a client secret sent in the form, a verifier that does not
match, a token in the query), so one defect of the application does not hide the next; it records what it saw
beside each request (`observed`) and the rules (conformance/standards/ob/api_v3_0/client_rules.py) judge that. Codes, tokens and
the client secret are registered with the server, so the transcript shows labels, never the values.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from conformance.standards.ob.api_v3_0.flows import ApiFlavour, host_credential, service_description
from conformance.support.exchange.server import Answer, Call, CounterpartyServer, Route

FLOW = "app"                       # every request of the application is one session
PAGE_SIZE = 2                      # the host caps pages so that a reader of three credentials must follow Link next
SEEDED = 3
LEARNER = "https://host.ler-conformance.example/users/learner-0001"
NO_STORE = {"cache-control": "no-store"}
# what RFC 7591 metadata the OB 3.0 / CLR 2.0 security chapter asks a client to register with (research
# obv3-clr.md section 9: dynamic client registration)
REQUIRED_METADATA = ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id",
                     "software_version", "redirect_uris", "scope")


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class _State:
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh: dict[str, dict[str, Any]] = field(default_factory=dict)
    credentials: list[dict[str, Any]] = field(default_factory=list)


def _scopes(value: Any) -> list[str]:
    return value.split() if isinstance(value, str) else []


class ClientTestHost:
    """The routes of the suite as host; bind to a server with `attach` before serving."""

    def __init__(self, flavour: ApiFlavour, canonicalizer: Any) -> None:
        self.flavour = flavour
        self.server: CounterpartyServer | None = None
        self._lock = threading.Lock()
        seed = "3c8e1f0a-6b2d-4e7c-9a5f" if flavour.credential_type == "OpenBadgeCredential" \
            else "8d2a6c4e-1f3b-4a9d-b7e0"
        self._state = _State(credentials=[
            host_credential(canonicalizer, flavour, f"urn:uuid:{seed}-00000000000{n}", f"Learner credential {n}")
            for n in range(1, SEEDED + 1)])

    @property
    def api(self) -> str:
        assert self.server is not None
        return self.server.url(self.flavour.base_path)

    @property
    def discovery_url(self) -> str:
        return self.api + "/discovery"

    def _secret(self, kind: str) -> str:
        assert self.server is not None
        return self.server.secret(secrets.token_urlsafe(24), kind)

    def _oauth_error(self, name: str, status: int, error: str, description: str,
                     observed: Mapping[str, Any] | None = None) -> Answer:
        return Answer(FLOW, name, status, {"error": error, "error_description": description}, headers=NO_STORE,
                      observed=observed)

    def _status_info(self, name: str, status: int, description: str, observed: Mapping[str, Any]) -> Answer:
        return Answer(FLOW, name, status, {"imsx_codeMajor": "failure", "imsx_severity": "error",
                                           "imsx_description": description}, observed=observed)

    # --- discovery and OAuth 2.0 --------------------------------------------------------------------------------

    def discovery(self, call: Call) -> Answer:
        scopes = self.flavour.scopes
        described = {scopes["credential.readonly"]: "Read the learner's credentials",
                     scopes["credential.upsert"]: "Create or replace the learner's credentials",
                     scopes["profile.readonly"]: "Read the learner's profile"}
        return Answer(FLOW, "discovery", 200, service_description(self.flavour, self.api, described),
                      observed={"sent_credentials": "authorization" in call.headers})

    def register(self, call: Call) -> Answer:
        metadata = call.json if isinstance(call.json, dict) else None
        if metadata is None:
            return self._oauth_error("register", 400, "invalid_client_metadata", "the body is not a JSON object",
                                     {"metadata": False, "problem": call.problem or "not a JSON object"})
        redirects = metadata.get("redirect_uris")
        redirects = [u for u in redirects if isinstance(u, str)] if isinstance(redirects, list) else []
        client_id = secrets.token_urlsafe(12)
        secret = self._secret("client-secret")
        with self._lock:
            self._state.clients[client_id] = {"secret": secret, "redirect_uris": redirects,
                                              "scope": _scopes(metadata.get("scope"))}
        observed = {"metadata": True, "members": sorted(k for k in metadata if isinstance(k, str))[:64],
                    "missing": [m for m in REQUIRED_METADATA if metadata.get(m) in (None, "", [])],
                    "redirect_uris_array": isinstance(metadata.get("redirect_uris"), list) and bool(redirects),
                    "scope_string": isinstance(metadata.get("scope"), str), "client_id": client_id}
        answer = {**{k: v for k, v in metadata.items() if isinstance(k, str)}, "client_id": client_id,
                  "client_secret": secret, "client_id_issued_at": int(call.received_at),
                  "client_secret_expires_at": 0}
        return Answer(FLOW, "register", 201, answer, observed=observed)

    def authorize(self, call: Call) -> Answer:
        query = call.query
        with self._lock:
            client = self._state.clients.get(query.get("client_id", ""))
        redirect = query.get("redirect_uri", "")
        requested = _scopes(query.get("scope"))
        observed: dict[str, Any] = {
            "response_type": query.get("response_type"), "client_known": client is not None,
            "client_id": query.get("client_id"),
            "redirect_uri": redirect, "redirect_registered": client is not None and redirect in client["redirect_uris"],
            "state_sent": bool(query.get("state")), "code_challenge_method": query.get("code_challenge_method"),
            "code_challenge_sent": bool(query.get("code_challenge")), "scopes": requested,
            "scopes_registered": client is not None and (not client["scope"] or set(requested) <= set(client["scope"])),
        }
        if client is None or not redirect.startswith(("http://", "https://")):
            # a browser shows this page: nowhere to send the learner back to
            return Answer(FLOW, "authorize", 400, text="unknown client or redirect URI", observed=observed)
        code = self._secret("authorization-code")
        with self._lock:
            self._state.codes[code] = {"client_id": query.get("client_id"), "redirect_uri": redirect,
                                       "challenge": query.get("code_challenge", ""),
                                       "method": query.get("code_challenge_method") or "plain", "scope": requested}
        back = {"code": code, **({"state": query["state"]} if query.get("state") else {})}
        joiner = "&" if "?" in redirect else "?"
        return Answer(FLOW, "authorize", 302, text="", headers={"location": redirect + joiner + urlencode(back)},
                      observed=observed)

    def _client_auth(self, call: Call) -> tuple[str | None, str]:
        """(the authenticated client, how it authenticated: basic, basic-wrong, form, none)."""
        header = call.headers.get("authorization", "")
        with self._lock:
            clients = dict(self._state.clients)
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, "basic-wrong"
            client = clients.get(client_id)
            if client is not None and secrets.compare_digest(client["secret"], secret):
                return client_id, "basic"
            return None, "basic-wrong"
        form = call.form or {}
        client = clients.get(form.get("client_id", ""))
        if client is not None and secrets.compare_digest(client["secret"], form.get("client_secret", "")):
            return form["client_id"], "form"        # accepted, so the next defect can show; the rule fails it
        return None, "none"

    def _issue(self, client_id: str, scope: list[str], observed: Mapping[str, Any]) -> Answer:
        access, refresh = self._secret("access-token"), self._secret("refresh-token")
        with self._lock:
            self._state.tokens[access] = {"scope": scope, "client_id": client_id, "revoked": False}
            self._state.refresh[refresh] = {"scope": scope, "client_id": client_id}
        return Answer(FLOW, "token", 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                                           "refresh_token": refresh, "scope": " ".join(scope)},
                      headers=NO_STORE, observed=observed)

    def token(self, call: Call) -> Answer:
        client_id, how = self._client_auth(call)
        form = call.form or {}
        grant_type = form.get("grant_type")
        observed: dict[str, Any] = {"client_authentication": how, "grant_type": grant_type,
                                    "form_encoded": call.form is not None}
        if client_id is None:
            return self._oauth_error("token", 401, "invalid_client", "client credentials are required", observed)
        if grant_type == "refresh_token":
            with self._lock:
                held = self._state.refresh.get(form.get("refresh_token", ""))
            if held is None or held["client_id"] != client_id:
                return self._oauth_error("token", 400, "invalid_grant", "unknown refresh token", observed)
            return self._issue(client_id, held["scope"], observed)
        if grant_type != "authorization_code":
            return self._oauth_error("token", 400, "unsupported_grant_type", "authorization_code or refresh_token",
                                     observed)
        with self._lock:
            grant = self._state.codes.pop(form.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id:
            return self._oauth_error("token", 400, "invalid_grant", "the code is unknown, used or another client's",
                                     observed)
        verifier = form.get("code_verifier", "")
        if verifier and self.server is not None:
            self.server.secret(verifier, "code-verifier")     # the record shows a label, never the verifier
        expected = s256(verifier) if grant["method"] == "S256" else verifier
        observed["verifier"] = "missing" if not verifier else \
            "matches" if secrets.compare_digest(expected, grant["challenge"]) else "does not match"
        observed["redirect_uri_matches"] = form.get("redirect_uri") == grant["redirect_uri"]
        return self._issue(client_id, grant["scope"], observed)   # lenient: the rules judge the verifier

    def revoke(self, call: Call) -> Answer:
        client_id, how = self._client_auth(call)
        form = call.form or {}
        with self._lock:
            held = self._state.tokens.get(form.get("token", ""))
            if held is not None and client_id is not None and held["client_id"] == client_id:
                held["revoked"] = True
        return Answer(FLOW, "revoke", 200, text="", observed={"client_authentication": how})

    # --- resources ----------------------------------------------------------------------------------------------

    def _bearer(self, call: Call, scope: str) -> tuple[bool, dict[str, Any]]:
        """Whether the request carries a live token with `scope` (anywhere: the rules judge where), and what was
        seen."""
        header = call.headers.get("authorization", "")
        where, value = "none", ""
        if header.lower().startswith("bearer "):
            where, value = "header", header[7:].strip()
        elif call.query.get("access_token"):
            where, value = "query", call.query["access_token"]
        elif call.form and call.form.get("access_token"):
            where, value = "body", call.form["access_token"]
        with self._lock:
            held = self._state.tokens.get(value)
        valid = held is not None and not held["revoked"]
        allowed = valid and held is not None and scope in held["scope"]
        return allowed, {"bearer_in": where, "bearer_valid": valid, "scope_granted": allowed}

    def credentials(self, call: Call) -> Answer:
        allowed, observed = self._bearer(call, self.flavour.scopes["credential.readonly"])
        if not allowed:
            return self._status_info("credentials", 401 if not observed["bearer_valid"] else 403,
                                     "a token with the credential.readonly scope is required", observed)
        with self._lock:
            stored = list(self._state.credentials)
        limit_text, offset_text = call.query.get("limit", ""), call.query.get("offset", "0")
        limit = min(int(limit_text), PAGE_SIZE) if limit_text.isdigit() and int(limit_text) > 0 else PAGE_SIZE
        offset = int(offset_text) if offset_text.isdigit() else 0
        page = stored[offset:offset + limit]
        base = self.api + "/credentials"
        links = [f'<{base}?limit={limit}&offset=0>; rel="first"',
                 f'<{base}?limit={limit}&offset={max(0, (len(stored) - 1) // limit * limit)}>; rel="last"']
        more = offset + len(page) < len(stored)
        if more:
            links.insert(0, f'<{base}?limit={limit}&offset={offset + limit}>; rel="next"')
        observed.update({"offset": offset, "limit": limit, "total": len(stored), "returned": len(page),
                         "next_offset": offset + limit if more else None})
        return Answer(FLOW, "credentials", 200, {"credential": page},
                      headers={"link": ", ".join(links), "x-total-count": str(len(stored))}, observed=observed)

    def upsert(self, call: Call) -> Answer:
        allowed, observed = self._bearer(call, self.flavour.scopes["credential.upsert"])
        observed["content_type"] = call.headers.get("content-type", "")
        if not allowed:
            return self._status_info("upsert", 401 if not observed["bearer_valid"] else 403,
                                     "a token with the credential.upsert scope is required", observed)
        credential = call.json
        if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
            observed["credential"] = False
            return self._status_info("upsert", 400, call.problem or "the body is not a credential with an id",
                                     observed)
        observed["credential"] = True

        def key(c: dict[str, Any]) -> tuple[Any, Any]:
            issuer = c.get("issuer")
            return (issuer.get("id") if isinstance(issuer, dict) else issuer, c.get("id"))

        with self._lock:
            index = next((i for i, c in enumerate(self._state.credentials) if key(c) == key(credential)), None)
            if index is None:
                self._state.credentials.append(copy.deepcopy(credential))
            else:
                self._state.credentials[index] = copy.deepcopy(credential)
        return Answer(FLOW, "upsert", 201 if index is None else 200, credential, observed=observed)

    def profile(self, call: Call) -> Answer:
        allowed, observed = self._bearer(call, self.flavour.scopes["profile.readonly"])
        if not allowed:
            return self._status_info("profile", 401 if not observed["bearer_valid"] else 403,
                                     "a token with the profile.readonly scope is required", observed)
        return Answer(FLOW, "profile", 200, {"id": LEARNER, "type": ["Profile"], "name": "Test Learner"},
                      observed=observed)

    def routes(self) -> list[Route]:
        api = self.flavour.base_path
        return [Route(f"{api}/discovery", ("GET",), self.discovery),
                Route(f"{api}/oauth/register", ("POST",), self.register),
                Route(f"{api}/oauth/authorize", ("GET",), self.authorize),
                Route(f"{api}/oauth/token", ("POST",), self.token),
                Route(f"{api}/oauth/revoke", ("POST",), self.revoke),
                Route(f"{api}/credentials", ("GET",), self.credentials),
                Route(f"{api}/credentials", ("POST",), self.upsert),
                Route(f"{api}/profile", ("GET",), self.profile)]
