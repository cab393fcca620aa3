"""A credential's validity period at the run's judging instant: findings shared by VCDM20, VCDM11, OB30 and CLR20.

The data-model rules (the date formats, VCDM20-validity-order, VCDM11-expiration-after-issuance) judge what the
dates say; the rules here judge whether the credential holds at one instant, the run's (VerificationOptions.now,
fixed once per run by `check --at` or when the run starts). An expired credential can still be a conformant
document, so these rules are apart from the data model and tagged `verification` (the data-model profile leaves
them out).

Allowances, so a credential issued while a live run goes on is not failed for the clocks of two machines: the start
of a period (validFrom, issuanceDate) may lie up to the clock skew DI10 allows a proof's created after the instant;
a JWT's nbf and exp get the leeway the suite's JWT verifier allows (RFC 7519 section 4.1.4). The end of a period a
credential states (validUntil, expirationDate) gets none: at the judging instant it has passed or it has not.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from conformance.core.checks import CheckContext, describe
from conformance.core.findings import Finding
from conformance.core.predicates import claim_location, instant, pointer
from conformance.core.subject import Subject
from conformance.support.securing.jose import DEFAULT_LEEWAY
from conformance.support.securing.proofs.integrity import DEFAULT_CLOCK_SKEW
from conformance.support.securing.verifier import format_instant

__all__ = ["Bound", "claim_bounds", "judge_bounds", "mapped_properties", "property_bounds", "seconds_of",
           "verification_period"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
START_SKEW = DEFAULT_CLOCK_SKEW                     # the allowance DI10 gives a proof's created
CLAIM_LEEWAY = timedelta(seconds=DEFAULT_LEEWAY)    # the allowance the suite's JWT verifier gives nbf and exp


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a validity period as the credential states it: a property, or a JWT claim beside or around it."""

    name: str             # validFrom, validUntil, issuanceDate, expirationDate; nbf or exp for a JWT claim
    location: str         # a JSON pointer, or (JWT claims)/exp beside a VC-JWT 1.1 credential
    value: Any            # as written
    starts: bool          # the start of the period; else its end
    claim: bool = False   # a JWT NumericDate, read by RFC 7519 (exp excludes its own instant)

    def seconds(self) -> Fraction | None:
        """Exact seconds since 1970, or None when the value names no instant. A date-time without an offset reads
        as UTC, as both data models say."""
        if not self.claim:
            return instant(self.value)
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return Fraction(value)

    def label(self) -> str:
        if not self.claim:
            return f"{self.name} {_shown(self.value)}"
        seconds = self.seconds()
        readable = _readable(seconds)
        return f"the {self.name} claim {_shown(self.value)}" + (f" ({readable})" if readable else "")


def seconds_of(moment: datetime) -> Fraction:
    """Exact seconds since 1970 of an aware datetime."""
    return _span(moment.astimezone(UTC) - _EPOCH)


