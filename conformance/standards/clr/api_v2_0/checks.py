"""CLR20API checks: the shared host API rule bodies (conformance/standards/ob/api_v3_0/host_rules.py) under the CLR20API prefix."""
from __future__ import annotations

from conformance.standards.ob.api_v3_0.client_rules import register_client_checks
from conformance.standards.ob.api_v3_0.flows import CLR20
from conformance.standards.ob.api_v3_0.host_rules import register_checks

register_checks(CLR20)
register_client_checks(CLR20)     # CLR20API-CLIENT-*: client applications, the suite as host
