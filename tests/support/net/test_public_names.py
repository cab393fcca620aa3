"""The default policy (nothing private allowed) on names that resolve to public addresses.

No socket is opened: a table resolver answers for the names and httpx's MockTransport plays the servers, so
these tests exercise the hop-by-hop checks exactly as a real run on the internet would.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from conformance.support.net import FetchError, FetchPolicy, FetchReason, GuardedClient

from .conftest import HOST, LOCAL, TableResolver

PUBLIC = "93.184.215.14"


def _site(request: httpx.Request) -> httpx.Response:
    path, query = request.url.path, request.url.params
    if path == "/go":
        return httpx.Response(int(query.get("code", "302")), headers={"Location": query["to"]})
    if path == "/doc":
        return httpx.Response(200, json={"ok": True, "host": request.url.host})
    return httpx.Response(404)


@pytest.fixture
def client(resolver: TableResolver) -> Iterator[GuardedClient]:
    resolver.table.update({"issuer.example": [[PUBLIC]], "cdn.example": [["2606:4700::6810:85e5"]],
                           "intranet.example": [["10.20.30.40"]], "mixed.example": [[PUBLIC, "192.168.0.9"]],
                           "metadata.example": [["169.254.169.254"]], "mapped.example": [["::ffff:127.0.0.1"]],
                           "nothing.example": [[]]})
    with GuardedClient(FetchPolicy(), transport=httpx.MockTransport(_site), resolver=resolver) as guarded:
        yield guarded


@pytest.mark.parametrize("target", ["https://cdn.example/doc", "https://issuer.example/doc", "/doc"])
def test_redirects_between_public_hosts_are_followed(client: GuardedClient, target: str) -> None:
    response = client.get(f"https://issuer.example/go?to={target}")
    assert response.status == 200 and [e.status for e in response.exchanges] == [302, 200]


@pytest.mark.parametrize(("target", "shown"), [
    ("http://intranet.example/doc", "intranet.example resolves to 10.20.30.40 (private)"),
    ("http://mixed.example/doc", "mixed.example resolves to 192.168.0.9 (private)"),
    ("http://metadata.example/latest/meta-data/",
     "metadata.example resolves to 169.254.169.254, a link-local (cloud metadata) address"),
    ("http://mapped.example/doc", "mapped.example resolves to ::ffff:7f00:1 (loopback, inside ::ffff:7f00:1)"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local (cloud metadata) address"),
    ("http://[::1]/", "::1 is ::1 (loopback)"),
    ("http://167772165/", "167772165 resolves to 10.0.0.5 (private)"),
    ("http://0x7f.1/", "0x7f.1 resolves to 127.0.0.1 (loopback)"),
])
def test_redirects_into_the_private_network_are_refused(client: GuardedClient, target: str, shown: str) -> None:
    with pytest.raises(FetchError) as caught:
        client.get(f"http://issuer.example/go?to={target}&code=307")
    assert caught.value.reason is FetchReason.PRIVATE_ADDRESS and shown in str(caught.value)
    assert [e.status for e in caught.value.exchanges] == [307, None]


def test_a_name_without_addresses_is_a_connection_error(client: GuardedClient) -> None:
    with pytest.raises(FetchError) as caught:
        client.get("https://nothing.example/doc")
    assert caught.value.reason is FetchReason.CONNECTION and "no address" in str(caught.value)


def test_a_hung_resolver_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def never_answers(*args: object, **kwargs: object) -> list[object]:
        release.wait(10)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", never_answers)
    try:
        with GuardedClient(FetchPolicy(connect_timeout_s=0.2)) as guarded, pytest.raises(FetchError) as caught:
            guarded.get("https://slow-dns.example/")
    finally:
        release.set()
    assert caught.value.reason is FetchReason.TIMEOUT and "slow-dns.example" in str(caught.value)


def test_a_resolver_that_raises_anything_is_contained() -> None:
    def broken(host: str, port: int, timeout: float) -> list[object]:
        raise RuntimeError("resolver bug")

    with GuardedClient(FetchPolicy(), resolver=broken) as guarded, pytest.raises(FetchError) as caught:  # type: ignore[arg-type]
        guarded.get("https://issuer.example/")
    assert caught.value.reason is FetchReason.CONNECTION and "resolver bug" in str(caught.value)


def test_no_cookie_is_carried_between_fetches(resolver: TableResolver) -> None:
    seen: list[str | None] = []

    def site(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "sid=abc; Path=/"}, json={})

    resolver.table["issuer.example"] = [[PUBLIC]]
    with GuardedClient(FetchPolicy(), transport=httpx.MockTransport(site), resolver=resolver) as guarded:
        guarded.get("https://issuer.example/a")
        guarded.get("https://issuer.example/b")
    assert seen == [None, None]


def _raw_server(reply: bytes) -> tuple[socket.socket, int]:
    """A TCP server that answers every connection with fixed bytes, then hangs up."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


@pytest.mark.parametrize(("reply", "reason"), [
    (b"SSH-2.0-OpenSSH_9.6\r\n", FetchReason.PROTOCOL),
    (b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}", FetchReason.PROTOCOL),
    (b"HTTP/1.1 2000 OK\r\n\r\n", FetchReason.PROTOCOL),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}", FetchReason.PROTOCOL),   # body cut short
    (b"", FetchReason.PROTOCOL),                                                    # hangs up at once
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope", FetchReason.PROTOCOL),
])
def test_hostile_servers_give_typed_errors(reply: bytes, reason: FetchReason) -> None:
    listener, port = _raw_server(reply)
    try:
        with GuardedClient(LOCAL) as guarded, pytest.raises(FetchError) as caught:
            guarded.get(f"http://{HOST}:{port}/")
    finally:
        listener.close()
    assert caught.value.reason is reason, str(caught.value)
