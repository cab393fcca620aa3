"""The reference wallet as one program: its routes put the protocol clients together over one store, as a real
wallet would, so a credential received over OpenID4VCI or a VC API exchange is the one OpenID4VP presents and
GET /export hands out. Loopback only: a test fixture and the stand-in `serve-reference` runs. Each wallet entry
(conformance/reference/wallet.py, wallet_vcapi.py, wallet_oid4vp.py, wallet_portability.py) serves this app and
names the role it is tested as.

    POST /offer    {"url": "openid-credential-offer://?...", "tx_code": "..."} -> runs the whole flow against the
                   issuer the offer names and answers {"stored": true} or {"stored": false, "error": "why"}
                   (the driver convention of conformance/support/exchange/drivers.py); a VC API deep link
                   (holder/vcapi.py) runs the exchange the same way; {"url": "openid4vp://?..."} answers a
                   presentation request (holder/oid4vp.py: {"presented": ...})
    GET  /export   {"credentials": [...]}: what the wallet holds
    POST /import   {"credentials": [...]}: adds credentials as they are (no checks yet)

The export's one fault switch (WALLETPORT) lives here, beside the route it breaks.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.reference.holder.oid4vci import FAULTS as OID4VCI_FAULTS
from conformance.reference.holder.oid4vci import Oid4vciHolder
from conformance.reference.holder.oid4vp import FAULTS as OID4VP_FAULTS
from conformance.reference.holder.oid4vp import Oid4vpPresenter
from conformance.reference.holder.store import MAX_BODY_BYTES, RunningWallet, Store
from conformance.reference.holder.vcapi import FAULTS as VCAPI_FAULTS
from conformance.reference.holder.vcapi import VcapiHolder, is_vcapi_link
from conformance.support.serving import serve_in_thread

if TYPE_CHECKING:
    from conformance.run.environment import Environment

# switch -> the requirement it makes fail (and nothing else): the WALLETPORT entry's table
EXPORT_FAULTS: Mapping[str, str] = MappingProxyType({"exporter-rewrites": "WALLETPORT-round-trip"})


def rewritten(credential: Any) -> Any:
    """What the faulty exporter hands out instead of the credential it holds: a display name edited, the proof left
    as it was, as an exporter that "normalises" what it holds would."""
    if not isinstance(credential, dict):
        return credential
    altered = copy.deepcopy(credential)
    altered["name"] = f"{altered.get('name', '')} (exported)"
    return altered


def build_app(env: Environment, faults: frozenset[str] = frozenset()) -> Starlette:
    unknown = set(faults) - set(OID4VCI_FAULTS) - set(VCAPI_FAULTS) - set(OID4VP_FAULTS) - set(EXPORT_FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(OID4VCI_FAULTS)}")
    store = Store()
    vcapi = VcapiHolder(env, store, frozenset(faults))
    holder = Oid4vciHolder(env, store, frozenset(faults))
    presenter = Oid4vpPresenter(env, store, frozenset(faults))

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
        if is_vcapi_link(body["url"]):
            return JSONResponse(await run_in_threadpool(vcapi.receive, body["url"]))
        if body["url"].startswith("openid4vp://"):
            return JSONResponse(await run_in_threadpool(presenter.present, body["url"]))
        return JSONResponse(await run_in_threadpool(holder.receive, body["url"], tx if isinstance(tx, str) else None))

    async def export(request: Request) -> Response:
        held = store.export()
        if "exporter-rewrites" in faults:
            held = [rewritten(c) for c in held]
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


@contextmanager
def serve_wallet(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
                 host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 10.0,
                 role: str = "oid4vci-wallet") -> Iterator[RunningWallet]:
    """Serve the reference wallet on a loopback address in a background thread."""
    app = build_app(env, frozenset(faults))
    with serve_in_thread(app, name="the reference wallet", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningWallet(bound.url(), frozenset(faults), role)
