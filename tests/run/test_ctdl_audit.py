"""The bulk audit: shards, workers, Dask, results.json against its schema, the gap summary, hostile input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli.audit import audit
from conformance.run.ctdl_audit import AuditOptions, plan, run_audit
from conformance.run.environment import Environment
from conformance.standards.ctdl.facts import synthetic
from conformance.standards.ctdl.facts.schema import schema_for
from conformance.support.schemas import validate_data_file
from tests.conftest import artifacts_dir


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = Environment.create(artifacts=artifacts_dir())
    folder = tmp_path_factory.mktemp("set")
    path = folder / "set.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for document in synthetic.documents(300, schema=schema_for(env.store), defect_rate=0.3, seed=9):
            handle.write(json.dumps(document) + "\n")
        handle.write("{not json\n")
        handle.write("\n")
        handle.write("[" * 5000 + "]" * 5000 + "\n")
        handle.write(json.dumps({"@context": "https://example.org/other", "name": "not CTDL"}) + "\n")
    return path


def _options(**kw: object) -> AuditOptions:
    return AuditOptions(artifacts=str(artifacts_dir()), **kw)  # type: ignore[arg-type]


def test_plan_cuts_lines_into_shards_in_order(dump: Path) -> None:
    shards = list(plan([dump], shard_size=100))
    assert [s.index for s in shards] == [0, 1, 2, 3]
    assert [s.first_line for s in shards] == [1, 101, 201, 301]
    assert sum(s.data.count(b"\n") for s in shards) == 304


@pytest.mark.parametrize("workers", [1, 2])
def test_minimum_only_audit(dump: Path, tmp_path: Path, workers: int) -> None:
    summary = run_audit([dump], tmp_path, _options(minimum_only=True, shard_size=64), workers=workers)
    assert summary.resources == 300
    assert 0 < summary.failing_resources < 300
    assert len(summary.problems) == 3           # bad JSON, too deep, not CTDL; the blank line is skipped
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", results, tmp_path / "results.json")
    assert len(results["results"]) == 300
    assert [r["subject"] for r in results["results"]] == [f"{dump}:{n}" for n in range(1, 301)]
    failed = [f for r in results["results"] for f in r["findings"]]
    assert failed and all(f["requirement"].startswith("CTDLMIN26-") and f["location"] == "" for f in failed)
    data = json.loads((tmp_path / "audit-summary.json").read_text(encoding="utf-8"))
    assert sum(g["resources"] for gaps in data["gaps_by_class"].values() for g in gaps) == len(failed)
    publishers = data["gaps_by_publisher"]
    assert publishers and all(p.startswith("https://") or p == "(no ownedBy)" for p in publishers)
    assert any(g["missing"].startswith("ceterms:ownedBy") for g in publishers.get("(no ownedBy)", []))
    assert "Most common gaps per class" in (tmp_path / "audit-summary.md").read_text(encoding="utf-8")
    scores = (tmp_path / "scores.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(scores) == 300 and all(0 <= json.loads(s)["score"] <= 1 for s in scores)


def test_workers_give_the_same_results(dump: Path, tmp_path: Path) -> None:
    run_audit([dump], tmp_path / "one", _options(minimum_only=True, shard_size=50), workers=1)
    run_audit([dump], tmp_path / "two", _options(minimum_only=True, shard_size=50), workers=2)
    one = json.loads((tmp_path / "one" / "results.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "two" / "results.json").read_text(encoding="utf-8"))
    assert one["results"] == two["results"] and one["summary"] == two["summary"]


@pytest.mark.slow
def test_dask_local_cluster_runs_the_same_shards(dump: Path, tmp_path: Path) -> None:
    run_audit([dump], tmp_path / "local", _options(minimum_only=True, shard_size=100), workers=1)
    run_audit([dump], tmp_path / "dask", _options(minimum_only=True, shard_size=100), workers=2, dask="local")
    local = json.loads((tmp_path / "local" / "results.json").read_text(encoding="utf-8"))
    dask = json.loads((tmp_path / "dask" / "results.json").read_text(encoding="utf-8"))
    assert local["results"] == dask["results"]


def test_full_profile_audit_runs_every_ctdl_check(tmp_path: Path) -> None:
    bases = Path(__file__).resolve().parents[2] / "vectors" / "ctdl" / "minimum-2026" / "bases"
    summary = run_audit([bases], tmp_path, _options(profile="ctdl-minimum-2026"), workers=1)
    assert summary.documents == 4 and summary.failing_resources == 0
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    validate_data_file("results", results, tmp_path / "results.json")
    assert results["summary"]["outcomes"]["passed"] > 100
    assert not [f for r in results["results"] for f in r["findings"] if f["outcome"] == "failed"]


def test_cli_audit(dump: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(audit, [str(dump), "--minimum-only", "--workers", "1", "--artifacts",
                                        str(artifacts_dir()), "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output       # the set has gaps: a must-level failure
    assert "300 resources" in result.output
    assert (tmp_path / "results.json").is_file()


def test_cli_audit_names_an_unknown_profile(dump: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(audit, [str(dump), "--profile", "nope", "--artifacts", str(artifacts_dir()),
                                        "--out", str(tmp_path)])
    assert result.exit_code == 2 and "nope" in result.output


def test_an_unreadable_line_fails_its_payload_rule_never_passes(tmp_path: Path) -> None:
    organization = Path(__file__).resolve().parents[2] / "examples" / "registry" / "organization.json"
    lines = [json.dumps(json.loads(organization.read_text(encoding="utf-8"))).encode(), b"{not json", b"[1, 2]",
             b"\xff\xfe"]
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b"\n".join(lines) + b"\n")
    summary = run_audit([dump], tmp_path / "out", _options(profile="ctdl-minimum-2026"), workers=1)
    assert summary.documents == 1
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    verdicts = {r["subject"].rsplit(":", 1)[-1]: (r["verdict"], {f["requirement"] for f in r["findings"]})
                for r in results["results"]}
    # offered to a CTDL profile, a line that is no publication also fails CTDL-publication, with what it is instead
    assert verdicts["2"] == ("fail", {"CORE-json-wellformed", "CTDL-publication"})
    assert verdicts["3"] == ("fail", {"CORE-document-object", "CTDL-publication"})
    assert verdicts["4"] == ("fail", {"CORE-recognized-format", "CTDL-publication"})
    assert results["summary"]["verdict"] == "fail"
