"""The HTML report: one self-contained file a procurement officer reads first and a vendor debugs from.

Rendered from results.json (never from a live run) with a Jinja2 template under templates/, autoescaped. The page
makes no outside requests by construction: inline CSS, inline SVG, diagrams as data: images, no scripts, and a
Content-Security-Policy that forbids anything else. The print stylesheet makes the same file the PDF's source.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from conformance.core.findings import Verdict
from conformance.core.requirements import Catalog, Principle
from conformance.reporting.charts import Bar, stacked_bars
from conformance.reporting.scorecard import (
    ROLE_LABELS,
    GroupVerdict,
    Scorecard,
    Tally,
    principle_label,
    scorecard,
    standard_label,
    untested_requirements,
)
from conformance.run.attestations import Answer, VendorAttestation, attestation_items

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTTP_EXCHANGES = 200
MAX_TRANSCRIPT_STEPS = 300         # steps of live-service transcripts shown (results.json keeps them all)
MAX_SHOWN_BODY = 2000              # characters of a request or response body shown in the page
MAX_DIAGRAM_BYTES = 512 * 1024


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


_VERDICT_CLASS = {Verdict.PASS: "conformant", Verdict.FAIL: "not-conformant", Verdict.INCOMPLETE: "incomplete",
                  Verdict.NOT_JUDGED: "not-applicable"}
_FROM_GROUP = {GroupVerdict.CONFORMANT: Verdict.PASS, GroupVerdict.NOT_CONFORMANT: Verdict.FAIL,
               GroupVerdict.INCOMPLETE: Verdict.INCOMPLETE, GroupVerdict.NOT_APPLICABLE: Verdict.NOT_JUDGED}


def _run_verdict(summary: Mapping[str, Any], card: Scorecard) -> Verdict:
    """The verdict results.json records (the report never re-judges); the tally's for documents that predate it."""
    try:
        return Verdict(summary.get("verdict"))
    except ValueError:
        return _FROM_GROUP[card.verdict]


def _tally_row(key: str, label: str, tally: Tally) -> dict[str, Any]:
    return {"key": key, "label": label, "verdict": tally.verdict, "must_passed": tally.get("must", "passed"),
            "must_failed": tally.get("must", "failed"),
            "undecided": tally.get("must", "cantTell") + tally.get("must", "error"),
            "warnings": tally.warnings, "inapplicable": tally.total("inapplicable"),
            "counts": {o: tally.total(o) for o in ("passed", "failed", "cantTell", "error")}}


def _diagrams(results: Mapping[str, Any]) -> list[dict[str, str]]:
    """Diagrams other checks left in results.json (pathways), as data: images so their SVG can never run script."""
    shown = []
    for diagram in results.get("diagrams", []) or []:
        if not isinstance(diagram, Mapping) or not isinstance(diagram.get("svg"), str):
            continue
        svg = diagram["svg"].encode("utf-8")
        if len(svg) > MAX_DIAGRAM_BYTES:
            continue
        shown.append({"title": str(diagram.get("title", "Diagram")), "subject": str(diagram.get("subject", "")),
                      "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")})
    return shown


MAX_LOW_SCORES = 15


