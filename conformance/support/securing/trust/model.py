"""Trust lists: which issuers a verifier accepts, kept apart from whether a proof is valid."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from conformance.core.findings import Outcome

from .normalize import normalize_issuer_id

__all__ = ["TrustDecision", "TrustEntry", "TrustError", "TrustList", "TrustReason", "issuer_id_of"]


class TrustError(Exception):
    """A trust list or registry file that cannot be used; the message names the file and the line or pointer."""

    issues: tuple[str, ...]

    def __init__(self, message: str, issues: Iterable[str] = ()) -> None:
        collected = tuple(issues) or (message,)
        super().__init__(message, collected)
        self.issues = collected

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class TrustEntry:
    id: str                                 # as the file writes it
    name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    note: str | None = None
    url: str | None = None
    location: str | None = None
    source: str = ""                        # file and line, or registry and key, for messages

    @property
    def key(self) -> str:
        return normalize_issuer_id(self.id)

    def valid_at(self, when: datetime) -> bool:
        if self.valid_from is not None and when < self.valid_from:
            return False
        return self.valid_until is None or when <= self.valid_until


class TrustReason(StrEnum):
    LISTED = "listed"
    NOT_LISTED = "not-listed"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    NO_ISSUER = "no-issuer"


@dataclass(frozen=True, slots=True)
class TrustDecision:
    trusted: bool
    reason: TrustReason
    message: str
    entry: TrustEntry | None = None

    @property
    def outcome(self) -> Outcome:
        return Outcome.PASSED if self.trusted else Outcome.FAILED


@dataclass(frozen=True, slots=True)
class TrustList:
    """Entries in order of authority: when two lists or registries name the same issuer, the first wins."""

    entries: tuple[TrustEntry, ...] = ()
    name: str = ""
    _by_key: Mapping[str, TrustEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, TrustEntry] = {}
        for entry in self.entries:
            index.setdefault(entry.key, entry)
        object.__setattr__(self, "_by_key", index)

    def __len__(self) -> int:
        return len(self._by_key)

    def lookup(self, issuer_id: object) -> TrustEntry | None:
        if not isinstance(issuer_id, str) or not issuer_id:
            return None
        return self._by_key.get(normalize_issuer_id(issuer_id))

    def decide(self, issuer_id: object, when: datetime | None = None) -> TrustDecision:
        """Whether the issuer is on this list at `when` (now by default), with a reason code and a message."""
        moment = when if when is not None else datetime.now(UTC)
        where = f" {self.name}" if self.name else ""
        if not isinstance(issuer_id, str) or not issuer_id:
            return TrustDecision(False, TrustReason.NO_ISSUER, "the credential names no issuer id to look up")
        entry = self.lookup(issuer_id)
        if entry is None:
            return TrustDecision(
                False, TrustReason.NOT_LISTED, f"the issuer {issuer_id} is not on the trust list{where}"
            )
        label = f"{entry.name} ({issuer_id})" if entry.name else issuer_id
        if entry.valid_from is not None and moment < entry.valid_from:
            return TrustDecision(
                False, TrustReason.NOT_YET_VALID,
                f"the issuer {label} is trusted only from {entry.valid_from.isoformat()} ({entry.source})", entry,
            )
        if entry.valid_until is not None and moment > entry.valid_until:
            return TrustDecision(
                False, TrustReason.EXPIRED,
                f"the issuer {label} was trusted until {entry.valid_until.isoformat()} ({entry.source})", entry,
            )
        return TrustDecision(True, TrustReason.LISTED, f"the issuer {label} is on the trust list{where}", entry)

    def merged(self, *others: TrustList) -> TrustList:
        """This list followed by the others, keeping the first entry of an issuer named twice."""
        entries = self.entries + tuple(e for other in others for e in other.entries)
        names = [n for n in (self.name, *(o.name for o in others)) if n]
        return TrustList(entries, " + ".join(names))


def issuer_id_of(document: Mapping[str, Any]) -> str | None:
    """The issuer id of a credential: `issuer` as a string or the `id` of an issuer object."""
    if not isinstance(document, Mapping):
        return None
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None
