"""Is this credential revoked, suspended, or flagged? The validate algorithms of the three status methods.

Everything here is pure: the caller injects `fetch(url) -> bytes` (the guarded HTTP client, or a dict in tests)
and `verify_credential(document, raw)` (the proof verifier), and gets StatusResult values back. No function
raises for bad input; every problem becomes a StatusResult with a StatusProblem.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from conformance.core.findings import Outcome
from conformance.support.formats import Limits, Payload, PayloadError, decode, parse_json, sniff

from .bitstring import (
    DEFAULT_MAX_LIST_BYTES,
    decode_bitstring_list,
    decode_statuslist2021,
    read_status,
    require_minimum_length,
)
from .entries import (
    BitstringEntry,
    RevocationListEntry,
    StatusEntry,
    StatusList2021Entry,
    UnsupportedEntry,
    parse_entry,
    status_entries,
)
from .errors import StatusCode, StatusError, StatusProblem
from .revocation_list import revoked_ids

__all__ = [
    "LIST_LOCATION",
    "CredentialVerifier",
    "Fetch",
    "ListCache",
    "StatusResult",
    "StatusVerdict",
    "VerificationOutcomeLike",
    "check_credential_status",
    "check_entry",
]

LIST_LOCATION = "(status list)"

Fetch = Callable[[str], bytes]
GONE_STATUSES = frozenset({404, 410})       # HTTP answers that mean the list is not published at its URL
# Shared between the credentials of one run: (method, list URL) -> the loaded list, or why it failed. A list's own
# validity period is judged when it is loaded, so a cache serves one judging instant (the verifier keeps one each).
ListCache = MutableMapping[tuple[str, str], Any]


@runtime_checkable
class VerificationOutcomeLike(Protocol):
    """What the proof verifier returns; a `message` attribute, when present, explains a failure."""

    @property
    def verified(self) -> bool: ...


class CredentialVerifier(Protocol):
    """Verifies the fetched status list credential.

    It gets the decoded document and the bytes as fetched, because a JWT-secured list can only be verified
    in its compact form. It may return a plain bool.
    """

    def __call__(self, document: Mapping[str, Any], raw: bytes) -> VerificationOutcomeLike | bool: ...


class StatusVerdict(StrEnum):
    VALID = "valid"            # the entry reads 0 for revocation or suspension
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    MESSAGE = "message"        # a message-purpose entry: the value and its message are informative
    REFRESH = "refresh"        # a refresh-purpose entry that is set: the holder should fetch a fresh copy
    SET = "set"                # a purpose the spec does not name, with a non-zero value
    UNKNOWN = "unknown"        # the status could not be read; `problem` says why


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The status of one credentialStatus entry, ready for a check to turn into one finding."""

    pointer: str
    verdict: StatusVerdict
    status_type: str = ""
    purpose: str | None = None
    index: int | None = None
    value: int | None = None
    message: str | None = None            # the statusMessage text of the value read, when the entry has one
    problem: StatusProblem | None = None
    list_url: str | None = None
    list_issuer: str | None = None        # so a check can compare it with the credential's issuer
    ttl_ms: int | None = None

    @property
    def outcome(self) -> Outcome:
        if self.problem is not None:
            return self.problem.outcome
        if self.verdict in (StatusVerdict.REVOKED, StatusVerdict.SUSPENDED):
            return Outcome.FAILED
        return Outcome.PASSED

    @property
    def reason(self) -> str:
        """A stable reason code: the StatusCode of the problem, or the verdict."""
        return self.problem.code.value if self.problem is not None else self.verdict.value

    @property
    def location(self) -> str:
        return self.problem.location if self.problem is not None and self.problem.location else self.pointer

    def describe(self) -> str:
        """One plain sentence for a finding's message."""
        if self.problem is not None:
            return self.problem.message
        where = self._place()
        if self.verdict is StatusVerdict.VALID:
            if self.index is None:
                return f"{where} does not list the credential: it is not revoked"
            return f"{where} reads 0: the credential is not {self._purpose_word()}"
        if self.verdict is StatusVerdict.REVOKED and self.index is None:
            return f"{where} lists the credential as revoked"
        if self.verdict is StatusVerdict.REVOKED:
            return f"{where} reads {self.value}: the issuer has revoked the credential"
        if self.verdict is StatusVerdict.SUSPENDED:
            return f"{where} reads {self.value}: the issuer has suspended the credential"
        suffix = f" ({self.message})" if self.message is not None else ""
        return f"{where} for purpose {self.purpose!r} reads {self.value}{suffix}"

    def _place(self) -> str:
        if self.index is None:
            return f"the revocation list at {self.list_url}"
        return f"statusListIndex {self.index:,} of the list at {self.list_url}"

    def _purpose_word(self) -> str:
        return {"revocation": "revoked", "suspension": "suspended"}.get(self.purpose or "", "flagged")


