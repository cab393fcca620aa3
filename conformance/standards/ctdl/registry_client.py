"""A read-only client for the Credential Registry's HTTP API, over the suite's guarded HTTP client.

Every request goes through one `GuardedClient`, so the Registry is held to the same limits as any other server the
suite talks to: public addresses only (unless the run allows private ones, as the tests and the stand-in need),
bounded time and size, redirects checked hop by hop, every exchange recorded and redacted. Bodies come back parsed
by conformance/standards/ctdl/facts/load.py; nothing here judges a publication.

The Registry treats CTIDs case-insensitively on /resources and /graph but not on every route, and publishers ask
for lower case, so the client lower-cases a CTID before it builds a URL: an upper-case CTID typed by a user still
finds its resource.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

from conformance.standards.ctdl.facts.load import CtdlLoadError, load_document, looks_like_ctdl
from conformance.standards.ctdl.facts.model import CtdlDocument
from conformance.support.net import FetchError, FetchReason, GuardedClient

REGISTRY_BASES: Mapping[str, str] = {
    "production": "https://credentialengineregistry.org",
    "sandbox": "https://sandbox.credentialengineregistry.org",
    "staging": "https://staging.credentialengineregistry.org",
}
DEFAULT_COMMUNITY = "ce-registry"
MAX_PER_PAGE = 200
ACCEPT = "application/ld+json, application/json;q=0.9"

# Any case, the ce- prefix included: users paste CTIDs from upper-cased spreadsheets.
CTID_ANY_CASE = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_REGISTRY_PATH = re.compile(
    r"^/(?:(?P<community>[a-z0-9_-]+)/)?(?P<kind>resources|graph|envelopes)/(?P<ctid>[cC][eE]-[0-9A-Fa-f-]{36})/?$")
_LINK = re.compile(r"<(?P<url>[^>]*)>\s*((?:;\s*[a-zA-Z]+\s*=\s*(?:\"[^\"]*\"|[^;,]*)\s*)*)")
_REL = re.compile(r";\s*rel\s*=\s*(?:\"(?P<q>[^\"]*)\"|(?P<t>[^;,\s]*))")


class RegistryErrorKind(StrEnum):
    NOT_FOUND = "not-found"            # the Registry answers 404 or 410: nothing is published under that CTID
    UNAVAILABLE = "unavailable"        # the exchange failed (refused, timeout, too large, private address, 5xx)
    INVALID = "invalid"                # an answer came back, but not the JSON / CTDL the route promises
    BAD_REQUEST = "bad-request"        # the caller asked for something that is not a CTID or a Registry URL


class RegistryError(OSError):
    """A Registry read that produced no usable document. An OSError, so the runner reports an unreadable target
    as a finding instead of stopping the run."""

    kind: RegistryErrorKind = RegistryErrorKind.UNAVAILABLE

    def __init__(self, message: str, *, url: str = "", status: int | None = None,
                 reason: FetchReason | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class NotFound(RegistryError):
    kind = RegistryErrorKind.NOT_FOUND


class RegistryUnavailable(RegistryError):
    kind = RegistryErrorKind.UNAVAILABLE


class InvalidAnswer(RegistryError):
    kind = RegistryErrorKind.INVALID


class BadRequest(RegistryError):
    kind = RegistryErrorKind.BAD_REQUEST


@dataclass(frozen=True, slots=True)
class RegistryUri:
    """A Registry URL taken apart: which Registry, which route, which CTID (lower-cased; `ctid_as_written` keeps
    the spelling found)."""

    base: str
    kind: str                 # resources | graph | envelopes
    ctid: str
    ctid_as_written: str
    community: str | None = None
    scheme: str = "https"

    @property
    def resource_url(self) -> str:
        return f"{self.base}/resources/{self.ctid}"

    @property
    def graph_url(self) -> str:
        return f"{self.base}/graph/{self.ctid}"


@dataclass(frozen=True, slots=True)
class EnvelopePage:
    """One page of envelopes (`/ce-registry/envelopes`, `/search`) with the paging the Registry announced."""

    envelopes: tuple[Mapping[str, Any], ...]
    page: int
    per_page: int
    total: int | None
    next_url: str | None
    links: Mapping[str, str]

    def documents(self, source: str) -> Iterator[CtdlDocument]:
        """Each envelope read as CTDL; an envelope that is not CTDL raises CtdlLoadError."""
        for index, envelope in enumerate(self.envelopes):
            yield load_document(envelope, f"{source}#{index}")


def normalize_ctid(value: str) -> str:
    """The lower-case CTID, whatever case it was written in; BadRequest when it is no CTID at all."""
    if not isinstance(value, str) or not CTID_ANY_CASE.match(value.strip()):
        raise BadRequest(f"{str(value)[:80]!r} is not a CTID; expected ce- followed by a UUID")
    return value.strip().lower()


def registry_base(name_or_url: str | None) -> str:
    """A base URL from an environment name (production, sandbox, staging) or a configured URL."""
    if not name_or_url:
        return REGISTRY_BASES["production"]
    if name_or_url in REGISTRY_BASES:
        return REGISTRY_BASES[name_or_url]
    parts = urlsplit(name_or_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequest(f"{name_or_url!r} is neither a Registry environment ({', '.join(REGISTRY_BASES)}) "
                         "nor an http(s) base URL")
    return name_or_url.rstrip("/")


def environment_of(host: str) -> str | None:
    """production, sandbox or staging when the host is one of Credential Engine's Registry hosts."""
    for name, base in REGISTRY_BASES.items():
        if urlsplit(base).hostname == host.lower():
            return name
    return None


