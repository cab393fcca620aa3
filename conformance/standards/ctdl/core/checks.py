"""CTDL core checks: one requirement each, over `ctdl_document(subject)` (the loaded publication) and the pinned vocabulary.

Every value check walks the same thing: each node of the publication (top-level resources and the typed objects
nested in them) and its direct property values. Nested typed objects are nodes of their own, so each value is
judged once, under the node that holds it. Keys are compared in the loader's prefixed spelling and located as the
document wrote them (`CtdlNode.at`), whatever context the publication cites.

A document that claims CTDL but does not load fails CTDL-document-shape alone; every other CTDL rule is
inapplicable to it (`not_loadable`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from conformance.core.checks import MISSING, CheckContext, CheckFn, check, describe
from conformance.core.findings import Finding
from conformance.core.predicates import is_language_tag
from conformance.core.subject import Subject
from conformance.standards.ctdl import not_loadable
from conformance.standards.ctdl.facts.identifiers import (
    RegistryBase,
    RegistryUri,
    configured_registry_base,
    ctid_case_only,
    environment_of,
    parse_registry_uri,
    registry_base_of,
    uuid_version,
)
from conformance.standards.ctdl.facts.load import CtdlLoadError
from conformance.standards.ctdl.facts.model import (
    CTID_ANY_CASE,
    CtdlDocument,
    CtdlNode,
    DocumentKind,
    escape_pointer,
)
from conformance.standards.ctdl.facts.recognition import is_ctdl_context_url, recognize
from conformance.standards.ctdl.facts.schema import CtdlSchema, CtdlSchemaUnavailable
from conformance.standards.ctdl.views import ctdl_document, ctdl_schema, ctdl_set_duplicates
from conformance.support.formats.errors import PayloadError
from conformance.support.formats.json_text import parse_json
from conformance.support.formats.jws import describe_json_type

NOT_JUDGED_PREFIXES = frozenset({"qdata"})      # the QData encoding is not pinned
# The namespaces whose terms the pinned encodings define completely: Credential Engine's own. Terms of the other
# namespaces CTDL data uses (qdata:, asn:, skos:, schema:, dct:, ...) are judged where the encodings declare them and
# otherwise left alone: the encodings declare only the part of those vocabularies CTDL adopted, and Credential
# Engine's own outcome data uses qdata: and schema: terms they do not list.
OWN_PREFIXES = frozenset({"ceterms", "ceasn"})
_CTID_SHAPE = re.compile(r"^ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# -- shared walking -----------------------------------------------------------------------------------------

def _publication(subject: Subject, ctx: CheckContext) -> tuple[CtdlDocument | None, list[Finding]]:
    try:
        return ctdl_document(subject), []
    except CtdlLoadError as exc:
        return None, [not_loadable(ctx, exc)]


def _schema(subject: Subject, ctx: CheckContext) -> tuple[CtdlSchema | None, list[Finding]]:
    try:
        return ctdl_schema(subject), []
    except CtdlSchemaUnavailable as exc:
        return None, [ctx.error(f"the pinned CTDL vocabulary is unavailable: {exc}")]


def _values(node: CtdlNode) -> Iterator[tuple[str, str, Any]]:
    """(property, pointer, value) for each value of each property, lists flattened one level."""
    for key, value in node.data.items():
        if key.startswith("@"):
            continue
        at = node.at(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield key, f"{at}/{index}", item
        else:
            yield key, at, value


def _judged(term: str) -> bool:
    return term.split(":", 1)[0] not in NOT_JUDGED_PREFIXES if ":" in term else True


def _own(term: str) -> bool:
    """A term of Credential Engine's own namespaces (in the loader's prefixed spelling)."""
    return "://" not in term and term.split(":", 1)[0] in OWN_PREFIXES if ":" in term else False


def _undefined(term: str) -> bool:
    """A bare name no context defines: JSON-LD processors drop such a key (or read such a type as a relative IRI)."""
    return ":" not in term and not term.startswith("@")


def _types(node: CtdlNode, schema: CtdlSchema) -> tuple[str, ...]:
    return tuple(schema.compact(t) for t in node.types)


def _at(node: CtdlNode, key: str = "") -> str:
    return node.at(key)


# -- documents ----------------------------------------------------------------------------------------------

PUBLICATION = "a resource, /graph/ document or Registry envelope whose types or properties are CTDL, CTDL-ASN or " \
              "QData terms, or that cites a Credential Engine context"


@check("CTDL-publication")
def input_is_a_ctdl_publication(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """Passes on every subject the CTDL detector claims. Under a profile that judges CTDL, the runner also runs it
    on an input no judged standard claimed, and there it fails, saying what the input is instead: offered as a CTDL
    publication, that input gets a verdict from CTDL, never a pass for want of anything to judge."""
    error = subject.payload_error
    if error is not None:
        yield ctx.fail("", expected=PUBLICATION, message=f"the input is not a CTDL publication: it does not decode "
                                                         f"({error.message}); expected {PUBLICATION}")
        return
    found = recognize(subject.document)
    if not found.ctdl:
        yield ctx.fail("", expected=PUBLICATION, found=MISSING,
                       message=f"the input is not a CTDL publication: {found.why}; expected {PUBLICATION}")


_DECODED_RESOURCE = "/decoded_resource"
_ENVELOPE_RESOURCE = "a JSON object: the resource or /graph/ document itself"


def _envelope_resource(subject: Subject, ctx: CheckContext) -> tuple[Any, list[Finding]]:
    """The envelope's decoded_resource as an object, and a failure at /decoded_resource when it is not one.

    The Registry serves decoded_resource as the resource object itself; a JSON string holding that object is read
    as the resource (the loader decodes it too); any other type leaves nothing to judge."""
    inner = subject.document["decoded_resource"]
    if isinstance(inner, Mapping):
        return inner, []
    if isinstance(inner, str):
        try:
            decoded = parse_json(inner)
        except PayloadError as exc:
            return None, [ctx.fail(_DECODED_RESOURCE, expected=_ENVELOPE_RESOURCE, found=inner,
                                   message=f"{_DECODED_RESOURCE} is a string that is not JSON ({exc.message}); "
                                           f"expected {_ENVELOPE_RESOURCE}")]
        if isinstance(decoded, Mapping):
            # the Registry serves an object, but no text we know of makes a JSON-encoded one wrong, and the
            # resource is the same: read as the resource, as the loader does
            return decoded, []
        return None, [ctx.fail(_DECODED_RESOURCE, expected=_ENVELOPE_RESOURCE, found=inner,
                               message=f"{_DECODED_RESOURCE} is a string holding {describe_json_type(decoded)} as "
                                       "JSON text; "
                                       f"expected {_ENVELOPE_RESOURCE}")]
    return None, [ctx.fail(_DECODED_RESOURCE, expected=_ENVELOPE_RESOURCE, found=inner,
                           message=f"{_DECODED_RESOURCE} is {describe_json_type(inner)} ({describe(inner)}); "
                                   f"expected {_ENVELOPE_RESOURCE}")]


@check("CTDL-document-shape")
def document_has_a_published_shape(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    raw = subject.document
    if isinstance(raw, Mapping) and "decoded_resource" in raw:
        # an envelope's shape is judged where it goes wrong, /decoded_resource, before the loader's summary
        raw, wrong = _envelope_resource(subject, ctx)
        yield from wrong
        if raw is None:
            return
    try:
        document = ctdl_document(subject)
    except CtdlLoadError as exc:
        yield ctx.fail("", expected="a resource document, a /graph/ document or a Registry envelope",
                       message=f"the document cannot be read as a CTDL publication: {exc}")
        return
    if document.graph_key is None or not isinstance(raw, Mapping):   # a resource document
        return
    for index, item in enumerate(raw[document.graph_key]):
        if not isinstance(item, Mapping):
            yield ctx.fail(f"{document.base}/{escape_pointer(document.graph_key)}/{index}",
                           expected="a node object in @graph", found=item)


@check("CTDL-node-identified")
def top_nodes_have_id_and_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    for node in document.nodes:
        if not document.is_top(node):
            continue
        for key, present in (("@id", node.id is not None), ("@type", bool(node.types))):
            if not present:
                yield ctx.fail(node.at(key), expected=f"a string {key} on every top-level node",
                               found=node.data.get(key, MISSING))


@check("CTDL-context-https")
def context_is_cited_by_https(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    raw = subject.document
    if document.kind is DocumentKind.ENVELOPE:
        raw = raw["decoded_resource"]
    context = raw.get("@context") if isinstance(raw, Mapping) else None
    cited = [(f"{document.base}/@context" + (f"/{index}" if isinstance(context, list) else ""), url)
             for index, url in enumerate(context if isinstance(context, list) else [context])
             if isinstance(url, str) and is_ctdl_context_url(url)]
    if not cited:
        yield ctx.inapplicable("the publication cites no Credential Engine context URL (an inline context, or none)")
        return
    for at, url in cited:
        if url.startswith("http://"):
            yield ctx.fail(at, expected="https://" + url[len("http://"):], found=url)


@check("CTDL-graph-id")
def graph_id_names_its_resource(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    if document.kind is DocumentKind.RESOURCE or document.graph_id is None:
        yield ctx.inapplicable("the publication is not a /graph/ document with an @id")
        return
    base = registry_base_of(subject)
    parsed = parse_registry_uri(document.graph_id, frozenset({base.host}))
    if parsed is None:
        yield ctx.inapplicable("the graph's @id is not a Registry address (a self-published graph)")
        return
    at = f"{document.base}/@id"
    ctids = {node.ctid for node in document.resources if node.ctid}
    if parsed.kind != "graph":
        yield ctx.fail(at, expected="a Registry /graph/ address", found=document.graph_id)
    elif parsed.tail not in ctids:
        yield ctx.fail(at, expected=f"the /graph/ address of a CTID the graph holds ({', '.join(sorted(ctids))})"
                       if ctids else "the /graph/ address of a resource in the graph", found=document.graph_id)


def _primary_ctid(document: CtdlDocument) -> str | None:
    for node in document.resources:
        if node.ctid is not None:
            return node.ctid
    return None


@check("CTDL-envelope-ctid")
def envelope_names_its_resource(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    if document.kind is not DocumentKind.ENVELOPE or document.envelope is None:
        yield ctx.inapplicable("the publication is not a Registry envelope")
        return
    declared = document.envelope.get("envelope_ceterms_ctid")
    if declared is None:
        yield ctx.inapplicable("the envelope has no envelope_ceterms_ctid")
        return
    primary = _primary_ctid(document)
    if primary is None:
        yield ctx.fail("/envelope_ceterms_ctid", expected="a decoded_resource whose resource has a ceterms:ctid",
                       found=declared)
    elif declared != primary:
        yield ctx.fail("/envelope_ceterms_ctid", expected=f"{primary}, the CTID of the decoded resource",
                       found=declared)


# -- identifiers --------------------------------------------------------------------------------------------

@check("CTDL-ctid-grammar")
def ctid_follows_the_grammar(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    for node in document.nodes:
        for _, at, value in ((k, a, v) for k, a, v in _values(node) if k == "ceterms:ctid"):
            # letter case is CTDL-ctid-lower-case's: the publishing path lower-cases a CTID it is given
            if not (isinstance(value, str) and _CTID_SHAPE.match(value)):
                yield ctx.fail(at, expected="ce- followed by a UUID in 8-4-4-4-12 hexadecimal groups", found=value)


@check("CTDL-ctid-lower-case")
def ctid_is_lower_case(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    judged = False
    for node in document.nodes:
        for _, at, value in ((k, a, v) for k, a, v in _values(node) if k == "ceterms:ctid"):
            if not (isinstance(value, str) and _CTID_SHAPE.match(value)):
                continue        # not a CTID at all: CTDL-ctid-grammar's
            judged = True
            if ctid_case_only(value):
                yield ctx.fail(at, expected="a CTID in lower case", found=value,
                               message=f"{at} is {describe(value)}; expected the same CTID in lower case "
                                       f"({value.lower()})")
    if not judged:
        yield ctx.inapplicable("the publication holds no well-formed CTID")


@check("CTDL-ctid-uuid-v4")
def ctid_uuid_is_version_4(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    judged = False
    for node in document.nodes:
        for key, at, value in _values(node):
            if key != "ceterms:ctid" or not isinstance(value, str) or CTID_ANY_CASE.match(value) is None:
                continue
            judged = True
            version = uuid_version(value)
            if version != 4:
                shown = "a UUID outside the RFC 4122 variant" if version is None else f"a version {version} UUID"
                yield ctx.fail(at, expected="a version 4 UUID after ce-", found=value,
                               message=f"{at} holds {shown} ({value}); expected a version 4 UUID")
    if not judged:
        yield ctx.inapplicable("the publication holds no well-formed CTID")


@check("CTDL-ctid-matches-id")
def ctid_matches_registry_uri(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    hosts = frozenset({registry_base_of(subject).host})
    for node in document.resources:
        parsed = parse_registry_uri(node.id, hosts) if node.id else None
        if parsed is None or not isinstance(node.ctid, str):
            continue
        # the Registry looks CTIDs up without regard to case; case is CTDL-ctid-lower-case's
        if parsed.tail.lower() != node.ctid.lower():
            yield ctx.fail(node.at("ceterms:ctid"), expected=f"{parsed.tail}, the last segment of the @id",
                           found=node.ctid)


def _reference_strings(node: CtdlNode, schema: CtdlSchema) -> Iterator[tuple[str, str]]:
    """(pointer, IRI) for the node's @id and every string or {"@id"} value of a property read as an IRI."""
    if node.id is not None:
        yield node.at("@id"), node.id
    for key, at, value in _values(node):
        definition = schema.term(key)
        if definition is None or not definition.is_reference:
            continue
        if isinstance(value, str):
            yield at, value
        elif isinstance(value, Mapping) and "@type" not in value and isinstance(value.get("@id"), str):
            yield f"{at}/@id", value["@id"]


