"""Data Integrity proofs: RDFC-1.0 canonicalization with a bound on work, the eddsa-rdfc-2022, ecdsa-rdfc-2019 and
Ed25519Signature2020 suites (and the draft name eddsa-2022), proof sets and chains, and signing for the suite's own
vectors.

Checks use `verify` and turn its `VerificationResult` (reason code, message, pointer) into findings; what a reason
means for the credential (verified, failed, unsupported, unavailable, not evaluated) is `outcome_of`, the one table
the DI10 steps and the shared securing findings read.
"""
from conformance.support.securing.proofs.canonical import (
                                          DEFAULT_TIMEOUT,
                                          CanonicalizationError,
                                          CanonicalizationTimeout,
                                          Canonicalizer,
                                          ContextNotAvailable,
                                          UndefinedTermError,
)
from conformance.support.securing.proofs.integrity import (
                                          ProofError,
                                          ProofResult,
                                          Reason,
                                          VerificationResult,
                                          format_datetime,
                                          sign,
                                          verify,
)
from conformance.support.securing.proofs.keys import (
                                          ControllerDocumentResolver,
                                          KeyResolutionError,
                                          KeyResolver,
                                          PrivateKey,
                                          PublicKey,
                                          ResolvedKey,
                                          StaticKeyResolver,
)
from conformance.support.securing.proofs.multibase import MultibaseError, decode_base58btc, encode_base58btc
from conformance.support.securing.proofs.outcomes import OUTCOMES, Judgement, UnknownReason, outcome_of
from conformance.support.securing.proofs.suites import (
                                          DEFAULT_SUITES,
                                          DRAFT_CRYPTOSUITES,
                                          ECDSA_RDFC_2019,
                                          ED25519_SIGNATURE_2020,
                                          EDDSA_2022_DRAFT,
                                          EDDSA_RDFC_2022,
                                          REGISTERED_CRYPTOSUITES,
                                          REGISTERED_PROOF_TYPES,
                                          Cryptosuite,
                                          SuiteError,
)

__all__ = [
    "DEFAULT_SUITES", "DEFAULT_TIMEOUT", "DRAFT_CRYPTOSUITES", "ECDSA_RDFC_2019", "ED25519_SIGNATURE_2020",
    "EDDSA_2022_DRAFT", "EDDSA_RDFC_2022", "OUTCOMES", "REGISTERED_CRYPTOSUITES", "REGISTERED_PROOF_TYPES",
    "CanonicalizationError", "CanonicalizationTimeout", "Canonicalizer", "ContextNotAvailable",
    "ControllerDocumentResolver", "Cryptosuite", "Judgement",
    "KeyResolutionError", "KeyResolver", "MultibaseError", "PrivateKey", "ProofError", "ProofResult", "PublicKey",
    "Reason", "ResolvedKey", "StaticKeyResolver", "SuiteError", "UndefinedTermError", "UnknownReason",
    "VerificationResult", "decode_base58btc", "encode_base58btc", "format_datetime", "outcome_of", "sign", "verify",
]
