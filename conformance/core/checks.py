"""Check registration: one check per requirement ID, plus how standards recognise their documents, what they embed,
the figures and measures they add, and the flows they run against live services.

A check is a pure function `(subject, ctx) -> Iterable[Finding]`. It yields one finding per violation, each with a
location; yielding nothing means the requirement holds. It never picks a severity: the catalog and the profile do.

    @check("EXAMPLE-issuer-present")      # the literal ID of the catalog entry it enforces
    def issuer_is_present(subject, ctx):
        if "issuer" not in subject.document:
            yield ctx.fail("", expected="an issuer property", found=MISSING)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from conformance.core.findings import Finding, Outcome

if TYPE_CHECKING:
    from conformance.core.subject import Subject


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Stands for an absent property in `found=`."""


def describe(value: Any, limit: int = 80) -> str:
    """A short, readable rendering of a JSON value for messages."""
    if value is MISSING:
        return "absent"
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Makes findings for one requirement; handed to its check on every call."""

    requirement: str

    def fail(self, at: str, *, expected: str, found: Any = MISSING, message: str | None = None) -> Finding:
        where = at or "the document"
        shown = describe(found)
        text = message or (f"{where} is absent; expected {expected}" if found is MISSING
                           else f"{where} is {shown}; expected {expected}")
        return Finding(self.requirement, Outcome.FAILED, at, text, expected=expected, actual=shown)

    def inapplicable(self, why: str, at: str = "") -> Finding:
        return Finding(self.requirement, Outcome.INAPPLICABLE, at, why)

    def cant_tell(self, why: str, at: str = "") -> Finding:
        return Finding(self.requirement, Outcome.CANT_TELL, at, why)

    def unsupported(self, feature: str, at: str = "", *, why: str = "") -> Finding:
        """cantTell for the suite's own limit (a cryptosuite, envelope, DID method it does not implement): never the
        target's failure; reports list these apart as the suite's limitations. `feature` names what is missing."""
        text = f"the suite does not support {feature}" + (f"; {why}" if why else "") + \
               ": this rule is undecided because of the suite, not the input"
        return Finding(self.requirement, Outcome.CANT_TELL, at, text, limitation=feature)

    def error(self, why: str, at: str = "") -> Finding:
        return Finding(self.requirement, Outcome.ERROR, at, why)

    def passed(self, note: str = "", at: str = "") -> Finding:
        return Finding(self.requirement, Outcome.PASSED, at, note)


CheckFn = Callable[["Subject", CheckContext], Iterable[Finding] | None]
Detector = Callable[["Subject"], bool]
Embedder = Callable[["Subject"], Iterable["Embedded"]]
# Figures a standard draws for the reports from a judged subject (a pathway diagram with its failing parts marked).
Illustrator = Callable[["Subject", Sequence[Finding]], Iterable[Mapping[str, str]]]
# Measures a standard reports beside its findings, never as one (the share of recommended data a resource has).
Measurer = Callable[["Subject"], Iterable[Mapping[str, Any]]]
# The requests the suite makes of a live service of some role (or the wallet session it hosts), run once per service:
# a ServiceSubject in, its Transcript out (support/exchange).
Flow = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Embedded:
    """A credential or presentation inside another document, to be checked as a subject of its own."""

    pointer: str            # where it sits in the parent document
    value: Any              # a JSON object, or a string holding a compact JWS or a data: URL
    encoding: str = "json"  # "json" | "jws" | "data-url" | "document" (a separate JSON document, e.g. a response)


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    requirement: str
    fn: CheckFn
    context: CheckContext

    @property
    def prefix(self) -> str:
        return self.requirement.split("-", 1)[0]

    def run(self, subject: Subject) -> Iterator[Finding]:
        produced = self.fn(subject, self.context)
        if produced is not None:
            yield from produced


class RuleBodies(dict[str, CheckFn]):
    """Check bodies by rule name, for rules whose one body two standards judge under their own literal IDs (the OB
    3.0 and CLR 2.0 APIs): `@bodies.rule("discovery-open")` keeps a body; each standard's checks.py registers it with
    `check("<PREFIX>-discovery-open")(bodies["discovery-open"])`."""

    def rule(self, name: str) -> Callable[[CheckFn], CheckFn]:
        def keep(fn: CheckFn) -> CheckFn:
            if name in self:
                raise ValueError(f"rule {name} already has a body: {self[name].__qualname__}")
            self[name] = fn
            return fn
        return keep


class CheckRegistry:
    def __init__(self) -> None:
        self.checks: dict[str, RegisteredCheck] = {}
        self.detectors: dict[str, Detector] = {}
        self.embedders: list[Embedder] = []
        self.illustrators: dict[str, Illustrator] = {}
        self.measurers: dict[str, Measurer] = {}
        self.flows: dict[str, Flow] = {}

    def check(self, requirement: str) -> Callable[[CheckFn], CheckFn]:
        def register(fn: CheckFn) -> CheckFn:
            if requirement in self.checks:
                other = self.checks[requirement].fn
                raise ValueError(f"{requirement} already has a check: {other.__module__}.{other.__qualname__}")
            self.checks[requirement] = RegisteredCheck(requirement, fn, CheckContext(requirement))
            return fn
        return register

    def detects(self, prefix: str) -> Callable[[Detector], Detector]:
        def register(fn: Detector) -> Detector:
            self.detectors[prefix] = fn
            return fn
        return register

    def embeds(self, fn: Embedder) -> Embedder:
        self.embedders.append(fn)
        return fn

    def measures(self, prefix: str) -> Callable[[Measurer], Measurer]:
        def register(fn: Measurer) -> Measurer:
            self.measurers[prefix] = fn
            return fn
        return register

    def flows_for(self, *roles: str) -> Callable[[Flow], Flow]:
        """Register the flows the suite runs against a live service of these roles (targets.toml `role`)."""
        def register(fn: Flow) -> Flow:
            for role in roles:
                if role in self.flows:
                    other = self.flows[role]
                    raise ValueError(f"role {role} already has flows: {other.__module__}.{other.__qualname__}")
                self.flows[role] = fn
            return fn
        return register

    def illustrates(self, prefix: str) -> Callable[[Illustrator], Illustrator]:
        def register(fn: Illustrator) -> Illustrator:
            self.illustrators[prefix] = fn
            return fn
        return register


CHECK_REGISTRY = CheckRegistry()
check = CHECK_REGISTRY.check
detects = CHECK_REGISTRY.detects
embeds = CHECK_REGISTRY.embeds
illustrates = CHECK_REGISTRY.illustrates
measures = CHECK_REGISTRY.measures
flows = CHECK_REGISTRY.flows_for
