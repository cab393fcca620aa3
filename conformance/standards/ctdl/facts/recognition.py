"""Whether a JSON document is a CTDL publication, judged by what its names mean rather than by how it cites them.

CTDL data reaches the suite under many contexts: the canonical CTDL and CTDL-ASN context URLs, their http spellings
and the other credreg.net contexts (QData, older versions), inline context objects that map `ceterms:` (or any other
prefix) to https://purl.org/ctdl/terms/, keys written as full IRIs, and drafts that cite no context at all but use
CTDL's prefixed names. A document is CTDL when the IRIs of its types and properties fall in CTDL's own namespaces
(ceterms, ceasn, qdata), or when it cites a CTDL context, and it is not a verifiable credential or presentation.

This runs on every input the suite reads, so it stays cheap: the document's own @context is read as a prefix map
(inline objects only, nothing fetched, no JSON-LD expansion), and only the top node and the first @graph items are
looked at. The same reading (`read_context`, `normalized_name`) is what conformance/standards/ctdl/facts/load.py uses to bring keys
and types to the one prefixed spelling the checks compare.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from conformance.core.checks import describe
from conformance.standards.ctdl.facts.model import NAMESPACES, other_scheme
from conformance.support.formats.errors import PayloadError
from conformance.support.formats.json_text import parse_json
from conformance.support.formats.jws import describe_json_type

CONTEXT_URLS = frozenset({
    "https://credreg.net/ctdl/schema/context/json", "http://credreg.net/ctdl/schema/context/json",
    "https://credreg.net/ctdlasn/schema/context/json", "http://credreg.net/ctdlasn/schema/context/json",
})
# Credential Engine publishes its contexts under these paths on credreg.net (CTDL, CTDL-ASN, QData); older data
# cites them with http, with a www. host, or with a version query. All of them define the CTDL prefixes.
_CONTEXT_HOSTS = frozenset({"credreg.net", "www.credreg.net"})
_CONTEXT_FAMILIES = ("/ctdl/", "/ctdlasn/", "/qdata/")

VC_CONTEXTS = frozenset({"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2"})
VC_TYPES = frozenset({"VerifiableCredential", "VerifiablePresentation",
                      "EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"})

# The namespaces whose terms make a document CTDL: Credential Engine's own vocabularies. asn:, skos: and schema:
# terms appear in CTDL data too, but a document using only those is not recognizably CTDL.
OWN_PREFIXES = ("ceterms", "ceasn", "qdata")

MAX_CONTEXTS = 256            # inline contexts read per document (the suite's limit for JSON-LD input)
MAX_DEFINITIONS = 4096        # entries read per inline context object
MAX_NODES_LOOKED_AT = 64      # @graph items looked at for recognition (loading reads them all)
MAX_KEYS_LOOKED_AT = 256      # keys per node looked at for recognition
# The Registry's envelope metadata (envelope_id, envelope_ceterms_ctid, envelope_ctdl_type, envelope_type, ...).
ENVELOPE_KEY_PREFIX = "envelope_"


# full namespace (either scheme) -> canonical prefix; longest first so no namespace shadows a longer one
_CANONICAL: tuple[tuple[str, str], ...] = tuple(sorted(
    {(spelling, prefix) for prefix, ns in NAMESPACES.items() for spelling in (ns, other_scheme(ns))},
    key=lambda pair: -len(pair[0])))


def is_ctdl_context_url(url: str) -> bool:
    """A context URL of Credential Engine's (CTDL, CTDL-ASN, QData; any scheme, version query or www. host)."""
    if url in CONTEXT_URLS:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and (parts.hostname or "").lower() in _CONTEXT_HOSTS
            and parts.path.startswith(_CONTEXT_FAMILIES) and "/context" in parts.path)


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """A document's @context read as far as naming goes: which CTDL and VC context URLs it cites, and the prefixes,
    terms, keyword aliases and vocabulary its inline context objects define."""

    urls: tuple[str, ...] = ()                          # the context URLs as written
    terms: Mapping[str, str] = field(default_factory=dict)      # term or prefix -> IRI (or keyword)
    vocab: str | None = None
    cites_ctdl: bool = False                            # a credreg.net CTDL, CTDL-ASN or QData context URL
    cites_vc: bool = False                              # the VC 1.1 or 2.0 base context

    def expand(self, name: str) -> str | None:
        """The IRI (or keyword) a key or @type value stands for under this context; None for a blank node id or an
        undefined bare term, which JSON-LD processors drop."""
        if name.startswith("@"):
            return name
        if name in self.terms:
            return self.terms[name]
        prefix, sep, local = name.partition(":")
        if sep:
            if prefix == "_":
                return None
            if local.startswith("//"):
                return name                               # an absolute IRI (https://...)
            if prefix in self.terms:
                return self.terms[prefix] + local
            return name                                   # a compact IRI with an unknown prefix, or a URN
        return self.vocab + name if self.vocab else None


