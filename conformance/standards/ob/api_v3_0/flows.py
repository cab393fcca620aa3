"""Open Badges 3.0 and CLR 2.0 host API flows, the suite acting as a client application of a host (targets.toml
role "ob-host" or "clr-host").

The two 1EdTech APIs are one REST + OAuth 2.0 design; an `ApiFlavour` says what differs (base path, scope URLs,
the credential type the suite upserts, the requirement prefix), and one code path serves both. The endpoint is the
API base URL (for example https://host.example/ims/ob/v3p0 or .../ims/clr/v2p0). In order:

    discovery     GET {endpoint}/discovery, no credentials                   -> the OAuth 2.0 URLs and scopes
    register      POST x-imssf-registrationUrl, RFC 7591 metadata              -> client_id, client_secret
    authorize     GET authorizationUrl with PKCE S256 and a state, three times: all scopes, a code for the wrong
                  verifier, profile.readonly only                             -> 302 to the redirect URI with ?code
    token         POST tokenUrl (HTTP Basic client credentials) for each code; one with a wrong code_verifier
    scope         GET {endpoint}/credentials without a token, then with the profile-only token
    profile       GET {endpoint}/profile
    upsert        POST {endpoint}/credentials, a credential the suite signed
    credentials   GET {endpoint}/credentials?limit=2&offset=0, then each Link rel=next (at most MAX_PAGES)
    revoke        POST options.revocation_url (RFC 7009) for the access token, then GET /credentials with it

Consent: the flow sends the authorization request straight to the authorization endpoint and expects the redirect
in the answer, which is what a host does for a user already signed in and consenting (the reference host approves
its test user this way). When a real host's sign-in and consent page needs a person, the vendor registers and signs
in once and the targets file names the variables holding the client and its refresh token (options.client_id_env,
client_secret_env, refresh_token_env): the flows then start from the refresh grant at refreshUrl, and the rules on
registration, the code grant, PKCE and scopes come to cantTell.

Secrets (client_secret, codes, verifiers, tokens) stay in local variables: the transcript keeps redacted copies.
When a step gives nothing to continue with, a "stopped" step records why and the later flows are not run, so their
rules come to cantTell rather than inapplicable.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from conformance.core.checks import flows
from conformance.core.transcript import NOTE, Step, Transcript
from conformance.standards.vcalm.flows import credential_template
from conformance.support.exchange.service import _secret
from conformance.support.exchange.transcript import record
from conformance.support.net import GuardedClient, Response
from conformance.support.net.evidence import REDACTED, secret_field
from conformance.support.securing.signing import sign_document
from conformance.support.templates import document_from_template

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

SCOPE_NAMES = ("credential.readonly", "credential.upsert", "profile.readonly")


@dataclass(frozen=True, slots=True)
class ApiFlavour:
    """What one 1EdTech host API differs in from the other: everything else (OAuth 2.0, paging, Imsx_StatusInfo)
    is shared by the flows, the checks (conformance/standards/ob/api_v3_0/host_rules.py) and the reference host."""

    prefix: str                  # requirement ID prefix, e.g. OB30API
    role: str                    # targets.toml role
    title: str                   # "Open Badges 3.0", in messages
    base_path: str               # where a host usually serves it (the reference host does)
    scope_base: str              # scope URLs are this + credential.readonly | credential.upsert | profile.readonly
    credential_type: str         # the type of the credential the suite upserts and a host lists
    version: str                 # targets.toml tags.versions of the reference host
    upsert_id: str               # the id of the credential the suite upserts
    client_role: str = ""        # targets.toml role of a client application of this API (the suite as host)

    @property
    def scopes(self) -> dict[str, str]:
        return {name: self.scope_base + name for name in SCOPE_NAMES}


OB30 = ApiFlavour("OB30API", "ob-host", "Open Badges 3.0", "/ims/ob/v3p0",
                  "https://purl.imsglobal.org/spec/ob/v3p0/scope/", "OpenBadgeCredential", "3.0",
                  "urn:uuid:7d41c2e8-0b5a-4f6e-9c3d-1a8e2b4f6c07", "ob-client")
CLR20 = ApiFlavour("CLR20API", "clr-host", "CLR 2.0", "/ims/clr/v2p0",
                   "https://purl.imsglobal.org/spec/clr/v2p0/scope/", "ClrCredential", "2.0",
                   "urn:uuid:2b6f0d3e-8c1a-4e57-a9d4-6f3e1c0b7a52", "clr-client")
FLAVOURS: Mapping[str, ApiFlavour] = {f.role: f for f in (OB30, CLR20)}
SCOPE_BASE = OB30.scope_base
SCOPES = OB30.scopes
REDIRECT_URI = "https://client.ler-conformance.example/oauth/callback"
PAGE_LIMIT = 2
MAX_PAGES = 25
MAX_BODY = 4 * 1024 * 1024
KEPT = ("content-type", "content-length", "location", "link", "www-authenticate", "x-total-count", "retry-after")
UPSERT_ID = OB30.upsert_id
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
STOPPED = "stopped"


def service_description(flavour: ApiFlavour, base: str, scopes: Mapping[str, str]) -> dict[str, Any]:
    """The OpenAPI 3 service description a host serves at {base}/discovery (shapes/templates/ob-api-discovery.json,
    shared with the reference host): the OAuth2ACG scheme with its URLs under `base` and `scopes` (scope URL -> what
    it allows). The suite serves it as host for client applications (conformance/standards/ob/api_v3_0/counterparty.py)."""
    return document_from_template("ob-api-discovery", base=base, title=flavour.title, version=flavour.version,
                                  scopes=dict(scopes))


# member names that read like secrets to the generic redaction but name public OAuth 2.0 metadata
NOT_SECRET = frozenset({"authorizationCode", "authorizationUrl", "tokenUrl", "token_type", "token_endpoint_auth_method",
                        "token_type_hint", "x-imssf-registrationUrl", "refreshUrl"})


def redact(value: Any, depth: int = 0) -> Any:
    """`redact_json`, except that the public OAuth 2.0 metadata names above are kept (what they hold is still
    redacted where it looks like a secret)."""
    if depth > 64:
        return REDACTED
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and k not in NOT_SECRET and secret_field(k) and v not in (None, "")
                else redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, depth + 1) for v in value]
    return value


def _shown_form(form: Mapping[str, str]) -> dict[str, str]:
    hidden = ("code", "code_verifier", "token", "client_secret", "refresh_token")
    return {k: ("[redacted]" if k in hidden else v) for k, v in form.items()}


class _Client:
    """Sends one request, keeps a redacted Step, and hands the caller the unredacted answer for the next step."""

    def __init__(self, client: GuardedClient, canonicalizer: Any) -> None:
        self.client = client
        self.canonicalizer = canonicalizer
        self.steps: list[Step] = []

    def call(self, flow: str, name: str, method: str, url: str, *, body: Any = None, form: Mapping[str, str] | None
             = None, headers: Mapping[str, str] | None = None, expect: Mapping[str, Any] | None = None,
             accept: str = "application/json") -> tuple[Step, Response | None, Any]:
        step, answer, parsed = record(self.client, flow, name, method, url, body=body, form=form, headers=headers,
                                      accept=accept, max_bytes=MAX_BODY, keep=KEPT, redact=redact,
                                      redact_form=_shown_form, by_value="text", expect=expect)
        self.steps.append(step)
        return step, answer, parsed

    def secret(self, value: object, kind: str) -> None:
        """Register a secret of the flows (a code, a verifier, an issued token) with the run: redacted everywhere."""
        self.client.secrets.add(value, kind)

    def stop(self, flow: str, why: str) -> None:
        self.steps.append(Step(flow=STOPPED, name=flow, method=NOTE, url="", request=None, message=why))


def _member(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def oauth_urls(description: Any, base: str) -> dict[str, str]:
    """The registration, authorization and token URLs a service description names (resolved against base)."""
    scheme = _member(description, "components", "securitySchemes", "OAuth2ACG")
    flow = _member(scheme, "flows", "authorizationCode")
    found = {"registration": _member(scheme, "x-imssf-registrationUrl"),
             "authorization": _member(flow, "authorizationUrl"), "token": _member(flow, "tokenUrl")}
    return {k: urljoin(base + "/", v) for k, v in found.items() if isinstance(v, str) and v}


def _pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _basic(client_id: str, client_secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"authorization": f"Basic {pair}"}


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def next_link(header: str | None, base: str) -> str | None:
    """The rel="next" target of a Link header, resolved against base."""
    for part in (header or "").split(","):
        if ";" not in part:
            continue
        target, *params = part.split(";")
        rels = {p.strip().split("=", 1)[1].strip().strip('"') for p in params if p.strip().startswith("rel=")}
        if "next" in " ".join(rels).split():
            return urljoin(base, target.strip().strip("<>"))
    return None


def page_query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def upsert_credential(canonicalizer: Any, flavour: ApiFlavour = OB30) -> dict[str, Any]:
    """A credential of the flavour's type the suite signed with its public test key, for upsertCredential."""
    return host_credential(canonicalizer, flavour, flavour.upsert_id, "Host Round-Trip Check")


