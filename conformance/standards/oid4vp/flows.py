"""OpenID4VP 1.0 flows: the suite plays the wallet against a vendor's verifier (role "oid4vp-verifier").

What a vendor exposes for testing: a verifier only asks a wallet when something starts a presentation (a page
shows a QR code, a relying party clicks "verify"). The suite needs that start as an HTTP call, as the OpenID
Foundation's conformance suite does for verifiers:

    [[service]]
    role = "oid4vp-verifier"
    endpoint = "https://verifier.example"                                  # the verifier's base URL
    options = { request_start = "https://verifier.example/test/start",     # each call starts a fresh request
                request_start_method = "POST" }                            # or "GET"; POST by default

The start answers with a fresh authorization request: the `Location` header, a JSON object with an
`authorization_request` (or `request_url`, `url`) member, or the request URL as text, e.g.
`openid4vp://?client_id=...&request_uri=...` (by reference) or with the parameters themselves (by value).

Flows, one fresh request per case (a request is used for one answer only, so no case spoils another):
    start           POST/GET request_start                            -> an authorization request URL
    request-object  GET request_uri (POST when request_uri_method=post) -> the request object JWT
    respond         direct_post to response_uri: vp_token (JSON object keyed by the DCQL query id) and state
        valid                 the suite's Open Badges 3.0 credential in a presentation its holder key signs
                              (eddsa-rdfc-2022, challenge = nonce, domain = client_id)            -> 200
        replay                the valid answer again                                              -> 4xx
        unknown-state         the valid vp_token with a state the verifier never issued          -> 4xx
        wrong-nonce, wrong-domain, unsigned-presentation, other-holder-key, tampered-credential   -> 4xx
        not-json, no-vp-token, number-vp-token (malformed answers)                                -> 4xx

The holder is a did:key generated for each run; the credential is issued to it by the suite's public issuer test
key. A request object is judged by what the suite found when verifying it (kept in the step's body under
`verification`): a `decentralized_identifier:` client signs with a key of that DID (did:key and did:jwk resolve
offline), a `redirect_uri:` client sends an unsigned request.
"""
from __future__ import annotations

import base64
import copy
import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.standards.vcalm.flows import credential_template
from conformance.support.exchange.transcript import record
from conformance.support.formats.errors import PayloadError
from conformance.support.formats.jws import decode_compact_jws
from conformance.support.net import GuardedClient, redact_url
from conformance.support.net.evidence import redact_json
from conformance.support.securing.jose.verify import verify_jws
from conformance.support.securing.keys.did import resolve_did_jwk, resolve_did_key
from conformance.support.securing.keys.jwk import public_key_from_jwk
from conformance.support.securing.keys.multikey import encode_public_multikey, public_key_from_multikey
from conformance.support.securing.proofs import sign as sign_proof
from conformance.support.securing.signing import DEFAULT_CREATED, sign_document

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject
    from conformance.support.securing.proofs import Canonicalizer

ISSUER_KEY = "issuer-ed25519"
REQUEST_JWT = "application/oauth-authz-req+jwt"
REQUEST_TYP = "oauth-authz-req+jwt"
DID_PREFIX = "decentralized_identifier:"
REDIRECT_PREFIX = "redirect_uri:"
WRONG_NONCE = "ler-conformance-not-the-requested-nonce"
WRONG_DOMAIN = "decentralized_identifier:did:example:ler-conformance-other-verifier"
KEPT = ("content-type", "content-length", "location", "cache-control")
MAX_BYTES = 1024 * 1024
MAX_KEPT_TEXT = 8192           # an authorization request URL by value can be long
# where a start step keeps the request URL it found (shown to people: a wallet shows it as a QR code)
REQUEST_MEMBER = "openid4vp_request"
DEFAULT_QUERY_ID = "ob30"
HOSTILE_CASES = ("wrong-nonce", "wrong-domain", "unsigned-presentation", "other-holder-key", "tampered-credential")
MALFORMED: tuple[tuple[str, str | None], ...] = (("not-json", '{"ob30": [truncated'), ("no-vp-token", None),
                                                 ("number-vp-token", "42"))
CASES = ("valid", *HOSTILE_CASES, "malformed")


# --- reading an authorization request (pure: the checks use these too) -----------------------------------------

