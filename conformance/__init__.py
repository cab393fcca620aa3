"""ler-conformance: does this LER system or file follow the open standards, and where exactly does it not?"""
from __future__ import annotations

from conformance._version import __version__
from conformance.core import Finding, Level, Outcome, Profile, Requirement, Verdict
from conformance.core.checks import MISSING, check

__all__ = ["MISSING", "Finding", "Level", "Outcome", "Profile", "Requirement", "Verdict", "__version__", "check"]
