"""CLR 2.0 (prefix CLR20): the ClrCredential and the credentials it wraps, checked recursively."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import Embedded, detects, embeds
from conformance.core.predicates import pointer
from conformance.core.subject import Subject, as_list

CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/"


@detects("CLR20")
def claims_clr20(subject: Subject) -> bool:
    if "ClrCredential" in subject.types:
        return True
    if subject.is_presentation:
        return False
    return any(isinstance(c, str) and c.startswith(CLR_CONTEXT_PREFIX) for c in subject.contexts)


@embeds
def wrapped_credentials(subject: Subject) -> Iterator[Embedded]:
    """The credentials in ClrSubject.verifiableCredential: objects or compact JWS strings."""
    if "ClrCredential" not in subject.types:
        return
    credential_subject = subject.document.get("credentialSubject")
    if not isinstance(credential_subject, dict):
        return
    value = credential_subject.get("verifiableCredential")
    for index, item in enumerate(as_list(value)):
        at = pointer("credentialSubject", "verifiableCredential", *((index,) if isinstance(value, list) else ()))
        if isinstance(item, dict):
            yield Embedded(at, item, "json")
        elif isinstance(item, str):
            yield Embedded(at, item, "data-url" if item.startswith("data:") else "jws")


@embeds
def achievement_endorsements(subject: Subject) -> Iterator[Embedded]:
    """Endorsements on the CLR's own achievements (ClrSubject.achievement[*] and their creators).

    The OB 3.0 embedder covers the CLR's own and its issuer's endorsements, and a lone achievement object; it does not
    walk an achievement array, so this embedder takes the array form only (never both).
    """
    if "ClrCredential" not in subject.types:
        return
    credential_subject = subject.document.get("credentialSubject")
    if not isinstance(credential_subject, dict):
        return
    achievements = credential_subject.get("achievement")
    if not isinstance(achievements, list):
        return
    for index, achievement in enumerate(achievements):
        if not isinstance(achievement, dict):
            continue
        base = ("credentialSubject", "achievement", index)
        creator = achievement.get("creator")
        holders = [(base, achievement)]
        if isinstance(creator, dict):
            holders.append(((*base, "creator"), creator))
        for path, holder in holders:
            for key, encoding in (("endorsement", "json"), ("endorsementJwt", "jws")):
                value = holder.get(key)
                for position, item in enumerate(as_list(value)):
                    at = pointer(*path, key, *((position,) if isinstance(value, list) else ()))
                    if encoding == "json" and isinstance(item, dict):
                        yield Embedded(at, item, "json")
                    elif encoding == "jws" and isinstance(item, str):
                        yield Embedded(at, item, "jws")