@dataclass(frozen=True, slots=True)
class _LoadedList:
    """A fetched, verified and decoded list, shared by every entry that names the same URL."""

    issuer: str | None
    purposes: tuple[str, ...]
    bits: bytes | None = None
    revoked: frozenset[str] | None = None
    ttl_ms: int | None = None


def check_credential_status(
    document: Mapping[str, Any],
    *,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime | None = None,
    max_list_bytes: int = DEFAULT_MAX_LIST_BYTES,
    cache: ListCache | None = None,
) -> tuple[StatusResult, ...]:
    """The status of every credentialStatus entry of a credential (empty when it has none).

    `verify_credential` None means the list credentials cannot be verified, which the W3C method does not
    allow: BitstringStatusList and StatusList2021 entries then end in an internal STATUS_VERIFICATION_ERROR
    (outcome `error`). Pass a
    `cache` dict to share fetched lists across the credentials of one run.
    """
    credential_id = document.get("id") if isinstance(document, Mapping) else None
    results: list[StatusResult] = []
    for pointer, raw in status_entries(document):
        try:
            entry = parse_entry(raw, pointer)
        except StatusError as exc:
            results.append(StatusResult(pointer, StatusVerdict.UNKNOWN, _raw_type(raw), problem=exc.problem))
            continue
        results.append(
            check_entry(
                entry,
                fetch=fetch,
                verify_credential=verify_credential,
                now=now,
                credential_id=credential_id if isinstance(credential_id, str) else None,
                max_list_bytes=max_list_bytes,
                cache=cache,
            )
        )
    return tuple(results)


def check_entry(
    entry: StatusEntry,
    *,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime | None = None,
    credential_id: str | None = None,
    max_list_bytes: int = DEFAULT_MAX_LIST_BYTES,
    cache: ListCache | None = None,
) -> StatusResult:
    """The status of one parsed entry. `credential_id` is needed only by 1EdTechRevocationList entries."""
    moment = now if now is not None else datetime.now(UTC)
    if isinstance(entry, UnsupportedEntry):
        return StatusResult(
            entry.pointer,
            StatusVerdict.UNKNOWN,
            entry.type,
            problem=StatusProblem(
                StatusCode.UNSUPPORTED_STATUS_TYPE,
                f"the status type {', '.join(entry.types)} is none the suite reads (BitstringStatusListEntry, "
                "StatusList2021Entry, 1EdTechRevocationList)",
                entry.pointer + "/type",
            ),
        )
    if isinstance(entry, RevocationListEntry):
        return _check_revocation_list(entry, fetch, verify_credential, moment, credential_id, max_list_bytes, cache)
    return _check_bitstring(entry, fetch, verify_credential, moment, max_list_bytes, cache)


