"""The HTTP servers the suite runs itself (the reference services, the counter-party server it plays for wallets and
client apps, test servers): a Starlette app served by uvicorn in a background thread for the length of a block."""
from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Bound:
    """Where a server listens once it has started (port 0 asks the system for a free one)."""

    host: str
    port: int

    def url(self, scheme: str = "http") -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{shown}:{self.port}"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@contextmanager
def serve_in_thread(app: Any, *, name: str, host: str = "127.0.0.1", port: int = 0, loopback_only: bool = True,
                    startup_timeout_s: float = 10.0, log_level: str = "warning", **options: Any) -> Iterator[Bound]:
    """Serve `app` until the block ends; `options` go to uvicorn.Config (e.g. ssl_certfile). `name` says what the
    server is in errors ("the reference wallet"). A server meant for loopback refuses any other address."""
    import uvicorn  # lazy: only a run that starts a server pays for the ASGI stack

    if loopback_only and not is_loopback(host):
        raise ValueError(f"{name} only listens on loopback addresses, not {host}")
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off",
                            **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"{name} did not start on {host}:{port}")
        time.sleep(0.01)
    bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield Bound(str(bound_host), int(bound_port))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
