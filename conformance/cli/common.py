"""What the CLI's commands share: exit codes, the console, the progress of a run. Kept apart from the command group
(conformance.cli) so that a command module imports it without importing every other command."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from conformance.core.findings import Verdict
from conformance.reporting.text import printable
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import DirectoryTarget, Target

# Exit codes, one per verdict (README "Exit codes"); 2 is also click's code for a usage error.
EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_INCOMPLETE, EXIT_NOT_JUDGED = 0, 1, 2, 3, 4
EXIT_CODES = {Verdict.PASS: EXIT_PASS, Verdict.FAIL: EXIT_FAIL, Verdict.INCOMPLETE: EXIT_INCOMPLETE,
              Verdict.NOT_JUDGED: EXIT_NOT_JUDGED}
# The last line serve-reference prints: a script reading its targets.toml waits for it (make demo does).
SERVE_REFERENCE_DONE = "# end of the reference targets"


class PrintableConsole(Console):
    """A console whose every printed string is printable: error messages quote vendor files and servers, and a
    control character there (an ANSI escape, a bidi override) must not reach the tester's terminal."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(_printable_inside(o) if isinstance(o, str) else o for o in objects), **options)


def _printable_inside(text: str) -> str:
    """printable(), except that the newlines a message of ours starts or ends with stay line breaks: only a newline
    inside a string can be a vendor's (forging a line of its own, such as a verdict), and that one shows as \u000a."""
    body = text.strip("\n")
    if not body:
        return text
    start = text.index(body)
    return text[:start] + printable(body) + text[start + len(body):]


def console(*, stderr: bool = False) -> Console:
    # emoji off: rich would turn ":key:" inside "did:key:z6Mk..." into a key glyph
    return PrintableConsole(stderr=stderr, highlight=False, emoji=False)




def _count(targets: Sequence[Target]) -> int:
    return sum(len(t.files()) if isinstance(t, DirectoryTarget) else 1 for t in targets)




def run_with_progress(runner: Runner, targets: Sequence[Target], console: Console, *, show: bool) -> list[SubjectResult]:
    total = _count(targets)
    if not show or total < 2 or not console.is_terminal:
        return list(runner.run(targets))
    results: list[SubjectResult] = []
    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("check", total=total)
        for result in runner.run(targets):
            results.append(result)
            progress.advance(task)
    return results
