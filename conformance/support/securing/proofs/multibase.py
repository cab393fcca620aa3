"""The 'z' (base58btc) multibase form proofValue uses, by way of the suite's one multibase codec in keys/."""
from __future__ import annotations

from conformance.support.securing.keys.errors import KeysError
from conformance.support.securing.keys.multibase import decode_multibase, encode_multibase


class MultibaseError(Exception):
    """A value that is not base58btc multibase; the message says what was found."""


def encode_base58btc(data: bytes) -> str:
    return encode_multibase(data, "z")


def decode_base58btc(value: object) -> bytes:
    """Bytes of a 'z' multibase string; raises MultibaseError for anything else."""
    try:
        return decode_multibase(value, allowed="z", what="the proofValue")
    except KeysError as exc:
        raise MultibaseError(exc.message) from None
