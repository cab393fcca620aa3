"""OpenID4VCI 1.0 flows: the suite plays the wallet against a credential issuer (role "oid4vci-issuer").

The service's endpoint is its credential issuer identifier. Options in targets.toml say where the credential
offer comes from (never a secret):

    options = { offer_endpoint = "https://issuer.example/offers" }        # POST: a fresh offer as JSON
    options = { credential_offer_uri = "https://issuer.example/offer/1" } # GET: the offer as JSON

Flows, in order (a step that cannot be made because an earlier answer lacks what it needs is not made; the checks
then say cantTell):
    metadata     GET /.well-known/openid-credential-issuer (path-inserted), then the authorization server metadata
    offer        the credential offer with a pre-authorized code grant
    token        the token request with the offered code; a wrong code; the offered code again (single use)
    nonce        two nonce requests (c_nonce, fresh each time)
    credential   a request with a JWT proof of the suite's holder key (valid); then negatives: no access token,
                 no proof, wrong nonce, wrong aud, bad signature, wrong typ, unknown configuration, bytes that are
                 not JSON
Every step is kept with secrets (codes, tokens) redacted.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.support.exchange.transcript import record
from conformance.support.net import GuardedClient
from conformance.support.net.evidence import REDACTED, redact_json
from conformance.support.securing.jose.sign import sign_jws
from conformance.support.securing.keys.testkeys import suite_key

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject

HOLDER_KEY = "holder-ed25519"
OTHER_KEY = "other-ed25519"
PROOF_TYP = "openid4vci-proof+jwt"
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
WRONG_CODE = "ler-conformance-not-an-offered-code"
WRONG_NONCE = "ler-conformance-not-an-issued-nonce"
UNKNOWN_CONFIGURATION = "ler-conformance-unknown-configuration"
OB30_TYPE = "OpenBadgeCredential"
KEPT = ("content-type", "content-length", "location", "www-authenticate", "cache-control", "pragma")
_SECRET_MEMBERS = frozenset({"pre-authorized_code", "tx_code", "access_token", "refresh_token"})
MAX_BYTES = 4 * 1024 * 1024


def well_known(identifier: str, suffix: str) -> str:
    """The well-known URL for an identifier: the segment goes between the host and the path (RFC 8615 style)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def _redact(value: Any) -> Any:
    value = redact_json(value)
    if isinstance(value, dict):
        return {k: (REDACTED if k in _SECRET_MEMBERS and v not in (None, "") else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _step(client: GuardedClient, flow: str, name: str, method: str, url: str, *, form: Mapping[str, str] | None = None,
          body: Any = None, raw: bytes | None = None, headers: Mapping[str, str] | None = None,
          expect: Mapping[str, Any] | None = None) -> tuple[Step, Any]:
    """One request, recorded as a Step (redacted); also the parsed body unredacted, for the flow's next request."""
    step, _, parsed = record(client, flow, name, method, url, body=body, form=form, raw=raw, headers=headers,
                             max_bytes=MAX_BYTES, keep=KEPT, redact=_redact, by_value="text", expect=expect)
    return step, parsed


def proof_jwt(*, aud: str, nonce: str | None, key: str = HOLDER_KEY, typ: str = PROOF_TYP,
              signer: str | None = None) -> str:
    """A key proof naming `key` (kid: its did:key method) signed by `signer` (default: the same key)."""

    claims: dict[str, Any] = {"aud": aud, "iat": int(time.time())}
    if nonce is not None:
        claims["nonce"] = nonce
    header = {"typ": typ, "alg": "EdDSA", "kid": suite_key(key).vm_id}
    return sign_jws(header, claims, suite_key(signer or key).private_key)


def holder_did() -> str:

    return suite_key(HOLDER_KEY).did


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("https", "http") and bool(parts.netloc)


def _offer(subject: ServiceSubject, client: GuardedClient) -> tuple[Step | None, Any]:
    options = subject.service.options
    if _str(options.get("offer_endpoint")):
        return _step(client, "offer", "create", "POST", options["offer_endpoint"], body={})
    if _str(options.get("credential_offer_uri")):
        return _step(client, "offer", "fetch", "GET", options["credential_offer_uri"])
    return None, None


@flows("oid4vci-issuer")
def run(subject: ServiceSubject) -> Transcript:
    client = subject.client
    identifier = subject.service.endpoint
    steps: list[Step] = []

    step, metadata = _step(client, "metadata", "credential-issuer", "GET",
                           well_known(identifier, "openid-credential-issuer"))
    steps.append(step)
    metadata = metadata if isinstance(metadata, dict) else {}
    servers = metadata.get("authorization_servers")
    server = _str(servers[0]) if isinstance(servers, list) and servers else identifier
    step, as_metadata = _step(client, "metadata", "authorization-server", "GET",
                              well_known(server or identifier, "oauth-authorization-server"))
    steps.append(step)
    as_metadata = as_metadata if isinstance(as_metadata, dict) else {}

    offer_step, offer = _offer(subject, client)
    if offer_step is None:
        return Transcript(tuple(steps), setup_error="the targets file names no credential offer: set options."
                          "offer_endpoint or options.credential_offer_uri for this oid4vci-issuer")
    steps.append(offer_step)
    offer = offer if isinstance(offer, dict) else {}
    grant = (offer.get("grants") or {}).get(PRE_AUTH_GRANT) if isinstance(offer.get("grants"), dict) else None
    code = _str(grant.get("pre-authorized_code")) if isinstance(grant, dict) else None
    client.secrets.add(code, "pre-authorized code")          # redacted by value from every output of the run
    ids = offer.get("credential_configuration_ids")
    configuration = _str(ids[0]) if isinstance(ids, list) and ids else None

    token_endpoint = _str(as_metadata.get("token_endpoint"))
    access: str | None = None
    if token_endpoint and code:
        step, answer = _step(client, "token", "pre-authorized-code", "POST", token_endpoint,
                             form={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code})
        steps.append(step)
        access = _str(answer.get("access_token")) if isinstance(answer, dict) and step.status == 200 else None
        if isinstance(answer, dict):
            client.secrets.add(answer.get("access_token"), "access token")
            client.secrets.add(answer.get("refresh_token"), "refresh token")
        steps.append(_step(client, "token", "wrong-code", "POST", token_endpoint,
                           form={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": WRONG_CODE},
                           expect={"error": "invalid_grant"})[0])
        steps.append(_step(client, "token", "reused-code", "POST", token_endpoint,
                           form={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code},
                           expect={"error": "invalid_grant"})[0])

    nonce_endpoint = _str(metadata.get("nonce_endpoint"))

    def fresh_nonce(name: str) -> str | None:
        if not nonce_endpoint:
            return None
        step, answer = _step(client, "nonce", name, "POST", nonce_endpoint)
        steps.append(step)
        return _str(answer.get("c_nonce")) if isinstance(answer, dict) else None

    nonce = fresh_nonce("first")
    fresh_nonce("second")
    credential_endpoint = _str(metadata.get("credential_endpoint"))
    if not (credential_endpoint and _absolute(credential_endpoint) and access and configuration):
        return Transcript(tuple(steps))
    bearer = {"authorization": f"Bearer {access}"}

    def request(name: str, *, proof: str | None, config: str | None = None, headers: Mapping[str, str] = bearer,
                raw: bytes | None = None, expect: Mapping[str, Any] | None = None) -> None:
        body: dict[str, Any] = {"credential_configuration_id": config or configuration}
        if proof is not None:
            body["proofs"] = {"jwt": [proof]}
        steps.append(_step(client, "credential", name, "POST", credential_endpoint, body=None if raw else body,
                           raw=raw, headers=headers, expect=expect)[0])

    request("valid", proof=proof_jwt(aud=identifier, nonce=nonce), expect={"holder": holder_did()})
    request("no-access-token", proof=proof_jwt(aud=identifier, nonce=fresh_nonce("for-no-access-token")),
            headers={}, expect={"status": 401})
    request("no-proof", proof=None, expect={"error": "invalid_proof"})
    if nonce_endpoint:
        request("wrong-nonce", proof=proof_jwt(aud=identifier, nonce=WRONG_NONCE), expect={"error": "invalid_nonce"})
    request("wrong-aud", proof=proof_jwt(aud="https://other-issuer.ler-conformance.example",
                                         nonce=fresh_nonce("for-wrong-aud")), expect={"error": "invalid_proof"})
    request("bad-signature", proof=proof_jwt(aud=identifier, nonce=fresh_nonce("for-bad-signature"),
                                             signer=OTHER_KEY), expect={"error": "invalid_proof"})
    request("wrong-typ", proof=proof_jwt(aud=identifier, nonce=fresh_nonce("for-wrong-typ"), typ="JWT"),
            expect={"error": "invalid_proof"})
    request("unknown-configuration", proof=proof_jwt(aud=identifier, nonce=fresh_nonce("for-unknown-configuration")),
            config=UNKNOWN_CONFIGURATION, expect={"error": "unknown_credential_configuration"})
    request("not-json", proof=None, raw=b'{"credential_configuration_id": [truncated',
            expect={"error": "invalid_credential_request"})
    return Transcript(tuple(steps))
