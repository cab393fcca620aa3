"""The reference wallet's OpenID4VP 1.0 side, conformant by default, with one fault switch per OID4VP-WALLET
requirement. It presents from the same store and with the same holder key as the wallet's receiving clients, so the
suite can issue a credential to the wallet and then ask for it back; the wallet's POST /offer hands openid4vp:// URLs
to `Oid4vpPresenter`, and the entry that tests this side is conformance/reference/wallet_oid4vp.py.

What the presenter does with `openid4vp://?...`:
    request_uri -> GET the request object (a JWS) and check it against the client identifier: a
    decentralized_identifier: client must sign with a key of its DID (did:key, did:jwk); a redirect_uri: client's
    response_uri must be the client identifier's URL; a nonce must be there; response_mode must be direct_post.
    Then pick the stored credential the DCQL query asks for (ldp_vc, type values), wrap it in a presentation the
    holder key signs (eddsa-rdfc-2022, challenge = nonce, domain = client_id) and POST vp_token = {query id: [vp]}
    and state to the response_uri. A request it refuses gets no answer at the response_uri.
The driver report is {"presented": true} or {"presented": false, "error": "why"}.
"""
from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conformance.reference.holder.store import HOLDER_KEY, Refused, Store
from conformance.support.net import FetchError, FetchPolicy, GuardedClient
from conformance.support.securing.keys.did import resolve_did_jwk, resolve_did_key
from conformance.support.securing.keys.jwk import public_key_from_jwk
from conformance.support.securing.keys.multikey import public_key_from_multikey
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import sign as sign_proof
from conformance.support.securing.signing import DEFAULT_CREATED

if TYPE_CHECKING:
    from conformance.run.environment import Environment

SIGNING_OTHER_KEY = "status-ed25519"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"

DID_PREFIX = "decentralized_identifier:"        # OpenID4VP 1.0 §5.9.3 client identifier prefix

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "request-uri-post": "OID4VP-WALLET-request-object-fetched",
    "vp-token-as-array": "OID4VP-WALLET-response-vp-token",
    "wrong-challenge": "OID4VP-WALLET-presentation-challenge",
    "wrong-domain": "OID4VP-WALLET-presentation-domain",
    "signs-with-other-key": "OID4VP-WALLET-holder-binding",
    "alters-credential": "OID4VP-WALLET-credential-unchanged",
    "adds-unasked-entry": "OID4VP-WALLET-only-requested",
    "drops-state": "OID4VP-WALLET-state-echoed",
    "accepts-any-signer": "OID4VP-WALLET-refuses-wrong-signer",
    "accepts-foreign-response-uri": "OID4VP-WALLET-refuses-foreign-response-uri",
    "accepts-missing-nonce": "OID4VP-WALLET-refuses-missing-nonce",
    "accepts-unknown-response-mode": "OID4VP-WALLET-refuses-unsupported-response-mode",
})


def _matches(query: Mapping[str, Any], credential: Any) -> bool:
    """Whether a stored credential answers one DCQL credential query (ldp_vc; type_values as expanded IRIs or
    the short names the OB 3.0 context defines)."""
    if not isinstance(credential, dict) or query.get("format") not in (None, "ldp_vc"):
        return False
    types = credential.get("type")
    have = set(types) if isinstance(types, list) else {types}
    short = {VC_TYPE: "VerifiableCredential", OB_TYPE: "OpenBadgeCredential"}
    wanted = (query.get("meta") or {}).get("type_values") or [[]]
    return any(all(t in have or short.get(t) in have for t in group) for group in wanted if isinstance(group, list))


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _jwt(text: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes] | None:
    """(header, claims, signing input, signature) of a compact JWS, or None when it is not one."""
    parts = text.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims, signature = json.loads(_b64(parts[0])), json.loads(_b64(parts[1])), _b64(parts[2])
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def _not_signed_by_client(header: Mapping[str, Any], signing_input: bytes, signature: bytes, client_id: str) -> str:
    """Why the request object is not signed by a key of the decentralized_identifier: client's DID ("" when it is).

    The wallet's own reading of OpenID4VP 1.0 §5.9.3, not the suite's: any other client identifier prefix (a
    redirect_uri: client may not sign) and any unsigned object are refused; it verifies EdDSA (Ed25519) signatures
    of did:key and did:jwk keys, which is all it needs to be a wallet for the suite's verifier."""
    if not client_id.startswith(DID_PREFIX):
        return f"the client identifier {client_id[:80]!r} has no {DID_PREFIX} prefix, so it may not sign requests"
    if header.get("alg") not in ("EdDSA", "Ed25519"):
        return f"the alg is {str(header.get('alg'))[:40]!r}; this wallet verifies EdDSA request objects only"
    did, kid = client_id[len(DID_PREFIX):], header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did or "#" not in kid:
        return f"the kid {str(kid)[:120]!r} is not a verification method of {did[:120]}"
    try:
        document = resolve_did_key(did) if did.startswith("did:key:") else \
            resolve_did_jwk(did) if did.startswith("did:jwk:") else None
        if document is None:
            return f"{did[:120]} is neither a did:key nor a did:jwk, which is all this wallet resolves"
        method = next((m for m in document.get("verificationMethod", [])
                       if m.get("id") in (kid, kid[len(did):])), None)
        if method is None:
            return f"{did[:120]} has no verification method {kid[:120]}"
        key = public_key_from_multikey(method["publicKeyMultibase"]) if "publicKeyMultibase" in method \
            else public_key_from_jwk(method.get("publicKeyJwk"))
        if not isinstance(key, Ed25519PublicKey):
            return f"{kid[:120]} is not an Ed25519 key"
        key.verify(signature, signing_input)
    except InvalidSignature:
        return f"the signature does not verify with {kid[:120]}"
    except Exception as exc:  # noqa: BLE001 - a key the wallet cannot read is a reason to refuse, never to accept
        return f"{kid[:120]} cannot be read ({type(exc).__name__})"
    return ""


