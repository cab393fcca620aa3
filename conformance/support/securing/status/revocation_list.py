"""Reading the list document of a 1EdTech VC Revocation List (1EdTechRevocationList), as Open Badges use it.

Assumption, stated because the 1EdTech VCRL 1.0 text was not available while writing this: the shape follows
what the 1EdTech reference validator reads. The credential's credentialStatus `id` is the list's URL; the
document there holds `revokedCredential`, an array of objects, each with the `id` of a revoked credential and
an optional boolean `revoked` (absent means true; false means the entry is listed but not revoked). Variants
seen in the wild are tolerated: the key `revokedCredentials`, the array at the top level, plain id strings as
items, and the key inside `credentialSubject` when the list is itself a credential.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import StatusCode, StatusError

__all__ = ["LIST_KEYS", "revoked_ids"]

LIST_KEYS = ("revokedCredential", "revokedCredentials")
_LOCATION = "(status list)"


def _find_items(document: Any, url: str) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, _LOCATION
    if not isinstance(document, Mapping):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the revocation list at {url} is {type(document).__name__}; an object or an array is expected",
            _LOCATION,
        )
    holders: list[tuple[Mapping[str, Any], str]] = [(document, _LOCATION)]
    subject = document.get("credentialSubject")
    if isinstance(subject, Mapping):
        holders.append((subject, f"{_LOCATION}/credentialSubject"))
    for holder, where in holders:
        for key in LIST_KEYS:
            if key in holder:
                items = holder[key]
                if not isinstance(items, list):
                    items = [items]
                return items, f"{where}/{key}"
    raise StatusError(
        StatusCode.MALFORMED_VALUE_ERROR,
        f"the revocation list at {url} has no {' or '.join(LIST_KEYS)} array",
        _LOCATION,
    )


def revoked_ids(document: Any, url: str) -> frozenset[str]:
    """The ids the list marks revoked. Raises StatusError(MALFORMED_VALUE_ERROR) for a document of another shape."""
    items, where = _find_items(document, url)
    revoked: set[str] = set()
    for position, item in enumerate(items):
        item_where = f"{where}/{position}"
        if isinstance(item, str):
            revoked.add(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"item {position} of the revocation list at {url} is not an id string or an object with a string id",
                item_where,
            )
        flag = item.get("revoked", True)
        if not isinstance(flag, bool):
            raise StatusError(
                StatusCode.MALFORMED_VALUE_ERROR,
                f"item {position} of the revocation list at {url} has revoked {flag!r:.40}; a boolean is expected",
                f"{item_where}/revoked",
            )
        if flag:
            revoked.add(item["id"])
    return frozenset(revoked)