def host_credential(canonicalizer: Any, flavour: ApiFlavour, identifier: str, name: str) -> dict[str, Any]:
    """A signed credential of the flavour's type (a fresh copy): an OpenBadgeCredential, or a ClrCredential wrapping
    one signed OpenBadgeCredential; the issuer is the suite's did:key, so no document has to be fetched to verify."""
    return copy.deepcopy(_host_credential(canonicalizer, flavour.credential_type, identifier, name))


@lru_cache(maxsize=16)
def _host_credential(canonicalizer: Any, kind: str, identifier: str, name: str) -> dict[str, Any]:

    credential = credential_template("")
    credential["id"] = identifier
    credential["name"] = name
    if kind == "ClrCredential":
        credential["id"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, identifier))
        nested = sign_document(credential, [{"key": "issuer-ed25519"}], canonicalizer)
        credential = {"@context": ["https://www.w3.org/ns/credentials/v2", CLR_CONTEXT, nested["@context"][1]],
                      "id": identifier, "type": ["VerifiableCredential", "ClrCredential"], "name": name,
                      "issuer": copy.deepcopy(nested["issuer"]), "validFrom": nested["validFrom"],
                      "credentialSubject": {"id": nested["credentialSubject"]["id"], "type": ["ClrSubject"],
                                            "verifiableCredential": [nested]}}
    return sign_document(credential, [{"key": "issuer-ed25519"}], canonicalizer)


