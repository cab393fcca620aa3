"""The table of reference modules: every fault switch names a protocol requirement of its module's prefix, and
every protocol requirement of that prefix has exactly one switch (so the coverage gate can show it failing)."""
from __future__ import annotations

from collections import Counter

import pytest

from conformance.environment import Environment
from conformance.reference import reference_modules


@pytest.mark.parametrize("prefix", sorted(reference_modules()))
def test_fault_switches_cover_the_protocol_requirements_once(prefix: str, env: Environment) -> None:
    module = reference_modules()[prefix]
    protocol = {r.id for r in env.catalog.of_standard(prefix) if r.automated and "protocol" in r.tags}
    named = Counter(module.faults.values())
    assert set(named) == protocol
    assert all(count == 1 for count in named.values())
    assert all(rid.startswith(prefix + "-") for rid in named)
