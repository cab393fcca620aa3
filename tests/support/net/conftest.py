"""Loopback HTTP(S) servers the network tests start themselves, on 127.0.0.2 so that 127.0.0.1 stays a
refusable "other" loopback address, and a resolver that answers from a table."""
from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.support.net import FetchPolicy, IPAddress, system_resolver

HOST = "127.0.0.2"
# The test servers are reachable; every other non-public address stays refused.
LOCAL = FetchPolicy(allow_networks=(f"{HOST}/32",))
BOMB = gzip.compress(bytes(8 * 1024 * 1024), compresslevel=9)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    hits: Counter[str]


class Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: Sequence[tuple[str, str]] = (),
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.hits[path] += 1
        try:
            if path == "/doc":
                self._send(200, b'{"ok": true}')
            elif path == "/echo":
                self._send(200, json.dumps({"path": self.path, "headers": dict(self.headers.items())}).encode())
            elif path.startswith("/status/"):
                self._send(int(path.rsplit("/", 1)[1]), b"{}")
            elif path == "/redirect":
                self._send(int(query.get("code", ["302"])[0]), headers=[("Location", query["to"][0])])
            elif path.startswith("/chain/"):
                left = int(path.rsplit("/", 1)[1])
                if left:
                    self._send(302, headers=[("Location", f"/chain/{left - 1}")])
                else:
                    self._send(200, b'{"end": true}')
            elif path == "/loop/a":
                self._send(302, headers=[("Location", "/loop/b")])
            elif path == "/loop/b":
                self._send(301, headers=[("Location", f"http://{self.headers['Host']}/loop/a")])
            elif path == "/no-location":
                self._send(302)
            elif path == "/slow":
                time.sleep(3)
                self._send(200, b"{}")
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100_000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif path == "/endless":
                self.send_response(200)
                self.end_headers()
                chunk = b"x" * 65536
                for _ in range(16_384):         # 1 GiB, far beyond any cap; the client hangs up long before
                    self.wfile.write(chunk)
            elif path == "/big-headers":
                pad = [(f"X-Pad-{i}", "a" * 1000) for i in range(int(query["kb"][0]))]
                self._send(200, b"{}", headers=pad)
            elif path == "/gzip":
                self._send(200, gzip.compress(b'{"zipped": true}'), headers=[("Content-Encoding", "gzip")])
            elif path == "/gzip-bomb":
                self._send(200, BOMB, headers=[("Content-Encoding", "gzip")])
            elif path == "/brotli":
                self._send(200, b"\x00\x01", headers=[("Content-Encoding", "br")])
            elif path == "/secrets":
                self._send(302, headers=[("Set-Cookie", "sid=SECRET-set-cookie"),
                                         ("Location", "/echo?client_secret=SECRET-location&keep=1")])
            else:
                self._send(404, b"{}")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


@dataclass
class Served:
    server: _Server
    scheme: str = "http"
    host: str = HOST

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    @property
    def hits(self) -> Counter[str]:
        return self.server.hits


def _start(context: ssl.SSLContext | None = None) -> _Server:
    server = _Server((HOST, 0), Handler)
    server.hits = Counter()
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def http() -> Iterator[Served]:
    server = _start()
    yield Served(server)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def other_http() -> Iterator[Served]:
    server = _start()
    yield Served(server)
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throwaway CA and a certificate for tls.test and 127.0.0.2."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ler-conformance test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tls.test")])).issuer_name(ca_name)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("tls.test"),
                                                        x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("pki")
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.key").write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    return Pki(folder / "ca.pem", context)


@pytest.fixture(scope="module")
def https(pki: Pki) -> Iterator[Served]:
    server = _start(pki.server_context)
    yield Served(server, scheme="https", host="tls.test")
    server.shutdown()
    server.server_close()


@dataclass
class TableResolver:
    """Answers from a table (a list per name is consumed one answer per call); numbers go to the system."""

    table: dict[str, list[Sequence[str]]]
    calls: list[str] = field(default_factory=list)

    def __call__(self, host: str, port: int, timeout: float) -> Sequence[IPAddress]:
        self.calls.append(host)
        answers = self.table.get(host)
        if answers is None:
            return system_resolver(host, port, timeout)
        current = answers.pop(0) if len(answers) > 1 else answers[0]
        return [ipaddress.ip_address(a) for a in current]


@pytest.fixture
def resolver() -> TableResolver:
    return TableResolver({"tls.test": [[HOST]], "wrong.test": [[HOST]], "local.test": [[HOST]]})
