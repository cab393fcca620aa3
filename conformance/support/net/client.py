"""The guarded HTTP client: the only way the suite fetches anything a user or a document names."""
from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import certifi
import httpcore
import httpx

from conformance._version import __version__
from conformance.support.net.addresses import (
    IPAddress,
    IPNetwork,
    Refusal,
    Resolver,
    parse_literal,
    parse_networks,
    refusal,
    system_resolver,
)
from conformance.support.net.errors import FetchError, FetchReason
from conformance.support.net.evidence import KEPT_RESPONSE_HEADERS, Exchange, redact_headers, redact_url
from conformance.support.net.secrets import Secrets
from conformance.support.net.transport import DEADLINE, PINS, PinnedTransport, UncheckedHost

DEFAULT_ACCEPT = "application/ld+json, application/json, */*"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_URL_LENGTH = 8192
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Credentials a caller attached for one origin must not travel to another one a redirect names.
_ORIGIN_BOUND_HEADERS = ("authorization", "proxy-authorization", "cookie")

_METHOD: ContextVar[str] = ContextVar("ler_conformance_method", default="GET")   # for refusals' evidence
_Fail = Callable[[FetchReason, str], FetchError]
_Finish = Callable[..., Exchange]


def _user_agent() -> str:

    return f"ler-conformance/{__version__} (+conformance test suite)"


