"""VC Data Model 1.1 (prefix VCDM11)."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.vcdm import vc_version


@detects("VCDM11")
def claims_vcdm11(subject: Subject) -> bool:
    return vc_version(subject) == "1.1"
