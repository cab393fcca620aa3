"""A hostile VC API stand-in for the client's bounds: every route misbehaves in one way (loopback only)."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from conformance.support.serving import serve_in_thread

SLOW_S = 3.0                       # longer than the tests' read timeout; the server gives up by itself later


async def _endless() -> AsyncIterator[bytes]:
    chunk = b'{"verifiableCredential": "' + b"x" * 65536
    for _ in range(64):            # bounded: 4 MiB at most, far past the tests' cap
        yield chunk


async def misbehave(request: Request) -> Response:
    mode = request.path_params["mode"]
    body = await request.body()
    if mode == "slow":
        await asyncio.sleep(SLOW_S)
        return JSONResponse({}, status_code=201)
    if mode == "huge":
        return StreamingResponse(_endless(), status_code=201, media_type="application/json")
    if mode == "error":
        return Response("Internal Server Error", status_code=500, media_type="text/plain")
    if mode == "html":
        return Response("<html><body>It worked!</body></html>", status_code=201, media_type="text/html")
    if mode == "redirect":
        return Response(status_code=307, headers={"location": "http://10.0.0.1/credentials/issue"})
    if mode == "echo":             # what the client sent, headers included (for redaction tests)
        return JSONResponse({"headers": dict(request.headers), "body": json.loads(body or b"null"),
                             "access_token": "SERVER-SECRET-TOKEN"}, status_code=400)
    return JSONResponse({"type": "about:blank", "title": "Not found"}, status_code=404)


def hostile_app() -> Starlette:
    return Starlette(routes=[Route("/{mode}/{rest:path}", misbehave, methods=["POST", "GET"])])


@contextmanager
def serve_app(app: Starlette) -> Iterator[str]:
    with serve_in_thread(app, name="the hostile server", timeout_graceful_shutdown=1) as bound:
        yield bound.url()