def parse_registry_uri(url: str, *, bases: Sequence[str] = ()) -> RegistryUri | None:
    """A Registry resource, graph or envelope URL of a known Registry host (or one of `bases`), else None."""
    if not isinstance(url, str) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    known = {urlsplit(b).netloc.lower(): b.rstrip("/") for b in (*REGISTRY_BASES.values(), *bases)}
    origin = parts.netloc.lower()
    base = known.get(origin) or (known.get(host) if parts.port is None else None)
    if base is None:
        for candidate_origin, candidate in known.items():
            candidate_path = urlsplit(candidate).path.rstrip("/")
            if candidate_origin == origin and candidate_path and parts.path.startswith(candidate_path + "/"):
                base = candidate
                break
    if base is None:
        return None
    path = parts.path[len(urlsplit(base).path.rstrip("/")):]
    match = _REGISTRY_PATH.match(path)
    if match is None or not CTID_ANY_CASE.match(match["ctid"]):
        return None
    # The scheme as written decides nothing about which Registry it is; the caller judges http vs https.
    return RegistryUri(base=base, kind=match["kind"], ctid=match["ctid"].lower(), ctid_as_written=match["ctid"],
                       community=match["community"], scheme=parts.scheme)


def parse_links(header: str | None) -> dict[str, str]:
    """rel -> URL from an HTTP Link header (RFC 8288), first occurrence of each rel wins."""
    links: dict[str, str] = {}
    if not header:
        return links
    for match in _LINK.finditer(header[:16_384]):
        for rel_match in _REL.finditer(match.group(2) or ""):
            for rel in (rel_match["q"] or rel_match["t"] or "").split():
                links.setdefault(rel.lower(), match["url"])
    return links


