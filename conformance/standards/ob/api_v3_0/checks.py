"""OB30API checks, one line per requirement: the host API and client application rule bodies are shared with
CLR20API (conformance/standards/ob/api_v3_0/host_rules.py, client_rules.py) and registered here under this
standard's literal requirement IDs."""
from __future__ import annotations

from conformance.core.checks import check
from conformance.standards.ob.api_v3_0.client_rules import client_rules, register_client_embedder
from conformance.standards.ob.api_v3_0.flows import OB30
from conformance.standards.ob.api_v3_0.host_rules import host_rules

HOST = host_rules(OB30)
CLIENT = client_rules(OB30)

check("OB30API-discovery-open")(HOST["discovery-open"])
check("OB30API-discovery-oauth")(HOST["discovery-oauth"])
check("OB30API-registration")(HOST["registration"])
check("OB30API-authorize-redirect")(HOST["authorize-redirect"])
check("OB30API-token-code")(HOST["token-code"])
check("OB30API-pkce-verified")(HOST["pkce-verified"])
check("OB30API-token-required")(HOST["token-required"])
check("OB30API-scope-enforced")(HOST["scope-enforced"])
check("OB30API-get-credentials")(HOST["get-credentials"])
check("OB30API-paging-limit")(HOST["paging-limit"])
check("OB30API-total-count")(HOST["total-count"])
check("OB30API-paging-link")(HOST["paging-link"])
check("OB30API-get-profile")(HOST["get-profile"])
check("OB30API-upsert-answer")(HOST["upsert-answer"])
check("OB30API-upsert-round-trip")(HOST["upsert-round-trip"])
check("OB30API-revoked-token-refused")(HOST["revoked-token-refused"])
check("OB30API-error-status-info")(HOST["error-status-info"])

check("OB30API-CLIENT-discovery-read")(CLIENT["discovery-read"])
check("OB30API-CLIENT-registration-metadata")(CLIENT["registration-metadata"])
check("OB30API-CLIENT-authorize-request")(CLIENT["authorize-request"])
check("OB30API-CLIENT-authorize-state")(CLIENT["authorize-state"])
check("OB30API-CLIENT-authorize-pkce")(CLIENT["authorize-pkce"])
check("OB30API-CLIENT-token-client-auth")(CLIENT["token-client-auth"])
check("OB30API-CLIENT-token-verifier")(CLIENT["token-verifier"])
check("OB30API-CLIENT-bearer-header")(CLIENT["bearer-header"])
check("OB30API-CLIENT-upsert-credential")(CLIENT["upsert-credential"])
check("OB30API-CLIENT-read-paging")(CLIENT["read-paging"])
check("OB30API-CLIENT-read-profile")(CLIENT["read-profile"])
check("OB30API-CLIENT-least-scope")(CLIENT["least-scope"])

register_client_embedder(OB30)    # credentials a client application upserted go to the document checks