@flows("ob-host", "clr-host")
def run(subject: ServiceSubject) -> Transcript:
    service = subject.service
    http = _Client(subject.client, subject.env.verifier.canonicalizer)
    base = service.endpoint
    _flows(http, base, service.options, FLAVOURS.get(service.role, OB30))
    return Transcript(tuple(http.steps))


def _authorize(http: _Client, url: str, client_id: str, scope: str, name: str) -> tuple[str | None, str]:
    """One authorization request; the code from the redirect (or None) and the PKCE verifier."""
    verifier, challenge = _pkce()
    http.secret(verifier, "PKCE verifier")
    state = secrets.token_urlsafe(12)
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "scope": scope,
             "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
    target = url + ("&" if "?" in url else "?") + urlencode(query)
    _step, answer, _ = http.call("authorize", name, "GET", target, expect={"state": state}, accept="text/html")
    location = answer.header("location") if answer is not None else None
    code = parse_qs(urlsplit(location).query).get("code", [None])[0] if location else None
    http.secret(code, "authorization code")
    return code, verifier


def _token(http: _Client, url: str, basic: Mapping[str, str], code: str, verifier: str, flow: str,
           name: str) -> str | None:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
    _, _, parsed = http.call(flow, name, "POST", url, form=form, headers=basic)
    return _issued(http, parsed)


def _issued(http: _Client, parsed: Any) -> str | None:
    """The access token of a token answer; it and the refresh token are registered as the run's secrets."""
    token = parsed.get("access_token") if isinstance(parsed, dict) else None
    if isinstance(parsed, dict):
        http.secret(token, "access token")
        http.secret(parsed.get("refresh_token"), "refresh token")
    return token if isinstance(token, str) and token else None