def parse_json(body: bytes, where: str) -> Any:
    """JSON from a Registry answer; a UTF-8 byte-order mark is tolerated, anything unreadable is InvalidAnswer."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return orjson.loads(body)
    except (orjson.JSONDecodeError, RecursionError) as exc:
        raise InvalidAnswer(f"{where} does not answer with JSON: {exc}", url=where) from None


class RegistryClient:
    """Reads one Registry (`base`) through a GuardedClient the caller owns (and closes)."""

    def __init__(self, client: GuardedClient, base: str | None = None, *, community: str | None = None,
                 max_bytes: int | None = None) -> None:
        self.http = client
        self.base = registry_base(base)
        self.community = community
        self.max_bytes = max_bytes

    # -- URLs -----------------------------------------------------------------------------------------------

    def _route(self, kind: str, ctid: str) -> str:
        prefix = f"/{self.community}" if self.community else ""
        return f"{self.base}{prefix}/{kind}/{normalize_ctid(ctid)}"

    def resource_url(self, ctid: str) -> str:
        return self._route("resources", ctid)

    def graph_url(self, ctid: str) -> str:
        return self._route("graph", ctid)

    def envelope_url(self, ctid_or_id: str) -> str:
        prefix = f"/{self.community}" if self.community else ""
        if CTID_ANY_CASE.match(ctid_or_id.strip()):
            return f"{self.base}{prefix}/envelopes/{normalize_ctid(ctid_or_id)}"
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", ctid_or_id):
            raise BadRequest(f"{ctid_or_id[:80]!r} is neither a CTID nor an envelope id")
        return f"{self.base}{prefix}/envelopes/{ctid_or_id}"

    # -- reads ----------------------------------------------------------------------------------------------

    def get_json(self, url: str) -> tuple[Any, Mapping[str, str]]:
        """The parsed body and the response headers (lower-case names) of a GET on `url`."""
        try:
            response = self.http.get(url, accept=ACCEPT, max_bytes=self.max_bytes)
        except FetchError as exc:
            raise translate(exc, url) from None
        return parse_json(response.body, url), dict(response.headers)

    def document(self, url: str) -> CtdlDocument:
        """Any Registry URL (resource, graph, envelope) read as a CTDL document."""
        body, _headers = self.get_json(url)
        if not looks_like_ctdl(body):
            raise InvalidAnswer(f"{url} answers with JSON that is not a CTDL document (no CTDL context, directly or "
                                "in an envelope's decoded_resource)", url=url)
        try:
            return load_document(body, url)
        except (CtdlLoadError, RecursionError) as exc:
            raise InvalidAnswer(f"{url} does not answer with a CTDL document: {exc}", url=url) from None

    def resource(self, ctid: str) -> CtdlDocument:
        return self.document(self.resource_url(ctid))

    def graph(self, ctid: str) -> CtdlDocument:
        return self.document(self.graph_url(ctid))

    def envelope(self, ctid_or_id: str) -> CtdlDocument:
        return self.document(self.envelope_url(ctid_or_id))

    def envelopes(self, page: int = 1, per_page: int = 100, *, community: str = DEFAULT_COMMUNITY) -> EnvelopePage:
        """One page of the community's envelopes (`GET /{community}/envelopes`)."""
        query = urlencode({"page": max(1, page), "per_page": max(1, min(per_page, MAX_PER_PAGE))})
        return self._page(f"{self.base}/{community}/envelopes?{query}")

    def search(self, *, fts: str | None = None, resource_type: str | None = None, community: str | None = None,
               page: int = 1, per_page: int = 100, **properties: str) -> EnvelopePage:
        """The legacy envelope search (`GET /search`): full text, resource type and property filters."""
        params: dict[str, str | int] = {"page": max(1, page), "per_page": max(1, min(per_page, MAX_PER_PAGE))}
        for key, value in (("fts", fts), ("resource_type", resource_type), ("community", community)):
            if value:
                params[key] = value
        params.update({k: v for k, v in properties.items() if isinstance(v, str)})
        return self._page(f"{self.base}/search?{urlencode(params)}")

    def follow(self, page: EnvelopePage) -> EnvelopePage | None:
        """The next page the Registry announced, or None at the end."""
        return self._page(page.next_url) if page.next_url else None

    def all_envelopes(self, per_page: int = 100, *, max_pages: int = 10_000,
                      community: str = DEFAULT_COMMUNITY) -> Iterator[Mapping[str, Any]]:
        """Every envelope, page after page along the Link headers (a server that loops is stopped)."""
        current: EnvelopePage | None = self.envelopes(1, per_page, community=community)
        seen: set[str] = set()
        pages = 0
        while current is not None and pages < max_pages:
            pages += 1
            yield from current.envelopes
            if current.next_url is None or current.next_url in seen:
                return
            seen.add(current.next_url)
            current = self.follow(current)

    def _page(self, url: str) -> EnvelopePage:
        body, headers = self.get_json(url)
        if not isinstance(body, list) or not all(isinstance(item, Mapping) for item in body):
            raise InvalidAnswer(f"{url} answers with {type(body).__name__}; expected a JSON array of envelopes",
                                url=url)
        links = {rel: _absolute(url, target) for rel, target in parse_links(headers.get("link")).items()}
        query = dict(item.split("=", 1) for item in urlsplit(url).query.split("&") if "=" in item)
        return EnvelopePage(envelopes=tuple(body), page=_int(query.get("page"), 1),
                            per_page=_int(headers.get("per-page") or query.get("per_page"), len(body)),
                            total=_int(headers.get("x-total") or headers.get("total"), None),
                            next_url=links.get("next"), links=links)


def _int(value: str | None, default: Any) -> Any:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _absolute(base: str, target: str) -> str:
    try:
        return str(httpx.URL(base).join(target))
    except (httpx.InvalidURL, ValueError, TypeError):
        return target


def translate(exc: FetchError, url: str) -> RegistryError:
    """The typed Registry error for a failed fetch of `url`."""
    if exc.reason is FetchReason.HTTP_STATUS and exc.status in (404, 410):
        return NotFound(f"{url} answers HTTP {exc.status}: the Registry publishes nothing there", url=url,
                        status=exc.status, reason=exc.reason)
    if exc.reason is FetchReason.HTTP_STATUS and exc.status is not None and 400 <= exc.status < 500:
        return BadRequest(f"{url} answers HTTP {exc.status}: {exc.message}", url=url, status=exc.status,
                          reason=exc.reason)
    return RegistryUnavailable(exc.message or f"{url} cannot be fetched", url=url, status=exc.status,
                               reason=exc.reason)
