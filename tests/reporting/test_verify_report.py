"""`ler-conformance verify-report DIR`: a report package's attestation verifies and its files match their digests;
a changed file, a tampered attestation and a missing one are each reported with the right exit code; who signed is
said plainly (an ephemeral key, the suite's public test key, an operator's key) and `--trusted-signer` refuses any
signer not named."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.reporting.attestation import EPHEMERAL_KEY_NOTE
from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from tests.conftest import artifacts_dir
from tests.reporting.conftest import RenderedRun, run_and_report
from tests.reporting.packages import make_run, package
from tests.reporting.test_attestation import operator_key_file


@pytest.fixture(scope="module")
def attested(tmp_path_factory: pytest.TempPathFactory) -> RenderedRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return run_and_report(tmp_path_factory.mktemp("attested"), "--earl", "--html", "--attest")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory, env: Environment) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return make_run(tmp_path_factory.mktemp("small"), env.verifier.canonicalizer)


@pytest.fixture(autouse=True)
def _artifacts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))


def _copy(run: RenderedRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.out, tmp_path / "package"))


def _verify(folder: Path, *options: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, ["verify-report", str(folder), *options])
    return done.exit_code, done.output


def _attestation(folder: Path) -> dict:
    return json.loads((folder / "attestation.json").read_text(encoding="utf-8"))


def test_an_untouched_package_verifies(attested: RenderedRun) -> None:
    code, output = _verify(attested.out)
    assert code == 0, output
    assert "the proof verifies with a key of did:key:z6Mk" in output
    assert "all 5 report files match their digests" in output      # results, earl x2, html, inputs.json
    assert "all 3 archived inputs match inputs.json" in output
    names = sorted(p.name for p in attested.out.iterdir())
    assert names == ["attestation.json", "earl.jsonld", "earl.ttl", "inputs", "inputs.json", "report.html",
                     "results.json"]


def test_a_changed_report_file_fails(attested: RenderedRun, tmp_path: Path) -> None:
    folder = _copy(attested, tmp_path)
    with (folder / "report.html").open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->")
    code, output = _verify(folder)
    assert code == 1
    assert "the proof verifies" in output
    assert "expected report.html to have the digest" in output


def test_a_tampered_attestation_fails(attested: RenderedRun, tmp_path: Path) -> None:
    folder = _copy(attested, tmp_path)
    document = _attestation(folder)
    document["credentialSubject"]["endorsementComment"] = "Verdict: pass."
    (folder / "attestation.json").write_text(json.dumps(document), encoding="utf-8")
    code, output = _verify(folder)
    assert code == 1
    assert "the proof does not verify" in output
    assert "all 5 report files match their digests" in output


def test_a_missing_attestation_is_an_error(tmp_path: Path) -> None:
    code, output = _verify(tmp_path)
    assert code == 2
    assert "is not a readable attestation" in output


def test_a_single_runs_matrix_is_bound_by_its_attestation(tmp_path: Path) -> None:
    run = run_and_report(tmp_path, "--matrix", "--attest")
    attestation = _attestation(run.out)
    names = sorted(entry["id"].rsplit(":", 1)[-1] for entry in attestation["relatedResource"])
    assert names == ["inputs.json", "matrix.html", "matrix.md", "results.json"]
    code, output = _verify(run.out)
    assert code == 0, output


# --- who signed ----------------------------------------------------------------------------------------------

def test_an_ephemeral_signer_is_named_as_one_that_cannot_be_tied_to_anyone(attested: RenderedRun) -> None:
    attestation = _attestation(attested.out)
    assert attestation["issuer"]["description"] == EPHEMERAL_KEY_NOTE
    code, output = _verify(attested.out)
    assert code == 0, output
    signer = attestation["issuer"]["id"]
    assert f"the signer {signer} is an ephemeral key made for this attestation alone" in output
    assert "it cannot be tied to anyone" in output


def test_report_signs_with_the_operators_own_key(small_run: Path, tmp_path: Path) -> None:
    key_file, did = operator_key_file(tmp_path)
    folder = package(small_run, tmp_path / "package", "--attest", "--signing-key", str(key_file))
    attestation = _attestation(folder)
    assert attestation["issuer"]["id"] == did
    assert "description" not in attestation["issuer"]
    assert attestation["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
    code, output = _verify(folder, "--trusted-signer", did)
    assert code == 0, output
    assert f"the proof verifies with a key of {did}" in output
    assert "the signer is one you trust (--trusted-signer)" in output
    assert "ephemeral" not in output


def test_the_older_attest_key_option_still_signs(small_run: Path, tmp_path: Path) -> None:
    key_file, did = operator_key_file(tmp_path)
    folder = package(small_run, tmp_path / "package", "--attest", "--attest-key", str(key_file))
    assert _attestation(folder)["issuer"]["id"] == did


def test_an_operators_key_without_a_trusted_signer_is_shown_not_vouched_for(small_run: Path, tmp_path: Path) -> None:
    key_file, did = operator_key_file(tmp_path)
    folder = package(small_run, tmp_path / "package", "--attest", "--signing-key", str(key_file))
    code, output = _verify(folder)
    assert code == 0, output
    assert f"nothing here ties {did} to anyone: name the signers you accept with --trusted-signer" in output


def test_a_signer_not_named_is_refused_in_one_line(attested: RenderedRun) -> None:
    expected = [suite_key("issuer-ed25519").did, suite_key("other-ed25519").did]
    code, output = _verify(attested.out, "--trusted-signer", expected[0], "--trusted-signer", expected[1])
    assert code == 1, output
    found = _attestation(attested.out)["issuer"]["id"]
    (line,) = [line for line in output.splitlines() if line.startswith("refused")]
    assert line == f"refused the attestation is signed by {found}; expected {expected[0]} or {expected[1]}"
    assert "report files match" not in output            # refused: nothing else is vouched for


def test_a_trusted_signer_may_be_named_by_its_verification_method(small_run: Path, tmp_path: Path) -> None:
    key_file, did = operator_key_file(tmp_path)
    folder = package(small_run, tmp_path / "package", "--attest", "--signing-key", str(key_file))
    code, output = _verify(folder, "--trusted-signer", f"{did}#{did.removeprefix('did:key:')}")
    assert code == 0, output


def test_the_suite_test_key_is_named_as_public(small_run: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "report.jwk"
    key_file.write_text(json.dumps(suite_key("report-ed25519").private_jwk), encoding="utf-8")
    folder = package(small_run, tmp_path / "package", "--attest", "--signing-key", str(key_file))
    code, output = _verify(folder)
    assert code == 0, output
    assert "is the suite's public test key: anyone can sign with it" in output


def test_an_issuer_other_than_the_signing_key_fails(small_run: Path, tmp_path: Path, env: Environment) -> None:
    from conformance.reporting.attestation import CRYPTOSUITE, ephemeral_signer
    from conformance.support.securing.proofs import sign

    folder = package(small_run, tmp_path / "package", "--attest")
    document = {k: v for k, v in _attestation(folder).items() if k != "proof"}
    document["issuer"] = {**document["issuer"], "id": "did:key:" + suite_key("issuer-ed25519").public_multibase}
    signer = ephemeral_signer()
    signed = sign(document, signer.private_key, cryptosuite=CRYPTOSUITE, verification_method=signer.verification_method,
                  purpose="assertionMethod", created=datetime.now(UTC), canonicalizer=env.verifier.canonicalizer)
    (folder / "attestation.json").write_text(json.dumps(signed), encoding="utf-8")
    code, output = _verify(folder)
    assert code == 1, output
    assert f"but the proof is made with a key of {signer.did}" in output


def test_a_signing_key_without_attest_is_refused(small_run: Path, tmp_path: Path) -> None:
    key_file, _ = operator_key_file(tmp_path)
    done = CliRunner().invoke(main, ["report", str(small_run), "--html", "--signing-key", str(key_file),
                                     "--out", str(tmp_path / "out")])
    assert done.exit_code == 2
    assert "--signing-key signs the attestation: add --attest" in done.output
