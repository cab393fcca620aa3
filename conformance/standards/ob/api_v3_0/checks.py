"""OB30API checks: the shared host API rule bodies (conformance/standards/hostapi.py) under the OB30API prefix."""
from __future__ import annotations

from conformance.live.obapi import OB30
from conformance.standards.hostapi import register_checks

register_checks(OB30)
