"""The run's verification services: known documents before the network, offline refusals, shared caches."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.environment import Environment
from conformance.keys.testkeys import suite_key
from conformance.trust import TrustEntry, TrustList
from conformance.vectors import sign_document
from conformance.verifier import NotFetched, VerificationOptions, Verifier
from tests.documents import minimal_badge


def _verifier(env: Environment, **kwargs: object) -> Verifier:
    return Verifier(loader=env.loader, expander=env.expander, limits=env.limits, **kwargs)  # type: ignore[arg-type]


def test_known_documents_are_served_and_nothing_else_is_fetched_offline(env: Environment) -> None:
    verifier = _verifier(env, documents={"https://example.edu/status/1": b"{}"})
    assert verifier.fetch("https://example.edu/status/1") == b"{}"
    with pytest.raises(NotFetched, match="https://example.edu/other.*--online"):
        verifier.fetch("https://example.edu/other")


def test_online_fetches_go_through_the_given_client_after_known_documents(env: Environment) -> None:
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return b"fetched"

    verifier = _verifier(env, online_fetch=fetch, documents={"https://example.edu/known": b"known"})
    assert verifier.fetch("https://example.edu/known") == b"known"
    assert verifier.fetch("https://example.edu/new") == b"fetched"
    assert asked == ["https://example.edu/new"]


def test_with_options_shares_the_services_and_changes_only_the_options(env: Environment) -> None:
    twin = env.with_options(VerificationOptions(challenge="abc"))
    assert twin.verifier.canonicalizer is env.verifier.canonicalizer
    assert twin.verifier.methods is env.verifier.methods
    assert (twin.verifier.options.challenge, env.verifier.options.challenge) == ("abc", None)


def test_a_presentation_is_verified_for_authentication_with_the_expected_challenge(env: Environment) -> None:
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    signed = sign_document(presentation, [{"key": "holder-ed25519", "challenge": "n-1"}], env.verifier.canonicalizer)
    asked = env.with_options(VerificationOptions(challenge="n-1")).verifier
    assert asked.data_integrity(signed, presentation=True).verified
    assert not asked.data_integrity(signed, presentation=False).verified       # assertionMethod expected
    other = env.with_options(VerificationOptions(challenge="n-2")).verifier
    assert other.data_integrity(signed, presentation=True).reason == "challenge-mismatch"


def test_trust_is_decided_only_with_a_trust_list(env: Environment) -> None:
    badge = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    assert env.verifier.trust(badge) is None
    listed = TrustList((TrustEntry(id=suite_key("issuer-ed25519").did, name="Example University"),))
    decision = env.with_options(VerificationOptions(trust_list=listed,
                                                    now=datetime(2026, 1, 1, tzinfo=UTC))).verifier.trust(badge)
    assert decision is not None and decision.trusted
