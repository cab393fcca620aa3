"""The core vocabulary of the suite: requirements, findings, profiles, subjects and targets.

Nothing in this package fetches or opens anything; views that need I/O get it from an injected Environment.
"""
from conformance.core.findings import Finding, Outcome, Verdict, verdict_of
from conformance.core.profiles import Profile
from conformance.core.requirements import Catalog, Level, Principle, Requirement, Spec, Standard, Status

__all__ = [
    "Catalog", "Finding", "Level", "Outcome", "Principle", "Profile", "Requirement", "Spec", "Standard",
    "Status", "Verdict", "verdict_of",
]
