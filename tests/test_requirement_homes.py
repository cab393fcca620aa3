"""Every rule is found where its catalog says, in one guess (issue 14).

Each catalog names the package that enforces it (`[standard] package`). For every automated requirement:
- grep finds its ID as a check registration, `check("<ID>")`, exactly once in the whole package tree, inside
  conformance/standards/<package>/ (the body it registers may be shared, as OB30API's and CLR20API's are);
- or, for rules registered from data (the CTDL minimum-data shapes), nowhere in code: a module of the package
  registers it, and a data file of the package or of the catalog's folder names it.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from conformance.run.environment import Environment
from conformance.support.resources import shapes_dir

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "conformance"
DATA_SUFFIXES = {".toml", ".json", ".ttl"}


REGISTRATION = re.compile(r"check\(\s*\"([^\"]+)\"\s*\)")


@cache
def registrations() -> dict[str, list[Path]]:
    """Every `check("<ID>")` in the package tree, by ID: the files it appears in, once per appearance."""
    found: dict[str, list[Path]] = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        for match in REGISTRATION.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), []).append(path)
    return found


def definitions(requirement: str) -> list[Path]:
    return registrations().get(requirement, [])


@cache
def data_texts(folder: Path) -> dict[Path, str]:
    if not folder.is_dir():
        return {}
    return {p: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
            if p.suffix in DATA_SUFFIXES and p.name != "requirements.toml"}


def test_every_catalog_with_automated_rules_names_an_existing_package(env: Environment) -> None:
    standards = {r.standard for r in env.catalog if r.automated}
    assert standards
    for standard in standards:
        assert standard.package, f"shapes/{standard.folder}/requirements.toml names no [standard] package"
        assert (PACKAGE_ROOT / "standards" / standard.package / "__init__.py").is_file(), standard


def test_a_definition_elsewhere_is_found(env: Environment) -> None:
    """The search itself: the OB30API rule bodies are shared with CLR20API, yet each ID is defined once."""
    assert definitions("OB30API-discovery-open") == [PACKAGE_ROOT / "standards/ob/api_v3_0/checks.py"]
    assert definitions("CLR20API-discovery-open") == [PACKAGE_ROOT / "standards/clr/api_v2_0/checks.py"]
    assert definitions("NOPE-not-a-rule") == []


@pytest.fixture(scope="module")
def automated(env: Environment) -> list[str]:
    return sorted(r.id for r in env.catalog if r.automated and r.id in env.check_registry.checks)


def test_every_automated_requirement_has_one_home(env: Environment, automated: list[str]) -> None:
    misplaced = []
    for rid in automated:
        standard = env.catalog[rid].standard
        home = PACKAGE_ROOT / "standards" / standard.package
        found = definitions(rid)
        if len(found) == 1 and home in found[0].parents:
            continue                    # a body may be shared (OB30API and CLR20API); its registration is not
        if found:
            misplaced.append(f"{rid}: check(\"{rid}\") appears {len(found)} times, expected once in "
                             f"conformance/standards/{standard.package}: {', '.join(map(str, found))}")
            continue
        fn = env.check_registry.checks[rid].fn
        module = PACKAGE_ROOT.parent / Path(*fn.__module__.split("."))
        named = [p for folder in (home, shapes_dir() / standard.folder)
                 for p, text in data_texts(folder).items() if rid in text]
        if home not in (module, *module.parents) or not named:
            misplaced.append(f"{rid}: no check(\"{rid}\") in code, and it is registered by {fn.__module__} from "
                             f"{'no data file' if not named else named[0]}")
    assert not misplaced, "\n".join(misplaced)