@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """One authorization request as the wallet sees it: the URL's parameters and the request's parameters (from
    the request object's claims when by reference, else the URL's own, with dcql_query parsed)."""

    case: str
    url: str
    url_params: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    by_reference: bool = False

    @property
    def client_id(self) -> str | None:
        value = self.url_params.get("client_id") or self.params.get("client_id")
        return value if isinstance(value, str) and value else None

    def get(self, name: str) -> Any:
        return self.params.get(name)

    @property
    def dcql(self) -> Any:
        value = self.params.get("dcql_query")
        if isinstance(value, str):
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                return value
        return value


def request_url(step: Step) -> str | None:
    """The authorization request URL a start answer gives (Location, a JSON member, or the text), or None."""
    if not step.answered or not 200 <= (step.status or 0) < 400:
        return None
    location = next((v for k, v in step.headers if k == "location"), "")
    if location:
        return location
    if isinstance(step.body, dict):
        for member in (REQUEST_MEMBER, "request_url", "url"):
            value = step.body.get(member)
            if isinstance(value, str) and value:
                return value
    if isinstance(step.body, str) and step.body:
        return step.body
    text = step.text.strip()
    return text if "?" in text and " " not in text else None


def url_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def authorization_request(case: str, start: Step, request_object: Step | None) -> AuthorizationRequest | None:
    """The request of one case from its start answer and (by reference) its request object step, or None."""
    url = request_url(start)
    if url is None:
        return None
    params = url_params(url)
    if "request_uri" not in params and "request" not in params:
        return AuthorizationRequest(case, url, params, dict(params))
    claims: dict[str, Any] = {}
    if request_object is not None and isinstance(request_object.body, dict):
        found = request_object.body.get("claims")
        claims = found if isinstance(found, dict) else {}
    return AuthorizationRequest(case, url, params, claims, by_reference=True)


# --- the suite's holder, credential and presentations ---------------------------------------------------------

@dataclass(frozen=True)
class Holder:
    """A key generated for one run and its did:key."""

    private_key: Any = field(repr=False)
    multibase: str

    @property
    def did(self) -> str:
        return f"did:key:{self.multibase}"

    @property
    def method(self) -> str:
        return f"{self.did}#{self.multibase}"


def new_holder() -> Holder:

    key = ed25519.Ed25519PrivateKey.generate()
    return Holder(key, encode_public_multikey(key.public_key()))


def credential_for(holder: Holder, canonicalizer: Canonicalizer) -> dict[str, Any]:
    """An Open Badges 3.0 credential the suite's issuer test key signs, its subject the holder."""

    document = credential_template("")
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document["credentialSubject"]["id"] = holder.did
    return sign_document(document, [{"key": ISSUER_KEY}], canonicalizer)


def presentation(credential: Mapping[str, Any], holder: Holder, canonicalizer: Canonicalizer, *,
                 challenge: str | None, domain: str | None, sign: bool = True) -> dict[str, Any]:

    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": f"urn:uuid:{uuid.uuid4()}",
                "type": ["VerifiablePresentation"], "holder": holder.did,
                "verifiableCredential": [copy.deepcopy(dict(credential))]}
    if not sign:
        return document
    return sign_proof(document, holder.private_key, cryptosuite="eddsa-rdfc-2022",
                      verification_method=holder.method, purpose="authentication", created=DEFAULT_CREATED,
                      canonicalizer=canonicalizer, challenge=challenge, domain=domain)


def tampered(credential: Mapping[str, Any]) -> dict[str, Any]:
    altered = copy.deepcopy(dict(credential))
    value = altered["proof"]["proofValue"]
    altered["proof"]["proofValue"] = value[:-4] + ("1111" if not value.endswith("1111") else "2222")
    return altered


# --- request objects -----------------------------------------------------------------------------------------

