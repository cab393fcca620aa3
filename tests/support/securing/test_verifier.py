"""The run's verification services: known documents before the network, offline refusals, shared caches."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from conformance.support.securing.trust import TrustEntry, TrustList
from conformance.support.securing.verifier import (
    NotFetched,
    VerificationOptions,
    Verifier,
    format_instant,
    judging_instant,
    parse_instant,
)
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


# --- the judging instant -----------------------------------------------------------------------------------------

AT = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-07T17:00:00Z", AT),
    ("2026-12-07t17:00:00z", AT),
    ("2026-12-07T12:00:00-05:00", AT),
    ("2026-12-07 18:00:00+01:00", AT),
    ("2026-12-07T17:00Z", AT),
    ("2026-12-07T17:00:00.250Z", AT.replace(microsecond=250_000)),
])
def test_an_instant_is_read_with_its_time_zone_and_kept_in_utc(text: str, expected: datetime) -> None:
    parsed = parse_instant(text)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-12-07", "2026-12-07T17:00:00", "2026-02-30T00:00:00Z", "now", "",
                                  "2026-12-07T17:00:00Z trailing", "1765126800"])
def test_an_instant_without_a_zone_or_a_real_date_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_instant(text)
    message = str(info.value)
    assert "\n" not in message and repr(text) in message and "2026-12-07T17:00:00Z" in message


def test_the_default_instant_is_the_clock_to_the_whole_second() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    instant = judging_instant()
    assert instant.microsecond == 0 and instant.tzinfo is not None
    assert before <= instant <= datetime.now(UTC)
    assert judging_instant("2026-12-07T17:00:00Z") == AT


def test_an_instant_is_written_as_rfc_3339_in_utc() -> None:
    assert format_instant(AT) == "2026-12-07T17:00:00Z"
    assert format_instant(parse_instant("2026-12-07T12:00:00-05:00")) == "2026-12-07T17:00:00Z"


def test_options_without_an_instant_read_the_clock_and_with_one_keep_it() -> None:
    assert VerificationOptions(now=AT).instant() == AT
    assert abs((VerificationOptions().instant() - datetime.now(UTC)).total_seconds()) < 5


def test_the_run_instant_is_recorded_by_describe_and_kept_by_twins(env: Environment) -> None:
    fixed = Environment.create(artifacts=env.store.directories[0] if env.store.directories else None, at=AT)
    assert fixed.options.now == AT and fixed.judging_instant == AT
    assert fixed.describe()["at"] == "2026-12-07T17:00:00Z"
    twin = fixed.with_options(VerificationOptions(challenge="n-1"))   # a vector's or a service's own expectations
    assert twin.options.now == AT and twin.verifier.options.now == AT and twin.options.challenge == "n-1"
    # a live exchange's verifier asks for its own expectations and judges what it receives when it arrives
    assert fixed.verifier.with_options(VerificationOptions(domain=("d",))).options.now is None
    other = fixed.with_options(VerificationOptions(now=AT.replace(year=2030)))
    assert other.verifier.options.now.year == 2030 and fixed.verifier.options.now == AT
    assert "at" not in env.describe()          # a run that fixed no instant says none


def test_proof_times_are_judged_at_the_run_instant(env: Environment) -> None:
    badge = sign_document(minimal_badge(), [{"key": "issuer-ed25519", "created": "2026-06-01T00:00:00Z",
                                             "expires": "2027-01-01T00:00:00Z"}], env.verifier.canonicalizer)

    def at(text: str) -> Verifier:
        return env.with_options(VerificationOptions(now=parse_instant(text))).verifier
    assert at("2026-12-07T17:00:00Z").data_integrity(badge, presentation=False).verified
    assert at("2026-01-01T00:00:00Z").data_integrity(badge, presentation=False).reason == "created-in-future"
    assert at("2027-06-01T00:00:00Z").data_integrity(badge, presentation=False).reason == "expired"


def test_a_status_list_is_judged_at_the_run_instant(env: Environment) -> None:
    import json

    from conformance.support.securing.status import StatusVerdict
    from conformance.support.securing.status.bitstring import make_bitstring
    from conformance.support.securing.status.builders import status_list_credential

    url = "https://status.example.edu/instant/1"
    listed = status_list_credential(url, suite_key("status-ed25519").did, make_bitstring(131_072, {7}),
                                    valid_until="2027-01-01T00:00:00Z")
    signed = sign_document(listed, [{"key": "status-ed25519"}], env.verifier.canonicalizer)
    credential = {**minimal_badge(), "credentialStatus": {
        "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "7",
        "statusListCredential": url}}
    verifier = _verifier(env, documents={url: json.dumps(signed).encode()})
    (inside,) = verifier.with_options(VerificationOptions(now=AT)).status(credential)
    assert inside.verdict is StatusVerdict.REVOKED
    # the same services (and list cache) at another instant: the list is judged again, at that instant
    (after,) = verifier.with_options(VerificationOptions(now=AT.replace(year=2027, month=6))).status(credential)
    assert after.problem is not None and "2027-06-07T17:00:00Z" in after.problem.message
    assert after.problem.location == "(status list)/validUntil"
    (again,) = verifier.with_options(VerificationOptions(now=AT)).status(credential)
    assert again.verdict is StatusVerdict.REVOKED


def test_an_unreadable_status_list_is_undecided_never_passed(env: Environment) -> None:
    from conformance.core.findings import Outcome

    credential = {**minimal_badge(), "credentialStatus": {
        "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "7",
        "statusListCredential": "https://status.example.edu/instant/nobody-serves-this"}}
    (result,) = _verifier(env).with_options(VerificationOptions(now=AT)).status(credential)
    assert result.outcome is Outcome.CANT_TELL and "network access is off" in result.describe()


# --- documents for any DID -----------------------------------------------------------------------------------------

def _did_document(did: str, key: str = "issuer-ed25519") -> bytes:
    import json

    multikey = suite_key(key).did.removeprefix("did:key:")
    return json.dumps({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": multikey}],
        "assertionMethod": [f"{did}#key-1"]}).encode()


@pytest.mark.parametrize("did", ["did:example:ler-college-12", "did:web:college.example.edu",
                                 "did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w"])
def test_a_supplied_document_stands_for_a_did_of_any_method(env: Environment, did: str) -> None:
    badge = minimal_badge()
    badge["issuer"] = {**badge["issuer"], "id": did}
    signed = sign_document(badge, [{"key": "issuer-ed25519", "method": f"{did}#key-1", "issuer": False}],
                           env.verifier.canonicalizer)
    offline = _verifier(env)
    refused = offline.data_integrity(signed, presentation=False)
    assert not refused.verified and refused.proofs[0].reason != "signature-mismatch"     # undecided, not false
    supplied = _verifier(env, documents={did: _did_document(did)})
    result = supplied.data_integrity(signed, presentation=False)
    assert result.verified, result.message
    assert result.proofs[0].controller == did
    wrong = _verifier(env, documents={did: _did_document(did, key="other-ed25519")})
    assert wrong.data_integrity(signed, presentation=False).reason == "signature-mismatch"


def test_a_did_web_document_is_found_by_its_did_or_its_https_url(env: Environment) -> None:
    did = "did:web:college.example.edu"
    by_url = _verifier(env, documents={"https://college.example.edu/.well-known/did.json": _did_document(did)})
    assert by_url.methods.resolve(f"{did}#key-1", "assertionMethod").controller == did
    by_did = _verifier(env, documents={did: _did_document(did)})
    assert by_did.methods.resolve(f"{did}#key-1", "assertionMethod").controller == did


def test_a_did_key_is_never_replaced_by_a_supplied_document(env: Environment) -> None:
    did = suite_key("issuer-ed25519").did
    forged = _did_document(did, key="other-ed25519")
    verifier = _verifier(env, documents={did: forged})
    resolved = verifier.methods.resolve(f"{did}#{did.removeprefix('did:key:')}", "assertionMethod")
    assert resolved.controller == did
    assert resolved.method["publicKeyMultibase"] == did.removeprefix("did:key:")