def _registry_addresses(document: CtdlDocument, schema: CtdlSchema,
                        hosts: frozenset[str]) -> Iterator[tuple[str, RegistryUri]]:
    """(pointer, parsed address) for every Registry address of the publication: the graph's @id, node @ids and
    references, in document order."""
    if document.graph_id is not None:
        parsed = parse_registry_uri(document.graph_id, hosts)
        if parsed is not None:
            yield f"{document.base}/@id", parsed
    for node in document.nodes:
        for at, value in _reference_strings(node, schema):
            parsed = parse_registry_uri(value, hosts)
            if parsed is not None:
                yield at, parsed


def _own_address(document: CtdlDocument, hosts: frozenset[str]) -> tuple[str, RegistryUri] | None:
    """The publication's own Registry address: the graph's @id, else the first top-level resource's @id."""
    if document.graph_id is not None and (parsed := parse_registry_uri(document.graph_id, hosts)) is not None:
        return f"{document.base}/@id", parsed
    for node in document.resources:
        if node.id is not None and (parsed := parse_registry_uri(node.id, hosts)) is not None:
            return node.at("@id"), parsed
    return None


def _environment(host: str) -> str:
    where = environment_of(host)
    return f"the {where} Registry ({host})" if where else host


@dataclass(frozen=True, slots=True)
class _Addresses:
    """A publication's Registry addresses, with the Registry the run targets (None: the publication decides)."""

    document: CtdlDocument
    configured: RegistryBase | None
    hosts: frozenset[str]
    found: list[tuple[str, RegistryUri]]


