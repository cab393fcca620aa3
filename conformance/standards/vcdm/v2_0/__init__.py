"""VC Data Model 2.0 (prefix VCDM20)."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import Embedded, detects, embeds
from conformance.core.subject import Subject
from conformance.standards.vcdm import vc_version

ENVELOPE_TYPES = frozenset({"EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"})


@detects("VCDM20")
def claims_vcdm20(subject: Subject) -> bool:
    return vc_version(subject) == "2.0"


@embeds
def enveloped_document(subject: Subject) -> Iterator[Embedded]:
    """The credential or presentation an enveloped object carries in its data: URL id."""
    if subject.types & ENVELOPE_TYPES:
        value = subject.document.get("id")
        if isinstance(value, str) and value.startswith("data:"):
            yield Embedded("/id", value, "data-url")
