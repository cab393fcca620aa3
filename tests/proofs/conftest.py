"""Fixtures for the proofs tests: one canonicalizer over the pinned contexts (never the network)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.artifacts.store import ArtifactStore, load_pins
from conformance.engines.jsonld import ContextLoader
from conformance.proofs import Canonicalizer
from conformance.resources import shapes_dir
from tests.conftest import artifacts_dir


@pytest.fixture(scope="session")
def loader() -> ContextLoader:
    return ContextLoader(ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [artifacts_dir()],
                                       cache_dir=Path("/nonexistent-ler-cache")))


@pytest.fixture(scope="session")
def canonicalizer(loader: ContextLoader) -> Canonicalizer:
    return Canonicalizer(loader)
