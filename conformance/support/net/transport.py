"""An httpx transport that only connects to addresses the client has already checked.

The client resolves each hop's host once, checks every address, and publishes the approved addresses for
that host in a context variable; the network backend below connects to those addresses and never resolves
the name again. A DNS answer that changes between the check and the connect (rebinding) therefore has no
effect. TLS still verifies the certificate against the host name from the URL (httpcore passes it as
server_hostname), so pinning the address does not weaken TLS.

Residual risk, accepted: a keep-alive connection in the pool is reused for the same origin without a new
check; it was checked when it was opened, within the same run and the same policy.

The same context also carries the fetch's overall deadline: every socket operation waits at most until then,
so a server that trickles one byte per read timeout cannot stretch a fetch past the total timeout.
"""
from __future__ import annotations

import ssl
import time
import typing
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar

import httpcore
import httpx

from conformance.support.net.addresses import IPAddress

# (host as httpcore sees it, port) -> the addresses checked for this hop
PINS: ContextVar[Mapping[tuple[str, int], tuple[IPAddress, ...]] | None] = ContextVar("ler_net_pins", default=None)
DEADLINE: ContextVar[float | None] = ContextVar("ler_net_deadline", default=None)


class UncheckedHost(Exception):
    """The transport was asked to connect to a host the client did not check (a bug, never a bypass)."""


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the fetch has used up its total time")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        addresses = (PINS.get() or {}).get((host, port))
        if not addresses:
            raise UncheckedHost(f"no checked address for {host}:{port}")
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self._sockets.connect_tcp(str(address), port, _bounded(timeout, httpcore.ConnectTimeout),
                                                   local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        raise UncheckedHost("the guarded client does not use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: typing.Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class PinnedTransport(httpx.BaseTransport):
    """httpx's default transport minus proxies, environment settings and name resolution."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=PinnedBackend(),
                                             max_connections=16, max_keepalive_connections=8,
                                             keepalive_expiry=5.0, http1=True, http2=False, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, typing.Iterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers, stream=_Body(answer.stream),
                              extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()
