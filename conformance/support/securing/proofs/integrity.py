"""Adding and verifying Data Integrity proofs: single proofs, proof sets and proof chains.

A document's `proof` is one proof or a list. In a set every proof signs the document alone; a proof that names
others in `previousProof` signs the document with exactly those proofs attached (a chain). Verification mirrors
that: each proof is checked against the document plus the proofs it names, and all of them must hold.

Results are small values a check can turn into findings: `reason` is a stable code, `message` says what was
expected and what was found, `pointer` says where. What a reason means for the credential is `outcomes.outcome_of`;
`indeterminate` marks results the verifier could not decide (a mechanism the suite does not implement, a context or
key that cannot be had, a canonicalization stopped by its budget): never a pass, never the document's fault.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, Literal

from conformance.core import work
from conformance.core.predicates import instant, is_datetime
from conformance.support.securing.proofs.canonical import CanonicalizationError, Canonicalizer
from conformance.support.securing.proofs.keys import KeyResolutionError, KeyResolver, PrivateKey, ResolvedKey
from conformance.support.securing.proofs.multibase import MultibaseError, decode_base58btc, encode_base58btc
from conformance.support.securing.proofs.outcomes import outcome_of
from conformance.support.securing.proofs.suites import (
    DATA_INTEGRITY_PROOF,
    DEFAULT_SUITES,
    REGISTERED_CRYPTOSUITES,
    REGISTERED_PROOF_TYPES,
    Cryptosuite,
    SuiteError,
    suite_named,
)

Reason = Literal[
    "no-proof", "malformed-proof", "unknown-proof-type", "unknown-cryptosuite", "unsupported-proof-type",
    "unsupported-cryptosuite", "bad-proof-value",
    "context-mismatch", "wrong-purpose", "expired", "created-in-future", "challenge-mismatch", "domain-mismatch",
    "previous-proof-missing", "key-not-found", "key-not-authorized", "key-unavailable", "key-unsupported",
    "key-type-mismatch", "canonicalization-failed", "canonicalization-timeout", "context-unavailable",
    "undefined-term", "signature-mismatch",
]

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ProofResult:
    pointer: str                      # JSON pointer of the proof: /proof or /proof/<index>
    verified: bool
    reason: Reason | None = None
    message: str = ""
    proof_type: str | None = None
    cryptosuite: str | None = None
    proof_id: str | None = None
    verification_method: str | None = None
    controller: str | None = None     # of the key that verified, for issuer checks
    # When the proof stopped only at the time check (expired, created-in-future): how the steps after it ended.
    # Data Integrity's verify-proof algorithm has no time step, so the verifier goes on and the signature is still
    # decided; `verified` and `reason` keep the time stop for every reader that treats it as a failure.
    after_time: ProofResult | None = None

    @property
    def indeterminate(self) -> bool:
        return not self.verified and outcome_of(self.reason).undecided


@dataclass(frozen=True, slots=True)
class VerificationResult:
    verified: bool
    proofs: tuple[ProofResult, ...] = ()
    reason: Reason | None = None      # of the first failing proof (or no-proof)
    message: str = ""
    pointer: str = "/proof"

    @property
    def failures(self) -> tuple[ProofResult, ...]:
        return tuple(p for p in self.proofs if not p.verified)

    @property
    def indeterminate(self) -> bool:
        """Not verified, and only because something could not be evaluated (no definite defect was found)."""
        failures = self.failures
        return not self.verified and bool(failures) and all(p.indeterminate for p in failures)


class ProofError(Exception):
    """Signing could not produce a proof (a bad argument, a document that cannot be canonicalized)."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message


class _Failure(Exception):
    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _utc_seconds(moment: datetime) -> Fraction:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return Fraction(delta.days * 86400 + delta.seconds) + Fraction(delta.microseconds, 1_000_000)


