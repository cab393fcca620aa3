"""Readable terminal output: one line per subject, then what failed, grouped and ordered by level.

cantTell findings that repeat across subjects with the same message (no trust list given, a key offline) are
summed up once at the end unless --verbose asks for every finding.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from rich.console import Console
from rich.markup import escape as escape_markup

from conformance.core.findings import Outcome, Verdict, located_message
from conformance.core.requirements import Catalog, Level
from conformance.run.runner import Scope, SubjectResult, run_verdict
from conformance.support.net.secrets import Secrets


def printable(text: str) -> str:
    """`text` with control and format characters (ANSI escapes, NUL, bidi overrides, zero-width marks) shown as
    \\uXXXX: vendor strings quoted in messages must not drive the tester's terminal or hide what they say."""
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def escape(text: str) -> str:
    """Printable and free of rich markup: how every string from a run reaches the terminal."""
    return escape_markup(printable(text))


_VERDICT_STYLE = {Verdict.PASS: ("PASS", "bold green"), Verdict.FAIL: ("FAIL", "bold red"),
                  Verdict.INCOMPLETE: ("INCOMPLETE", "bold yellow"), Verdict.NOT_JUDGED: ("NOT JUDGED", "bold cyan")}
_LEVEL_ORDER = {Level.MUST: 0, Level.SHOULD: 1, Level.MAY: 2}
_SHOWN = (Outcome.FAILED, Outcome.ERROR)
_MEANING = {Verdict.PASS: "every MUST in scope was decided and passed",
            Verdict.FAIL: "a MUST in scope failed",
            Verdict.INCOMPLETE: "nothing failed, but some MUST in scope was not decided",
            Verdict.NOT_JUDGED: "no standard the suite knows recognized the input"}


def _redacted(results: Sequence[SubjectResult], secrets: Secrets) -> list[SubjectResult]:
    """The results with the run's secrets replaced in everything printed (before markup: a placeholder is text)."""
    redact = secrets.redact
    return [replace(r, subject=redact(r.subject), findings=tuple(
        replace(f, message=redact(f.message), location=redact(f.location), subject=redact(f.subject))
        for f in r.findings)) for r in results]


def render(console: Console, results: Sequence[SubjectResult], catalog: Catalog, *, verbose: bool = False,
           scope: Scope | None = None, secrets: Secrets | None = None) -> None:
    """The run for a terminal; with `secrets` (the run's), every registered secret is replaced in what is printed."""
    if secrets is not None and secrets.known:
        results = _redacted(results, secrets)
    if scope is not None and scope.not_tested:
        console.print(f"[bold yellow]not tested[/] ({len(scope.not_tested)} MUST(s) the profile {escape(scope.profile)} "
                      "requires):")
        by_need = Counter(n.needs for n in scope.not_tested)
        for needs, count in sorted(by_need.items()):
            first = next(n for n in scope.not_tested if n.needs == needs)
            console.print(f"  [yellow]{count:>5} x[/] {escape(first.why)}", soft_wrap=True)
        console.print()
    undecided: Counter[tuple[str, str]] = Counter()
    limits: Counter[str] = Counter()
    width = max((len(_VERDICT_STYLE[r.verdict][0]) for r in results), default=4)
    for result in results:
        label, style = _VERDICT_STYLE[result.verdict]
        counts = Counter(str(f.outcome) for f in result.findings)
        standards = ", ".join(catalog.standards[p].label for p in result.standards if p in catalog.standards)
        console.print(f"[{style}]{label:<{width}}[/] {escape(result.subject)}  [dim]{escape(standards or 'no standard')}"
                      f" · {counts.get('passed', 0)} passed · {counts.get('failed', 0)} failed"
                      f" · {counts.get('cantTell', 0) + counts.get('untested', 0)} undecided"
                      f" · {counts.get('error', 0)} error[/]", soft_wrap=True)
        shown = [f for f in result.findings if f.outcome in _SHOWN or verbose]
        undecided.update((f.requirement, f.message) for f in result.undecided
                         if f.outcome is not Outcome.ERROR and not f.limitation and not verbose)
        limits.update(f.limitation for f in result.findings if f.limitation)
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
        console.print(f"\n[cyan]undecided MUSTs[/] ({sum(undecided.values())} findings; -v lists each):")
        for (requirement, message), count in sorted(undecided.items()):
            console.print(f"  [cyan]{count:>5} x[/] {escape(requirement)}  {escape(message)}", soft_wrap=True)
    if limits:
        console.print("\n[cyan]the suite's own limits[/] (undecided because of the suite, never the input's failure):")
        for feature, count in sorted(limits.items()):
            console.print(f"  [cyan]{count:>5} x[/] the suite does not support {escape(feature)}", soft_wrap=True)
    verdicts = Counter(r.verdict for r in results)
    overall = run_verdict(results, scope)
    label, style = _VERDICT_STYLE[overall]
    console.print(f"\n{len(results)} subject(s): [green]{verdicts[Verdict.PASS]} pass[/], "
                  f"[red]{verdicts[Verdict.FAIL]} fail[/], [yellow]{verdicts[Verdict.INCOMPLETE]} incomplete[/], "
                  f"[cyan]{verdicts[Verdict.NOT_JUDGED]} not judged[/]")
    console.print(f"verdict: [{style}]{overall.label}[/] ({_MEANING[overall]})")
