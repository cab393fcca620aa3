"""Subjects: one artefact under test (a credential or presentation) with lazily computed, cached views.

Views that need I/O (pinned contexts, schemas) get it from the Environment; checks only read views.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from conformance.support.formats import Payload, PayloadError, decode

if TYPE_CHECKING:
    from conformance.ctdl.graphs import FrameworkGraph, PathwayGraph
    from conformance.ctdl.ler_links import RegistryLinks
    from conformance.ctdl.model import CtdlDocument
    from conformance.ctdl.references import Reference
    from conformance.ctdl.run_set import Duplicate
    from conformance.ctdl.schema import CtdlSchema
    from conformance.run.environment import Environment
    from conformance.support.engines.jsonld import JsonLdReport
    from conformance.support.engines.jsonschema import SchemaReport
    from conformance.support.securing.jose import JwtVerification
    from conformance.support.securing.proofs import VerificationResult
    from conformance.support.securing.status import StatusResult
    from conformance.support.securing.trust import TrustDecision
    from conformance.support.securing.verifier import VerificationOptions


def as_list(value: Any) -> list[Any]:
    """A JSON-LD set as a list: absent is empty, a single value is one item."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Subject:
    """A credential or presentation, from a file, a URL, or embedded in another subject."""

    def __init__(self, *, id: str, env: Environment, raw: bytes | None = None, payload: Payload | None = None,
                 parent: Subject | None = None, pointer: str = "", carrier: str = "", name: str | None = None,
                 target: str = "", payload_error: PayloadError | None = None):
        self.id = id
        self.env = env
        self._raw = raw
        self.parent = parent
        self.pointer = pointer          # where this subject sits in its parent's document ("" for a root)
        self.carrier = carrier          # how it sits in its parent: "json" (an object), "jws" or "data-url" (a string),
        #                                 "document" (a JSON document of its own, e.g. in a service's transcript)
        self.name = name
        self.target = target or (parent.target if parent else id)
        if payload is not None:
            self.__dict__["payload"] = payload
        if payload_error is not None:
            self.__dict__["payload_error"] = payload_error

    @property
    def decoded(self) -> bool:
        """True when this subject stands on its own inside its parent: decoded from a string (compact JWS, data:
        URL) or a separate document (a credential a service returned), so its JSON-LD is its own."""
        return self.carrier in ("jws", "data-url", "document")

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            raise ValueError(f"{self.id} has no raw bytes")
        return self._raw

    @property
    def has_raw(self) -> bool:
        """Whether the subject was read from bytes (a file, a URL, an embedded string), not built from a payload."""
        return self._raw is not None

    @cached_property
    def payload(self) -> Payload:
        """Raises formats.PayloadError when the bytes are not a credential payload at all."""
        return decode(self.raw, self.env.limits, name=self.name)

    @cached_property
    def payload_error(self) -> PayloadError | None:
        """Why the bytes do not decode, or None when they do."""
        try:
            self.payload
        except PayloadError as exc:
            return exc
        return None

    @property
    def document(self) -> Mapping[str, Any]:
        return self.payload.document

    @cached_property
    def types(self) -> frozenset[str]:
        return frozenset(t for t in as_list(self.document.get("type")) if isinstance(t, str))

    @cached_property
    def contexts(self) -> tuple[Any, ...]:
        return tuple(as_list(self.document.get("@context")))

    @property
    def is_presentation(self) -> bool:
        return "VerifiablePresentation" in self.types or "EnvelopedVerifiablePresentation" in self.types

    @property
    def root(self) -> Subject:
        return self if self.parent is None else self.parent.root

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def located(self, pointer: str) -> str:
        """An in-document pointer rendered relative to the top-level input."""
        if self.parent is None:
            return pointer
        if self.decoded:
            return f"{self.parent.located(self.pointer)} » {pointer or '/'}"
        return self.parent.located(self.pointer + pointer)

    @cached_property
    def jsonld(self) -> JsonLdReport:
        """Safe-mode JSON-LD findings for this document (shared with the parent when embedded as JSON)."""
        if self.parent is not None and not self.decoded:
            return _relative(self.parent.jsonld.within(self.pointer), self.pointer)
        return self.env.expander.analyze(self.document)

    @property
    def verification_options(self) -> VerificationOptions:
        """What the run's verifier expects (a presentation's challenge and domain, the verification time)."""
        return self.env.options

    @cached_property
    def data_integrity(self) -> VerificationResult:
        """Every embedded proof verified (keys resolved, purpose for a credential or a presentation)."""
        return self.env.verifier.data_integrity(self.document, presentation=self.is_presentation)

    @cached_property
    def jwt_verification(self) -> JwtVerification | None:
        """The JWS signature and time claims when the document came as a JWT; None otherwise."""
        jwt = self.payload.jwt
        return None if jwt is None else self.env.verifier.jwt(jwt)

    @cached_property
    def status(self) -> tuple[StatusResult, ...]:
        """One result per credentialStatus entry (lists fetched from known documents, or online)."""
        return self.env.verifier.status(self.document)

    @cached_property
    def trust(self) -> TrustDecision | None:
        """The issuer looked up on the run's trust list; None when the run has none."""
        return self.env.verifier.trust(self.document)

    @cached_property
    def ctdl(self) -> CtdlDocument:
        """The document read as a CTDL publication (resource, /graph/ document or Registry envelope)."""
        from conformance.ctdl.load import load_document

        return load_document(self.document, self.id)

    @cached_property
    def ctdl_schema(self) -> CtdlSchema:
        """The pinned CTDL and CTDL-ASN vocabulary, built once per artifact store."""
        from conformance.ctdl.schema import schema_for

        return schema_for(self.env.store)

    @cached_property
    def ctdl_pathways(self) -> PathwayGraph:
        """The pathways of a CTDL document as graphs (destination, components, conditions)."""
        from conformance.ctdl.graphs import pathway_graph

        return pathway_graph(self.ctdl, self.ctdl_schema.is_component)

    @cached_property
    def ctdl_frameworks(self) -> FrameworkGraph:
        """The competency frameworks of a CTDL document as graphs (top children, hierarchy)."""
        from conformance.ctdl.graphs import framework_graph

        return framework_graph(self.ctdl)

    @cached_property
    def ctdl_references(self) -> tuple[Reference, ...]:
        """Every reference of a CTDL document, looked up through the run's resolver (set, known documents,
        Registry)."""
        from conformance.ctdl.references import references_of

        return references_of(self.ctdl, self.ctdl_schema, self.env.ctdl_resolver)

    @cached_property
    def ctdl_set_duplicates(self) -> dict[str, Duplicate]:
        """By resource pointer: the resources of this CTDL document whose CTID another document of the run's
        publication set published first (empty when the run has no set or this document is not in it)."""
        run_set = self.env.ctdl_set_index
        if run_set is None or self.parent is not None:
            return {}
        found: dict[str, Duplicate] = {}
        for node in self.ctdl.resources:
            ctid = node.ctid
            if ctid is not None and (duplicate := run_set.duplicate_of(self.id, node.pointer, ctid)) is not None:
                found[node.pointer] = duplicate
        return found

    @cached_property
    def registry_links(self) -> RegistryLinks:
        """Links to Credential Registry data in an OB/CLR credential, each linked CTID resolved once (known
        documents, then the network when the run is online)."""
        from conformance.ctdl.ler_links import registry_links

        return registry_links(self.document, self.env.verifier.fetch)

    def schema(self, url: str) -> SchemaReport:
        cache: dict[str, SchemaReport] = self.__dict__.setdefault("_schemas", {})
        if url not in cache:
            cache[url] = self.env.schemas.validate(url, self.document)
        return cache[url]


def _relative(report: JsonLdReport, prefix: str) -> JsonLdReport:
    from dataclasses import replace

    from conformance.support.engines.jsonld import TermProblem

    problems = tuple(TermProblem(p.pointer[len(prefix):], p.kind, p.term) for p in report.problems)
    return replace(report, problems=problems)
