"""Data Integrity proofs: RDFC-1.0 canonicalization with a bound on work, the eddsa-rdfc-2022, ecdsa-rdfc-2019 and
Ed25519Signature2020 suites, proof sets and chains, and signing for the suite's own vectors.

Checks use `verify` and turn its `VerificationResult` (reason code, message, pointer) into findings.
"""
from conformance.proofs.canonical import (DEFAULT_TIMEOUT, CanonicalizationError, CanonicalizationTimeout,
                                          Canonicalizer, ContextNotAvailable, UndefinedTermError)
from conformance.proofs.integrity import (ProofError, ProofResult, Reason, VerificationResult, format_datetime, sign,
                                          verify)
from conformance.proofs.keys import (ControllerDocumentResolver, KeyResolutionError, KeyResolver, PrivateKey,
                                     PublicKey, ResolvedKey, StaticKeyResolver)
from conformance.proofs.multibase import MultibaseError, decode_base58btc, encode_base58btc
from conformance.proofs.suites import (DEFAULT_SUITES, ECDSA_RDFC_2019, ED25519_SIGNATURE_2020, EDDSA_RDFC_2022,
                                       Cryptosuite, SuiteError)

__all__ = [
    "DEFAULT_SUITES", "DEFAULT_TIMEOUT", "ECDSA_RDFC_2019", "ED25519_SIGNATURE_2020", "EDDSA_RDFC_2022",
    "CanonicalizationError", "CanonicalizationTimeout", "Canonicalizer", "ContextNotAvailable",
    "ControllerDocumentResolver", "Cryptosuite",
    "KeyResolutionError", "KeyResolver", "MultibaseError", "PrivateKey", "ProofError", "ProofResult", "PublicKey",
    "Reason", "ResolvedKey", "StaticKeyResolver", "SuiteError", "UndefinedTermError", "VerificationResult",
    "decode_base58btc", "encode_base58btc", "format_datetime", "sign", "verify",
]
