"""The import contracts in pyproject.toml ([tool.importlinter]) hold: today, that the reference system imports none of
the suite's judging code (conformance.live, conformance.standards, conformance.counterparty, conformance.run.runner),
directly or by any route but the two known core edges the contract names."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    # the venv's own executable (the `test` extra installs import-linter); no cache, so no stale graph is trusted
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), f"{lint} is missing: install the test extra (pip install -e '.[test]')"
    done = subprocess.run([str(lint), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
                          cwd=REPO, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The reference system imports none of the suite's judging code KEPT" in done.stdout, done.stdout
