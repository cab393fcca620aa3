"""The suite's guarded HTTP client, and the small `fetch_bounded` the first callers use.

Every fetch the suite makes for a user (documents named by URL, did:web documents, status lists, contexts with
--online) goes through one `GuardedClient` per run: http(s) only, every hop's addresses checked and pinned,
timeouts on every step and on the whole, size caps that stop reading, TLS always verified, a per-run cache
that also remembers failures, and a redacted record of every exchange.
"""
from __future__ import annotations

from conformance.support.net.addresses import (
    IPAddress,
    Resolver,
    address_class,
    parse_literal,
    system_resolver,
)
from conformance.support.net.client import (
    DEFAULT_ACCEPT,
    FetchPolicy,
    FetchPolicyError,
    GuardedClient,
    Response,
)
from conformance.support.net.errors import FetchError, FetchReason
from conformance.support.net.evidence import Exchange, redact_header, redact_url

# The meaning fetch_bounded has always had: no redirect is followed (a 3xx is an error naming its target), so
# the address check that matters for redirects cannot be skipped by it; the first URL is the user's own
# choice and may be local. Runs that honour --allow-private build a GuardedClient instead.
COMPAT_POLICY = FetchPolicy(max_redirects=0, allow_private=True, cache_entries=0)


def fetch_bounded(url: str, limit: int) -> bytes:
    """GET `url`; at most limit+1 bytes come back (more than `limit` means the body was larger)."""
    with GuardedClient(COMPAT_POLICY) as client:
        return client.fetch(url, limit)


__all__ = ["COMPAT_POLICY", "DEFAULT_ACCEPT", "Exchange", "FetchError", "FetchPolicy", "FetchPolicyError",
           "FetchReason", "GuardedClient", "IPAddress", "Resolver", "Response", "address_class", "fetch_bounded",
           "parse_literal", "redact_header", "redact_url", "system_resolver"]
