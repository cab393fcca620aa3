"""One report package per results.json: the files `ler-conformance report` writes, in a fixed order.

EARL, HTML and PDF render from results.json; with an attestation the package also archives the judged inputs
(inputs.json and inputs/, see inputs.py), and the attestation comes last because it carries a digest of every other
file of the package (results.json and inputs.json included), so it has to see them all.

Files are written atomically and without following a symbolic link at their own name (conformance/support/outputs.py), so a
link planted in the output folder cannot redirect a write elsewhere and an interrupted run leaves no half file.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.core.requirements import Catalog
from conformance.reporting.attestation import InputCounts, build_attestation, ephemeral_signer, load_signer
from conformance.reporting.files import ReportError, write_no_follow
from conformance.run.attestations import VendorAttestation

if TYPE_CHECKING:
    from conformance.reporting.attestation import Signer
    from conformance.reporting.inputs import CollectedInput


@dataclass(frozen=True, slots=True)
class ReportRequest:
    earl: bool = False
    html: bool = False
    pdf: bool = False
    attest: bool = False
    vendors: tuple[VendorAttestation, ...] = ()
    browser: str | None = None
    signing_key: Path | None = None          # the operator's Ed25519 key; None: a one-time key, labelled as such
    attest_issuer_name: str = "ler-conformance"
    attest_subject: str | None = None
    attest_base_url: str | None = None
    companions: tuple[Path, ...] = ()        # files written beside the package (the matrix) that the attestation binds
    archive_inputs: bool = True              # with --attest: inputs.json and inputs/ (the judged bytes)
    inputs_base: Path = Path()               # where relative target paths of results.json resolve: check's folder


@dataclass(frozen=True, slots=True)
class Package:
    """What write_package wrote, in order, and what it archived of the judged inputs (empty when it archived none)."""

    files: tuple[Path, ...]
    inputs: tuple[CollectedInput, ...] = ()


def write_package(source: Path, results: Mapping[str, Any], catalog: Catalog, folder: Path,
                  request: ReportRequest) -> list[Path]:
    """Write the requested files into `folder` and return them in the order written."""
    return list(write_report_package(source, results, catalog, folder, request).files)


def write_report_package(source: Path, results: Mapping[str, Any], catalog: Catalog, folder: Path,
                         request: ReportRequest) -> Package:
    """Write the requested files into `folder`: the files in the order written, and the inputs archived."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if request.earl:
        from conformance.reporting.earl import earl_document, earl_turtle  # lazy: rdflib, only for EARL

        document = earl_document(results, catalog)
        written.append(_write(folder / "earl.jsonld", json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
        written.append(_write(folder / "earl.ttl", earl_turtle(document)))
    if request.html or request.pdf:
        from conformance.reporting.html_report import render_html  # lazy: Jinja2, only for HTML or PDF

        html_file = _write(folder / "report.html", render_html(results, catalog, vendors=request.vendors))
        written.append(html_file)
        if request.pdf:
            from conformance.reporting.pdf import (  # lazy: the browser driver, only for PDF
                PdfError,
                print_pdf,
            )

            # Chromium writes wherever a link at its output name points: it prints into a folder of our own and
            # the PDF is moved in like every other file
            with tempfile.TemporaryDirectory(prefix="ler-conformance-pdf-") as printing:
                try:
                    printed = print_pdf(html_file, Path(printing) / "report.pdf", browser=request.browser)
                except PdfError as exc:
                    raise ReportError(str(exc)) from exc
                written.append(write_no_follow(folder / "report.pdf", printed.read_bytes()))
    collected: tuple[CollectedInput, ...] = ()
    if request.attest:
        # the signing key is read before anything is archived: an unusable key then costs no writes
        signer = _signer(request)
        if request.archive_inputs:
            from conformance.reporting.inputs import collect_inputs, write_inputs  # lazy: only when archiving

            collected = tuple(collect_inputs(results, request.inputs_base))
            written.append(write_inputs(folder, collected))
        written.append(_attest(source, results, folder, written, request, signer, collected))
    return Package(tuple(written), collected)


def _write(path: Path, text: str) -> Path:
    return write_no_follow(path, text.encode("utf-8"))


def _signer(request: ReportRequest) -> Signer:

    return load_signer(request.signing_key) if request.signing_key else ephemeral_signer()


def _copy_results(source: Path, target: Path) -> None:
    """results.json into the package, byte for byte (the digest names exact bytes), never through a link."""
    if source.resolve() == target.resolve() and not target.is_symlink():
        return
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ReportError(f"{source}: the results file cannot be read ({exc.strerror or type(exc).__name__})") from None
    write_no_follow(target, data)


def _attest(source: Path, results: Mapping[str, Any], folder: Path, written: Sequence[Path],
            request: ReportRequest, signer: Signer, collected: Sequence[CollectedInput]) -> Path:

    results_copy = folder / "results.json"
    _copy_results(source, results_copy)
    files = [results_copy, *(path for path in (*written, *request.companions)
                              if path.resolve() != results_copy.resolve())]
    counts = InputCounts(len(collected), sum(1 for c in collected if c.record.archived)) \
        if request.archive_inputs else None
    credential = build_attestation(results, files, signer=signer, issuer_name=request.attest_issuer_name,
                                   subject_id=request.attest_subject, base_url=request.attest_base_url,
                                   inputs=counts)
    return _write(folder / "attestation.json", json.dumps(credential, indent=2, ensure_ascii=False) + "\n")
