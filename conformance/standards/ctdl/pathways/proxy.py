"""What each kind of pathway component may stand for: the table in shapes/ctdl/pathways/proxy-targets.toml.

The CTDL encodings give proxyFor a bare xsd:anyURI range, so which classes a component's proxy may have is read from
the component classes' definitions and kept as data (with its JSON Schema beside it). The table is checked against
the pinned vocabulary before a check relies on it: a class it names that the vocabulary lacks is an `error` of the
run, never a silent pass.
"""
from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

from conformance.standards.ctdl.facts.schema import COMPONENT_LIKE, CtdlSchema
from conformance.support.resources import shapes_dir

TABLE = "proxy-targets.toml"
TABLE_SCHEMA = "proxy-targets.schema.json"


class ProxyTableError(ValueError):
    """The proxy table does not match its schema or names classes the pinned vocabulary does not define."""


@dataclass(frozen=True, slots=True)
class ProxyRule:
    component: str                  # a component class
    stands_for: frozenset[str]      # classes its proxy may have (with their subclasses); empty = any class
    narrowed_by: str | None         # a property of the component naming a narrower class for the proxy
    basis: str

    @property
    def judged(self) -> bool:
        return bool(self.stands_for)


@dataclass(frozen=True, slots=True)
class ProxyTable:
    rules: Mapping[str, ProxyRule]

    def rule_for(self, types: Iterable[str], schema: CtdlSchema) -> ProxyRule | None:
        """The rule of the first of a component's classes the table covers (a subclass of a listed component class
        follows its parent's rule)."""
        for name in types:
            compact = schema.compact(name)
            if compact in self.rules:
                return self.rules[compact]
            for parent in sorted(schema.superclasses(compact)):
                if parent in self.rules:
                    return self.rules[parent]
        return None

    def problems(self, schema: CtdlSchema) -> list[str]:
        """Where the table and the pinned vocabulary disagree; empty when the table can be relied on."""
        found: list[str] = []
        for rule in self.rules.values():
            if not schema.has_class(rule.component) or not schema.is_component(rule.component):
                found.append(f"{rule.component} is not a pathway component class of the pinned vocabulary")
            found.extend(f"{rule.component} stands for {target}, which the pinned vocabulary does not define"
                         for target in sorted(rule.stands_for) if not schema.has_class(target))
            if rule.narrowed_by is not None:
                info = schema.property_info(rule.narrowed_by)
                if info is None or not schema.in_domain(rule.narrowed_by, [rule.component]):
                    found.append(f"{rule.narrowed_by} is not a property of {rule.component} in the pinned vocabulary")
        covered = set(self.rules)
        expected = {c for c in schema.subclasses("ceterms:PathwayComponent") if c != "ceterms:PathwayComponent"}
        expected |= {c for c in COMPONENT_LIKE if schema.has_class(c)}
        found.extend(f"{missing} has no entry" for missing in sorted(expected - covered))
        return found


def _here() -> Path:

    return shapes_dir() / "ctdl" / "pathways"


def load_table(path: Path | None = None) -> ProxyTable:
    source = path or _here() / TABLE
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProxyTableError(f"{source} cannot be read: {exc}") from None
    schema = json.loads((_here() / TABLE_SCHEMA).read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise ProxyTableError(f"{source} does not match {TABLE_SCHEMA}: {details}")
    rules: dict[str, ProxyRule] = {}
    for entry in data["component"]:
        if entry["class"] in rules:
            raise ProxyTableError(f"{source} lists {entry['class']} twice")
        rules[entry["class"]] = ProxyRule(entry["class"], frozenset(entry["stands_for"]), entry.get("narrowed_by"),
                                          entry["basis"])
    return ProxyTable(rules)


@cache
def proxy_table() -> ProxyTable:
    return load_table()
