"""Requirements and their catalogs.

A requirement is one normative statement we enforce. Its summary (in our own words), level, spec link and C-BEN
principle tags live only in `shapes/<std>/<ver>/requirements.toml`; code refers to requirements by ID.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

# an optional upper-case qualifier names one side of a protocol (OID4VP-VERIFIER-..., OID4VP-WALLET-...)
ATTESTATION_PREFIX = "CBEN"
REQUIREMENT_ID = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]*)-(?:(?P<side>[A-Z][A-Z0-9]*)-)?"
                            r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")


PROTOCOL_TAG = "protocol"       # a rule judged on a live service's exchanges
SERVICES = "services"           # the input a protocol rule needs: a [[service]] of its role in the targets file


class Level(StrEnum):
    MUST = "must"
    SHOULD = "should"
    MAY = "may"

    @property
    def strictness(self) -> int:
        return {Level.MUST: 2, Level.SHOULD: 1, Level.MAY: 0}[self]


class Status(StrEnum):
    AUTOMATED = "automated"
    PARTIAL = "partial"
    MANUAL = "manual"
    WITHDRAWN = "withdrawn"


class Principle(StrEnum):
    """The seven C-BEN interoperability principles, as tags on requirements."""

    OPEN_STANDARDS = "open-standards"
    PRIVACY_SECURITY = "privacy-security"
    LEARNING_ANYWHERE = "learning-anywhere"
    UNIVERSAL_ACCESS = "universal-access"
    ALIGNMENT = "alignment"
    PUBLIC_PRIVATE_PARTNERSHIP = "public-private-partnership"
    GLOBAL_MOBILITY = "global-mobility"


@dataclass(frozen=True, slots=True)
class Spec:
    """A specification document; requirement links are its base URL plus an anchor."""

    key: str
    title: str
    url: str

    def link(self, anchor: str) -> str:
        return f"{self.url}#{anchor}" if anchor else self.url


@dataclass(frozen=True, slots=True)
class Standard:
    """One standard at one version, spelled three ways: catalog folder, ID prefix and display name."""

    prefix: str          # e.g. "OB30"
    folder: str          # e.g. "ob/3.0"
    name: str            # e.g. "Open Badges"
    version: str         # e.g. "3.0"
    package: str = ""    # e.g. "ob/v3_0": its rules live in conformance/standards/<package>/ ("" when none is automated)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    summary: str
    level: Level
    spec: Spec
    anchor: str
    standard: Standard
    applies_to: tuple[str, ...]
    principles: tuple[Principle, ...]
    status: Status
    tags: tuple[str, ...] = ()
    notes: str = ""
    needs: tuple[str, ...] = ()          # inputs the user must give (trust-list, challenge, domain)
    # the same judgement as stated by more specific standards: where one of them judges a subject at a level as
    # strict, the runner reports the judgement there once, and this rule points to it (run/runner.py)
    reported_under: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return self.spec.link(self.anchor)

    @property
    def automated(self) -> bool:
        return self.status in (Status.AUTOMATED, Status.PARTIAL)

    @property
    def inputs(self) -> frozenset[str]:
        """Everything the rule needs from the user; a protocol rule needs a live service of its role."""
        return frozenset(self.needs) | ({SERVICES} if PROTOCOL_TAG in self.tags else set())


class CatalogError(ValueError):
    """A catalog, spec table or profile file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Catalog:
    """Every requirement of every standard, indexed by ID."""

    requirements: Mapping[str, Requirement]
    standards: Mapping[str, Standard]
    specs: Mapping[str, Spec]
    sources: Mapping[str, Path] = field(default_factory=dict)   # standard prefix -> catalog file

    def __getitem__(self, requirement_id: str) -> Requirement:
        return self.requirements[requirement_id]

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self.requirements

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements.values())

    def __len__(self) -> int:
        return len(self.requirements)

    def of_standard(self, prefix: str) -> list[Requirement]:
        return [r for r in self.requirements.values() if r.standard.prefix == prefix]

    @classmethod
    def load(cls, shapes_dir: Path, validate: Any | None = None) -> Catalog:
        """Read `specs.toml` and every `*/*/requirements.toml` under shapes_dir.

        `validate(data, where)` checks each file against its JSON Schema (injected so this module stays pure).
        """
        specs_data = _read_toml(shapes_dir / "specs.toml")
        if validate:
            validate("specs", specs_data, shapes_dir / "specs.toml")
        specs = {key: Spec(key=key, title=entry["title"], url=entry["url"])
                 for key, entry in specs_data["spec"].items()}
        requirements: dict[str, Requirement] = {}
        standards: dict[str, Standard] = {}
        sources: dict[str, Path] = {}
        for path in sorted(shapes_dir.glob("*/*/requirements.toml")):
            data = _read_toml(path)
            if validate:
                validate("requirements", data, path)
            folder = path.parent.relative_to(shapes_dir).as_posix()
            head = data["standard"]
            standard = Standard(prefix=head["prefix"], folder=folder, name=head["name"], version=head["version"],
                                package=head.get("package", ""))
            if standard.prefix in standards:
                raise CatalogError(f"{path}: prefix {standard.prefix} is already used by {sources[standard.prefix]}")
            standards[standard.prefix] = standard
            sources[standard.prefix] = path
            for entry in data.get("requirement", []):
                requirement = _requirement(entry, standard, head, specs, path)
                if requirement.id in requirements:
                    raise CatalogError(f"{path}: requirement {requirement.id} is defined twice")
                requirements[requirement.id] = requirement
        for requirement in requirements.values():
            unknown = [rid for rid in requirement.reported_under if rid not in requirements]
            if unknown:
                raise CatalogError(f"{sources[requirement.standard.prefix]}: {requirement.id} is reported_under "
                                   f"{', '.join(unknown)}, which no catalog defines")
        return cls(requirements=requirements, standards=standards, specs=specs, sources=sources)


def _requirement(entry: Mapping[str, Any], standard: Standard, head: Mapping[str, Any],
                 specs: Mapping[str, Spec], path: Path) -> Requirement:
    rid = entry["id"]
    match = REQUIREMENT_ID.match(rid)
    if not match or match["prefix"] != standard.prefix:
        raise CatalogError(f"{path}: {rid!r} does not match {standard.prefix}-<kebab-slug>")
    spec_key = entry.get("spec", head["spec"])
    if spec_key not in specs:
        raise CatalogError(f"{path}: {rid} names spec {spec_key!r}, which shapes/specs.toml does not define")
    return Requirement(
        id=rid,
        summary=entry["summary"],
        level=Level(entry["level"]),
        spec=specs[spec_key],
        anchor=entry.get("anchor", ""),
        standard=standard,
        applies_to=tuple(entry.get("applies_to", head.get("applies_to", ["document"]))),
        principles=tuple(Principle(p) for p in entry.get("principles", head.get("principles", []))),
        status=Status(entry.get("status", "automated")),
        tags=tuple(entry.get("tags", ())),
        notes=entry.get("notes", ""),
        needs=tuple(entry.get("needs", ())),
        reported_under=tuple(entry.get("reported_under", ())),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def ids_matching(patterns: Iterable[str], ids: Iterable[str]) -> set[str]:
    """Requirement IDs matched by shell-style patterns (`OB30-*`, `*-issuer-*`)."""

    pats = list(patterns)
    return {rid for rid in ids if any(fnmatchcase(rid, p) for p in pats)}