def _check_bitstring(
    entry: BitstringEntry | StatusList2021Entry,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime,
    max_list_bytes: int,
    cache: ListCache | None,
) -> StatusResult:
    kind = "bitstring" if isinstance(entry, BitstringEntry) else "2021"
    base = StatusResult(
        entry.pointer, StatusVerdict.UNKNOWN, entry.type, entry.purpose, list_url=entry.list_url, index=entry.index
    )
    try:
        loaded = _load(kind, entry.list_url, fetch, verify_credential, now, max_list_bytes, cache)
        base = _with(base, list_issuer=loaded.issuer, ttl_ms=loaded.ttl_ms)
        if entry.purpose not in loaded.purposes:
            raise StatusError(
                StatusCode.STATUS_VERIFICATION_ERROR,
                f"the entry's statusPurpose {entry.purpose!r} is not among the purposes of the list at "
                f"{entry.list_url} ({', '.join(map(repr, loaded.purposes))})",
                entry.pointer + "/statusPurpose",
            )
        assert loaded.bits is not None  # a bitstring kind always loads bits
        size = entry.size
        require_minimum_length(loaded.bits, size, f"{LIST_LOCATION}/credentialSubject/encodedList")
        try:
            value = read_status(loaded.bits, entry.index, size)
        except StatusError as exc:
            # The index is the credential's own value: point there, and say which list it overshoots.
            raise StatusError(
                exc.code, f"statusListIndex {entry.index:,} is outside the list at {entry.list_url}: {exc.message}",
                entry.pointer + "/statusListIndex",
            ) from None
    except StatusError as exc:
        return _with(base, problem=exc.problem)
    message = entry.message_for(value) if isinstance(entry, BitstringEntry) else None
    return _with(base, verdict=_verdict(entry.purpose, value), value=value, message=message)


def _verdict(purpose: str, value: int) -> StatusVerdict:
    if purpose == "message":
        return StatusVerdict.MESSAGE
    if value == 0:
        return StatusVerdict.VALID
    return {
        "revocation": StatusVerdict.REVOKED,
        "suspension": StatusVerdict.SUSPENDED,
        "refresh": StatusVerdict.REFRESH,
    }.get(purpose, StatusVerdict.SET)


def _check_revocation_list(
    entry: RevocationListEntry,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime,
    credential_id: str | None,
    max_list_bytes: int,
    cache: ListCache | None,
) -> StatusResult:
    base = StatusResult(entry.pointer, StatusVerdict.UNKNOWN, entry.type, "revocation", list_url=entry.list_url)
    if credential_id is None:
        return _with(base, problem=StatusProblem(
            StatusCode.MALFORMED_VALUE_ERROR,
            "the credential has no id, so it cannot be looked up in its 1EdTech revocation list",
            "/id",
        ))
    try:
        loaded = _load("1edtech", entry.list_url, fetch, verify_credential, now, max_list_bytes, cache)
    except StatusError as exc:
        return _with(base, problem=exc.problem)
    assert loaded.revoked is not None
    revoked = credential_id in loaded.revoked
    return _with(
        base,
        verdict=StatusVerdict.REVOKED if revoked else StatusVerdict.VALID,
        value=1 if revoked else 0,
        list_issuer=loaded.issuer,
    )


def _with(result: StatusResult, **changes: Any) -> StatusResult:
    return replace(result, **changes)


def _raw_type(raw: Any) -> str:
    if isinstance(raw, Mapping):
        value = raw.get("type")
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return next((t for t in value if isinstance(t, str)), "")
    return ""


# --- fetching, verifying and decoding a list -----------------------------------------------------------------

def _load(
    kind: str,
    url: str,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime,
    max_list_bytes: int,
    cache: ListCache | None,
) -> _LoadedList:
    key = (kind, url)
    if cache is not None and key in cache:
        cached = cache[key]
        if isinstance(cached, StatusProblem):
            raise StatusError(cached.code, cached.message, cached.location, internal=cached.internal)
        if isinstance(cached, _LoadedList):
            return cached
    try:
        loaded = _load_uncached(kind, url, fetch, verify_credential, now, max_list_bytes)
    except StatusError as exc:
        if cache is not None:
            cache[key] = exc.problem
        raise
    if cache is not None:
        cache[key] = loaded
    return loaded


