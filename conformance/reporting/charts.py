"""Small inline SVG charts for the HTML report: no script, no fonts to fetch, a text alternative on every chart.

Written by hand because the report must stay one offline file with no JavaScript; plotting libraries either emit
scripts (Plotly, Vega) or pull in a large rendering stack (matplotlib) for what are a few rectangles.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Colours chosen for at least 4.5:1 contrast of the dark labels on them, and distinguishable without colour too:
# every segment's count is also in the table beside the chart and in the chart's text alternative.
SEGMENT_COLOURS = {"passed": "#9fd8a4", "failed": "#f2a7a7", "cantTell": "#d5d5d5", "error": "#f3d68a"}
SEGMENT_LABELS = {"passed": "passed", "failed": "failed", "cantTell": "could not tell", "error": "error"}


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    counts: dict[str, int]          # segment -> count, segments from SEGMENT_COLOURS


def _describe(bar: Bar) -> str:
    parts = [f"{bar.counts.get(s, 0)} {SEGMENT_LABELS[s]}" for s in SEGMENT_COLOURS if bar.counts.get(s, 0)]
    return f"{bar.label}: {', '.join(parts) if parts else 'nothing judged'}"


def stacked_bars(bars: Sequence[Bar], *, title: str, chart_id: str, width: int = 860) -> str:
    """Horizontal stacked bars, each scaled to its own total (shares, not volumes), with a legend."""
    label_width, row_height, gap = 330, 22, 8
    plot_width = width - label_width - 10
    height = len(bars) * (row_height + gap) + 40
    alternative = f"{title}. " + "; ".join(_describe(bar) for bar in bars) + "."
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
               f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="chart">')
    out = [opening,
           f'<title id="{chart_id}-title">{escape(title)}</title>',
           f'<desc id="{chart_id}-desc">{escape(alternative)}</desc>']
    for row, bar in enumerate(bars):
        y = row * (row_height + gap)
        out.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="13" '
                   f'fill="#1a1a1a">{escape(bar.label)}</text>')
        total = sum(bar.counts.get(s, 0) for s in SEGMENT_COLOURS)
        x = float(label_width)
        if not total:
            out.append(f'<rect x="{x}" y="{y}" width="{plot_width}" height="{row_height}" fill="#ffffff" '
                       'stroke="#767676"/>')
            continue
        for segment, colour in SEGMENT_COLOURS.items():
            count = bar.counts.get(segment, 0)
            if not count:
                continue
            span = plot_width * count / total
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{row_height}" fill="{colour}" '
                       f'stroke="#ffffff"><title>{escape(bar.label)}: {count} {SEGMENT_LABELS[segment]}</title></rect>')
            x += span
    legend_y = len(bars) * (row_height + gap) + 12
    x = label_width
    for segment, colour in SEGMENT_COLOURS.items():
        out.append(f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{colour}" stroke="#767676"/>')
        out.append(f'<text x="{x + 20}" y="{legend_y + 12}" font-size="13" fill="#1a1a1a">'
                   f'{SEGMENT_LABELS[segment]}</text>')
        x += 130
    out.append("</svg>")
    return "".join(out)
