"""The suite as an OpenID4VP 1.0 verifier, for testing wallets (the OIDF "mock verifier" model).

Primary form: a request by reference from a `decentralized_identifier:` client. The URL handed to the wallet is
`openid4vp://?client_id=decentralized_identifier:<did:key>&request_uri=<base>/v/{session}/request`; the request
object is a JWS (typ oauth-authz-req+jwt) that the suite's verifier test key (a did:key, kid = its verification
method) signs, asking for response_mode direct_post at `<base>/v/{session}/response` with a fresh nonce and state
and a DCQL query for one Open Badges 3.0 ldp_vc. Each session has its own paths, nonce and state:

    GET|POST /v/{session}/request     the request object (recorded with the method the wallet used)
    POST     /v/{session}/response    the wallet's answer: form-encoded vp_token (and state), or error

Hostile sessions (a conformant wallet does not present): `wrong-signer` (the request object is signed by another
key than the client identifier's DID), `foreign-response-uri` (a `redirect_uri:` client, request by value, whose
response_uri is on another origin than the client identifier), `no-nonce`, `unknown-response-mode`.

The response handler verifies what it received while the secrets are in hand and writes the facts into the step's
`request.observed` (the vp_token itself is redacted in the record: its name looks like a secret): the entries of
vp_token, each presentation's proof options, whether its proof verifies and who signed it, whether each credential
is the one the suite issued (canonical JSON compare) and still verifies (each verification an observation,
conformance/support/exchange/observations.py: "cannot be checked" is never "does not verify"). The checks
(conformance/standards/oid4vp/wallet.py) judge those facts and never verify anything themselves.
"""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from conformance.standards.oid4vp.flows import DID_PREFIX, REDIRECT_PREFIX, REQUEST_JWT, REQUEST_TYP
from conformance.support.exchange import observations
from conformance.support.exchange.server import Answer, Call, CounterpartyServer, Route
from conformance.support.securing.jose.sign import sign_jws
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.verifier import VerificationOptions

VERIFIER_KEY = "other-ed25519"
WRONG_SIGNER_KEY = "status-ed25519"
QUERY_ID = "ob30_badge"              # deliberately not the common default: the wallet must key vp_token by it
SCHEME = "openid4vp://"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
UNKNOWN_MODE = "ler-conformance.unknown-mode"
NO_STORE = {"cache-control": "no-store"}
MAX_PRESENTATIONS = 8


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    hostile: str = ""        # "", "wrong-signer", "foreign-response-uri", "no-nonce", "unknown-response-mode"


PRESENT = Session("present")
SESSIONS = (PRESENT, Session("wrong-signer", "wrong-signer"), Session("foreign-response-uri", "foreign-response-uri"),
            Session("no-nonce", "no-nonce"), Session("unknown-response-mode", "unknown-response-mode"))
HOSTILE = tuple(s.name for s in SESSIONS if s.hostile)


def dcql_query() -> dict[str, Any]:
    return {"credentials": [{"id": QUERY_ID, "format": "ldp_vc", "meta": {"type_values": [[VC_TYPE, OB_TYPE]]},
                             "claims": [{"path": ["credentialSubject", "achievement", "name"]}]}]}


