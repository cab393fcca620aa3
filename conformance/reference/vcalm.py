"""A reference VCALM (VC API) issuer and verifier, conformant by default, with one fault switch per requirement.

    POST /credentials/issue          {credential, options} -> 201 {verifiableCredential}; signed with the suite's
                                     public test key (did:key of issuer-ed25519), eddsa-rdfc-2022
    POST /credentials/verify         {verifiableCredential, options} -> 200 {verified, errors}
    POST /presentations/verify       {verifiablePresentation, options: {challenge, domain}} -> 200 {verified, ...}
    POST /workflows/ob30-presentation/exchanges            {ttl} -> 204, Location: the new exchange's URL
    POST /workflows/ob30-presentation/exchanges/{id}       {} -> {verifiablePresentationRequest} asking for an Open
                                     Badges 3.0 credential (QueryByExample) with a fresh challenge and this server's
                                     domain; {verifiablePresentation} -> 200 {} once, when it verifies for both
    GET  .../exchanges/{id}/request  the current request, no side effects
    GET  .../exchanges/{id}/protocols  {"protocols": {"vcapi": exchange URL}}

Errors are RFC 9457 problem details (application/problem+json with type, title, detail). Loopback only: it is
a test fixture and the stand-in `make demo` and `serve-reference` run, not a service. `FAULTS` maps each switch
to the one requirement it breaks; tests/support/exchange shows that each switch makes exactly that requirement fail.
"""
from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import ProofError
from conformance.support.securing.signing import sign_document
from conformance.support.securing.verifier import VerificationOptions
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

ISSUER_KEY = "issuer-ed25519"
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32
KNOWN_ISSUE_OPTIONS = frozenset({"credentialId"})
KNOWN_VERIFY_OPTIONS = frozenset({"challenge", "domain", "returnCredential", "returnPresentation"})
PROBLEM = "https://ler-conformance.org/problems/"
BASE_CONTEXTS = frozenset({"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1"})

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "issuer-200-not-201": "VCALM-issue-created",
    "issuer-drops-terms": "VCALM-issue-keeps-claims",
    "issuer-accepts-invalid": "VCALM-issue-invalid-rejected",
    "issuer-ignores-unknown-option": "VCALM-issue-unknown-option-rejected",
    "server-500-on-hostile": "VCALM-no-server-error",
    "verifier-400-on-invalid": "VCALM-verify-answers-200",
    "verifier-skips-proof": "VCALM-verify-verdicts",
    "verifier-ignores-challenge": "VCALM-presentation-challenge",
    "verifier-ignores-domain": "VCALM-presentation-domain",
    "problem-without-type": "VCALM-problem-type-title",
    "exchange-vpr-without-query": "VCALM-exchange-request-shape",
    "exchange-fixed-challenge": "VCALM-exchange-challenge-fresh",
    "exchange-refuses-valid": "VCALM-exchange-accepts-presentation",
    "exchange-ignores-domain": "VCALM-exchange-domain-enforced",
    "exchange-allows-replay": "VCALM-exchange-replay-rejected",
    "exchange-never-expires": "VCALM-exchange-expired-rejected",
    "exchange-accepts-garbage": "VCALM-exchange-garbage-rejected",
    "exchange-request-reissues-challenge": "VCALM-exchange-request-no-side-effects",
    "exchange-protocols-without-vcapi": "VCALM-exchange-protocols",
})
WORKFLOW = "ob30-presentation"
EXCHANGE_TTL_S = 900.0
MAX_EXCHANGE_TTL_S = 86400.0
MAX_EXCHANGES = 10_000
FIXED_CHALLENGE = "reference-fixed-challenge"
DROPPED_TERM = "tag"          # what issuer-drops-terms leaves out of the achievement (an optional OB 3.0 term)