class FetchPolicyError(ValueError):
    """A FetchPolicy with a value that makes no sense (configuration, not hostile input)."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout_s: float = 10.0                 # the whole fetch, every redirect hop included
    connect_timeout_s: float = 5.0          # resolving plus connecting, per hop
    read_timeout_s: float = 10.0            # one socket read
    max_bytes: int = 16 * 1024 * 1024       # decoded body
    max_header_bytes: int = 32 * 1024       # all response header lines of one answer
    max_redirects: int = 3
    allow_private: bool = False             # --allow-private: every non-public address but link-local and metadata
    # --allow-address: addresses and CIDRs reachable whatever they are (an intranet registry, a test server on
    # a link-local address); the only way to reach link-local and cloud metadata addresses
    allow_networks: tuple[str, ...] = ()
    ca_file: str | None = None              # extra trust anchors; verification itself stays on
    cache_entries: int = 256
    cache_bytes: int = 64 * 1024 * 1024
    max_exchanges: int = 10_000             # evidence kept per run; later exchanges are counted, not kept
    max_request_bytes: int = 4 * 1024 * 1024  # a body the suite sends (send / post_json)

    def __post_init__(self) -> None:
        for name in ("timeout_s", "connect_timeout_s", "read_timeout_s"):
            if not getattr(self, name) > 0:
                raise FetchPolicyError(f"{name} is {getattr(self, name)!r}; expected a positive number of seconds")
        for name in ("max_bytes", "max_header_bytes", "max_request_bytes"):
            if getattr(self, name) < 1:
                raise FetchPolicyError(f"{name} is {getattr(self, name)!r}; expected at least 1")
        for name in ("max_redirects", "cache_entries", "cache_bytes", "max_exchanges"):
            if getattr(self, name) < 0:
                raise FetchPolicyError(f"{name} is {getattr(self, name)!r}; expected 0 or more")
        try:
            parse_networks(self.allow_networks)
        except ValueError as exc:
            raise FetchPolicyError(f"allow_networks: {exc}") from None


@dataclass(frozen=True, slots=True)
class Response:
    url: str                                     # the final URL, after redirects (not redacted: it is the caller's)
    status: int
    headers: tuple[tuple[str, str], ...]         # every response header, names lower-cased
    body: bytes
    exchanges: tuple[Exchange, ...]              # one per hop, redacted
    truncated: bool = False                      # only from fetch(): reading stopped one byte past the limit
    from_cache: bool = False

    @property
    def exchange(self) -> Exchange:
        return self.exchanges[-1]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @property
    def content_type(self) -> str | None:
        value = self.header("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None


@dataclass(frozen=True, slots=True)
class _Hop:
    url: httpx.URL
    host: str
    port: int


@dataclass(slots=True)
class _Read:
    body: bytes
    truncated: bool


@dataclass(slots=True)
class _Cache:
    entries: int
    bytes: int
    items: OrderedDict[tuple[object, ...], Response | FetchError] = field(default_factory=OrderedDict)
    used: int = 0

    def get(self, key: tuple[object, ...]) -> Response | FetchError | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[object, ...], value: Response | FetchError) -> None:
        size = len(value.body) if isinstance(value, Response) else 0
        if self.entries == 0 or size > self.bytes:
            return
        self.items[key] = value
        self.used += size
        while len(self.items) > self.entries or self.used > self.bytes:
            _, old = self.items.popitem(last=False)
            self.used -= len(old.body) if isinstance(old, Response) else 0


class _Decoder:
    """Undo gzip/deflate without ever producing more than the caller still has room for (no bombs)."""

    def __init__(self, coding: str) -> None:
        self._inflate = None if coding in ("", "identity") else zlib.decompressobj(32 + zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        if self._inflate is None:
            return data[: room + 1]
        out = bytearray()
        while data and len(out) <= room:
            out += self._inflate.decompress(data, room + 1 - len(out))
            data = self._inflate.unconsumed_tail
        return bytes(out)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify(exc: Exception) -> tuple[FetchReason, str]:
    """Map an httpx/httpcore/ssl failure to a reason code and the plain cause."""
    for link in _chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            return FetchReason.TLS, f"its TLS certificate is not valid: {link.verify_message or link.reason}"
        if isinstance(link, ssl.SSLError):
            return FetchReason.TLS, f"the TLS handshake fails: {link.reason or link}"
    if isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
        return FetchReason.TIMEOUT, "connecting takes too long"
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)):
        return FetchReason.TIMEOUT, f"the server does not answer in time ({exc or 'timed out'})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError, httpcore.LocalProtocolError,
                        httpx.LocalProtocolError)):
        text = str(exc)
        if "too long" in text.lower() or "maximum" in text.lower():
            return FetchReason.TOO_LARGE, f"its response head is too large ({text})"
        return FetchReason.PROTOCOL, f"it does not answer with valid HTTP ({text or type(exc).__name__})"
    if isinstance(exc, UncheckedHost):
        return FetchReason.CONNECTION, str(exc)
    if isinstance(exc, (httpx.TransportError, httpcore.NetworkError, httpcore.ConnectError, OSError)):
        return FetchReason.CONNECTION, f"the connection fails ({exc or type(exc).__name__})"
    return FetchReason.PROTOCOL, f"the exchange fails ({type(exc).__name__}: {exc})"


class GuardedClient:
    """One per run: every fetch goes through the same policy, cache and evidence log. Thread-safe."""

    def __init__(self, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None,
                 resolver: Resolver | None = None, secrets: Secrets | None = None) -> None:
        """`transport` replaces the network (tests, recorded fixtures); address checks still run on every hop,
        but connecting to exactly the checked address is then up to that transport. `secrets`: the run's secret
        registry (a new one by default); every record this client keeps, and every FetchError message it raises,
        has each registered secret replaced, and the live flows and the reports use the same registry."""
        self.policy = policy or FetchPolicy()
        self.secrets = secrets if secrets is not None else Secrets()
        self._resolver: Resolver = resolver or system_resolver
        self._networks: tuple[IPNetwork, ...] = parse_networks(self.policy.allow_networks)
        # The transport is used directly, not through httpx.Client: no cookie jar carrying one server's cookies
        # to the next fetch, no environment proxies or .netrc, and redirects are ours to judge hop by hop.
        self._transport = transport or PinnedTransport(self._ssl_context())
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[object, ...], threading.Lock] = {}
        self._cache = _Cache(self.policy.cache_entries, self.policy.cache_bytes)
        self._exchanges: list[Exchange] = []
        self._dropped = 0
        self._closed = False

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=certifi.where())
        if self.policy.ca_file:
            try:
                context.load_verify_locations(cafile=self.policy.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise FetchPolicyError(f"ca_file {self.policy.ca_file} cannot be loaded: {exc}") from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    # -- public -------------------------------------------------------------------------------------------

    def get(self, url: str, *, accept: str | None = None, headers: Mapping[str, str] | None = None,
            max_bytes: int | None = None) -> Response:
        """GET with redirects followed under the policy; a 2xx answer or a FetchError, never anything else."""
        return self._cached(url, accept, headers, self._cap(max_bytes), partial=False)

    def fetch(self, url: str, limit: int) -> bytes:
        """The `Callable[[str, int], bytes]` the targets and the context loader take.

        Like the first fetch_bounded: a body over `limit` is not an error here; the first limit+1 bytes come
        back so the caller's own size rule sees the excess and reports it as a finding of the document.
        """
        return self._cached(url, None, None, self._cap(limit), partial=True).body

    def post_json(self, url: str, body: object, *, headers: Mapping[str, str] | None = None,
                  accept: str | None = None, max_bytes: int | None = None, timeout_s: float | None = None) -> Response:
        """POST `body` as JSON; see `send`."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self.send("POST", url, content=content, content_type="application/json", headers=headers,
                         accept=accept, max_bytes=max_bytes, timeout_s=timeout_s)

    def send(self, method: str, url: str, *, content: bytes = b"", content_type: str | None = None,
             headers: Mapping[str, str] | None = None, accept: str | None = None,
             max_bytes: int | None = None, timeout_s: float | None = None) -> Response:
        """One request to a service under test: the answer whatever its status (a 4xx or 5xx is the service's
        answer, not a failed fetch), or a FetchError when no answer within the policy came back. `timeout_s`
        shortens the policy's total timeout for this request (a service's time budget running out).

        Every guarantee of `get` holds (address checks and pinning, timeouts, size caps, redacted evidence);
        nothing is cached, and a redirect is returned as the answer rather than followed (a POST is not
        replayed at another address).
        """
        method = method.upper()
        if method not in _METHODS:
            raise FetchPolicyError(f"{method} is not a method the client sends; expected one of {sorted(_METHODS)}")
        if len(content) > self.policy.max_request_bytes:
            raise FetchPolicyError(f"a request body of {len(content)} bytes exceeds max_request_bytes "
                                   f"({self.policy.max_request_bytes})")
        with self._lock:
            if self._closed:
                raise FetchError(FetchReason.CONNECTION, "the HTTP client is closed", url=_safe(url))
        extra = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        if content_type:
            extra["content-type"] = content_type
        return self._fetch(url, accept or DEFAULT_ACCEPT, extra, self._cap(max_bytes), partial=False,
                           method=method, content=content, timeout_s=timeout_s)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        with self._lock:
            return tuple(self._exchanges)

    @property
    def dropped_exchanges(self) -> int:
        with self._lock:
            return self._dropped

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- cache --------------------------------------------------------------------------------------------

    def _cap(self, requested: int | None) -> int:
        if requested is None:
            return self.policy.max_bytes
        return max(0, min(int(requested), self.policy.max_bytes))

    def _cached(self, url: str, accept: str | None, headers: Mapping[str, str] | None, cap: int,
                *, partial: bool) -> Response:
        header_items = tuple(sorted((str(k).lower(), str(v)) for k, v in (headers or {}).items()))
        key: tuple[object, ...] = (url, accept or DEFAULT_ACCEPT, header_items, cap, partial)
        with self._lock:
            if self._closed:
                raise FetchError(FetchReason.CONNECTION, "the HTTP client is closed", url=_safe(url))
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        # One fetch per key: a second thread asking for the same URL waits and then reads the cache.
        with key_lock:
            with self._lock:
                found = self._cache.get(key)
            if found is None:
                try:
                    found = self._fetch(url, accept or DEFAULT_ACCEPT, dict(header_items), cap, partial=partial)
                except FetchError as exc:
                    found = exc
                with self._lock:
                    self._cache.put(key, found)
            else:
                found = found.with_exchanges(found.exchanges) if isinstance(found, FetchError) else \
                    replace(found, from_cache=True)
        with self._lock:
            self._key_locks.pop(key, None)
        if isinstance(found, FetchError):
            raise found
        return found

    def _record(self, exchange: Exchange) -> Exchange:
        exchange = self._redacted(exchange)
        with self._lock:
            if len(self._exchanges) < self.policy.max_exchanges:
                self._exchanges.append(exchange)
            else:
                self._dropped += 1
        return exchange

    # -- one fetch, hop by hop ----------------------------------------------------------------------------

    def _fetch(self, url: str, accept: str, headers: dict[str, str], cap: int, *, partial: bool,
               method: str = "GET", content: bytes | None = None, timeout_s: float | None = None) -> Response:
        token = _METHOD.set(method)
        try:
            return self._hops(url, accept, headers, cap, partial=partial, method=method, content=content,
                              timeout_s=timeout_s)
        finally:
            _METHOD.reset(token)

    def _hops(self, url: str, accept: str, headers: dict[str, str], cap: int, *, partial: bool, method: str,
              content: bytes | None, timeout_s: float | None = None) -> Response:
        total = self.policy.timeout_s if timeout_s is None else min(self.policy.timeout_s, timeout_s)
        deadline = time.monotonic() + total
        hops: list[Exchange] = []
        seen: set[str] = set()
        current: object = url
        send = {"accept": accept, "accept-encoding": "gzip, deflate, identity", "user-agent": _user_agent(),
                **headers}
        previous: _Hop | None = None
        for _ in range(self.policy.max_redirects + 1):
            hop = self._parse(current, hops, deadline)
            if previous is not None:
                send = self._after_redirect(previous, hop, send, hops, deadline)
            seen.add(str(hop.url))
            addresses = self._admit(hop, hops, deadline)
            answer = self._exchange(hop, addresses, send, cap, partial, hops, deadline, method, content)
            if isinstance(answer, Response):
                return answer
            if str(answer) in seen:
                raise self._refuse(FetchReason.REDIRECT_LOOP,
                                   f"{_safe(str(hop.url))} redirects to {_safe(str(answer))}, which this fetch has "
                                   "already visited", answer, hops, time.monotonic())
            previous, current = hop, answer
        raise self._refuse(FetchReason.TOO_MANY_REDIRECTS,
                           f"{_safe(url)} redirects more than {self.policy.max_redirects} times (last to "
                           f"{_safe(str(current))}); at most {self.policy.max_redirects} redirects are followed",
                           current, hops, time.monotonic())

    def _redacted(self, exchange: Exchange) -> Exchange:
        """The exchange with every secret the run knows replaced (a service may repeat a token in any header)."""
        if not self.secrets.known:
            return exchange
        redact = self.secrets.redact
        return replace(exchange, url=redact(exchange.url), request_headers=redact(exchange.request_headers),
                       response_headers=redact(exchange.response_headers),
                       message=None if exchange.message is None else redact(exchange.message))

    def _fail(self, reason: FetchReason, message: str, url: object, hops: list[Exchange], *,
              status: int | None = None) -> FetchError:
        return FetchError(reason, self.secrets.redact(message), url=self.secrets.redact(_safe(str(url))),
                          status=status, exchanges=tuple(hops))

    def _refuse(self, reason: FetchReason, message: str, target: object, hops: list[Exchange],
                started: float) -> FetchError:
        """A failure before any request went out still leaves evidence of what was refused and why."""
        hops.append(self._record(Exchange(_METHOD.get(), _safe(str(target)), _now(), time.monotonic() - started,
                                          error=reason.value, message=message)))
        return self._fail(reason, message, target, hops)

    def _parse(self, target: object, hops: list[Exchange], deadline: float) -> _Hop:
        started = time.monotonic()
        if isinstance(target, httpx.URL):
            parsed = target
        else:
            if not isinstance(target, str) or len(target) > MAX_URL_LENGTH:
                shown = f"a URL of {len(target)} characters" if isinstance(target, str) else repr(type(target))
                raise self._refuse(FetchReason.INVALID_URL, f"{shown} is not a fetchable URL "
                                   f"(expected an http(s) URL of at most {MAX_URL_LENGTH} characters)",
                                   "", hops, started)
            try:
                parsed = httpx.URL(target)
            except (httpx.InvalidURL, TypeError, ValueError) as exc:
                raise self._refuse(FetchReason.INVALID_URL, f"{_safe(target)} is not a valid URL: {exc}",
                                   target, hops, started) from None
        shown = _safe(target if isinstance(target, str) else str(parsed))
        if parsed.scheme not in _DEFAULT_PORTS:
            raise self._refuse(FetchReason.SCHEME, f"{shown} uses the {parsed.scheme or 'empty'} "
                               "scheme; only http and https URLs are fetched", target, hops, started)
        try:
            host = parsed.raw_host.decode("ascii")
        except UnicodeDecodeError:
            host = ""
        if not host:
            raise self._refuse(FetchReason.INVALID_URL, f"{shown} names no host", target, hops, started)
        return _Hop(parsed, host, parsed.port or _DEFAULT_PORTS[parsed.scheme])

    def _after_redirect(self, previous: _Hop, hop: _Hop, send: dict[str, str], hops: list[Exchange],
                        deadline: float) -> dict[str, str]:
        if previous.url.scheme == "https" and hop.url.scheme == "http":
            raise self._refuse(FetchReason.SCHEME, f"{_safe(str(previous.url))} redirects from https to plain "
                               f"http ({_safe(str(hop.url))}); a downgrade is not followed", hop.url, hops,
                               time.monotonic())
        if (previous.url.scheme, previous.host, previous.port) != (hop.url.scheme, hop.host, hop.port):
            return {k: v for k, v in send.items() if k not in _ORIGIN_BOUND_HEADERS}
        return send

    def _admit(self, hop: _Hop, hops: list[Exchange], deadline: float) -> tuple[IPAddress, ...]:
        """Resolve the hop's host once and check every address it has; these are the only ones used."""
        started = time.monotonic()
        literal = parse_literal(hop.host)
        if literal is not None:
            addresses: tuple[IPAddress, ...] = (literal,)
        else:
            budget = min(self.policy.connect_timeout_s, deadline - started)
            try:
                if budget <= 0:
                    raise TimeoutError("no time is left to resolve it")
                addresses = tuple(self._resolver(hop.host, hop.port, budget))
            except TimeoutError as exc:
                raise self._refuse(FetchReason.TIMEOUT, f"{hop.host} does not resolve in time ({exc})", hop.url,
                                   hops, started) from None
            except Exception as exc:  # noqa: BLE001 - a resolver's failure of any kind means "cannot connect"
                raise self._refuse(FetchReason.CONNECTION, f"{hop.host} does not resolve ({exc})", hop.url, hops,
                                   started) from None
            if not addresses:
                raise self._refuse(FetchReason.CONNECTION, f"{hop.host} resolves to no address", hop.url, hops,
                                   started)
        # Every address is judged, not just the first: the transport may connect to any of them.
        refused = [(ip, found) for ip in addresses if (found := refusal(
            ip, allow_private=self.policy.allow_private, networks=self._networks)) is not None]
        if refused:
            ip, found = refused[0]
            raise self._refuse(FetchReason.PRIVATE_ADDRESS, _refusal_message(hop.host, ip, found, literal is not None),
                               hop.url, hops, started)
        return addresses

    @contextmanager
    def _bound(self, hop: _Hop, addresses: tuple[IPAddress, ...], deadline: float) -> Iterator[None]:
        pins = PINS.set({(hop.host, hop.port): addresses})
        limit = DEADLINE.set(deadline)
        try:
            yield
        finally:
            DEADLINE.reset(limit)
            PINS.reset(pins)

    def _exchange(self, hop: _Hop, addresses: tuple[IPAddress, ...], send: dict[str, str], cap: int,
                  partial: bool, hops: list[Exchange], deadline: float, method: str = "GET",
                  content: bytes | None = None) -> Response | httpx.URL:
        """One request. A Response when the fetch ends here, the next URL when it redirects."""
        started, started_at = time.monotonic(), _now()
        request_headers = redact_headers((k, self.secrets.redact(v)) for k, v in send.items())
        status: int | None = None
        remote: str | None = None
        response_headers: tuple[tuple[str, str], ...] = ()

        def finish(**fields: object) -> Exchange:
            exchange = Exchange(method, _safe(str(hop.url)), started_at, time.monotonic() - started, status=status,
                                remote_address=remote, request_headers=request_headers,
                                response_headers=response_headers, **fields)  # type: ignore[arg-type]
            hops.append(self._record(exchange))
            return exchange

        def fail(reason: FetchReason, message: str) -> FetchError:
            finish(error=reason.value, message=message)
            return self._fail(reason, message, hop.url, hops, status=status)

        remaining = deadline - started
        timeout = httpx.Timeout(min(self.policy.read_timeout_s, remaining),
                                connect=min(self.policy.connect_timeout_s, remaining))
        where = _safe(str(hop.url))
        with self._bound(hop, addresses, deadline):
            try:
                request = httpx.Request(method, hop.url, headers=send, content=content,
                                        extensions={"timeout": timeout.as_dict()})
                response = self._transport.handle_request(request)
                response.request = request
            except Exception as exc:  # noqa: BLE001 - every transport failure becomes a typed FetchError
                reason, cause = _classify(exc)
                raise fail(reason, f"{where} cannot be fetched: {cause}") from None
            try:
                status = response.status_code
                remote = _peer(response)
                # secrets out before the values are clipped: a clipped secret would survive in part
                response_headers = redact_headers(((k, self.secrets.redact(v)) for k, v in
                                                   response.headers.multi_items()), keep=KEPT_RESPONSE_HEADERS)
                head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
                if head > self.policy.max_header_bytes:
                    raise fail(FetchReason.TOO_LARGE, f"{where} answers with {head} bytes of headers; at most "
                               f"{self.policy.max_header_bytes} are accepted")
                # `send` (content is not None) answers with whatever the service said, redirects included
                if status in REDIRECT_STATUSES and content is None:
                    return self._redirect(hop, response, where, fail, finish)
                if not 200 <= status < 300 and content is None:
                    raise fail(FetchReason.HTTP_STATUS, f"{where} answers HTTP {status}; expected a 2xx answer")
                read = self._read(response, cap, partial, where, fail)
            except FetchError:
                raise
            except Exception as exc:  # noqa: BLE001
                reason, cause = _classify(exc)
                raise fail(reason, f"{where} cannot be read: {cause}") from None
            finally:
                response.close()
        finish(body_sha256=hashlib.sha256(read.body).hexdigest(), body_bytes=len(read.body),
               truncated=read.truncated)
        return Response(url=str(hop.url), status=status, body=read.body, truncated=read.truncated,
                        headers=tuple((k.lower(), v) for k, v in response.headers.multi_items()),
                        exchanges=tuple(hops))

    def _redirect(self, hop: _Hop, response: httpx.Response, where: str, fail: _Fail, finish: _Finish) -> httpx.URL:
        location = response.headers.get("location")
        if not location:
            raise fail(FetchReason.HTTP_STATUS, f"{where} answers HTTP {response.status_code} without a Location "
                       "header; expected a redirect target or a 2xx answer")
        try:
            target = hop.url.join(location.strip())
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise fail(FetchReason.INVALID_URL, f"{where} redirects to {_safe(location)}, which is not a valid "
                       f"URL: {exc}") from None
        finish()
        return target.copy_with(fragment=None) if target.fragment else target

    def _read(self, response: httpx.Response, cap: int, partial: bool, where: str, fail: _Fail) -> _Read:
        coding = response.headers.get("content-encoding", "").strip().lower()
        if coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise fail(FetchReason.PROTOCOL, f"{where} sends content coded as {coding[:60]!r}; expected gzip, "
                       "deflate or none")
        declared = response.headers.get("content-length", "")
        if not partial and declared.isdigit() and coding in ("", "identity") and int(declared) > cap:
            raise fail(FetchReason.TOO_LARGE, f"{where} announces {declared} bytes; at most {cap} are accepted")
        # A response a test transport built in memory arrives already read (and decoded) by httpx.
        preread = response.is_stream_consumed
        decoder = _Decoder("" if preread or coding == "identity" else coding)
        body = bytearray()
        try:
            for chunk in ([response.content] if preread else response.iter_raw()):
                body += decoder.feed(chunk, cap - len(body))
                if len(body) > cap:
                    break
        except zlib.error as exc:
            raise fail(FetchReason.PROTOCOL, f"{where} sends a body that does not decode as {coding}: {exc}") \
                from None
        if len(body) <= cap:
            return _Read(bytes(body), False)
        if partial:
            return _Read(bytes(body[: cap + 1]), True)
        raise fail(FetchReason.TOO_LARGE, f"{where} sends more than {cap} bytes; reading stopped there")


def _refusal_message(host: str, ip: IPAddress, found: Refusal, literal: bool) -> str:
    if not found.named_only:
        named = f"{host} is {ip}" if literal else f"{host} resolves to {ip}"
        return (f"{named} ({found.label}); only public addresses are fetched unless private addresses are allowed "
                "(--allow-private)")
    if found.carried is None:
        what = f"{ip} is a {found.label} address" if literal else f"{host} resolves to {ip}, a {found.label} address"
    else:
        what = (f"{ip} carries {found.carried}, a {found.label} address" if literal else
                f"{host} resolves to {ip}, which carries {found.carried}, a {found.label} address")
    return f"{what}; the suite connects there only when it is named with --allow-address"


def _peer(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        address = stream.get_extra_info("server_addr")
    except Exception:  # noqa: BLE001 - evidence only; a stream that cannot say is fine
        return None
    return str(address[0]) if isinstance(address, tuple) and address else None


def _safe(url: str) -> str:
    return redact_url(url)