def verify_request_object(jwt: str, client_id: str | None) -> dict[str, Any]:
    """What the suite finds when it checks a request object's JWS against the client identifier's prefix:
    {"result": "verified" | "unsigned" | "failed" | "unsupported", "reason": ...}."""

    client = client_id or ""
    parts = jwt.split(".")
    try:
        header = json.loads(_b64(parts[0])) if parts else None
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict):
        return {"result": "failed", "reason": "the request object's header is not a JSON object"}
    if header.get("alg") == "none":
        return {"result": "unsigned", "reason": "alg none"}
    if client.startswith(REDIRECT_PREFIX):
        return {"result": "failed",
                "reason": f"a {REDIRECT_PREFIX} client's request object is signed ({header.get('alg')})"}
    if not client.startswith(DID_PREFIX):
        return {"result": "unsupported", "reason": "the suite checks request object signatures for the "
                f"{DID_PREFIX} and {REDIRECT_PREFIX} client identifier prefixes only"}
    did = client[len(DID_PREFIX):]
    kid = header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did or "#" not in kid:
        return {"result": "failed", "reason": f"the kid {kid!r} is not a verification method of {did}"}
    try:
        key = _did_key(did, kid)
    except Exception as exc:  # noqa: BLE001 - a key we cannot resolve is reported, never a pass
        return {"result": "unsupported", "reason": f"the suite cannot resolve {kid}: {type(exc).__name__}: {exc}"[:300]}
    if key is None:
        return {"result": "failed", "reason": f"{did} has no verification method {kid}"}
    try:

        outcome = verify_jws(decode_compact_jws(jwt), key)
    except (PayloadError, ValueError, TypeError) as exc:
        return {"result": "failed", "reason": f"the request object is not a verifiable JWS: {exc}"[:300]}
    except Exception as exc:  # noqa: BLE001 - any other failure to verify is ours to report
        return {"result": "unsupported", "reason": f"{type(exc).__name__}: {exc}"[:300]}
    if not outcome.verified:
        return {"result": "failed", "reason": f"the signature does not verify with {kid}"}
    return {"result": "verified", "reason": kid}


def _b64(segment: str) -> bytes:

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _did_key(did: str, kid: str) -> Any:

    if did.startswith("did:key:"):
        document = resolve_did_key(did)
    elif did.startswith("did:jwk:"):
        document = resolve_did_jwk(did)
    else:
        raise ValueError(f"{did.split(':')[1] if ':' in did else did} is not resolved offline (did:key, did:jwk)")
    for method in document.get("verificationMethod", []):
        if method.get("id") == kid or (method.get("id", "").startswith("#") and did + method["id"] == kid):
            if "publicKeyMultibase" in method:
                return public_key_from_multikey(method["publicKeyMultibase"])
            if "publicKeyJwk" in method:
                return public_key_from_jwk(method["publicKeyJwk"])
    return None


def _decoded_jwt(text: str) -> dict[str, Any] | None:
    parts = text.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
    except (ValueError, RecursionError):
        return None
    return {"header": header, "claims": claims} if isinstance(header, dict) and isinstance(claims, dict) else None


# --- HTTP ----------------------------------------------------------------------------------------------------

def _step(client: GuardedClient, flow: str, name: str, method: str, url: str, *,
          form: Mapping[str, str] | None = None, accept: str = "application/json",
          expect: Mapping[str, Any] | None = None) -> tuple[Step, bytes]:
    """One request recorded as a Step (redacted), and the raw body for the flow's next request."""
    step, answer, _ = record(client, flow, name, method, url, form=form, accept=accept, max_bytes=MAX_BYTES,
                             keep=KEPT, by_value="none", text_limit=MAX_KEPT_TEXT, expect=expect)
    return step, answer.body if answer is not None else b""


def _with_request_url(step: Step, raw: bytes) -> Step:
    """The start step with the request URL a JSON answer names kept under REQUEST_MEMBER: redaction hides members
    whose names look secret (authorization_request), and the URL is what a wallet would show as a QR code."""
    if not step.answered or step.json_error:
        return step
    try:
        parsed = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        return step
    if not isinstance(parsed, dict):
        return step
    for member in ("authorization_request", "request_url", "url", "uri"):
        value = parsed.get(member)
        if isinstance(value, str) and value:
            body = dict(step.body) if isinstance(step.body, dict) else {}
            body[REQUEST_MEMBER] = redact_url(value)
            return dataclasses.replace(step, body=body)
    return step


