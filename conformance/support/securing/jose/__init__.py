"""JOSE securing: verification of compact JWS credentials (VC-JWT 1.1, the Open Badges JWT form,
VC-JOSE-COSE and enveloped credentials) and signing for the suite's own use.

Results are small values (`JoseResult`, `JwtVerification`) with a stable reason code, a message
and the part of the JWS they concern; checks turn them into findings. Key lookup goes through a
`JwsKeyResolver`, so DID and controller-document resolution plug in from outside.
"""

from .keys import (
    ControllerDocumentJwsResolver,
    JwsKeyResolver,
    KeyInput,
    PublicKey,
    StaticKeyResolver,
    VerificationKey,
    load_public_key,
)
from .results import JOSE_REASONS, JoseError, JoseKeyError, JosePart, JoseReason, JoseResult, KeySource
from .sign import default_alg, sign_jws
from .verify import (
    ALLOWED_ALGORITHMS,
    DEFAULT_LEEWAY,
    ENVELOPE_MEDIA_TYPES,
    JwtVerification,
    check_header,
    check_time_claims,
    discover_key,
    key_alg_mismatch,
    verify_enveloped,
    verify_jws,
    verify_jwt_credential,
)

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_LEEWAY",
    "ENVELOPE_MEDIA_TYPES",
    "JOSE_REASONS",
    "JoseError",
    "JoseKeyError",
    "JosePart",
    "JoseReason",
    "JoseResult",
    "JwsKeyResolver",
    "JwtVerification",
    "KeyInput",
    "KeySource",
    "PublicKey",
    "StaticKeyResolver",
    "ControllerDocumentJwsResolver",
    "VerificationKey",
    "check_header",
    "check_time_claims",
    "default_alg",
    "discover_key",
    "key_alg_mismatch",
    "load_public_key",
    "sign_jws",
    "verify_enveloped",
    "verify_jws",
    "verify_jwt_credential",
]
