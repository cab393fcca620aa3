"""RDFC-1.0 canonical N-Quads of a JSON-LD document over pinned contexts, with a bound on work.

pyld's canonicalization (its URDNA2015 equals RDFC-1.0 with SHA-256) has no guard: a graph of blank nodes that
all look alike (the "poison" clique) makes Hash N-Degree Quads try every permutation, which for a dozen nodes runs
for hours. We run pyld's own algorithm and charge each permutation and each N-degree call to a budget that ends
the run with `CanonicalizationTimeout` when the deadline (or an optional deterministic work limit) is passed. The
charge point is the copy of the path issuer pyld makes per permutation: our issuer subclass pays on every copy.

Reuse across documents, none of which changes a byte (tests compare with plain pyld): processed active contexts
are kept per canonicalizer (`ActiveContexts`: pyld would re-process Open Badges 3.0's type-scoped contexts for
every credential), proof configurations can be memoised by their exact JSON (`memo=True`), and pyld gets a private
copy of plain-JSON input instead of deep-copying it again.

pyoxigraph's RDFC-1.0 gives byte-identical output on our vectors and known answers but is no faster here: on
credential-sized graphs pyld's algorithm takes ~0.03 ms, pyoxigraph ~0.05 ms with the conversion to and from its
terms, and its Rust loop cannot be interrupted from Python, so it is not used.

Safe mode: a term the contexts do not define is silently dropped by JSON-LD, so a property added after signing
would not change the canonical form. Every canonicalization therefore fails with `UndefinedTermError` when the
document (or a proof configuration) uses such a term.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from cachetools import LRUCache
from pyld import jsonld as pyld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from conformance.core import work
from conformance.support.engines.jsonld import (
    ActiveContexts,
    ContextLoader,
    ContextUnavailable,
    ReusesActiveContexts,
    SafeModeExpander,
    TermProblem,
)
from conformance.support.engines.node_maps import indexed_node_maps

DEFAULT_TIMEOUT = 5.0
# deeper than any credential the payload readers accept (64), shallow enough for pyld's recursive expansion
MAX_DEPTH = 128

CanonicalizationReason = Literal["canonicalization-failed", "canonicalization-timeout", "context-unavailable",
                                 "undefined-term"]


class CanonicalizationError(Exception):
    """The document has no canonical form we can compute. `indeterminate`: our limit or environment, not a defect."""

    reason: CanonicalizationReason = "canonicalization-failed"
    indeterminate = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CanonicalizationTimeout(CanonicalizationError):
    reason: CanonicalizationReason = "canonicalization-timeout"
    indeterminate = True


class ContextNotAvailable(CanonicalizationError):
    reason: CanonicalizationReason = "context-unavailable"
    indeterminate = True

    def __init__(self, cause: ContextUnavailable):
        super().__init__(cause.describe())
        self.url = cause.url


class UndefinedTermError(CanonicalizationError):
    reason: CanonicalizationReason = "undefined-term"

    def __init__(self, problems: tuple[TermProblem, ...]):
        shown = "; ".join(f"{p.term!r} at {p.pointer or '/'}" for p in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        kind = "terms" if len(problems) > 1 else "a term"
        super().__init__(f"expected every term to be defined by the contexts, found {kind} they do not define "
                         f"(dropped from the signed form): {shown}{more}")
        self.problems = problems


@dataclass(slots=True)
class _Budget:
    deadline: float
    timeout: float
    max_work: int | None
    work: int = 0

    def spend(self) -> None:
        self.work += 1
        work.charge("jsonld-operations")
        if self.max_work is not None and self.work > self.max_work:
            raise CanonicalizationTimeout(
                f"canonicalization needs more than {self.max_work} blank-node permutations (a poison graph?); "
                f"stopped")
        if time.monotonic() > self.deadline:
            raise CanonicalizationTimeout(
                f"canonicalization did not finish within {self.timeout:g} s after {self.work} blank-node "
                f"permutations (a poison graph?); stopped")


class _BudgetedIssuer(IdentifierIssuer):
    """An identifier issuer whose every copy (one per permutation tried) is charged to the budget."""

    def __init__(self, prefix: str, budget: _Budget):
        super().__init__(prefix)
        self.budget = budget

    @classmethod
    def adopt(cls, issuer: IdentifierIssuer, budget: _Budget) -> _BudgetedIssuer:
        adopted = cls(issuer.prefix, budget)
        adopted.counter = issuer.counter
        adopted.existing = dict(issuer.existing)
        adopted.order = list(issuer.order)
        return adopted

    def __deepcopy__(self, memo: dict[int, Any]) -> _BudgetedIssuer:
        self.budget.spend()
        return _BudgetedIssuer.adopt(self, self.budget)


class _BoundedRdfc(URDNA2015):
    """pyld's algorithm, unchanged except that Hash N-Degree Quads runs on a budget and the hash function is RDFC-1.0's
    parameter (SHA-256 by default; ecdsa-rdfc-2019 with P-384 keys asks for SHA-384)."""

    def __init__(self, budget: _Budget, hash_algorithm: str = "sha256"):
        super().__init__()
        self.budget = budget
        self.hash_algorithm = hash_algorithm

    def create_hash(self) -> Any:
        return hashlib.new(self.hash_algorithm)

    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        self.budget.spend()
        if not isinstance(issuer, _BudgetedIssuer):
            issuer = _BudgetedIssuer.adopt(issuer, self.budget)
        return super().hash_n_degree_quads(id_, issuer)

    def modify_first_degree_component(self, id_: str, component: dict[str, Any], key: str) -> dict[str, Any]:
        # pyld deep-copies the component; it is a flat dict of strings, so a shallow copy is the same value
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}


RDFC_HASHES = frozenset({"sha256", "sha384"})   # the hash functions RDFC-1.0 may be run with here
_MEMO_SIZE = 1024


class _DropListener(ReusesActiveContexts):
    """Notes dropped properties during RDF conversion, a second line behind the safe-mode analysis; reuses
    processed active contexts across documents when given a cache."""

    def __init__(self, contexts: ActiveContexts | None) -> None:
        super().__init__(on_property_dropped=self._dropped)
        self.dropped: list[str] = []
        self.contexts = contexts

    def _dropped(self, expanded_property: str | None) -> None:
        if expanded_property is not None:
            self.dropped.append(expanded_property)

    def _create_node_map(self, *args: Any, **kwargs: Any) -> Any:
        with indexed_node_maps():         # linear duplicate checks (conformance.support.engines.node_maps)
            return super()._create_node_map(*args, **kwargs)

    def _expand(self, *args: Any, **kwargs: Any) -> Any:
        work.charge("jsonld-operations")
        return super()._expand(*args, **kwargs)


class Canonicalizer:
    """Canonical N-Quads of JSON-LD documents, contexts from the artifact store only.

    `timeout` bounds one canonicalization in seconds; `max_work` optionally bounds it in blank-node permutations
    (deterministic, for tests and reproducible runs).
    """

    def __init__(self, loader: ContextLoader, *, timeout: float = DEFAULT_TIMEOUT, max_work: int | None = None,
                 expander: SafeModeExpander | None = None):
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.loader = loader
        self.timeout = timeout
        self.max_work = max_work
        self.expander = expander if expander is not None else SafeModeExpander(loader)
        self._contexts = ActiveContexts()
        self._memo: LRUCache = LRUCache(maxsize=_MEMO_SIZE)
        self._lock = threading.Lock()

    def canonicalize(self, document: Mapping[str, Any], *, memo: bool = False, hash_algorithm: str = "sha256") -> str:
        """RDFC-1.0 canonical N-Quads; raises a CanonicalizationError subclass, never anything else.

        `memo`: remember the result by the document's exact JSON text (for proof configurations, which repeat
        across the credentials one issuer signs in a batch). Only results are remembered, never errors.
        """
        budget = _Budget(time.monotonic() + self.timeout, self.timeout, self.max_work)
        if not isinstance(document, Mapping):
            raise CanonicalizationError(f"expected a JSON object to canonicalize, found {type(document).__name__}")
        if not isinstance(document, dict):
            document = dict(document)
        owned = _owned_copy(document)
        if hash_algorithm not in RDFC_HASHES:
            raise ValueError(f"RDFC-1.0 hash must be one of {sorted(RDFC_HASHES)}, not {hash_algorithm!r}")
        key = _memo_key(owned, hash_algorithm) if memo and owned is not None else None
        if key is not None:
            with self._lock:
                cached = self._memo.get(key)
            if cached is not None:
                return cached
        spending = work.current()
        failure_key = None
        if spending is not None and spending.failed and owned is not None:
            # a proof set signs one document many times: once it ran past the bound, it would again, every time
            failure_key = _failure_key(owned, hash_algorithm)
            known = spending.failed.get(failure_key) if failure_key is not None else None
            if isinstance(known, CanonicalizationTimeout):
                raise known
        self._check_terms(document)
        dataset = self._to_rdf(owned) if owned is not None else self._to_rdf(dict(document), cached=False)
        try:
            canonical = _BoundedRdfc(budget, hash_algorithm).main(dataset, {"format": "application/n-quads"})
        except RecursionError:
            raise CanonicalizationError("canonicalization recurses too deeply") from None
        except CanonicalizationTimeout as exc:
            failure_key = failure_key or (_failure_key(owned, hash_algorithm) if owned is not None else None)
            if spending is not None and failure_key is not None:
                spending.failed[failure_key] = exc
            raise
        if key is not None:
            with self._lock:
                self._memo[key] = canonical
        return canonical

    def check_terms(self, document: Mapping[str, Any]) -> None:
        """Raise UndefinedTermError when canonicalizing would drop a term the contexts do not define (data loss),
        ContextNotAvailable or CanonicalizationError when the document cannot be processed; cheap once analysed."""
        self._check_terms(document)

    def _check_terms(self, document: Mapping[str, Any]) -> None:
        try:
            report = self.expander.analyze(document)
        except RecursionError:
            raise CanonicalizationError("JSON-LD processing recurses too deeply") from None
        except (TypeError, ValueError) as exc:
            # a value outside JSON (a mapping that is no dict, a set...) handed in by a caller of its own
            raise CanonicalizationError(f"expected a JSON document, found: {exc}") from None
        if report.unavailable is not None:
            raise ContextNotAvailable(report.unavailable)
        if report.invalid is not None:
            raise CanonicalizationError(f"expected valid JSON-LD, found: {report.invalid}")
        if report.problems:
            raise UndefinedTermError(report.problems)

    def _to_rdf(self, document: dict[str, Any], *, cached: bool = True) -> dict[str, Any]:
        """`document` is pyld's to consume: a private copy (`_Owned`) or a shallow one pyld deep-copies itself."""
        processor = _DropListener(self._contexts if cached else None)
        self.loader.begin()
        options = {"documentLoader": self.loader, "contextResolver": self.loader.resolver(), "base": None,
                   "produceGeneralizedRdf": False}
        try:
            dataset = processor.to_rdf(document, options)
        except ContextUnavailable as exc:
            raise ContextNotAvailable(exc) from None
        except pyld.JsonLdError as exc:
            cause = _context_cause(exc)
            if cause is not None:
                raise ContextNotAvailable(cause) from None
            raise CanonicalizationError(f"expected valid JSON-LD, found: {_first_line(exc)}") from None
        except RecursionError:
            raise CanonicalizationError("JSON-LD processing recurses too deeply") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # pyld raises plain Python errors for some malformed contexts and values
            raise CanonicalizationError(f"expected valid JSON-LD, found: {exc}") from None
        if processor.dropped:
            raise UndefinedTermError(tuple(TermProblem("", "undefined-property", t) for t in processor.dropped))
        return dataset


