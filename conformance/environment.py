"""The run's shared services: catalog, profiles, artifact store, JSON-LD expander, schema validators, limits.

Checks never see this object; Subject views use it to do their I/O.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from conformance.artifacts.store import ArtifactStore, load_pins
from conformance.engines.jsonld import ContextLoader, SafeModeExpander
from conformance.engines.jsonschema import SchemaValidators
from conformance.formats import Limits
from conformance.model.profiles import Profile, load_profiles
from conformance.model.requirements import Catalog
from conformance.registry import Registry, load_standards
from conformance.resources import shapes_dir
from conformance.schemas import validate_data_file


@dataclass
class Environment:
    store: ArtifactStore
    online: bool = False
    limits: Limits = field(default_factory=Limits)
    shapes: Path = field(default_factory=shapes_dir)
    fetch: Callable[[str], bytes] | None = None

    @classmethod
    def create(cls, *, artifacts: Path | None = None, online: bool = False, limits: Limits | None = None,
               fetch: Callable[[str], bytes] | None = None) -> Environment:
        shapes = shapes_dir()
        store = ArtifactStore.from_environment(load_pins(shapes / "pins.toml"), artifacts)
        return cls(store=store, online=online, limits=limits or Limits(), shapes=shapes, fetch=fetch)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.shapes, validate=validate_data_file)

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        return load_profiles(self.shapes / "profiles", validate=validate_data_file)

    @cached_property
    def registry(self) -> Registry:
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

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise KeyError(f"no profile named {name!r}; known: {', '.join(sorted(self.profiles))}") from None

    def describe(self) -> dict[str, Any]:
        return {"online": self.online, "artifact_dirs": [str(d) for d in self.store.directories]}
