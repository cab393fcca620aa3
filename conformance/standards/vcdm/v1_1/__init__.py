"""VC Data Model 1.1 (prefix VCDM11)."""
from __future__ import annotations

from conformance.model.subjects import Subject
from conformance.registry import detects
from conformance.standards.vcdm import vc_version


@detects("VCDM11")
def claims_vcdm11(subject: Subject) -> bool:
    return vc_version(subject) == "1.1"
