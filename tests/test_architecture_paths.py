"""ARCHITECTURE.md says where things live; these tests hold it to the tree.

Every repository path the page names (in backticks or in the layer diagram) exists; a path with a placeholder
(`conformance/standards/<package>/checks.py`) exists up to the placeholder. And tests/ mirrors the package: a test
folder under tests/core, support, standards, run, reference, reporting or cli names a folder of conformance/.
"""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("conformance/", "shapes/", "vectors/", "tests/", "peers/", "benchmarks/", "examples/")
MIRRORED = ("core", "support", "standards", "run", "reference", "reporting", "cli")
CROSS_CUTTING = {"peers", "robustness", "snapshots", "pytest_plugin"}


def named_paths(text: str) -> set[str]:
    quoted = re.findall(r"`([^`\s]+)`", text)
    diagram = re.findall(r"(?<![\w/.])((?:conformance|tests)/[\w./<>-]*)", text)
    return {p.rstrip(".,;:)") for p in quoted + diagram if p.startswith(ROOTS)}


def exists(path: str) -> bool:
    fixed = path.split("<", 1)[0]
    if fixed != path:                          # a placeholder: what comes before it must be a folder
        return (REPO / fixed).is_dir() if fixed.endswith("/") else any(REPO.glob(fixed + "*"))
    return (REPO / path).exists()


def test_the_path_finder_finds_paths() -> None:
    found = named_paths("see `conformance/core/checks.py` and `shapes/<std>/<ver>/x.toml`, not `@check`\n"
                        "run          conformance/run/                the composition root")
    assert found == {"conformance/core/checks.py", "shapes/<std>/<ver>/x.toml", "conformance/run/"}
    assert exists("conformance/core/checks.py") and exists("shapes/<std>/<ver>/x.toml")
    assert not exists("conformance/model/subjects.py") and not exists("conformance/nowhere/<pkg>/x.py")


def test_every_path_architecture_names_exists() -> None:
    paths = named_paths((REPO / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(paths) > 40
    missing = sorted(p for p in paths if not exists(p))
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_tests_mirror_the_package() -> None:
    strays = []
    for test in (REPO / "tests").rglob("test_*.py"):
        parts = test.relative_to(REPO / "tests").parts
        if len(parts) == 1 or parts[0] in CROSS_CUTTING:
            continue
        if parts[0] not in MIRRORED or not (REPO / "conformance" / Path(*parts[:-1])).is_dir():
            strays.append(str(test.relative_to(REPO)))
    assert not strays, f"test folders with no package folder of the same path under conformance/: {strays}"