def _addresses_or_findings(subject: Subject, ctx: CheckContext) -> tuple[_Addresses | None, list[Finding]]:
    """The Registry addresses to judge, or the findings that say why there are none (no publication, no
    vocabulary, a self-published document)."""
    document, skipped = _publication(subject, ctx)
    if document is None:
        return None, skipped
    schema, missing = _schema(subject, ctx)
    if schema is None:
        return None, missing
    configured = configured_registry_base(subject)
    hosts = frozenset({configured.host}) if configured is not None else frozenset()
    found = list(_registry_addresses(document, schema, hosts))
    if not found:
        return None, [ctx.inapplicable("the publication holds no Registry address (a self-published document)")]
    return _Addresses(document, configured, hosts, found), []


@check("CTDL-registry-host")
def registry_uris_stay_in_one_environment(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    judged, findings = _addresses_or_findings(subject, ctx)
    if judged is None:
        yield from findings
        return
    document, configured, hosts, addresses = judged.document, judged.configured, judged.hosts, judged.found
    # the environment a publication is for: the run's configured Registry, else the publication's own address,
    # else the first Registry address it names. Naming another environment than that one is the defect.
    if configured is not None:
        host, anchor = configured.host, f"the {configured.name} Registry this run targets ({configured.url})"
    else:
        at, own = _own_address(document, hosts) or addresses[0]
        host, anchor = own.host, f"{_environment(own.host)}, the publication's own ({own.uri} at {at})"
    for at, parsed in addresses:
        if parsed.host == host:
            continue
        yield ctx.fail(at, expected=f"an address on {anchor}", found=parsed.uri,
                       message=f"{at} is {parsed.uri}, on {_environment(parsed.host)}; expected an address "
                               f"on {anchor}, since one publication names one Registry environment")


@check("CTDL-registry-https")
def registry_uris_use_https(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    judged, findings = _addresses_or_findings(subject, ctx)
    if judged is None:
        yield from findings
        return
    configured, addresses = judged.configured, judged.found
    for at, parsed in addresses:
        # Credential Engine's Registries serve https; a configured stand-in is judged by the scheme it was given
        serves_https = parsed.environment() is not None or (configured is not None and parsed.host == configured.host
                                                             and configured.url.startswith("https://"))
        if parsed.scheme == "http" and serves_https:
            https = "https://" + parsed.uri.split("://", 1)[1]
            yield ctx.fail(at, expected=https, found=parsed.uri,
                           message=f"{at} is {parsed.uri}, an http address of a Registry that serves "
                                   f"https; expected {https}")


@check("CTDL-ctid-unique")
def ctids_are_unique(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    first: dict[str, str] = {}
    for node in document.resources:
        ctid = node.ctid
        if ctid is None:
            continue
        at = _at(node, "ceterms:ctid")
        if ctid.lower() in first:
            yield ctx.fail(at, expected=f"a CTID no other resource holds ({first[ctid.lower()]} holds it)",
                           found=ctid)
        else:
            first[ctid.lower()] = at
    # across the run's publication set: the later copies are the duplicates, the first is kept
    by_pointer = {node.pointer: node for node in document.resources}
    for pointer, duplicate in ctdl_set_duplicates(subject).items():
        node = by_pointer.get(pointer)
        at = node.at("ceterms:ctid") if node is not None else f"{pointer}/ceterms:ctid"
        where = f"{duplicate.first.source} at {duplicate.first.pointer or '/'}"
        yield ctx.fail(at, expected=f"a CTID no other document of the publication set holds ({where} holds it)",
                       found=duplicate.ctid, message=(
                           f"{at} is {duplicate.ctid}, which {where} already publishes in this publication set; "
                           "expected a CTID no other document of the set holds"))


# -- vocabulary ---------------------------------------------------------------------------------------------

def _vocabulary(subject: Subject, ctx: CheckContext) -> tuple[CtdlDocument | None, CtdlSchema | None,
                                                              list[Finding]]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        return None, None, skipped
    schema, missing = _schema(subject, ctx)
    return document, schema, missing

def with_vocabulary(judge: Callable[[CtdlDocument, CtdlSchema, CheckContext], Iterator[Finding]]) -> CheckFn:
    """A vocabulary rule's judge, given the document and the pinned vocabulary; when either is missing the rule
    reports why (inapplicable or error) instead."""
    def run(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        document, schema, problems = _vocabulary(subject, ctx)
        if document is None or schema is None:
            yield from problems
            return
        yield from judge(document, schema, ctx)
    run.__name__, run.__doc__ = judge.__name__, judge.__doc__
    return run



@check("CTDL-class-known")
@with_vocabulary
def classes_are_declared(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        raw = node.data.get("@type")
        for index, name in enumerate(node.types):
            at = node.at("@type") + (f"/{index}" if isinstance(raw, list) else "")
            if _undefined(name):
                yield ctx.fail(at, expected="a class of the CTDL or CTDL-ASN schema (ceterms:..., ceasn:...)",
                               found=name, message=f"{at}: the type {describe(name)} is not defined by the "
                                                   "document's context, so it names no CTDL class")
            elif _own(name) and not schema.has_class(name) and schema.superseded_class(name) is None:
                yield ctx.fail(at, expected="a class of the CTDL or CTDL-ASN schema", found=name,
                               message=f"{at}: {name} is not a class of the CTDL or CTDL-ASN schema")


@check("CTDL-property-known")
@with_vocabulary
def properties_are_declared(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key in node.data:
            if _undefined(key):
                yield ctx.fail(node.at(key), expected="a property of the CTDL or CTDL-ASN schema (ceterms:...)",
                               found=node.key(key), message=f"{node.at(key)}: the key {describe(node.key(key))} is "
                                                            "not defined by the document's context, so JSON-LD "
                                                            "processors drop it")
            elif _own(key) and not schema.has_property(key) and not schema.superseded(key):
                yield ctx.fail(node.at(key), expected="a property of the CTDL or CTDL-ASN schema", found=key,
                               message=f"{node.at(key)}: {key} is not a property of the CTDL or CTDL-ASN schema")


@check("CTDL-property-domain")
@with_vocabulary
def properties_fit_their_domain(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        types = _types(node, schema)
        if not any(schema.has_class(t) for t in types):
            continue
        for key in node.data:
            if key.startswith("@") or not _judged(key) or not schema.has_property(key):
                continue
            if schema.superseded(key, types) or schema.in_domain(key, types):
                continue
            yield ctx.fail(node.at(key), expected=f"{key} only on the classes it is declared for", found=key,
                           message=f"{node.at(key)}: {key} is not declared for {', '.join(types)}; the schema "
                                   f"expects it on {', '.join(sorted(schema.property_info(key).domain)[:6])}")


@check("CTDL-property-range")
@with_vocabulary
def embedded_objects_fit_the_range(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, at, value in _values(node):
            if not isinstance(value, Mapping) or "@type" not in value or not _judged(key):
                continue
            info = schema.property_info(key)
            if info is None or not any(schema.has_class(r) for r in info.range):
                continue
            types = [schema.compact(t) for t in (value["@type"] if isinstance(value["@type"], list)
                                                 else [value["@type"]]) if isinstance(t, str)]
            if not types or not all(_judged(t) and schema.has_class(t) for t in types) or schema.in_range(key, types):
                continue
            yield ctx.fail(f"{at}/@type", expected=f"a {' or '.join(sorted(info.range))} (or a subclass)",
                           found=value["@type"])


def _concept_of(value: Any) -> tuple[str | None, str]:
    """The concept a value names and the pointer suffix it sits at: a plain IRI, {"@id"}, or an alignment's
    targetNode."""
    if isinstance(value, str):
        return value, ""
    if isinstance(value, Mapping):
        target = value.get("ceterms:targetNode", value.get("https://purl.org/ctdl/terms/targetNode"))
        if isinstance(target, list) and len(target) == 1:
            target = target[0]
        if isinstance(target, Mapping):
            target = target.get("@id")
        if isinstance(target, str):
            return target, "/ceterms:targetNode"
        if "@type" not in value and isinstance(value.get("@id"), str):
            return value["@id"], "/@id"
    return None, ""


@check("CTDL-concept-in-scheme")
@with_vocabulary
def concepts_come_from_their_scheme(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, at, value in _values(node):
            info = schema.property_info(key)
            if info is None or not info.target_schemes:
                continue
            allowed = frozenset().union(*(schema.concepts(s) for s in info.target_schemes))
            if not allowed:
                continue          # an external framework (NAICS, SOC, CIP): not enumerated here
            concept, suffix = _concept_of(value)
            schemes = " or ".join(sorted(info.target_schemes))
            if concept is None:
                yield ctx.fail(at, expected=f"a concept of {schemes} (an alignment's targetNode or the concept)",
                               found=value)
            elif schema.compact(concept) not in allowed:
                yield ctx.fail(at + suffix, expected=f"a concept of {schemes}", found=concept)


@check("CTDL-language-map")
@with_vocabulary
def language_maps_are_well_formed(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, value in node.data.items():
            definition = schema.term(key)
            if definition is None or not definition.is_language_map:
                continue
            at = _at(node, key)
            if not isinstance(value, Mapping):
                yield ctx.fail(at, expected='a language map such as {"en-US": "..."}', found=value)
                continue
            for tag, text in value.items():
                inner = f"{at}/{escape_pointer(tag)}"
                if tag != "@none" and not is_language_tag(tag, coded_language=True):
                    yield ctx.fail(inner, expected="a BCP 47 language tag as the key", found=tag,
                                   message=f"{inner}: the key {describe(tag)} is not a BCP 47 language tag")
                elif not (isinstance(text, str) or (isinstance(text, list) and text
                                                    and all(isinstance(t, str) for t in text))):
                    yield ctx.fail(inner, expected="a string or an array of strings", found=text)


def _range_is(schema: CtdlSchema, key: str, kinds: frozenset[str]) -> bool:
    definition = schema.term(key)
    if definition is not None and definition.type is not None:
        return definition.type in kinds
    info = schema.property_info(key)
    return info is not None and bool(info.range & kinds)


@check("CTDL-language-code")
@with_vocabulary
def language_values_are_tags(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, at, value in _values(node):
            if not _range_is(schema, key, frozenset({"xsd:language"})):
                continue
            if not (isinstance(value, str) and is_language_tag(value, coded_language=True)):
                yield ctx.fail(at, expected="a BCP 47 language tag such as en or en-US", found=value)


_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?$")
_DATE_TIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text.lstrip("-")[:10])
    except ValueError:
        return False
    return True


def _date_kinds(schema: CtdlSchema, key: str) -> frozenset[str]:
    definition = schema.term(key)
    kinds = {"xsd:date", "xsd:dateTime"}
    if definition is not None and definition.type in kinds:
        info = schema.property_info(key)
        declared = (info.range & kinds) if info else set()
        return frozenset(declared | {definition.type})
    info = schema.property_info(key)
    if definition is not None and definition.type is not None:
        return frozenset()
    return frozenset(info.range & kinds) if info else frozenset()


@check("CTDL-date")
@with_vocabulary
def dates_are_iso_8601(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, at, value in _values(node):
            kinds = _date_kinds(schema, key)
            if not kinds:
                continue
            ok = isinstance(value, str) and _real_day(value) and (
                ("xsd:date" in kinds and _DATE.match(value) is not None)
                or ("xsd:dateTime" in kinds and _DATE_TIME.match(value) is not None and _valid_time(value)))
            if not ok:
                wanted = " or ".join(sorted("a date (YYYY-MM-DD)" if k == "xsd:date"
                                            else "a date-time (YYYY-MM-DDThh:mm:ss)" for k in kinds))
                yield ctx.fail(at, expected=wanted, found=value)


def _valid_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.lstrip("-").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_DURATION = re.compile(r"^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?"
                       r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$")
_DURATION_KINDS = frozenset({"schema:Duration", "xsd:duration"})


@check("CTDL-duration")
@with_vocabulary
def durations_are_iso_8601(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for key, at, value in _values(node):
            if not _range_is(schema, key, _DURATION_KINDS):
                continue
            if not (isinstance(value, str) and _DURATION.match(value)):
                yield ctx.fail(at, expected="an ISO 8601 duration such as P6M or PT40H", found=value)


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _absolute_or_blank(value: str, schema: CtdlSchema) -> bool:
    if value.startswith("_:") and len(value) > 2:
        return True
    if _IRI.match(value) is None:
        return False
    scheme = value.split(":", 1)[0]
    # a prefixed name is fine when the context defines the prefix; otherwise the text must be a real IRI
    return scheme in schema.prefixes or "://" in value or scheme.lower() in ("urn", "mailto", "tel", "did", "data")


@check("CTDL-absolute-url")
@with_vocabulary
def iris_are_absolute(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for at, value in _reference_strings(node, schema):
            if not _absolute_or_blank(value, schema):
                yield ctx.fail(at, expected="an absolute IRI (https://...), a blank node id or a defined prefix",
                               found=value)


@check("CTDL-term-current")
@with_vocabulary
def terms_are_current(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        types = _types(node, schema)
        raw = node.data.get("@type")
        for index, name in enumerate(types):
            replacement = schema.superseded_class(name)
            if replacement is not None:
                at = node.at("@type") + (f"/{index}" if isinstance(raw, list) else "")
                yield ctx.fail(at, expected=f"{replacement} (the current class)", found=name,
                               message=f"{at}: {name} is a superseded class; expected {replacement}")
        for key in node.data:
            replacement = None if key.startswith("@") else schema.superseded(key, types)
            if replacement is not None:
                where = "" if schema.superseded(key) else f" on {', '.join(types)}"
                yield ctx.fail(node.at(key), expected=f"{replacement} (the current term)", found=key,
                               message=f"{node.at(key)}: {key} is superseded{where}; expected {replacement}")


# -- privacy ------------------------------------------------------------------------------------------------

PERSON_CLASSES = frozenset({"ceterms:CredentialPerson", "schema:Person", "foaf:Person",
                            "http://schema.org/Person", "https://schema.org/Person", "http://xmlns.com/foaf/0.1/Person"})


@check("CTDL-no-person-records")
@with_vocabulary
def no_person_records(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        for name in node.types:
            if name in PERSON_CLASSES or schema.compact(name) in PERSON_CLASSES:
                yield ctx.fail(node.at("@type"), expected="no records about individual people", found=name,
                               message=f"{_at(node) or '/'} is a record about a person ({name}); the Registry holds "
                                       f"no records about individuals")


_LEARNER_KEY = re.compile(
    r"(?:learner|student|pupil|trainee|candidate|enrollee|holder)[-_]?(?:id|number|no|num|identifier|code)\b"
    r"|social[-_]?security|\bssn\b|national[-_]?(?:insurance|id)|date[-_]?of[-_]?birth|birth[-_]?date", re.IGNORECASE)
_LEARNER_WORDS = re.compile(r"learner|student|pupil|candidate|social security|national insurance|\bssn\b", re.IGNORECASE)
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")


def _local(key: str) -> str:
    local = key.split(":", 1)[1] if ":" in key and "://" not in key else key.rsplit("/", 1)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", local)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


@check("CTDL-no-learner-identifiers")
def no_learner_identifiers(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    document, skipped = _publication(subject, ctx)
    if document is None:
        yield from skipped
        return
    for node in document.nodes:
        for key in node.data:
            if not key.startswith("@") and _LEARNER_KEY.search(_local(key)):
                yield ctx.fail(_at(node, key), expected="no identifiers of individual learners", found=key,
                               message=f"{_at(node, key)}: the property {key} carries a learner-level identifier")
        if "ceterms:IdentifierValue" in node.types or "ceterms:identifierValueCode" in node.data:
            kind = " ".join(_texts([node.data.get("ceterms:identifierTypeName"),
                                    node.data.get("ceterms:identifierType")]))
            code = node.data.get("ceterms:identifierValueCode")
            if _LEARNER_WORDS.search(kind):
                yield ctx.fail(_at(node, "ceterms:identifierTypeName") if "ceterms:identifierTypeName" in node.data
                               else _at(node), expected="identifiers of the resource, not of a learner",
                               found=kind.strip(),
                               message=f"{_at(node) or '/'} is an identifier of a person ({kind.strip()})")
            elif isinstance(code, str) and _SSN.match(code.strip()):
                yield ctx.fail(_at(node, "ceterms:identifierValueCode"), expected="no national identity numbers",
                               found=code, message=f"{_at(node, 'ceterms:identifierValueCode')} is shaped like a "
                                                   f"social security number")


_EMAIL = re.compile(r"^(?:mailto:)?[^@\s/:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$", re.IGNORECASE)
EMAIL_KEYS = frozenset({"ceterms:email", "schema:email"})


@check("CTDL-no-personal-email")
@with_vocabulary
def no_personal_email(document: CtdlDocument, schema: CtdlSchema, ctx: CheckContext) -> Iterator[Finding]:
    for node in document.nodes:
        types = _types(node, schema)
        if any(schema.is_subclass(t, "ceterms:Organization") or schema.is_subclass(t, "ceterms:ContactPoint")
               for t in types):
            continue
        for key, at, value in _values(node):
            for text in _texts(value):
                if key in EMAIL_KEYS or _EMAIL.match(text.strip()):
                    yield ctx.fail(at, expected="email addresses only on organizations and contact points",
                                   found=text, message=f"{at} holds the email address {describe(text)} on "
                                                       f"{', '.join(types) or 'an untyped node'}")
                    break
