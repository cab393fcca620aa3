"""`report --pdf`: the HTML report printed by headless Chromium, readable as text; a missing or broken browser is
a clear error, never a traceback or an empty file."""
from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from conformance.cli import main
from tests.conftest import artifacts_dir
from tests.reporting.conftest import RenderedRun, run_and_report


@pytest.fixture(scope="module")
def pdf_run(tmp_path_factory: pytest.TempPathFactory) -> RenderedRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
        return run_and_report(tmp_path_factory.mktemp("pdf"), "--pdf")


@pytest.mark.browser
def test_the_pdf_holds_the_report(pdf_run: RenderedRun) -> None:
    pdf = pdf_run.out / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(pdf)
    first = reader.pages[0].extract_text()
    assert "Summary" in first and "Verdict: Fail" in first
    everything = "\n".join(page.extract_text() for page in reader.pages)
    assert "VCDM20-issuer-present" in everything
    # the summary gets a page of its own (print stylesheet), so failures start on a later page
    assert "Where VCDM20-issuer-present failed" not in first and "Where VCDM20-issuer-present failed" in everything
    # A4 in points, as the print stylesheet asks
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize(("browser", "message"), [
    ("/no/such/chromium", "is not an executable file"),
    ("false", "without writing a PDF"),
])
def test_without_a_working_browser_the_pdf_is_a_clear_error(tmp_path: Path, html_run: RenderedRun, browser: str,
                                                            message: str) -> None:
    made = CliRunner().invoke(main, ["report", str(html_run.results_file), "--pdf", "--browser", browser,
                                     "--out", str(tmp_path)])
    assert made.exit_code == 2
    assert message in made.output
    assert not (tmp_path / "report.pdf").exists()
