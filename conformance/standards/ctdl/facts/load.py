"""Published CTDL documents to CtdlDocument: resource documents, /graph/ documents and Registry envelopes.

Only structure is read here (which nodes exist, where, which are top-level); nothing is judged. Keys and @type
values are brought to the one prefixed spelling the checks compare (`ceterms:name`, `ceasn:Competency`) under the
document's own context, whatever it is: the CTDL context URLs, other credreg.net contexts, an inline context that
maps some prefix to a CTDL namespace, or full IRIs as keys (see recognition.py). Each node remembers how its keys
were written, so findings point at the key as published. A document this module cannot read as CTDL raises
CtdlLoadError with a message saying what it expected and found.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode, DocumentKind
from conformance.standards.ctdl.facts.recognition import (
    CONTEXT_URLS,
    DocumentContext,
    is_ctdl_context_url,
    looks_like_ctdl,
    normalized_name,
    read_context,
    recognize,
)
from conformance.support.formats import Limits, PayloadError
from conformance.support.formats.json_text import parse_json

__all__ = ["CONTEXT_URLS", "CtdlLoadError", "cites_ctdl_context", "is_ctdl_context_url", "load_bytes",
           "load_document", "looks_like_ctdl", "recognize"]

MAX_NESTING = 64


class CtdlLoadError(ValueError):
    """The JSON is not a CTDL document in any of the published shapes."""


def cites_ctdl_context(document: Any) -> bool:
    """True when the document cites one of Credential Engine's context URLs (any spelling)."""
    return isinstance(document, Mapping) and read_context(document).cites_ctdl


class _Names:
    """One document's key and type spellings, normalized once per distinct spelling (documents repeat keys)."""

    def __init__(self, context: DocumentContext):
        self.context = context
        self._seen: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self._seen.get(name)
        if found is None:
            found = self._seen[name] = normalized_name(name, self.context)
        return found

    def node(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The node with normalized keys (and @type values), and normalized key -> key as written where they differ.
        When two spellings name one term, the first wins and the later is kept under its own spelling."""
        data: dict[str, Any] = {}
        written: dict[str, str] = {}
        for key, value in raw.items():
            name = self(key) if key != "@context" else key
            if name in data:
                name = key
            if name == "@type":
                value = self.types(value)
            data[name] = value
            if name != key:
                written[name] = key
        return data, written

    def types(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self(item) if isinstance(item, str) else item for item in value]
        return value

    def keyword(self, document: Mapping[str, Any], keyword: str) -> str:
        """The key that stands for a keyword in this document (@graph, or an alias the context defines)."""
        if keyword in document:
            return keyword
        return next((key for key in document if self(key) == keyword), keyword)


def _nested(value: Any, pointer: str, source: str, depth: int, names: _Names) -> Iterator[CtdlNode]:
    """Typed objects nested inside a node's properties (embedded blank nodes): never top-level resources."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nested(item, f"{pointer}/{index}", source, depth + 1, names)
    elif isinstance(value, Mapping):
        data, written = names.node(value)
        if "@type" in data:
            yield CtdlNode(data, pointer, source, top_level=False, written=written)
        for key, inner in value.items():
            if not key.startswith("@") and isinstance(inner, list | Mapping):
                yield from _nested(inner, f"{pointer}/{_escape(key)}", source, depth + 1, names)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _nodes(node: Mapping[str, Any], pointer: str, source: str, top_level: bool, names: _Names) -> Iterator[CtdlNode]:
    data, written = names.node(node)
    head = CtdlNode(data, pointer, source, top_level, written=written)
    yield replace(head, top_level=top_level and not head.is_blank)
    for key, value in node.items():
        if not key.startswith("@") and isinstance(value, list | Mapping):
            yield from _nested(value, f"{pointer}/{_escape(key)}", source, 1, names)


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
        nodes = tuple(replace(n, pointer="/decoded_resource" + n.pointer) for n in loaded.nodes)
        return replace(loaded, kind=DocumentKind.ENVELOPE, nodes=nodes, envelope=envelope)
    context = read_context(document)
    names = _Names(context)
    ctdl = recognize(document).ctdl
    graph_key = names.keyword(document, "@graph")
    graph = document.get(graph_key)
    if graph is not None:
        if not isinstance(graph, list):
            raise CtdlLoadError(f"{source}: expected {graph_key} to be an array, found {type(graph).__name__}")
        nodes: list[CtdlNode] = []
        for index, item in enumerate(graph):
            if isinstance(item, Mapping):
                nodes.extend(_nodes(item, f"/{_escape(graph_key)}/{index}", source, True, names))
        graph_id = document.get(names.keyword(document, "@id"))
        return CtdlDocument(source, DocumentKind.GRAPH, tuple(nodes), context.urls,
                            graph_id if isinstance(graph_id, str) else None, ctdl=ctdl, graph_key=graph_key)
    body = {k: v for k, v in document.items() if k != "@context"}
    return CtdlDocument(source, DocumentKind.RESOURCE, tuple(_nodes(body, "", source, True, names)), context.urls,
                        ctdl=ctdl)