_EMPTY = DocumentContext()
_CTDL_PREFIXES: Mapping[str, str] = dict(NAMESPACES)


def _items(context: Any) -> Iterator[Any]:
    items = context if isinstance(context, list) else [context]
    yield from items[:MAX_CONTEXTS]


def read_context(document: Mapping[str, Any]) -> DocumentContext:
    """The document's own @context as a prefix map. A cited CTDL context contributes the CTDL prefixes (never read:
    the canonical prefixes are what it defines); inline objects contribute their definitions, later ones winning as
    in JSON-LD. Remote contexts other than Credential Engine's are not followed."""
    if "@context" not in document:
        return _EMPTY
    urls: list[str] = []
    raw: dict[str, str] = {}
    vocab: str | None = None
    cites_ctdl = cites_vc = False
    for item in _items(document["@context"]):
        if isinstance(item, str):
            urls.append(item)
            if is_ctdl_context_url(item):
                cites_ctdl = True
                raw.update(_CTDL_PREFIXES)
            elif item in VC_CONTEXTS:
                cites_vc = True
        elif isinstance(item, Mapping):
            for index, (key, value) in enumerate(item.items()):
                if index >= MAX_DEFINITIONS:
                    break
                if key == "@vocab" and isinstance(value, str):
                    vocab = value
                elif key.startswith("@"):
                    continue
                elif isinstance(value, str):
                    raw[key] = value
                elif isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                    raw[key] = value["@id"]
        elif item is None:              # a null context clears what came before
            raw.clear()
            vocab = None
    # a definition may itself be a compact IRI over another prefix ("name": "ceterms:name"): one step resolves it
    terms = {key: _resolve(value, raw) for key, value in raw.items()}
    if vocab is not None:
        vocab = _resolve(vocab, raw)
    return DocumentContext(tuple(urls), terms, vocab, cites_ctdl, cites_vc)


def _resolve(value: str, raw: Mapping[str, str]) -> str:
    prefix, sep, local = value.partition(":")
    if sep and not local.startswith("//") and prefix in raw and raw[prefix] != value:
        return raw[prefix] + local
    return value


def compact(iri: str) -> str:
    """A full IRI in the canonical prefixed spelling (ceterms:, ceasn:, qdata:, asn:, skos:, schema:) when it is in
    one of those namespaces, whichever scheme it was written with; anything else as given."""
    for namespace, prefix in _CANONICAL:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def normalized_name(name: str, context: DocumentContext) -> str:
    """A key or @type value as the checks spell it: a keyword, or the canonical prefixed name, or the full IRI when
    it is in no namespace CTDL uses; an undefined bare term stays as written."""
    expanded = context.expand(name)
    if expanded is None:
        return name
    return expanded if expanded.startswith("@") else compact(expanded)


def _is_own(name: str) -> bool:
    return name.split(":", 1)[0] in OWN_PREFIXES if ":" in name and "://" not in name else False


def _types(node: Mapping[str, Any], context: DocumentContext) -> list[str]:
    for key, value in node.items():
        if key == "@type" or context.terms.get(key) == "@type":
            values = value if isinstance(value, list) else [value]
            return [v for v in values[:MAX_KEYS_LOOKED_AT] if isinstance(v, str)]
    return []


