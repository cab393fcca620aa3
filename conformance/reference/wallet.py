"""A scriptable reference wallet (OpenID4VCI 1.0 pre-authorized code flow), conformant by default, with one fault
switch per OID4VCI-WALLET requirement. Loopback only: a test fixture and the stand-in `serve-reference` runs.

    POST /offer    {"url": "openid-credential-offer://?...", "tx_code": "..."} -> runs the whole flow against the
                   issuer the offer names and answers {"stored": true} or {"stored": false, "error": "why"}
                   (the driver convention of conformance/support/exchange/drivers.py); {"url": "openid4vp://?..."}
                   answers a presentation request (conformance/reference/wallet_oid4vp.py: {"presented": ...})
    GET  /export   {"credentials": [...]}: what the wallet holds
    POST /import   {"credentials": [...]}: adds credentials as they are (no checks yet)

Export and import exist for the wallet-portability tests a later module adds; nothing tests them yet.

The holder key is the suite's public test key "holder-ed25519" (kid: its did:key verification method). The
OpenID4VCI client logic is `Oid4vciHolder`, in one place, so OpenID4VP answering and VC API exchanges can be added to
the same wallet beside it (another route, another client class sharing `Store` and the holder key).
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.reference import calls
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

HOLDER_KEY = "holder-ed25519"
OTHER_KEY = "other-ed25519"
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
MAX_BODY_BYTES = 64 * 1024
MAX_HELD = 64          # credentials the wallet keeps; the oldest go first, so a long serve-reference stays small

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


class Refused(Exception):
    """The wallet stops the flow (what it answers the driver as `error`)."""


@dataclass
class Store:
    """What the wallet holds, oldest first. A wallet keeps what it was given, so a second run of the suite against
    one serve-reference finds the first run's credentials still here: every choice among them is the newest one
    (`newest_first`), so the second run presents what it was given itself and comes to the same findings."""

    credentials: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, credential: Any) -> None:
        with self.lock:
            self.credentials.append(credential)
            del self.credentials[:-MAX_HELD]

    def export(self) -> list[Any]:
        with self.lock:
            return list(self.credentials)

    def newest_first(self) -> list[Any]:
        with self.lock:
            return self.credentials[::-1]


def well_known(identifier: str, suffix: str) -> str:
    parts = urlsplit(identifier)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{suffix}{parts.path.rstrip('/')}"


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
        from conformance.support.securing.jose.sign import sign_jws
        from conformance.support.securing.keys.testkeys import suite_key

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
        from conformance.support.securing.keys.testkeys import suite_key

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
        from conformance.support.net import FetchPolicy, GuardedClient

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


def build_app(env: Environment, faults: frozenset[str] = frozenset()) -> Starlette:
    from conformance.reference import (
        wallet_oid4vp,  # OpenID4VP answering, likewise
        wallet_portability,  # an exporter that rewrites (WALLETPORT)
        wallet_vcapi,  # the VC API exchange client shares the store and the key
    )

    unknown = (set(faults) - set(FAULTS) - set(wallet_vcapi.FAULTS) - set(wallet_oid4vp.FAULTS)
               - set(wallet_portability.FAULTS))
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    store = Store()
    vcapi = wallet_vcapi.VcapiHolder(env, store, frozenset(faults))
    holder = Oid4vciHolder(env, store, frozenset(faults))
    presenter = wallet_oid4vp.Oid4vpPresenter(env, store, frozenset(faults))

    async def _body(request: Request) -> Any:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    async def offer(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            return JSONResponse({"stored": False, "error": "expected {\"url\": offer}"}, status_code=400)
        tx = body.get("tx_code")
        if wallet_vcapi.is_vcapi_link(body["url"]):
            return JSONResponse(await run_in_threadpool(vcapi.receive, body["url"]))
        if body["url"].startswith("openid4vp://"):
            return JSONResponse(await run_in_threadpool(presenter.present, body["url"]))
        return JSONResponse(await run_in_threadpool(holder.receive, body["url"], tx if isinstance(tx, str) else None))

    async def export(request: Request) -> Response:
        held = store.export()
        if "exporter-rewrites" in faults:
            held = [wallet_portability.rewritten(c) for c in held]
        return JSONResponse({"credentials": held})

    async def import_(request: Request) -> Response:
        body = await _body(request)
        items = body.get("credentials") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return JSONResponse({"error": "expected {\"credentials\": [...]}"}, status_code=400)
        for item in items:
            store.add(item)
        return JSONResponse({"imported": len(items)})

    return Starlette(routes=[Route("/offer", offer, methods=["POST"]), Route("/export", export, methods=["GET"]),
                             Route("/import", import_, methods=["POST"])])


@dataclass(frozen=True, slots=True)
class RunningWallet:
    base_url: str
    faults: frozenset[str]
    role: str = "oid4vci-wallet"             # the role its [[service]] entry tests (oid4vp-wallet: OpenID4VP)

    def service_toml(self) -> str:
        """The [[service]] entry: a wallet role driven through its /offer URL."""
        return (f'[[service]]\nrole = "{self.role}"\nendpoint = "{self.base_url}/offer"\n'
                f'driver = {{ url = "{self.base_url}/offer" }}\noptions = {{ timeout_s = 20 }}\n')

    def targets_toml(self) -> str:
        return '[implementation]\nname = "ler-conformance reference wallet"\n\n' + self.service_toml()


@contextmanager
def serve_wallet(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                 host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 10.0,
                 role: str = "oid4vci-wallet") -> Iterator[RunningWallet]:
    """Serve the reference wallet on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults))
    with serve_in_thread(app, name="the reference wallet", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningWallet(bound.url(), frozenset(faults), role)


serve = serve_wallet      # the name every reference module exposes (conformance/reference/__init__.py)
