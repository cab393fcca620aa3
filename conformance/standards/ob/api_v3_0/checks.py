"""OB30API checks: the shared host API rule bodies (conformance/standards/ob/api_v3_0/host_rules.py) under the OB30API prefix."""
from __future__ import annotations

from conformance.standards.ob.api_v3_0.client_rules import register_client_checks
from conformance.standards.ob.api_v3_0.flows import OB30
from conformance.standards.ob.api_v3_0.host_rules import register_checks

register_checks(OB30)
register_client_checks(OB30)     # OB30API-CLIENT-*: client applications, the suite as host
