"""A reference OpenID4VCI 1.0 credential issuer (pre-authorized code flow), conformant by default, with one fault
switch per requirement.

    GET  /.well-known/openid-credential-issuer    issuer metadata (the issuer is its own authorization server)
    GET  /.well-known/oauth-authorization-server  authorization server metadata (token_endpoint)
    POST /offers                                  a fresh credential offer with a pre-authorized code (test hook)
    POST /token                                   form: grant_type=...pre-authorized_code, pre-authorized_code
    POST /nonce                                   {c_nonce}, Cache-Control: no-store
    POST /credential                              Bearer token; {credential_configuration_id, proofs: {jwt: [..]}}
                                                  -> 200 {credentials: [{credential}]}: an Open Badges 3.0 ldp_vc
                                                  signed with the suite's public issuer test key (eddsa-rdfc-2022),
                                                  credentialSubject.id = the did:key the proof's kid names

The credential issuer identifier is the server's base URL. Loopback only: a test fixture and the stand-in
`serve-reference` runs, not a service. Codes, tokens and nonces live in memory for the server's lifetime.
"""
from __future__ import annotations

import copy
import json
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.support.formats.errors import PayloadError
from conformance.support.formats.jws import decode_compact_jws
from conformance.support.securing.jose.results import JoseError
from conformance.support.securing.jose.verify import verify_jws
from conformance.support.securing.keys.did import resolve_did_key
from conformance.support.securing.keys.multikey import public_key_from_multikey
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import ProofError
from conformance.support.securing.signing import sign_document
from conformance.support.serving import serve_in_thread
from conformance.support.templates import document_from_template

if TYPE_CHECKING:
    from conformance.run.environment import Environment

ISSUER_KEY = "issuer-ed25519"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
MAX_BODY_BYTES = 256 * 1024
UNBOUND_SUBJECT = "did:example:learner-unbound"

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "metadata-as-text": "OID4VCI-metadata-served",
    "metadata-other-issuer": "OID4VCI-metadata-issuer-matches",
    "metadata-relative-credential-endpoint": "OID4VCI-metadata-credential-endpoint",
    "metadata-no-ob30-configuration": "OID4VCI-metadata-ob30-configuration",
    "offer-unknown-configuration-id": "OID4VCI-offer-pre-authorized",
    "token-without-token-type": "OID4VCI-token-issued",
    "token-cacheable": "OID4VCI-token-no-store",
    "token-wrong-code-invalid-request": "OID4VCI-token-wrong-code",
    "token-code-reusable": "OID4VCI-token-code-single-use",
    "nonce-201": "OID4VCI-nonce-issued",
    "nonce-cacheable": "OID4VCI-nonce-no-store",
    "nonce-constant": "OID4VCI-nonce-fresh",
    "credential-bare-object": "OID4VCI-credential-issued",
    "credential-unbound": "OID4VCI-credential-bound",
    "credential-without-token": "OID4VCI-credential-requires-token",
    "accepts-missing-proof": "OID4VCI-proof-missing",
    "wrong-nonce-as-invalid-proof": "OID4VCI-proof-wrong-nonce",
    "ignores-proof-aud": "OID4VCI-proof-wrong-aud",
    "skips-proof-signature": "OID4VCI-proof-bad-signature",
    "ignores-proof-typ": "OID4VCI-proof-wrong-typ",
    "unknown-configuration-as-invalid-request": "OID4VCI-unknown-configuration",
    "server-500-on-malformed": "OID4VCI-malformed-request",
})

TEMPLATE: dict[str, Any] = document_from_template("ob30-credential", "reference-oid4vci")
OB30_CONTEXTS: list[str] = list(TEMPLATE["@context"])


