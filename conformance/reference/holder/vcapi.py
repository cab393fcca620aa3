"""The reference wallet's VC API exchange client (as the DCC Learner Credential Wallet runs it), conformant by
default, with one fault switch per VCALM-WALLET requirement. It is one client of the shared reference wallet (same
holder key, same store, same `POST /offer` driver route, which hands links in a deep-link form, `is_vcapi_link`,
here), so a credential an exchange stores is one the OpenID4VP side can present; the entry that tests this side is
conformance/reference/wallet_vcapi.py.

    dccrequest://request?issuer=…&vc_request_url=…&challenge=…&auth_type=bearer
        sign a DID authentication presentation with the link's challenge, POST it to vc_request_url, take the
        credential(s) the answer carries
    dccrequest://request?request={"credentialRequestOrigin": …, "protocols": {"vcapi": URL}}
        the exchange loop: POST {} to the vcapi URL; while the answer is a verifiable presentation request, answer
        it (DIDAuthentication: a signed presentation; QueryByExample: the stored credentials that match the example
        as well) at the next hop (interact.service[0].serviceEndpoint, else the same URL); at most 10 round trips;
        an answer carrying credentials ends the loop and they are checked and stored
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from conformance.reference import calls
from conformance.reference.holder.store import HOLDER_KEY, Store
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document

if TYPE_CHECKING:
    from conformance.run.environment import Environment

LINK_PREFIXES = ("dccrequest://", "org.dcconsortium://", "https://lcw.app/request")
MAX_ROUND_TRIPS = 10
MAX_ANSWER_BYTES = 1024 * 1024

# switch -> the requirement it makes fail (and nothing else)
FAULTS: Mapping[str, str] = MappingProxyType({
    "vcapi-start-with-get": "VCALM-WALLET-starts-exchange",
    "vcapi-ignores-request-link": "VCALM-WALLET-request-link",
    "vcapi-ignores-interact": "VCALM-WALLET-follows-interact",
    "vcapi-wrong-challenge": "VCALM-WALLET-vp-challenge",
    "vcapi-no-domain": "VCALM-WALLET-vp-domain",
    "vcapi-bad-signature": "VCALM-WALLET-vp-verifies",
    "vcapi-no-holder": "VCALM-WALLET-vp-holder",
    "vcapi-refuses-every-credential": "VCALM-WALLET-accepts-credential",
    "vcapi-stores-tampered-credential": "VCALM-WALLET-refuses-tampered-credential",
    "vcapi-ignores-query": "VCALM-WALLET-query-by-example-answered",
    "vcapi-presents-everything": "VCALM-WALLET-only-requested-credentials",
})


def is_vcapi_link(url: str) -> bool:
    """Whether a URL handed to the wallet is one of the deep-link forms this client follows."""
    return isinstance(url, str) and url.startswith(LINK_PREFIXES)


class _Stop(Exception):
    """The wallet stops the exchange (what it answers the driver as `error`)."""


def _matches(example: Any, value: Any) -> bool:
    """Whether `value` has everything `example` names (lists: every example item is among the value's items)."""
    if isinstance(example, dict):
        return isinstance(value, dict) and all(k in value and _matches(v, value[k]) for k, v in example.items())
    if isinstance(example, list):
        items = value if isinstance(value, list) else [value]
        return all(any(_matches(e, item) for item in items) for e in example)
    return example == value or (isinstance(value, list) and example in value)   # "type": "X" matches ["...", "X"]


def matching(credentials: list[Any], query: Mapping[str, Any]) -> list[Any]:
    """The stored credentials a QueryByExample asks for (every credentialQuery's example)."""
    entries = query.get("credentialQuery")
    entries = entries if isinstance(entries, list) else [entries]
    chosen: list[Any] = []
    for entry in entries:
        example = entry.get("example") if isinstance(entry, dict) else None
        if isinstance(example, dict):
            chosen += [c for c in credentials if _matches(example, c) and c not in chosen]
    return chosen


class VcapiHolder:
    """The wallet's VC API exchange client (shares the store and holder key of the other clients)."""

    def __init__(self, env: Environment, store: Store, faults: frozenset[str]) -> None:
        self.env, self.store, self.on = env, store, faults.__contains__

    def _post(self, client: Any, url: str, body: Any) -> dict[str, Any]:
        return calls.json_object(client, "POST", url, refuse=_Stop, empty={}, body=body, max_bytes=MAX_ANSWER_BYTES)

    def _presentation(self, challenge: Any, domain: Any, credentials: list[Any]) -> dict[str, Any]:
        holder = suite_key(HOLDER_KEY)
        document: dict[str, Any] = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                    "type": ["VerifiablePresentation"]}
        if not self.on("vcapi-no-holder"):
            document["holder"] = holder.did
        if credentials:
            document["verifiableCredential"] = credentials
        step: dict[str, Any] = {"key": HOLDER_KEY, "issuer": False,
                                "challenge": (str(challenge) + "-other" if self.on("vcapi-wrong-challenge")
                                              else challenge) if isinstance(challenge, str) else None,
                                "domain": domain if isinstance(domain, str) and not self.on("vcapi-no-domain")
                                else None}
        try:
            signed: dict[str, Any] = sign_document(document, [step], self.env.verifier.canonicalizer)
        except Exception as exc:  # noqa: BLE001 - a presentation it cannot sign ends the exchange, reported
            raise _Stop(f"the wallet cannot sign its presentation ({type(exc).__name__})") from None
        if self.on("vcapi-bad-signature"):
            signed["id"] = "urn:uuid:7d1f0b52-3c4e-4a8f-9e2d-6b5a4c3d2e1f"      # added after signing
        return signed

    def _answer(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """A presentation for a verifiable presentation request (DIDAuthentication, QueryByExample)."""
        queries = request.get("query")
        queries = queries if isinstance(queries, list) else [queries]
        chosen: list[Any] = []
        for query in queries:
            if not isinstance(query, dict):
                continue
            if query.get("type") == "QueryByExample":
                if self.on("vcapi-ignores-query"):
                    continue
                held = self.store.export()
                picked = held if self.on("vcapi-presents-everything") else matching(held, query)
                chosen += [c for c in picked if c not in chosen]
            elif query.get("type") != "DIDAuthentication":
                raise _Stop(f"the request asks for {query.get('type')!r}, which this wallet does not support")
        return self._presentation(request.get("challenge"), request.get("domain"), chosen)

    def _received(self, answer: Mapping[str, Any]) -> list[Any]:
        """The credentials an exchange answer carries (a presentation of them, or a credential itself)."""
        presentation = answer.get("verifiablePresentation")
        if isinstance(presentation, dict):
            found = presentation.get("verifiableCredential")
            return found if isinstance(found, list) else [found] if found is not None else []
        kinds = answer.get("type")
        if isinstance(kinds, list) and "VerifiableCredential" in kinds:
            return [dict(answer)]
        return []

    def _keep(self, credentials: list[Any]) -> dict[str, Any]:
        if not credentials:
            raise _Stop("the exchange ends without a credential")
        for credential in credentials:
            if not isinstance(credential, dict):
                raise _Stop("a credential is not a JSON object")
            if not self.on("vcapi-stores-tampered-credential"):
                try:
                    verified = self.env.verifier.data_integrity(credential, presentation=False).verified
                except Exception:  # noqa: BLE001 - anything that stops verification means the wallet does not store
                    verified = False
                if not verified:
                    raise _Stop("the credential's proof does not verify")
        if self.on("vcapi-refuses-every-credential"):
            raise _Stop("this wallet refuses every credential")
        for credential in credentials:
            self.store.add(credential)
        return {"stored": True, "count": len(credentials)}

    def _loop(self, client: Any, url: str) -> dict[str, Any]:
        if self.on("vcapi-start-with-get"):
            try:
                client.send("GET", url, accept="application/json", max_bytes=MAX_ANSWER_BYTES)
            except Exception:  # noqa: BLE001, S110 - whatever the GET brings, the wallet goes on with the POST
                pass
        body: dict[str, Any] = {}
        for _ in range(MAX_ROUND_TRIPS):
            answer = self._post(client, url, body)
            request = answer.get("verifiablePresentationRequest")
            if not isinstance(request, dict):
                return self._keep(self._received(answer))
            services = (request.get("interact") or {}).get("service") if isinstance(request.get("interact"), dict) \
                else None
            hop = services[0].get("serviceEndpoint") if isinstance(services, list) and services \
                and isinstance(services[0], dict) else None
            if isinstance(hop, str) and hop and not self.on("vcapi-ignores-interact"):
                url = hop
            body = {"verifiablePresentation": self._answer(request)}
        raise _Stop(f"the exchange does not end within {MAX_ROUND_TRIPS} round trips")

    def receive(self, link: str) -> dict[str, Any]:
        """Follow a deep link to its end; the driver report {"stored": ...}."""
        try:
            query = {k: v[0] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}
            with GuardedClient(FetchPolicy(allow_private=True)) as client:
                if "request" in query:
                    request = json.loads(query["request"])
                    vcapi = (request.get("protocols") or {}).get("vcapi") if isinstance(request, dict) else None
                    if not isinstance(vcapi, str):
                        raise _Stop("the link offers no vcapi protocol")
                    return self._loop(client, vcapi)
                if "vc_request_url" in query:
                    if self.on("vcapi-ignores-request-link"):
                        raise _Stop("links with vc_request_url are not supported")
                    if query.get("auth_type", "bearer") != "bearer":
                        raise _Stop(f"unsupported auth_type {query.get('auth_type')!r}")
                    presentation = self._presentation(query.get("challenge"), None, [])
                    return self._keep(self._received(self._post(client, query["vc_request_url"], presentation)))
                raise _Stop("the link carries neither request nor vc_request_url")
        except _Stop as exc:
            return {"stored": False, "error": str(exc)}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return {"stored": False, "error": f"the exchange breaks off: {type(exc).__name__}"}
