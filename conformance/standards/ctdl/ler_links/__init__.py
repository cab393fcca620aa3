"""Links from Open Badges 3.0 and CLR 2.0 credentials to Credential Registry data (prefix CTDLLER).

Claimed by any OB or CLR credential that carries at least one Registry link (an achievement id or sameAs naming a
Registry resource, an issuer profile sameAs a Registry organization, or a CTDL alignment with a CTID or Registry
URL). The links and their resolution come from one cached view (standards/ctdl/views.py: credential_registry_links).
"""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.ler_links import find_links, is_ler_credential


@detects("CTDLLER")
def carries_registry_links(subject: Subject) -> bool:
    document = subject.document
    return is_ler_credential(document) and bool(find_links(document)[0])
