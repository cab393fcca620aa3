"""proofValue multibase: round trips, and typed errors that name the proofValue (the codec is tested in keys/)."""
from __future__ import annotations

import pytest

from conformance.support.securing.keys.multibase import MAX_MULTIBASE_CHARS
from conformance.support.securing.proofs import MultibaseError, decode_base58btc, encode_base58btc

ROUND_TRIPS = [b"\0", b"\0\0\x01", b"hello world", bytes(range(256)), b"\xff" * 64]


@pytest.mark.parametrize("data", ROUND_TRIPS, ids=[f"len{len(d)}" for d in ROUND_TRIPS])
def test_round_trip(data: bytes) -> None:
    encoded = encode_base58btc(data)
    assert encoded.startswith("z") and decode_base58btc(encoded) == data


def test_known_encoding() -> None:
    assert encode_base58btc(b"hello world") == "zStV1DL6CwTryKyV"


BAD = ["", "z", "uAAAA", "Zabc", "z0abc", "zabcIl", "z" + "2" * (MAX_MULTIBASE_CHARS + 1), 12, None]


@pytest.mark.parametrize("value", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_values_raise_typed_errors_naming_the_proof_value(value: object) -> None:
    with pytest.raises(MultibaseError) as caught:
        decode_base58btc(value)
    assert "proofValue" in str(caught.value)