def format_datetime(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC with whole seconds, as proofs usually carry it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _select_suite(proof: Mapping[str, Any], suites: Sequence[Cryptosuite]) -> Cryptosuite:
    proof_type, name = proof.get("type"), proof.get("cryptosuite")
    if proof_type == DATA_INTEGRITY_PROOF:
        if not isinstance(name, str):
            raise _Failure("malformed-proof", f"expected a cryptosuite string in a {DATA_INTEGRITY_PROOF}, "
                                              f"found {_shown(name)}")
        for suite in suites:
            if suite.proof_type == DATA_INTEGRITY_PROOF and suite.cryptosuite == name:
                return suite
        if name in REGISTERED_CRYPTOSUITES:
            raise _Failure("unsupported-cryptosuite", f"{name} is a registered cryptosuite this verifier does not "
                                                      "implement")
        known = ", ".join(s.cryptosuite for s in suites if s.cryptosuite)
        raise _Failure("unknown-cryptosuite", f"expected a registered cryptosuite ({known}, or one of "
                                              f"{', '.join(sorted(REGISTERED_CRYPTOSUITES))}), found {name!r}, "
                                              "which no registry lists")
    for suite in suites:
        if suite.proof_type == proof_type and suite.cryptosuite is None:
            if name is not None:
                raise _Failure("malformed-proof", f"expected no cryptosuite in a {proof_type} proof, "
                                                  f"found {_shown(name)}")
            return suite
    if isinstance(proof_type, str) and proof_type in REGISTERED_PROOF_TYPES:
        raise _Failure("unsupported-proof-type", f"{proof_type} is a registered proof type this verifier does not "
                                                 "implement")
    known = ", ".join(sorted({s.proof_type for s in suites}))
    raise _Failure("unknown-proof-type", f"expected a proof type this verifier knows ({known}), "
                                         f"found {_shown(proof_type)}")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _required_string(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str) or not value:
        raise _Failure("malformed-proof", f"expected {name} to be a non-empty string, found {_shown(value)}")
    return value


# What each suite's signature decodes to: Ed25519 64 bytes; ECDSA r||s, 64 bytes on P-256 and 96 on P-384.
_SIGNATURE_SIZES: dict[str, frozenset[int]] = {
    "eddsa-rdfc-2022": frozenset({64}), "Ed25519Signature2020": frozenset({64}), "ecdsa-rdfc-2019": frozenset({64, 96}),
    "eddsa-2022": frozenset({64}),
}


def _check_shape(proof: Any, suites: Sequence[Cryptosuite]) -> None:
    """Every member rule of a proof, before any other step: a malformed proof is reported as malformed, whatever
    else is wrong with it."""
    if not isinstance(proof, Mapping):
        raise _Failure("malformed-proof", f"expected a proof object, found {_shown(proof)}")
    # the legacy proof types the suite does not verify carry their signature elsewhere (jws): their own
    # specifications judge that, not Data Integrity's proofValue rule
    legacy = isinstance(proof.get("type"), str) and proof["type"] in REGISTERED_PROOF_TYPES
    members = ("type", "proofPurpose", "verificationMethod") if legacy \
        else ("type", "proofPurpose", "verificationMethod", "proofValue")
    for name in members:
        _required_string(proof, name)
    if proof["type"] == DATA_INTEGRITY_PROOF:
        _required_string(proof, "cryptosuite")
    elif proof.get("created") is None and any(s.proof_type == proof["type"] and s.cryptosuite is None for s in suites):
        raise _Failure("malformed-proof", f"expected created in a {proof['type']} proof, found none")
    for name in ("created", "expires"):
        if name in proof and not is_datetime(proof[name]):
            raise _Failure("malformed-proof", f"expected {name} to be an XML Schema dateTime, "
                                              f"found {_shown(proof[name])}")
    if "previousProof" in proof:
        ids = _as_list(proof["previousProof"])
        if not ids or not all(isinstance(i, str) for i in ids):
            raise _Failure("malformed-proof", f"expected previousProof to be a proof id or a list of them, "
                                              f"found {_shown(proof['previousProof'])}")


_TIME_REASONS: frozenset[str] = frozenset({"expired", "created-in-future"})


def _time_stop(proof: Mapping[str, Any], suite: Cryptosuite, now: Fraction, skew: timedelta) -> _Failure | None:
    """The time check: a malformed date stops verification (raised); an expired or future-dated proof is returned,
    so the caller can record it and go on with the remaining steps."""
    try:
        _check_times(proof, suite, now, skew)
    except _Failure as failure:
        if failure.reason in _TIME_REASONS:
            return failure
        raise
    return None


def _check_times(proof: Mapping[str, Any], suite: Cryptosuite, now: Fraction, skew: timedelta) -> None:
    created = proof.get("created")
    if created is None and suite.cryptosuite is None:
        raise _Failure("malformed-proof", f"expected created in a {suite.proof_type} proof, found none")
    if created is not None:
        if not is_datetime(created):
            raise _Failure("malformed-proof", f"expected created to be an XML Schema dateTime, found {_shown(created)}")
        moment = instant(created)
        if moment is not None and moment > now + Fraction(int(skew.total_seconds())):
            raise _Failure("created-in-future", f"expected created at or before the verification time, found "
                                                f"{created}")
    expires = proof.get("expires")
    if expires is not None:
        if not is_datetime(expires):
            raise _Failure("malformed-proof", f"expected expires to be an XML Schema dateTime, found {_shown(expires)}")
        moment = instant(expires)
        if moment is not None and moment < now:
            raise _Failure("expired", f"expected the proof to be unexpired at verification time, found expires "
                                      f"{expires}")


def _check_challenge_domain(proof: Mapping[str, Any], challenge: str | None,
                            domain: str | Sequence[str] | None) -> None:
    if challenge is not None and proof.get("challenge") != challenge:
        raise _Failure("challenge-mismatch", f"expected challenge {challenge!r}, found {_shown(proof.get('challenge'))}")
    if domain is not None:
        expected = {domain} if isinstance(domain, str) else set(domain)
        found = proof.get("domain")
        values = _as_list(found) if found is not None else []
        if not all(isinstance(v, str) for v in values) or set(values) != expected:
            raise _Failure("domain-mismatch", f"expected domain {sorted(expected)}, found {_shown(found)}")


def _context_for(document: Mapping[str, Any], proof: Mapping[str, Any]) -> Any:
    """The @context the proof configuration is canonicalized with: a proof's own context must lead the document's."""
    document_context = document.get("@context")
    if "@context" not in proof:
        return document_context
    proof_context = proof["@context"]
    own, theirs = _as_list(proof_context), _as_list(document_context)
    if theirs[:len(own)] != own:
        raise _Failure("context-mismatch", f"expected the document's @context to begin with the proof's @context "
                                           f"{_shown(proof_context)}, found {_shown(document_context)}")
    return proof_context


def _verify_one(unsecured: Mapping[str, Any], proof: Any, pointer: str, *, resolver: KeyResolver,
                canonicalizer: Canonicalizer, expected_purpose: str, now: Fraction, skew: timedelta,
                challenge: str | None, domain: str | Sequence[str] | None,
                suites: Sequence[Cryptosuite]) -> ProofResult:
    if not isinstance(proof, Mapping):
        return ProofResult(pointer, False, "malformed-proof", f"expected a proof object, found {_shown(proof)}")
    proof_type = proof.get("type") if isinstance(proof.get("type"), str) else None
    cryptosuite = proof.get("cryptosuite") if isinstance(proof.get("cryptosuite"), str) else None
    proof_id = proof.get("id") if isinstance(proof.get("id"), str) else None
    method = proof.get("verificationMethod") if isinstance(proof.get("verificationMethod"), str) else None
    facts = {"proof_type": proof_type, "cryptosuite": cryptosuite, "proof_id": proof_id,
             "verification_method": method}
    try:
        suite = _select_suite(proof, suites)
        purpose = _required_string(proof, "proofPurpose")
        method = _required_string(proof, "verificationMethod")
        proof_value = _required_string(proof, "proofValue")
        if purpose != expected_purpose:
            raise _Failure("wrong-purpose", f"expected proofPurpose {expected_purpose!r}, found {purpose!r}")
        time_stop = _time_stop(proof, suite, now, skew)
    except _Failure as failure:
        return ProofResult(pointer, False, failure.reason, failure.message, **facts)
    except SuiteError as exc:
        return ProofResult(pointer, False, exc.reason, exc.message, **facts)
    rest = _verify_after_time(unsecured, proof, pointer, suite, purpose, method, proof_value, facts,
                              resolver=resolver, canonicalizer=canonicalizer, challenge=challenge, domain=domain)
    if time_stop is None:
        return rest
    return ProofResult(pointer, False, time_stop.reason, time_stop.message, **facts, after_time=rest)


def _verify_after_time(unsecured: Mapping[str, Any], proof: Mapping[str, Any], pointer: str, suite: Cryptosuite,
                       purpose: str, method: str, proof_value: str, facts: Mapping[str, Any], *,
                       resolver: KeyResolver, canonicalizer: Canonicalizer, challenge: str | None,
                       domain: str | Sequence[str] | None) -> ProofResult:
    """The verification steps after the time check, through the signature."""
    try:
        _check_challenge_domain(proof, challenge, domain)
        try:
            signature = decode_base58btc(proof_value)
        except MultibaseError as exc:
            raise _Failure("bad-proof-value", f"proofValue: {exc}") from None
        sizes = _SIGNATURE_SIZES.get(suite.name)
        if sizes is not None and len(signature) not in sizes:
            raise _Failure("bad-proof-value", f"expected a {suite.name} signature of "
                                              f"{' or '.join(str(n) for n in sorted(sizes))} bytes in proofValue, "
                                              f"found {len(signature)} bytes")
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        context = _context_for(unsecured, proof)
        document = dict(unsecured)
        document["@context"] = context
        config["@context"] = context
        # data loss is a property of the document alone: judged before any key is looked up
        canonicalizer.check_terms(document)
        canonicalizer.check_terms(config)
        key = _resolve(resolver, method, purpose)
        data = suite.hash_data(document, config, canonicalizer, key.public_key)
        suite.verify(key.public_key, signature, data)
    except _Failure as failure:
        return ProofResult(pointer, False, failure.reason, failure.message, **facts)
    except SuiteError as exc:
        return ProofResult(pointer, False, exc.reason, exc.message, **facts)
    except CanonicalizationError as exc:
        return ProofResult(pointer, False, exc.reason, exc.message, **facts)
    return ProofResult(pointer, True, None, f"the {suite.name} proof verifies with {method}", **facts,
                       controller=key.controller)


def _resolve(resolver: KeyResolver, method: str, purpose: str) -> ResolvedKey:
    try:
        return resolver.resolve(method, purpose)
    except KeyResolutionError as exc:
        raise _Failure(exc.reason, exc.message) from None
    except Exception as exc:  # noqa: BLE001 - a plugged-in resolver's failure means "could not tell", never a pass
        raise _Failure("key-unavailable", f"resolving {method} failed: {exc}") from None


def verify(document: Any, *, resolver: KeyResolver, canonicalizer: Canonicalizer,
           expected_purpose: str = "assertionMethod", now: datetime | None = None,
           challenge: str | None = None, domain: str | Sequence[str] | None = None,
           max_clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
           suites: Sequence[Cryptosuite] = DEFAULT_SUITES) -> VerificationResult:
    """Verify every proof on `document` (a set, a chain, or one proof); all must hold."""
    if not isinstance(document, Mapping) or "proof" not in document:
        return VerificationResult(False, (), "no-proof", "expected a proof on the document, found none", "")
    raw = document["proof"]
    proofs = _as_list(raw)
    if not proofs:
        return VerificationResult(False, (), "no-proof", "expected at least one proof, found an empty list")
    pointers = [f"/proof/{i}" if isinstance(raw, list) else "/proof" for i in range(len(proofs))]
    moment = _utc_seconds(now if now is not None else datetime.now(UTC))
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    results: list[ProofResult] = []
    by_id = _indexes_by_id(proofs)
    for index, proof in enumerate(proofs):
        work.charge("proofs")
        try:
            _check_shape(proof, suites)
            previous = _previous_proofs(proof, proofs, index, by_id)
        except _Failure as failure:
            proof_id = proof.get("id") if isinstance(proof, Mapping) and isinstance(proof.get("id"), str) else None
            results.append(ProofResult(pointers[index], False, failure.reason, failure.message, proof_id=proof_id))
            continue
        base = dict(unsecured)
        if previous:
            base["proof"] = previous
        results.append(_verify_one(base, proof, pointers[index], resolver=resolver, canonicalizer=canonicalizer,
                                   expected_purpose=expected_purpose, now=moment, skew=max_clock_skew,
                                   challenge=challenge, domain=domain, suites=suites))
    failed = next((r for r in results if not r.verified), None)
    if failed is None:
        return VerificationResult(True, tuple(results), None,
                                  f"{len(results)} proof{'s' if len(results) > 1 else ''} verified")
    return VerificationResult(False, tuple(results), failed.reason, failed.message, failed.pointer)


def _indexes_by_id(proofs: list[Any]) -> dict[str, list[int]]:
    by_id: dict[str, list[int]] = {}
    for index, proof in enumerate(proofs):
        if isinstance(proof, Mapping) and isinstance(proof.get("id"), str):
            by_id.setdefault(proof["id"], []).append(index)
    return by_id


def _previous_proofs(proof: Any, proofs: list[Any], index: int, by_id: Mapping[str, list[int]]) -> list[Any]:
    """The proofs `proof` names as previous, in the order named, each once (`by_id`: proof indexes by id, so a set
    whose every proof names every other costs n per proof, not n²)."""
    if not isinstance(proof, Mapping) or "previousProof" not in proof:
        return []
    wanted = proof["previousProof"]
    ids = _as_list(wanted)
    if not ids or not all(isinstance(i, str) for i in ids):
        raise _Failure("malformed-proof", f"expected previousProof to be a proof id or a list of them, "
                                          f"found {_shown(wanted)}")
    matching: list[Any] = []
    taken: set[int] = set()
    for wanted_id in ids:
        found = [i for i in by_id.get(wanted_id, ()) if i != index]
        if not found:
            raise _Failure("previous-proof-missing", f"expected a proof with id {wanted_id!r} (named in "
                                                     f"previousProof) on the document, found none")
        for i in found:
            if i not in taken:
                taken.add(i)
                matching.append(proofs[i])
    return matching


def sign(document: Mapping[str, Any], key: PrivateKey, *, cryptosuite: str, verification_method: str,
         purpose: str, created: datetime | str, canonicalizer: Canonicalizer, challenge: str | None = None,
         domain: str | Sequence[str] | None = None, previous_proof: str | Sequence[str] | None = None,
         proof_id: str | None = None, expires: datetime | str | None = None,
         suites: Sequence[Cryptosuite] = DEFAULT_SUITES) -> dict[str, Any]:
    """A copy of `document` with one more proof; existing proofs stay and form a set (or a chain via previous_proof).

    `cryptosuite` names a suite: eddsa-rdfc-2022, ecdsa-rdfc-2019 or Ed25519Signature2020.
    """
    suite = next((s for s in suites if s.name == cryptosuite), None) or suite_named(cryptosuite)
    if suite is None:
        raise ProofError("unknown-cryptosuite", f"expected a cryptosuite the suite can sign with, found {cryptosuite!r}")
    if not isinstance(document, Mapping):
        raise ProofError("malformed-proof", f"expected a JSON object to sign, found {type(document).__name__}")
    existing = _as_list(document["proof"]) if "proof" in document else []
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    options: dict[str, Any] = {}
    if proof_id is not None:
        options["id"] = proof_id
    options["type"] = suite.proof_type
    if suite.cryptosuite is not None:
        options["cryptosuite"] = suite.cryptosuite
    options["created"] = format_datetime(created) if isinstance(created, datetime) else created
    if expires is not None:
        options["expires"] = format_datetime(expires) if isinstance(expires, datetime) else expires
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = purpose
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain if isinstance(domain, str) else list(domain)
    base = dict(unsecured)
    if previous_proof is not None:
        options["previousProof"] = previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        try:
            previous = _previous_proofs(options, existing, -1, _indexes_by_id(existing))
        except _Failure as failure:
            raise ProofError(failure.reason, failure.message) from None
        base["proof"] = copy.deepcopy(previous)
    for name in ("created", "expires"):
        if name in options and not is_datetime(options[name]):
            raise ProofError("malformed-proof", f"expected {name} to be an XML Schema dateTime, "
                                                f"found {_shown(options[name])}")
    config = dict(options)
    config["@context"] = unsecured.get("@context")
    try:
        data = suite.hash_data(base, config, canonicalizer, key)
        signature = suite.sign(key, data)
    except SuiteError as exc:
        raise ProofError(exc.reason, exc.message) from None
    except CanonicalizationError as exc:
        raise ProofError(exc.reason, exc.message) from None
    proof = dict(options)
    proof["proofValue"] = encode_base58btc(signature)
    signed = dict(unsecured)
    signed["proof"] = [copy.deepcopy(p) for p in existing] + [proof] if existing else proof
    return signed
