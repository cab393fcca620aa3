"""The run's shared services: catalog, profiles, artifact store, JSON-LD expander, schema validators, limits.

Checks never see this object; Subject views use it to do their I/O.
"""
from __future__ import annotations

import copy
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import standards
from conformance.core.checks import CHECK_REGISTRY, CheckRegistry
from conformance.core.profiles import Profile, load_profiles
from conformance.core.requirements import Catalog
from conformance.core.work import WorkLimits
from conformance.run.targets.files import DirectoryTarget, FileTarget, Target
from conformance.standards.ctdl.facts.references import resolver_for
from conformance.standards.ctdl.facts.run_set import RunSet, RunSetResolver
from conformance.standards.ctdl.facts.sets import SET_SUFFIXES
from conformance.support.artifacts.store import ArtifactStore, load_pins
from conformance.support.engines.jsonld import MAX_CONTEXT_BYTES, ContextLoader, SafeModeExpander
from conformance.support.engines.jsonschema import SchemaValidators
from conformance.support.formats import Limits, Payload, PayloadError, decode
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file
from conformance.support.securing.trust import TrustList
from conformance.support.securing.verifier import VerificationOptions, Verifier, format_instant

if TYPE_CHECKING:
    from conformance.standards.ctdl.facts.references import CtdlResolver
    from conformance.standards.ctdl.facts.run_set import RunSet

# What one --online fetch reads at most (contexts, DID and controller documents, status lists): the context loader's
# cap, which tells a context cut at that size ("too large") from one that is not JSON.
MAX_FETCHED_BYTES = MAX_CONTEXT_BYTES


