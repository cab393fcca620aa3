"""`verify-report --rejudge`: the archived inputs judged again give results.json's verdicts on an honest package; an
edited results.json is caught even when its attestation was made again with a fresh key; a package that cannot be
judged again (no archive, an input kept as a digest only, another suite version, inputs the package lacks) says so
and never passes."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.inputs import read_manifest
from conformance.reporting.rejudge import RUN, Agreement, rejudge
from conformance.run import reproducibility as reproducibility_module
from conformance.run.environment import Environment
from conformance.run.reproducibility import reproducibility
from tests.conftest import artifacts_dir
from tests.reporting.packages import BROKEN, GOOD, LARGE, forge_pass, invoke, make_run, package, verify

EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_INCOMPLETE = 0, 1, 2, 3


@pytest.fixture(autouse=True)
def _artifacts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, env: Environment) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return make_run(tmp_path_factory.mktemp("run"), env.verifier.canonicalizer)


@pytest.fixture(scope="module")
def honest(run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return package(run, tmp_path_factory.mktemp("honest") / "package", "--attest", "--html")


def _copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / "package"))


def _results(folder: Path) -> dict[str, Any]:
    """The package's results.json, its rule digests brought up to this checkout's: the tests that call rejudge()
    directly are about what they change, not about catalogs edited while the suite runs."""
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    results["reproducibility"] = reproducibility(results["profile"]) | {
        "suite": results["reproducibility"]["suite"]}
    return results


def _subject(results: dict[str, Any], name: str) -> str:
    return next(e["subject"] for e in results["results"] if e["subject"].endswith(name))


def test_an_honest_package_is_judged_again_to_the_same_verdicts(honest: Path) -> None:
    code, output = verify(honest, "--rejudge")
    assert code == EXIT_OK, output
    assert "judged again: all 2 subjects and the run's verdict (fail) agree with results.json" in output
    assert "differs" not in output and "not rejudged" not in output


def test_an_edited_verdict_signed_again_with_a_fresh_key_is_caught(run: Path, tmp_path: Path) -> None:
    honest_results = json.loads(run.read_text(encoding="utf-8"))
    forged = forge_pass(honest_results)
    assert forged["summary"]["verdict"] != honest_results["summary"]["verdict"]
    forged_file = tmp_path / "forged" / "results.json"
    forged_file.parent.mkdir()
    forged_file.write_text(json.dumps(forged), encoding="utf-8")
    # the forger makes a whole new package: report signs it with a one-time key, every digest matches
    folder = package(forged_file, tmp_path / "package", "--attest")
    code, output = verify(folder)
    assert code == EXIT_OK, output           # the signature alone cannot tell
    code, output = verify(folder, "--rejudge")
    assert code == EXIT_FAIL, output
    broken = _subject(forged, BROKEN)
    recorded = next(e["verdict"] for e in forged["results"] if e["subject"] == broken)
    assert f"differs {broken}: results.json gives {recorded!r}, the archived input judges 'fail'" in output
    assert f"differs the run's verdict: summary.verdict is {forged['summary']['verdict']!r}" in output
    assert _subject(forged, GOOD) not in output      # only the subjects that differ are named


def test_report_refuses_to_sign_a_verdict_its_findings_contradict(run: Path, tmp_path: Path) -> None:
    edited = json.loads(run.read_text(encoding="utf-8"))
    edited["summary"]["verdict"] = "pass"
    edited_file = tmp_path / "results.json"
    edited_file.write_text(json.dumps(edited), encoding="utf-8")
    made = invoke("report", str(edited_file), "--attest", "--out", str(tmp_path / "package"))
    assert made.exit_code == EXIT_ERROR
    assert "expected summary.verdict to agree with the findings, found 'pass' while a MUST failed" in made.output


def test_an_edited_run_verdict_alone_is_caught(honest: Path) -> None:
    results = _results(honest)
    results["summary"]["verdict"] = "incomplete"
    found = rejudge(honest, results, read_manifest(honest))
    assert [s.agreement for s in found.subjects] == [Agreement.SAME, Agreement.SAME]
    assert found.run is not None and (found.run.subject, found.run.agreement) == (RUN, Agreement.DIFFERS)
    assert (found.run.recorded, found.run.found) == ("incomplete", "fail")


def test_edited_findings_under_an_unchanged_verdict_are_caught(honest: Path) -> None:
    results = _results(honest)
    good = next(e for e in results["results"] if e["subject"].endswith(GOOD))
    dropped = next(f for f in good["findings"] if f["outcome"] == "passed")
    good["findings"].remove(dropped)
    found = rejudge(honest, results, read_manifest(honest))
    (differs,) = found.differences
    assert differs.subject == good["subject"]
    assert "the verdict agrees" in differs.detail and "findings differ" in differs.detail
    assert f"the suite finds {dropped['requirement']} passed" in differs.detail


def test_the_judging_instant_is_the_runs(honest: Path) -> None:
    results = _results(honest)
    assert "at" in results["environment"], "expected check to record environment.at"
    at_run = rejudge(honest, results, read_manifest(honest))
    assert at_run.notes == (f"judged as at {results['environment']['at']}, the instant the run recorded",)
    assert not at_run.differences
    # judged as at a moment before the badge's validFrom, the signed badge is no longer what results.json says
    results["environment"]["at"] = "2020-01-01T00:00:00Z"
    earlier = rejudge(honest, results, read_manifest(honest))
    assert _subject(results, GOOD) in {s.subject for s in earlier.differences}


def test_without_a_recorded_instant_the_runs_start_stands_in(honest: Path) -> None:
    results = _results(honest)
    del results["environment"]["at"]
    found = rejudge(honest, results, read_manifest(honest))
    assert found.notes == (f"judged as at {results['started']}, the run's start: results.json records no judging "
                           f"instant (environment.at)",)
    assert found.complete and not found.differences


def test_a_package_without_an_archive_cannot_be_judged_again(run: Path, tmp_path: Path) -> None:
    folder = package(run, tmp_path / "package", "--attest", "--no-inputs")
    assert not (folder / "inputs.json").exists() and not (folder / "inputs").exists()
    code, output = verify(folder)
    assert code == EXIT_OK, output
    assert "the package archives no judged inputs (inputs.json), so it cannot be judged again" in output
    code, output = verify(folder, "--rejudge")
    assert code == EXIT_INCOMPLETE, output
    assert "not rejudged the package holds no readable inputs.json, so nothing can be judged again" in output


def test_an_input_kept_as_a_digest_only_is_named_and_is_no_pass(tmp_path: Path, env: Environment) -> None:
    results_file = make_run(tmp_path / "large", env.verifier.canonicalizer, large=True)
    folder = package(results_file, tmp_path / "package", "--attest")
    manifest = read_manifest(folder)
    large = next(r for r in manifest.records if r.subject.endswith(LARGE))
    # results.json records each subject's digest (results[].input), so the digest comes from there
    assert (large.archived, large.digest_from) == (False, "results.json")
    assert large.sha256 is not None and large.size is not None and large.size > 512 * 1024
    assert "over the 524,288-byte bound for one input" in large.note
    code, output = verify(folder)
    assert code == EXIT_OK, output
    assert "all 2 archived inputs match inputs.json (1 more listed without a copy)" in output
    code, output = verify(folder, "--rejudge")
    assert code == EXIT_INCOMPLETE, output
    assert f"not rejudged {large.subject}: not archived" in output
    assert "judged again: 2 of 3 subjects agree with results.json; the rest could not be judged again, so this is " \
           "no pass" in output


@pytest.mark.parametrize(("change", "kind"), [
    pytest.param(lambda f: next((f / "inputs").iterdir()).unlink(), "missing", id="archived-input-deleted"),
    pytest.param(lambda f: next((f / "inputs").iterdir()).write_text("{}", encoding="utf-8"), "changed",
                 id="archived-input-changed"),
    pytest.param(lambda f: (f / "inputs" / "9999.json").write_text("{}", encoding="utf-8"), "unlisted",
                 id="stray-file"),
])
def test_a_damaged_archive_fails(honest: Path, tmp_path: Path, change: Any, kind: str) -> None:
    folder = _copy(honest, tmp_path)
    change(folder)
    code, output = verify(folder)
    assert code == EXIT_FAIL, output
    assert any(line.startswith(kind) for line in output.splitlines()), output


def test_an_edited_inputs_manifest_fails_its_digest(honest: Path, tmp_path: Path) -> None:
    folder = _copy(honest, tmp_path)
    manifest = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    manifest["inputs"][0]["sha256"] = "0" * 64
    (folder / "inputs.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, output = verify(folder)
    assert code == EXIT_FAIL, output
    assert "expected inputs.json to have the digest" in output


def test_another_suite_version_refuses_to_judge_again(honest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = _results(honest)["reproducibility"]["suite"]["version"]
    monkeypatch.setattr(reproducibility_module, "__version__", "99.0.0")
    code, output = verify(honest, "--rejudge")
    assert code == EXIT_INCOMPLETE, output
    assert (f"not rejudged cannot judge the run again here: the run was judged by ler-conformance {recorded}, and "
            f"this is 99.0.0") in output


def _with_digest(results: dict[str, Any], member: str, name: str) -> dict[str, Any]:
    results["reproducibility"][member] = {**results["reproducibility"][member], name: "0" * 64}
    return results


@pytest.mark.parametrize(("edit", "expected"), [
    pytest.param(lambda r: _with_digest(r, "catalogs_sha256", "ob/3.0/requirements.toml"),
                 ("the requirement catalogs differ from the run's (ob/3.0/requirements.toml)",), id="a-catalog"),
    pytest.param(lambda r: _with_digest(r, "profiles_sha256", "profiles/default.toml"),
                 ("the default profile (profiles/default.toml) differs from the run's",), id="the-runs-profile"),
    pytest.param(lambda r: {**r, "reproducibility": {**r["reproducibility"], "pins_sha256": "0" * 64}},
                 ("the artifact pins (shapes/pins.toml) differ from the run's",), id="the-pins"),
    # a profile the run did not use judges nothing in it
    pytest.param(lambda r: _with_digest(r, "profiles_sha256", "profiles/some-other.toml"), (), id="another-profile"),
])
def test_other_rules_refuse_to_judge_again(honest: Path, edit: Any, expected: tuple[str, ...]) -> None:
    found = rejudge(honest, edit(_results(honest)), read_manifest(honest))
    assert found.refused == expected
    assert found.complete is (not expected)


@pytest.mark.parametrize(("environment", "expected"), [
    ({"online": True}, "the run fetched documents over the network (--online)"),
    ({"trust_list": {"name": "Lab issuers", "entries": 3}}, "a trust list (Lab issuers), which the package does not"),
    ({"known_documents": ["https://example.edu/status/1"]}, "the run used 1 known documents (--documents)"),
    ({"at": "yesterday"}, "expected environment.at to be a UTC date and time, found 'yesterday'"),
])
def test_a_run_that_used_what_the_package_lacks_is_not_judged_again(honest: Path, environment: dict[str, Any],
                                                                    expected: str) -> None:
    results = _results(honest)
    results["environment"] = {**results["environment"], **environment}
    found = rejudge(honest, results, read_manifest(honest))
    assert len(found.refused) == 1 and expected in found.refused[0], found.refused
    assert not found.complete and not found.differences


def test_a_manifest_listing_other_subjects_differs(honest: Path) -> None:
    results = copy.deepcopy(_results(honest))
    results["results"] = results["results"][:1]
    found = rejudge(honest, results, read_manifest(honest))
    assert found.run is not None and found.run.agreement is Agreement.DIFFERS
    assert "not the same ones in the same order" in found.run.detail


def test_an_inputs_manifest_the_attestation_does_not_bind_fails(run: Path, honest: Path, tmp_path: Path) -> None:
    folder = package(run, tmp_path / "package", "--attest", "--no-inputs")
    shutil.copy(honest / "inputs.json", folder / "inputs.json")
    shutil.copytree(honest / "inputs", folder / "inputs")
    code, output = verify(folder, "--rejudge")
    assert code == EXIT_FAIL, output
    assert "inputs.json is in the package, but the attestation does not bind it" in output


def test_a_copy_of_other_bytes_than_the_run_recorded_differs(honest: Path) -> None:
    # once check records each subject's digest (targets[i].files[]), a copy must be of exactly those bytes
    results = _results(honest)
    manifest = read_manifest(honest)
    good = next(r for r in manifest.records if r.subject.endswith(GOOD))
    broken = next(r for r in manifest.records if r.subject.endswith(BROKEN))
    results["targets"][0]["files"] = [{"subject": good.subject, "sha256": good.sha256, "size": good.size},
                                      {"subject": broken.subject, "sha256": "0" * 64, "size": broken.size}]
    found = rejudge(honest, results, manifest)
    assert {s.subject: s.agreement for s in found.subjects} == {good.subject: Agreement.SAME,
                                                                broken.subject: Agreement.DIFFERS}
    (differs,) = [s for s in found.subjects if s.agreement is Agreement.DIFFERS]
    assert f"results.json records the sha256 {'0' * 64} for the bytes judged" in differs.detail