def _request_object(client: GuardedClient, case: str, url: str) -> Step | None:
    params = url_params(url)
    uri = params.get("request_uri")
    if not uri or not uri.startswith(("http://", "https://")):
        return None
    post = params.get("request_uri_method", "").lower() == "post"
    step, raw = _step(client, "request-object", case, "POST" if post else "GET", uri, form={} if post else None,
                      accept=f"{REQUEST_JWT}, application/jwt;q=0.5")
    if not step.answered or step.status != 200:
        return step
    text = raw.decode("utf-8", "replace").strip()
    decoded = _decoded_jwt(text)
    if decoded is None:
        return step
    client_id = params.get("client_id")
    decoded["verification"] = verify_request_object(text, client_id)
    return Step(flow=step.flow, name=step.name, method=step.method, url=step.url, request=step.request,
                status=step.status, headers=step.headers, body=redact_json(decoded), text="",
                json_error="", elapsed_s=step.elapsed_s)


def _response_uri(request: AuthorizationRequest) -> str | None:
    value = request.get("response_uri")
    if not isinstance(value, str) or not value:
        return None
    absolute = urljoin(request.url, value) if value.startswith("/") else value
    return absolute if absolute.startswith(("http://", "https://")) else None


def query_id(request: AuthorizationRequest) -> str:
    dcql = request.dcql
    queries = dcql.get("credentials") if isinstance(dcql, dict) else None
    if isinstance(queries, list) and queries and isinstance(queries[0], dict) and isinstance(queries[0].get("id"), str):
        return queries[0]["id"]
    return DEFAULT_QUERY_ID


@flows("oid4vp-verifier")
def run(subject: ServiceSubject) -> Transcript:
    service = subject.service
    client = subject.client
    options = service.options
    start_url = options.get("request_start")
    if not isinstance(start_url, str) or not start_url:
        return Transcript((), setup_error="the targets file names no way to start a presentation request: set "
                          "options.request_start for this oid4vp-verifier")
    method = str(options.get("request_start_method") or "POST").upper()
    method = method if method in ("GET", "POST") else "POST"
    canonicalizer = subject.env.verifier.canonicalizer
    holder, other = new_holder(), new_holder()
    credential = credential_for(holder, canonicalizer)
    steps: list[Step] = []

    def respond(name: str, request: AuthorizationRequest, vp_token: str | None, *, state: str | None = None) -> None:
        target = _response_uri(request)
        if target is None:
            return
        form: dict[str, str] = {}
        if vp_token is not None:
            form["vp_token"] = vp_token
        chosen = state if state is not None else request.get("state")
        if isinstance(chosen, str):
            form["state"] = chosen
        steps.append(_step(client, "respond", name, "POST", target, form=form)[0])

    def token(request: AuthorizationRequest, vp: Mapping[str, Any]) -> str:
        return json.dumps({query_id(request): [vp]}, ensure_ascii=False)

    for case in CASES:
        start, raw = _step(client, "start", case, method, start_url, form={} if method == "POST" else None)
        start = _with_request_url(start, raw)
        steps.append(start)
        url = request_url(start)
        if url is None:
            continue
        obj = _request_object(client, case, url)
        if obj is not None:
            steps.append(obj)
        request = authorization_request(case, start, obj)
        if request is None:
            continue
        nonce, client_id = request.get("nonce"), request.client_id
        nonce = nonce if isinstance(nonce, str) else None
        if case == "valid":
            good = token(request, presentation(credential, holder, canonicalizer, challenge=nonce, domain=client_id))
            respond("valid", request, good)
            respond("replay", request, good)
            if isinstance(request.get("state"), str):
                respond("unknown-state", request, good, state=f"ler-conformance-unknown-{uuid.uuid4()}")
        elif case == "wrong-nonce":
            respond(case, request, token(request, presentation(credential, holder, canonicalizer,
                                                               challenge=WRONG_NONCE, domain=client_id)))
        elif case == "wrong-domain":
            respond(case, request, token(request, presentation(credential, holder, canonicalizer,
                                                               challenge=nonce, domain=WRONG_DOMAIN)))
        elif case == "unsigned-presentation":
            respond(case, request, token(request, presentation(credential, holder, canonicalizer, challenge=nonce,
                                                               domain=client_id, sign=False)))
        elif case == "other-holder-key":
            respond(case, request, token(request, presentation(credential, other, canonicalizer, challenge=nonce,
                                                               domain=client_id)))
        elif case == "tampered-credential":
            respond(case, request, token(request, presentation(tampered(credential), holder, canonicalizer,
                                                               challenge=nonce, domain=client_id)))
        else:
            for name, raw in MALFORMED:
                respond(name, request, raw)
    return Transcript(tuple(steps))
