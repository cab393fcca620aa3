"""Proofs signed with the suite's test keys verify through real DID resolution (conformance.support.securing.keys)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import Canonicalizer, ControllerDocumentResolver, sign, verify
from tests.documents import minimal_badge

CREATED = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("key_name, cryptosuite", [
    ("issuer-ed25519", "eddsa-rdfc-2022"),
    ("issuer-p256", "ecdsa-rdfc-2019"),
    ("issuer-p384", "ecdsa-rdfc-2019"),
])
def test_a_did_key_signed_badge_verifies(canonicalizer: Canonicalizer, key_name: str, cryptosuite: str) -> None:
    key = suite_key(key_name)
    signed = sign(minimal_badge(), key.private_key, cryptosuite=cryptosuite, verification_method=key.vm_id,
                  purpose="assertionMethod", created=CREATED, canonicalizer=canonicalizer)
    result = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=CREATED)
    assert result.verified, result.message


def test_a_purpose_the_did_document_does_not_grant_is_not_authorized(canonicalizer: Canonicalizer) -> None:
    key = suite_key("issuer-ed25519")
    signed = sign(minimal_badge(), key.private_key, cryptosuite="eddsa-rdfc-2022", verification_method=key.vm_id,
                  purpose="keyAgreement", created=CREATED, canonicalizer=canonicalizer)
    result = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=CREATED,
                    expected_purpose="keyAgreement")
    assert not result.verified and result.reason == "key-not-authorized"


def test_a_did_web_method_offline_is_indeterminate_not_failed(canonicalizer: Canonicalizer) -> None:
    key = suite_key("issuer-ed25519")
    signed = sign(minimal_badge(), key.private_key, cryptosuite="eddsa-rdfc-2022",
                  verification_method="did:web:issuer.example.edu#key-1", purpose="assertionMethod",
                  created=CREATED, canonicalizer=canonicalizer)
    result = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=CREATED)
    assert not result.verified and result.reason == "key-unavailable" and result.indeterminate


def test_a_did_method_the_suite_does_not_resolve_is_unsupported_not_failed(canonicalizer: Canonicalizer) -> None:
    key = suite_key("issuer-ed25519")
    signed = sign(minimal_badge(), key.private_key, cryptosuite="eddsa-rdfc-2022",
                  verification_method="did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w#key-1",
                  purpose="assertionMethod", created=CREATED, canonicalizer=canonicalizer)
    result = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=CREATED)
    assert not result.verified and result.reason == "key-unsupported" and result.indeterminate


def test_another_keys_signature_does_not_verify(canonicalizer: Canonicalizer) -> None:
    key, other = suite_key("issuer-ed25519"), suite_key("other-ed25519")
    signed = sign(minimal_badge(), other.private_key, cryptosuite="eddsa-rdfc-2022", verification_method=key.vm_id,
                  purpose="assertionMethod", created=CREATED, canonicalizer=canonicalizer)
    result = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=CREATED)
    assert not result.verified and result.reason == "signature-mismatch"
