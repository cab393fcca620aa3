"""Subjects: one artefact under test (a credential or presentation) with lazily computed, cached views.

Views that need I/O (pinned contexts, schemas) get it from the Environment; checks only read views. The views every
standard shares (payload, JSON-LD, proofs, status, trust) are properties here; a view only one standard reads is a
`@view` function in that standard's package (the CTDL publication, its pathways, its references), so this module
knows no standard.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property, update_wrapper
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from conformance.support.engines.jsonld import JsonLdReport
    from conformance.support.engines.jsonschema import SchemaReport
    from conformance.support.formats import Payload, PayloadError
    from conformance.support.securing.jose import JwtVerification
    from conformance.support.securing.proofs import VerificationResult
    from conformance.support.securing.status import StatusResult
    from conformance.support.securing.trust import TrustDecision
    from conformance.support.securing.verifier import VerificationOptions


T = TypeVar("T")


class View(Generic[T]):
    """A fact about a subject that a standard derives once per subject: `@view def pathways(subject) -> ...`, read as
    `pathways(subject)`. The subject keeps the value (a failed computation is not kept, as with cached_property); the
    standard keeps the function."""

    def __init__(self, compute: Callable[[Subject], T]) -> None:
        self.compute = compute
        update_wrapper(self, compute)

    def __call__(self, subject: Subject) -> T:
        views: dict[View[Any], Any] = subject.__dict__.setdefault("_views", {})
        if self in views:
            return views[self]      # type: ignore[no-any-return]
        value = views[self] = self.compute(subject)
        return value


def view(compute: Callable[[Subject], T]) -> View[T]:
    return View(compute)


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
        self._given: Payload | PayloadError | None = payload_error or payload

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
    def _decoded(self) -> Payload | PayloadError:
        """The payload, or why the bytes do not decode (the run's decoder, formats.decode, under its limits)."""
        if self._given is not None:
            return self._given
        return self.env.decode_payload(self.raw, name=self.name)

    @property
    def payload(self) -> Payload:
        """Raises formats.PayloadError when the bytes are not a credential payload at all."""
        decoded = self._decoded
        if isinstance(decoded, Exception):
            raise decoded
        return decoded

    @property
    def payload_error(self) -> PayloadError | None:
        """Why the bytes do not decode, or None when they do."""
        decoded = self._decoded
        return decoded if isinstance(decoded, Exception) else None

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
            return self.parent.jsonld.within(self.pointer).relative_to(self.pointer)
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

    def schema(self, url: str) -> SchemaReport:
        cache: dict[str, SchemaReport] = self.__dict__.setdefault("_schemas", {})
        if url not in cache:
            cache[url] = self.env.schemas.validate(url, self.document)
        return cache[url]
