"""Take the findings snapshots again: python -m tests.snapshots.update (about two minutes; needs the artifacts,
LER_CONFORMANCE_ARTIFACTS or ../shared/standards). Only for a change meant to alter findings."""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from conformance.reference import reference_modules
from conformance.run.environment import Environment
from conformance.run.evaluation import evaluate_vectors
from conformance.run.vectors import known_documents, load_vectors
from tests.conftest import artifacts_dir
from tests.snapshots.findings import FAULT_RUNS, VECTORS, entry, rows, write
from tests.support.exchange.harness import fault_runs


def main() -> None:
    plain = Environment.create(artifacts=artifacts_dir())
    env = replace(plain, documents=known_documents(canonicalizer=plain.verifier.canonicalizer))
    write(VECTORS, {o.vector.id: entry(rows([o.result])) for o in evaluate_vectors(env, load_vectors())})
    runs = {}
    with tempfile.TemporaryDirectory() as folder:
        for key, module in sorted(reference_modules().items()):
            for switch, run in fault_runs(env, module, Path(folder) / key).items():
                runs[f"{key} {switch or 'conformant'}"] = entry(rows(run.results))
    write(FAULT_RUNS, runs)


if __name__ == "__main__":
    main()
