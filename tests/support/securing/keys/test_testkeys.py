"""The suite's named test keys: fixed, derived as documented, and usable in every published form."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from conformance.support.securing.keys import (
    KeyType,
    VerificationMethodResolver,
    encode_public_multikey,
    private_key_from_jwk,
    private_key_from_multikey,
    public_key_from_jwk,
    public_key_from_multikey,
    resolve_did_jwk,
)
from conformance.support.securing.keys.testkeys import SUITE_KEY_LABELS, suite_key, suite_keys

# Signed vectors depend on these: a change here means every signed vector must be re-signed.
PINNED = {
    "issuer-ed25519": "z6MkooV2xvPPyuRn5iTJKU6LRVMvo2d5ATJtYhe8CtESxBRq",
    "issuer-p256": "zDnaeXqnwhCs7PGPFjf7DmycBjcPkjxcBdyqTjfENDBEEQrQU",
    "issuer-p384": "z82Lkvtg92Tx8uFvJXoWmokAbb7A71Ax6Eb1v5J6KaCJkXrA78Va3aheF1Jtx8RPmRK73Sd",
    "holder-ed25519": "z6MkgYcnYqJYELPfoQ4VVRBY8m6kA7BtWn4e3ub4bmDnj8yx",
    "holder-p256": "zDnaewFHypuEY1neQupUhrBrACEAwTAFBJ328sZ3fKLKRheMf",
    "other-ed25519": "z6MkpDR6cj6eG3LSxcWJXChbkVcCJrrQhqoCqNwWGa9icpMQ",
    "other-p256": "zDnaeVVWKWhFa4mYBAa3uTFdXJ5CHDQvnegHB4kZDQr4qo6gb",
    "status-ed25519": "z6MkgPbUx6Q9d9S9ugh2xpSoQR39pCZghEnPxmmVKADB62M3",
    "report-ed25519": "z6MksiXzcSBFPE5ZmbM6KQBzQ7GaTizx8oetqHKkP2egww5N",
    "w3c-eddsa-2022": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
}
ORDERS = {
    KeyType.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    KeyType.P384: 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
}


def test_every_key_is_pinned() -> None:
    assert {key.name: key.public_multibase for key in suite_keys()} == PINNED
    assert len({key.public_multibase for key in suite_keys()}) == len(PINNED)


@pytest.mark.parametrize("name", list(SUITE_KEY_LABELS))
def test_derivation_follows_the_documented_rule(name: str) -> None:
    key = suite_key(name)
    label = f"ler-conformance public test key: {name}".encode()
    if key.key_type == KeyType.ED25519:
        seed = hashlib.sha256(label).digest()
        expected = ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key()
        assert key.public_key.public_bytes_raw() == expected.public_bytes_raw()  # type: ignore[union-attr]
    else:
        digest = hashlib.sha256 if key.key_type == KeyType.P256 else hashlib.sha384
        scalar = int.from_bytes(digest(label).digest(), "big") % (ORDERS[key.key_type] - 1) + 1
        assert isinstance(key.private_key, ec.EllipticCurvePrivateKey)
        assert key.private_key.private_numbers().private_value == scalar


@pytest.mark.parametrize("name", list(PINNED))
def test_published_forms_agree(name: str) -> None:
    key = suite_key(name)
    assert suite_key(name) is key  # cached
    assert key.did == f"did:key:{key.public_multibase}"
    assert key.vm_id == f"{key.did}#{key.public_multibase}"
    assert encode_public_multikey(public_key_from_multikey(key.public_multibase)) == key.public_multibase
    assert encode_public_multikey(public_key_from_jwk(key.jwk)) == key.public_multibase
    assert encode_public_multikey(private_key_from_jwk(key.private_jwk).public_key()) == key.public_multibase
    assert (
        encode_public_multikey(private_key_from_multikey(key.secret_multibase).public_key())
        == key.public_multibase
    )
    assert "d" not in key.jwk and "d" in key.private_jwk
    assert key.did_document()["assertionMethod"] == [key.vm_id]
    assert resolve_did_jwk(key.did_jwk)["id"] == key.did_jwk == key.did_jwk_document()["id"]
    resolved = VerificationMethodResolver().resolve(key.vm_id, "assertionMethod")
    assert encode_public_multikey(resolved.public_key) == key.public_multibase
    assert key.secret_multibase not in repr(key) and key.public_multibase in repr(key)


@pytest.mark.parametrize("name", ["issuer-ed25519", "issuer-p256", "issuer-p384"])
def test_signatures_verify_with_the_public_key(name: str) -> None:
    key = suite_key(name)
    message = b"hashData stand-in"
    signature = key.sign(message)
    if key.key_type == KeyType.ED25519:
        assert len(signature) == 64
        assert isinstance(key.public_key, ed25519.Ed25519PublicKey)
        key.public_key.verify(signature, message)
        return
    size, algorithm = (32, hashes.SHA256()) if key.key_type == KeyType.P256 else (48, hashes.SHA384())
    assert len(signature) == 2 * size
    der = encode_dss_signature(
        int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    )
    assert isinstance(key.public_key, ec.EllipticCurvePublicKey)
    key.public_key.verify(der, message, ec.ECDSA(algorithm))


def test_unknown_name() -> None:
    with pytest.raises(KeyError, match="issuer-ed25519"):
        suite_key("issuer-rsa")


def test_module_says_the_keys_are_public_test_material() -> None:
    import conformance.support.securing.keys.testkeys as module

    assert (
        module.__doc__ is not None
        and "must" in module.__doc__
        and "never secure anything real" in module.__doc__
    )