def _span(length: timedelta) -> Fraction:
    return Fraction(length // timedelta(microseconds=1), 1_000_000)


def property_bounds(document: Mapping[str, Any], start: str, end: str, *,
                    skip: Sequence[str] = ()) -> list[Bound]:
    """The credential's own start and end properties that are present, except those named in `skip`."""
    return [Bound(key, pointer(key), document[key], starts=key == start)
            for key in (start, end) if key in document and key not in skip]


def claim_bounds(claims: Any, style: str) -> list[Bound]:
    """A JWT's nbf and exp claims that are present."""
    if not isinstance(claims, Mapping):
        return []
    return [Bound(name, claim_location(style, name), claims[name], starts=name == "nbf", claim=True)
            for name in ("nbf", "exp") if name in claims]


def judge_bounds(ctx: CheckContext, bounds: Sequence[Bound], at: datetime, *, format_rules: str) -> Iterator[Finding]:
    """One finding per bound at the judging instant `at`: passed, failed (not valid yet, or expired), or cantTell
    when the value names no instant (`format_rules` names the rules that judge its form)."""
    now = seconds_of(at)
    shown_at = format_instant(at)
    for bound in bounds:
        seconds = bound.seconds()
        if seconds is None:
            yield ctx.cant_tell(f"{bound.label()} names no instant, so whether the {_what(bound)} holds at the "
                                f"judging instant {shown_at} cannot be told (its form is judged by {format_rules})",
                                bound.location)
            continue
        allowance = _span(CLAIM_LEEWAY if bound.claim else START_SKEW if bound.starts else timedelta(0))
        if bound.starts:
            yield from _judge_start(ctx, bound, seconds, now, allowance, shown_at)
        else:
            yield from _judge_end(ctx, bound, seconds, now, allowance, shown_at)


def _judge_start(ctx: CheckContext, bound: Bound, seconds: Fraction, now: Fraction, allowance: Fraction,
                 shown_at: str) -> Iterator[Finding]:
    if seconds > now + allowance:
        yield ctx.fail(bound.location, found=bound.value,
                       expected=f"{_article(bound.name)} {bound.name} at or before the judging instant {shown_at}",
                       message=f"{bound.label()} is after the judging instant {shown_at}: the "
                               f"{_what(bound)} is not valid yet")
    elif seconds > now:
        yield ctx.passed(f"{bound.label()} is after the judging instant {shown_at} by less than the "
                         f"{_duration(allowance)} of clock skew allowed", bound.location)
    else:
        yield ctx.passed(f"{bound.label()} is not after the judging instant {shown_at}", bound.location)


def _judge_end(ctx: CheckContext, bound: Bound, seconds: Fraction, now: Fraction, allowance: Fraction,
               shown_at: str) -> Iterator[Finding]:
    # a claimed exp is the first instant the JWT is no longer accepted; a validUntil the last one it holds
    expired = seconds <= now - allowance if bound.claim else seconds < now
    if expired:
        yield ctx.fail(bound.location, found=bound.value,
                       expected=f"{_article(bound.name)} {bound.name} after the judging instant {shown_at}",
                       message=f"{bound.label()} is before the judging instant {shown_at}: the "
                               f"{_what(bound)} has expired")
    elif seconds <= now:
        yield ctx.passed(f"{bound.label()} is not after the judging instant {shown_at}, but within the "
                         f"{_duration(allowance)} of leeway allowed", bound.location)
    else:
        yield ctx.passed(f"{bound.label()} is not before the judging instant {shown_at}", bound.location)


def verification_period(subject: Subject, ctx: CheckContext, *, modern: bool, format_rules: str) -> Iterator[Finding]:
    """The 1EdTech verification step (OB 3.0, CLR 2.0): the credential is neither not yet valid nor expired at the
    judging instant, by validFrom and validUntil (issuanceDate and expirationDate when `modern` is false, the VC 1.1
    shape) and, for a VC-JWT, by its nbf and exp claims. A vc+jwt token's claims describe its signature (VC-JOSE-COSE)
    and are left to VCJOSE10."""
    start, end = ("validFrom", "validUntil") if modern else ("issuanceDate", "expirationDate")
    jwt = subject.payload.jwt
    if jwt is not None and jwt.style not in ("vc-jwt-1.1", "jwt-claims"):
        jwt = None                  # a vc+jwt token: its claims are the signature's, not the credential's
    bounds: list[Bound] = []
    mapped: tuple[str, ...] = ()
    if jwt is not None:
        bounds += claim_bounds(jwt.jws.payload, jwt.style)
        # in a VC-JWT 1.1 the dates were set from nbf and exp: judging both would report one fact twice
        mapped = mapped_properties(jwt)
    bounds = property_bounds(subject.document, start, end, skip=mapped) + bounds
    if not bounds:
        claims = ", and its JWT has neither nbf nor exp" if jwt is not None else ""
        yield ctx.inapplicable(f"the credential states neither {start} nor {end}{claims}: its validity period is open")
        return
    yield from judge_bounds(ctx, bounds, subject.verification_options.instant(), format_rules=format_rules)


def mapped_properties(jwt: Any) -> tuple[str, ...]:
    """The credential properties a VC-JWT 1.1 decoder set from claims (nbf -> issuanceDate, exp -> expirationDate)."""
    if jwt is None or jwt.style != "vc-jwt-1.1":
        return ()
    names = {"nbf": "issuanceDate", "exp": "expirationDate"}
    return tuple(names[claim] for claim in jwt.mapped_claims if claim in names)


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" or name == "nbf" else "a"


def _what(bound: Bound) -> str:
    # a JWT's claims bound the token (a presentation's too); a property bounds the credential that states it
    return "JWT" if bound.claim else "credential"


def _readable(seconds: Fraction | None) -> str:
    if seconds is None:
        return ""
    try:
        return format_instant(_EPOCH + timedelta(seconds=float(seconds)))
    except (OverflowError, ValueError):
        return ""


def _duration(allowance: Fraction) -> str:
    whole = int(allowance)
    if whole % 60 == 0 and whole >= 120:
        minutes = whole // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{whole} seconds"


def _shown(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= 80 else describe(value)
