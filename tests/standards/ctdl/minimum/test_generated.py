"""The committed shapes, catalogs and vectors are exactly what shapes/ctdl/generate_shapes.py makes from the pins."""
from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]


@cache
def _generator():
    spec = importlib.util.spec_from_file_location("generate_shapes", REPO / "shapes" / "ctdl" / "generate_shapes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_shapes"] = module      # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return _generator().build()


def test_every_generated_file_is_committed_and_current(generated: dict[Path, str]) -> None:
    stale = [str(p.relative_to(REPO)) for p, text in generated.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"run .venv/bin/python shapes/ctdl/generate_shapes.py; stale: {stale}"


@pytest.mark.parametrize(("path", "expected"), [
    ("shapes/ctdl/minimum-2022/requirements.toml", 48),
    ("shapes/ctdl/minimum-2026/requirements.toml", 78),
])
def test_one_requirement_per_shaped_class(generated: dict[Path, str], path: str, expected: int) -> None:
    text = generated[REPO / path]
    assert text.count("[[requirement]]") == expected
    shapes = generated[REPO / path.replace("requirements.toml", "shapes/required.ttl")]
    assert shapes.count("lerc:policyClass") == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("TechnicalLevel1Certificate", "technical-level1-certificate"),
    ("QACredentialOrganization", "qa-credential-organization"),
    ("CertificateOfCompletion", "certificate-of-completion"),
    ("ConceptScheme", "concept-scheme"),
])
def test_requirement_ids_spell_the_class(name: str, expected: str) -> None:
    assert _generator().slug(f"ceterms:{name}") == expected
