"""Import cycles only go away (issue 14): the cycles of `conformance`, function-level imports included, are exactly
the ones tests/import_cycles.toml lists.

The graph is grimp's (import-linter's engine), which reads every import statement, inside functions too: a cycle
hidden behind a deferred import is still a cycle. Imports under `if TYPE_CHECKING:` are left out: they never run, and
they are how a lower layer names a type a higher one hands it (a Subject's Environment). A cycle is a strongly connected component of more than one module.
A new cycle, or a module joining a listed one, fails: break it rather than list it. A listed cycle that shrank or is
gone fails too, so that the file is brought down to what is left and can never grow back unnoticed."""
from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

KNOWN = Path(__file__).with_name("import_cycles.toml")


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[frozenset[str]]:
    """Tarjan's algorithm, iterative (a deep package must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["e"], "e": [], "f": ["f"]}
    assert strongly_connected(graph) == [frozenset({"a", "b", "c"})]


def test_import_cycles_are_only_the_known_ones() -> None:
    sys.path.insert(0, str(KNOWN.parent.parent))
    graph = grimp.build_graph("conformance", cache_dir=None, exclude_type_checking_imports=True)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycles = set(strongly_connected(edges))
    known = {frozenset(entry["modules"]) for entry in tomllib.loads(KNOWN.read_text(encoding="utf-8"))["cycle"]}
    new = sorted(sorted(c) for c in cycles - known)
    gone = sorted(sorted(c) for c in known - cycles)
    assert not new and not gone, (
        f"import cycles changed: found {new} (a new cycle, or a listed one that grew or shrank: break a new one; "
        f"for one that shrank, write what is left), while {gone} is listed in {KNOWN.name} but no longer found "
        "(remove it, or replace it by what is left)")
