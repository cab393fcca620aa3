"""RDFC-1.0 canonical N-Quads of a JSON-LD document over pinned contexts, with a bound on work.

pyld's canonicalization (its URDNA2015 equals RDFC-1.0 with SHA-256) has no guard: a graph of blank nodes that
all look alike (the "poison" clique) makes Hash N-Degree Quads try every permutation, which for a dozen nodes runs
for hours. We run pyld's own algorithm and charge each permutation and each N-degree call to a budget that ends
the run with `CanonicalizationTimeout` when the deadline (or an optional deterministic work limit) is passed. The
charge point is the copy of the path issuer pyld makes per permutation: our issuer subclass pays on every copy.

pyoxigraph's RDFC-1.0 gives byte-identical output on our vectors but is no faster (expansion dominates), and its
Rust loop cannot be interrupted from Python, so it is not used.

Safe mode: a term the contexts do not define is silently dropped by JSON-LD, so a property added after signing
would not change the canonical form. Every canonicalization therefore fails with `UndefinedTermError` when the
document (or a proof configuration) uses such a term.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pyld import jsonld as pyld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from conformance.engines.jsonld import ContextLoader, ContextUnavailable, SafeModeExpander, TermProblem

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
    """pyld's algorithm, unchanged except that Hash N-Degree Quads runs on a budget."""

    def __init__(self, budget: _Budget):
        super().__init__()
        self.budget = budget

    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        self.budget.spend()
        if not isinstance(issuer, _BudgetedIssuer):
            issuer = _BudgetedIssuer.adopt(issuer, self.budget)
        return super().hash_n_degree_quads(id_, issuer)


class _DropListener(pyld.JsonLdProcessor):
    """Notes dropped properties during RDF conversion, a second line behind the safe-mode analysis."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._dropped)
        self.dropped: list[str] = []

    def _dropped(self, expanded_property: str | None) -> None:
        if expanded_property is not None:
            self.dropped.append(expanded_property)


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

    def canonicalize(self, document: Mapping[str, Any]) -> str:
        """RDFC-1.0 canonical N-Quads; raises a CanonicalizationError subclass, never anything else."""
        budget = _Budget(time.monotonic() + self.timeout, self.timeout, self.max_work)
        if not isinstance(document, Mapping):
            raise CanonicalizationError(f"expected a JSON object to canonicalize, found {type(document).__name__}")
        _check_depth(document)
        self._check_terms(document)
        dataset = self._to_rdf(document)
        try:
            return _BoundedRdfc(budget).main(dataset, {"format": "application/n-quads"})
        except RecursionError:
            raise CanonicalizationError("canonicalization recurses too deeply") from None

    def _check_terms(self, document: Mapping[str, Any]) -> None:
        try:
            report = self.expander.analyze(document)
        except RecursionError:
            raise CanonicalizationError("JSON-LD processing recurses too deeply") from None
        if report.unavailable is not None:
            raise ContextNotAvailable(report.unavailable)
        if report.invalid is not None:
            raise CanonicalizationError(f"expected valid JSON-LD, found: {report.invalid}")
        if report.problems:
            raise UndefinedTermError(report.problems)

    def _to_rdf(self, document: Mapping[str, Any]) -> dict[str, Any]:
        processor = _DropListener()
        self.loader.begin()
        options = {"documentLoader": self.loader, "contextResolver": self.loader.resolver(), "base": None,
                   "produceGeneralizedRdf": False}
        try:
            dataset = processor.to_rdf(dict(document), options)       # pyld copies its input itself
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
