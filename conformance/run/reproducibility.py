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

from conformance._version import __version__
from conformance.support.resources import shapes_dir, vectors_dir

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


# What decides a verdict: the suite's version, the pins, every catalog (a profile selects from all of them) and the
# run's own profile. Other profiles, the vector manifests and the runtime judge nothing in this run, so a difference
# there never stops a re-judging.
_JUDGING_DIGESTS = (("pins_sha256", "the artifact pins (shapes/pins.toml)"),
                    ("catalogs_sha256", "the requirement catalogs"))


def judging_differences(recorded: Any) -> list[str]:
    """How this installation would judge differently from the run that recorded `recorded` (a results.json
    reproducibility block): one plain sentence per difference, none when it judges with the same suite and rules."""
    if not isinstance(recorded, dict):
        return ["results.json has no reproducibility block, so the suite and rules that judged the run are unknown"]
    suite = recorded.get("suite")
    version = suite.get("version") if isinstance(suite, dict) else None
    differences: list[str] = []
    if version != __version__:
        shown = version if isinstance(version, str) else "an unknown version"
        differences.append(f"the run was judged by ler-conformance {shown}, and this is {__version__}")
    profile = str(recorded.get("profile", ""))
    current = reproducibility(profile)
    for member, what in _JUDGING_DIGESTS:
        if recorded.get(member) != current[member]:
            changed = _changed_names(recorded.get(member), current[member])
            differences.append(f"{what} differ from the run's" + (f" ({changed})" if changed else ""))
    name = f"profiles/{profile}.toml"
    profiles = recorded.get("profiles_sha256")
    if not isinstance(profiles, dict) or profiles.get(name) != current["profiles_sha256"].get(name):
        differences.append(f"the {profile} profile ({name}) differs from the run's")
    return differences


def _changed_names(recorded: Any, current: Any) -> str:
    if not isinstance(recorded, dict) or not isinstance(current, dict):
        return ""
    names = sorted(name for name in recorded.keys() | current.keys() if recorded.get(name) != current.get(name))
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