class _Owned(dict):
    """A private deep copy handed to pyld: its defensive `deepcopy` of the input would only copy it again."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> _Owned:
        return self


class _NotPlain(Exception):
    """A value outside plain JSON (a Mapping that is no dict, a tuple, NaN...): pyld gets its own deep copy."""


_SCALARS = (str, int, bool, type(None))


def _owned_copy(document: Mapping[str, Any]) -> _Owned | None:
    """A deep copy of plain JSON, checking depth on the way; None when the document holds anything else."""
    try:
        return _Owned(_copy_json(document, 1))      # type: ignore[arg-type]
    except _NotPlain:
        _check_depth(document)
        return None
    except RecursionError:
        raise CanonicalizationError("JSON-LD processing recurses too deeply") from None


def _copy_json(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CanonicalizationError(f"expected JSON nested at most {MAX_DEPTH} levels deep, found deeper")
    kind = type(value)
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            copied[key] = _copy_json(item, depth + 1)
        return copied
    if kind is list:
        return [_copy_json(item, depth + 1) for item in value]
    if kind in _SCALARS or (kind is float and math.isfinite(value)):
        return value
    raise _NotPlain


def _failure_key(document: dict[str, Any], hash_algorithm: str) -> tuple[str, bytes] | None:
    key = _memo_key(document, hash_algorithm)
    return None if key is None else ("rdfc", key)


def _memo_key(document: dict[str, Any], hash_algorithm: str) -> bytes | None:
    # exact for plain JSON: member order kept, 1 / 1.0 / true told apart; big integers are not keyed
    try:
        return hash_algorithm.encode("ascii") + b" " + orjson.dumps(document)
    except orjson.JSONEncodeError:
        return None


def _check_depth(document: Any) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CanonicalizationError(f"expected JSON nested at most {MAX_DEPTH} levels deep, found deeper")
        if isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _context_cause(exc: BaseException) -> ContextUnavailable | None:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ContextUnavailable):
            return current
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            stack.extend(v for v in details.values() if isinstance(v, BaseException))
        stack.extend([current.__cause__, current.__context__])
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else exc.__class__.__name__
    return text.splitlines()[0] if text else exc.__class__.__name__
