"""Shared fixtures: one Environment over the pinned artifacts (see artifacts_dir)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.run.environment import Environment

REPO = Path(__file__).resolve().parent.parent
SHARED_STANDARDS = REPO.parent / "shared" / "standards"


def artifacts_dir() -> Path:
    """Where the tests read the pinned artifacts: LER_CONFORMANCE_ARTIFACTS, else our CI's ../shared/standards, else
    the user cache that `make test` fills first (`artifacts fetch`)."""
    from conformance.support.artifacts import default_cache_dir

    configured = os.environ.get("LER_CONFORMANCE_ARTIFACTS")
    if configured:
        return Path(configured)
    return SHARED_STANDARDS if SHARED_STANDARDS.is_dir() else default_cache_dir()


@pytest.fixture(scope="session")
def env() -> Environment:
    from dataclasses import replace

    from conformance.run.environment import Environment
    from conformance.run.vectors import known_documents

    plain = Environment.create(artifacts=artifacts_dir())
    # the vector manifests' resources (status lists, did:web documents) stand in for the network
    return replace(plain, documents=known_documents(canonicalizer=plain.verifier.canonicalizer))

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def reference_fault_runs(env: Environment, tmp_path_factory: pytest.TempPathFactory):
    """`runs(key)`: the live module of a reference key (`_MODULES` in conformance/reference) against its reference
    on 127.0.0.1, conformant (key None) and with each fault switch on, run once per session. Shared by tests/support/exchange (each switch breaks exactly its
    requirement) and the coverage gate (tests/run/vectors)."""
    from conformance.reference import reference_modules
    from tests.support.exchange.harness import fault_runs

    modules = reference_modules()
    cache: dict[str, dict[str | None, object]] = {}

    def runs(key: str) -> dict[str | None, object]:
        if key not in cache:
            cache[key] = fault_runs(env, modules[key], tmp_path_factory.mktemp(f"{key.lower()}-faults"))
        return cache[key]
    return runs


@pytest.fixture(scope="session")
def vcalm_fault_runs(reference_fault_runs) -> dict[str | None, object]:
    return reference_fault_runs("VCALM")