@dataclass
class Environment:
    store: ArtifactStore
    online: bool = False
    limits: Limits = field(default_factory=Limits)
    shapes: Path = field(default_factory=shapes_dir)
    fetch: Callable[[str], bytes] | None = None
    documents: Mapping[str, bytes | None] = field(default_factory=dict)  # known documents by URL (None: gone)
    options: VerificationOptions = field(default_factory=VerificationOptions)
    ctdl_registry: str | None = None          # production, sandbox, staging or a base URL (CTDL identifier rules)
    ctdl_set: CtdlResolver | None = None      # the publication set a CTDL document belongs to, when the run has one
    ctdl_lookup: CtdlResolver | None = None   # the Registry itself, for online runs
    ctdl_set_index: RunSet | None = None      # the CTDL files among the run's local inputs (duplicate CTIDs)
    work_limits: WorkLimits = field(default_factory=WorkLimits)   # per input and per run (conformance.core.work)

    @classmethod
    def create(cls, *, artifacts: Path | None = None, online: bool = False, limits: Limits | None = None,
               fetch: Callable[[str], bytes] | None = None, documents: Mapping[str, bytes | None] | None = None,
               trust_list: TrustList | None = None, options: VerificationOptions | None = None,
               ctdl_registry: str | None = None, at: datetime | None = None,
               work_limits: WorkLimits | None = None) -> Environment:
        """`at` is the run's judging instant (conformance.support.securing.verifier.judging_instant); without one (and without
        options.now) every verification reads the clock, as a long-running service should."""
        shapes = shapes_dir()
        store = ArtifactStore.from_environment(load_pins(shapes / "pins.toml"), artifacts)
        options = options or VerificationOptions()
        if trust_list is not None:
            options = replace(options, trust_list=trust_list)
        if at is not None:
            options = replace(options, now=at)
        return cls(store=store, online=online, limits=limits or Limits(), shapes=shapes, fetch=fetch,
                   documents=dict(documents or {}), options=options, ctdl_registry=ctdl_registry,
                   work_limits=work_limits or WorkLimits())

    def with_options(self, options: VerificationOptions) -> Environment:
        """The same run services (every cache shared) with other verification options, e.g. one vector's challenge.
        Options without an instant keep the run's judging instant: the documents of one run are judged at one."""
        if options.now is None:
            options = replace(options, now=self.options.now)
        shared = self.verifier                      # built once here, so every twin shares its caches
        twin = copy.copy(self)
        twin.options = options
        twin.__dict__["verifier"] = shared.with_options(options)
        return twin

    @property
    def judging_instant(self) -> datetime | None:
        """The instant this run judges time-bound rules at; None when it reads the clock at each verification."""
        return self.options.now

    def use_publication_set(self, targets: Iterable[Target]) -> None:
        """Judge the CTDL files among local targets as one publication set: references resolve in sibling files and
        a CTID two files publish is a duplicate. Nothing is read until a CTDL check needs the set."""

        files = set_files(targets)
        if not files:
            return
        run_set = RunSet(files, self.limits)
        self.__dict__.pop("ctdl_resolver", None)        # built before the set was known: rebuild with it
        self.ctdl_set_index = run_set
        self.ctdl_set = RunSetResolver(run_set)

    @cached_property
    def ctdl_resolver(self) -> CtdlResolver:
        """Where CTDL references are looked up, cheapest first: the set, known documents, then the Registry."""

        return resolver_for(self.documents, publication_set=self.ctdl_set, registry=self.ctdl_lookup)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.shapes, validate=validate_data_file)

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        return load_profiles(self.shapes / "profiles", validate=validate_data_file)

    @cached_property
    def check_registry(self) -> CheckRegistry:
        return load_standards()

    @cached_property
    def loader(self) -> ContextLoader:
        return ContextLoader(self.store, online=self.online, fetch=self.fetch)

    @cached_property
    def expander(self) -> SafeModeExpander:
        return SafeModeExpander(self.loader)

    @cached_property
    def schemas(self) -> SchemaValidators:
        return SchemaValidators(self.store)

    @cached_property
    def verifier(self) -> Verifier:
        return Verifier(loader=self.loader, expander=self.expander, limits=self.limits,
                        online_fetch=self.fetch if self.online else None, documents=self.documents,
                        options=self.options)

    def decode_payload(self, raw: bytes, *, name: str | None = None) -> Payload | PayloadError:
        """The bytes of an input as a payload under the run's limits, or why they are not one."""
        try:
            return decode(raw, self.limits, name=name)
        except PayloadError as exc:
            return exc

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise KeyError(f"no profile named {name!r}; known: {', '.join(sorted(self.profiles))}") from None

    def given_inputs(self) -> frozenset[str]:
        """The user inputs rules may need (a catalog entry's `needs`) that this run was given."""
        given = {"trust-list": self.options.trust_list is not None, "challenge": self.options.challenge is not None,
                 "domain": self.options.domain is not None}
        return frozenset(name for name, present in given.items() if present)

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"online": self.online,
                                     "artifact_dirs": [str(d) for d in self.store.directories]}
        if self.options.now is not None:           # every time-bound rule of the run was judged at this instant
            described["at"] = format_instant(self.options.now)
        if self.options.trust_list is not None:
            described["trust_list"] = {"name": self.options.trust_list.name,
                                       "entries": len(self.options.trust_list)}
        if self.options.challenge is not None or self.options.domain is not None:
            described["expected"] = {"challenge": self.options.challenge, "domain": self.options.domain}
        if self.documents:
            described["known_documents"] = sorted(self.documents)
        if self.ctdl_set_index is not None:
            described["ctdl_publication_set"] = self.ctdl_set_index.describe()
        described["work_budget"] = self.work_limits.described()   # what "the budget is exhausted" refers to
        return described


def set_files(targets: Iterable[Target]) -> tuple[Path, ...]:
    """The local files of the targets that could hold CTDL (JSON, JSON-LD, JSONL), in the order the run reads
    them, each spelled as the run names its subject, so index sources and subject ids agree."""
    files: list[Path] = []
    for target in targets:
        if isinstance(target, DirectoryTarget):
            files.extend(p for p in target.files() if p.suffix.lower() in SET_SUFFIXES)
        elif isinstance(target, FileTarget) and target.path.suffix.lower() in SET_SUFFIXES:
            files.append(target.path)
    return tuple(dict.fromkeys(files))


def load_standards() -> CheckRegistry:
    """Import every module under conformance.standards so that their checks, detectors and flows register."""
    for info in pkgutil.walk_packages(standards.__path__, standards.__name__ + "."):
        importlib.import_module(info.name)
    return CHECK_REGISTRY
