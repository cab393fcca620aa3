"""The fast evaluator and pyshacl (same shapes, one rdflib graph, SHACL-AF targets) report identical findings."""
from __future__ import annotations

import pytest

from conformance.run.environment import Environment
from conformance.standards.ctdl.facts import synthetic
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.policy import fast_findings, shacl_findings
from conformance.standards.ctdl.facts.schema import schema_for


@pytest.mark.slow
@pytest.mark.parametrize(("version", "seed"), [("2022", 3), ("2026", 5), ("2026", 8)])
def test_identical_findings_on_a_tricky_set(env: Environment, version: str, seed: int) -> None:
    docs = list(synthetic.documents(400, version=version, seed=seed, schema=schema_for(env.store),
                                    defect_rate=0.4, tricky=True))
    ours = fast_findings([load_document(d, f"doc{i}") for i, d in enumerate(docs)], version)
    oracle = shacl_findings(docs, version, env.loader)
    assert len(ours) > 50                      # the set really has gaps to agree on
    assert ours == oracle, {"ours only": sorted(ours - oracle)[:5], "pyshacl only": sorted(oracle - ours)[:5]}


def test_identical_findings_on_the_vectors(env: Environment) -> None:
    import json
    from pathlib import Path

    bases = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "minimum-2026" / "bases"
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(bases.glob("*.json"))]
    for doc in docs:
        for node in doc["@graph"][::3]:
            node.pop("ceterms:name", None)
            node.pop("ceasn:name", None)
    ours = fast_findings([load_document(d, f"doc{i}") for i, d in enumerate(docs)], "2026")
    assert len(ours) > 10
    assert ours == shacl_findings(docs, "2026", env.loader)
