"""CLR20API checks: the shared host API rule bodies (conformance/standards/hostapi.py) under the CLR20API prefix."""
from __future__ import annotations

from conformance.live.obapi import CLR20
from conformance.standards.clientapi import register_client_checks
from conformance.standards.hostapi import register_checks

register_checks(CLR20)
register_client_checks(CLR20)     # CLR20API-CLIENT-*: client applications, the suite as host