class _Refusal(Exception):
    def __init__(self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return JSONResponse({"error": self.error, "error_description": self.description}, status_code=self.status,
                            headers={"cache-control": "no-store", **self.headers})


@dataclass
class _State:
    offered: set[str]
    used: set[str]
    tokens: set[str]
    nonces: set[str]


def _issuer_id(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _holder_key(header: Mapping[str, Any]) -> tuple[str, Any]:
    """(holder DID, public key) from the proof header's kid (a did:key verification method)."""

    kid = header.get("kid")
    if not isinstance(kid, str) or not kid.startswith("did:key:") or "#" not in kid:
        raise _Refusal(400, "invalid_proof", "the key proof's kid is not a did:key verification method")
    did = kid.split("#", 1)[0]
    try:
        document = resolve_did_key(did)
        method = next(m for m in document.get("verificationMethod", []) if m.get("id") == kid)
        return did, public_key_from_multikey(method.get("publicKeyMultibase"))
    except Exception:  # noqa: BLE001 - any failure to resolve the key is the wallet's invalid proof
        raise _Refusal(400, "invalid_proof", "the key proof's kid does not resolve to a key") from None


def build_app(env: Environment, faults: frozenset[str] = frozenset()) -> Starlette:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    canonicalizer = env.verifier.canonicalizer
    state = _State(set(), set(), set(), set())
    on = faults.__contains__

    def metadata(request: Request) -> Response:
        base = _issuer_id(request)
        types = ["VerifiableCredential", "AchievementCredential" if on("metadata-no-ob30-configuration")
                 else "OpenBadgeCredential"]
        body = {
            "credential_issuer": base + "/other" if on("metadata-other-issuer") else base,
            "credential_endpoint": "/credential" if on("metadata-relative-credential-endpoint")
            else base + "/credential",
            "nonce_endpoint": base + "/nonce",
            "display": [{"name": "ler-conformance reference issuer", "locale": "en"}],
            "credential_configurations_supported": {
                CONFIGURATION_ID: {
                    "format": "ldp_vc",
                    "scope": "OpenBadgeCredential",
                    "cryptographic_binding_methods_supported": ["did:key"],
                    "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}},
                    "credential_definition": {"@context": OB30_CONTEXTS, "type": types},
                },
            },
        }
        if on("metadata-as-text"):
            return Response(json.dumps(body), media_type="text/plain")
        return JSONResponse(body)

    def as_metadata(request: Request) -> Response:
        base = _issuer_id(request)
        return JSONResponse({"issuer": base, "token_endpoint": base + "/token",
                             "grant_types_supported": [PRE_AUTH_GRANT],
                             "pre-authorized_grant_anonymous_access_supported": True})

    async def offers(request: Request) -> Response:
        code = secrets.token_urlsafe(24)
        state.offered.add(code)
        ids = [CONFIGURATION_ID, "NotOfferedHere"] if on("offer-unknown-configuration-id") else [CONFIGURATION_ID]
        return JSONResponse({"credential_issuer": _issuer_id(request), "credential_configuration_ids": ids,
                             "grants": {PRE_AUTH_GRANT: {"pre-authorized_code": code}}})

    async def token(request: Request) -> Response:
        raw = await request.body()
        try:
            if len(raw) > MAX_BODY_BYTES:
                raise _Refusal(400, "invalid_request", "the request is too large")
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            if form.get("grant_type") != PRE_AUTH_GRANT:
                raise _Refusal(400, "unsupported_grant_type", "only the pre-authorized code grant is served")
            code = form.get("pre-authorized_code", "")
            wrong = "invalid_request" if on("token-wrong-code-invalid-request") else "invalid_grant"
            if code not in state.offered:
                raise _Refusal(400, wrong, "the pre-authorized code was never offered")
            if code in state.used and not on("token-code-reusable"):
                raise _Refusal(400, "invalid_grant", "the pre-authorized code was already used")
        except _Refusal as exc:
            return exc.response()
        state.used.add(code)
        access = secrets.token_urlsafe(32)
        state.tokens.add(access)
        body: dict[str, Any] = {"access_token": access, "expires_in": 3600}
        if not on("token-without-token-type"):
            body["token_type"] = "Bearer"
        headers = {} if on("token-cacheable") else {"cache-control": "no-store"}
        return JSONResponse(body, headers=headers)

    async def nonce(request: Request) -> Response:
        value = "constant-reference-nonce" if on("nonce-constant") else secrets.token_urlsafe(24)
        state.nonces.add(value)
        headers = {} if on("nonce-cacheable") else {"cache-control": "no-store"}
        return JSONResponse({"c_nonce": value}, status_code=201 if on("nonce-201") else 200, headers=headers)

    def check_proof(body: Mapping[str, Any], issuer_id: str) -> str:
        """The holder DID the request's one JWT proof binds to (or a refusal)."""

        proofs = body.get("proofs")
        jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
        if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
            if on("accepts-missing-proof"):
                return UNBOUND_SUBJECT
            raise _Refusal(400, "invalid_proof", "the request carries no proofs.jwt array with one key proof")
        try:
            jws = decode_compact_jws(jwts[0])
        except PayloadError:
            raise _Refusal(400, "invalid_proof", "the key proof is not a compact JWS") from None
        if jws.header.get("typ") != PROOF_TYP and not on("ignores-proof-typ"):
            raise _Refusal(400, "invalid_proof", f"the key proof's typ is not {PROOF_TYP}")
        holder, key = _holder_key(jws.header)
        if not on("skips-proof-signature"):
            try:
                result = verify_jws(jws, key)
            except (JoseError, ValueError, TypeError):
                result = None
            if result is None or not result.verified:
                raise _Refusal(400, "invalid_proof", "the key proof's signature does not verify")
        if jws.payload.get("aud") != issuer_id and not on("ignores-proof-aud"):
            raise _Refusal(400, "invalid_proof", "the key proof's aud is not this credential issuer")
        claimed = jws.payload.get("nonce")
        if not isinstance(claimed, str):
            raise _Refusal(400, "invalid_proof", "the key proof carries no nonce")
        if claimed not in state.nonces:
            raise _Refusal(400, "invalid_proof" if on("wrong-nonce-as-invalid-proof") else "invalid_nonce",
                           "the key proof's nonce was not issued here; fetch a fresh one from the nonce endpoint")
        if not isinstance(jws.payload.get("iat"), int):
            raise _Refusal(400, "invalid_proof", "the key proof carries no iat")
        return holder

    async def credential(request: Request) -> Response:

        try:
            auth = request.headers.get("authorization", "")
            if not (auth.startswith("Bearer ") and auth[7:] in state.tokens) and not on("credential-without-token"):
                raise _Refusal(401, "invalid_token", "a valid access token is required",
                               {"www-authenticate": 'Bearer error="invalid_token"'})
            raw = await request.body()
            if len(raw) > MAX_BODY_BYTES:
                raise _Refusal(400, "invalid_credential_request", "the request is too large")
            try:
                body = json.loads(raw)
            except ValueError:
                if on("server-500-on-malformed"):
                    return JSONResponse({"error": "server_error"}, status_code=500)
                raise _Refusal(400, "invalid_credential_request", "the body is not JSON") from None
            if not isinstance(body, dict):
                raise _Refusal(400, "invalid_credential_request", "the body is not a JSON object")
            if body.get("credential_configuration_id") != CONFIGURATION_ID:
                raise _Refusal(400, "invalid_credential_request" if on("unknown-configuration-as-invalid-request")
                               else "unknown_credential_configuration", "no such credential configuration here")
            holder = check_proof(body, _issuer_id(request))
            document = copy.deepcopy(TEMPLATE)
            document["id"] = f"urn:uuid:{_uuid()}"
            document["issuer"]["id"] = suite_key(ISSUER_KEY).did
            document["credentialSubject"]["id"] = UNBOUND_SUBJECT if on("credential-unbound") else holder
            try:
                signed = sign_document(document, [{"key": ISSUER_KEY}], canonicalizer)
            except (ProofError, ValueError, KeyError, TypeError) as exc:
                raise _Refusal(500, "server_error", f"the credential cannot be signed: {exc}") from None
        except _Refusal as exc:
            return exc.response()
        body = {"credential": signed} if on("credential-bare-object") else {"credentials": [{"credential": signed}]}
        return JSONResponse(body, headers={"cache-control": "no-store"})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return _Refusal(status, "not_found" if status == 404 else "invalid_request",
                        f"{request.method} {request.url.path} is not served here").response()

    routes = [Route("/.well-known/openid-credential-issuer", metadata, methods=["GET"]),
              Route("/.well-known/oauth-authorization-server", as_metadata, methods=["GET"]),
              Route("/offers", offers, methods=["POST"]),
              Route("/token", token, methods=["POST"]),
              Route("/nonce", nonce, methods=["POST"]),
              Route("/credential", credential, methods=["POST"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def _uuid() -> str:

    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class RunningIssuer:
    base_url: str
    faults: frozenset[str]

    def service_toml(self) -> str:
        """The [[service]] entry for this server: an oid4vci-issuer whose offers come from its /offers hook."""
        return (f'[[service]]\nrole = "oid4vci-issuer"\nendpoint = "{self.base_url}"\n'
                'tags = { formats = ["ldp_vc"], cryptosuites = ["eddsa-rdfc-2022"], versions = ["1.0"] }\n'
                f'options = {{ offer_endpoint = "{self.base_url}/offers" }}\n')

    def targets_toml(self) -> str:
        """A targets.toml for this server alone."""
        return '[implementation]\nname = "ler-conformance reference"\n\n' + self.service_toml()


@contextmanager
def serve_oid4vci(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                  host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 10.0) -> Iterator[RunningIssuer]:
    """Serve the reference credential issuer on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults))
    with serve_in_thread(app, name="the reference OpenID4VCI issuer", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningIssuer(bound.url(), frozenset(faults))


serve = serve_oid4vci      # the name every reference module exposes (conformance/reference/__init__.py)