def _load_uncached(
    kind: str,
    url: str,
    fetch: Fetch,
    verify_credential: CredentialVerifier | None,
    now: datetime,
    max_list_bytes: int,
) -> _LoadedList:
    raw = _fetch(fetch, url)
    if kind == "1edtech":
        bare = _bare_array(raw)
        if bare is not None:
            return _LoadedList(None, ("revocation",), revoked=revoked_ids(bare, url))
    payload = _payload(raw, url)
    document = payload.document
    if kind == "1edtech":
        # The 1EdTech validator does not verify this list; when a verifier is given and the list carries a
        # proof (or came as a JWT), it is checked so a forged list cannot clear a revoked credential.
        if verify_credential is not None and (payload.media == "jwt" or "proof" in document):
            _verify(verify_credential, document, raw, url)
        return _LoadedList(_issuer_of(document), ("revocation",), revoked=revoked_ids(document, url))
    if verify_credential is None:
        raise StatusError(
            StatusCode.STATUS_VERIFICATION_ERROR,
            f"the status list credential at {url} is not verified: no proof verifier is available",
            LIST_LOCATION,
            internal=True,  # a gap in our wiring, not the issuer's defect
        )
    _verify(verify_credential, document, raw, url)
    list_type, subject_type = (
        ("BitstringStatusListCredential", "BitstringStatusList") if kind == "bitstring"
        else ("StatusList2021Credential", "StatusList2021")
    )
    _require_type(document, list_type, url, LIST_LOCATION + "/type")
    _check_validity_window(document, now, url)
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
        subject_where = f"{LIST_LOCATION}/credentialSubject/0"
    else:
        subject_where = f"{LIST_LOCATION}/credentialSubject"
    if not isinstance(subject, Mapping):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status list credential at {url} has no single credentialSubject object",
            subject_where,
        )
    _require_type(subject, subject_type, url, subject_where + "/type")
    purposes = _list_purposes(subject, url, subject_where + "/statusPurpose")
    where = subject_where + "/encodedList"
    if "encodedList" not in subject:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR, f"the status list credential at {url} has no encodedList", where
        )
    decoder = decode_bitstring_list if kind == "bitstring" else decode_statuslist2021
    bits = decoder(subject["encodedList"], max_bytes=max_list_bytes, location=where)
    return _LoadedList(
        _issuer_of(document), purposes, bits=bits, ttl_ms=_ttl(subject, url, subject_where + "/ttl")
    )


def _fetch(fetch: Fetch, url: str) -> bytes:
    try:
        raw = fetch(url)
    except Exception as exc:  # noqa: BLE001 - any failure of the injected client means the list is unreachable
        detail = str(exc) or type(exc).__name__
        # The list's own server saying the list does not exist (404, 410) is the issuer's defect; anything else
        # (offline, a timeout, a refused address, a server error) says nothing about the credential.
        gone = getattr(exc, "status", None) in GONE_STATUSES
        raise StatusError(
            StatusCode.STATUS_RETRIEVAL_ERROR, f"the status list at {url} cannot be retrieved: {detail}", LIST_LOCATION,
            gone=gone,
        ) from None
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise StatusError(
            StatusCode.STATUS_RETRIEVAL_ERROR,
            f"fetching the status list at {url} gave {type(raw).__name__}, not bytes",
            LIST_LOCATION,
            internal=True,
        )
    return bytes(raw)


def _bare_array(raw: bytes) -> list[Any] | None:
    # The credential decoder accepts only objects; a revocation list may be a bare array of ids.
    try:
        if sniff(raw) != "json":
            return None
        value = parse_json(raw, Limits())
    except PayloadError:
        return None
    return value if isinstance(value, list) else None


def _payload(raw: bytes, url: str) -> Payload:
    try:
        payload = decode(raw, Limits())
    except PayloadError as exc:
        # What came back is not a document at all (an HTML error page, a truncated body): the list was not
        # obtained, which says nothing about the credential.
        raise StatusError(
            StatusCode.STATUS_RETRIEVAL_ERROR,
            f"the response from {url} is not a status list document: {exc.message}",
            LIST_LOCATION,
        ) from None
    except Exception as exc:  # noqa: BLE001 - the decoder promises PayloadError; anything else is our bug
        raise StatusError(
            StatusCode.STATUS_RETRIEVAL_ERROR, f"decoding the response from {url} failed: {exc!r}", LIST_LOCATION,
            internal=True,
        ) from None
    if payload.media not in ("json", "jwt"):
        raise StatusError(
            StatusCode.STATUS_RETRIEVAL_ERROR,
            f"the response from {url} is a {payload.media.upper()} image, not a status list document",
            LIST_LOCATION,
        )
    return payload