def canonical(value: Any) -> str:
    """A canonical JSON text (sorted members, no insignificant space) for comparing documents byte for byte."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class _Live:
    session: Session
    nonce: str
    state: str
    client_id: str
    answered: int = 0


@dataclass
class WalletTestVerifier:
    """The sessions and routes of the suite's verifier; set `server` to the CounterpartyServer serving `routes()`."""

    env: Any
    issued: list[Any] = field(default_factory=list)       # credentials the suite issued to this wallet
    server: CounterpartyServer | None = None
    _sessions: dict[str, _Live] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _url(self, path: str) -> str:
        assert self.server is not None
        return self.server.url(path)

    def open(self, session: Session) -> str:
        """Start a session: the openid4vp:// URL to hand the wallet."""

        name = session.name
        if session.hostile == "foreign-response-uri":
            # the client identifier names another origin than the response_uri the request gives
            client_id = REDIRECT_PREFIX + "https://verifier.invalid/v/response"
        else:
            client_id = DID_PREFIX + suite_key(VERIFIER_KEY).did
        live = _Live(session, "" if session.hostile == "no-nonce" else secrets.token_urlsafe(24),
                     secrets.token_urlsafe(16), client_id)
        with self._lock:
            self._sessions[name] = live
        if session.hostile == "foreign-response-uri":
            params = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in self.claims(live).items()}
            return SCHEME + "?" + urlencode(params)
        return SCHEME + "?" + urlencode({"client_id": client_id, "request_uri": self._url(f"/v/{name}/request")})

    def claims(self, live: _Live) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "client_id": live.client_id, "response_type": "vp_token",
            "response_mode": UNKNOWN_MODE if live.session.hostile == "unknown-response-mode" else "direct_post",
            "response_uri": self._url(f"/v/{live.session.name}/response"), "state": live.state,
            "dcql_query": dcql_query(),
            "client_metadata": {"vp_formats_supported": {"ldp_vc": {"proof_type_values": ["DataIntegrityProof"],
                                                                   "cryptosuite_values": ["eddsa-rdfc-2022"]}}},
        }
        if live.nonce:
            claims["nonce"] = live.nonce
        return claims

    def _live(self, call: Call) -> _Live | None:
        with self._lock:
            return self._sessions.get(call.params.get("session", ""))

    def _unknown(self, name: str) -> Answer:
        return Answer("unknown-session", name, 404, {"error": "invalid_request",
                                                     "error_description": "no such test session"})

    # --- handlers -----------------------------------------------------------------------------------------------

    def request_object(self, call: Call) -> Answer:

        live = self._live(call)
        if live is None:
            return self._unknown("request-object")
        claims = {**self.claims(live), "aud": "https://self-issued.me/v2"}
        key = suite_key(VERIFIER_KEY)
        signer = suite_key(WRONG_SIGNER_KEY) if live.session.hostile == "wrong-signer" else key
        jwt = sign_jws({"typ": REQUEST_TYP, "alg": "EdDSA", "kid": key.vm_id}, claims, signer.private_key)
        return Answer(live.session.name, "request-object", 200, text=jwt,
                      headers={"content-type": REQUEST_JWT, **NO_STORE},
                      observed={"signed_by": "another key" if signer is not key else "the client id's key"})

    def response(self, call: Call) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown("response")
        name = live.session.name
        with self._lock:
            live.answered += 1
            first = live.answered == 1
        observed = self.observe(live, call)
        observed["first"] = first
        status, body = (200, {}) if first else (400, {"error": "invalid_request",
                                                      "error_description": "this session is already answered"})
        return Answer(name, "response", status, body, headers=NO_STORE, observed=observed)

    # --- what the wallet sent -----------------------------------------------------------------------------------

    def observe(self, live: _Live, call: Call) -> dict[str, Any]:
        kind = call.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        form = call.form or {}
        observed: dict[str, Any] = {"media_type": kind, "members": sorted(form)[:16],
                                    "state": "absent" if "state" not in form
                                    else "echoed" if form["state"] == live.state else "other",
                                    "error": str(form.get("error", ""))[:120], "issued_count": len(self.issued)}
        if call.problem:
            observed["problem"] = call.problem
        raw = form.get("vp_token")
        if raw is None:
            observed["entries"] = "absent"
            return observed
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            observed["entries"] = "not JSON"
            return observed
        if not isinstance(value, dict):
            observed["entries"] = f"a JSON {type(value).__name__}, not an object"
            items = value if isinstance(value, list) else []
            observed["presentations"] = [self._presentation(live, "", i, vp) for i, vp in
                                         enumerate(items[:MAX_PRESENTATIONS])]
            return observed
        observed["entries"] = {str(k)[:80]: (len(v) if isinstance(v, list) else type(v).__name__)
                               for k, v in list(value.items())[:16]}
        presentations = []
        for key, items in list(value.items())[:16]:
            if isinstance(items, list):
                presentations += [self._presentation(live, str(key), i, vp)
                                  for i, vp in enumerate(items[:MAX_PRESENTATIONS])]
        observed["presentations"] = presentations[:MAX_PRESENTATIONS]
        return observed

    def _presentation(self, live: _Live, key: str, index: int, vp: Any) -> dict[str, Any]:

        fact: dict[str, Any] = {"entry": key, "index": index}
        if not isinstance(vp, dict):
            fact["shape"] = f"a JSON {type(vp).__name__}, not an ldp_vp object"
            return fact
        proof = vp.get("proof")
        proof = proof if isinstance(proof, dict) else {}
        method = proof.get("verificationMethod")
        signer = method.split("#", 1)[0] if isinstance(method, str) else None
        fact.update({"holder": vp.get("holder") if isinstance(vp.get("holder"), str) else None,
                     "signed": bool(proof), "signer": signer,
                     "challenge": "absent" if "challenge" not in proof
                     else "nonce" if live.nonce and proof["challenge"] == live.nonce else "other",
                     "domain": "absent" if "domain" not in proof
                     else "client_id" if proof["domain"] in (live.client_id, [live.client_id]) else "other"})
        if proof:
            # the signature alone: the proof's own challenge and domain, so rules on them stay separate
            challenge = proof.get("challenge") if isinstance(proof.get("challenge"), str) else None
            domain = proof.get("domain")
            domains = (domain,) if isinstance(domain, str) else tuple(domain) if isinstance(domain, list) else None
            # observe() around it too: with_options is the suite's code, and its exception is no verdict either
            fact["signature"] = observations.observe(lambda: observations.data_integrity(
                self.env.verifier.with_options(VerificationOptions(challenge=challenge, domain=domains)), vp,
                presentation=True)).to_json()
        listed = vp.get("verifiableCredential")
        listed = listed if isinstance(listed, list) else [listed] if listed is not None else []
        issued = {canonical(c) for c in self.issued}
        credentials = []
        for credential in listed[:MAX_PRESENTATIONS]:
            entry: dict[str, Any] = {"issued": canonical(credential) in issued}
            if isinstance(credential, dict):
                subject = credential.get("credentialSubject")
                entry["subject"] = subject.get("id") if isinstance(subject, dict) else None
                entry["types"] = [t for t in credential.get("type", []) if isinstance(t, str)][:8] \
                    if isinstance(credential.get("type"), list) else []
                entry["signature"] = observations.data_integrity(self.env.verifier, credential,
                                                                 presentation=False).to_json()
            credentials.append(entry)
        fact["credentials"] = credentials
        fact["credential_count"] = len(listed)
        return fact

    def routes(self) -> list[Route]:
        return [Route("/v/{session}/request", ("GET", "POST"), self.request_object),
                Route("/v/{session}/response", ("POST",), self.response)]

