"""CTDL minimum data policy (prefixes CTDLMIN22 and CTDLMIN26): one requirement per publishable class and policy
version, judged by the shapes compiled in conformance/standards/ctdl/facts/policy.py. Profiles pick the version."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.core.checks import detects, measures
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.load import CtdlLoadError, looks_like_ctdl
from conformance.standards.ctdl.facts.policy import load_policy
from conformance.standards.ctdl.views import ctdl_document


@detects("CTDLMIN22")
def claims_ctdl_2022(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)


@detects("CTDLMIN26")
def claims_ctdl_2026(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)


def _scores(subject: Subject, version: str) -> Iterator[dict[str, Any]]:
    """The recommended (benchmark) data each top-level resource carries, as a share: reported, never judged."""

    policy = load_policy(version)
    try:
        document = ctdl_document(subject)
    except CtdlLoadError:
        return              # nothing to measure: CTDL-document-shape reports the publication
    for node in document.resources:
        score = policy.score(node)
        if score is not None:
            yield score.record(subject.id, node.pointer)


@measures("CTDLMIN22")
def benchmark_2022(subject: Subject) -> Iterator[dict[str, Any]]:
    return _scores(subject, "2022")


@measures("CTDLMIN26")
def benchmark_2026(subject: Subject) -> Iterator[dict[str, Any]]:
    return _scores(subject, "2026")