def _nodes(document: Mapping[str, Any], context: DocumentContext) -> Iterator[Mapping[str, Any]]:
    yield document
    for key, value in document.items():
        if (key == "@graph" or context.terms.get(key) == "@graph") and isinstance(value, list):
            yield from (item for item in value[:MAX_NODES_LOOKED_AT] if isinstance(item, Mapping))


def _plain_types(document: Mapping[str, Any]) -> list[str]:
    """The VC data model's own `type` member (no context needed to read it)."""
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return [v for v in values[:MAX_KEYS_LOOKED_AT] if isinstance(v, str)]


@dataclass(frozen=True, slots=True)
class Recognition:
    """Whether a document is a CTDL publication, and why (for messages: what made it one, or what was found)."""

    ctdl: bool
    why: str


def recognize(document: Any) -> Recognition:
    """Recognize a CTDL publication (resource, /graph/ document or Registry envelope) by meaning."""
    if not isinstance(document, Mapping):
        return Recognition(False, f"the input is a JSON {type(document).__name__}, not an object")
    if "decoded_resource" in document:
        inner = document["decoded_resource"]
        if isinstance(inner, Mapping):
            found = recognize(inner)
            return Recognition(found.ctdl, f"it is a Registry envelope whose decoded_resource is "
                                           f"{'' if found.ctdl else 'not '}a publication ({found.why})")
        # A decoded_resource of the wrong JSON type is still an envelope: CTDL judges it (CTDL-document-shape at
        # /decoded_resource) rather than leaving it unrecognized as neither a credential nor a publication.
        if any(isinstance(key, str) and key.startswith(ENVELOPE_KEY_PREFIX) for key in islice(document,
                                                                                              MAX_KEYS_LOOKED_AT)):
            return Recognition(True, f"it is a Registry envelope (envelope_* metadata) whose decoded_resource is "
                                     f"{describe_json_type(inner)}")
        if isinstance(inner, str) and inner.lstrip().startswith("{"):
            found = recognize(_decoded(inner))
            if found.ctdl:
                return Recognition(True, f"it is a Registry envelope carrying its resource as a JSON string "
                                         f"({found.why})")
    context = read_context(document)
    top_types = _types(document, context)
    # the credentials contexts make a document a credential or presentation, whatever else it holds (CTDL terms
    # inside a credential describe what it is about, as in Credential Engine's CTDL-in-LER samples)
    vc_types = sorted(VC_TYPES.intersection(top_types) | VC_TYPES.intersection(_plain_types(document)))
    if context.cites_vc or vc_types:
        shown = f"type {describe(vc_types[0])}" if vc_types else \
            f"@context {describe(next(u for u in context.urls if u in VC_CONTEXTS))}"
        return Recognition(False, f"it is a verifiable credential or presentation ({shown})")
    if context.cites_ctdl:
        cited = next(url for url in context.urls if is_ctdl_context_url(url))
        return Recognition(True, f"it cites the CTDL context {cited}")
    own_key = None
    for node in _nodes(document, context):
        for written in _types(node, context):
            if _is_own(normalized_name(written, context)):
                return Recognition(True, f"its @type {describe(written)} is the CTDL class "
                                         f"{normalized_name(written, context)}")
        if own_key is None:
            own_key = next((key for key in islice(node, MAX_KEYS_LOOKED_AT)
                            if not key.startswith("@") and _is_own(normalized_name(key, context))), None)
    if own_key is not None:
        return Recognition(True, f"its property {describe(own_key)} is the CTDL term "
                                 f"{normalized_name(own_key, context)}")
    cited = describe(document.get("@context")) if "@context" in document else "no @context"
    typed = describe(top_types) if top_types else "no @type"
    return Recognition(False, f"it cites no CTDL context ({cited}) and none of its types or properties is a term of "
                              f"CTDL, CTDL-ASN or QData ({typed})")


def _decoded(text: str) -> Any:
    try:
        return parse_json(text)
    except PayloadError:
        return None


def looks_like_ctdl(document: Any) -> bool:
    """A resource or graph document, or a Registry envelope carrying one, recognized as CTDL by meaning."""
    return recognize(document).ctdl
