"""Credential Registry publications in CTDL and CTDL-ASN, one package per concern: core (documents, identifiers,
vocabulary, privacy; prefix CTDL), minimum data per policy version, references, pathways, and the links from Open
Badges and CLR credentials to Registry data. The facts they judge come from facts/ (loading, vocabulary, graphs), read through views.py.

One cause, one outcome: a document that claims CTDL but does not load fails CTDL-document-shape, and every other
CTDL rule (core, minimum data, references, pathways) is inapplicable to it, never `error` (which says the suite
could not evaluate).
"""
from __future__ import annotations

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding


def not_loadable(ctx: CheckContext, exc: Exception) -> Finding:
    """What every CTDL rule but CTDL-document-shape says about a publication that does not load."""
    return ctx.inapplicable(f"the document does not load as a CTDL publication ({exc}); CTDL-document-shape "
                            "reports it")
