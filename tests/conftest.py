"""Shared fixtures: one Environment over the pinned artifacts beside the checkout (../shared/standards)."""
from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.environment import Environment

REPO = Path(__file__).resolve().parent.parent
SHARED_STANDARDS = REPO.parent / "shared" / "standards"


def artifacts_dir() -> Path:
    configured = os.environ.get("LER_CONFORMANCE_ARTIFACTS")
    return Path(configured) if configured else SHARED_STANDARDS


@pytest.fixture(scope="session")
def env() -> Environment:
    from conformance.environment import Environment

    return Environment.create(artifacts=artifacts_dir())

pytest_plugins = ["pytester"]
