"""Catalogs, profiles and verdicts."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.findings import Finding, Outcome, Verdict, combined_verdict, verdict_of
from conformance.core.profiles import Profile
from conformance.core.requirements import Catalog, CatalogError, Level, Principle, Status
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file


def test_the_shipped_catalogs_load_and_validate() -> None:
    catalog = Catalog.load(shapes_dir(), validate=validate_data_file)
    assert "CORE-json-wellformed" in catalog
    for requirement in catalog:
        assert requirement.principles, requirement.id
        assert requirement.url.startswith("https://"), requirement.id
        assert requirement.summary.endswith("."), requirement.id


def test_every_catalog_reaches_the_automated_requirement_count() -> None:
    catalog = Catalog.load(shapes_dir(), validate=validate_data_file)
    automated = [r for r in catalog if r.status is Status.AUTOMATED and r.standard.prefix != "CORE"]
    assert len(automated) >= 150


def _write_catalog(root: Path, body: str) -> None:
    (root / "x" / "1.0").mkdir(parents=True)
    (root / "x" / "1.0" / "requirements.toml").write_text(body, encoding="utf-8")
    (root / "specs.toml").write_text('[spec.s]\ntitle = "S"\nurl = "https://example.org/s"\n', encoding="utf-8")


HEAD = '[standard]\nprefix = "X10"\nname = "X"\nversion = "1.0"\nspec = "s"\n'


def test_a_requirement_id_with_the_wrong_prefix_is_refused(tmp_path: Path) -> None:
    _write_catalog(tmp_path, HEAD + '[[requirement]]\nid = "Y10-thing"\nsummary = "A thing holds here."\n'
                   'level = "must"\nanchor = "a"\nprinciples = ["open-standards"]\n')
    with pytest.raises(CatalogError, match="Y10-thing"):
        Catalog.load(tmp_path)


def test_a_catalog_breaking_its_schema_is_refused_with_the_file_named(tmp_path: Path) -> None:
    _write_catalog(tmp_path, HEAD + '[[requirement]]\nid = "X10-thing"\nsummary = "A thing holds here."\n'
                   'level = "required"\nanchor = "a"\nprinciples = ["open-standards"]\n')
    with pytest.raises(CatalogError, match="requirements.toml"):
        Catalog.load(tmp_path, validate=validate_data_file)


def test_an_unknown_spec_key_is_refused(tmp_path: Path) -> None:
    _write_catalog(tmp_path, HEAD + '[[requirement]]\nid = "X10-thing"\nsummary = "A thing holds here."\n'
                   'level = "must"\nspec = "nope"\nanchor = "a"\nprinciples = ["alignment"]\n')
    with pytest.raises(CatalogError, match="nope"):
        Catalog.load(tmp_path)


def test_links_are_built_from_the_spec_table(tmp_path: Path) -> None:
    _write_catalog(tmp_path, HEAD + '[[requirement]]\nid = "X10-thing"\nsummary = "A thing holds here."\n'
                   'level = "should"\nanchor = "sec-1"\nprinciples = ["global-mobility"]\n')
    requirement = Catalog.load(tmp_path)["X10-thing"]
    assert requirement.url == "https://example.org/s#sec-1"
    assert requirement.level is Level.SHOULD and requirement.principles == (Principle.GLOBAL_MOBILITY,)


def test_profiles_select_by_pattern_and_tag_and_override_levels() -> None:
    catalog = Catalog.load(shapes_dir())
    profile = Profile(name="p", description="a test profile", include=("CORE-*",), exclude=("CORE-utf8",),
                      exclude_tags=("limit",), levels={"CORE-json-*": Level.SHOULD})
    selected = profile.select(catalog)
    assert "CORE-utf8" not in selected and "CORE-input-limits" not in selected
    assert selected["CORE-json-wellformed"] is Level.SHOULD
    assert selected["CORE-document-object"] is Level.MUST


def test_the_shipped_profiles_validate(env) -> None:  # noqa: ANN001
    assert {"default", "data-model"} <= set(env.profiles)
    selected = env.profile("data-model").select(env.catalog)
    assert not any("securing" in env.catalog[rid].tags for rid in selected)


@pytest.mark.parametrize("findings, verdict", [
    ([(Outcome.PASSED, Level.MUST)], Verdict.PASS),
    ([(Outcome.FAILED, Level.SHOULD), (Outcome.PASSED, Level.MUST)], Verdict.PASS),
    ([(Outcome.FAILED, Level.MUST)], Verdict.FAIL),
    ([(Outcome.ERROR, Level.MUST), (Outcome.PASSED, Level.MUST)], Verdict.INCOMPLETE),
    ([(Outcome.ERROR, Level.MUST), (Outcome.FAILED, Level.MUST)], Verdict.FAIL),
    ([(Outcome.CANT_TELL, Level.MUST), (Outcome.INAPPLICABLE, Level.MUST)], Verdict.INCOMPLETE),
    ([(Outcome.UNTESTED, Level.MUST), (Outcome.PASSED, Level.MUST)], Verdict.INCOMPLETE),
    ([(Outcome.CANT_TELL, Level.SHOULD), (Outcome.ERROR, Level.MAY), (Outcome.PASSED, Level.MUST)], Verdict.PASS),
    ([(Outcome.INAPPLICABLE, Level.MUST)], Verdict.PASS),
])
def test_verdicts(findings: list[tuple[Outcome, Level]], verdict: Verdict) -> None:
    assert verdict_of((Finding("X-y", o), level) for o, level in findings) is verdict


@pytest.mark.parametrize("findings", [[], [(Outcome.PASSED, Level.MUST)], [(Outcome.CANT_TELL, Level.MUST)]])
def test_an_unrecognized_input_is_not_judged_unless_a_must_failed(findings: list[tuple[Outcome, Level]]) -> None:
    assert verdict_of(((Finding("X-y", o), level) for o, level in findings), recognized=False) is Verdict.NOT_JUDGED
    failing = [*findings, (Outcome.FAILED, Level.MUST)]
    assert verdict_of(((Finding("X-y", o), level) for o, level in failing), recognized=False) is Verdict.FAIL


@pytest.mark.parametrize("verdicts, combined", [
    ([], Verdict.NOT_JUDGED),
    ([Verdict.PASS, Verdict.PASS], Verdict.PASS),
    ([Verdict.PASS, Verdict.FAIL, Verdict.INCOMPLETE], Verdict.FAIL),
    ([Verdict.PASS, Verdict.INCOMPLETE], Verdict.INCOMPLETE),
    ([Verdict.PASS, Verdict.NOT_JUDGED], Verdict.INCOMPLETE),
    ([Verdict.NOT_JUDGED, Verdict.NOT_JUDGED], Verdict.NOT_JUDGED),
])
def test_a_run_combines_its_subjects_verdicts(verdicts: list[Verdict], combined: Verdict) -> None:
    assert combined_verdict(verdicts) is combined
