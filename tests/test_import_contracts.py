"""The import contracts in pyproject.toml ([tool.importlinter]) hold: each layer imports only the layers below it
(cli | suite > pytest plugin > reporting > run > standards > support > core), the reference system imports only
support and core, directly or by any route, and the modules holding rule bodies import neither support.net nor
support.exchange (they read a live service through conformance.core.transcript)."""
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
    assert "Each layer imports only the layers below it KEPT" in done.stdout, done.stdout
    assert "The reference system imports only support and core KEPT" in done.stdout, done.stdout
    assert "Rule modules import neither support.net nor support.exchange KEPT" in done.stdout, done.stdout
