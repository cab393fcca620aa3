"""Class rules as data: the one-line rules a standard states per class (the type, the required properties, a closed
property set, a vocabulary) are rows of a table, `shapes/<catalog folder>/classes.toml`, not functions.

A row names a requirement ID, a rule body that the standard's package defines, and the body's parameters; the
table's `[vocabulary]` holds the enumerations the bodies compare against. The package registers each row as the
check of its ID, as CTDLMIN's checks come from the minimum-data shapes, so the one place to read or change such a
rule is its row. The tables' schema is `shapes/schemas/class-rules.schema.json`; a self-test validates every table
against it and registers every row (tests/standards/test_class_rules.py).

Loading does not validate against the schema: jsonschema costs seconds to import and every command loads the
standards. It checks what registration needs instead (a row's ID and body exist, its parameters fit the body) and
stops with a CatalogError naming the row.
"""
from __future__ import annotations

import keyword
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.core.checks import CheckFn, check
from conformance.core.requirements import CatalogError
from conformance.support.resources import shapes_dir

TABLE_NAME = "classes.toml"

RuleBody = Callable[..., CheckFn]
"""A rule body: called with a row's parameters (keywords), it returns the check of the row's requirement."""


@dataclass(frozen=True)
class ClassRule:
    requirement: str
    body: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ClassRuleTable:
    path: Path
    rules: tuple[ClassRule, ...]
    vocabularies: Mapping[str, frozenset[str]]

    def vocabulary(self, name: str) -> frozenset[str]:
        try:
            return self.vocabularies[name]
        except KeyError:
            raise CatalogError(f"{self.path}: no vocabulary {name!r} in [vocabulary]") from None


def _frozen(value: Any) -> Any:
    """TOML arrays as tuples, so that a body may keep them as they are."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def _argument(name: str) -> str:
    """A TOML key as a keyword argument: a Python keyword (`class`) gains a trailing underscore."""
    return name + "_" if keyword.iskeyword(name) else name


def parse_class_rules(path: Path, data: Mapping[str, Any]) -> ClassRuleTable:
    try:
        rules = tuple(
            ClassRule(row["id"], row["rule"],
                      MappingProxyType({_argument(k): _frozen(v) for k, v in row.items() if k not in ("id", "rule")}))
            for row in data.get("rule", []))
        vocabularies = {name: frozenset(terms) for name, terms in data.get("vocabulary", {}).items()}
    except (KeyError, TypeError, AttributeError) as error:
        raise CatalogError(f"{path}: a [[rule]] row or [vocabulary] entry is malformed ({error!r}); "
                           f"see shapes/schemas/class-rules.schema.json") from None
    seen: set[str] = set()
    for rule in rules:
        if rule.requirement in seen:
            raise CatalogError(f"{path}: {rule.requirement} has two rows")
        seen.add(rule.requirement)
    return ClassRuleTable(path, rules, MappingProxyType(vocabularies))


@cache
def load_class_rules(folder: str) -> ClassRuleTable:
    """The class-rule table of a catalog folder (`ob/3.0`)."""
    path = shapes_dir() / folder / TABLE_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"{path}: {error}") from None
    return parse_class_rules(path, data)


def build_checks(table: ClassRuleTable, bodies: Mapping[str, RuleBody]) -> dict[str, CheckFn]:
    """Each row's check, by requirement ID, from the body it names."""
    built: dict[str, CheckFn] = {}
    for rule in table.rules:
        body = bodies.get(rule.body)
        if body is None:
            raise CatalogError(f"{table.path}: {rule.requirement} names the rule body {rule.body!r}; the package "
                               f"defines {', '.join(sorted(bodies))}")
        try:
            fn = body(**rule.parameters)
        except TypeError as error:
            raise CatalogError(f"{table.path}: {rule.requirement}: the parameters do not fit the rule body "
                               f"{rule.body!r} ({error})") from None
        fn.__qualname__ = f"{rule.body} rule of {rule.requirement}"
        built[rule.requirement] = fn
    return built


def register_class_rules(table: ClassRuleTable, bodies: Mapping[str, RuleBody]) -> None:
    for requirement, fn in build_checks(table, bodies).items():
        check(requirement)(fn)
