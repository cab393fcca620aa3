"""A Credential Registry stand-in: the Registry's public read API served from a directory of CTDL files.

The real Registry (a Ruby/Grape application over PostgreSQL) cannot run on the project's machines, so tests and
`make demo` talk to this instead. It serves what the Registry's documentation and the research notes describe
(research/ctdl-registry.md section 3), written from that description:

    GET  /resources/{ctid}              the resource node with its @context (CTID case-insensitive)
    GET  /graph/{ctid}                  the /graph/ document holding the resource (a component's is its pathway's)
    GET  /envelopes/{ctid|envelope_id}  the envelope; like the Registry, the CTID must be written in lower case
    GET  /{community}/...               the same three routes under a community prefix (ce-registry)
    GET  /{community}/envelopes         every envelope, paged (?page=, ?per_page= at most 200) with Link headers
    GET  /search                        envelope search: fts=, resource_type=, prefixed property filters, paging
    POST /resources/search, /graph/search  {"ctids": [...]}: the documents found, in request order
    POST /resources/check_existence     {"ctids": [...]}: the CTIDs that exist

Errors are `{"errors": [...]}` with 400, 404, 405 or 422. Loopback only: it is a test fixture, not a service.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.support.serving import serve_in_thread

COMMUNITIES = frozenset({"ce-registry", "ce_registry"})
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 200
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_BODY_BYTES = 1024 * 1024
ENVELOPE_NAMESPACE = uuid.UUID("5b6f5c43-8e0e-4b8f-9d1e-6f3c2a7d9e41")   # envelope ids derive from CTIDs, stably


# The stand-in reads publications its own way, not with the suite's CTDL loader: a reference system that shared the
# judge's reading would agree with it by construction.
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CTID_ANY_CASE = re.compile(CTID.pattern, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Node:
    """A top-level resource of a publication: the resource document itself, or an item of its @graph."""

    pointer: str                  # within the publication body
    id: str | None
    ctid: str | None
    types: tuple[str, ...]


def _published(document: Any, source: str) -> tuple[Mapping[str, Any], Mapping[str, Any], list[_Node]]:
    """(the publication body, the envelope's metadata or {}, its top-level resources) of a resource document, a
    /graph/ document or a Registry envelope."""
    if not isinstance(document, Mapping):
        raise RegistryDataError(f"{source}: expected a JSON object, found {type(document).__name__}")
    meta: Mapping[str, Any] = {}
    body: Any = document
    if "decoded_resource" in document:
        meta = {k: v for k, v in document.items() if k != "decoded_resource"}
        body = document["decoded_resource"]
        if not isinstance(body, Mapping):
            raise RegistryDataError(f"{source}: decoded_resource is not a JSON object")
    graph = body.get("@graph")
    items = [(f"/@graph/{i}", item) for i, item in enumerate(graph)] if isinstance(graph, list) else [("", body)]
    nodes = []
    for pointer, item in items:
        if not isinstance(item, Mapping):
            continue
        types = item.get("@type")
        ctid = item.get("ceterms:ctid")
        nodes.append(_Node(pointer, item.get("@id") if isinstance(item.get("@id"), str) else None,
                           ctid if isinstance(ctid, str) else None,
                           tuple(t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str))))
    return body, meta, nodes


class RegistryDataError(ValueError):
    """The directory cannot be served (a file is not CTDL, a CTID is published twice)."""


@dataclass(frozen=True, slots=True)
class Publication:
    """One top-level resource as the stand-in serves it."""

    ctid: str
    ctdl_type: str
    resource: Mapping[str, Any]          # GET /resources/{ctid}
    graph: Mapping[str, Any]             # GET /graph/{ctid}
    primary: bool                        # the resource a document was published for (it has an envelope)
    owned_by: str | None
    updated_at: str
    source: str


@dataclass
class RegistryData:
    publications: dict[str, Publication] = field(default_factory=dict)
    envelopes: dict[str, dict[str, Any]] = field(default_factory=dict)      # ctid -> envelope
    envelope_ids: dict[str, str] = field(default_factory=dict)              # envelope_id -> ctid

    @classmethod
    def from_directory(cls, directory: Path) -> RegistryData:
        data = cls()
        files = sorted(p for p in Path(directory).rglob("*") if p.is_file() and p.suffix in (".json", ".jsonld",
                                                                                            ".jsonl"))
        for path in files:
            if any(part.startswith(".") for part in path.relative_to(directory).parts):
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                raise RegistryDataError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
            stamp = datetime.fromtimestamp(int(path.stat().st_mtime), UTC).isoformat().replace("+00:00", "Z")
            text = path.read_text(encoding="utf-8-sig")
            if path.suffix == ".jsonl":
                for number, line in enumerate(text.splitlines(), 1):
                    if line.strip():
                        data.add(json.loads(line), f"{path}:{number}", stamp)
            else:
                data.add(json.loads(text), str(path), stamp)
        return data

    def add(self, document: Any, source: str, updated_at: str = "2026-01-01T00:00:00Z") -> None:
        body, envelope_meta, nodes = _published(document, source)
        context = body.get("@context")
        graph = body if "@graph" in body else {"@context": context, "@id": None, "@graph": [
            {k: v for k, v in body.items() if k != "@context"}]}
        primary_ctid = _primary_ctid(nodes, body)
        resources = [n for n in nodes if n.ctid and CTID_ANY_CASE.match(n.ctid)]
        if not resources:
            raise RegistryDataError(f"{source} holds no top-level resource with a CTID")
        for node in resources:
            ctid = node.ctid.lower()  # type: ignore[union-attr]
            if ctid in self.publications:
                raise RegistryDataError(f"{source}: {ctid} is already published by {self.publications[ctid].source}")
            raw = _raw_node(body, node.pointer)
            resource = {"@context": context, **{k: v for k, v in raw.items() if k != "@context"}}
            this_graph = graph if graph.get("@id") else {**graph, "@id": _graph_id(node.id, ctid)}
            owner = _first_id(raw.get("ceterms:ownedBy") or raw.get("ceasn:publisher") or raw.get("ceterms:offeredBy"))
            primary = ctid == primary_ctid
            self.publications[ctid] = Publication(ctid, node.types[0] if node.types else "", resource, this_graph,
                                                  primary, owner, updated_at, source)
            if primary:
                self._envelope(self.publications[ctid], envelope_meta)

    def _envelope(self, publication: Publication, meta: Mapping[str, Any]) -> None:
        envelope_id = str(meta.get("envelope_id") or uuid.uuid5(ENVELOPE_NAMESPACE, publication.ctid))
        digest = hashlib.sha256(json.dumps(publication.graph, sort_keys=True).encode()).hexdigest()
        owner_ctid = _ctid_tail(publication.owned_by)
        envelope = {
            "envelope_community": "ce_registry",
            "envelope_id": envelope_id,
            "envelope_ceterms_ctid": publication.ctid,
            "envelope_ctdl_type": publication.ctdl_type,
            "envelope_type": "resource_data",
            "envelope_version": "1.0.0",
            "resource_format": "json",
            "decoded_resource": publication.graph,
            "decoded_node_headers": {"resource_digest": digest, "revision_history": [],
                                     "created_at": publication.updated_at, "updated_at": publication.updated_at,
                                     "deleted_at": None},
            "owned_by": meta.get("owned_by", owner_ctid),
            "published_by": meta.get("published_by", owner_ctid),
            "updated_at": publication.updated_at,
            "last_verified_on": publication.updated_at[:10],
        }
        self.envelopes[publication.ctid] = envelope
        self.envelope_ids[envelope_id] = publication.ctid

    def ordered_envelopes(self) -> list[dict[str, Any]]:
        return [self.envelopes[ctid] for ctid in sorted(self.envelopes)]


def _primary_ctid(nodes: list[_Node], body: Mapping[str, Any]) -> str | None:
    """The resource a document was published for: the /graph/ document's own CTID, else its first resource."""
    graph_id = body.get("@id") if "@graph" in body else None
    if isinstance(graph_id, str):
        tail = graph_id.rstrip("/").rsplit("/", 1)[-1]
        if CTID_ANY_CASE.match(tail):
            return tail.lower()
    for node in nodes:
        if node.ctid and CTID_ANY_CASE.match(node.ctid):
            return node.ctid.lower()
    return None


def _raw_node(body: Mapping[str, Any], pointer: str) -> Mapping[str, Any]:
    node: Any = body
    for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node if isinstance(node, Mapping) else {}


def _graph_id(resource_id: str | None, ctid: str) -> str:
    if resource_id and "/resources/" in resource_id:
        return resource_id.replace("/resources/", "/graph/")
    return f"https://credentialengineregistry.org/graph/{ctid}"


def _first_id(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            return item
        if isinstance(item, Mapping) and isinstance(item.get("@id"), str):
            return item["@id"]
    return None


def _ctid_tail(uri: str | None) -> str | None:
    if not uri:
        return None
    tail = uri.rstrip("/").rsplit("/", 1)[-1]
    return tail.lower() if CTID_ANY_CASE.match(tail) else None


# --- the ASGI application ------------------------------------------------------------------------------------

def _errors(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)


def _paging(request: Request) -> tuple[int, int]:
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", str(DEFAULT_PER_PAGE)))
    except ValueError:
        raise HTTPException(400, "page and per_page must be integers") from None
    if page < 1 or per_page < 1:
        raise HTTPException(400, "page and per_page must be at least 1")
    return page, min(per_page, MAX_PER_PAGE)


def _paged(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    page, per_page = _paging(request)
    total = len(items)
    last = max(1, -(-total // per_page))
    chunk = items[(page - 1) * per_page: page * per_page]
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def link(number: int, rel: str) -> str:
        query = urlencode({**params, "page": number, "per_page": per_page})
        return f'<{request.url.replace(query=query)}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    headers = {"Link": ", ".join(links), "X-Total": str(total), "Total": str(total), "Per-Page": str(per_page),
               "X-Per-Page": str(per_page), "X-Page": str(page)}
    return JSONResponse(chunk, headers=headers)


def _community(request: Request) -> None:
    community = request.path_params.get("community")
    if community is not None and community not in COMMUNITIES:
        raise HTTPException(404, f"no community named {community[:60]}")


def build_app(data: RegistryData) -> Starlette:
    """The stand-in's ASGI application over already-loaded data."""

    def lookup(request: Request) -> Publication:
        _community(request)
        ctid = str(request.path_params["ctid"])
        if not CTID_ANY_CASE.match(ctid):
            raise HTTPException(404, f"{ctid[:80]} is not a CTID")
        found = data.publications.get(ctid.lower())
        if found is None:
            raise HTTPException(404, f"no resource with CTID {ctid.lower()}")
        return found

    async def resource(request: Request) -> Response:
        return JSONResponse(lookup(request).resource)

    async def graph(request: Request) -> Response:
        return JSONResponse(lookup(request).graph)

    async def envelope(request: Request) -> Response:
        _community(request)
        key = str(request.path_params["ctid"])
        # As in the Registry (CredentialRegistry issue 602), this route matches the CTID as written.
        ctid = key if CTID.match(key) else data.envelope_ids.get(key)
        found = data.envelopes.get(ctid) if ctid else None
        if found is None:
            raise HTTPException(404, f"no envelope for {key[:80]}")
        return JSONResponse(found)

    async def envelopes(request: Request) -> Response:
        _community(request)
        return _paged(request, data.ordered_envelopes())

    async def search(request: Request) -> Response:
        params = request.query_params
        fts = params.get("fts", "").casefold()
        kind = params.get("resource_type", "").casefold()
        community = params.get("community")
        if community and community not in COMMUNITIES:
            return _paged(request, [])
        filters = {k: v.casefold() for k, v in params.items() if ":" in k}
        found = []
        for item in data.ordered_envelopes():
            text = json.dumps(item["decoded_resource"], ensure_ascii=False).casefold()
            ctdl_type = str(item["envelope_ctdl_type"]).casefold()
            if fts and fts not in text:
                continue
            if kind and kind not in ctdl_type.split(":", 1)[-1]:
                continue
            resource_node = data.publications[item["envelope_ceterms_ctid"]].resource
            if any(value not in json.dumps(resource_node.get(key), ensure_ascii=False).casefold()
                   for key, value in filters.items()):
                continue
            found.append(item)
        return _paged(request, found)

    async def ctids_of(request: Request) -> list[str]:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(422, f"the request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, RecursionError):
            raise HTTPException(422, "the request body is not JSON") from None
        ctids = body.get("ctids") if isinstance(body, dict) else None
        if not isinstance(ctids, list) or not all(isinstance(c, str) for c in ctids):
            raise HTTPException(422, "expected a JSON object with a ctids array of strings")
        return [c.lower() for c in ctids[:MAX_PER_PAGE]]

    async def resources_search(request: Request) -> Response:
        return JSONResponse([data.publications[c].resource for c in await ctids_of(request)
                             if c in data.publications])

    async def graph_search(request: Request) -> Response:
        return JSONResponse([data.publications[c].graph for c in await ctids_of(request) if c in data.publications])

    async def check_existence(request: Request) -> Response:
        return JSONResponse([c for c in await ctids_of(request) if c in data.publications])

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return _errors(status, str(detail))

    routes = [
        Route("/resources/search", resources_search, methods=["POST"]),
        Route("/graph/search", graph_search, methods=["POST"]),
        Route("/resources/check_existence", check_existence, methods=["POST"]),
        Route("/resources/{ctid}", resource, methods=["GET"]),
        Route("/graph/{ctid}", graph, methods=["GET"]),
        Route("/envelopes/{ctid}", envelope, methods=["GET"]),
        Route("/search", search, methods=["GET"]),
        Route("/{community}/envelopes", envelopes, methods=["GET"]),
        Route("/{community}/resources/{ctid}", resource, methods=["GET"]),
        Route("/{community}/graph/{ctid}", graph, methods=["GET"]),
        Route("/{community}/envelopes/{ctid}", envelope, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: http_error})


# --- serving on loopback ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RunningRegistry:
    base_url: str
    data: RegistryData


@contextmanager
def serve_registry(directory: Path, host: str = "127.0.0.1", port: int = 0,
                   *, startup_timeout_s: float = 10.0) -> Iterator[RunningRegistry]:
    """Serve `directory` on a loopback address in a background thread for the duration of the block."""
    data = RegistryData.from_directory(directory)
    with serve_in_thread(build_app(data), name="the Registry stand-in", host=host, port=port,
                         startup_timeout_s=startup_timeout_s) as bound:
        yield RunningRegistry(bound.url(), data)


def main(argv: list[str] | None = None) -> None:
    """`python -m conformance.reference.registry DIR [--port N]`: serve until interrupted (make demo)."""
    parser = argparse.ArgumentParser(description="Serve a directory of CTDL files as a Credential Registry stand-in")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with serve_registry(args.directory, args.host, args.port) as running:
        print(f"Registry stand-in: {running.base_url} ({len(running.data.publications)} resources)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
