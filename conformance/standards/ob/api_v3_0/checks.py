"""OB30API checks: the shared host API rule bodies (conformance/standards/hostapi.py) under the OB30API prefix."""
from __future__ import annotations

from conformance.live.obapi import OB30
from conformance.standards.clientapi import register_client_checks
from conformance.standards.hostapi import register_checks

register_checks(OB30)
register_client_checks(OB30)     # OB30API-CLIENT-*: client applications, the suite as host
