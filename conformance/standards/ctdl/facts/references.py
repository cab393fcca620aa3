"""References between CTDL resources and where they lead: this document, the publication set, known documents, the
Registry.

A reference is a value of an @id-typed term (per the pinned CTDL contexts) or an explicit {"@id": …} object, when it
names something the suite can look up: a blank node (`_:…`, local to its document), a Registry resource or graph URI
or a bare CTID, or the @id of a node in the same document (self-published data uses the publisher's own URLs). Other
URLs (web pages, concept IRIs) are links, not resources to resolve.

A resolver answers with the node, `None` when its source is authoritative that nothing is there (the Registry says
404, a known document is gone), or `Unavailable` when it cannot say (offline, not in the set). Facts only: judging
is in conformance/standards/ctdl/references/.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import orjson

from conformance.standards.ctdl.facts.graphs import NodeIndex, Ref, refs_in, registry_ctid
from conformance.standards.ctdl.facts.load import CtdlLoadError, load_document
from conformance.standards.ctdl.facts.model import CtdlDocument, CtdlNode
from conformance.standards.ctdl.registry_client import NotFound, RegistryError

if TYPE_CHECKING:
    from conformance.standards.ctdl.facts.schema import CtdlSchema
    from conformance.standards.ctdl.facts.sets import CtidIndex
    from conformance.standards.ctdl.registry_client import RegistryClient

REGISTRY_HOSTS = ("https://credentialengineregistry.org", "https://sandbox.credentialengineregistry.org",
                  "https://staging.credentialengineregistry.org")
MAX_KNOWN_DOCUMENT = 16 * 1024 * 1024
SKIPPED = frozenset({"ceterms:ctid"})


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The resolver cannot say whether the reference exists (offline, not in what it holds, a transport error)."""

    reason: str


Resolution = CtdlNode | None | Unavailable


@runtime_checkable
class CtdlResolver(Protocol):
    """Looks up a CTID, Registry URI or other resource @id outside the document being judged."""

    def resolve(self, reference: str) -> Resolution: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, slots=True)
class NoResolver:
    """A run with nothing to look things up in: every outside reference is Unavailable."""

    def resolve(self, reference: str) -> Resolution:
        return Unavailable("the run has no publication set, known documents or Registry access")

    def describe(self) -> str:
        return "nothing outside the document"


class SetResolver:
    """The other documents of a publication set. Not finding a reference here says nothing: the Registry may hold it."""

    def __init__(self, documents: Iterable[CtdlDocument], name: str = "the publication set"):
        merged: dict[str, CtdlNode] = {}
        for document in documents:
            for key, node in NodeIndex.of(document).nodes.items():
                if not key.startswith("_:"):            # blank nodes never leave their document
                    merged.setdefault(key, node)
        self._index = NodeIndex(merged)
        self._name = name

    def resolve(self, reference: str) -> Resolution:
        found = self._index.find(reference)
        return found if found is not None else Unavailable(f"not in {self._name}")

    def describe(self) -> str:
        return self._name


class CtidIndexResolver:
    """A publication set through its CtidIndex (conformance/standards/ctdl/facts/sets.py), which keeps each resource's id, CTID and
    classes but not its body: enough to say it exists and what it is, at the memory cost of an index entry."""

    def __init__(self, index: CtidIndex, name: str = "the publication set"):
        self._index = index
        self._name = name

    def resolve(self, reference: str) -> Resolution:
        entry = self._index.get(registry_ctid(reference) or reference)
        if entry is None:
            return Unavailable(f"not in {self._name}")
        data: dict[str, object] = {"@type": list(entry.types)}
        if entry.id is not None:
            data["@id"] = entry.id
        if entry.ctid:
            data["ceterms:ctid"] = entry.ctid
        return CtdlNode(data, entry.pointer, entry.source, True)

    def describe(self) -> str:
        return self._name


class RegistryResolver:
    """The Registry itself (conformance/standards/ctdl/registry_client.py): a 404 or 410 is an authoritative absence; a failed
    exchange or an answer that is not CTDL says nothing. Only Registry URIs and CTIDs are asked about, and each once."""

    def __init__(self, client: RegistryClient):
        self._client = client
        self._answers: dict[str, Resolution] = {}

    def resolve(self, reference: str) -> Resolution:

        ctid = registry_ctid(reference)
        if ctid is None:
            return Unavailable("not a Registry resource")
        if ctid not in self._answers:
            try:
                found = NodeIndex.of(self._client.resource(ctid)).find(ctid)
                answer: Resolution = found if found is not None else Unavailable(
                    f"the Registry's answer for {ctid} does not hold that resource")
            except NotFound:
                answer = None
            except RegistryError as exc:
                answer = Unavailable(f"the Registry cannot be read: {exc.message}")
            self._answers[ctid] = answer
        return self._answers[ctid]

    def describe(self) -> str:
        return f"the Registry at {self._client.base}"


