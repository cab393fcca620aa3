"""The conformance attestation under Digital Bazaar's stack (peers/node): Node verifies what the suite signed,
signs the same credential to the very same proof, and rejects an attestation whose claims were changed."""
from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.attestation import Signer, ephemeral_signer, suite_test_signer
from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import ControllerDocumentResolver, verify
from tests.peers.conftest import NodePeer
from tests.reporting.test_attestation import SIGNED_AT, attest, finding, sample_results

pytestmark = pytest.mark.peer

# Inside the attestation's validity window and after its proof was made, for both verifiers alike.
NOW = datetime(2026, 6, 1, tzinfo=UTC)
NOW_TEXT = "2026-06-01T00:00:00Z"


def _both(peer: NodePeer, env: Environment, document: dict[str, Any]) -> tuple[bool, bool, str]:
    ours = verify(document, resolver=ControllerDocumentResolver(), canonicalizer=env.verifier.canonicalizer,
                  now=NOW)
    theirs = peer.verify(document, now=NOW_TEXT, purpose="assertionMethod")
    detail = (f"suite: {ours.reason or 'verified'} {ours.message}; "
              f"node: {'; '.join(theirs['errors']) or 'verified'}")
    return ours.verified, bool(theirs["verified"]), detail


SIGNERS: list[tuple[str, Callable[[], Signer]]] = [("suite-test-key", suite_test_signer),
                                                   ("ephemeral", ephemeral_signer)]


@pytest.mark.parametrize("make_signer", [s[1] for s in SIGNERS], ids=[s[0] for s in SIGNERS])
def test_node_verifies_the_attestation(node_peer: NodePeer, env: Environment, tmp_path: Path,
                                       make_signer: Callable[[], Signer]) -> None:
    document = attest(env, tmp_path, signer=make_signer(),
                      subject_id="https://vendor.example/products/badger/4.2",
                      base_url="https://lab.example/reports/2026-03/")
    suite_ok, node_ok, detail = _both(node_peer, env, document)
    assert (suite_ok, node_ok) == (True, True), f"expected both verifiers to accept the attestation, found {detail}"


TAMPERING: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("endorsement-comment", lambda d: d["credentialSubject"].__setitem__(
        "endorsementComment", d["credentialSubject"]["endorsementComment"].replace("1 failed", "0 failed"))),
    ("report-digest", lambda d: d["relatedResource"][0].__setitem__("digestSRI", "sha384-" + "B" * 64)),
    ("subject", lambda d: d["credentialSubject"].__setitem__("id", "https://other.example/product")),
    ("issuer-name", lambda d: d["issuer"].__setitem__("name", "A Famous Lab")),
]


@pytest.mark.parametrize("edit", [t[1] for t in TAMPERING], ids=[t[0] for t in TAMPERING])
def test_node_and_the_suite_reject_a_tampered_attestation(node_peer: NodePeer, env: Environment, tmp_path: Path,
                                                          edit: Callable[[dict[str, Any]], None]) -> None:
    results = sample_results([finding("OB30-a", "passed"), finding("OB30-b", "failed")], verdict="fail")
    document = attest(env, tmp_path, results)
    assert _both(node_peer, env, document)[:2] == (True, True)
    tampered = copy.deepcopy(document)
    edit(tampered)
    assert tampered != document, "expected the edit to change the attestation"
    suite_ok, node_ok, detail = _both(node_peer, env, tampered)
    assert (suite_ok, node_ok) == (False, False), f"expected both verifiers to reject the edit, found {detail}"


def test_node_signs_the_same_attestation_to_the_same_proof(node_peer: NodePeer, env: Environment,
                                                           tmp_path: Path) -> None:
    # Ed25519 is deterministic: any difference would be a difference in canonical form or hashing.
    ours = attest(env, tmp_path)
    key = suite_key("report-ed25519")
    unsigned = {name: value for name, value in ours.items() if name != "proof"}
    theirs = node_peer.sign(unsigned, cryptosuite="eddsa-rdfc-2022", public_multibase=key.public_multibase,
                            secret_multibase=key.secret_multibase, created=ours["proof"]["created"])
    assert ours["proof"]["created"] == SIGNED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert theirs == ours, f"expected Node's proof to equal the suite's, found {theirs['proof']} and {ours['proof']}"
