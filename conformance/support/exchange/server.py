"""The suite as a counter-party: a small HTTP server the implementation under test (a wallet) calls.

Every live module so far makes the requests; here the implementation does, and the suite answers. The core is
protocol-neutral so an OpenID4VP verifier or a VC API exchange server can reuse it: a protocol supplies `Route`s
whose handlers turn a bounded, parsed `Call` into an `Answer` naming the flow and case it belongs to, and the
server records each call as a conformance.core.transcript.Step (what the wallet sent as `request`, what the suite
answered as status and body).

Hostile callers are bounded before a handler runs: a request body over `max_body_bytes` gets 413, JSON nested
deeper than `max_depth` (or that is not JSON) reaches the handler as `Call.problem`, and a session waits at most
`timeout_s`. Secrets the suite hands out (codes, tokens) are registered with `secret()`: wherever the value later
appears (URLs, bodies, headers, a driver's output) the record shows a label such as `[redacted access-token/plain]`
instead, so a check can still tell the issued value from another; secret-looking members the suite never issued
become `[redacted]`.

By default the server listens on 127.0.0.1 on a free port. For a phone wallet on the LAN, give
`options = { listen = "0.0.0.0:8765", public_url = "http://192.168.1.20:8765" }` in targets.toml: the suite then
listens there and puts `public_url` in the offers (a wallet usually insists on https, so put a TLS proxy in front
and name its URL). Only do that on a network you trust: the server hands out test credentials to whoever asks.

TLS is opt-in: `options = { tls_cert = "server.pem", tls_key = "server-key.pem" }` (PEM file paths, both or
neither) makes uvicorn serve https with that certificate, and the offers then name `https://127.0.0.1:<port>` (or
`public_url`). Wallets that insist on https (Digital Bazaar's oid4-client does) can then be driven on loopback; the
wallet has to trust the certificate's issuer (for Node, NODE_EXTRA_CA_CERTS). The default stays plain http.
"""
from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from conformance.core.transcript import Step, Transcript
from conformance.support.exchange.transcript import MAX_TEXT
from conformance.support.net import redact_url
from conformance.support.net.evidence import REDACTED, redact_header, secret_field
from conformance.support.net.secrets import FLOW_SECRETS
from conformance.support.serving import is_loopback, serve_in_thread

NOTED_HEADERS = ("authorization", "content-type", "content-length", "dpop", "user-agent", "accept")
KEPT_ANSWER_HEADERS = ("content-type", "cache-control", "location", "www-authenticate")


@dataclass(frozen=True, slots=True)
class CounterpartyOptions:
    """Where the suite listens and how long it waits for the implementation (targets.toml `options`)."""

    host: str = "127.0.0.1"
    port: int = 0
    public_url: str | None = None           # what the offers name when the listen address is not what wallets see
    timeout_s: float = 60.0                 # per session: the implementation must finish by then
    max_body_bytes: int = 256 * 1024
    max_depth: int = 32
    tls_cert: str | None = None             # PEM certificate (chain) file: serve https (with tls_key)
    tls_key: str | None = None              # PEM private key file of tls_cert

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CounterpartyOptions:
        """From a service's options: listen = "host:port", public_url, timeout_s, tls_cert + tls_key (bad values raise
        ValueError)."""
        host, port = "127.0.0.1", 0
        listen = options.get("listen")
        if listen is not None:
            text = str(listen)
            host, _, number = text.rpartition(":")
            if not host or not number.isdigit():
                raise ValueError(f"options.listen is {text!r}; expected host:port")
            port = int(number)
        public = options.get("public_url")
        if public is not None and not (isinstance(public, str) and public.startswith(("http://", "https://"))):
            raise ValueError(f"options.public_url is {public!r}; expected an http(s) URL")
        if not is_loopback(host) and public is None:
            raise ValueError("options.listen names a non-loopback address; name the URL wallets reach in "
                             "options.public_url")
        timeout = options.get("timeout_s", 60.0)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 3600:
            raise ValueError(f"options.timeout_s is {timeout!r}; expected a number of seconds up to 3600")
        tls = [options.get("tls_cert"), options.get("tls_key")]
        if any(v is not None for v in tls):
            if not all(isinstance(v, str) and v and Path(v).is_file() for v in tls):
                raise ValueError("options.tls_cert and options.tls_key must both name readable PEM files")
            try:                                # refused here, not later inside the server's thread
                ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(tls[0], tls[1])
            except (ssl.SSLError, OSError) as exc:
                raise ValueError(f"options.tls_cert / options.tls_key cannot be loaded ({type(exc).__name__})") \
                    from None
        return cls(host=host, port=port, public_url=public.rstrip("/") if public else None, timeout_s=float(timeout),
                   tls_cert=tls[0], tls_key=tls[1])