def _verify(verify_credential: CredentialVerifier, document: Mapping[str, Any], raw: bytes, url: str) -> None:
    try:
        outcome = verify_credential(document, raw)
    except Exception as exc:  # noqa: BLE001 - a verifier that raises could not decide: error, never a pass
        raise StatusError(
            StatusCode.STATUS_VERIFICATION_ERROR,
            f"verifying the status list credential at {url} failed inside the verifier: {exc!r}",
            LIST_LOCATION + "/proof",
            internal=True,
        ) from None
    if isinstance(outcome, bool):
        verified, detail = outcome, None
    else:
        answer = getattr(outcome, "verified", None)
        detail = getattr(outcome, "message", None) or getattr(outcome, "reason", None)
        if not isinstance(answer, bool):
            raise StatusError(
                StatusCode.STATUS_VERIFICATION_ERROR,
                f"the verifier's answer for {url} has no boolean `verified` ({type(outcome).__name__})",
                LIST_LOCATION + "/proof",
                internal=True,
            )
        verified = answer
        if not verified and getattr(outcome, "indeterminate", False) is True:
            # The list's key or contexts could not be had (offline, say): its status is unknown, not false.
            because = f": {detail}" if isinstance(detail, str) and detail else ""
            raise StatusError(
                StatusCode.STATUS_RETRIEVAL_ERROR,
                f"the status list credential at {url} cannot be verified here{because}",
                LIST_LOCATION + "/proof",
            )
    if not verified:
        because = f": {detail}" if isinstance(detail, str) and detail else ""
        raise StatusError(
            StatusCode.STATUS_VERIFICATION_ERROR,
            f"the status list credential at {url} does not verify{because}",
            LIST_LOCATION + "/proof",
        )


def _type_names(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type")
    values = value if isinstance(value, list) else [value]
    return [t for t in values if isinstance(t, str)]


def _require_type(node: Mapping[str, Any], expected: str, url: str, where: str) -> None:
    names = _type_names(node)
    if expected not in names:
        found = ", ".join(names) if names else "no type"
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status list credential at {url} has type {found}; {expected} is expected",
            where,
        )


def _list_purposes(subject: Mapping[str, Any], url: str, where: str) -> tuple[str, ...]:
    raw = subject.get("statusPurpose")
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status list at {url} has statusPurpose {raw!r:.80}; one or more non-empty strings are expected",
            where,
        )
    return tuple(values)


def _ttl(subject: Mapping[str, Any], url: str, where: str) -> int | None:
    if "ttl" not in subject:
        return None
    ttl = subject["ttl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        raise StatusError(
            StatusCode.MALFORMED_VALUE_ERROR,
            f"the status list at {url} has ttl {ttl!r:.40}; a non-negative integer of milliseconds is expected",
            where,
        )
    return ttl


def _instant(value: Any, url: str, where: str) -> datetime:
    if isinstance(value, str) and 10 < len(value) <= 64:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise StatusError(
        StatusCode.MALFORMED_VALUE_ERROR,
        f"the status list credential at {url} has {where.rsplit('/', 1)[-1]} {value!r:.80}; a date-time is expected",
        where,
    )


def _check_validity_window(document: Mapping[str, Any], now: datetime, url: str) -> None:
    """The list credential holds at the run's judging instant `now` (one instant for the whole run)."""
    for start_key in ("validFrom", "issuanceDate"):
        if start_key in document:
            start = _instant(document[start_key], url, f"{LIST_LOCATION}/{start_key}")
            if now < start:
                raise StatusError(
                    StatusCode.STATUS_VERIFICATION_ERROR,
                    f"the status list credential at {url} has {start_key} {document[start_key]}, after the judging "
                    f"instant {_stamp(now)}: the list is not valid yet",
                    f"{LIST_LOCATION}/{start_key}",
                )
    for end_key in ("validUntil", "expirationDate"):
        if end_key in document:
            end = _instant(document[end_key], url, f"{LIST_LOCATION}/{end_key}")
            if now > end:
                raise StatusError(
                    StatusCode.STATUS_VERIFICATION_ERROR,
                    f"the status list credential at {url} has {end_key} {document[end_key]}, before the judging "
                    f"instant {_stamp(now)}: the list has expired",
                    f"{LIST_LOCATION}/{end_key}",
                )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _issuer_of(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None
