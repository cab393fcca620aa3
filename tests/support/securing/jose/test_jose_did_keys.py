"""JWS credentials signed with the suite's test keys verify through real DID resolution (conformance.support.securing.keys)."""
from __future__ import annotations

import pytest

from conformance.support.formats import credential_from_jws, decode_compact_jws
from conformance.support.securing.jose import ControllerDocumentJwsResolver, sign_jws, verify_jwt_credential
from conformance.support.securing.keys.testkeys import suite_key
from tests.documents import minimal_badge

NOW = 1_760_000_000.0


def _vc_jose(key_name: str, *, kid: str | None, iss: str | None, signer: str | None = None) -> str:
    key = suite_key(key_name)
    document = minimal_badge()
    document["issuer"]["id"] = key.did
    header = {"typ": "vc+jwt"} | ({"kid": kid} if kid else {})
    claims = dict(document) | ({"iss": iss} if iss else {})
    return sign_jws(header, claims, suite_key(signer or key_name).private_key)


@pytest.mark.parametrize("key_name", ["issuer-ed25519", "issuer-p256", "issuer-p384"])
def test_a_kid_naming_a_did_key_method_verifies(key_name: str) -> None:
    key = suite_key(key_name)
    token = _vc_jose(key_name, kid=key.vm_id, iss=None)
    result = verify_jwt_credential(credential_from_jws(decode_compact_jws(token)), ControllerDocumentJwsResolver(),
                                   now=NOW)
    assert result.verified, result.signature.message


def test_an_iss_did_key_without_kid_names_its_key() -> None:
    key = suite_key("issuer-ed25519")
    token = _vc_jose("issuer-ed25519", kid=None, iss=key.did)
    result = verify_jwt_credential(credential_from_jws(decode_compact_jws(token)), ControllerDocumentJwsResolver(),
                                   now=NOW)
    assert result.verified, result.signature.message


def test_a_signature_by_another_key_does_not_verify() -> None:
    key = suite_key("issuer-ed25519")
    token = _vc_jose("issuer-ed25519", kid=key.vm_id, iss=None, signer="other-ed25519")
    result = verify_jwt_credential(credential_from_jws(decode_compact_jws(token)), ControllerDocumentJwsResolver(),
                                   now=NOW)
    assert not result.verified and result.signature.reason == "signature-mismatch"


def test_a_did_web_kid_offline_is_unavailable_not_a_failed_signature() -> None:
    token = _vc_jose("issuer-ed25519", kid="did:web:issuer.example.edu#key-1", iss=None)
    result = verify_jwt_credential(credential_from_jws(decode_compact_jws(token)), ControllerDocumentJwsResolver(),
                                   now=NOW)
    assert not result.verified and result.signature.reason == "key-unavailable"
    assert "did:web" in result.signature.message or "issuer.example.edu" in result.signature.message


def test_a_kid_in_a_did_method_the_suite_lacks_is_unsupported_not_a_failed_signature() -> None:
    token = _vc_jose("issuer-ed25519", kid="did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w#key-1", iss=None)
    result = verify_jwt_credential(credential_from_jws(decode_compact_jws(token)), ControllerDocumentJwsResolver(),
                                   now=NOW)
    assert not result.verified and result.signature.reason == "key-unsupported", result.signature.message
