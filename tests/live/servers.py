"""A hostile VC API stand-in for the client's bounds: every route misbehaves in one way (loopback only)."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

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
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name="hostile-vcalm", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the hostile server did not start")
        time.sleep(0.01)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
