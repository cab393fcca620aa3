"""The one table from a securing result's reason code to what it means for the credential.

Both verifiers speak in stable reason codes: Data Integrity (`integrity.Reason`) and JOSE (`jose.JoseReason`); a
code both use means the same in both (key-unavailable, signature-mismatch...). Every check that turns a securing
result into a finding (the DI10 steps, the shared "verifies with the issuer's key" rules of OB30, CLR20, VCJOSE10
and VCDM11) asks this table, so a result is never the credential's defect in one report and the suite's limit in
another.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = ["OUTCOMES", "Judgement", "UnknownReason", "outcome_of"]


class Judgement(StrEnum):
    """What a reason says about the credential, as a finding will say it."""

    VERIFIED = "verified"            # the securing holds
    FAILED = "failed"                # the credential's defect: a conforming verifier rejects it
    UNSUPPORTED = "unsupported"      # cantTell: a registered mechanism (cryptosuite, alg, DID method) the suite lacks
    UNAVAILABLE = "unavailable"      # cantTell: something needed could not be had (a key whose server is offline)
    NOT_EVALUATED = "not-evaluated"  # error: the suite stopped (a work bound, an artifact it does not hold)

    @property
    def undecided(self) -> bool:
        """Neither verified nor failed: the suite could not find out, so never a pass and never the target's fault."""
        return self in (Judgement.UNSUPPORTED, Judgement.UNAVAILABLE, Judgement.NOT_EVALUATED)


_V, _F, _S, _U, _N = (Judgement.VERIFIED, Judgement.FAILED, Judgement.UNSUPPORTED, Judgement.UNAVAILABLE,
                      Judgement.NOT_EVALUATED)

OUTCOMES: Final[Mapping[str, Judgement]] = MappingProxyType({
    # shared by both verifiers
    "verified": _V,
    "signature-mismatch": _F,
    "key-not-found": _F,                # the document names a key that is not where it says
    "key-unavailable": _U,              # the key's controller could not be reached (offline, no answer)
    "key-unsupported": _S,              # a DID method, key type or key discovery the suite does not implement
    "expired": _F,
    # Data Integrity
    "no-proof": _F,
    "malformed-proof": _F,
    "unknown-proof-type": _F,           # a proof type no registry lists
    "unknown-cryptosuite": _F,          # a cryptosuite name no registry lists: no verifier can follow it
    "unsupported-proof-type": _S,       # a registered legacy proof type the suite does not verify
    "unsupported-cryptosuite": _S,      # a registered cryptosuite the suite does not verify (ecdsa-sd-2023...)
    "bad-proof-value": _F,
    "context-mismatch": _F,
    "wrong-purpose": _F,
    "created-in-future": _F,
    "challenge-mismatch": _F,
    "domain-mismatch": _F,
    "previous-proof-missing": _F,
    "key-not-authorized": _F,
    "key-type-mismatch": _F,
    "canonicalization-failed": _F,
    "undefined-term": _F,
    "canonicalization-timeout": _N,     # the suite's work bound stopped RDFC-1.0
    "context-unavailable": _N,          # a context the suite does not hold (unpinned, offline)
    # JOSE
    "malformed": _F,
    "alg-none": _F,
    "alg-symmetric": _F,                # a shared-secret MAC: no public verifier can check it
    "alg-not-allowed": _F,              # an alg no JOSE registry lists
    "alg-unsupported": _S,              # a registered alg the suite does not implement (ES256K, Ed448...)
    "crit-unsupported": _S,             # a critical extension the suite does not implement
    "key-invalid": _F,
    "private-key-leak": _F,
    "key-alg-mismatch": _F,
    "not-yet-valid": _F,
})


class UnknownReason(KeyError):
    """A verifier gave a reason this table does not list: a defect in the suite, reported as an error."""


def outcome_of(reason: str | None) -> Judgement:
    """What `reason` means for the credential; None (no reason) is a verified result. Raises UnknownReason for a
    code no verifier should give, so a new code cannot slip through as a pass or a failure."""
    if reason is None:
        return Judgement.VERIFIED
    try:
        return OUTCOMES[reason]
    except KeyError:
        raise UnknownReason(reason) from None