@dataclass(frozen=True, slots=True)
class Call:
    """One request the implementation made, read within the bounds."""

    method: str
    path: str
    url: str
    params: Mapping[str, str]                # path parameters of the route
    query: Mapping[str, str]
    headers: Mapping[str, str]               # lower-cased names
    raw: bytes
    json: Any = None                         # the parsed JSON body (None: none, or see `problem`)
    form: Mapping[str, str] | None = None    # a form-encoded body
    problem: str = ""                        # why a body that was sent could not be read (not JSON, too deep)
    received_at: float = 0.0                 # Unix time


@dataclass(frozen=True, slots=True)
class Answer:
    """What the suite answers, and where the exchange goes in the transcript."""

    flow: str
    name: str
    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    request: Any = None                      # what to keep of the request (default: headers of note and body)
    text: str | None = None                  # a non-JSON answer (body is then ignored)
    observed: Mapping[str, Any] | None = None   # facts the handler established about the request (kept beside it)


Handler = Callable[[Call], Answer]


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    methods: tuple[str, ...]
    handler: Handler


def depth(value: Any, limit: int) -> int:
    """How deeply a parsed JSON value nests (stops counting past `limit`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > limit:
                return level
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


class CounterpartyServer:
    """A Starlette app on uvicorn in a background thread; its steps are the transcript of what was asked of it."""

    def __init__(self, routes: Sequence[Route], options: CounterpartyOptions = CounterpartyOptions(),
                 name: str = "counterparty") -> None:
        self.options = options
        self.name = name
        self._routes = tuple(routes)
        self._steps: list[Step] = []
        self._secrets: dict[str, str] = {}
        # the run's registry, when a live flow started this server: what it hands out is then redacted from every
        # output of the run too, not only from its own records
        self._run_secrets = FLOW_SECRETS.get()
        self._changed = threading.Condition()
        self.base_url = ""

    # --- records ------------------------------------------------------------------------------------------------

    def secret(self, value: str, label: str) -> str:
        """Register a value the suite hands out; records show `[redacted <label>]` wherever it appears."""
        with self._changed:
            self._secrets[value] = f"[redacted {label}]"
        if self._run_secrets is not None:
            self._run_secrets.add(value, label)
        return value

    def scrub(self, value: Any, *, depth_left: int = 64) -> Any:
        """A copy with every registered secret replaced by its label and unknown secret-looking members redacted."""
        if depth_left <= 0:
            return REDACTED
        if isinstance(value, str):
            for secret, label in sorted(self._secrets.items(), key=lambda kv: -len(kv[0])):
                if secret and secret in value:
                    value = value.replace(secret, label)
            return value
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                cleaned = self.scrub(item, depth_left=depth_left - 1)
                if isinstance(key, str) and secret_field(key) and isinstance(cleaned, str) and cleaned \
                        and not cleaned.startswith("[redacted"):
                    cleaned = REDACTED
                out[str(key)] = cleaned
            return out
        if isinstance(value, list | tuple):
            return [self.scrub(v, depth_left=depth_left - 1) for v in value]
        return value

    def record(self, step: Step) -> None:
        with self._changed:
            self._steps.append(step)
            self._changed.notify_all()

    @property
    def steps(self) -> tuple[Step, ...]:
        with self._changed:
            return tuple(self._steps)

    def wait_for(self, done: Callable[[tuple[Step, ...]], bool], timeout_s: float) -> bool:
        """Block until `done(steps)` holds or `timeout_s` passes; whether it held."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not done(tuple(self._steps)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
            return True

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- HTTP ---------------------------------------------------------------------------------------------------

    async def _read(self, request: Request) -> tuple[bytes, bool]:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.options.max_body_bytes:
                return b"".join(chunks)[:MAX_TEXT], True
            chunks.append(chunk)
        return b"".join(chunks), False

    def _call(self, request: Request, raw: bytes) -> Call:
        headers = {k.lower(): v for k, v in request.headers.items()}
        parsed: Any = None
        form: dict[str, str] | None = None
        problem = ""
        kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if raw.strip():
            if kind == "application/x-www-form-urlencoded":
                form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            else:
                try:
                    parsed = json.loads(raw)
                    if depth(parsed, self.options.max_depth) > self.options.max_depth:
                        parsed, problem = None, f"the JSON nests deeper than {self.options.max_depth} levels"
                except (ValueError, RecursionError) as exc:
                    problem = f"the body is not JSON ({type(exc).__name__})"
        return Call(method=request.method, path=request.url.path, url=str(request.url),
                    params={k: str(v) for k, v in request.path_params.items()}, query=dict(request.query_params),
                    headers=headers, raw=raw, json=parsed, form=form, problem=problem, received_at=time.time())

    def _noted(self, call: Call) -> dict[str, Any]:
        headers = {k: self.scrub(v) if k == "authorization" else redact_header(k, v)
                   for k, v in call.headers.items() if k in NOTED_HEADERS}
        if "authorization" in headers and not str(headers["authorization"]).startswith(("Bearer [redacted",
                                                                                           "DPoP [redacted")):
            scheme = str(headers["authorization"]).split(" ", 1)[0]
            headers["authorization"] = f"{scheme[:16]} {REDACTED}"
        body: Any = call.json if call.json is not None else call.form
        if body is None and call.raw.strip():
            body = {"rawBytes": len(call.raw), "start": self.scrub(call.raw[:80].decode("utf-8", "replace"))}
        return {"headers": headers, "body": self.scrub(body), **({"problem": call.problem} if call.problem else {})}

    def _endpoint(self, route: Route) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            started = time.monotonic()
            raw, too_large = await self._read(request)
            if too_large:
                self.record(Step(flow="bounds", name="too-large", method=request.method,
                                 url=redact_url(self.scrub(str(request.url))),
                                 request={"rawBytes": f"over {self.options.max_body_bytes}"}, status=413,
                                 message=f"the request body is over {self.options.max_body_bytes} bytes"))
                return JSONResponse({"error": "invalid_request", "error_description": "the body is too large"},
                                    status_code=413)
            call = self._call(request, raw)
            try:
                answer = await run_in_threadpool(route.handler, call)
            except Exception as exc:  # noqa: BLE001 - a handler defect is recorded, never a crash of the suite
                answer = Answer("bounds", "handler-error", 500, {"error": "server_error"},
                                request={"note": f"the suite's handler raised {type(exc).__name__}"})
            shown = self._noted(call) if answer.request is None else self.scrub(answer.request)
            if answer.observed is not None and isinstance(shown, dict):
                shown["observed"] = self.scrub(dict(answer.observed))
            kept = tuple((k.lower(), self.scrub(v)) for k, v in answer.headers.items()
                         if k.lower() in KEPT_ANSWER_HEADERS)
            if answer.text is not None:
                kept = (*kept, ("content-type", "text/plain"))
            self.record(Step(flow=answer.flow, name=answer.name, method=call.method,
                             url=redact_url(self.scrub(call.url)), request=shown, status=answer.status,
                             headers=kept, body=self.scrub(answer.body) if answer.text is None else None,
                             text=answer.text or "", elapsed_s=time.monotonic() - started))
            if answer.text is not None:
                return Response(answer.text, status_code=answer.status, headers=dict(answer.headers),
                                media_type="text/plain")
            return JSONResponse(answer.body, status_code=answer.status, headers=dict(answer.headers))
        return endpoint

    async def _unrouted(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        self.record(Step(flow="unrouted", name=str(status), method=request.method,
                         url=redact_url(self.scrub(str(request.url))), request=None, status=status))
        return JSONResponse({"error": "not_found"}, status_code=status)

    def app(self) -> Starlette:
        routes = [StarletteRoute(r.path, self._endpoint(r), methods=list(r.methods)) for r in self._routes]
        return Starlette(routes=routes, exception_handlers={404: self._unrouted, 405: self._unrouted})

    def run(self, what: str, sessions: Callable[[], None]) -> Transcript:
        """Serve while `sessions` hands the implementation its offers, links or requests; the transcript is every
        step recorded, with why the suite could not serve its `what` (e.g. "test issuer") when it could not."""
        try:
            with self.running():
                sessions()
        except (RuntimeError, OSError) as exc:
            return Transcript(self.steps, setup_error=f"the suite cannot serve its {what}: {exc}")
        return Transcript(self.steps)

    @contextmanager
    def running(self, startup_timeout_s: float = 10.0) -> Iterator[CounterpartyServer]:
        """Serve in a background thread until the block ends (the listen address from the options)."""
        with serve_in_thread(self.app(), name=f"the suite's {self.name} server", host=self.options.host,
                             port=self.options.port, loopback_only=False, startup_timeout_s=startup_timeout_s,
                             timeout_graceful_shutdown=1, h11_max_incomplete_event_size=64 * 1024,
                             ssl_certfile=self.options.tls_cert, ssl_keyfile=self.options.tls_key) as bound:
            self.base_url = self.options.public_url or bound.url(self.options.scheme)
            yield self
