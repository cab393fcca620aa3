"""The interop matrix: implementations x requirements from several results.json files (one per implementation).

A cell is the implementation's outcome for the requirement over all its subjects: failed if any finding failed,
else error, else passed if any passed, else cantTell, else inapplicable; empty when the run did not judge it. A row
is at risk when fewer than two implementations pass it (the W3C's bar for a feature to stay in a specification).
Rendered as Markdown and as one self-contained HTML page (inline CSS, no scripts, nothing fetched).
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.core.requirements import Catalog

_ORDER = ("failed", "error", "passed", "cantTell", "untested", "inapplicable")
_SYMBOL = {"passed": "pass", "failed": "FAIL", "error": "error", "cantTell": "cantTell",
           "inapplicable": "n/a", "untested": "untested"}
AT_RISK_BELOW = 2


@dataclass(frozen=True, slots=True)
class Matrix:
    implementations: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str | None, ...]], ...]     # requirement -> one outcome (or None) per implementation

    def passes(self, requirement: str) -> int:
        cells = dict(self.rows)[requirement]
        return sum(1 for cell in cells if cell == "passed")

    def at_risk(self, requirement: str) -> bool:
        return self.passes(requirement) < AT_RISK_BELOW


def _rollup(outcomes: set[str]) -> str:
    return next(outcome for outcome in _ORDER if outcome in outcomes)


def build_matrix(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> Matrix:
    """`runs`: (implementation name, results.json document) pairs."""
    per_implementation: list[dict[str, set[str]]] = []
    for _, results in runs:
        outcomes: dict[str, set[str]] = {}
        for result in results.get("results", []):
            for finding in result.get("findings", []):
                outcomes.setdefault(finding["requirement"], set()).add(finding["outcome"])
        per_implementation.append(outcomes)
    requirements = sorted({rid for outcomes in per_implementation for rid in outcomes})
    rows = tuple((rid, tuple(_rollup(o[rid]) if rid in o else None for o in per_implementation))
                 for rid in requirements)
    return Matrix(tuple(name for name, _ in runs), rows)


def matrix_markdown(matrix: Matrix, catalog: Catalog | None = None) -> str:
    header = ["Requirement", *matrix.implementations, "Passing", "At risk"]
    lines = ["# Interop matrix", "",
             f"Rows where fewer than {AT_RISK_BELOW} implementations pass are marked at risk.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for requirement, cells in matrix.rows:
        name = requirement
        if catalog is not None and requirement in catalog:
            name = f"[{requirement}]({catalog[requirement].url})"
        shown = [_SYMBOL[c] if c else "" for c in cells]
        risk = "**at risk**" if matrix.at_risk(requirement) else ""
        lines.append("| " + " | ".join([name, *shown, str(matrix.passes(requirement)), risk]) + " |")
    return "\n".join(lines) + "\n"


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;background:#fff}
table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left}
th{background:#e8e8e8}.passed{background:#d7f0d7}.failed{background:#f6d3d3}.error{background:#f6ecc6}
.cantTell,.untested,.inapplicable{background:#ececec}tr.risk td:first-child{font-weight:bold;color:#8a0000}"""


def matrix_html(matrix: Matrix, catalog: Catalog | None = None) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(name)}</th>" for name in matrix.implementations)
    body = []
    for requirement, cells in matrix.rows:
        label = html.escape(requirement)
        if catalog is not None and requirement in catalog:
            entry = catalog[requirement]
            label = (f"<a href=\"{html.escape(entry.url)}\" title=\"{html.escape(entry.summary)}\">"
                     f"{label}</a>")
        tds = "".join(f"<td class=\"{c}\">{_SYMBOL[c]}</td>" if c else "<td></td>" for c in cells)
        risk = matrix.at_risk(requirement)
        row_class = ' class="risk"' if risk else ""
        risk_text = "at risk" if risk else ""
        body.append(f'<tr{row_class}><th scope="row">{label}</th>{tds}'
                    f"<td>{matrix.passes(requirement)}</td><td>{risk_text}</td></tr>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Interop matrix</title>"
            f"<style>{_STYLE}</style></head><body><h1>Interop matrix</h1>"
            f"<p>{len(matrix.implementations)} implementations, {len(matrix.rows)} requirements. Rows where fewer "
            f"than {AT_RISK_BELOW} implementations pass are marked at risk.</p>"
            f"<table><thead><tr><th scope=\"col\">Requirement</th>{head}<th scope=\"col\">Passing</th>"
            f"<th scope=\"col\">At risk</th></tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n")
