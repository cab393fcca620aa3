"""What the suite, as a counter-party, saw when it verified something a wallet sent: one tri-state observation.

A counter-party server verifies a presentation, a credential or a key proof while it has them in hand, and notes
the outcome beside the request (`request.observed`) for the rules to judge later. There are three outcomes, never
two, because "the suite could not verify it" is not "it does not verify":

    verifies            the suite checked it and it holds
    does not verify     the suite checked it and found a definite defect (a changed document, a wrong key, no proof)
    cannot be checked   the suite could not decide: a mechanism it does not support (`unsupported` names it: a
                        cryptosuite, a JWS algorithm, a DID method), something it could not obtain (a key offline),
                        or the suite itself stopped (`stopped` says why: its own exception, a work bound it hit, a
                        context it does not hold)

What a verifier's reason code means is not decided here: it is the one table of conformance.support.securing.proofs.outcomes
(`outcome_of`), which the document checks read too, so a wallet's presentation and a document get the same word for
the same result. The rules turn "cannot be checked" into cantTell (the suite's limitation, with `ctx.unsupported`
when `unsupported` is set) or error (the suite stopped), never into failed: see
`conformance.standards.wallets.unverified`.

Every counter-party module (the OpenID4VCI issuer, the OpenID4VP verifier, the VC API exchange) records its
verifications through `data_integrity` / `jws` / `observe` here, and every rule reads them back with
`Observation.read` (the observation itself, data only, is conformance.core.transcript's).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conformance.core.transcript import Observation, refuted, undecided, verified
from conformance.support.securing.jose.verify import verify_jws
from conformance.support.securing.proofs.outcomes import Judgement, UnknownReason, outcome_of


def observe(verify: Callable[[], Observation]) -> Observation:
    """`verify()`, with an exception of the suite's own turned into "cannot be checked" naming it: what the suite
    failed to compute is never the wallet's defect."""
    try:
        return verify()
    except Exception as exc:  # noqa: BLE001 - any exception here is the suite's, recorded and never a verdict
        name = type(exc).__name__
        return undecided(f"the suite's verification raises {name}", stopped=f"it raises {name}")


def _judged(reasons: list[tuple[str | None, str, str]]) -> Observation:
    """One observation from the (reason, message, what the suite lacks) of each failing part, by the shared table:
    a definite defect anywhere refutes; else the suite stopped (error); else what it does not support or could not
    obtain (cantTell)."""
    judged = []
    for reason, message, lacking in reasons:
        try:
            judged.append((outcome_of(reason), message, lacking))
        except UnknownReason:
            judged.append((None, f"the verifier gives reason {reason!r}, which the suite's table does not list", ""))
    for judgement, message, _ in judged:
        if judgement is Judgement.FAILED:
            return refuted(message)
    for judgement, message, _ in judged:
        if judgement is None or judgement is Judgement.NOT_EVALUATED:
            return undecided(message, stopped=message)
    for judgement, message, lacking in judged:
        if judgement is Judgement.UNSUPPORTED:
            return undecided(message, unsupported=lacking or "the mechanism this proof uses")
    return undecided(judged[0][1] if judged else "no reason given")


def did_method(reference: Any) -> str:
    """What the suite lacks to resolve a key reference: "the DID method did:x" for a DID (URL)."""
    text = str(reference or "")
    return f"the DID method did:{text.split(':', 2)[1]}" if text.startswith("did:") and text.count(":") >= 2 \
        else "the way the key is named"


def of_data_integrity(result: Any) -> Observation:
    """A Data Integrity `VerificationResult` (conformance.support.securing.proofs) as an observation."""
    if result.verified:
        return verified()
    failures = tuple(result.failures)
    if not failures:                                  # no proof object at all
        return refuted(str(result.message) or "no proof")

    def lacking(proof: Any) -> str:
        if proof.reason == "unsupported-cryptosuite":
            return f"the cryptosuite {proof.cryptosuite}"
        if proof.reason == "unsupported-proof-type":
            return f"the proof type {proof.proof_type}"
        return did_method(proof.verification_method) if proof.reason == "key-unsupported" else ""

    return _judged([(p.reason, str(p.message or p.reason), lacking(p)) for p in failures])


def data_integrity(verifier: Any, document: Mapping[str, Any], *, presentation: bool) -> Observation:
    """Verify every Data Integrity proof of `document` with the run's verifier (conformance.support.securing.verifier.Verifier)."""
    return observe(lambda: of_data_integrity(verifier.data_integrity(document, presentation=presentation)))


def of_jose(result: Any, header: Mapping[str, Any]) -> Observation:
    """A JOSE `JoseResult` (conformance.support.securing.jose) for a JWS with `header` as an observation."""
    if result.verified:
        return verified()
    lacking = {"alg-unsupported": f"the JWS algorithm {str(header.get('alg'))[:40]}",
               "crit-unsupported": "critical JWS header extensions",
               "key-unsupported": did_method(header.get("kid"))}.get(result.reason, "")
    return _judged([(result.reason, str(result.message), lacking)])


def jws(token: Any, key: Any) -> Observation:
    """Verify a decoded compact JWS (conformance.support.formats.jws) with `key`."""

    return observe(lambda: of_jose(verify_jws(token, key), token.header))
