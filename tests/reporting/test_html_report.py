"""`report --html`: one self-contained page with verdicts, charts, failures with evidence, diagrams and vendor
statements kept apart from tested results. The browser-level checks are in test_report_browser.py."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from conformance.cli import main
from conformance.reporting.scorecard import GroupVerdict, Tally, scorecard
from conformance.run.environment import Environment
from tests.reporting.conftest import HOSTILE_NAME, RenderedRun


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._text).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    return parser


def _page(run: RenderedRun) -> str:
    return (run.out / "report.html").read_text(encoding="utf-8")


def test_the_page_has_one_title_and_every_section(html_run: RenderedRun) -> None:
    outline = _outline(_page(html_run))
    assert [text for tag, text in outline.headings if tag == "h1"] == ["Conformance report: " + str(
        html_run.results_file.parent.parent / "inputs")]
    sections = [text for tag, text in outline.headings if tag == "h2"]
    assert sections == ["Summary", "Charts", "Failing requirements", "Could not evaluate", "Pathway diagrams",
                        "Attested by the vendor (not tested)", "Not covered by this run", "Reproducibility"]
    assert ("html", {"lang": "en"}) in outline.tags


def test_the_page_fetches_nothing_and_runs_no_script(html_run: RenderedRun) -> None:
    page = _page(html_run)
    outline = _outline(page)
    assert not any(tag in ("script", "link", "iframe", "object", "embed") for tag, _ in outline.tags)
    csp = [attrs["content"] for tag, attrs in outline.tags
           if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    sources = [attrs["src"] for tag, attrs in outline.tags if "src" in attrs]
    assert sources and all(str(src).startswith("data:image/svg+xml;base64,") for src in sources)
    assert "url(" not in page and "@import" not in page
    for tag, attrs in outline.tags:
        if "href" in attrs:
            assert tag == "a" and re.match(r"https?://", str(attrs["href"])), (tag, attrs)


def test_images_and_charts_carry_text_alternatives(html_run: RenderedRun) -> None:
    outline = _outline(_page(html_run))
    images = [attrs for tag, attrs in outline.tags if tag == "img"]
    assert images == [{"src": images[0]["src"], "alt": "Pathway: welding certificate (ce-1234)"}]
    charts = [attrs for tag, attrs in outline.tags if tag == "svg"]
    assert len(charts) == 2 and all(attrs["role"] == "img" and attrs["aria-labelledby"] for attrs in charts)


def test_a_hostile_file_name_is_shown_as_text(html_run: RenderedRun) -> None:
    page = _page(html_run)
    assert HOSTILE_NAME not in page
    assert "<img src=x" not in page
    assert str(escape(HOSTILE_NAME)) in page


def test_the_failure_names_its_requirement_spec_and_location(html_run: RenderedRun, env: Environment) -> None:
    page = _page(html_run)
    requirement = env.catalog["VCDM20-issuer-present"]
    assert 'class="verdict not-conformant"' in page
    article = page[page.index('<code>VCDM20-issuer-present</code> (MUST)'):]
    article = article[:article.index("</article>")]
    assert str(escape(requirement.summary)) in article
    assert f'href="{escape(requirement.url)}"' in article
    assert str(escape(HOSTILE_NAME)) in article


def test_vendor_statements_stay_in_their_own_section(html_run: RenderedRun) -> None:
    page = _page(html_run)
    attested = page[page.index('id="attested"'):page.index('id="not-covered"')]
    tested = page[:page.index('id="attested"')]
    statement = "deleted within 30 days of a learner&#39;s request"
    assert statement in attested and statement not in tested
    assert "4 of 19 items answered" in attested
    assert "Example Learning Records Inc." in attested
    # the C-BEN table counts attested answers in a column of their own, never in the tested verdicts
    privacy_row = re.search(r"<th scope=\"row\">Privacy and security</th>(.*?)</tr>", tested, re.DOTALL)
    assert privacy_row and "1 of 4" in privacy_row.group(1)


@pytest.mark.parametrize(("counts", "verdict"), [
    ({}, GroupVerdict.NOT_APPLICABLE),
    ({("must", "inapplicable"): 3}, GroupVerdict.NOT_APPLICABLE),
    ({("must", "passed"): 3}, GroupVerdict.CONFORMANT),
    ({("must", "passed"): 3, ("should", "failed"): 2}, GroupVerdict.CONFORMANT),
    ({("must", "passed"): 3, ("must", "cantTell"): 1}, GroupVerdict.INCOMPLETE),
    ({("must", "passed"): 3, ("must", "error"): 1}, GroupVerdict.INCOMPLETE),
    ({("must", "failed"): 1, ("must", "cantTell"): 1}, GroupVerdict.NOT_CONFORMANT),
    ({("should", "cantTell"): 1}, GroupVerdict.CONFORMANT),
])
def test_the_verdict_rule(counts: dict[tuple[str, str], int], verdict: GroupVerdict) -> None:
    assert Tally(counts).verdict is verdict
    assert Tally(counts).warnings == counts.get(("should", "failed"), 0)


def test_the_scorecard_counts_each_assertion_once_per_group(html_run: RenderedRun, env: Environment) -> None:
    card = scorecard(html_run.results, env.catalog)
    # a rule may yield several findings for one subject (one per date): each (target, subject, rule) counts once
    pairs = {(a["target"], a["subject"], a["requirement"]) for a in html_run.results["assertions"]}
    assert sum(card.overall.counts.values()) == len(pairs)
    assert sum(sum(t.counts.values()) for t in card.standards.values()) == len(pairs)
    failed = {a["requirement"] for a in html_run.results["assertions"] if a["outcome"] == "failed"}
    assert {f.requirement for f in card.failures if f.outcome == "failed"} == failed


def test_a_results_file_that_breaks_its_schema_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "results.json"
    broken.write_text(json.dumps({"suite": {"name": "x"}}), encoding="utf-8")
    made = CliRunner().invoke(main, ["report", str(broken), "--html", "--out", str(tmp_path / "out")])
    assert made.exit_code == 2
    assert "does not match the results schema" in made.output
    assert not (tmp_path / "out" / "report.html").exists()
