"""Readable terminal output: one line per subject, then what failed, grouped and ordered by level.

cantTell findings that repeat across subjects with the same message (no trust list given, a key offline) are
summed up once at the end unless --verbose asks for every finding.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from conformance.model.findings import Outcome, Verdict, located_message
from conformance.model.requirements import Catalog, Level
from conformance.runner import SubjectResult

_VERDICT_STYLE = {Verdict.PASS: ("PASS", "bold green"), Verdict.FAIL: ("FAIL", "bold red"),
                  Verdict.ERROR: ("ERROR", "bold yellow")}
_LEVEL_ORDER = {Level.MUST: 0, Level.SHOULD: 1, Level.MAY: 2}
_SHOWN = (Outcome.FAILED, Outcome.ERROR)


def render(console: Console, results: Sequence[SubjectResult], catalog: Catalog, *, verbose: bool = False) -> None:
    undecided: Counter[tuple[str, str]] = Counter()
    for result in results:
        label, style = _VERDICT_STYLE[result.verdict]
        counts = Counter(str(f.outcome) for f in result.findings)
        standards = ", ".join(catalog.standards[p].label for p in result.standards if p in catalog.standards)
        console.print(f"[{style}]{label:<5}[/] {escape(result.subject)}  [dim]{escape(standards or 'no standard')}"
                      f" · {counts.get('passed', 0)} passed · {counts.get('failed', 0)} failed"
                      f" · {counts.get('error', 0)} error[/]", soft_wrap=True)
        shown = [f for f in result.findings if f.outcome in _SHOWN or verbose]
        undecided.update((f.requirement, f.message) for f in result.findings
                         if f.outcome is Outcome.CANT_TELL and not verbose)
        if not shown:
            continue
        shown.sort(key=lambda f: (_LEVEL_ORDER[result.levels[f.requirement]], f.requirement, f.location))
        for finding in shown:
            level = result.levels[finding.requirement]
            colour = {"failed": "red", "error": "yellow", "cantTell": "cyan"}.get(str(finding.outcome), "green")
            # one finding per line, never wrapped, so the output stays greppable when piped
            console.print(f"  [dim]{level:<6}[/] [{colour}]{finding.outcome!s:<8}[/] {escape(finding.requirement)}  "
                          f"{escape(located_message(finding))}", soft_wrap=True)
    if undecided:
        console.print(f"\n[cyan]could not tell[/] ({sum(undecided.values())} findings; -v lists each):")
        for (requirement, message), count in sorted(undecided.items()):
            console.print(f"  [cyan]{count:>5} x[/] {escape(requirement)}  {escape(message)}", soft_wrap=True)
    verdicts = Counter(r.verdict for r in results)
    console.print(f"\n{len(results)} subject(s): [green]{verdicts[Verdict.PASS]} pass[/], "
                  f"[red]{verdicts[Verdict.FAIL]} fail[/], [yellow]{verdicts[Verdict.ERROR]} error[/]")
