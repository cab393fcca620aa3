"""Upstream JSON Schemas (1EdTech) as an extra layer of document checks.

Schemas are read from the artifact store by their canonical URL and compiled once with jsonschema-rs, which is
~100x faster than the pure-Python validator on these 110 KB schemas; `tests/support/engines` cross-checks both libraries
give the same verdicts on every vector, so the speed costs no fidelity.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson

from conformance.support.artifacts.store import ArtifactStore
from conformance.support.formats import values_at_most


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    pointer: str
    message: str
    keyword: str


# jsonschema-rs collects every error before handing out the first, and a failed oneOf costs ~100-200 µs per value of
# the array it fails on: a document of a million wrong values would take minutes and gigabytes. So the work follows
# the document's size (values estimated from its separators, never fewer than it holds): every violation is listed
# up to the first bound, only the first one up to the second, and past that an invalid document's violations are
# not listed at all (the suite's limit: the rule stays undecided). A valid document is decided at any size.
MAX_VALUES_FOR_EVERY_VIOLATION = 5_000
MAX_VALUES_FOR_FIRST_VIOLATION = 20_000


@dataclass(frozen=True, slots=True)
class SchemaReport:
    url: str
    violations: tuple[SchemaViolation, ...] = ()
    unavailable: str | None = None          # why we could not validate (schema missing from the store)
    complete: bool = True                   # False: only the first violation of a large document is listed
    limitation: str | None = None           # the document is invalid, but too large for the suite to say where


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class SchemaValidators:
    def __init__(self, store: ArtifactStore):
        self.store = store
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def raw_schema(self, url: str) -> Mapping[str, Any] | None:
        data = self.store.get(url)
        return None if data is None else orjson.loads(data)

    def _validator(self, url: str) -> Any | None:
        validator = self._compiled.get(url)
        if validator is None:
            schema = self.raw_schema(url)
            if schema is None:
                return None
            validator = jsonschema_rs.Draft201909Validator(schema, validate_formats=True)
            with self._lock:
                self._compiled[url] = validator
        return validator

    def validate(self, url: str, document: Any) -> SchemaReport:
        validator = self._validator(url)
        if validator is None:
            reason = ("is not pinned in shapes/pins.toml" if not self.store.is_pinned(url)
                      else "is pinned but its bytes are not in the artifact store (run `ler-conformance artifacts fetch`)")
            return SchemaReport(url, unavailable=f"schema {url} {reason}")
        if validator.is_valid(document):
            return SchemaReport(url)
        values = values_at_most(document)
        if values > MAX_VALUES_FOR_FIRST_VIOLATION:
            return SchemaReport(url, limitation=f"locating the JSON Schema violations of a document of more than "
                                                f"{MAX_VALUES_FOR_FIRST_VIOLATION:,} values (this one holds about "
                                                f"{values:,}); the schema rejects it")
        if values > MAX_VALUES_FOR_EVERY_VIOLATION:
            try:
                validator.validate(document)
            except jsonschema_rs.ValidationError as first:
                return SchemaReport(url, (SchemaViolation(_pointer(first.instance_path), first.message,
                                                          _keyword(first)),), complete=False)
        violations = tuple(
            SchemaViolation(_pointer(leaf.instance_path), leaf.message, _keyword(leaf))
            for error in validator.iter_errors(document) for leaf in _root_causes(error)
        )
        return SchemaReport(url, violations)


def _depth(error: Any) -> int:
    return len(list(error.instance_path))


def _root_causes(error: Any) -> list[Any]:
    """For a failed oneOf/anyOf, the errors of the branch that got furthest into the instance (the most specific
    explanation), when they lie deeper than the oneOf itself; otherwise the error as reported."""
    branches = [list(b) for b in (getattr(error.kind, "context", None) or []) if b]
    if not branches:
        return [error]
    best = max(branches, key=lambda branch: (max(_depth(e) for e in branch), -len(branch)))
    leaves = [leaf for e in best for leaf in _root_causes(e)]
    return leaves if max(_depth(leaf) for leaf in leaves) > _depth(error) else [error]


def _keyword(error: Any) -> str:
    path = list(getattr(error, "schema_path", []) or [])
    return str(path[-1]) if path else ""
