"""A reference OpenID4VP 1.0 verifier asking for an Open Badges 3.0 credential, conformant by default, with one
fault switch per requirement.

    POST /start                  (test hook) a fresh transaction -> {"authorization_request": "openid4vp://?
                                 client_id=decentralized_identifier:<did:key>&request_uri=<base>/request/<id>"}
    GET  /request/{id}           the request object: a JWS (typ oauth-authz-req+jwt) the verifier's did:key signs,
                                 with response_type vp_token, response_mode direct_post, response_uri, nonce,
                                 state and a DCQL query for an ldp_vc OpenBadgeCredential (expanded type IRIs)
    POST /response               form: vp_token (JSON object keyed by the query id), state -> 200 {redirect_uri}
                                 once, when the presentation verifies for the nonce (challenge) and client_id
                                 (domain), is signed by the credential subject's key and carries a credential
                                 that verifies; any other answer gets 400 {error: invalid_request}

Keys: the verifier signs with the suite's public "other-ed25519" test key (a did:key). Loopback only; transactions
live in memory for the server's lifetime.
"""
from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.support.securing.jose.sign import sign_jws
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.verifier import VerificationOptions
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VERIFIER_KEY = "other-ed25519"
WRONG_KEY = "status-ed25519"
QUERY_ID = "ob30"
MAX_BODY_BYTES = 512 * 1024
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "start-500": "OID4VP-VERIFIER-request-started",
    "request-object-as-json-type": "OID4VP-VERIFIER-request-object-served",
    "request-object-signed-by-other-key": "OID4VP-VERIFIER-request-object-signed",
    "request-object-other-client-id": "OID4VP-VERIFIER-request-client-id",
    "response-type-code": "OID4VP-VERIFIER-response-type",
    "request-has-redirect-uri": "OID4VP-VERIFIER-response-mode",
    "nonce-constant": "OID4VP-VERIFIER-nonce-fresh",
    "dcql-short-type-names": "OID4VP-VERIFIER-dcql-ob30",
    "rejects-valid": "OID4VP-VERIFIER-accepts-valid",
    "ignores-nonce": "OID4VP-VERIFIER-wrong-nonce",
    "ignores-domain": "OID4VP-VERIFIER-wrong-domain",
    "skips-holder-binding": "OID4VP-VERIFIER-holder-binding",
    "skips-credential-proof": "OID4VP-VERIFIER-credential-signature",
    "accepts-replay": "OID4VP-VERIFIER-replay",
    "accepts-unknown-state": "OID4VP-VERIFIER-unknown-state",
    "500-on-malformed": "OID4VP-VERIFIER-malformed-response",
})


