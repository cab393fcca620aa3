"""The core vocabulary of the suite: requirements, findings and the one verdict rule, profiles, subjects and their
views, check registration, work budgets. It imports nothing else of the project (the layers contract in
pyproject.toml) and fetches or opens nothing; views that need I/O get it from the Environment a run injects.
"""
from conformance.core.findings import Finding, Outcome, Verdict, verdict_of
from conformance.core.profiles import Profile
from conformance.core.requirements import Catalog, Level, Principle, Requirement, Spec, Standard, Status

__all__ = [
    "Catalog", "Finding", "Level", "Outcome", "Principle", "Profile", "Requirement", "Spec", "Standard",
    "Status", "Verdict", "verdict_of",
]
