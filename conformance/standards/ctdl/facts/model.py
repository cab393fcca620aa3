"""The shape every CTDL module works on: resources (nodes) as they were published, in compact JSON-LD.

Published CTDL is compact JSON-LD with prefixed keys (`ceterms:name`, `ceasn:competencyText`) under the CTDL or
CTDL-ASN context; keys and @type values spelled otherwise (full IRIs, another prefix an inline context maps to a
CTDL namespace, a keyword alias) are brought to that prefixed form when loading, so checks compare one spelling.
Each node keeps how its keys were written (`at()` points at the key as published). Values are kept exactly as
published (language maps, lists, nested blank nodes).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CTID_ANY_CASE = re.compile(r"^ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

NAMESPACES: Mapping[str, str] = {
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "asn": "http://purl.org/ASN/schema/core/",
    "qdata": "https://credreg.net/qdata/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
}


def other_scheme(namespace: str) -> str:
    """The namespace under the other of http/https: CTDL data is published with both spellings."""
    if namespace.startswith("https://"):
        return "http://" + namespace[len("https://"):]
    if namespace.startswith("http://"):
        return "https://" + namespace[len("http://"):]
    return namespace


def escape_pointer(key: str) -> str:
    """One key as a JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


class DocumentKind(StrEnum):
    RESOURCE = "resource"        # one node with its own @context (GET /resources/{ctid})
    GRAPH = "graph"              # @context + @id (…/graph/{ctid}) + @graph: the resource, its parts, blank nodes
    ENVELOPE = "envelope"        # a Registry envelope whose decoded_resource is one of the above


@dataclass(frozen=True, slots=True)
class CtdlNode:
    """One node object of a publication, with where it sits in its source document."""

    data: Mapping[str, Any]      # the node object as published (keys normalized to prefixed form)
    pointer: str                 # JSON pointer inside the source document, e.g. "/@graph/2"
    source: str                  # the document it came from (file path, URL, or "<jsonl>:<line>")
    top_level: bool              # a Registry resource (not a blank node, not nested inside another node)
    written: Mapping[str, str] = field(default_factory=dict)   # normalized key -> the key as published, if other

    def key(self, name: str) -> str:
        """A property's key as the document wrote it."""
        return self.written.get(name, name)

    def at(self, key: str = "") -> str:
        """The JSON pointer of one of the node's keys as published (`"@id"`, `"ceterms:name"`), or of the node."""
        if not key:
            return self.pointer
        return f"{self.pointer}/{escape_pointer(self.key(key))}"

    @property
    def id(self) -> str | None:
        value = self.data.get("@id")
        return value if isinstance(value, str) else None

    @property
    def types(self) -> tuple[str, ...]:
        value = self.data.get("@type")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(t for t in value if isinstance(t, str))
        return ()

    @property
    def ctid(self) -> str | None:
        value = self.data.get("ceterms:ctid")
        return value if isinstance(value, str) else None

    @property
    def is_blank(self) -> bool:
        return self.id is None or self.id.startswith("_:")

    def values(self, key: str) -> list[Any]:
        """A property's values as a list (a single value, a list, or nothing)."""
        value = self.data.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True, slots=True)
class CtdlDocument:
    """One published document: the nodes it holds, top-level resources first in document order."""

    source: str
    kind: DocumentKind
    nodes: tuple[CtdlNode, ...]
    context: tuple[str, ...] = ()          # the context URLs it cites, as written
    graph_id: str | None = None            # the @id of a /graph/ document
    envelope: Mapping[str, Any] | None = None   # envelope metadata without decoded_resource (owned_by, ...)
    ctdl: bool = True                      # recognized as CTDL by meaning (see recognition.py)
    graph_key: str | None = None           # the key of the @graph array as written (an alias, or "@graph")

    @property
    def base(self) -> str:
        """Where the publication sits in its source document: "" or, in an envelope, "/decoded_resource"."""
        return "/decoded_resource" if self.kind is DocumentKind.ENVELOPE else ""

    def is_top(self, node: CtdlNode) -> bool:
        """The resource document's own node, or an item of the @graph array (blank or not)."""
        if self.graph_key is None:
            return node.pointer == self.base
        head = f"{self.base}/{escape_pointer(self.graph_key)}/"
        return node.pointer.startswith(head) and node.pointer[len(head):].isdigit()

    @property
    def resources(self) -> Iterator[CtdlNode]:
        return (node for node in self.nodes if node.top_level)
