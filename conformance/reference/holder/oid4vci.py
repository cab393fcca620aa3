"""The reference wallet's OpenID4VCI 1.0 client (pre-authorized code flow), conformant by default, with one fault
switch per OID4VCI-WALLET requirement. It is one client beside the others (VC API exchanges, OpenID4VP) over the
wallet's shared store and holder key (conformance/reference/holder/store.py), so what it stores is what they present
and export; the entry that tests this side is conformance/reference/wallet.py.

What it does with an offer: offer (by value or by reference) -> issuer metadata -> authorization server metadata ->
token (pre-authorized code, tx_code when asked) -> nonce -> credential request with a proof JWT the holder key signs
-> checks (bound to the holder key, proof verifies) -> store. The driver report is {"stored": true} or
{"stored": false, "error": "why"} (the convention of conformance/support/exchange/drivers.py).
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from conformance.reference import calls
from conformance.reference.holder.store import HOLDER_KEY, OTHER_KEY, Refused, Store, well_known
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.securing.jose.sign import sign_jws
from conformance.support.securing.keys.testkeys import suite_key

if TYPE_CHECKING:
    from conformance.run.environment import Environment

PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "metadata-appended": "OID4VCI-WALLET-metadata-fetched",
    "ignores-offer-uri": "OID4VCI-WALLET-offer-by-reference",
    "token-as-json": "OID4VCI-WALLET-token-pre-authorized",
    "ignores-tx-code": "OID4VCI-WALLET-token-tx-code",
    "invented-nonce": "OID4VCI-WALLET-proof-nonce",
    "wrong-typ": "OID4VCI-WALLET-proof-typ",
    "wrong-aud": "OID4VCI-WALLET-proof-aud",
    "no-iat": "OID4VCI-WALLET-proof-iat",
    "kid-and-jwk": "OID4VCI-WALLET-proof-key",
    "bad-signature": "OID4VCI-WALLET-proof-signature",
    "unknown-configuration": "OID4VCI-WALLET-credential-configuration",
    "no-access-token": "OID4VCI-WALLET-access-token",
    "accepts-issuer-mismatch": "OID4VCI-WALLET-refuses-issuer-mismatch",
    "stores-unbound-credential": "OID4VCI-WALLET-refuses-unbound-credential",
    "stores-tampered-credential": "OID4VCI-WALLET-refuses-tampered-credential",
    "refuses-every-credential": "OID4VCI-WALLET-accepts-valid-credential",
})


class Oid4vciHolder:
    """The wallet's OpenID4VCI client: offer -> metadata -> token -> nonce -> credential -> checks -> store."""

    def __init__(self, env: Environment, store: Store, faults: frozenset[str]) -> None:
        self.env, self.store, self.on = env, store, faults.__contains__

    def _json(self, client: Any, method: str, url: str, *, body: Any = None, form: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None) -> Any:
        return calls.json_object(client, method, url, refuse=Refused, body=body, form=form, headers=headers)

    def _offer(self, client: Any, url: str) -> dict[str, Any]:
        query = parse_qs(urlsplit(url).query)
        if "credential_offer" in query:
            offer = json.loads(query["credential_offer"][0])
        elif "credential_offer_uri" in query:
            if self.on("ignores-offer-uri"):
                raise Refused("offers by reference are not supported")
            offer = self._json(client, "GET", query["credential_offer_uri"][0])
        else:
            raise Refused("the URL carries no credential offer")
        if not isinstance(offer, dict) or not isinstance(offer.get("credential_issuer"), str):
            raise Refused("the offer names no credential issuer")
        return offer

    def _proof(self, issuer: str, nonce: str | None) -> str:
        holder = suite_key(HOLDER_KEY)
        header: dict[str, Any] = {"typ": "JWT" if self.on("wrong-typ") else PROOF_TYP, "alg": "EdDSA",
                                  "kid": holder.vm_id}
        if self.on("kid-and-jwk"):
            header["jwk"] = holder.jwk
        claims: dict[str, Any] = {"aud": issuer + "/other" if self.on("wrong-aud") else issuer}
        if not self.on("no-iat"):
            claims["iat"] = int(time.time())
        if nonce is not None:
            claims["nonce"] = nonce
        return sign_jws(header, claims, suite_key(OTHER_KEY if self.on("bad-signature") else HOLDER_KEY).private_key)

    def _acceptable(self, credential: Any) -> None:
        if not isinstance(credential, dict):
            raise Refused("the credential is not an ldp_vc JSON object")
        subject = credential.get("credentialSubject")
        bound = isinstance(subject, dict) and subject.get("id") == suite_key(HOLDER_KEY).did
        if not bound and not self.on("stores-unbound-credential"):
            raise Refused("the credential is not bound to the key this wallet proved")
        if not self.on("stores-tampered-credential"):
            try:
                verified = self.env.verifier.data_integrity(credential, presentation=False).verified
            except Exception:  # noqa: BLE001 - anything that stops verification means the wallet does not store
                verified = False
            if not verified:
                raise Refused("the credential's proof does not verify")

    def receive(self, url: str, tx_code: str | None) -> dict[str, Any]:
        try:
            with GuardedClient(FetchPolicy(allow_private=True)) as client:
                offer = self._offer(client, url)
                issuer = offer["credential_issuer"]
                if self.on("metadata-appended"):     # the well-known segment after the issuer's path: wrong
                    metadata = self._json(client, "GET", issuer + "/.well-known/openid-credential-issuer")
                else:
                    metadata = self._json(client, "GET", well_known(issuer, "openid-credential-issuer"))
                if metadata.get("credential_issuer") != issuer and not self.on("accepts-issuer-mismatch"):
                    raise Refused("the metadata names another credential issuer than the offer")
                servers = metadata.get("authorization_servers")
                server = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], str) \
                    else issuer
                token_endpoint = self._json(client, "GET", well_known(server, "oauth-authorization-server")
                                            ).get("token_endpoint")
                grant = (offer.get("grants") or {}).get(PRE_AUTH_GRANT) or {}
                form = {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": str(grant.get("pre-authorized_code"))}
                if "tx_code" in grant and not self.on("ignores-tx-code"):
                    if tx_code is None:
                        raise Refused("the offer asks for a transaction code and none was given")
                    form["tx_code"] = tx_code
                token = self._json(client, "POST", str(token_endpoint), body=form) if self.on("token-as-json") \
                    else self._json(client, "POST", str(token_endpoint), form=form)
                access = token.get("access_token")
                nonce = None
                if isinstance(metadata.get("nonce_endpoint"), str):
                    nonce = self._json(client, "POST", metadata["nonce_endpoint"]).get("c_nonce")
                    if self.on("invented-nonce"):
                        nonce = "a-nonce-the-issuer-never-gave"
                ids = offer.get("credential_configuration_ids") or [None]
                request = {"credential_configuration_id": "NoSuchConfiguration" if self.on("unknown-configuration")
                           else ids[0], "proofs": {"jwt": [self._proof(issuer, nonce)]}}
                headers = {} if self.on("no-access-token") else {"authorization": f"Bearer {access}"}
                answer = self._json(client, "POST", str(metadata.get("credential_endpoint")), body=request,
                                    headers=headers)
                entries = answer.get("credentials")
                credential = entries[0].get("credential") if isinstance(entries, list) and entries \
                    and isinstance(entries[0], dict) else None
                self._acceptable(credential)
                if self.on("refuses-every-credential"):
                    raise Refused("this wallet refuses every credential")
                self.store.add(credential)
                return {"stored": True}
        except Refused as exc:
            return {"stored": False, "error": str(exc)}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return {"stored": False, "error": f"the flow breaks off: {type(exc).__name__}"}
