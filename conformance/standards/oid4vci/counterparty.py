"""The suite as an OpenID4VCI 1.0 credential issuer, for testing wallets (pre-authorized code flow).

Each test session has its own credential issuer identifier, `{base}/s/{session}`, so a wallet cannot carry what
it learnt from one session into the next:

    GET  /.well-known/openid-credential-issuer/s/{session}      issuer metadata (path inserted after the host;
    GET  /s/{session}/.well-known/openid-credential-issuer      also served appended, and recorded as such)
    GET  /.well-known/oauth-authorization-server/s/{session}    authorization server metadata (likewise)
    GET  /s/{session}/offer                                     the credential offer (for credential_offer_uri)
    POST /s/{session}/token                                     pre-authorized code grant (tx_code when asked)
    POST /s/{session}/nonce                                     {c_nonce}
    POST /s/{session}/credential                                an Open Badges 3.0 ldp_vc (eddsa-rdfc-2022, the
                                                                suite's issuer test key) bound to the proven key

The issuer is lenient on purpose: it answers every request it can, so one defect of the wallet does not hide the
next; the rules (conformance/standards/oid4vci/wallet.py) judge what the wallet sent. What it observed that the
redacted record cannot show (the proof's decoded header and claims, whether its signature verifies, the time the
request came) goes into the step's `request.observed`.

Hostile sessions: `issuer-mismatch` serves metadata naming another credential issuer than the offer;
`unbound-credential` answers with a credential bound to another key; `tampered-credential` answers with a
credential whose proof no longer verifies. A conformant wallet stops at the first, and stores neither of the
others.
"""
from __future__ import annotations

import copy
import json
import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from conformance.core.transcript import Observation, undecided
from conformance.support.exchange import observations
from conformance.support.exchange.server import Answer, Call, CounterpartyServer, Route
from conformance.support.formats.errors import PayloadError
from conformance.support.formats.jws import decode_compact_jws
from conformance.support.securing.keys.did import did_jwk_from_jwk, resolve_did_jwk, resolve_did_key
from conformance.support.securing.keys.jwk import public_key_from_jwk
from conformance.support.securing.keys.multikey import public_key_from_multikey
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from conformance.support.templates import document_from_template

ISSUER_KEY = "issuer-ed25519"
OTHER_KEY = "other-ed25519"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
OFFER_SCHEME = "openid-credential-offer://"
UNBOUND_SUBJECT = "did:example:no-key-proven"
NO_STORE = {"cache-control": "no-store"}


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    by_reference: bool = False
    tx_code: bool = False
    hostile: str = ""                   # "", "issuer-mismatch", "unbound-credential", "tampered-credential"


SESSIONS = (Session("plain"), Session("by-reference", by_reference=True, tx_code=True),
            Session("issuer-mismatch", hostile="issuer-mismatch"),
            Session("unbound-credential", hostile="unbound-credential"),
            Session("tampered-credential", hostile="tampered-credential"))


def secret_label(kind: str, session: str) -> str:
    """How a secret the suite issued in `session` reads in the transcript (kind: pre-authorized-code, tx-code,
    access-token)."""
    return f"[redacted {kind}/{session}]"


def tx_code_noted(session: str, tx_code: str | None) -> dict[str, str]:
    """What a driver step notes of the transaction code handed to the wallet: that there was one, never its value."""
    return {} if tx_code is None else {"tx_code": secret_label("tx-code", session)}


@dataclass
class _Live:
    session: Session
    code: str
    tx_code: str | None
    tokens: set[str] = field(default_factory=set)


TEMPLATE: dict[str, Any] = document_from_template("ob30-credential", "wallet-issuance")
OB30_CONTEXTS: list[str] = list(TEMPLATE["@context"])


