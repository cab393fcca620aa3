"""One run's verification services: proofs, JWT signatures, keys, status lists and issuer trust.

Subject views call these; checks only read the results. Everything a verification must fetch (did:web and https
controller documents, status list credentials) goes through `fetch`: first the run's known documents (files the
user or a vector manifest supplies by URL), then, only with --online, the guarded HTTP client. Offline, a fetch
fails with a message that names the URL, which the libraries turn into "could not tell", never a pass. A known
document may also stand for a DID of any method (did:example included): key retrieval reads it instead of
resolving the DID, so an offline run decides what an online run with that DID document would.

Time: a run judges everything time-bound (proof created and expires, JWT nbf and exp, validity periods, status
lists, trust entries) at one judging instant, `VerificationOptions.now`, fixed once when the run starts
(`judging_instant`). Options without an instant (a long-running reference service) read the clock instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from conformance.core import work
from conformance.support.formats import JwtCredential, Limits, PayloadError, decode
from conformance.support.net import FetchError, FetchReason
from conformance.support.securing.jose import (
    ControllerDocumentJwsResolver,
    JwtVerification,
    verify_jwt_credential,
)
from conformance.support.securing.keys import VerificationMethodResolver
from conformance.support.securing.proofs import (
    Canonicalizer,
    ControllerDocumentResolver,
    VerificationResult,
    verify,
)
from conformance.support.securing.status import StatusResult, check_credential_status
from conformance.support.securing.trust import TrustDecision, TrustList, issuer_id_of

if TYPE_CHECKING:
    from conformance.support.engines.jsonld import ContextLoader, SafeModeExpander


@dataclass(frozen=True, slots=True)
class VerificationOptions:
    """What the verifier expects of proofs: a presentation's challenge and domain, and the moment of verification."""

    challenge: str | None = None
    domain: tuple[str, ...] | None = None
    now: datetime | None = None          # the judging instant; None: the wall clock at each verification
    trust_list: TrustList | None = None  # the issuers the relying party accepts; None: nobody said

    def instant(self) -> datetime:
        """The instant time-bound rules are judged at: the run's fixed instant, else the clock right now."""
        return self.now if self.now is not None else datetime.now(UTC)


# RFC 3339 date-time with a time zone (ISO 8601 extended form): Z or a numeric offset is required, so an instant
# never depends on the machine's zone.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})$")


def parse_instant(text: str) -> datetime:
    """A judging instant from its RFC 3339 / ISO 8601 text (2026-12-07T17:00:00Z, 2026-12-07T12:00:00-05:00).

    Raises ValueError with a one-line message for a date alone, a time without a zone, or anything else."""
    value = text.strip() if isinstance(text, str) else text
    if not isinstance(value, str) or not _INSTANT.match(value):
        raise ValueError(f"{text!r} is not a date-time with a time zone; expected one such as 2026-12-07T17:00:00Z")
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    except ValueError as exc:
        raise ValueError(f"{text!r} names no real date-time ({exc}); expected one such as 2026-12-07T17:00:00Z") \
            from None
    return parsed.astimezone(UTC)


def judging_instant(text: str | None = None) -> datetime:
    """The one instant a run judges at: `text` parsed (parse_instant), or the clock now, to the whole second (the
    instant a report records is then exactly the one every rule used)."""
    if text is not None:
        return parse_instant(text)
    return datetime.now(UTC).replace(microsecond=0)


def format_instant(moment: datetime) -> str:
    """An instant as RFC 3339 text in UTC: 2026-12-07T17:00:00Z (fractions of a second only when it has them)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class NotFetched(Exception):
    """A document the run may not fetch (offline) or that no known document supplies."""


@dataclass(frozen=True, slots=True)
class ListVerification:
    """The status list credential's own verification, in the shape the status package reads."""

    verified: bool
    message: str = ""
    indeterminate: bool = False         # not verified only because something could not be had (a key offline)


