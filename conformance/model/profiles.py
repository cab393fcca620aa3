"""Profiles: named selections of requirements, with optional level overrides.

A profile never changes what a check looks at; it picks which requirements count and how much.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from conformance.model.requirements import Catalog, CatalogError, Level, Requirement


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    include: tuple[str, ...] = ("*",)           # requirement ID patterns
    exclude: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()            # empty = any
    levels: Mapping[str, Level] = field(default_factory=dict)   # ID pattern -> level override

    def selects(self, requirement: Requirement) -> bool:
        rid = requirement.id
        if not requirement.automated:
            return False
        if not any(fnmatchcase(rid, p) for p in self.include):
            return False
        if any(fnmatchcase(rid, p) for p in self.exclude):
            return False
        if self.exclude_tags and set(requirement.tags) & set(self.exclude_tags):
            return False
        if self.applies_to and not set(requirement.applies_to) & set(self.applies_to):
            return False
        return True

    def level_of(self, requirement: Requirement) -> Level:
        for pattern, level in self.levels.items():
            if fnmatchcase(requirement.id, pattern):
                return level
        return requirement.level

    def select(self, catalog: Catalog) -> dict[str, Level]:
        """The selected requirement IDs with their effective levels."""
        return {r.id: self.level_of(r) for r in catalog if self.selects(r)}

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            name=data["name"],
            description=data["description"],
            include=tuple(data.get("include", ["*"])),
            exclude=tuple(data.get("exclude", [])),
            exclude_tags=tuple(data.get("exclude_tags", [])),
            applies_to=tuple(data.get("applies_to", [])),
            levels={k: Level(v) for k, v in data.get("levels", {}).items()},
        )


def load_profiles(profiles_dir: Path, validate: Any | None = None) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for path in sorted(profiles_dir.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from exc
        if validate:
            validate("profile", data, path)
        profile = Profile.from_toml(data)
        if profile.name != path.stem:
            raise CatalogError(f"{path}: profile name {profile.name!r} differs from the file name")
        profiles[profile.name] = profile
    return profiles