def _benchmark(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """Recommended-data scores per class and the resources with the least of it: shown, never judged."""
    scores = [s for s in results.get("scores", []) or [] if isinstance(s, Mapping)
              and isinstance(s.get("score"), int | float) and isinstance(s.get("class"), str)]
    if not scores:
        return None
    by_class: dict[str, list[float]] = {}
    for score in scores:
        by_class.setdefault(score["class"], []).append(float(score["score"]))
    classes = [{"class": cls, "resources": len(values), "mean": sum(values) / len(values), "lowest": min(values)}
               for cls, values in sorted(by_class.items())]
    lowest = sorted(scores, key=lambda s: (s["score"], str(s.get("subject")), str(s.get("pointer"))))[:MAX_LOW_SCORES]
    return {"classes": classes, "lowest": lowest, "resources": len(scores)}


def _attestations(catalog: Catalog, vendors: Sequence[VendorAttestation]) -> list[dict[str, Any]]:
    items = attestation_items(catalog)
    out = []
    for vendor in vendors:
        rows = []
        for item in items:
            requirement = catalog[item]
            given = vendor.answer_for(item)
            rows.append({"id": item, "summary": requirement.summary, "level": str(requirement.level),
                         "principles": [principle_label(str(p)) for p in requirement.principles],
                         "answer": given.answer if given else None,
                         "statement": given.statement if given else "",
                         "evidence": list(given.evidence) if given else []})
        answered = sum(1 for row in rows if row["answer"] is not None)
        out.append({"vendor": vendor, "rows": rows, "answered": answered, "total": len(rows)})
    return out


def _principle_rows(card: Scorecard, catalog: Catalog, vendors: Sequence[VendorAttestation]) -> list[dict[str, Any]]:
    rows = []
    for principle in Principle:
        key = str(principle)
        row = _tally_row(key, principle_label(key), card.principles[key])
        items = [r.id for r in catalog.of_standard("CBEN") if principle in r.principles]
        row["attested_yes"] = sum(1 for v in vendors for i in items
                                  if (a := v.answer_for(i)) is not None and a.answer == Answer.YES)
        row["attestable"] = len(items) * len(vendors)
        rows.append(row)
    return rows


def render_html(results: Mapping[str, Any], catalog: Catalog, *,
                vendors: Sequence[VendorAttestation] = (), title: str | None = None) -> str:
    card = scorecard(results, catalog)
    standards = [_tally_row(p, standard_label(p, catalog), t) for p, t in card.standards.items()]
    roles = [_tally_row(r, ROLE_LABELS.get(r, r), t) for r, t in card.roles.items()]
    principles = _principle_rows(card, catalog, vendors)
    failures = []
    for failure in card.failures:
        requirement = catalog.requirements.get(failure.requirement)
        failures.append({"failure": failure, "summary": requirement.summary if requirement else "",
                         "url": requirement.url if requirement else "",
                         "standard": standard_label(requirement.standard.prefix, catalog) if requirement else ""})
    judged = [p for p in card.standards if p in catalog.standards]
    not_covered = [catalog[rid] for rid in untested_requirements(catalog, judged)]
    targets = [t for t in results.get("targets", []) if isinstance(t, Mapping)]
    exchanges = [e for e in (results.get("evidence", {}) or {}).get("http", []) if isinstance(e, Mapping)]
    charts = {
        "standards": Markup(stacked_bars([Bar(r["label"], r["counts"]) for r in standards],
                                         title="Outcomes per standard", chart_id="chart-standards")),
        "principles": Markup(stacked_bars([Bar(r["label"], r["counts"]) for r in principles],
                                          title="Outcomes per C-BEN principle", chart_id="chart-principles")),
    }
    summary = results.get("summary", {}) if isinstance(results.get("summary"), Mapping) else {}
    run_verdict = _run_verdict(summary, card)
    page_title = title or ("Conformance report: " + (targets[0]["id"] if len(targets) == 1 else
                                                     f"{len(targets) or card.subjects} targets"))
    return _environment().get_template("report.html.j2").render(
        title=page_title, results=results, card=card, verdict=card.verdict, GroupVerdict=GroupVerdict,
        run_verdict=run_verdict, Verdict=Verdict, verdict_class=_VERDICT_CLASS[run_verdict],
        not_tested=[n for n in summary.get("not_tested", []) if isinstance(n, Mapping)],
        limitations=summary.get("limitations", {}) if isinstance(summary.get("limitations"), Mapping) else {},
        standards=standards, roles=roles, principles=principles, failures=failures, not_covered=not_covered,
        targets=targets, exchanges=exchanges[:MAX_HTTP_EXCHANGES], exchanges_total=len(exchanges),
        transcripts=_transcripts(results),
        diagrams=_diagrams(results), benchmark=_benchmark(results), attestations=_attestations(catalog, vendors), charts=charts,
        reproducibility=results.get("reproducibility", {}) or {},
    )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return text if len(text) <= MAX_SHOWN_BODY else text[:MAX_SHOWN_BODY] + f"… (+{len(text) - MAX_SHOWN_BODY})"


def _transcripts(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each live service's exchanges, as the checks saw them (redacted when recorded), bounded for the page."""
    shown: list[dict[str, Any]] = []
    budget = MAX_TRANSCRIPT_STEPS
    for transcript in (results.get("evidence", {}) or {}).get("transcripts", []) or []:
        if not isinstance(transcript, Mapping) or budget <= 0:
            continue
        steps = [s for s in transcript.get("steps", []) if isinstance(s, Mapping)]
        rows = [{"label": f"{s.get('flow', '')}/{s.get('name', '')}", "method": s.get("method", ""),
                 "url": s.get("url", ""), "status": s.get("status") if s.get("status") is not None
                 else s.get("error", ""), "request": _shown(s.get("request")),
                 "response": _shown(s.get("body")) or _shown(s.get("text")) or _shown(s.get("message"))}
                for s in steps[:budget]]
        budget -= len(rows)
        shown.append({"subject": str(transcript.get("subject", "")), "rows": rows, "total": len(steps),
                      "setup_error": str(transcript.get("setupError", ""))})
    return shown
