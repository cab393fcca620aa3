"""`check`, `registry` and `audit` judge the CTDL files of their local inputs as one publication set: references
resolve in sibling files, a CTID two files publish is a duplicate, hostile files do not stop the run."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.reference.registry import serve_registry
from conformance.run.ctdl_audit import AuditOptions, run_audit
from conformance.run.environment import set_files
from conformance.run.targets.files import DirectoryTarget, FileTarget
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.run_set import RunSet, add_record, index_records
from conformance.standards.ctdl.facts.sets import CtidIndex
from conformance.support.schemas import validate_data_file
from tests.conftest import artifacts_dir

RESOURCES = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways" / "resources"
R = "https://credentialengineregistry.org/resources/"
ORG = "ce-2dfcdb29-cbdd-4d3a-807c-c6b1a9e30625"
CERT = "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"
STRAY = "ce-11111111-1111-4111-8111-111111111111"
MISOWNED = "ce-22222222-2222-4222-8222-222222222222"
UNKNOWN = "ce-00000000-0000-4000-8000-000000000000"
CONTEXT = "https://credreg.net/ctdl/schema/context/json"
NESTING = 5_000_000                     # 10 MB of brackets


def _certificate(ctid: str, owner: str) -> dict[str, Any]:
    certificate = json.loads((RESOURCES / "certificate.json").read_text(encoding="utf-8"))
    certificate.update({"@id": R + ctid, "ceterms:ctid": ctid, "ceterms:ownedBy": [R + owner]})
    return certificate


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def publication(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("publication")
    _write(folder / "a-organization.json", json.loads((RESOURCES / "organization.json").read_text(encoding="utf-8")))
    _write(folder / "b-certificate.json", _certificate(CERT, ORG))
    _write(folder / "c-stray.json", _certificate(STRAY, UNKNOWN))
    _write(folder / "d-misowned.json", _certificate(MISOWNED, CERT))          # owned by a certificate
    _write(folder / "nested" / "e-copy.json", _certificate(CERT, ORG))        # the certificate's CTID again
    _write(folder / "f-credential.json", {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                          "type": ["VerifiableCredential"], "issuer": "did:example:1"})
    (folder / "g-not-json.json").write_bytes(b"\x00\xffnot json at all {")
    (folder / "h-deep.json").write_bytes(b"[" * NESTING + b"]" * NESTING)
    (folder / "i-deep-ctdl.json").write_bytes(
        b'{"@context": "' + CONTEXT.encode() + b'", "x": ' + b"[" * NESTING + b"]" * NESTING + b"}")
    return folder


def _findings(results: dict[str, Any], name: str, requirement: str) -> list[dict[str, Any]]:
    (result,) = [r for r in results["results"] if r["subject"].endswith(name)]
    return [f for f in result["findings"] if f["requirement"] == requirement]


def _outcomes(results: dict[str, Any], name: str, requirement: str) -> list[str]:
    return sorted({f["outcome"] for f in _findings(results, name, requirement)})


@pytest.fixture(scope="module")
def checked(publication: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["check", str(publication), "--artifacts", str(artifacts_dir()),
                                       "--format", "json", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.output           # the duplicate and the misowned certificate fail
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", results, out / "results.json")
    return results


@pytest.mark.parametrize(("name", "requirement", "expected"), [
    ("b-certificate.json", "CTDLREF-resolves", ["passed"]),           # the organization is a sibling file
    ("b-certificate.json", "CTDLREF-target-class", ["passed"]),
    ("c-stray.json", "CTDLREF-resolves", ["cantTell"]),              # owned by a CTID the set lacks, offline
    ("d-misowned.json", "CTDLREF-resolves", ["passed"]),
    ("d-misowned.json", "CTDLREF-target-class", ["failed"]),        # the sibling is a certificate, not an agent
    ("a-organization.json", "CTDL-ctid-unique", ["passed"]),
    ("b-certificate.json", "CTDL-ctid-unique", ["passed"]),          # the first copy is kept
    ("e-copy.json", "CTDL-ctid-unique", ["failed"]),                 # the later copy is the duplicate
])
def test_check_judges_the_folder_as_one_set(checked: dict[str, Any], name: str, requirement: str,
                                            expected: list[str]) -> None:
    assert _outcomes(checked, name, requirement) == expected


def test_the_duplicate_names_the_first_document_and_pointer(checked: dict[str, Any], publication: Path) -> None:
    (finding,) = [f for f in _findings(checked, "e-copy.json", "CTDL-ctid-unique") if f["outcome"] == "failed"]
    assert finding["location"] == "/ceterms:ctid"
    assert str(publication / "b-certificate.json") in finding["message"] and " at / " in finding["message"]
    assert CERT in finding["message"]


@pytest.mark.parametrize("name", ["f-credential.json", "g-not-json.json", "h-deep.json", "i-deep-ctdl.json"])
def test_other_and_hostile_files_are_reported_not_fatal(checked: dict[str, Any], name: str) -> None:
    (result,) = [r for r in checked["results"] if r["subject"].endswith(name)]
    assert result["findings"], name
    assert not [f for f in result["findings"] if f["requirement"].startswith(("CTDL-", "CTDLREF-"))]


def test_results_describe_the_set(checked: dict[str, Any], publication: Path) -> None:
    described = checked["environment"]["ctdl_publication_set"]
    assert described["indexed"] is True and described["files"] == 9
    assert described["documents"] == 5 and described["resources"] == 5 and described["duplicate_ctids"] == 1
    # the credential and the bracket file without the CTDL host are never parsed for the set
    assert [u["source"] for u in described["unreadable"]] == [str(publication / "i-deep-ctdl.json")]


def test_a_run_without_ctdl_never_builds_the_set(tmp_path: Path) -> None:
    _write(tmp_path / "in" / "credential.json", {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                                 "type": ["VerifiableCredential"], "issuer": "did:example:1"})
    CliRunner().invoke(main, ["check", str(tmp_path / "in"), "--artifacts", str(artifacts_dir()), "--format", "json",
                              "--out", str(tmp_path / "out")], catch_exceptions=False)
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["environment"]["ctdl_publication_set"] == {"files": 1, "indexed": False}


def test_files_named_one_by_one_form_a_set_too(publication: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(publication / "a-organization.json"),
                                       str(publication / "b-certificate.json"), "--artifacts", str(artifacts_dir()),
                                       "--format", "json"], catch_exceptions=False)
    output = json.loads(result.stdout.splitlines()[-1])
    assert _outcomes(output, "b-certificate.json", "CTDLREF-resolves") == ["passed"]
    assert result.exit_code == 0, result.output


# -- the set's facts --------------------------------------------------------------------------------------------

def _run_set(folder: Path) -> RunSet:
    return RunSet(set_files([DirectoryTarget(folder)]))


@pytest.mark.parametrize(("name", "ctid", "first"), [
    ("b-certificate.json", CERT, None),                        # the first copy
    ("nested/e-copy.json", CERT, "b-certificate.json"),        # a later copy names the first
    ("nested/e-copy.json", CERT.upper(), "b-certificate.json"),  # compared without regard to case
    ("a-organization.json", ORG, None),                        # published once
    ("not-in-the-set.json", CERT, None),                       # a document outside the set is not judged here
])
def test_duplicate_of(publication: Path, name: str, ctid: str, first: str | None) -> None:
    found = _run_set(publication).duplicate_of(str(publication / name), "", ctid)
    assert (found.first.source if found else None) == (str(publication / first) if first else None)
    if found is not None:
        assert found.first.pointer == "" and found.ctid == ctid


def test_one_document_repeating_a_ctid_is_left_to_the_document_rule(tmp_path: Path) -> None:
    graph = {"@context": CONTEXT, "@graph": [_certificate(CERT, ORG), _certificate(CERT, ORG)]}
    _write(tmp_path / "graph.json", graph)
    run_set = _run_set(tmp_path)
    assert run_set.duplicate_of(str(tmp_path / "graph.json"), "/@graph/1", CERT) is None
    assert len(run_set.index.duplicates()) == 1


def test_set_files_follow_the_targets(publication: Path) -> None:
    files = set_files([DirectoryTarget(publication), FileTarget(publication / "a-organization.json"),
                       FileTarget(Path("picture.png"))])
    assert files[0] == publication / "a-organization.json" and len(files) == 9      # no repeats, no images


def test_index_rows_round_trip(publication: Path) -> None:
    direct, rebuilt = CtidIndex(), CtidIndex()
    for name in ("a-organization.json", "b-certificate.json", "nested/e-copy.json"):
        document = load_document(json.loads((publication / name).read_text(encoding="utf-8")), str(publication / name))
        direct.add(document)
        for row in json.loads(json.dumps(index_records(document))):
            add_record(rebuilt, row)
    assert rebuilt.by_ctid == direct.by_ctid and rebuilt.by_id == direct.by_id


# -- the other commands ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_full_audit_resolves_within_the_set(publication: Path, tmp_path: Path, workers: int) -> None:
    run_audit([publication], tmp_path, AuditOptions(profile="ctdl-minimum-2026", artifacts=str(artifacts_dir())),
              workers=workers)
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    failed = {(r["subject"].rsplit("/", 1)[-1], f["requirement"]) for r in results["results"]
              for f in r["findings"] if f["outcome"] == "failed"}
    unknown = {(r["subject"].rsplit("/", 1)[-1], f["requirement"]) for r in results["results"]
               for f in r["findings"] if f["outcome"] == "cantTell"}
    assert ("e-copy.json", "CTDL-ctid-unique") in failed and ("d-misowned.json", "CTDLREF-target-class") in failed
    assert ("b-certificate.json", "CTDL-ctid-unique") not in failed
    assert ("c-stray.json", "CTDLREF-resolves") in unknown and ("b-certificate.json", "CTDLREF-resolves") not in unknown
    assert not (tmp_path / ".set-index.jsonl").exists()


@pytest.fixture()
def standin(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "registry").mkdir()
    with serve_registry(tmp_path / "registry") as running:
        yield running.base_url


def test_registry_command_looks_in_local_files_first(publication: Path, standin: str, tmp_path: Path) -> None:
    from conformance.cli.registry import registry

    result = CliRunner().invoke(registry, [str(publication / "a-organization.json"),
                                           str(publication / "b-certificate.json"), "--registry-base", standin,
                                           "--allow-private", "--profile", "default", "--artifacts",
                                           str(artifacts_dir()), "--format", "json", "--out", str(tmp_path)],
                                catch_exceptions=False)
    output = json.loads(result.stdout.splitlines()[-1])
    assert _outcomes(output, "b-certificate.json", "CTDLREF-resolves") == ["passed"]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert not [e for e in results["evidence"]["http"] if ORG in json.dumps(e)]     # never asked the Registry
