"""Work budgets for judging inputs: one per input document, one per run.

An input a vendor sends can ask for far more work than its size suggests: a poison graph behind many proofs, proofs
naming every other proof as previous, a hundred thousand values to expand, verification methods that never answer.
Every verification step charges the same budget, so the sum of the steps is bounded, not only each step:

- `jsonld-operations`: JSON-LD values expanded and RDFC-1.0 steps (deterministic: the same input is cut at the same
  place on every machine, so a verdict does not depend on the tester's hardware);
- `proofs`: proof and signature verifications (embedded credentials included);
- `fetches`: documents fetched or looked up for verification (controller documents, status lists);
- `seconds`: the wall clock, a safety net for everything the counts above do not see.

The runner opens one `Spending` per input (an embedded credential spends its input's budget) inside the run's, and
publishes it in a context variable; engines and the verifier call `charge`. Exhausting a budget raises
`WorkBudgetExhausted`, which the runner turns into an `error` finding on the rule that was at work, naming the
budget: the suite stopped, the input is not at fault, and the verdict cannot be pass. It derives from BaseException
so that no library's or step's `except Exception` can turn it into an ordinary failure ("canonicalization failed",
"the key could not be had") on its way up.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from typing import Literal

Kind = Literal["jsonld-operations", "proofs", "fetches"]
KINDS: tuple[Kind, ...] = ("jsonld-operations", "proofs", "fetches")


class WorkBudgetExhausted(BaseException):
    """A budget ran out; `message` names it (which, how much, for what)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class WorkLimits:
    """The budgets of one run (`--work-budget NAME=VALUE`); None: no limit of that kind."""

    document_seconds: float | None = 60.0
    document_jsonld_operations: int | None = 1_000_000   # ~40 s of pyld at worst; a CLR of 100 signed credentials ~120,000
    document_proofs: int | None = 200                    # a CLR with an embedded, signed credential per achievement
    document_fetches: int | None = 100
    run_seconds: float | None = None
    run_jsonld_operations: int | None = None
    run_proofs: int | None = None
    run_fetches: int | None = 2_000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                    or value <= 0:
                raise ValueError(f"the work budget {_option_name(item.name)} is {value!r}; expected a positive "
                                 "number")

    @classmethod
    def parse(cls, settings: Mapping[str, str], base: WorkLimits | None = None) -> WorkLimits:
        """Limits from `--work-budget` settings (document-proofs=50, run-seconds=600, document-fetches=none)."""
        known = {_option_name(f.name): f.name for f in fields(cls)}
        changes: dict[str, float | int | None] = {}
        for name, text in settings.items():
            attribute = known.get(name)
            if attribute is None:
                raise ValueError(f"--work-budget names {name!r}; expected one of {', '.join(sorted(known))}")
            changes[attribute] = _number(name, text, seconds=attribute.endswith("_seconds"))
        return replace(base or cls(), **changes)

    def described(self) -> dict[str, float | int | None]:
        """The limits by their option names (for results.json and --help)."""
        return {_option_name(f.name): getattr(self, f.name) for f in fields(self)}


def _option_name(attribute: str) -> str:
    return attribute.replace("_", "-")


def _number(name: str, text: str, *, seconds: bool) -> float | int | None:
    if text.strip().lower() in ("none", "unlimited"):
        return None
    try:
        value: float | int = float(text) if seconds else int(text)
    except ValueError:
        what = "a number of seconds" if seconds else "a whole number"
        raise ValueError(f"--work-budget {name}={text!r}: expected {what}, or none") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"--work-budget {name}={text!r}: expected a positive value, or none")
    return value


def _noun(kind: Kind, amount: float) -> str:
    names = {"jsonld-operations": "JSON-LD operations", "proofs": "proof verifications", "fetches": "fetches"}
    return f"{amount:,} {names[kind]}"


@dataclass(slots=True)
class RunSpending:
    """What the whole run has spent (one per run; its clock starts when it is made)."""

    limits: WorkLimits = field(default_factory=WorkLimits)
    started: float = field(default_factory=time.monotonic)
    spent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def charge(self, kind: Kind, amount: int) -> None:
        self.spent[kind] += amount
        limit = getattr(self.limits, "run_" + kind.replace("-", "_"))
        if limit is not None and self.spent[kind] > limit:
            raise WorkBudgetExhausted(f"the run's work budget of {_noun(kind, limit)} is exhausted "
                                      f"(--work-budget run-{kind})")

    def check_time(self) -> None:
        limit = self.limits.run_seconds
        if limit is not None and time.monotonic() - self.started > limit:
            raise WorkBudgetExhausted(f"the run's time budget of {limit:g} s is exhausted (--work-budget run-seconds)")


@dataclass(slots=True)
class Spending:
    """What one input has spent; every charge is also the run's."""

    input: str
    run: RunSpending
    started: float = field(default_factory=time.monotonic)
    spent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    exhausted: str | None = None           # the first budget that ran out: every later charge says the same
    failed: dict[object, BaseException] = field(default_factory=dict)   # work that ran past its own bound, by input

    def charge(self, kind: Kind, amount: int = 1) -> None:
        if self.exhausted is not None:
            raise WorkBudgetExhausted(self.exhausted)
        try:
            self.spent[kind] += amount
            limit = getattr(self.run.limits, "document_" + kind.replace("-", "_"))
            if limit is not None and self.spent[kind] > limit:
                raise WorkBudgetExhausted(f"the input's work budget of {_noun(kind, limit)} is exhausted "
                                          f"(--work-budget document-{kind})")
            self.check_time()
            self.run.charge(kind, amount)
        except WorkBudgetExhausted as exhausted:
            self.exhausted = exhausted.message
            raise

    def check_time(self) -> None:
        if self.exhausted is not None:
            raise WorkBudgetExhausted(self.exhausted)
        limit = self.run.limits.document_seconds
        if limit is not None and time.monotonic() - self.started > limit:
            self.exhausted = (f"the input's time budget of {limit:g} s is exhausted "
                              "(--work-budget document-seconds)")
            raise WorkBudgetExhausted(self.exhausted)
        self.run.check_time()


_CURRENT: ContextVar[Spending | None] = ContextVar("conformance_work_spending", default=None)


def charge(kind: Kind, amount: int = 1) -> None:
    """Charge the input being judged (nothing, outside a run: a reference service, a vector being signed)."""
    spending = _CURRENT.get()
    if spending is not None:
        spending.charge(kind, amount)


def check_time() -> None:
    """Raise WorkBudgetExhausted when the input's (or the run's) time is up; for loops that charge nothing."""
    spending = _CURRENT.get()
    if spending is not None:
        spending.check_time()


def current() -> Spending | None:
    return _CURRENT.get()


@contextmanager
def spending(input_id: str, run: RunSpending) -> Iterator[Spending]:
    """Judge one input on its own budget (within the run's)."""
    opened = Spending(input_id, run)
    token = _CURRENT.set(opened)
    try:
        yield opened
    finally:
        _CURRENT.reset(token)
