"""The core vocabulary of the suite: requirements, findings, profiles, subjects and targets.

Nothing in this package fetches or opens anything; views that need I/O get it from an injected Environment.
"""
from conformance.model.findings import Finding, Outcome, Verdict, verdict_of
from conformance.model.profiles import Profile
from conformance.model.requirements import Catalog, Level, Principle, Requirement, Spec, Standard, Status

__all__ = [
    "Catalog", "Finding", "Level", "Outcome", "Principle", "Profile", "Requirement", "Spec", "Standard",
    "Status", "Verdict", "verdict_of",
]
