"""The pytest plugin, run in a sub-process pytest through pytester against documents on disk."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

pytestmark = pytest.mark.slow


def _write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--strict-markers", "-o", "xfail_strict=true",
        "--ler-artifacts", str(artifacts_dir()), *args)


def test_a_conformant_badge_gives_passing_items_and_skips_for_inapplicable_rules(pytester: pytest.Pytester) -> None:
    badge = _write(pytester.path / "badge.json", minimal_badge())
    result = _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes["passed"] > 30 and outcomes["skipped"] > 30 and "failed" not in outcomes


def test_a_must_failure_fails_its_item_and_names_requirement_and_location(pytester: pytest.Pytester) -> None:
    document = minimal_badge()
    document["validFrom"] = "next tuesday"
    badge = _write(pytester.path / "bad.json", document)
    result = _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q", "-rf")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*/validFrom is \"next tuesday\"; expected*"])
    result.stdout.fnmatch_lines(["FAILED*test_requirement[[]VCDM20-valid-from-datetime-stamp::*bad.json[]]*"])


def test_requirement_ids_become_junit_properties(pytester: pytest.Pytester) -> None:
    badge = _write(pytester.path / "badge.json", minimal_badge())
    _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q",
         "--junitxml", "junit.xml", "-o", "junit_family=xunit1", "-k", "CORE-json-wellformed")
    tree = ET.parse(pytester.path / "junit.xml")
    properties = {p.get("name"): p.get("value") for p in tree.iter("property")}
    assert properties["requirement"] == "CORE-json-wellformed"
    assert properties["level"] == "must" and properties["spec_url"].startswith("https://www.rfc-editor.org/")


def test_levels_and_standards_are_markers(pytester: pytest.Pytester) -> None:
    document = minimal_badge()
    document["validFrom"] = "next tuesday"
    badge = _write(pytester.path / "bad.json", document)
    result = _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q", "-m", "core")
    assert result.ret == 0 and "failed" not in result.parseoutcomes()


def test_known_deviations_are_strict_xfails(pytester: pytest.Pytester) -> None:
    document = minimal_badge()
    document["validFrom"] = "next tuesday"
    badge = _write(pytester.path / "bad.json", document)
    listing = _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q", "-rf")
    failing = sorted({line.split("test_requirement[")[1].split("::")[0]
                      for line in listing.stdout.lines if line.startswith("FAILED")})
    expectations = pytester.path / "expect.toml"
    expectations.write_text("".join(f'[[expect]]\nrequirement = "{rid}"\nreason = "vendor bug 12"\n'
                                    for rid in failing) +
                            '[[expect]]\nrequirement = "CORE-utf8"\nreason = "stale entry"\n', encoding="utf-8")
    result = _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q",
                  "--ler-expectations", str(expectations))
    outcomes = result.parseoutcomes()
    assert outcomes.get("xfailed") == len(failing)
    assert outcomes.get("failed") == 1       # the stale CORE-utf8 entry now passes: strict XPASS fails the run


def test_allure_results_carry_requirement_labels_and_links(pytester: pytest.Pytester) -> None:
    badge = _write(pytester.path / "badge.json", minimal_badge())
    _run(pytester, "--ler-target", str(badge), "--ler-profile", "data-model", "-q",
         "--alluredir", "allure", "-k", "CORE-utf8")
    (result_file,) = (pytester.path / "allure").glob("*-result.json")
    data = json.loads(result_file.read_text())
    labels = {label["name"]: label["value"] for label in data["labels"]}
    assert labels["requirement"] == "CORE-utf8" and labels["story"] == "CORE-utf8"
    assert labels["severity"] == "critical"
    assert any(link["name"] == "CORE-utf8" and "rfc8259" in link["url"] for link in data["links"])


def test_without_a_target_the_plugin_stays_out_of_the_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_targets_file_names_several_documents(pytester: pytest.Pytester) -> None:
    _write(pytester.path / "a.json", minimal_badge())
    broken = minimal_badge()
    del broken["credentialSubject"]["achievement"]["name"]
    _write(pytester.path / "b.json", broken)
    (pytester.path / "targets.toml").write_text('[[target]]\npath = "a.json"\n\n[[target]]\npath = "b.json"\n',
                                                encoding="utf-8")
    result = _run(pytester, "--ler-target", str(pytester.path / "targets.toml"), "--ler-profile", "data-model",
                  "-q", "-rf")
    assert result.ret == 1
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert failed and all("b.json" in line for line in failed)
    assert any("a.json" in line for line in result.stdout.lines) or result.parseoutcomes()["passed"] > 60


def test_a_targets_file_with_services_runs_the_live_modules(pytester: pytest.Pytester, env: object) -> None:
    from conformance.reference.vcalm import serve_vcalm

    with serve_vcalm(env, frozenset({"verifier-ignores-domain"})) as running:     # type: ignore[arg-type]
        (pytester.path / "targets.toml").write_text(running.targets_toml(), encoding="utf-8")
        result = _run(pytester, "--ler-target", str(pytester.path / "targets.toml"), "--ler-allow-private",
                      "-q", "-rf", "-k", "VCALM")
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert result.ret == 1
    assert len(failed) == 1 and "VCALM-presentation-domain" in failed[0], failed
    assert result.parseoutcomes()["passed"] >= 9