class _Refusal(Exception):
    def __init__(self, description: str, status: int = 400, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> Response:
        return JSONResponse({"error": self.error, "error_description": self.description}, status_code=self.status,
                            headers={"cache-control": "no-store"})


@dataclass
class _Transaction:
    nonce: str
    state: str
    used: bool = False


def _b64(data: bytes) -> str:

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def dcql_query(short_names: bool = False) -> dict[str, Any]:
    types = ["VerifiableCredential", "OpenBadgeCredential"] if short_names else [VC_TYPE, OB_TYPE]
    return {"credentials": [{"id": QUERY_ID, "format": "ldp_vc", "meta": {"type_values": [types]},
                             "claims": [{"path": ["credentialSubject", "achievement", "name"]}]}]}


def build_app(env: Environment, faults: frozenset[str] = frozenset()) -> Starlette:

    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    on = faults.__contains__
    key = suite_key(VERIFIER_KEY)
    client_id = "decentralized_identifier:" + key.did
    transactions: dict[str, _Transaction] = {}
    by_state: dict[str, _Transaction] = {}

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def start(request: Request) -> Response:
        if on("start-500"):
            return JSONResponse({"error": "server_error"}, status_code=500)
        ident = secrets.token_urlsafe(12)
        nonce = "constant-reference-nonce" if on("nonce-constant") else secrets.token_urlsafe(24)
        found = _Transaction(nonce, secrets.token_urlsafe(16))
        transactions[ident] = found
        by_state[found.state] = found
        query = urlencode({"client_id": client_id, "request_uri": f"{base(request)}/request/{ident}"})
        return JSONResponse({"authorization_request": f"openid4vp://?{query}"}, headers={"cache-control": "no-store"})

    async def request_object(request: Request) -> Response:

        found = transactions.get(request.path_params["ident"])
        if found is None:
            return _Refusal("no such request", 404, "not_found").response()
        claims: dict[str, Any] = {
            "client_id": client_id + "x" if on("request-object-other-client-id") else client_id,
            "response_type": "code" if on("response-type-code") else "vp_token",
            "response_mode": "direct_post", "response_uri": f"{base(request)}/response",
            "nonce": found.nonce, "state": found.state, "dcql_query": dcql_query(on("dcql-short-type-names")),
            "client_metadata": {"vp_formats_supported": {"ldp_vc": {"proof_type_values": ["DataIntegrityProof"],
                                                                   "cryptosuite_values": ["eddsa-rdfc-2022"]}}},
            "aud": "https://self-issued.me/v2", "iat": int(time.time()),
        }
        if on("request-has-redirect-uri"):
            claims["redirect_uri"] = f"{base(request)}/done"
        header = {"typ": "oauth-authz-req+jwt", "alg": "EdDSA", "kid": key.vm_id}
        signer = suite_key(WRONG_KEY) if on("request-object-signed-by-other-key") else key
        jwt = sign_jws(header, claims, signer.private_key)
        media = "application/json" if on("request-object-as-json-type") else "application/oauth-authz-req+jwt"
        return Response(jwt, media_type=media, headers={"cache-control": "no-store"})

    def judge(found: _Transaction, vp: Any) -> None:

        if not isinstance(vp, dict):
            raise _Refusal("the presentation is not a JSON object")
        credentials = vp.get("verifiableCredential")
        listed = credentials if isinstance(credentials, list) else [credentials]
        badges = [c for c in listed if isinstance(c, dict) and "OpenBadgeCredential" in (c.get("type") or [])]
        if not badges:
            raise _Refusal("the presentation carries no OpenBadgeCredential")
        proof = vp.get("proof")
        if proof is None and on("skips-holder-binding"):
            pass
        else:
            if not isinstance(proof, dict):
                raise _Refusal("the presentation is not signed by its holder")
            challenge = None if on("ignores-nonce") else found.nonce
            domain = None if on("ignores-domain") else (client_id,)
            if on("ignores-nonce"):
                proof_challenge = proof.get("challenge")
                challenge = proof_challenge if isinstance(proof_challenge, str) else None
            if on("ignores-domain"):
                proof_domain = proof.get("domain")
                domain = (proof_domain,) if isinstance(proof_domain, str) else None
            verifier = env.verifier.with_options(VerificationOptions(challenge=challenge, domain=domain))
            result = verifier.data_integrity(vp, presentation=True)
            if not result.verified:
                raise _Refusal(f"the presentation does not verify: {result.message}")
            if not on("skips-holder-binding"):
                method = proof.get("verificationMethod")
                signer = method.split("#", 1)[0] if isinstance(method, str) else None
                for badge in badges:
                    subject = badge.get("credentialSubject")
                    bound = subject.get("id") if isinstance(subject, dict) else None
                    if signer is None or bound != signer or vp.get("holder") != signer:
                        raise _Refusal("the presentation is not signed by the credential subject's key")
        if not on("skips-credential-proof"):
            for badge in badges:
                inner = env.verifier.data_integrity(badge, presentation=False)
                if not inner.verified:
                    raise _Refusal(f"a credential does not verify: {inner.message}")

    async def response(request: Request) -> Response:
        try:
            raw = await request.body()
            if len(raw) > MAX_BODY_BYTES:
                raise _Refusal("the response is too large")
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            found = by_state.get(form.get("state", ""))
            if found is None:
                if on("accepts-unknown-state"):
                    return JSONResponse({}, headers={"cache-control": "no-store"})
                raise _Refusal("the state names no transaction of this verifier")
            if found.used and not on("accepts-replay"):
                raise _Refusal("this transaction has already been answered")
            try:
                token = json.loads(form.get("vp_token", ""))
            except (ValueError, RecursionError):
                if on("500-on-malformed"):
                    return JSONResponse({"error": "server_error"}, status_code=500)
                raise _Refusal("vp_token is missing or not JSON") from None
            if not isinstance(token, dict) or not isinstance(token.get(QUERY_ID), list) or not token[QUERY_ID]:
                raise _Refusal(f"vp_token is not a JSON object with a non-empty {QUERY_ID} array")
            if on("rejects-valid"):
                raise _Refusal("this verifier refuses every presentation")
            for vp in token[QUERY_ID]:
                judge(found, vp)
        except _Refusal as exc:
            return exc.response()
        found.used = True
        return JSONResponse({"redirect_uri": f"{base(request)}/done#{secrets.token_urlsafe(8)}"},
                            headers={"cache-control": "no-store"})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return _Refusal(f"{request.method} {request.url.path} is not served here", status,
                        "not_found" if status == 404 else "invalid_request").response()

    routes = [Route("/start", start, methods=["POST", "GET"]),
              Route("/request/{ident}", request_object, methods=["GET", "POST"]),
              Route("/response", response, methods=["POST"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


@dataclass(frozen=True, slots=True)
class RunningVerifier:
    base_url: str
    faults: frozenset[str]

    def service_toml(self) -> str:
        """The [[service]] entry for this server: an oid4vp-verifier whose requests start at its /start hook."""
        return (f'[[service]]\nrole = "oid4vp-verifier"\nendpoint = "{self.base_url}"\n'
                'tags = { formats = ["ldp_vc"], cryptosuites = ["eddsa-rdfc-2022"], versions = ["1.0"] }\n'
                f'options = {{ request_start = "{self.base_url}/start" }}\n')

    def targets_toml(self) -> str:
        return '[implementation]\nname = "ler-conformance reference"\n\n' + self.service_toml()


@contextmanager
def serve_oid4vp_verifier(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                          host: str = "127.0.0.1", port: int = 0,
                          startup_timeout_s: float = 10.0) -> Iterator[RunningVerifier]:
    """Serve the reference verifier on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults))
    with serve_in_thread(app, name="the reference OpenID4VP verifier", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningVerifier(bound.url(), frozenset(faults))


serve = serve_oid4vp_verifier      # the name every reference module exposes (conformance/reference/__init__.py)
