"""Cross-checks against Digital Bazaar's JavaScript VC stack (peers/node): what the suite signs, Node verifies;
what Node signs, the suite verifies; and what either should reject, both reject.

Every case asks both verifiers and fails on any disagreement, naming the case and both answers. Where the
Node stack knowingly departs from the specification the test is a strict xfail that cites the spot, so the gap
shows in every run and the test fails loudly once the stack closes it.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.support.securing.keys.testkeys import SuiteKey
from conformance.support.securing.proofs import (
    Canonicalizer,
    ControllerDocumentResolver,
    VerificationResult,
    sign,
    verify,
)
from conformance.support.securing.proofs.suites import ECDSA_RDFC_2019
from tests.documents import V2
from tests.peers import documents
from tests.peers.conftest import PEER_DIR, NodePeer
from tests.peers.documents import Signer

pytestmark = pytest.mark.peer

ED2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
CREATED = "2025-06-01T10:00:00Z"
# One fixed verification time for both sides, so validity windows in the documents never age the tests.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_TEXT = "2026-01-01T00:00:00Z"
CHALLENGE = "f4c2a8e0-5d1b-4b7e-9a33-0c6e1d2b7f45"
DOMAIN = "verifier.example"


ISSUERS = [Signer("eddsa", "issuer-ed25519", "eddsa-rdfc-2022"),
           Signer("ecdsa-p256", "issuer-p256", "ecdsa-rdfc-2019"),
           Signer("ecdsa-p384", "issuer-p384", "ecdsa-rdfc-2019"),
           Signer("ed25519-2020", "issuer-ed25519", "Ed25519Signature2020")]
# Ed25519 signatures are deterministic, so both implementations must produce the very same proof.
LEGACY = ISSUERS[3]                     # the second proof of a set: the same key as ISSUERS[0], another suite
DETERMINISTIC = [s for s in ISSUERS if s.key_name.endswith("ed25519")]
HOLDERS = [Signer("eddsa", "holder-ed25519", "eddsa-rdfc-2022"),
           Signer("ecdsa-p256", "holder-p256", "ecdsa-rdfc-2019")]
SIGNED_BY = ["suite", "node"]


def _vc20(key: SuiteKey) -> dict[str, Any]:
    return documents.vc20(key, credential_id="urn:uuid:0b5f7f8e-2c1a-4d6e-8f3b-6a9c1d2e4f70",
                          learner="did:example:learner-91")


DOCUMENTS: dict[str, Callable[[SuiteKey], dict[str, Any]]] = {
    "vc20": _vc20, "ob30-minimal": documents.ob30_minimal, "ob30-full": documents.ob30_full,
}


def unsigned(name: str, signer: Signer) -> dict[str, Any]:
    document = DOCUMENTS[name](signer.key)
    if signer.cryptosuite == "Ed25519Signature2020":
        # the legacy suite's terms are defined by its own context, which the document has to carry
        document["@context"].append(ED2020_CONTEXT)
    return document


def signed_cases(signers: list[Signer], *prefixes: str) -> list[Any]:
    """(signer, document) pairs."""
    cases = []
    for prefix in prefixes or ("",):
        for signer in signers:
            for document in DOCUMENTS:
                values = (prefix, signer, document) if prefix else (signer, document)
                label = "-".join(filter(None, (prefix, signer.case, document)))
                cases.append(pytest.param(*values, id=label))
    return cases


def tamper(document: dict[str, Any]) -> dict[str, Any]:
    """The document with one claim about the subject changed after signing."""
    changed = copy.deepcopy(document)
    subject = changed["credentialSubject"]
    target = subject["achievement"] if "achievement" in subject else subject["alumniOf"]
    target["name"] += " (altered)"
    return changed


@pytest.fixture(scope="module")
def canonicalizer(env: Any) -> Canonicalizer:
    return Canonicalizer(env.loader)


def suite_sign(canonicalizer: Canonicalizer, document: dict[str, Any], signer: Signer, *,
               purpose: str = "assertionMethod", **options: Any) -> dict[str, Any]:
    key = signer.key
    return sign(document, key.private_key, cryptosuite=signer.cryptosuite, verification_method=key.vm_id,
                purpose=purpose, created=CREATED, canonicalizer=canonicalizer, **options)


def node_sign(peer: NodePeer, document: dict[str, Any], signer: Signer, **options: Any) -> dict[str, Any]:
    key = signer.key
    return peer.sign(document, cryptosuite=signer.cryptosuite, public_multibase=key.public_multibase,
                     secret_multibase=key.secret_multibase, created=CREATED, **options)


def sign_by(who: str, peer: NodePeer, canonicalizer: Canonicalizer, document: dict[str, Any], signer: Signer, *,
            purpose: str = "assertionMethod", challenge: str | None = None,
            domain: str | None = None) -> dict[str, Any]:
    if who == "suite":
        return suite_sign(canonicalizer, document, signer, purpose=purpose, challenge=challenge, domain=domain)
    options = {name: value for name, value in (("challenge", challenge), ("domain", domain)) if value is not None}
    return node_sign(peer, document, signer, purpose=purpose, **options)


@dataclass(frozen=True)
class SuiteVerdict:
    verified: bool
    detail: str
    proofs: tuple[bool, ...]            # the document's own proofs, in order


@dataclass(frozen=True)
class Verdicts:
    case: str
    suite: SuiteVerdict
    node: dict[str, Any]

    @property
    def node_proofs(self) -> tuple[bool, ...]:
        """Node's per-proof verdicts in the document's proof order (matched by proofValue)."""
        return tuple(p["verified"] for p in self.node["proofs"])

    def describe(self) -> str:
        node_errors = "; ".join(self.node["errors"]) or "no errors"
        per_proof = ", ".join(f"{p.get('cryptosuite') or p.get('type')}: {p['error'] or 'verified'}"
                              for p in self.node["proofs"])
        return (f"suite verified={self.suite.verified} ({self.suite.detail}); "
                f"node verified={self.node['verified']} ({node_errors}; per proof: {per_proof or 'none'})")

    def assert_both(self, expected: bool) -> None:
        wanted = "accept" if expected else "reject"
        assert self.suite.verified is expected and self.node["verified"] is expected, (
            f"{self.case}: expected both verifiers to {wanted}, found {self.describe()}")


def _suite_verdict(result: VerificationResult) -> SuiteVerdict:
    detail = result.message if result.verified else f"{result.reason} at {result.pointer}: {result.message}"
    return SuiteVerdict(result.verified, detail, tuple(p.verified for p in result.proofs))


def cross_verify(case: str, peer: NodePeer, canonicalizer: Canonicalizer, document: dict[str, Any], *,
                 purpose: str = "assertionMethod", challenge: str | None = None,
                 domain: str | None = None) -> Verdicts:
    """Both verifiers' answers on one document. A presentation is verified the way Node's verifyPresentation
    does it: its own proof for authentication, and every embedded credential for assertionMethod."""
    resolver = ControllerDocumentResolver()
    is_presentation = "VerifiablePresentation" in document.get("type", [])
    result = verify(document, resolver=resolver, canonicalizer=canonicalizer, now=NOW,
                    expected_purpose="authentication" if is_presentation else purpose,
                    challenge=challenge, domain=domain)
    verdict = _suite_verdict(result)
    if is_presentation:
        embedded = document.get("verifiableCredential", [])
        for index, credential in enumerate(embedded if isinstance(embedded, list) else [embedded]):
            inner = verify(credential, resolver=resolver, canonicalizer=canonicalizer, now=NOW)
            if not inner.verified:
                verdict = SuiteVerdict(False, f"{verdict.detail}; /verifiableCredential/{index}: {inner.reason}: "
                                              f"{inner.message}", verdict.proofs)
    options: dict[str, Any] = {"now": NOW_TEXT}
    if not is_presentation:
        options["purpose"] = purpose
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    answer = peer.verify(document, **options)
    proofs = document["proof"] if isinstance(document.get("proof"), list) else [document.get("proof")]
    order = {p.get("proofValue"): i for i, p in enumerate(proofs) if isinstance(p, dict)}
    answer["proofs"] = sorted(answer["proofs"], key=lambda p: order.get(p.get("proofValue"), len(order)))
    return Verdicts(case, verdict, answer)


def _ids(signers: list[Signer]) -> list[str]:
    return [s.case for s in signers]


def test_peer_runs_the_pinned_versions(node_peer: NodePeer) -> None:
    wanted = json.loads((PEER_DIR / "package.json").read_text())["dependencies"]
    found = {name: node_peer.versions.get(name) for name in wanted}
    assert found == wanted, f"expected the Node peer to run the versions package.json pins, found {found}"


@pytest.mark.parametrize(("signer", "document"), signed_cases(ISSUERS))
def test_suite_signs_node_verifies(node_peer: NodePeer, canonicalizer: Canonicalizer, signer: Signer,
                                   document: str) -> None:
    signed = suite_sign(canonicalizer, unsigned(document, signer), signer)
    cross_verify(f"suite-signed {document} ({signer.case})", node_peer, canonicalizer, signed).assert_both(True)


@pytest.mark.parametrize(("signer", "document"), signed_cases(ISSUERS))
def test_node_signs_suite_verifies(node_peer: NodePeer, canonicalizer: Canonicalizer, signer: Signer,
                                   document: str) -> None:
    signed = node_sign(node_peer, unsigned(document, signer), signer)
    proof = signed["proof"]
    assert (proof["type"], proof.get("cryptosuite"), proof["verificationMethod"]) == (
        "Ed25519Signature2020" if signer.cryptosuite == "Ed25519Signature2020" else "DataIntegrityProof",
        None if signer.cryptosuite == "Ed25519Signature2020" else signer.cryptosuite, signer.key.vm_id), (
        f"expected Node to sign with {signer.cryptosuite} and {signer.key.vm_id}, found {proof}")
    cross_verify(f"node-signed {document} ({signer.case})", node_peer, canonicalizer, signed).assert_both(True)


@pytest.mark.parametrize("document", list(DOCUMENTS))
@pytest.mark.parametrize("signer", DETERMINISTIC, ids=_ids(DETERMINISTIC))
def test_deterministic_signatures_are_identical(node_peer: NodePeer, canonicalizer: Canonicalizer,
                                                signer: Signer, document: str) -> None:
    # Same key, same options, deterministic Ed25519: any difference is a difference in canonical form or hashing.
    ours = suite_sign(canonicalizer, unsigned(document, signer), signer)
    theirs = node_sign(node_peer, unsigned(document, signer), signer)
    assert ours == theirs, (f"expected the suite and Node to produce the same {signer.cryptosuite} proof on "
                            f"{document}, found suite {ours['proof']} and node {theirs['proof']}")


@pytest.mark.parametrize(("signed_by", "signer", "document"), signed_cases(ISSUERS, *SIGNED_BY))
def test_tampered_claim_rejected_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer, signed_by: str,
                                         signer: Signer, document: str) -> None:
    signed = sign_by(signed_by, node_peer, canonicalizer, unsigned(document, signer), signer)
    case = f"{signed_by}-signed {document} ({signer.case})"
    cross_verify(f"{case}, untouched", node_peer, canonicalizer, signed).assert_both(True)
    cross_verify(f"{case}, claim altered", node_peer, canonicalizer, tamper(signed)).assert_both(False)


@pytest.mark.parametrize("signer", ISSUERS, ids=_ids(ISSUERS))
@pytest.mark.parametrize("signed_by", SIGNED_BY)
def test_wrong_proof_purpose_rejected_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer, signed_by: str,
                                              signer: Signer) -> None:
    signed = sign_by(signed_by, node_peer, canonicalizer, unsigned("ob30-minimal", signer), signer,
                     purpose="authentication")
    assert signed["proof"]["proofPurpose"] == "authentication"
    case = f"{signed_by}-signed for authentication ({signer.case})"
    cross_verify(f"{case}, expecting assertionMethod", node_peer, canonicalizer, signed).assert_both(False)
    # the control: the same proof is good for the purpose it names, so the rejection above is about the purpose
    cross_verify(f"{case}, expecting authentication", node_peer, canonicalizer, signed,
                 purpose="authentication").assert_both(True)


PRESENTATION_CASES = [("matching", CHALLENGE, DOMAIN, True),
                      ("wrong-challenge", "9d0e6f2a-other-challenge", DOMAIN, False),
                      ("wrong-domain", CHALLENGE, "elsewhere.example", False)]


@pytest.mark.parametrize(("expectation", "challenge", "domain", "accepted"), PRESENTATION_CASES,
                         ids=[c[0] for c in PRESENTATION_CASES])
@pytest.mark.parametrize("holder", HOLDERS, ids=_ids(HOLDERS))
@pytest.mark.parametrize("signed_by", SIGNED_BY)
def test_presentation_challenge_and_domain(node_peer: NodePeer, canonicalizer: Canonicalizer, signed_by: str,
                                           holder: Signer, expectation: str, challenge: str, domain: str,
                                           accepted: bool) -> None:
    issuer = ISSUERS[0]
    credential = sign_by(signed_by, node_peer, canonicalizer, unsigned("ob30-minimal", issuer), issuer)
    presentation = {"@context": [V2], "type": ["VerifiablePresentation"], "holder": holder.key.did,
                    "verifiableCredential": [credential]}
    signed = sign_by(signed_by, node_peer, canonicalizer, presentation, holder, purpose="authentication",
                     challenge=CHALLENGE, domain=DOMAIN)
    proof = signed["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == ("authentication", CHALLENGE, DOMAIN)
    cross_verify(f"{signed_by}-signed presentation ({holder.case}), {expectation}", node_peer, canonicalizer,
                 signed, challenge=challenge, domain=domain).assert_both(accepted)


def _mixed_set(order: str, peer: NodePeer, canonicalizer: Canonicalizer) -> dict[str, Any]:
    """A proof set by one issuer key in two suites, one proof added by each implementation. One controller,
    because vc's CredentialIssuancePurpose (rightly, for a credential) wants every proof's controller to be the
    issuer; that check is the issuer layer's in the suite, not the proof layer's."""
    first, second = ISSUERS[0], LEGACY
    document = unsigned("ob30-minimal", LEGACY)
    if order == "suite-then-node":
        return node_sign(peer, suite_sign(canonicalizer, document, first), second)
    return suite_sign(canonicalizer, node_sign(peer, document, first), second)


SET_ORDERS = ["suite-then-node", "node-then-suite"]


@pytest.mark.parametrize("order", SET_ORDERS)
def test_proof_set_verified_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer, order: str) -> None:
    signed = _mixed_set(order, node_peer, canonicalizer)
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 2, f"expected two proofs, found {signed}"
    verdicts = cross_verify(f"proof set {order}", node_peer, canonicalizer, signed)
    verdicts.assert_both(True)
    assert verdicts.suite.proofs == verdicts.node_proofs == (True, True), verdicts.describe()


def _break_second_proof(signed: dict[str, Any], canonicalizer: Canonicalizer) -> dict[str, Any]:
    """The set with its second proof's value swapped for one by the same key and options over an altered
    document: well formed, the right length, the wrong bytes."""
    broken = copy.deepcopy(signed)
    altered = tamper({k: v for k, v in signed.items() if k != "proof"})
    broken["proof"][1]["proofValue"] = suite_sign(canonicalizer, altered, LEGACY)["proof"]["proofValue"]
    assert broken["proof"][1]["proofValue"] != signed["proof"][1]["proofValue"]
    return broken


@pytest.mark.parametrize("order", SET_ORDERS)
def test_proof_set_with_a_broken_proof_same_per_proof_verdicts(node_peer: NodePeer, canonicalizer: Canonicalizer,
                                                               order: str) -> None:
    broken = _break_second_proof(_mixed_set(order, node_peer, canonicalizer), canonicalizer)
    verdicts = cross_verify(f"proof set {order}, second proof broken", node_peer, canonicalizer, broken)
    assert verdicts.suite.proofs == verdicts.node_proofs == (True, False), (
        f"{verdicts.case}: expected both to verify the first proof and reject the second, found suite "
        f"{verdicts.suite.proofs} and node {verdicts.node_proofs}; {verdicts.describe()}")
    assert not verdicts.suite.verified, verdicts.describe()


@pytest.mark.xfail(strict=True, reason=(
    "jsonld-signatures 11.6.0 ProofSet.verify combines a set with results.some(r => r.verified): one good proof "
    "passes the set. VC Data Integrity 1.0 §4.5 (https://www.w3.org/TR/vc-data-integrity/"
    "#verify-proof-sets-and-chains) sets the combined result to false when any proof fails."))
@pytest.mark.parametrize("order", SET_ORDERS)
def test_proof_set_with_a_broken_proof_rejected_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer,
                                                        order: str) -> None:
    broken = _break_second_proof(_mixed_set(order, node_peer, canonicalizer), canonicalizer)
    cross_verify(f"proof set {order}, second proof broken", node_peer, canonicalizer, broken).assert_both(False)


@pytest.mark.xfail(strict=True, reason=(
    "@digitalbazaar/data-integrity 2.5.0 and its cryptosuites ignore previousProof: a chained proof is checked "
    "against the document alone, not the document with the proofs it names (VC Data Integrity 1.0 §4.5, "
    "https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains)."))
def test_proof_chain_verified_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer) -> None:
    issuer = ISSUERS[0]
    root = suite_sign(canonicalizer, unsigned("ob30-minimal", issuer), issuer, proof_id="urn:uuid:4d2c0f7e-root")
    chained = suite_sign(canonicalizer, root, issuer, proof_id="urn:uuid:4d2c0f7e-next",
                         previous_proof="urn:uuid:4d2c0f7e-root")
    verdicts = cross_verify("proof chain (eddsa, then eddsa naming it)", node_peer, canonicalizer, chained)
    assert verdicts.suite.proofs == verdicts.node_proofs == (True, True), (
        f"{verdicts.case}: expected both to verify both proofs, found suite {verdicts.suite.proofs} and node "
        f"{verdicts.node_proofs}; {verdicts.describe()}")
    verdicts.assert_both(True)


def _presentation(canonicalizer: Canonicalizer) -> dict[str, Any]:
    issuer = ISSUERS[0]
    credential = suite_sign(canonicalizer, unsigned("ob30-minimal", issuer), issuer)
    return {"@context": [V2], "type": ["VerifiablePresentation"], "holder": HOLDERS[0].key.did,
            "verifiableCredential": [credential]}


CANONICAL_DOCUMENTS: dict[str, Callable[[Canonicalizer], dict[str, Any]]] = {
    **{name: (lambda _c, name=name: unsigned(name, ISSUERS[0])) for name in DOCUMENTS},
    "presentation": _presentation,
}


@pytest.mark.parametrize("document", list(CANONICAL_DOCUMENTS))
def test_canonical_nquads_identical(node_peer: NodePeer, canonicalizer: Canonicalizer, document: str) -> None:
    # The step under every rdfc suite, compared directly: the same pinned contexts must give the same N-Quads.
    subject = CANONICAL_DOCUMENTS[document](canonicalizer)
    ours = canonicalizer.canonicalize(subject)
    theirs = node_peer.post("/canonize", {"document": subject, "hash": "SHA-256"})["nquads"]
    assert ours == theirs, (f"expected the same RDFC-1.0 (SHA-256) N-Quads for {document}, found these lines only "
                            f"in ours: {sorted(set(ours.splitlines()) - set(theirs.splitlines()))[:5]} and only "
                            f"in Node's: {sorted(set(theirs.splitlines()) - set(ours.splitlines()))[:5]}")


def test_p384_canonical_form_uses_sha384(node_peer: NodePeer, canonicalizer: Canonicalizer) -> None:
    signer = ISSUERS[2]
    subject = unsigned("ob30-full", signer)
    theirs = node_peer.post("/canonize", {"document": subject, "hash": "SHA-384"})["nquads"]
    # what the suite hashes for a P-384 proof is whatever its ecdsa-rdfc-2019 hash_data canonicalizes
    config = {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019", "created": CREATED,
              "verificationMethod": signer.key.vm_id, "proofPurpose": "assertionMethod",
              "@context": subject["@context"]}
    expected = ECDSA_RDFC_2019.hash_data(subject, config, _FixedCanonical(canonicalizer, subject, theirs),
                                         signer.key.public_key)
    found = ECDSA_RDFC_2019.hash_data(subject, config, canonicalizer, signer.key.public_key)
    assert found == expected, ("expected the suite's P-384 ecdsa-rdfc-2019 hash over the SHA-384 RDFC-1.0 "
                               "N-Quads of ob30-full, found a hash over different N-Quads")


@dataclass(frozen=True)
class _FixedCanonical:
    """A canonicalizer that answers with given N-Quads for one document and defers to the real one otherwise."""

    inner: Canonicalizer
    document: dict[str, Any]
    nquads: str

    def canonicalize(self, document: Any, *, memo: bool = False, hash_algorithm: str = "sha256") -> str:
        if document == self.document:
            return self.nquads
        return self.inner.canonicalize(document, memo=memo, hash_algorithm=hash_algorithm)


def test_unpinned_context_refused_by_both(node_peer: NodePeer, canonicalizer: Canonicalizer) -> None:
    unknown = "https://example.org/contexts/not-pinned/v1"
    signed = suite_sign(canonicalizer, unsigned("vc20", ISSUERS[0]), ISSUERS[0])
    signed["@context"].append(unknown)
    verdicts = cross_verify("suite-signed vc20 with an unpinned context", node_peer, canonicalizer, signed)
    verdicts.assert_both(False)
    # the peer's refusal, not some fetch, is why it failed: it must never reach the network
    assert any(f"refused {unknown}" in message for message in verdicts.node["errors"]), verdicts.describe()
