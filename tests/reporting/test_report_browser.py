"""The HTML report in a real headless Chromium (Debian's `chromium`, installed by `make browser`): it renders,
logs no console error, fetches nothing, and passes axe-core's WCAG 2.x A/AA rules (headings, alt text, contrast).
Each browser-level check is also shown to fail on a deliberately broken copy of the page."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from conformance.reporting.pdf import PdfError, find_browser
from tests.reporting.conftest import RenderedRun

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Chromium reaches for Google's services at start-up unless told not to; this machine's network refuses them.
QUIET = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-sandbox"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        executable = find_browser()
    except PdfError as exc:
        pytest.fail(f"{exc}; `make browser` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=QUIET)
        yield launched
        launched.close()


@dataclass
class Visit:
    page: Page
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _visit(browser: Browser, html_file: Path) -> Visit:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    visit = Visit(page)
    page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: visit.console.append(f"pageerror: {error}"))
    page.on("request", lambda request: visit.requests.append(request.url))
    page.goto(html_file.resolve().as_uri(), wait_until="load")
    return visit


def _axe(page: Page) -> dict:
    return Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                    "resultTypes": ["violations", "passes"]}).response


def _broken_copy(run: RenderedRun, tmp_path: Path, insert: str) -> Path:
    page = (run.out / "report.html").read_text(encoding="utf-8")
    copy = tmp_path / "broken.html"
    copy.write_text(page.replace("</main>", insert + "</main>"), encoding="utf-8")
    return copy


def test_the_report_renders_quietly_and_fetches_nothing(browser: Browser, html_run: RenderedRun) -> None:
    visit = _visit(browser, html_run.out / "report.html")
    try:
        assert visit.console == []
        assert visit.requests == [visit.page.url]
        assert visit.page.locator("h1").count() == 1
        assert visit.page.locator(".banner .verdict").inner_text() == "Fail"
        assert visit.page.locator("#failures article").count() >= 1
        # charts really drew something and the diagram image decoded
        assert visit.page.locator("svg.chart rect").count() > 10
        assert visit.page.evaluate("document.querySelector('#diagrams img').naturalWidth") == 120
    finally:
        visit.page.close()


def test_a_page_that_reaches_out_is_caught(browser: Browser, html_run: RenderedRun, tmp_path: Path) -> None:
    visit = _visit(browser, _broken_copy(html_run, tmp_path, '<img src="https://example.invalid/x.png" alt="x">'))
    try:
        assert any("Content Security Policy" in line for line in visit.console), visit.console
    finally:
        visit.page.close()


def test_the_report_passes_wcag_rules(browser: Browser, html_run: RenderedRun) -> None:
    visit = _visit(browser, html_run.out / "report.html")
    try:
        result = _axe(visit.page)
    finally:
        visit.page.close()
    violations = {v["id"]: [n["target"] for n in v["nodes"]][:3] for v in result["violations"]}
    assert violations == {}
    passed = {rule["id"] for rule in result["passes"]}
    # the rules the issue names really ran on this page (and found something to judge)
    assert {"color-contrast", "image-alt", "svg-img-alt", "page-has-heading-one", "heading-order",
            "html-has-lang", "document-title"} <= passed


def test_low_contrast_and_missing_alt_text_are_caught(browser: Browser, html_run: RenderedRun,
                                                      tmp_path: Path) -> None:
    pixel = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
    broken = _broken_copy(html_run, tmp_path, f'<p style="color:#c8c8c8">faint text</p><img src="{pixel}">'
                                              "<h5>skipped heading levels</h5>")
    visit = _visit(browser, broken)
    try:
        result = _axe(visit.page)
    finally:
        visit.page.close()
    assert {v["id"] for v in result["violations"]} >= {"color-contrast", "image-alt", "heading-order"}


@pytest.fixture(scope="module")
def rfp_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from conformance.cli import main
    from tests.conftest import artifacts_dir

    out = tmp_path_factory.mktemp("rfp")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        made = CliRunner().invoke(main, ["requirements", "--profile", "ob30-issuer", "--rfp", "--out", str(out)],
                                  catch_exceptions=False)
    assert made.exit_code == 0, made.output
    return out / "rfp-ob30-issuer.html"


def test_the_rfp_appendix_renders_quietly_and_passes_wcag_rules(browser: Browser, rfp_page: Path) -> None:
    visit = _visit(browser, rfp_page)
    try:
        assert visit.console == []
        assert visit.requests == [visit.page.url]
        assert visit.page.locator("h1").count() == 1
        result = _axe(visit.page)
    finally:
        visit.page.close()
    assert {v["id"]: [n["target"] for n in v["nodes"]][:3] for v in result["violations"]} == {}
    assert {"color-contrast", "page-has-heading-one", "html-has-lang"} <= {rule["id"] for rule in result["passes"]}
