"""Every file the suite loads for a person (results.json, attestations, targets.toml, `--documents` indexes and the
documents they name, vendor attestations, trust lists, vector manifests) ends hostile input in one line that names
the file and exit code 2, never a traceback."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conformance.cli import EXIT_ERROR, EXIT_NOT_JUDGED, main
from conformance.core.requirements import CatalogError
from conformance.run.vectors import load_vectors
from conformance.support.loading import (
    CONFIG_MAX_BYTES,
    RESULTS_MAX_BYTES,
    LoadError,
    load_json_file,
    load_toml_file,
)
from conformance.support.resources import vectors_dir

DEEP = 100_000
VALID_VECTOR = vectors_dir() / "core" / "1.0" / "valid"


def _deep_json(path: Path) -> None:
    path.write_text("[" * DEEP + "]" * DEEP)


def _deep_toml(path: Path) -> None:
    path.write_text("a = " + "[" * DEEP + "]" * DEEP + "\n")


def _deep_dotted_toml(path: Path) -> None:
    # dotted keys nest without recursion in the parser: the depth shows only in the data
    path.write_text(".".join(["k"] * 2_000) + " = 1\n")


def _not_utf8(path: Path) -> None:
    path.write_bytes(b'a = "\xff\xfe"\n' if path.suffix == ".toml" else b'{"a": "\xff\xfe"}')


def _oversized(cap: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as handle:       # sparse: refused by its size before a byte is read
            handle.truncate(cap + 1)
    return write


HOSTILE_JSON = {"deep": _deep_json, "not-utf8": _not_utf8, "too-large": _oversized(RESULTS_MAX_BYTES)}
HOSTILE_TOML = {"deep": _deep_toml, "deep-dotted": _deep_dotted_toml, "not-utf8": _not_utf8,
                "too-large": _oversized(CONFIG_MAX_BYTES)}


def _assert_one_line_usage_error(result: Result, named: Path) -> None:
    output = result.output           # stdout and stderr interleaved
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == EXIT_ERROR, output
    errors = [line for line in output.splitlines() if named.name in line and "rror" in line]
    assert len(errors) == 1, output
    assert len(errors[0]) < 1_000


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("kind", HOSTILE_JSON)
def test_report_refuses_a_hostile_results_json(cli: CliRunner, tmp_path: Path, kind: str) -> None:
    source = tmp_path / "results.json"
    HOSTILE_JSON[kind](source)
    result = cli.invoke(main, ["report", "--earl", "--out", str(tmp_path / "out"), str(source)])
    _assert_one_line_usage_error(result, source)


@pytest.mark.parametrize("kind", HOSTILE_JSON)
def test_verify_report_refuses_a_hostile_attestation(cli: CliRunner, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "package"
    folder.mkdir()
    HOSTILE_JSON[kind](folder / "attestation.json")
    result = cli.invoke(main, ["verify-report", str(folder)])
    _assert_one_line_usage_error(result, folder / "attestation.json")


@pytest.mark.parametrize("kind", HOSTILE_TOML)
def test_check_refuses_a_hostile_targets_file(cli: CliRunner, tmp_path: Path, kind: str) -> None:
    targets = tmp_path / "targets.toml"
    HOSTILE_TOML[kind](targets)
    result = cli.invoke(main, ["check", str(targets)])
    _assert_one_line_usage_error(result, targets)


@pytest.mark.parametrize("kind", HOSTILE_TOML)
def test_check_refuses_a_hostile_documents_index(cli: CliRunner, tmp_path: Path, kind: str) -> None:
    index = tmp_path / "index.toml"
    HOSTILE_TOML[kind](index)
    result = cli.invoke(main, ["check", "--documents", str(index), str(VALID_VECTOR)])
    _assert_one_line_usage_error(result, index)


def test_check_refuses_an_oversized_document_named_by_an_index(cli: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "index.toml"
    index.write_text('[documents]\n"https://example.com/status" = "status.json"\n')
    _oversized(16 * 1024 * 1024)(tmp_path / "status.json")
    result = cli.invoke(main, ["check", "--documents", str(index), str(VALID_VECTOR)])
    _assert_one_line_usage_error(result, tmp_path / "status.json")


@pytest.mark.parametrize("kind", HOSTILE_TOML)
def test_check_refuses_a_hostile_trust_list(cli: CliRunner, tmp_path: Path, kind: str) -> None:
    trust = tmp_path / "trust.toml"
    HOSTILE_TOML[kind](trust)
    if kind == "too-large":
        _oversized(4 * 1024 * 1024)(trust)
    result = cli.invoke(main, ["check", "--trust-list", str(trust), str(VALID_VECTOR)])
    _assert_one_line_usage_error(result, trust)


@pytest.fixture(scope="module")
def results_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    CliRunner().invoke(main, ["check", "--out", str(out), str(VALID_VECTOR)])
    assert (out / "results.json").is_file()
    return out / "results.json"


@pytest.mark.parametrize("kind", HOSTILE_TOML)
def test_report_refuses_a_hostile_vendor_attestation(cli: CliRunner, tmp_path: Path, results_json: Path,
                                                     kind: str) -> None:
    vendor = tmp_path / "vendor.toml"
    HOSTILE_TOML[kind](vendor)
    result = cli.invoke(main, ["report", "--earl", "--attestations", str(vendor), "--out", str(tmp_path / "out"),
                               str(results_json)])
    _assert_one_line_usage_error(result, vendor)


@pytest.mark.parametrize("kind", HOSTILE_TOML)
def test_a_hostile_vector_manifest_is_a_catalog_error(tmp_path: Path, kind: str) -> None:
    HOSTILE_TOML[kind](tmp_path / "manifest.toml")
    with pytest.raises(CatalogError) as caught:
        load_vectors(tmp_path)
    assert "manifest.toml" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", HOSTILE_JSON)
def test_the_json_loader_raises_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "file.json"
    HOSTILE_JSON[kind](path)
    with pytest.raises(LoadError) as caught:
        load_json_file(path, max_bytes=RESULTS_MAX_BYTES)
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)


def test_the_toml_loader_reads_ordinary_files(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text('[a.b]\nc = [[1], {d = "[[["}]\n')
    assert load_toml_file(path) == {"a": {"b": {"c": [[1], {"d": "[[["}]}}}


def test_checking_an_empty_folder_is_not_judged(cli: CliRunner, tmp_path: Path) -> None:
    # nothing was judged, so nothing passed: the one verdict rule says "not judged"
    result = cli.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == EXIT_NOT_JUDGED, result.output
