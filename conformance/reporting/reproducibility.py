"""What a results.json needs so anyone can tell which suite, rules, pins and vectors produced it.

Hashes are sha256 over file bytes, so two runs that judged with the same catalogs, artifact pins and vectors say so
whatever machine they ran on. The commit is read from git when the suite runs from a checkout (or from
LER_CONFORMANCE_COMMIT, which packagers set), and is null otherwise: never guessed.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.resources import shapes_dir, vectors_dir

LIBRARIES = ("pyld", "jsonschema-rs", "cryptography", "joserfc", "httpx", "orjson")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_digest(root: Path, pattern: str) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.glob(pattern)) if p.is_file()}


def _commit() -> str | None:
    configured = os.environ.get("LER_CONFORMANCE_COMMIT")
    if configured:
        return configured
    package = Path(__file__).resolve().parent.parent
    try:
        found = subprocess.run(["git", "-C", str(package), "rev-parse", "HEAD"], capture_output=True, text=True,
                               timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = found.stdout.strip()
    return commit if found.returncode == 0 and len(commit) == 40 else None


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def reproducibility(profile: str) -> dict[str, Any]:
    shapes, vectors = shapes_dir(), vectors_dir()
    catalogs = _tree_digest(shapes, "*/*/requirements.toml")
    return {
        "suite": {"name": "ler-conformance", "version": __version__, "commit": _commit()},
        "profile": profile,
        "pins_sha256": _sha256(shapes / "pins.toml"),
        "catalogs_sha256": catalogs,
        "profiles_sha256": _tree_digest(shapes, "profiles/*.toml"),
        "vector_manifests_sha256": _tree_digest(vectors, "**/manifest.toml"),
        "runtime": {"python": platform.python_version(), "platform": platform.platform(terse=True),
                    "libraries": {name: _version(name) for name in LIBRARIES}},
    }
