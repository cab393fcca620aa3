"""Open Badges 3.0 host API judged live (OB30API), beside the OB 3.0 document rules in `standards/ob/v3_0`.

`api_v3_0` reads as "the API of version 3.0" next to the document package `v3_0`: the same standard and version,
the other half of the specification (shapes/ob-api/3.0 holds its catalog). The subject is a service
(conformance.run.targets.services.ServiceSubject, role "ob-host"); the checks read the transcript the flows in
conformance/standards/ob/api_v3_0/flows.py made. Credentials that getCredentials returned are handed to the document checks (OB30,
VCDM, DI10, ...) as embedded subjects. The rule bodies are shared with CLR20API (conformance/standards/ob/api_v3_0/host_rules.py).
"""
from __future__ import annotations

from conformance.standards.ob.api_v3_0.flows import OB30
from conformance.standards.ob.api_v3_0.host_rules import register_standard

ROLES = frozenset({OB30.role})

register_standard(OB30)    # the detector (role ob-host only) and the embedder of listed credentials

from conformance.standards.ob.api_v3_0 import checks  # noqa: F401  (registers the checks)
