"""ler-conformance: does this LER system or file follow the open standards, and where exactly does it not?"""
from __future__ import annotations

__version__ = "0.1.0"

from conformance.core import Finding, Level, Outcome, Profile, Requirement, Verdict  # noqa: E402
from conformance.core.checks import MISSING, check  # noqa: E402

__all__ = ["MISSING", "Finding", "Level", "Outcome", "Profile", "Requirement", "Verdict", "__version__", "check"]