class Oid4vpPresenter:
    """The wallet's OpenID4VP client: request -> checks -> presentation -> direct_post."""

    def __init__(self, env: Environment, store: Store, faults: frozenset[str]) -> None:
        self.env, self.store, self.on = env, store, faults.__contains__

    def _request(self, client: Any, params: Mapping[str, str]) -> tuple[dict[str, Any], str]:
        """(the request's parameters, how it was secured: "signed" / "by-value")."""
        uri = params.get("request_uri")
        if not uri:
            values: dict[str, Any] = dict(params)
            if isinstance(values.get("dcql_query"), str):
                values["dcql_query"] = json.loads(values["dcql_query"])
            return values, "by-value"
        method = "POST" if self.on("request-uri-post") or params.get("request_uri_method") == "post" else "GET"
        try:
            answer = client.send(method, uri, content=b"",
                                 content_type="application/x-www-form-urlencoded" if method == "POST" else None,
                                 accept="application/oauth-authz-req+jwt", max_bytes=256 * 1024)
        except FetchError as exc:
            raise Refused(f"the request_uri cannot be fetched: {exc.reason.value}") from None
        if answer.status != 200:
            raise Refused(f"the request_uri answers HTTP {answer.status}")
        decoded = _jwt(answer.body.decode("utf-8", "replace"))
        if decoded is None:
            raise Refused("the request object is not a JWT")
        header, claims, signing_input, signature = decoded
        why = _not_signed_by_client(header, signing_input, signature, str(params.get("client_id") or ""))
        if why and not self.on("accepts-any-signer"):
            raise Refused(f"the request object is not secured as its client identifier demands: {why}")
        if claims.get("client_id") != params.get("client_id"):
            raise Refused("the request object names another client_id than the URL")
        return claims, "signed"

    def _presentation(self, credential: Any, nonce: str | None, client_id: str) -> dict[str, Any]:
        signer = suite_key(SIGNING_OTHER_KEY if self.on("signs-with-other-key") else HOLDER_KEY)
        if self.on("alters-credential"):
            credential = copy.deepcopy(credential)
            credential["name"] = str(credential.get("name", "")) + " (edited by the wallet)"
        document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                    "holder": signer.did, "verifiableCredential": [credential]}
        return sign_proof(document, signer.private_key, cryptosuite="eddsa-rdfc-2022", verification_method=signer.vm_id,
                          purpose="authentication", created=DEFAULT_CREATED,
                          canonicalizer=self.env.verifier.canonicalizer,
                          challenge="not-the-nonce" if self.on("wrong-challenge") else nonce,
                          domain="did:example:not-the-client" if self.on("wrong-domain") else client_id)

    def present(self, url: str) -> dict[str, Any]:
        try:
            with GuardedClient(FetchPolicy(allow_private=True)) as client:
                params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
                request, _ = self._request(client, params)
                client_id = str(request.get("client_id") or params.get("client_id") or "")
                response_uri = request.get("response_uri")
                if not isinstance(response_uri, str) or not response_uri.startswith(("http://", "https://")):
                    raise Refused("the request names no response_uri")
                if client_id.startswith("redirect_uri:") and client_id[len("redirect_uri:"):] != response_uri \
                        and not self.on("accepts-foreign-response-uri"):
                    raise Refused("the response_uri is not the redirect_uri: client identifier's URL")
                nonce = request.get("nonce")
                if not isinstance(nonce, str) or not nonce:
                    if not self.on("accepts-missing-nonce"):
                        raise Refused("the request carries no nonce")
                    nonce = None
                if request.get("response_mode") != "direct_post" and not self.on("accepts-unknown-response-mode"):
                    raise Refused(f"response_mode {request.get('response_mode')!r} is not supported")
                dcql = request.get("dcql_query")
                queries = dcql.get("credentials") if isinstance(dcql, dict) else None
                if not isinstance(queries, list) or not queries or not isinstance(queries[0], dict):
                    raise Refused("the request carries no DCQL credential query")
                query = queries[0]
                found = next((c for c in self.store.newest_first() if _matches(query, c)), None)
                if found is None:
                    raise Refused("the wallet holds no credential the query asks for")
                vp = self._presentation(found, nonce, client_id)
                token: Any = [vp] if self.on("vp-token-as-array") else {str(query.get("id")): [vp]}
                if self.on("adds-unasked-entry"):
                    token["everything_else"] = [vp]
                form = {"vp_token": json.dumps(token)}
                if isinstance(request.get("state"), str) and not self.on("drops-state"):
                    form["state"] = request["state"]
                answer = client.send("POST", response_uri, content=urlencode(form).encode(),
                                     content_type="application/x-www-form-urlencoded", accept="application/json",
                                     max_bytes=64 * 1024)
                if not 200 <= answer.status < 300:
                    return {"presented": False, "error": f"the verifier answers HTTP {answer.status}"}
                return {"presented": True}
        except Refused as exc:
            return {"presented": False, "error": str(exc)}
        except FetchError as exc:
            return {"presented": False, "error": f"the response_uri cannot be reached: {exc.reason.value}"}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return {"presented": False, "error": f"the flow breaks off: {type(exc).__name__}"}
