"""The pytest plugin runs a targets file's driver commands only with --ler-allow-driver-commands (issue 13)."""
from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import artifacts_dir

pytestmark = pytest.mark.slow

MARK = "import pathlib, sys\npathlib.Path(sys.argv[1]).write_text('ran')\n"


def test_driver_commands_run_only_with_the_option(pytester: pytest.Pytester) -> None:
    script = pytester.path / "mark.py"
    script.write_text(MARK, encoding="utf-8")
    marker = pytester.path / "ran"
    argv = json.dumps([sys.executable, str(script), str(marker)])
    targets = pytester.path / "targets.toml"
    targets.write_text(f'[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://wallet.example"\n'
                       f"driver = {{ command = {argv} }}\noptions = {{ timeout_s = 2 }}\n", encoding="utf-8")
    common = ("-p", "no:cacheprovider", "--ler-artifacts", str(artifacts_dir()), "--ler-target", str(targets),
              "--ler-allow-private", "-q", "-k", "OID4VCI-WALLET-accepts")
    refused = pytester.runpytest_subprocess(*common)
    assert not marker.exists()
    assert any("wants to run" in line and "--allow-driver-commands" in line for line in refused.stderr.lines)
    pytester.runpytest_subprocess(*common, "--ler-allow-driver-commands")
    assert marker.read_text(encoding="utf-8") == "ran"
