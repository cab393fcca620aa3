"""CTDL minimum data policy (prefixes CTDLMIN22 and CTDLMIN26): one requirement per publishable class and policy
version, judged by the shapes compiled in conformance/ctdl/policy.py. Profiles pick the version."""
from __future__ import annotations

from conformance.ctdl.load import looks_like_ctdl
from conformance.model.subjects import Subject
from conformance.registry import detects


@detects("CTDLMIN22")
def claims_ctdl_2022(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)


@detects("CTDLMIN26")
def claims_ctdl_2026(subject: Subject) -> bool:
    return looks_like_ctdl(subject.document)
