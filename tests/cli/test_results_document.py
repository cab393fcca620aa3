"""results.json: valid against its schema (shapes/schemas/results.schema.json), with a reproducibility block."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.support.resources import shapes_dir, vectors_dir
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

SCHEMA = json.loads((shapes_dir() / "schemas" / "results.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    badge = tmp_path / "badge.json"
    broken = minimal_badge()
    del broken["issuer"]
    badge.write_text(json.dumps(broken), encoding="utf-8")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "ok.json").write_text(json.dumps(minimal_badge()), encoding="utf-8")
    outcome = CliRunner().invoke(main, ["check", str(badge), str(folder), "--out", str(tmp_path / "out")],
                                 catch_exceptions=False)
    assert outcome.exit_code == 1, outcome.output
    return json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_results_json_matches_its_schema(results: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(results)


def test_the_schema_rejects_a_document_that_breaks_it(results: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(results))
    broken["assertions"][0]["outcome"] = "probably"
    del broken["reproducibility"]["pins_sha256"]
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(broken))
    assert {tuple(e.absolute_path)[:1] for e in errors} == {("assertions",), ("reproducibility",)}


def test_reproducibility_names_the_exact_rules_pins_and_vectors(results: dict[str, Any]) -> None:
    block = results["reproducibility"]
    assert block["profile"] == results["profile"] == "default"
    assert block["pins_sha256"] == hashlib.sha256((shapes_dir() / "pins.toml").read_bytes()).hexdigest()
    assert block["catalogs_sha256"]["vc-data-integrity/1.0/requirements.toml"] == hashlib.sha256(
        (shapes_dir() / "vc-data-integrity" / "1.0" / "requirements.toml").read_bytes()).hexdigest()
    manifests = {str(p.relative_to(vectors_dir())) for p in vectors_dir().rglob("manifest.toml")}
    assert set(block["vector_manifests_sha256"]) == manifests
    assert block["runtime"]["libraries"]["pyld"] == "3.3.0"


def test_targets_say_what_kind_of_input_they_are(results: dict[str, Any]) -> None:
    assert [t["kind"] for t in results["targets"]] == ["file", "directory"]
