"""Open Badges 3.0 (prefix OB30): credentials, endorsements, baked images, and the JWT form."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import Embedded, detects, embeds
from conformance.core.predicates import pointer
from conformance.core.subject import Subject, as_list

OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
OB_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})


@detects("OB30")
def claims_ob30(subject: Subject) -> bool:
    if subject.types & OB_CREDENTIAL_TYPES:
        return True
    if "ClrCredential" in subject.types or subject.is_presentation:
        return False
    return any(isinstance(c, str) and c.startswith(OB_CONTEXT_PREFIX) for c in subject.contexts)


# objects that may carry endorsements, by pointer from the credential root
_ENDORSABLE = (
    (),
    ("issuer",),
    ("credentialSubject", "achievement"),
    ("credentialSubject", "achievement", "creator"),
)


@embeds
def endorsements(subject: Subject) -> Iterator[Embedded]:
    """EndorsementCredentials embedded as objects (`endorsement`) or compact JWS strings (`endorsementJwt`)."""
    if not (subject.types & OB_CREDENTIAL_TYPES or "ClrCredential" in subject.types):
        return
    for path in _ENDORSABLE:
        node = subject.document
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        for key, encoding in (("endorsement", "json"), ("endorsementJwt", "jws")):
            value = node.get(key)
            for index, item in enumerate(as_list(value)):
                at = pointer(*path, key, index) if isinstance(value, list) else pointer(*path, key)
                if encoding == "json" and isinstance(item, dict):
                    yield Embedded(at, item, "json")
                elif encoding == "jws" and isinstance(item, str):
                    yield Embedded(at, item, "jws")
