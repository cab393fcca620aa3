"""The PDF for procurement files: the HTML report printed by a headless Chromium.

Printing the very HTML file keeps one source of truth for both (the print stylesheet paginates it). Python-only PDF
writers would mean a second layout to keep in step, and WeasyPrint needs system libraries that a browser already
brings. The browser runs with networking features off and a throw-away profile; the page itself forbids outside
requests through its Content-Security-Policy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSER_ENV = "LER_CONFORMANCE_BROWSER"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_SECONDS = 120

# Chromium reaches out at start-up (component updates, sync, field trials) unless told not to; on a closed network
# those attempts only cost time, on an open one they would leak that a report was printed.
QUIET_FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
               "--no-pdf-header-footer")


class PdfError(RuntimeError):
    """No browser to print with, or the browser did not produce a PDF; the message says which and how to fix it."""


def find_browser(explicit: str | None = None) -> str:
    candidate = explicit or os.environ.get(BROWSER_ENV)
    if candidate:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if not found:
            raise PdfError(f"the browser {candidate!r} is not an executable file")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("no Chromium found to print the PDF: install Debian's `chromium` package (or Chrome), or name "
                   f"the executable with --browser or {BROWSER_ENV}")


def print_pdf(html_file: Path, pdf_file: Path, *, browser: str | None = None) -> Path:
    executable = find_browser(browser)
    flags = list(QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")          # Chromium refuses to start as root with its sandbox on
    with tempfile.TemporaryDirectory(prefix="ler-conformance-chromium-") as profile:
        command = [executable, *flags, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_file.resolve()}",
                   html_file.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"{executable} did not finish printing within {PRINT_TIMEOUT_SECONDS} s") from exc
        except OSError as exc:
            raise PdfError(f"{executable} could not be started: {exc}") from exc
    if not _starts_like_pdf(pdf_file):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise PdfError(f"{executable} exited with {done.returncode} without writing a PDF ({tail[0]})")
    return pdf_file


def _starts_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False
