"""Hostile input never escapes as anything but KeysError, and never takes long."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.support.securing.keys import (
    KEY_ERROR_CODES,
    KeysError,
    VerificationMethodResolver,
    decode_multibase,
    did_web_url,
    public_key_from_jwk,
    public_key_from_multikey,
    resolve_did_jwk,
    resolve_did_key,
)
from conformance.support.securing.keys.multibase import base58btc_encode, base64url_encode, encode_varint
from conformance.support.securing.keys.testkeys import suite_key

FUZZ = settings(max_examples=150, deadline=None, database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Near-miss strings: prefixes a decoder branches on, followed by noise.
prefixed_text = st.tuples(
    st.sampled_from(
        [
            "",
            "z",
            "u",
            "z6Mk",
            "zDn",
            "z82L",
            "did:key:",
            "did:key:z",
            "did:jwk:",
            "did:web:",
            "https://a.example/k#",
            "did:web:a.example#",
            "did:jwk:eyJ",
        ]
    ),
    st.text(max_size=60),
).map("".join)


def refused_or_ok(call: Any, *args: Any) -> None:
    try:
        call(*args)
    except KeysError as exc:
        assert exc.code in KEY_ERROR_CODES and exc.message


@FUZZ
@given(prefixed_text)
def test_text_decoders(text: str) -> None:
    for call in (decode_multibase, public_key_from_multikey, resolve_did_key, resolve_did_jwk, did_web_url):
        refused_or_ok(call, text)


@FUZZ
@given(st.integers(min_value=0, max_value=2**63 - 1), st.binary(max_size=80))
def test_multikey_with_any_codec_and_body(codec: int, body: bytes) -> None:
    refused_or_ok(public_key_from_multikey, "z" + base58btc_encode(encode_varint(codec) + body))
    refused_or_ok(resolve_did_key, "did:key:z" + base58btc_encode(encode_varint(codec) + body))


@FUZZ
@given(
    json_values, st.sampled_from(["OKP", "EC", "RSA"]), st.sampled_from(["Ed25519", "P-256", "P-384", None])
)
def test_jwks(noise: Any, kty: str, crv: str | None) -> None:
    refused_or_ok(public_key_from_jwk, noise)
    jwk = {"kty": kty, "crv": crv, "x": noise, "y": noise}
    refused_or_ok(public_key_from_jwk, jwk)
    refused_or_ok(resolve_did_jwk, "did:jwk:" + base64url_encode(json.dumps(jwk).encode()))


@FUZZ
@given(
    json_values,
    st.sampled_from(["verificationMethod", "assertionMethod", "controller", "type", "publicKeyMultibase"]),
)
def test_controller_documents(noise: Any, where: str) -> None:
    url = "https://issuer.example/keys"
    key = suite_key("issuer-ed25519")
    document: dict[str, Any] = {
        "id": url,
        "verificationMethod": [
            {
                "id": url + "#k",
                "type": "Multikey",
                "controller": url,
                "publicKeyMultibase": key.public_multibase,
            }
        ],
        "assertionMethod": [url + "#k"],
    }
    if where in document:
        document[where] = noise
    else:
        document["verificationMethod"][0][where] = noise
    body = json.dumps(document).encode()
    resolver = VerificationMethodResolver(lambda u: body)
    refused_or_ok(resolver.resolve, url + "#k", "assertionMethod")
    refused_or_ok(
        VerificationMethodResolver(lambda u: json.dumps(noise).encode()).resolve,
        url + "#k",
        "assertionMethod",
    )


def test_long_base58_input_is_refused_quickly() -> None:
    # At the cap, base58 decoding is a big-integer conversion of 16k digits: milliseconds, not a hang.
    for text in ("z" + "2" * 16_383, "z" + "2" * 1_000_000):
        refused_or_ok(public_key_from_multikey, text)
