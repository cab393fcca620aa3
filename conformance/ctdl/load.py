"""Published CTDL documents to CtdlDocument: resource documents, /graph/ documents and Registry envelopes.

Only structure is read here (which nodes exist, where, which are top-level); nothing is judged. A document this
module cannot read as CTDL raises CtdlLoadError with a message saying what it expected and found.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.formats import Limits, PayloadError
from conformance.formats.json_text import parse_json

from .model import NAMESPACES, CtdlDocument, CtdlNode, DocumentKind

CONTEXT_URLS = {
    "https://credreg.net/ctdl/schema/context/json", "http://credreg.net/ctdl/schema/context/json",
    "https://credreg.net/ctdlasn/schema/context/json", "http://credreg.net/ctdlasn/schema/context/json",
}
MAX_NESTING = 64


class CtdlLoadError(ValueError):
    """The JSON is not a CTDL document in any of the published shapes."""


def _context_urls(document: Mapping[str, Any]) -> tuple[str, ...]:
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    return tuple(item for item in items if isinstance(item, str))


def cites_ctdl_context(document: Any) -> bool:
    return isinstance(document, Mapping) and any(url in CONTEXT_URLS for url in _context_urls(document))


def looks_like_ctdl(document: Any) -> bool:
    """A resource or graph document citing a CTDL context, or a Registry envelope carrying one."""
    if not isinstance(document, Mapping):
        return False
    if cites_ctdl_context(document):
        return True
    decoded = document.get("decoded_resource")
    return isinstance(decoded, Mapping) and cites_ctdl_context(decoded)


def _prefixed(key: str) -> str:
    for prefix, namespace in NAMESPACES.items():
        if key.startswith(namespace):
            return f"{prefix}:{key[len(namespace):]}"
    return key


def _normalized(node: Mapping[str, Any]) -> dict[str, Any]:
    return {_prefixed(key): value for key, value in node.items()}


def _nested(value: Any, pointer: str, source: str, depth: int) -> Iterator[CtdlNode]:
    """Typed objects nested inside a node's properties (embedded blank nodes): never top-level resources."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nested(item, f"{pointer}/{index}", source, depth + 1)
    elif isinstance(value, Mapping):
        if "@type" in value:
            node = CtdlNode(_normalized(value), pointer, source, top_level=False)
            yield node
        for key, inner in value.items():
            if not key.startswith("@") and isinstance(inner, list | Mapping):
                yield from _nested(inner, f"{pointer}/{_escape(key)}", source, depth + 1)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _nodes(node: Mapping[str, Any], pointer: str, source: str, top_level: bool) -> Iterator[CtdlNode]:
    data = _normalized(node)
    head = CtdlNode(data, pointer, source, top_level)
    yield CtdlNode(data, pointer, source, top_level and not head.is_blank)
    for key, value in node.items():
        if not key.startswith("@") and isinstance(value, list | Mapping):
            yield from _nested(value, f"{pointer}/{_escape(key)}", source, 1)


def load_bytes(data: bytes, source: str, limits: Limits = Limits()) -> CtdlDocument:
    """One published document from its bytes: UTF-8 with or without a byte-order mark, within the limits."""
    try:
        value = parse_json(data, limits)
    except PayloadError as exc:
        raise CtdlLoadError(f"{source}: {exc.message}") from None
    return load_document(value, source)


def load_document(document: Any, source: str) -> CtdlDocument:
    if not isinstance(document, Mapping):
        raise CtdlLoadError(f"{source}: expected a JSON object, found {type(document).__name__}")
    if "decoded_resource" in document:
        inner = document["decoded_resource"]
        if isinstance(inner, str):
            # some envelope listings carry the graph as a JSON string rather than an object
            try:
                inner = parse_json(inner)
            except PayloadError as exc:
                raise CtdlLoadError(f"{source}: the envelope's decoded_resource string is not JSON: {exc.message}"
                                    ) from None
        if not isinstance(inner, Mapping):
            raise CtdlLoadError(f"{source}: the envelope's decoded_resource is not a JSON object")
        loaded = load_document(inner, source)
        envelope = {k: v for k, v in document.items() if k != "decoded_resource"}
        nodes = tuple(CtdlNode(n.data, "/decoded_resource" + n.pointer, n.source, n.top_level) for n in loaded.nodes)
        return CtdlDocument(source, DocumentKind.ENVELOPE, nodes, loaded.context, loaded.graph_id, envelope)
    context = _context_urls(document)
    graph = document.get("@graph")
    if graph is not None:
        if not isinstance(graph, list):
            raise CtdlLoadError(f"{source}: expected @graph to be an array, found {type(graph).__name__}")
        nodes: list[CtdlNode] = []
        for index, item in enumerate(graph):
            if isinstance(item, Mapping):
                nodes.extend(_nodes(item, f"/@graph/{index}", source, top_level=True))
        graph_id = document.get("@id")
        return CtdlDocument(source, DocumentKind.GRAPH, tuple(nodes), context,
                            graph_id if isinstance(graph_id, str) else None)
    body = {k: v for k, v in document.items() if k != "@context"}
    return CtdlDocument(source, DocumentKind.RESOURCE, tuple(_nodes(body, "", source, top_level=True)), context)
