"""Open Badges 3.0 host API judged live (OB30API), beside the OB 3.0 document rules in `standards/ob/v3_0`.

`api_v3_0` reads as "the API of version 3.0" next to the document package `v3_0`: the same standard and version,
the other half of the specification (shapes/ob-api/3.0 holds its catalog). The subject is a service
(conformance.model.services.ServiceSubject, role "ob-host"); the checks read the transcript the flows in
conformance/live/obapi.py made. Credentials that getCredentials returned are handed to the document checks (OB30,
VCDM, DI10, ...) as embedded subjects.
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.model.services import ServiceSubject
from conformance.model.subjects import Subject
from conformance.registry import Embedded, detects, embeds

ROLES = frozenset({"ob-host"})


@detects("OB30API")
def is_ob_host(subject: Subject) -> bool:
    # only a service the user named in a targets file: a document can never make the suite call anything
    return isinstance(subject, ServiceSubject) and subject.service.role in ROLES


@embeds
def listed_credentials(subject: Subject) -> Iterator[Embedded]:
    """Each credential object of each getCredentials page (JWS strings are left to a later slice)."""
    if not isinstance(subject, ServiceSubject) or subject.service.role not in ROLES:
        return
    transcript = subject.transcript
    for step in subject.flow("credentials"):
        entries = step.body.get("credential") if step.status == 200 and isinstance(step.body, dict) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, dict):
                yield Embedded(transcript.pointer(step, f"/response/body/credential/{index}"), entry,
                               encoding="document")


from conformance.standards.ob.api_v3_0 import checks  # noqa: F401  (registers the checks)