def _holder(header: Mapping[str, Any]) -> tuple[str | None, Any, Observation | None]:
    """(holder DID, public key, None) from a proof header (kid as a did:key / did:jwk URL, or jwk), or (None, None,
    why the signature cannot be checked) when the suite cannot get the key."""

    try:
        kid, jwk = header.get("kid"), header.get("jwk")
        if isinstance(kid, str) and kid.startswith(("did:key:", "did:jwk:")):
            did = kid.split("#", 1)[0]
            document = resolve_did_key(did) if did.startswith("did:key:") else resolve_did_jwk(did)
            methods = document.get("verificationMethod", [])
            method = next((m for m in methods if m.get("id") == kid or m.get("id") == did + kid), None)
            if method is None and "#" not in kid and methods:
                method = methods[0]
            if method is None:
                return None, None, undecided("the kid names no verification method of its DID")
            if "publicKeyMultibase" in method:
                return did, public_key_from_multikey(method["publicKeyMultibase"]), None
            return did, public_key_from_jwk(method.get("publicKeyJwk")), None
        if isinstance(jwk, Mapping):
            public = {k: v for k, v in jwk.items() if k != "d"}
            return did_jwk_from_jwk(public), public_key_from_jwk(public), None
        return None, None, undecided("the header names no key the suite can resolve (kid as did:key/did:jwk, or jwk)",
                                     unsupported=_key_naming(header))
    except Exception as exc:  # noqa: BLE001 - key material the suite cannot read: noted, never a verdict
        return None, None, undecided(f"the proof's key cannot be read ({type(exc).__name__})")


def _key_naming(header: Mapping[str, Any]) -> str:
    """How a proof header names a key the suite cannot resolve, as the suite's missing feature."""
    kid = header.get("kid")
    if isinstance(kid, str) and kid.startswith("did:"):
        return observations.did_method(kid)
    if "x5c" in header:
        return "keys named by an x5c certificate chain"
    if isinstance(kid, str):
        return "a kid that is not a DID URL"
    return ""


def _observe_proof(text: Any) -> dict[str, Any]:
    """The decoded proof JWT and whether its signature verifies with the key it names (an observation: the suite
    that cannot get the key, or cannot verify the algorithm, says so rather than "does not verify")."""

    if not isinstance(text, str):
        return {"decoded": False, "note": "the proof is not a string"}
    try:
        jws = decode_compact_jws(text)
    except PayloadError as exc:
        return {"decoded": False, "note": f"the proof is not a compact JWS: {exc}"}
    header = dict(jws.header)
    if isinstance(jws.header.get("jwk"), dict) and "d" in jws.header["jwk"]:
        header["jwk"] = {k: ("[redacted]" if k == "d" else v) for k, v in jws.header["jwk"].items()}
    holder, key, unresolved = _holder(jws.header)
    signature = unresolved if unresolved is not None else observations.jws(jws, key)
    return {"decoded": True, "header": header, "claims": dict(jws.payload), "signature": signature.to_json(),
            "holder": holder}


def proof_jwts(body: Any) -> list[Any]:
    """The JWT key proofs of a credential request (proofs.jwt, or a single proof {proof_type: jwt, jwt})."""
    if not isinstance(body, dict):
        return []
    proofs = body.get("proofs")
    if isinstance(proofs, dict) and isinstance(proofs.get("jwt"), list):
        return list(proofs["jwt"])[:8]
    proof = body.get("proof")
    if isinstance(proof, dict) and "jwt" in proof:
        return [proof["jwt"]]
    return []


