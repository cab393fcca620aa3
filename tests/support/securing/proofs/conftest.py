"""Fixtures for the proofs tests: one canonicalizer over the pinned contexts (never the network)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.support.artifacts.store import ArtifactStore, load_pins
from conformance.support.engines.jsonld import ContextLoader
from conformance.support.resources import shapes_dir
from conformance.support.securing.proofs import Canonicalizer
from tests.conftest import artifacts_dir


@pytest.fixture(scope="session")
def loader() -> ContextLoader:
    return ContextLoader(ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [artifacts_dir()],
                                       cache_dir=Path("/nonexistent-ler-cache")))


@pytest.fixture(scope="session")
def canonicalizer(loader: ContextLoader) -> Canonicalizer:
    return Canonicalizer(loader)
