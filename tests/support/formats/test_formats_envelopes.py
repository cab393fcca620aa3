"""SD-JWT and COSE_Sign1: recognized, their structure recorded, never opened as a document."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.support.formats import CoseSign1, Limits, PayloadError, SdJwt, decode, sniff
from conformance.support.formats.envelopes import read_cose_sign1
from tests.support.formats.builders import CREDENTIAL, b64url, credential_bytes, make_jws

ISSUER_JWT = make_jws({"alg": "ES256", "typ": "vc+sd-jwt", "cty": "vc"}, {"_sd": ["abc"], "iss": "https://i.example"})
DISCLOSURE = b64url(b'["salt", "givenName", "Jane"]')
KEY_BINDING = make_jws({"alg": "ES256", "typ": "kb+jwt"}, {"nonce": "n"})


# --- a tiny CBOR writer for the tests (definite lengths only) ----------------------------------------------------

def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | info]) + value.to_bytes(width, "big")
    raise ValueError(value)


def cbor(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        return bytes([0xF5 if value is True else 0xF4 if value is False else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        return _head(3, len(value.encode())) + value.encode()
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


PROTECTED = {1: -7, 3: "application/vc", 4: b"key-1", 16: "application/vc+cose"}


def cose_sign1(*, tagged: bool = True, payload: bytes | None = credential_bytes(),
               unprotected: dict[Any, Any] | None = None) -> bytes:
    body = cbor([cbor(PROTECTED), unprotected or {}, payload, b"\x00" * 64])
    return (b"\xd2" + body) if tagged else body


# --- SD-JWT ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "disclosures", "key_binding"), [
    (f"{ISSUER_JWT}~{DISCLOSURE}~{DISCLOSURE}~", 2, None),
    (f"{ISSUER_JWT}~", 0, None),
    (f"{ISSUER_JWT}~{DISCLOSURE}~{KEY_BINDING}", 1, KEY_BINDING),
    (f"\ufeff {ISSUER_JWT}~{DISCLOSURE}~\n", 1, None),
], ids=["two-disclosures", "none-disclosed", "key-binding", "bom-and-newline"])
def test_an_sd_jwt_is_recognized_and_not_opened(text: str, disclosures: int, key_binding: str | None) -> None:
    payload = decode(text.encode())
    assert (payload.media, payload.document, payload.jwt) == ("sd-jwt", {}, None)
    assert isinstance(payload.envelope, SdJwt)
    assert payload.envelope.issuer_jwt.header["typ"] == "vc+sd-jwt"
    assert len(payload.envelope.disclosures) == disclosures
    assert payload.envelope.key_binding == key_binding


def test_an_sd_jwt_whose_issuer_jwt_is_broken_is_a_malformed_jws() -> None:
    header, _, signature = ISSUER_JWT.split(".")
    with pytest.raises(PayloadError) as caught:
        decode(f"{header}.bm90LWpzb24.{signature}~{DISCLOSURE}~".encode())
    assert caught.value.code == "jws-malformed"
    assert "issuer-signed JWT of the SD-JWT" in caught.value.message


def test_a_jws_without_a_tilde_is_still_a_jwt() -> None:
    assert sniff(ISSUER_JWT.encode()) == "jwt"
    assert sniff(f"{ISSUER_JWT}~x y~".encode()) is None      # a space is no disclosure


# --- COSE_Sign1 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "tagged", "encoded"), [
    (cose_sign1(), True, False),
    (cose_sign1(tagged=False), False, False),
    (base64.b64encode(cose_sign1()) + b"\n", True, True),
    (base64.urlsafe_b64encode(cose_sign1()).rstrip(b"="), True, True),
], ids=["tagged", "untagged", "base64", "base64url"])
def test_cose_sign1_is_recognized_and_not_opened(raw: bytes, tagged: bool, encoded: bool) -> None:
    payload = decode(raw)
    assert (payload.media, payload.document, payload.jwt) == ("cose", {}, None)
    envelope = payload.envelope
    assert isinstance(envelope, CoseSign1)
    assert (envelope.tagged, envelope.base64) == (tagged, encoded)
    assert (envelope.typ, envelope.content_type) == ("application/vc+cose", "application/vc")
    assert (envelope.payload_size, envelope.signature_size) == (len(credential_bytes()), 64)


def test_a_detached_payload_and_a_rich_unprotected_header_are_read() -> None:
    raw = cose_sign1(payload=None, unprotected={33: [b"cert-1", b"cert-2"], "note": {"a": [1, -2, 3.5, True]}})
    envelope = decode(raw).envelope
    assert isinstance(envelope, CoseSign1) and envelope.payload_size is None


@pytest.mark.parametrize(("raw", "why"), [
    (cose_sign1()[:-5], "more than remain"),
    (cose_sign1() + b"\x00", "follow the structure"),
    (b"\xd2\x83" + cbor(b"") + cbor({}) + cbor(b""), "array of four"),
    (b"\xd2\x84" + cbor({}) + cbor({}) + cbor(b"") + cbor(b""), "byte string is expected"),
    (b"\xd2\x84\x5b" + (2**62).to_bytes(8, "big"), "more than remain"),
    (b"\xd2\x84" + cbor(b"") + b"\x81" * 40 + b"\x00" + cbor(b"") + cbor(b""), "nest deeper"),
], ids=["truncated", "trailing", "three-items", "protected-not-bytes", "huge-length", "deep"])
def test_bytes_announcing_cose_sign1_that_break_it_are_malformed(raw: bytes, why: str) -> None:
    """CBOR tag 18 says "COSE_Sign1": bytes that carry it and break the structure claim the format and fail it."""
    with pytest.raises(PayloadError) as caught:
        read_cose_sign1(raw)
    assert caught.value.code == "cose-malformed"
    assert why in caught.value.message


def test_untagged_lookalikes_are_not_recognized_at_all() -> None:
    with pytest.raises(PayloadError) as caught:
        decode(cose_sign1(tagged=False)[:-5])
    assert caught.value.code == "unknown-format" and "COSE_Sign1" in caught.value.message


def test_a_huge_count_claim_is_refused_before_any_work() -> None:
    raw = b"\xd2\x84" + cbor(b"") + b"\xba" + struct.pack(">I", 2**31) + cbor(b"") + cbor(b"")
    with pytest.raises(PayloadError) as caught:
        read_cose_sign1(raw, Limits(max_containers=1000))
    assert caught.value.code == "cose-malformed" and "too many items" in caught.value.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=256))
def test_arbitrary_bytes_after_the_cose_prefix_never_raise_anything_else(tail: bytes) -> None:
    for raw in (b"\xd2\x84" + tail, b"\x84\x40" + tail):
        try:
            read_cose_sign1(raw)
        except PayloadError as exc:
            assert exc.code == ("cose-malformed" if raw[0] == 0xD2 else "unknown-format")


def test_a_credential_in_json_is_not_mistaken_for_an_envelope() -> None:
    assert decode(credential_bytes()).document == CREDENTIAL