class WalletTestIssuer:
    """The sessions and routes of the suite's credential issuer; bind to a server with `attach`."""

    def __init__(self, canonicalizer: Any) -> None:
        self._canonicalizer = canonicalizer
        self._sessions: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self.server: CounterpartyServer | None = None

    def identifier(self, session: str) -> str:
        assert self.server is not None
        return self.server.url(f"/s/{session}")

    def open(self, session: Session) -> tuple[str, str | None]:
        """Start a session: (the offer URL to hand the wallet, the transaction code a person would be told)."""
        assert self.server is not None
        code = self.server.secret(secrets.token_urlsafe(24), f"pre-authorized-code/{session.name}")
        tx_code = self.server.secret(f"{secrets.randbelow(10**8):08d}", f"tx-code/{session.name}") \
            if session.tx_code else None
        with self._lock:
            self._sessions[session.name] = _Live(session, code, tx_code)
        if session.by_reference:
            return f"{OFFER_SCHEME}?credential_offer_uri={quote(self.identifier(session.name) + '/offer', safe='')}", \
                tx_code
        text = json.dumps(self._offer(session.name), separators=(",", ":"))
        return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}", tx_code

    def _offer(self, name: str) -> dict[str, Any]:
        live = self._sessions[name]
        grant: dict[str, Any] = {"pre-authorized_code": live.code}
        if live.tx_code is not None:
            grant["tx_code"] = {"length": len(live.tx_code), "input_mode": "numeric",
                                "description": "The code the suite shows beside the offer"}
        return {"credential_issuer": self.identifier(name), "credential_configuration_ids": [CONFIGURATION_ID],
                "grants": {PRE_AUTH_GRANT: grant}}

    def _live(self, call: Call) -> _Live | None:
        with self._lock:
            return self._sessions.get(call.params.get("session", ""))

    # --- handlers -----------------------------------------------------------------------------------------------

    def _unknown(self, call: Call, name: str) -> Answer:
        return Answer("unknown-session", name, 404, {"error": "invalid_request",
                                                     "error_description": "no such test session"})

    def issuer_metadata(self, call: Call, form: str) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown(call, "issuer-metadata")
        name = live.session.name
        identifier = self.identifier(name)
        shown = identifier + "-elsewhere" if live.session.hostile == "issuer-mismatch" else identifier
        body = {
            "credential_issuer": shown,
            "credential_endpoint": identifier + "/credential",
            "nonce_endpoint": identifier + "/nonce",
            "display": [{"name": "ler-conformance wallet test issuer", "locale": "en"}],
            "credential_configurations_supported": {CONFIGURATION_ID: {
                "format": "ldp_vc", "scope": "OpenBadgeCredential",
                "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}},
                "credential_definition": {"@context": OB30_CONTEXTS,
                                          "type": ["VerifiableCredential", "OpenBadgeCredential"]}}},
        }
        return Answer(name, "issuer-metadata", 200, body, observed={"form": form})

    def as_metadata(self, call: Call, form: str) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown(call, "as-metadata")
        identifier = self.identifier(live.session.name)
        return Answer(live.session.name, "as-metadata", 200,
                      {"issuer": identifier, "token_endpoint": identifier + "/token",
                       "grant_types_supported": [PRE_AUTH_GRANT],
                       "pre-authorized_grant_anonymous_access_supported": True}, observed={"form": form})

    def offer(self, call: Call) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown(call, "offer")
        return Answer(live.session.name, "offer", 200, self._offer(live.session.name))

    def token(self, call: Call) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown(call, "token")
        name = live.session.name
        assert self.server is not None
        access = self.server.secret(secrets.token_urlsafe(32), f"access-token/{name}")
        with self._lock:
            live.tokens.add(access)
        return Answer(name, "token", 200, {"access_token": access, "token_type": "Bearer", "expires_in": 600},
                      headers=NO_STORE, observed={"received_at": int(call.received_at)})

    def nonce(self, call: Call) -> Answer:
        live = self._live(call)
        if live is None:
            return self._unknown(call, "nonce")
        return Answer(live.session.name, "nonce", 200, {"c_nonce": secrets.token_urlsafe(16)}, headers=NO_STORE)

    def credential(self, call: Call) -> Answer:

        live = self._live(call)
        if live is None:
            return self._unknown(call, "credential")
        name = live.session.name
        proofs = [_observe_proof(p) for p in proof_jwts(call.json)]
        observed: dict[str, Any] = {"received_at": int(call.received_at), "credential_issuer": self.identifier(name),
                                    "proofs": proofs}
        holder = next((p["holder"] for p in proofs if p.get("holder")), None)
        document = copy.deepcopy(TEMPLATE)
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["issuer"]["id"] = suite_key(ISSUER_KEY).did
        document["credentialSubject"]["id"] = suite_key(OTHER_KEY).did \
            if live.session.hostile == "unbound-credential" else holder or UNBOUND_SUBJECT
        signed = sign_document(document, [{"key": ISSUER_KEY}], self._canonicalizer)
        if live.session.hostile == "tampered-credential":
            signed["name"] = "ler-conformance wallet test badge (altered after signing)"
        return Answer(name, "credential", 200, {"credentials": [{"credential": signed}]}, headers=NO_STORE,
                      observed=observed)

    def routes(self) -> list[Route]:
        return [
            Route("/.well-known/openid-credential-issuer/s/{session}", ("GET",),
                  lambda c: self.issuer_metadata(c, "inserted")),
            Route("/s/{session}/.well-known/openid-credential-issuer", ("GET",),
                  lambda c: self.issuer_metadata(c, "appended")),
            Route("/.well-known/oauth-authorization-server/s/{session}", ("GET",),
                  lambda c: self.as_metadata(c, "inserted")),
            Route("/s/{session}/.well-known/oauth-authorization-server", ("GET",),
                  lambda c: self.as_metadata(c, "appended")),
            Route("/s/{session}/offer", ("GET",), self.offer),
            Route("/s/{session}/token", ("POST",), self.token),
            Route("/s/{session}/nonce", ("POST",), self.nonce),
            Route("/s/{session}/credential", ("POST",), self.credential),
        ]
