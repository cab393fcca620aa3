"""CLR 2.0 host API judged live (CLR20API), beside the CLR 2.0 document rules in `standards/clr/v2_0`.

The CLR 2.0 API is the Open Badges 3.0 host API design on /ims/clr/v2p0 with its own scopes and ClrCredential
payloads, so the rule bodies are the shared ones (conformance/standards/ob/api_v3_0/host_rules.py) registered under the CLR20API
prefix; shapes/clr-api/2.0 holds the catalog. The subject is a service (targets.toml role "clr-host"); the
ClrCredentials getCredentials returned are handed to the document checks (CLR20, OB30 for the nested credentials,
VCDM, DI10, ...) as embedded subjects.
"""
from __future__ import annotations

from conformance.standards.ob.api_v3_0.flows import CLR20
from conformance.standards.ob.api_v3_0.host_rules import register_standard

ROLES = frozenset({CLR20.role})

register_standard(CLR20)    # the detector (role clr-host only) and the embedder of listed credentials

from conformance.standards.clr.api_v2_0 import checks  # noqa: F401  (registers the checks)
