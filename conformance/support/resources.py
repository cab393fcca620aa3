"""Where the data folders are: a checkout (shapes/ and vectors/ beside the package) or an installed wheel."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent     # conformance/, where the wheel keeps _data


def _find(name: str, env: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


@cache
def shapes_dir() -> Path:
    return _find("shapes", "LER_CONFORMANCE_SHAPES")


@cache
def vectors_dir() -> Path:
    return _find("vectors", "LER_CONFORMANCE_VECTORS")