class Verifier:
    def __init__(self, *, loader: ContextLoader, expander: SafeModeExpander, limits: Limits,
                 online_fetch: Callable[[str], bytes] | None = None,
                 documents: Mapping[str, bytes | None] | None = None,
                 options: VerificationOptions = VerificationOptions()):
        self._online_fetch = online_fetch
        self._documents = dict(documents or {})
        self.limits = limits
        self.options = options
        self.canonicalizer = Canonicalizer(loader, expander=expander)
        self.methods = VerificationMethodResolver(self.fetch, known=self.known_document)
        self._proof_keys = ControllerDocumentResolver(self.methods)
        self._jws_keys = ControllerDocumentJwsResolver(self.methods)
        self._failed_fetches: dict[str, Exception] = {}     # shared by every twin (with_options) of this run
        # loaded status lists, one cache per judging instant: a list's own validity is judged when it is loaded
        self._status_lists: dict[datetime | None, dict[tuple[str, str], Any]] = {}

    def with_options(self, options: VerificationOptions) -> Verifier:
        """The same services (caches included) expecting other challenge, domain or time, exactly as given: a live
        exchange's verifier (counter-party, references) passes no instant and so judges what it receives at the
        clock, when it arrives. Environment.with_options is the one that keeps a run's judging instant."""
        twin = object.__new__(Verifier)
        twin.__dict__.update(self.__dict__)
        twin.options = options
        return twin

    def known_document(self, url: str) -> bytes | None:
        """The document the run was given for a URL or a DID; None when it was given none (or marked it gone)."""
        return self._documents.get(url)

    def fetch(self, url: str) -> bytes:
        if url in self._documents:
            known = self._documents[url]
            if known is None:           # a known document marked gone: its server answers 410
                raise FetchError(FetchReason.HTTP_STATUS, f"{url} answers 410 Gone", url=url, status=410)
            return known
        if self._online_fetch is None:
            raise NotFetched(f"{url} is not fetched: network access is off (use --online)")
        failed = self._failed_fetches.get(url)
        if failed is not None:
            # one run asks once: ten proofs naming a method whose server hangs cost one timeout, not ten
            raise failed
        work.charge("fetches")
        try:
            return self._online_fetch(url)
        except (FetchError, NotFetched) as exc:
            self._failed_fetches[url] = exc
            raise

    def data_integrity(self, document: Mapping[str, Any], *, presentation: bool) -> VerificationResult:
        """Every proof on the document, with the purpose a verifier expects of its kind."""
        options = self.options
        return verify(document, resolver=self._proof_keys, canonicalizer=self.canonicalizer,
                      expected_purpose="authentication" if presentation else "assertionMethod",
                      now=options.now,
                      challenge=options.challenge if presentation else None,
                      domain=options.domain if presentation else None)

    def jwt(self, credential: JwtCredential) -> JwtVerification:
        work.charge("proofs")
        return verify_jwt_credential(credential, self._jws_keys, now=self.options.now)

    def status(self, document: Mapping[str, Any]) -> tuple[StatusResult, ...]:
        return check_credential_status(document, fetch=self.fetch, verify_credential=self._verify_list,
                                       now=self.options.now,
                                       cache=self._status_lists.setdefault(self.options.now, {}))

    def trust(self, document: Mapping[str, Any]) -> TrustDecision | None:
        """None when the run has no trust list: nobody said which issuers to trust."""
        trust_list = self.options.trust_list
        if trust_list is None:
            return None
        return trust_list.decide(issuer_id_of(document), self.options.now)

    def _verify_list(self, document: Mapping[str, Any], raw: bytes) -> ListVerification:
        """A status list credential holds only if its own securing verifies (an embedded proof or a JWT)."""
        try:
            payload = decode(raw, self.limits)
        except PayloadError as exc:
            return ListVerification(False, f"the status list credential cannot be read: {exc}")
        if payload.jwt is not None:
            result = self.jwt(payload.jwt)
            return ListVerification(result.verified, result.signature.message,
                                    result.signature.reason == "key-unavailable")
        if "proof" not in payload.document:
            return ListVerification(False, "the status list credential carries no proof and is not a JWT")
        checked = verify(payload.document, resolver=self._proof_keys, canonicalizer=self.canonicalizer,
                         now=self.options.now)
        return ListVerification(checked.verified, checked.message, checked.indeterminate)
