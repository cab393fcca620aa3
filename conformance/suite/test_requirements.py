"""One test per (requirement, subject). The plugin parametrizes `ler_case`; the fixture judges it."""
from __future__ import annotations

from conformance.pytest_plugin import Case


def test_requirement(ler_case: Case) -> None:
    ler_case.assert_conforms()
