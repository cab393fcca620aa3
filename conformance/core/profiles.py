"""Profiles: named selections of requirements, with optional level overrides.

A profile never changes what a check looks at; it picks which requirements count and how much. A procurement
profile also says which roles it speaks for, which C-BEN principles it answers, which vendor-attestation items it
asks for, and which requirement families it will need once the suite has them (`planned`), so an RFP built from it
states what is tested, what is attested and what is not tested yet.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from conformance.core.requirements import (
    ATTESTATION_PREFIX,
    Catalog,
    CatalogError,
    Level,
    Principle,
    Requirement,
    Status,
)

_LITERAL_PREFIX = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]*)-")


@dataclass(frozen=True, slots=True)
class PlannedFamily:
    """A requirement family the profile needs but this suite version does not have yet."""

    prefix: str          # the ID prefix its requirements will carry, e.g. "OB30API"
    name: str
    covers: str          # what it will test, for this profile's roles


@dataclass(frozen=True, slots=True)
class AttestationRequest:
    """Which vendor-attestation items a profile asks for: those applying to `roles`, plus `items` by ID or pattern."""

    roles: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


def pattern_prefix(pattern: str) -> str | None:
    """The ID prefix a pattern is bound to (`OB30-*` -> OB30), or None when the prefix itself is a wildcard."""
    match = _LITERAL_PREFIX.match(pattern)
    return match["prefix"] if match else None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    include: tuple[str, ...] = ("*",)           # requirement ID patterns
    exclude: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()            # empty = any
    levels: Mapping[str, Level] = field(default_factory=dict)   # ID pattern -> level override
    requires: frozenset[str] = frozenset()      # inputs it asks for: a rule needing a missing one is "not tested"
    judges: tuple[str, ...] = ()                # the standards it is made for: an input none of them claims fails
                                                # their `claim`-tagged rule instead of going unjudged
    title: str = ""
    roles: tuple[str, ...] = ()                 # the product roles the profile speaks for (issuer, wallet, ...)
    principles: tuple[Principle, ...] = ()      # the C-BEN principles it answers
    procedure: str = ""                         # how a vendor in these roles runs the suite
    planned: tuple[PlannedFamily, ...] = ()
    attestation: AttestationRequest = AttestationRequest()

    @property
    def label(self) -> str:
        return self.title or self.name

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

    def tested(self, catalog: Catalog) -> list[Requirement]:
        """The selected requirements in catalog order (what a run under this profile judges)."""
        return [r for r in catalog if self.selects(r)]

    def attestation_items(self, catalog: Catalog) -> list[Requirement]:
        """The vendor-attestation items the profile asks for, in catalog order. They are never tested."""
        wanted = set(self.attestation.roles)
        return [r for r in _attestation_catalog(catalog)
                if wanted & set(r.applies_to) or any(fnmatchcase(r.id, p) for p in self.attestation.items)]

    def planned_prefixes(self) -> frozenset[str]:
        return frozenset(family.prefix for family in self.planned)

    def pending(self, catalog: Catalog) -> tuple[PlannedFamily, ...]:
        """The planned families with no requirement the profile selects: what this suite version does not test here.

        Computed, not declared, so a family that arrives moves from "not yet tested" to the tested tables without
        anyone editing the profile, and an RFP never calls a family untested that the suite runs.
        """
        arrived = {r.standard.prefix for r in self.tested(catalog)}   # by what this profile selects: a family
        return tuple(family for family in self.planned if family.prefix not in arrived)  # may arrive for another role

    def problems(self, catalog: Catalog) -> list[str]:
        """Where the profile claims more than the catalog backs; empty when it is honest.

        An include pattern must match a tested requirement unless its prefix is planned; every attestation item
        named must be a manual CBEN item; every principle the profile claims must be backed by a tested requirement
        or an attestation item. A planned family that has arrived is not a problem: see `pending`.
        """
        found: list[str] = []
        tested = self.tested(catalog)
        planned = self.planned_prefixes()
        for pattern in self.include:
            if any(fnmatchcase(r.id, pattern) for r in catalog if r.automated):
                continue
            prefix = pattern_prefix(pattern)
            if prefix is None or prefix not in planned:
                found.append(f"include pattern {pattern!r} matches no tested requirement and its prefix is not "
                             "declared planned")
        attestable = _attestation_catalog(catalog)
        for pattern in self.attestation.items:
            if not any(fnmatchcase(r.id, pattern) for r in attestable):
                found.append(f"attestation item {pattern!r} names no manual {ATTESTATION_PREFIX} item of the catalog")
        items = self.attestation_items(catalog)
        for family in self.planned:
            if not any(pattern_prefix(p) == family.prefix for p in self.include):
                found.append(f"planned family {family.prefix} has no include pattern, so it would not be tested "
                             "when it arrives")
        for principle in self.principles:
            if not any(principle in r.principles for r in (*tested, *items)):
                found.append(f"principle {principle} is claimed but no tested requirement or attestation item of "
                             "the profile carries it")
        return found

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> Profile:
        attestation = data.get("attestation", {})
        return cls(
            name=data["name"],
            description=data["description"],
            include=tuple(data.get("include", ["*"])),
            exclude=tuple(data.get("exclude", [])),
            exclude_tags=tuple(data.get("exclude_tags", [])),
            applies_to=tuple(data.get("applies_to", [])),
            levels={k: Level(v) for k, v in data.get("levels", {}).items()},
            requires=frozenset(data.get("requires", ())),
            judges=tuple(data.get("judges", ())),
            title=data.get("title", ""),
            roles=tuple(data.get("roles", [])),
            principles=tuple(Principle(p) for p in data.get("principles", [])),
            procedure=data.get("procedure", ""),
            planned=tuple(PlannedFamily(prefix=p["prefix"], name=p["name"], covers=p["covers"])
                          for p in data.get("planned", [])),
            attestation=AttestationRequest(roles=tuple(attestation.get("roles", [])),
                                           items=tuple(attestation.get("items", []))),
        )


def _attestation_catalog(catalog: Catalog) -> list[Requirement]:
    return [r for r in catalog.of_standard(ATTESTATION_PREFIX) if r.status is Status.MANUAL]


def load_profiles(profiles_dir: Path, validate: Any | None = None) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for path in sorted(profiles_dir.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from exc
        if validate:
            validate("profile", data, path)
        try:
            profile = Profile.from_toml(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # without a schema (validate=None) a malformed file still fails with its name, not a traceback
            raise CatalogError(f"{path}: not a valid profile ({exc!r})") from exc
        if profile.name != path.stem:
            raise CatalogError(f"{path}: profile name {profile.name!r} differs from the file name")
        profiles[profile.name] = profile
    return profiles