class _Problem(Exception):
    def __init__(self, status: int, kind: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


TOKEN_PATH = "/oauth/token"          # the OAuth 2.0 token endpoint, served only with `client_credentials`


def build_app(env: Environment, faults: frozenset[str] = frozenset(), *, token: str | None = None,
              client_credentials: tuple[str, str] | None = None) -> Starlette:
    """`token`: the one bearer token accepted. `client_credentials` (client id, secret): also serve an OAuth 2.0
    token endpoint (POST /oauth/token, grant client_credentials) and accept only the tokens it hands out."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    canonicalizer = env.verifier.canonicalizer

    def problem(exc: _Problem) -> Response:
        body: dict[str, Any] = {"title": exc.title, "detail": exc.detail}
        if "problem-without-type" in faults:
            body = {"detail": exc.detail}
        else:
            body["type"] = PROBLEM + exc.kind
        body["status"] = exc.status
        return JSONResponse(body, status_code=exc.status, media_type="application/problem+json")

    issued: set[str] = set()

    def authorize(request: Request) -> None:
        if token is None and client_credentials is None:
            return
        given = request.headers.get("authorization", "")
        if not (token is not None and given == f"Bearer {token}") and given.removeprefix("Bearer ") not in issued:
            raise _Problem(401, "unauthorized", "Not authorized", "a valid bearer token is required")

    async def token_endpoint(request: Request) -> Response:

        form = {k: v[0] for k, v in parse_qs((await request.body())[:8192].decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if client_credentials is None or (form.get("client_id"), form.get("client_secret")) != client_credentials:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        issued.add(value := secrets.token_urlsafe(24))
        return JSONResponse({"access_token": value, "token_type": "Bearer", "expires_in": 600},
                            headers={"cache-control": "no-store"})

    async def read(request: Request, *, exchange: bool = False) -> dict[str, Any]:
        authorize(request)
        raw = await request.body()
        hostile = _Problem(500, "internal", "Internal error", "the server failed") \
            if "server-500-on-hostile" in faults and not exchange else None
        if len(raw) > MAX_BODY_BYTES:
            raise _Problem(413, "too-large", "Request too large", f"at most {MAX_BODY_BYTES} bytes are read")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise hostile or _Problem(400, "malformed", "Malformed request", f"the body is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise hostile or _Problem(400, "malformed", "Malformed request", "the body is not a JSON object")
        if _depth(body, MAX_DEPTH) > MAX_DEPTH:
            raise hostile or _Problem(400, "malformed", "Malformed request", f"the body nests deeper than {MAX_DEPTH}")
        return body

    def check_options(options: Any, known: frozenset[str]) -> dict[str, Any]:
        if options is None:
            return {}
        if not isinstance(options, dict):
            raise _Problem(400, "malformed", "Malformed request", "options is not a JSON object")
        extra = sorted(set(options) - known)
        if extra and "issuer-ignores-unknown-option" not in faults:
            raise _Problem(400, "UNKNOWN_OPTION_PROVIDED", "Unknown option",
                           f"options {extra} are not understood; known: {sorted(known)}")
        return options

    def valid_credential(credential: Any) -> str:
        """Why the credential cannot be issued, or "" when it can."""
        if not isinstance(credential, dict):
            return "credential is absent or not a JSON object"
        contexts = credential.get("@context")
        if not isinstance(contexts, list) or not contexts or contexts[0] not in BASE_CONTEXTS:
            return "credential has no @context starting with a VC base context"
        if "VerifiableCredential" not in (credential.get("type") or []):
            return "credential type does not include VerifiableCredential"
        if not isinstance(credential.get("credentialSubject"), (dict, list)):
            return "credential has no credentialSubject"
        if "proof" in credential:
            return "credential already carries a proof"
        return ""

    async def issue(request: Request) -> Response:

        try:
            body = await read(request)
            check_options(body.get("options"), KNOWN_ISSUE_OPTIONS)
            credential = body.get("credential")
            why = valid_credential(credential)
            if why and "issuer-accepts-invalid" in faults:
                return JSONResponse({"verifiableCredential": credential}, status_code=201)
            if why:
                raise _Problem(400, "invalid-credential", "Invalid credential", why)
            issuer = credential.get("issuer")
            issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
            if issuer_id != suite_key(ISSUER_KEY).did:
                raise _Problem(400, "unknown-issuer", "Unknown issuer",
                               f"this issuer signs as {suite_key(ISSUER_KEY).did}, not {issuer_id!r}")
            if "issuer-drops-terms" in faults:
                credential = json.loads(json.dumps(credential))
                achievement = credential.get("credentialSubject", {}).get("achievement")
                if isinstance(achievement, dict):
                    achievement.pop(DROPPED_TERM, None)
            try:
                signed = sign_document(credential, [{"key": ISSUER_KEY}], canonicalizer)
            except (ProofError, ValueError, KeyError, TypeError) as exc:
                raise _Problem(400, "cannot-sign", "Credential cannot be signed", str(exc)) from None
        except _Problem as exc:
            return problem(exc)
        return JSONResponse({"verifiableCredential": signed},
                            status_code=200 if "issuer-200-not-201" in faults else 201)

    def verdict(result: Any) -> dict[str, Any]:
        errors = [] if result.verified else [{"type": PROBLEM + "verification-failed", "title": "Not verified",
                                              "detail": result.message}]
        return {"verified": bool(result.verified), "errors": errors}

    async def verify_credential(request: Request) -> Response:
        try:
            body = await read(request)
            check_options(body.get("options"), KNOWN_VERIFY_OPTIONS)
            credential = body.get("verifiableCredential")
            if not isinstance(credential, dict):
                raise _Problem(400, "malformed", "Malformed request", "verifiableCredential is not a JSON object")
            if "verifier-skips-proof" in faults:
                return JSONResponse({"verified": True, "errors": []})
            answer = verdict(env.verifier.data_integrity(credential, presentation=False))
            if not answer["verified"] and "verifier-400-on-invalid" in faults:
                raise _Problem(400, "verification-failed", "Not verified", answer["errors"][0]["detail"])
        except _Problem as exc:
            return problem(exc)
        return JSONResponse(answer)

    async def verify_presentation(request: Request) -> Response:
        try:
            body = await read(request)
            options = check_options(body.get("options"), KNOWN_VERIFY_OPTIONS)
            presentation = body.get("verifiablePresentation")
            if not isinstance(presentation, dict):
                raise _Problem(400, "malformed", "Malformed request", "verifiablePresentation is not a JSON object")
            challenge = None if "verifier-ignores-challenge" in faults else options.get("challenge")
            domain = None if "verifier-ignores-domain" in faults else options.get("domain")
            domains = None if domain is None else tuple(domain) if isinstance(domain, list) else (str(domain),)
            verifier = env.verifier.with_options(VerificationOptions(challenge=challenge, domain=domains))
            answer = verdict(verifier.data_integrity(presentation, presentation=True))
            credentials = presentation.get("verifiableCredential") or []
            for credential in credentials if isinstance(credentials, list) else [credentials]:
                if answer["verified"] and isinstance(credential, dict):
                    inner = verdict(env.verifier.data_integrity(credential, presentation=False))
                    answer = inner if not inner["verified"] else answer
        except _Problem as exc:
            return problem(exc)
        return JSONResponse(answer)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return problem(_Problem(status, "not-found" if status == 404 else "error", "Not found" if status == 404
                                else "Error", f"{request.method} {request.url.path} is not served here"))

    exchanges = _exchange_routes(env, faults, problem, read, authorize)
    routes = [Route("/credentials/issue", issue, methods=["POST"]),
              Route("/credentials/verify", verify_credential, methods=["POST"]),
              Route("/presentations/verify", verify_presentation, methods=["POST"]), *exchanges]
    if client_credentials is not None:
        routes.append(Route(TOKEN_PATH, token_endpoint, methods=["POST"]))
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


@dataclass(slots=True)
class _Exchange:
    challenge: str
    domain: str
    expires: float                                     # time.monotonic() deadline
    accepted: set[str]                                 # challenges a presentation may carry
    done: bool = False


def _presentation_request(challenge: str, domain: str, with_query: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"challenge": challenge, "domain": domain}
    if with_query:
        request["query"] = [{"type": "QueryByExample", "credentialQuery": [{
            "reason": "The reference exchange asks for an Open Badges 3.0 achievement credential.",
            "example": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiableCredential", "OpenBadgeCredential"]}}]}]
    return request


def _exchange_routes(env: Environment, faults: frozenset[str], problem: Any, read: Any, authorize: Any
                     ) -> list[Route]:
    """The exchange server: one workflow asking for an Open Badges 3.0 credential in a holder-signed presentation."""

    state: dict[str, _Exchange] = {}
    prefix = f"/workflows/{WORKFLOW}/exchanges"

    def new_challenge() -> str:
        return FIXED_CHALLENGE if "exchange-fixed-challenge" in faults else secrets.token_urlsafe(18)

    def current(request: Request) -> _Exchange:
        found = state.get(request.path_params["exchange"])
        if found is None:
            raise _Problem(404, "unknown-exchange", "Unknown exchange", "no exchange has this id")
        if time.monotonic() > found.expires and "exchange-never-expires" not in faults:
            raise _Problem(410, "exchange-expired", "Exchange expired", "the exchange's time to live has passed")
        return found

    def vpr(found: _Exchange) -> dict[str, Any]:
        return _presentation_request(found.challenge, found.domain, "exchange-vpr-without-query" not in faults)

    async def create(request: Request) -> Response:
        try:
            body = await read(request, exchange=True)
            ttl = body.get("ttl", EXCHANGE_TTL_S)
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl <= MAX_EXCHANGE_TTL_S:
                raise _Problem(400, "invalid-ttl", "Invalid ttl", f"ttl is a number of seconds up to "
                                                                  f"{MAX_EXCHANGE_TTL_S:g}")
        except _Problem as exc:
            return problem(exc)
        while len(state) >= MAX_EXCHANGES:
            state.pop(next(iter(state)))
        exchange_id = secrets.token_urlsafe(12)
        challenge = new_challenge()
        state[exchange_id] = _Exchange(challenge, request.url.netloc, time.monotonic() + float(ttl), {challenge})
        return Response(status_code=204, headers={"location": f"{str(request.base_url).rstrip('/')}{prefix}/"
                                                              f"{exchange_id}"})

    def verifies(found: _Exchange, presentation: dict[str, Any]) -> str:
        """Why the presentation does not answer the exchange, or ""."""
        proof = presentation.get("proof")
        challenge = proof.get("challenge") if isinstance(proof, dict) else None
        if challenge not in found.accepted:
            return "the presentation's proof does not carry this exchange's challenge"
        domain = None if "exchange-ignores-domain" in faults else (found.domain,)
        verifier = env.verifier.with_options(VerificationOptions(challenge=challenge, domain=domain))
        result = verifier.data_integrity(presentation, presentation=True)
        if not result.verified:
            return f"the presentation does not verify: {result.message}"
        credentials = presentation.get("verifiableCredential")
        listed = credentials if isinstance(credentials, list) else [credentials]
        badges = [c for c in listed if isinstance(c, dict) and "OpenBadgeCredential" in (c.get("type") or [])]
        if not badges:
            return "the presentation carries no OpenBadgeCredential, which the request asks for"
        for credential in badges:
            inner = env.verifier.data_integrity(credential, presentation=False)
            if not inner.verified:
                return f"a credential in the presentation does not verify: {inner.message}"
        return ""

    async def participate(request: Request) -> Response:
        try:
            try:
                body = await read(request, exchange=True)
            except _Problem as exc:
                if exc.kind == "malformed" and "exchange-accepts-garbage" in faults:
                    return JSONResponse({})
                raise
            found = current(request)
            if "verifiablePresentation" not in body:
                if found.done:
                    raise _Problem(409, "exchange-complete", "Exchange complete", "this exchange is already complete")
                return JSONResponse({"verifiablePresentationRequest": vpr(found)})
            presentation = body["verifiablePresentation"]
            if not isinstance(presentation, dict):
                if "exchange-accepts-garbage" in faults:
                    return JSONResponse({})
                raise _Problem(400, "malformed", "Malformed message", "verifiablePresentation is not a JSON object")
            if found.done and "exchange-allows-replay" not in faults:
                raise _Problem(409, "exchange-complete", "Exchange complete",
                               "this exchange already accepted a presentation")
            if "exchange-refuses-valid" in faults:
                raise _Problem(400, "presentation-refused", "Presentation refused", "presentations are not accepted")
            why = verifies(found, presentation)
            if why:
                raise _Problem(400, "presentation-refused", "Presentation refused", why)
            found.done = True
        except _Problem as exc:
            return problem(exc)
        return JSONResponse({})

    async def current_request(request: Request) -> Response:
        try:
            authorize(request)
            found = current(request)
            if "exchange-request-reissues-challenge" in faults:
                found.challenge = new_challenge()
                found.accepted.add(found.challenge)
        except _Problem as exc:
            return problem(exc)
        return JSONResponse({"verifiablePresentationRequest": vpr(found)})

    async def protocols(request: Request) -> Response:
        try:
            authorize(request)
            current(request)
        except _Problem as exc:
            return problem(exc)
        url = str(request.url).rsplit("/protocols", 1)[0]
        listed = {"website": url} if "exchange-protocols-without-vcapi" in faults else {"vcapi": url}
        return JSONResponse({"protocols": listed})

    return [Route(prefix, create, methods=["POST"]),
            Route(prefix + "/{exchange}", participate, methods=["POST"]),
            Route(prefix + "/{exchange}/request", current_request, methods=["GET"]),
            Route(prefix + "/{exchange}/protocols", protocols, methods=["GET"])]


@dataclass(frozen=True, slots=True)
class RunningReference:
    base_url: str
    faults: frozenset[str]

    def targets_toml(self, *, token_env: str | None = None) -> str:
        """A targets.toml for this server alone."""
        return '[implementation]\nname = "ler-conformance reference"\n\n' + self.service_toml(token_env=token_env)

    def service_toml(self, *, token_env: str | None = None) -> str:
        """The [[service]] entries: its issuer, verifier and exchange workflow (short ttl for the expired case, so a
        run waits a fraction of a second for it)."""

        auth = f'auth = {{ type = "bearer", token_env = "{token_env}" }}\n' if token_env else ""
        tags = 'tags = { formats = ["ldp_vc"], cryptosuites = ["eddsa-rdfc-2022"], versions = ["2.0"] }\n'
        return (f'[[service]]\nrole = "issuer"\nid = "{suite_key(ISSUER_KEY).did}"\nendpoint = "{self.base_url}"\n'
                f"{tags}{auth}\n"
                f'[[service]]\nrole = "verifier"\nendpoint = "{self.base_url}"\n{tags}{auth}\n'
                f'[[service]]\nrole = "exchange"\nendpoint = "{self.base_url}/workflows/{WORKFLOW}"\n'
                f"options = {{ expired_ttl_s = 0.05, expiry_margin_s = 0.15 }}\n{auth}")


@contextmanager
def serve_vcalm(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                client_credentials: tuple[str, str] | None = None,
                startup_timeout_s: float = 10.0) -> Iterator[RunningReference]:
    """Serve the reference issuer and verifier on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults), token=token,
                    client_credentials=client_credentials)
    with serve_in_thread(app, name="the reference VCALM service", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningReference(bound.url(), frozenset(faults))


serve = serve_vcalm      # the name every reference module exposes (conformance/reference/__init__.py)