class KnownDocumentsResolver:
    """The run's known documents by URL (`--documents`, vector resources): a Registry URI or CTID is looked up at the
    resource and graph URLs of each Registry host. A URL marked gone is an authoritative "nothing there"."""

    def __init__(self, documents: Mapping[str, bytes | None], hosts: Iterable[str] = REGISTRY_HOSTS):
        self._documents = documents
        self._hosts = tuple(h.rstrip("/") for h in hosts)
        self._loaded: dict[str, NodeIndex | None] = {}

    def _candidates(self, reference: str) -> Iterator[str]:
        yield reference
        ctid = registry_ctid(reference)
        if ctid is not None:
            for host in self._hosts:
                yield f"{host}/resources/{ctid}"
                yield f"{host}/graph/{ctid}"

    def _index(self, url: str) -> NodeIndex | None:
        if url not in self._loaded:
            body = self._documents.get(url)
            index = None
            if body is not None and len(body) <= MAX_KNOWN_DOCUMENT:
                try:
                    index = NodeIndex.of(load_document(orjson.loads(body.removeprefix(b"\xef\xbb\xbf")), url))
                except (orjson.JSONDecodeError, CtdlLoadError, RecursionError):
                    index = None      # not CTDL: it cannot stand for a resource
            self._loaded[url] = index
        return self._loaded[url]

    def resolve(self, reference: str) -> Resolution:
        gone = False
        for url in dict.fromkeys(self._candidates(reference)):
            if url not in self._documents:
                continue
            if self._documents[url] is None:
                gone = True
                continue
            index = self._index(url)
            if index is not None and (node := index.find(reference)) is not None:
                return node
        if gone:
            return None
        return Unavailable("not among the run's known documents")

    def describe(self) -> str:
        return "the run's known documents"


class ChainResolver:
    """Asks each resolver in turn: the first node wins; an authoritative "nothing there" beats "cannot say"."""

    def __init__(self, resolvers: Iterable[CtdlResolver]):
        self._resolvers = tuple(resolvers)
        self._cache: dict[str, Resolution] = {}

    def resolve(self, reference: str) -> Resolution:
        if reference in self._cache:
            return self._cache[reference]
        absent = False
        reasons: list[str] = []
        answer: Resolution = None
        for resolver in self._resolvers:
            found = resolver.resolve(reference)
            if isinstance(found, CtdlNode):
                answer = found
                break
            if found is None:
                absent = True
            else:
                reasons.append(found.reason)
        else:
            answer = None if absent else Unavailable("; ".join(reasons) or "no resolver")
        self._cache[reference] = answer
        return answer

    def describe(self) -> str:
        return ", ".join(r.describe() for r in self._resolvers) or "nothing outside the document"


# -- the references of a document -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference with what it led to."""

    ref: Ref
    target: CtdlNode | None              # the node it names, None when not found
    where: str                           # "document", "outside", "absent", "unavailable"
    reason: str = ""                     # why it is absent or unavailable

    @property
    def pointer(self) -> str:
        return self.ref.pointer


def _is_reference(ref: Ref, index: NodeIndex) -> bool:
    value = ref.value
    return value.startswith("_:") or registry_ctid(value) is not None or value in index


def references_of(document: CtdlDocument, schema: CtdlSchema | None, resolver: CtdlResolver) -> tuple[Reference, ...]:
    """Every reference the document makes, resolved: in the document first, then through the resolver (never for
    blank nodes, which exist only inside their document)."""
    index = NodeIndex.of(document)
    found: list[Reference] = []
    for node in document.nodes:
        for prop, value in node.data.items():
            if prop.startswith("@") or prop in SKIPPED:
                continue
            term = schema.term(prop) if schema is not None else None
            typed = term is not None and term.is_reference
            for ref in refs_in(node, prop):
                explicit = ref.pointer.endswith("/@id")
                if not (typed or explicit) or not _is_reference(ref, index):
                    continue
                found.append(_resolve(ref, index, resolver))
    return tuple(found)


def _resolve(ref: Ref, index: NodeIndex, resolver: CtdlResolver) -> Reference:
    local = index.find(ref.value)
    if local is not None:
        return Reference(ref, local, "document")
    if ref.value.startswith("_:"):
        return Reference(ref, None, "absent", "a blank node exists only inside its own document")
    outside = resolver.resolve(ref.value)
    if isinstance(outside, CtdlNode):
        return Reference(ref, outside, "outside")
    if outside is None:
        return Reference(ref, None, "absent", "a source that can tell reports nothing published there")
    return Reference(ref, None, "unavailable", outside.reason)


def resolver_for(documents: Mapping[str, bytes | None], *, publication_set: CtdlResolver | None = None,
                 registry: CtdlResolver | None = None) -> CtdlResolver:
    """What a run can look references up in, cheapest first: the publication set, its known documents, then the
    Registry (only when the run is online and has a client)."""
    resolvers: list[CtdlResolver] = []
    if publication_set is not None:
        resolvers.append(publication_set)
    if documents:
        resolvers.append(KnownDocumentsResolver(documents))
    if registry is not None:
        resolvers.append(registry)
    return ChainResolver(resolvers) if resolvers else NoResolver()
