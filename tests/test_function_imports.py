"""Imports sit at the top of their module (issue 14): with no import cycle left, an import inside a function is only
for a heavy or optional dependency that most runs never need, and says so with a `# lazy:` reason on its line or
the comment line above. The faces (conformance/cli/, conformance/pytest_plugin.py) are exempt as a whole: they load
what a command needs once it is chosen, so that `--help` and `--version` stay fast (issue 15)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
FACES = ("cli/", "pytest_plugin.py")


def explained(lines: list[str], number: int) -> bool:
    """A `# lazy:` reason on the import's line, or in the comments just above it (above a group of imports too)."""
    if "# lazy:" in lines[number - 1]:
        return True
    for above in reversed(lines[:number - 1]):
        above = above.strip()
        if above.startswith("# lazy:"):
            return True
        if not above.startswith(("#", "from ", "import ")):
            return False
    return False


def unexplained(path: Path, root: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and not explained(lines, inner.lineno):
                    found.add(f"{path.relative_to(root)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    return sorted(found)


def test_the_finder_sees_an_unexplained_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import json\n    return json\n\n\ndef g():\n    import segno  # lazy: why\n"
                      "    # lazy: why\n    import rdflib\n    from x import y\n", encoding="utf-8")
    assert unexplained(module, tmp_path) == ["m.py:2: import json"]


def test_every_function_level_import_says_why() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py"))
             if not path.relative_to(PACKAGE).as_posix().startswith(FACES)
             for line in unexplained(path, PACKAGE.parent)]
    assert not found, "imports inside functions without a `# lazy:` reason (move them to the top):\n" + "\n".join(found)