def _flows(http: _Client, base: str, options: Mapping[str, Any], flavour: ApiFlavour) -> None:
    scopes = flavour.scopes
    step, _, description = http.call("discovery", "service-description", "GET", f"{base}/discovery")
    urls = oauth_urls(description, base) if step.status == 200 else {}
    missing = sorted({"registration", "authorization", "token"} - set(urls))
    if missing:
        http.stop("register", f"the service description gives no {', '.join(missing)} URL")
        return
    if options.get("refresh_token_env"):
        _with_refresh_token(http, base, urls, description, options, flavour)
        return
    metadata = {"client_name": "ler-conformance", "client_uri": "https://client.ler-conformance.example/",
                "logo_uri": "https://client.ler-conformance.example/logo.png",
                "tos_uri": "https://client.ler-conformance.example/terms",
                "policy_uri": "https://client.ler-conformance.example/privacy",
                "software_id": "ler-conformance", "software_version": "1",
                "redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                "scope": " ".join(scopes.values())}
    _, _, registered = http.call("register", "client", "POST", urls["registration"], body=metadata)
    client_id = _member(registered, "client_id")
    client_secret = _member(registered, "client_secret")
    http.secret(client_secret, "client secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        http.stop("authorize", "registration gives no client_id and client_secret")
        return
    basic = _basic(client_id, client_secret)
    http.secret(basic["authorization"].split(" ", 1)[1], "client credentials")
    code, verifier = _authorize(http, urls["authorization"], client_id, " ".join(scopes.values()), "all-scopes")
    if code is None:
        http.stop("token", "the authorization endpoint gives no code")
        return
    token = _token(http, urls["token"], basic, code, verifier, "token", "all-scopes")
    other, _ = _authorize(http, urls["authorization"], client_id, " ".join(scopes.values()), "for-wrong-verifier")
    if other is not None:
        wrong = _pkce()[0]
        http.secret(wrong, "PKCE verifier")
        _token(http, urls["token"], basic, other, wrong, "token-pkce", "wrong-verifier")
    narrow_code, narrow_verifier = _authorize(http, urls["authorization"], client_id, scopes["profile.readonly"],
                                              "profile-only")
    narrow = None if narrow_code is None else _token(http, urls["token"], basic, narrow_code, narrow_verifier,
                                                     "token", "profile-only")
    if token is None:
        http.stop("credentials", "the token endpoint gives no access token")
        return
    _resources(http, base, options, token, narrow, basic, flavour)


def _with_refresh_token(http: _Client, base: str, urls: Mapping[str, str], description: Any,
                        options: Mapping[str, Any], flavour: ApiFlavour) -> None:
    """A host whose consent step needs a person: the vendor registered the client and signed in once; the targets
    file names the variables holding the client id, secret and refresh token (options.client_id_env,
    client_secret_env, refresh_token_env). Registration and the authorization code grant are then not judged."""

    client_id = _secret(options.get("client_id_env"), "OAuth 2.0 client id")
    basic = _basic(client_id, _secret(options.get("client_secret_env"), "OAuth 2.0 client secret", http.client.secrets))
    http.secret(basic["authorization"].split(" ", 1)[1], "client credentials")
    refresh = _secret(options.get("refresh_token_env"), "refresh token", http.client.secrets)
    flow = _member(description, "components", "securitySchemes", "OAuth2ACG", "flows", "authorizationCode")
    refresh_url = _member(flow, "refreshUrl")
    url = urljoin(base + "/", refresh_url) if isinstance(refresh_url, str) and refresh_url else urls["token"]
    http.stop("register", "the targets file supplies a pre-issued refresh token: registration and the "
                          "authorization code grant happened outside the suite")
    _, _, parsed = http.call("token", "refresh", "POST", url, form={"grant_type": "refresh_token",
                                                                    "refresh_token": refresh}, headers=basic)
    token = _issued(http, parsed)
    if token is None:
        http.stop("credentials", "the refresh grant gives no access token")
        return
    _resources(http, base, options, token, None, basic, flavour)


def _resources(http: _Client, base: str, options: Mapping[str, Any], token: str, narrow: str | None,
               basic: Mapping[str, str], flavour: ApiFlavour) -> None:
    listing = f"{base}/credentials"
    http.call("scope", "no-token", "GET", f"{listing}?limit={PAGE_LIMIT}&offset=0")
    if narrow is not None:
        http.call("scope", "profile-only-token", "GET", f"{listing}?limit={PAGE_LIMIT}&offset=0",
                  headers=_bearer(narrow))
    http.call("profile", "profile", "GET", f"{base}/profile", headers=_bearer(token))
    http.call("upsert", "signed-credential", "POST", listing, headers=_bearer(token),
              body=upsert_credential(http.canonicalizer, flavour))
    url: str | None = f"{listing}?limit={PAGE_LIMIT}&offset=0"
    seen: set[str] = set()
    for number in range(MAX_PAGES):
        if url is None or url in seen:
            break
        seen.add(url)
        step, answer, _ = http.call("credentials", f"page-{number}", "GET", url, headers=_bearer(token),
                                    expect=page_query(url))
        url = next_link(answer.header("link"), url) if answer is not None and step.status == 200 else None
    revocation = options.get("revocation_url")
    if isinstance(revocation, str) and revocation:
        http.call("revoke", "revoke", "POST", urljoin(base + "/", revocation),
                  form={"token": token, "token_type_hint": "access_token"}, headers=basic)
        http.call("revoke", "after-revocation", "GET", f"{listing}?limit=1&offset=0", headers=_bearer(token))
