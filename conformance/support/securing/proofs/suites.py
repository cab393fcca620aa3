"""The cryptosuites: how a proof's bytes are computed from a document and checked against a key.

All the suites here share one shape: canonicalize the proof configuration and the unsecured document with
RDFC-1.0, hash each, concatenate (configuration first), and sign the concatenation. They differ in the proof
type, the cryptosuite name, the hash, and the signature scheme.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from conformance.support.securing.proofs.canonical import Canonicalizer
from conformance.support.securing.proofs.keys import PrivateKey, PublicKey

DATA_INTEGRITY_PROOF = "DataIntegrityProof"

SuiteProblem = Literal["key-type-mismatch", "bad-proof-value", "signature-mismatch"]


class SuiteError(Exception):
    def __init__(self, reason: SuiteProblem, message: str):
        super().__init__(message)
        self.reason: SuiteProblem = reason
        self.message = message


class Cryptosuite(Protocol):
    """One way of securing a document with a proof. `cryptosuite` is None for legacy proof types."""

    @property
    def name(self) -> str: ...

    @property
    def proof_type(self) -> str: ...

    @property
    def cryptosuite(self) -> str | None: ...

    def hash_data(self, document: Mapping[str, Any], proof_config: Mapping[str, Any],
                  canonicalizer: Canonicalizer, key: PublicKey | PrivateKey) -> bytes:
        """The bytes that are signed; raises CanonicalizationError or SuiteError."""
        ...

    def sign(self, private_key: PrivateKey, data: bytes) -> bytes: ...

    def verify(self, public_key: PublicKey, signature: bytes, data: bytes) -> None:
        """Returns when the signature holds; raises SuiteError otherwise."""
        ...


def _public(key: PublicKey | PrivateKey) -> PublicKey:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        return key.public_key()
    return key


def _describe_key(key: object) -> str:
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return "an Ed25519 key"
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        return f"an EC key on {key.curve.name}"
    return f"a {type(key).__name__}"


def _rdfc_hash_data(document: Mapping[str, Any], proof_config: Mapping[str, Any], canonicalizer: Canonicalizer,
                    digest: str) -> bytes:
    # a proof configuration repeats across a batch (same options, same @context): remembered by its exact JSON
    # the digest is also RDFC-1.0's hash function: SHA-384 for P-384 keys (vc-di-ecdsa, section Algorithms)
    config_canon = canonicalizer.canonicalize(proof_config, memo=True, hash_algorithm=digest)
    document_canon = canonicalizer.canonicalize(document, hash_algorithm=digest)
    return (hashlib.new(digest, config_canon.encode("utf-8")).digest()
            + hashlib.new(digest, document_canon.encode("utf-8")).digest())


@dataclass(frozen=True, slots=True)
class EddsaRdfc:
    """eddsa-rdfc-2022 and, with another proof type and no cryptosuite name, Ed25519Signature2020."""

    name: str = "eddsa-rdfc-2022"
    proof_type: str = DATA_INTEGRITY_PROOF
    cryptosuite: str | None = "eddsa-rdfc-2022"

    def _check(self, key: object) -> None:
        if not isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
            raise SuiteError("key-type-mismatch", f"expected an Ed25519 key for {self.name}, "
                                                  f"found {_describe_key(key)}")

    def hash_data(self, document: Mapping[str, Any], proof_config: Mapping[str, Any],
                  canonicalizer: Canonicalizer, key: PublicKey | PrivateKey) -> bytes:
        self._check(key)
        return _rdfc_hash_data(document, proof_config, canonicalizer, "sha256")

    def sign(self, private_key: PrivateKey, data: bytes) -> bytes:
        if not isinstance(private_key, ed25519.Ed25519PrivateKey):
            raise SuiteError("key-type-mismatch", f"expected an Ed25519 private key for {self.name}, "
                                                  f"found {_describe_key(private_key)}")
        return private_key.sign(data)

    def verify(self, public_key: PublicKey, signature: bytes, data: bytes) -> None:
        if not isinstance(public_key, ed25519.Ed25519PublicKey):
            raise SuiteError("key-type-mismatch", f"expected an Ed25519 key for {self.name}, "
                                                  f"found {_describe_key(public_key)}")
        if len(signature) != 64:
            raise SuiteError("bad-proof-value", f"expected a 64-byte Ed25519 signature, found {len(signature)} bytes")
        try:
            public_key.verify(signature, data)
        except InvalidSignature:
            raise SuiteError("signature-mismatch", "the Ed25519 signature does not match the canonical document "
                                                   "and proof configuration") from None


_CURVES: dict[str, tuple[str, int, type[hashes.HashAlgorithm]]] = {
    "secp256r1": ("sha256", 32, hashes.SHA256),
    "secp384r1": ("sha384", 48, hashes.SHA384),
}


@dataclass(frozen=True, slots=True)
class EcdsaRdfc:
    """ecdsa-rdfc-2019: P-256 with SHA-256 or P-384 with SHA-384; signatures are r||s of fixed width."""

    name: str = "ecdsa-rdfc-2019"
    proof_type: str = DATA_INTEGRITY_PROOF
    cryptosuite: str | None = "ecdsa-rdfc-2019"

    def _curve(self, key: object) -> tuple[str, int, type[hashes.HashAlgorithm]]:
        if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)) and key.curve.name in _CURVES:
            return _CURVES[key.curve.name]
        raise SuiteError("key-type-mismatch", f"expected a P-256 or P-384 key for {self.name}, "
                                              f"found {_describe_key(key)}")

    def hash_data(self, document: Mapping[str, Any], proof_config: Mapping[str, Any],
                  canonicalizer: Canonicalizer, key: PublicKey | PrivateKey) -> bytes:
        digest, _, _ = self._curve(key)
        return _rdfc_hash_data(document, proof_config, canonicalizer, digest)

    def sign(self, private_key: PrivateKey, data: bytes) -> bytes:
        _, width, algorithm = self._curve(private_key)
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise SuiteError("key-type-mismatch", f"expected an EC private key for {self.name}")
        r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(algorithm())))
        return r.to_bytes(width, "big") + s.to_bytes(width, "big")

    def verify(self, public_key: PublicKey, signature: bytes, data: bytes) -> None:
        _, width, algorithm = self._curve(public_key)
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise SuiteError("key-type-mismatch", f"expected an EC public key for {self.name}")
        if len(signature) != 2 * width:
            raise SuiteError("bad-proof-value", f"expected a {2 * width}-byte r||s signature for "
                                                f"{public_key.curve.name}, found {len(signature)} bytes")
        r, s = int.from_bytes(signature[:width], "big"), int.from_bytes(signature[width:], "big")
        try:
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithm()))
        except InvalidSignature:
            raise SuiteError("signature-mismatch", "the ECDSA signature does not match the canonical document "
                                                   "and proof configuration") from None


EDDSA_RDFC_2022 = EddsaRdfc()
ECDSA_RDFC_2019 = EcdsaRdfc()
ED25519_SIGNATURE_2020 = EddsaRdfc(name="Ed25519Signature2020", proof_type="Ed25519Signature2020", cryptosuite=None)
# eddsa-2022 is what vc-di-eddsa called eddsa-rdfc-2022 before the Recommendation; the algorithm is the same (the name
# is signed inside the proof configuration like any other member), so the suite checks the signature and leaves the
# name to DI10-cryptosuite-registered-name, where the W3C text and deployed validators disagree.
EDDSA_2022_DRAFT = EddsaRdfc(name="eddsa-2022", cryptosuite="eddsa-2022")

DEFAULT_SUITES: tuple[Cryptosuite, ...] = (EDDSA_RDFC_2022, ECDSA_RDFC_2019, ED25519_SIGNATURE_2020, EDDSA_2022_DRAFT)

# Draft cryptosuite names -> the registered name of the same algorithm.
DRAFT_CRYPTOSUITES: Mapping[str, str] = MappingProxyType({"eddsa-2022": "eddsa-rdfc-2022"})

# Registered in the VC Specifications Directory (or, for the legacy proof types, widely deployed) but not verified
# here: a proof using one is the suite's limit (cantTell), never the credential's failure. A name outside these lists
# and the suites above is registered nowhere, and no verifier can follow it.
REGISTERED_CRYPTOSUITES: frozenset[str] = frozenset({
    "eddsa-jcs-2022", "ecdsa-jcs-2019", "ecdsa-sd-2023", "bbs-2023",
})
REGISTERED_PROOF_TYPES: frozenset[str] = frozenset({
    "Ed25519Signature2018", "JsonWebSignature2020", "EcdsaSecp256k1Signature2019", "BbsBlsSignature2020",
})


def suite_named(name: str, suites: tuple[Cryptosuite, ...] = DEFAULT_SUITES) -> Cryptosuite | None:
    return next((suite for suite in suites if suite.name == name), None)
