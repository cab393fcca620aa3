"""The class-rule tables (shapes/<folder>/classes.toml) and the loader that registers their rows as checks."""
from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding
from conformance.core.requirements import CatalogError
from conformance.core.subject import Subject
from conformance.run.environment import Environment
from conformance.standards.class_rules import TABLE_NAME, build_checks, load_class_rules, parse_class_rules
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file

TABLES = sorted(shapes_dir().rglob(TABLE_NAME))


def folder_of(path: Path) -> str:
    return path.parent.relative_to(shapes_dir()).as_posix()


def test_the_tables_are_found() -> None:
    assert "ob/3.0" in {folder_of(p) for p in TABLES}


@pytest.mark.parametrize("path", TABLES, ids=folder_of)
def test_a_table_matches_its_schema(path: Path) -> None:
    validate_data_file("class-rules", tomllib.loads(path.read_text(encoding="utf-8")), path)


@pytest.mark.parametrize("path", TABLES, ids=folder_of)
def test_every_row_is_an_automated_requirement_of_its_folder_and_its_registered_check(env: Environment,
                                                                                       path: Path) -> None:
    table = load_class_rules(folder_of(path))
    assert table.rules
    for rule in table.rules:
        requirement = env.catalog[rule.requirement]
        assert requirement.standard.folder == folder_of(path), rule.requirement
        assert requirement.automated, rule.requirement
        registered = env.check_registry.checks[rule.requirement].fn
        assert registered.__qualname__ == f"{rule.body} rule of {rule.requirement}"


def test_a_toml_keyword_key_reaches_the_body_with_an_underscore() -> None:
    table = parse_class_rules(Path("t.toml"), {"rule": [{"id": "X-a", "rule": "type", "class": "C", "keys": ["a"]}]})
    assert dict(table.rules[0].parameters) == {"class_": "C", "keys": ("a",)}


def _never(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from ()


def _body(*, class_: str) -> object:
    return _never


def test_an_unknown_rule_body_names_the_row_and_the_known_bodies() -> None:
    table = parse_class_rules(Path("t.toml"), {"rule": [{"id": "X-a", "rule": "colour", "class": "C"}]})
    with pytest.raises(CatalogError, match=r"t\.toml: X-a names the rule body 'colour'; the package defines type"):
        build_checks(table, {"type": _body})


def test_parameters_that_do_not_fit_the_body_name_the_row() -> None:
    table = parse_class_rules(Path("t.toml"), {"rule": [{"id": "X-a", "rule": "type", "colour": "red"}]})
    with pytest.raises(CatalogError, match=r"t\.toml: X-a: the parameters do not fit the rule body 'type'"):
        build_checks(table, {"type": _body})


def test_a_requirement_with_two_rows_is_refused() -> None:
    rows = [{"id": "X-a", "rule": "type", "class": "C"}, {"id": "X-a", "rule": "type", "class": "D"}]
    with pytest.raises(CatalogError, match="X-a has two rows"):
        parse_class_rules(Path("t.toml"), {"rule": rows})


def test_a_row_without_an_id_is_refused_with_the_schema_named() -> None:
    with pytest.raises(CatalogError, match="class-rules.schema.json"):
        parse_class_rules(Path("t.toml"), {"rule": [{"rule": "type"}]})


def test_an_unknown_vocabulary_is_named() -> None:
    table = parse_class_rules(Path("t.toml"), {"rule": [], "vocabulary": {"Colour": ["red"]}})
    assert table.vocabulary("Colour") == frozenset({"red"})
    with pytest.raises(CatalogError, match="no vocabulary 'Shape'"):
        table.vocabulary("Shape")


def test_the_schema_refuses_a_parameter_of_another_kind(tmp_path: Path) -> None:
    data = {"rule": [{"id": "OB30-image-type", "rule": "type", "depth": 3}]}
    with pytest.raises(CatalogError, match="class-rules schema"):
        validate_data_file("class-rules", data, tmp_path / TABLE_NAME)
