"""One report package per results.json: the files `ler-conformance report` writes, in a fixed order.

EARL, HTML and PDF render from results.json; the attestation comes last because it carries a digest of every
other file of the package (results.json included), so it has to see them all.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.model.attestations import VendorAttestation
from conformance.model.requirements import Catalog


class ReportError(RuntimeError):
    """A requested file cannot be produced (no browser for the PDF, an unusable signing key); the message says why."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    earl: bool = False
    html: bool = False
    pdf: bool = False
    attest: bool = False
    vendors: tuple[VendorAttestation, ...] = ()
    browser: str | None = None
    attest_key: Path | None = None
    attest_issuer_name: str = "ler-conformance"
    attest_subject: str | None = None
    attest_base_url: str | None = None
    companions: tuple[Path, ...] = ()        # files written beside the package (the matrix) that the attestation binds


def write_package(source: Path, results: Mapping[str, Any], catalog: Catalog, folder: Path,
                  request: ReportRequest) -> list[Path]:
    """Write the requested files into `folder` and return them in the order written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if request.earl:
        from conformance.reporting.earl import earl_document, earl_turtle

        document = earl_document(results, catalog)
        written.append(_write(folder / "earl.jsonld", json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
        written.append(_write(folder / "earl.ttl", earl_turtle(document)))
    if request.html or request.pdf:
        from conformance.reporting.html_report import render_html

        html_file = _write(folder / "report.html", render_html(results, catalog, vendors=request.vendors))
        written.append(html_file)
        if request.pdf:
            from conformance.reporting.pdf import PdfError, print_pdf

            try:
                written.append(print_pdf(html_file, folder / "report.pdf", browser=request.browser))
            except PdfError as exc:
                raise ReportError(str(exc)) from exc
    if request.attest:
        written.append(_attest(source, results, folder, written, request))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _attest(source: Path, results: Mapping[str, Any], folder: Path, written: Sequence[Path],
            request: ReportRequest) -> Path:
    from conformance.reporting.attestation import build_attestation, ephemeral_signer, load_signer

    results_copy = folder / "results.json"
    if source.resolve() != results_copy.resolve():
        shutil.copyfile(source, results_copy)      # the package must hold the exact bytes the digest names
    signer = load_signer(request.attest_key) if request.attest_key else ephemeral_signer()
    files = [results_copy, *(path for path in (*written, *request.companions)
                              if path.resolve() != results_copy.resolve())]
    credential = build_attestation(results, files, signer=signer, issuer_name=request.attest_issuer_name,
                                   subject_id=request.attest_subject, base_url=request.attest_base_url)
    return _write(folder / "attestation.json", json.dumps(credential, indent=2, ensure_ascii=False) + "\n")
