"""CLR20API checks, one line per requirement: the host API and client application rule bodies are shared with
OB30API (conformance/standards/ob/api_v3_0/host_rules.py, client_rules.py) and registered here under this
standard's literal requirement IDs."""
from __future__ import annotations

from conformance.core.checks import check
from conformance.standards.ob.api_v3_0.client_rules import client_rules, register_client_embedder
from conformance.standards.ob.api_v3_0.flows import CLR20
from conformance.standards.ob.api_v3_0.host_rules import host_rules

HOST = host_rules(CLR20)
CLIENT = client_rules(CLR20)

check("CLR20API-discovery-open")(HOST["discovery-open"])
check("CLR20API-discovery-oauth")(HOST["discovery-oauth"])
check("CLR20API-registration")(HOST["registration"])
check("CLR20API-authorize-redirect")(HOST["authorize-redirect"])
check("CLR20API-token-code")(HOST["token-code"])
check("CLR20API-pkce-verified")(HOST["pkce-verified"])
check("CLR20API-token-required")(HOST["token-required"])
check("CLR20API-scope-enforced")(HOST["scope-enforced"])
check("CLR20API-get-credentials")(HOST["get-credentials"])
check("CLR20API-paging-limit")(HOST["paging-limit"])
check("CLR20API-total-count")(HOST["total-count"])
check("CLR20API-paging-link")(HOST["paging-link"])
check("CLR20API-get-profile")(HOST["get-profile"])
check("CLR20API-upsert-answer")(HOST["upsert-answer"])
check("CLR20API-upsert-round-trip")(HOST["upsert-round-trip"])
check("CLR20API-revoked-token-refused")(HOST["revoked-token-refused"])
check("CLR20API-error-status-info")(HOST["error-status-info"])

check("CLR20API-CLIENT-discovery-read")(CLIENT["discovery-read"])
check("CLR20API-CLIENT-registration-metadata")(CLIENT["registration-metadata"])
check("CLR20API-CLIENT-authorize-request")(CLIENT["authorize-request"])
check("CLR20API-CLIENT-authorize-state")(CLIENT["authorize-state"])
check("CLR20API-CLIENT-authorize-pkce")(CLIENT["authorize-pkce"])
check("CLR20API-CLIENT-token-client-auth")(CLIENT["token-client-auth"])
check("CLR20API-CLIENT-token-verifier")(CLIENT["token-verifier"])
check("CLR20API-CLIENT-bearer-header")(CLIENT["bearer-header"])
check("CLR20API-CLIENT-upsert-credential")(CLIENT["upsert-credential"])
check("CLR20API-CLIENT-read-paging")(CLIENT["read-paging"])
check("CLR20API-CLIENT-read-profile")(CLIENT["read-profile"])
check("CLR20API-CLIENT-least-scope")(CLIENT["least-scope"])

register_client_embedder(CLR20)    # credentials a client application upserted go to the document checks
