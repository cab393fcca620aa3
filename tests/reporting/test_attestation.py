"""The signed conformance attestation: what it says, that the suite itself accepts it, that tampering with it or
with the report files it names is caught, and that signing keys are read safely."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from conformance.cli import main
from conformance.reporting.attestation import (
    ATTESTATION_CONTEXTS,
    EPHEMERAL_KEY_NOTE,
    PUBLIC_TEST_KEY_NOTE,
    REPORT_URN,
    AttestationBuildError,
    InputCounts,
    ResourceProblem,
    Signer,
    SignerKind,
    SigningKeyError,
    attestation_signer,
    build_attestation,
    ephemeral_signer,
    load_signer,
    suite_test_signer,
    target_subject_id,
    verify_related_resources,
)
from conformance.reporting.files import ReportError
from conformance.run.environment import Environment
from conformance.run.reproducibility import reproducibility
from conformance.support.securing.keys import encode_public_multikey
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import ControllerDocumentResolver, verify
from conformance.support.securing.signing import sign_document
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge

SIGNED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STARTED, ENDED = "2026-03-02T09:00:00.250000Z", "2026-03-02T09:00:07.900000Z"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def finding(requirement: str, outcome: str, level: str = "must") -> dict[str, str]:
    return {"requirement": requirement, "outcome": outcome, "level": level, "location": "", "message": ""}


def sample_results(findings: list[dict[str, str]] | None = None, *, verdict: str = "pass",
                   targets: tuple[str, ...] = ("exports/badges",)) -> dict[str, Any]:
    """A schema-valid results.json of one subject, with the findings given."""
    findings = findings if findings is not None else [finding("OB30-achievement-name", "passed")]
    repro = reproducibility("default")
    repro["suite"]["commit"] = COMMIT
    subject = f"{targets[0]}/badge.json" if targets else "badge.json"
    return {
        "suite": {"name": "ler-conformance", "version": repro["suite"]["version"]},
        "profile": "default", "reproducibility": repro,
        "targets": [{"id": t, "kind": "directory"} for t in targets],
        "started": STARTED, "ended": ENDED, "environment": {}, "summary": {
            "subjects": 1, "verdicts": {verdict: 1}, "outcomes": {}, "verdict": verdict},
        "evidence": {"http": []},
        "results": [{"subject": subject, "verdict": verdict, "standards": ["OB30"], "findings": findings}],
        "assertions": [{"target": targets[0] if targets else "", "subject": subject, **f} for f in findings],
    }


def report_files(folder: Path, results: dict[str, Any]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (folder / "report.html").write_text("<!doctype html><title>Run</title><p>pass</p>\n", encoding="utf-8")
    (folder / "earl.ttl").write_text("@prefix earl: <http://www.w3.org/ns/earl#> .\n", encoding="utf-8")
    return [folder / "results.json", folder / "report.html", folder / "earl.ttl"]


def operator_key_file(folder: Path) -> tuple[Path, str]:
    """A fresh Ed25519 key as a private JWK, as an operator keeps one, and its did:key: no suite key, so nothing
    marks it as published."""
    key = ed25519.Ed25519PrivateKey.generate()

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "operator.jwk"
    path.write_text(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": b64(public), "d": b64(private)}),
                    encoding="utf-8")
    return path, f"did:key:{encode_public_multikey(key.public_key())}"


def attest(env: Environment, folder: Path, results: dict[str, Any] | None = None, *,
           signer: Signer | None = None, **options: Any) -> dict[str, Any]:
    results = results if results is not None else sample_results()
    return build_attestation(results, report_files(folder, results), signer=signer or suite_test_signer(),
                             canonicalizer=env.verifier.canonicalizer, signed_at=SIGNED_AT, **options)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def trust_list(folder: Path, did: str) -> Path:
    path = folder / "trust.toml"
    path.write_text(f'name = "Report readers"\n\n[[issuer]]\nid = "{did}"\nname = "Conformance lab"\n',
                    encoding="utf-8")
    return path


def check_findings(run: Callable[..., Result], document: dict[str, Any], folder: Path,
                   expected_exit: int) -> list[dict[str, Any]]:
    path = folder / "attestation.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = run("check", str(path), "--trust-list", str(trust_list(folder, suite_test_signer().did)),
                 "--format", "json", "-v")
    assert result.exit_code == expected_exit, result.output
    (subject,) = json.loads(result.output)["results"]
    return subject["findings"]


# --- the suite judges its own attestation ------------------------------------------------------------------

def test_an_attestation_of_a_real_run_passes_check_with_no_must_left_open(run, env: Environment,
                                                                         tmp_path: Path) -> None:
    badge = tmp_path / "inputs" / "badge.json"
    badge.parent.mkdir()
    badge.write_text(json.dumps(sign_document(minimal_badge(), [{"key": "issuer-ed25519"}],
                                              env.verifier.canonicalizer)), encoding="utf-8")
    checked = run("check", str(badge.parent), "--out", str(tmp_path / "run"))
    assert checked.exit_code == 0, checked.output
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    document = build_attestation(results, [tmp_path / "run" / "results.json"], signer=suite_test_signer(),
                                 canonicalizer=env.verifier.canonicalizer)
    findings = check_findings(run, document, tmp_path, expected_exit=0)
    open_musts = [f for f in findings if f["level"] == "must" and f["outcome"] in ("failed", "cantTell", "error")]
    assert open_musts == [], f"expected every MUST to pass or not apply, found {open_musts}"
    passed = {f["requirement"] for f in findings if f["outcome"] == "passed"}
    for requirement in ("DI10-lossless", "DI10-signature-verifies", "OB30-proof-verifies", "OB30-endorsement-type",
                        "OB30-endorsementsubject-id", "OB30-jsonschema-endorsementcredential",
                        "VCDM20-related-resource-sri", "VCDM20-related-resource-id-url", "TRUST10-issuer-listed"):
        assert requirement in passed, f"expected {requirement} to pass on the attestation, found {findings}"


@pytest.mark.parametrize("edit", [
    pytest.param(lambda d: d["credentialSubject"].__setitem__(
        "endorsementComment", d["credentialSubject"]["endorsementComment"].replace("Verdict: pass",
                                                                                    "Verdict: fail")),
        id="endorsement-comment"),
    pytest.param(lambda d: d["relatedResource"][0].__setitem__("digestSRI", "sha384-" + "A" * 64), id="digest"),
    pytest.param(lambda d: d.__setitem__("validUntil", "2099-01-01T00:00:00Z"), id="valid-until"),
])
def test_a_tampered_attestation_fails_its_proof(run, env: Environment, tmp_path: Path,
                                                edit: Callable[[dict[str, Any]], None]) -> None:
    document = attest(env, tmp_path / "package")
    tampered = copy.deepcopy(document)
    edit(tampered)
    assert tampered != document
    findings = check_findings(run, tampered, tmp_path, expected_exit=1)
    outcomes = {f["requirement"]: f["outcome"] for f in findings}
    assert (outcomes["DI10-signature-verifies"], outcomes["OB30-proof-verifies"]) == ("failed", "failed"), findings


# --- what it says --------------------------------------------------------------------------------------------

def test_the_credential_names_the_run_the_files_and_the_signer(env: Environment, tmp_path: Path) -> None:
    document = attest(env, tmp_path)
    signer = suite_test_signer()
    assert document["@context"] == list(ATTESTATION_CONTEXTS)
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["issuer"] == {"id": signer.did, "type": ["Profile"], "name": "ler-conformance",
                                  "description": PUBLIC_TEST_KEY_NOTE}
    assert (document["validFrom"], document["validUntil"]) == ("2026-03-02T09:00:07Z", "2027-03-02T09:00:07Z")
    assert document["credentialSubject"]["id"] == target_subject_id(["exports/badges"])
    assert document["credentialSubject"]["id"] == (
        "urn:ler-conformance:target:" + hashlib.sha256(b"exports/badges").hexdigest())
    proof = document["proof"]
    assert (proof["cryptosuite"], proof["proofPurpose"], proof["verificationMethod"], proof["created"]) == (
        "eddsa-rdfc-2022", "assertionMethod", signer.verification_method, "2026-03-02T09:30:00Z")
    expected = []
    for name, media_type in (("results.json", "application/json"), ("report.html", "text/html"),
                             ("earl.ttl", "text/turtle")):
        digest = base64.b64encode(hashlib.sha384((tmp_path / name).read_bytes()).digest()).decode()
        expected.append({"id": REPORT_URN + name, "digestSRI": f"sha384-{digest}", "mediaType": media_type})
    assert document["relatedResource"] == expected


MUST_COUNTS = ("MUST requirements: {} passed, {} failed, {} could not be told (cantTell), {} not tested, {} could not "
               "be evaluated.")
COMMENT_CASES = [
    ("all-pass", [finding("OB30-a", "passed"), finding("OB30-b", "passed"), finding("OB30-c", "inapplicable")],
     "pass", MUST_COUNTS.format(2, 0, 0, 0, 0) + " SHOULD requirements: 0 failed"),
    ("must-cant-tell", [finding("OB30-a", "passed"), finding("TRUST10-issuer-listed", "cantTell")],
     "incomplete", MUST_COUNTS.format(1, 0, 1, 0, 0)),
    ("must-untested", [finding("OB30-a", "passed"), finding("TRUST10-issuer-listed", "untested")],
     "incomplete", MUST_COUNTS.format(1, 0, 0, 1, 0)),
    ("should-failure-is-a-warning", [finding("OB30-a", "passed"), finding("VCDM20-m", "failed", "should")],
     "pass", "SHOULD requirements: 1 failed (warnings)"),
    # two findings of one requirement on one subject count once, as their weakest outcome
    ("must-failed", [finding("OB30-a", "passed"), finding("OB30-a", "failed"), finding("OB30-b", "error")],
     "fail", MUST_COUNTS.format(0, 1, 0, 0, 1)),
    ("nothing-judged", [finding("OB30-a", "inapplicable")], "not-judged", MUST_COUNTS.format(0, 0, 0, 0, 0)),
]


@pytest.mark.parametrize(("findings", "verdict", "counts"), [c[1:] for c in COMMENT_CASES],
                         ids=[c[0] for c in COMMENT_CASES])
def test_the_endorsement_comment_states_suite_profile_window_verdict_and_counts(
        env: Environment, tmp_path: Path, findings: list[dict[str, str]], verdict: str, counts: str) -> None:
    document = attest(env, tmp_path, sample_results(findings, verdict=verdict))
    comment = document["credentialSubject"]["endorsementComment"]
    version = reproducibility("default")["suite"]["version"]
    for part in (f"ler-conformance {version} (commit {COMMIT})", "with the default profile",
                 "between 2026-03-02T09:00:00Z and 2026-03-02T09:00:07Z", f"Verdict: {verdict}.", counts,
                 "The 3 report files"):
        assert part in comment, f"expected {part!r} in the endorsement comment, found {comment!r}"
    # the verdict results.json gives, and nothing beside it a reader could take for another verdict
    assert "conformant" not in comment and "(incomplete)" not in comment
    assert document["name"].endswith(f": {verdict}")


CONTRADICTIONS = [
    ("pass-with-a-failed-must", [finding("OB30-a", "failed")], "pass", "found 'pass' while a MUST failed"),
    ("fail-with-no-failed-must", [finding("OB30-a", "passed")], "fail", "found 'fail' while no MUST failed"),
    ("pass-with-an-undecided-must", [finding("OB30-a", "cantTell")], "pass", "while a MUST is undecided"),
    ("incomplete-with-a-failed-must", [finding("OB30-a", "failed"), finding("OB30-b", "error")], "incomplete",
     "found 'incomplete' while a MUST failed"),
]


@pytest.mark.parametrize(("findings", "verdict", "expected"), [c[1:] for c in CONTRADICTIONS],
                         ids=[c[0] for c in CONTRADICTIONS])
def test_a_verdict_its_own_findings_contradict_is_not_signed(env: Environment, tmp_path: Path,
                                                            findings: list[dict[str, str]], verdict: str,
                                                            expected: str) -> None:
    with pytest.raises(AttestationBuildError) as caught:
        attest(env, tmp_path, sample_results(findings, verdict=verdict))
    assert expected in str(caught.value) and "summary.verdict" in str(caught.value)


OPTION_CASES = [
    ({"base_url": "https://lab.example/reports/2026-03/"}, "relatedResource",
     "https://lab.example/reports/2026-03/report.html"),
    ({"base_url": "https://lab.example/reports"}, "relatedResource", "https://lab.example/reports/report.html"),
    ({"subject_id": "https://vendor.example/products/badger/4.2"}, "subject",
     "https://vendor.example/products/badger/4.2"),
    ({"issuer_name": "Example Conformance Lab"}, "issuer", "Example Conformance Lab"),
    ({"valid_for": timedelta(days=30)}, "validUntil", "2026-04-01T09:00:07Z"),
]


@pytest.mark.parametrize(("options", "member", "expected"), OPTION_CASES,
                         ids=["base-url-slash", "base-url", "subject", "issuer-name", "valid-for"])
def test_the_caller_sets_ids_names_and_validity(env: Environment, tmp_path: Path, options: dict[str, Any],
                                                member: str, expected: str) -> None:
    document = attest(env, tmp_path, **options)
    found = {"relatedResource": document["relatedResource"][1]["id"], "subject": document["credentialSubject"]["id"],
             "issuer": document["issuer"]["name"], "validUntil": document["validUntil"]}[member]
    assert found == expected
    assert verify(document, resolver=ControllerDocumentResolver(), canonicalizer=env.verifier.canonicalizer,
                  now=SIGNED_AT).verified


def test_the_same_run_and_files_give_the_same_credential(env: Environment, tmp_path: Path) -> None:
    first, second = attest(env, tmp_path / "a"), attest(env, tmp_path / "b")
    assert first == second
    assert first["id"].startswith("urn:uuid:")


def test_an_ephemeral_signer_is_fresh_each_time_and_its_attestation_verifies(env: Environment,
                                                                             tmp_path: Path) -> None:
    one, other = ephemeral_signer(), ephemeral_signer()
    assert one.ephemeral and one.did != other.did
    assert one.verification_method == f"{one.did}#{one.did.removeprefix('did:key:')}"
    document = attest(env, tmp_path, signer=one)
    assert document["issuer"]["id"] == one.did
    assert verify(document, resolver=ControllerDocumentResolver(), canonicalizer=env.verifier.canonicalizer,
                  now=SIGNED_AT).verified


def test_an_ephemeral_key_is_labelled_as_such_inside_the_signed_credential(env: Environment,
                                                                          tmp_path: Path) -> None:
    signer = ephemeral_signer()
    document = attest(env, tmp_path, signer=signer)
    # in the issuer, where a displayer shows who issued it, and in the comment a reader reads
    assert document["issuer"]["description"] == EPHEMERAL_KEY_NOTE
    assert document["credentialSubject"]["endorsementComment"].endswith(EPHEMERAL_KEY_NOTE)
    assert "bound to no operator" in EPHEMERAL_KEY_NOTE
    read = attestation_signer(document)
    assert (read.did, read.issuer, read.kind, read.consistent) == (signer.did, signer.did, SignerKind.EPHEMERAL, True)
    # the label is signed: removing it breaks the proof
    unlabelled = copy.deepcopy(document)
    del unlabelled["issuer"]["description"]
    assert not verify(unlabelled, resolver=ControllerDocumentResolver(), canonicalizer=env.verifier.canonicalizer,
                      now=SIGNED_AT).verified


def test_an_operators_own_key_is_the_issuer_and_carries_no_label(env: Environment, tmp_path: Path) -> None:
    key_file, did = operator_key_file(tmp_path)
    signer = load_signer(key_file)
    assert (signer.did, signer.kind) == (did, SignerKind.OPERATOR)
    document = attest(env, tmp_path / "package", signer=signer)
    assert document["issuer"] == {"id": did, "type": ["Profile"], "name": "ler-conformance"}
    assert document["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
    assert attestation_signer(document).kind is SignerKind.OPERATOR
    assert "one-time" not in document["credentialSubject"]["endorsementComment"]


def test_a_published_test_key_read_from_a_file_is_labelled_public(env: Environment, tmp_path: Path) -> None:
    signer = load_signer(_write(tmp_path, json.dumps(REPORT_KEY.private_jwk)))
    assert signer.kind is SignerKind.PUBLIC_TEST
    document = attest(env, tmp_path / "package", signer=signer)
    assert document["issuer"]["description"] == PUBLIC_TEST_KEY_NOTE
    # known by value: a reader is told even when the label was never written
    unlabelled = {**document, "issuer": {k: v for k, v in document["issuer"].items() if k != "description"}}
    assert attestation_signer(unlabelled).kind is SignerKind.PUBLIC_TEST


def test_the_comment_counts_the_archived_inputs(env: Environment, tmp_path: Path) -> None:
    document = attest(env, tmp_path, inputs=InputCounts(listed=4, archived=3))
    comment = document["credentialSubject"]["endorsementComment"]
    assert "inputs.json lists the 4 judged inputs and the sha256 of each whose bytes were known; 3 of them are " \
           "archived in the package" in comment


def test_a_signer_whose_issuer_is_another_party_is_inconsistent(env: Environment, tmp_path: Path) -> None:
    document = attest(env, tmp_path)
    document["issuer"]["id"] = "did:web:famous-lab.example"
    assert not attestation_signer(document).consistent


def _results_without(member: str) -> dict[str, Any]:
    results = sample_results()
    del results[member]
    return results


BUILD_ERRORS = [
    ("results-missing-profile", lambda f: (_results_without("profile"), f, {}), "profile"),
    ("finding-with-unknown-outcome", lambda f: (sample_results([finding("OB30-a", "great")]), f, {}),
     "/results/0/findings/0"),
    ("not-an-object", lambda f: ([], f, {}), "expected a JSON object"),
    ("no-files", lambda f: (sample_results(), [], {}), "at least one report file"),
    ("same-name-twice", lambda f: (sample_results(), [f[0], f[0]], {}), "results.json twice"),
    ("file-gone", lambda f: (sample_results(), [f[0].with_name("gone.pdf")], {}), "gone.pdf"),
    ("relative-base-url", lambda f: (sample_results(), f, {"base_url": "reports/run1"}), "absolute URL"),
    ("subject-not-a-uri", lambda f: (sample_results(), f, {"subject_id": "Badger 4.2"}), "absolute URI"),
    ("no-validity", lambda f: (sample_results(), f, {"valid_for": timedelta(0)}), "positive validity"),
    ("validity-past-year-9999", lambda f: (sample_results(), f, {"valid_for": timedelta(days=3_000_000)}),
     "before the year 10000"),
    ("a-directory-as-file", lambda f: (sample_results(), [f[0].parent], {}), "cannot be read"),
]


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in BUILD_ERRORS], ids=[c[0] for c in BUILD_ERRORS])
def test_unusable_inputs_give_a_clear_error(env: Environment, tmp_path: Path, make: Callable[..., Any],
                                            expected: str) -> None:
    results, files, options = make(report_files(tmp_path, sample_results()))
    with pytest.raises(AttestationBuildError) as caught:
        build_attestation(results, files, signer=suite_test_signer(), canonicalizer=env.verifier.canonicalizer,
                          **options)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ReportError)       # the CLI's report command reports it as one line


# --- checking a report package against its attestation -----------------------------------------------------

def _entries(document: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["relatedResource"] = list(entries)
    return changed


PACKAGE_CASES: list[tuple[str, Callable[[dict[str, Any], Path], dict[str, Any]], list[tuple[str, str | None]]]] = [
    ("untouched", lambda d, p: d, []),
    ("file-changed", lambda d, p: (p.joinpath("report.html").write_text("<p>fail</p>", encoding="utf-8"), d)[1],
     [("changed", "report.html")]),
    ("file-deleted", lambda d, p: (p.joinpath("earl.ttl").unlink(), d)[1], [("missing", "earl.ttl")]),
    ("two-files-changed", lambda d, p: (p.joinpath("results.json").write_bytes(b"{}"),
                                        p.joinpath("earl.ttl").write_bytes(b""), d)[2],
     [("changed", "results.json"), ("changed", "earl.ttl")]),
    ("escaping-id", lambda d, p: _entries(d, {"id": REPORT_URN + "..%2F..%2Fetc%2Fpasswd",
                                              "digestSRI": d["relatedResource"][0]["digestSRI"]}),
     [("malformed", None)]),
    ("dot-dot-id", lambda d, p: _entries(d, {"id": "https://lab.example/..", "digestSRI": "sha384-AAAA"}),
     [("malformed", None)]),
    ("no-digest", lambda d, p: _entries(d, {"id": REPORT_URN + "report.html"}), [("malformed", "report.html")]),
    ("md5-digest", lambda d, p: _entries(d, {"id": REPORT_URN + "report.html", "digestSRI": "md5-AAAA"}),
     [("malformed", "report.html")]),
    ("not-a-list", lambda d, p: {**d, "relatedResource": "results.json"}, [("malformed", None)]),
    ("no-related-resources", lambda d, p: {k: v for k, v in d.items() if k != "relatedResource"},
     [("malformed", None)]),
    ("entry-not-an-object", lambda d, p: _entries(d, ["report.html"]), [("malformed", None)]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in PACKAGE_CASES], ids=[c[0] for c in PACKAGE_CASES])
def test_verify_related_resources_names_each_file_that_does_not_match(
        env: Environment, tmp_path: Path, change: Callable[[dict[str, Any], Path], dict[str, Any]],
        expected: list[tuple[str, str | None]]) -> None:
    document = change(attest(env, tmp_path), tmp_path)
    problems = verify_related_resources(document, tmp_path)
    assert [(p.kind, p.file) for p in problems] == expected, problems
    for problem in problems:
        assert isinstance(problem, ResourceProblem) and problem.message
        if problem.file is not None:
            assert problem.file in problem.message


def test_a_changed_file_is_reported_with_both_digests(env: Environment, tmp_path: Path) -> None:
    document = attest(env, tmp_path)
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    (problem,) = verify_related_resources(document, tmp_path)
    recorded = document["relatedResource"][0]["digestSRI"]
    actual = "sha384-" + base64.b64encode(hashlib.sha384(b"{}").digest()).decode()
    assert recorded in problem.message and actual in problem.message


# --- signing keys --------------------------------------------------------------------------------------------

REPORT_KEY = suite_key("report-ed25519")


def _write(folder: Path, content: str | bytes) -> Path:
    path = folder / "key"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


GOOD_KEYS = [
    ("private-jwk", json.dumps(REPORT_KEY.private_jwk)),
    ("multibase-secret", REPORT_KEY.secret_multibase + "\n"),
    ("multikey-pair", json.dumps({"type": "Multikey", "publicKeyMultibase": REPORT_KEY.public_multibase,
                                  "secretKeyMultibase": REPORT_KEY.secret_multibase})),
    ("multikey-secret-only", json.dumps({"secretKeyMultibase": REPORT_KEY.secret_multibase})),
]


@pytest.mark.parametrize("content", [c[1] for c in GOOD_KEYS], ids=[c[0] for c in GOOD_KEYS])
def test_load_signer_reads_a_jwk_or_a_multibase_secret(tmp_path: Path, content: str) -> None:
    signer = load_signer(_write(tmp_path, content))
    assert (signer.did, signer.verification_method, signer.ephemeral) == (REPORT_KEY.did, REPORT_KEY.vm_id, False)
    assert REPORT_KEY.secret_multibase not in repr(signer)


P256 = suite_key("issuer-p256")
SECRET = REPORT_KEY.secret_multibase
BAD_KEYS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("no-such-file", lambda d: d / "absent.jwk", "no such file"),
    ("directory", lambda d: d, "directory"),
    ("empty", lambda d: _write(d, "  \n"), "empty file"),
    ("binary", lambda d: _write(d, b"\xff\xfe\x00\x01"), "binary data"),
    ("too-large", lambda d: _write(d, "z" * 70_000), "at most"),
    ("bad-json", lambda d: _write(d, '{"kty": "OKP", "d": "' + SECRET), "syntax error at line 1"),
    ("json-array", lambda d: _write(d, json.dumps([REPORT_KEY.private_jwk])), "found a JSON array"),
    ("json-neither", lambda d: _write(d, json.dumps({"key": SECRET})), "found neither"),
    ("public-jwk", lambda d: _write(d, json.dumps(REPORT_KEY.jwk)), "found a public one"),
    ("p256-jwk", lambda d: _write(d, json.dumps(P256.private_jwk)), "expected an Ed25519 key"),
    ("p256-multibase", lambda d: _write(d, P256.secret_multibase), "found a P-256 key"),
    ("public-multikey", lambda d: _write(d, REPORT_KEY.public_multibase), "(Ed25519 public key)"),
    ("jwk-d-of-another-key", lambda d: _write(d, json.dumps({**suite_key("other-ed25519").private_jwk,
                                                             "x": REPORT_KEY.jwk["x"]})), "not the private key"),
    ("secret-with-a-bad-character", lambda d: _write(d, SECRET[:10] + "0" + SECRET[11:]),
     "outside that alphabet"),
    ("secret-not-a-string", lambda d: _write(d, json.dumps({"secretKeyMultibase": 42})), "to be a string"),
    ("pair-that-does-not-match", lambda d: _write(d, json.dumps({
        "publicKeyMultibase": P256.public_multibase, "secretKeyMultibase": SECRET})), "found another key"),
    ("truncated-secret", lambda d: _write(d, SECRET[:-6]), "secret key"),
]


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in BAD_KEYS], ids=[c[0] for c in BAD_KEYS])
def test_load_signer_refuses_unusable_files_without_quoting_the_key(tmp_path: Path, make: Callable[[Path], Path],
                                                                    expected: str) -> None:
    path = make(tmp_path)
    with pytest.raises(SigningKeyError) as caught:
        load_signer(path)
    message = str(caught.value)
    assert expected in message and str(path) in message, message
    assert "\n" not in message
    for secret in (SECRET, SECRET[:-6], SECRET[:10], REPORT_KEY.private_jwk["d"], P256.private_jwk["d"],
                   P256.secret_multibase):
        assert secret not in message, f"expected no key material in the message, found {message!r}"
