"""Keys and DIDs: multibase/multikey and JWK key material, did:key, did:jwk and did:web documents, and
verification method retrieval behind the KeyResolver protocol.

Every refusal is a KeysError carrying a reason code from KEY_ERROR_CODES; `indeterminate` marks the ones
that mean "could not find out" rather than "the key is wrong". Nothing here opens a network connection:
did:web and https controller documents come through an injected `fetch(url) -> bytes`.
"""

from __future__ import annotations

from .did import (
    RELATIONSHIPS,
    Fetch,
    did_jwk_from_jwk,
    did_key_from_multikey,
    did_web_url,
    resolve_did_jwk,
    resolve_did_key,
    resolve_did_web,
)
from .errors import INDETERMINATE_CODES, KEY_ERROR_CODES, KeyFailure, KeysError
from .jwk import (
    jwk_from_private_key,
    jwk_from_public_key,
    private_key_from_jwk,
    public_key_from_jwk,
    public_material_from_jwk,
)
from .methods import (
    SUPPORTED_VM_TYPES,
    KeyResolver,
    ResolvedKey,
    VerificationMethodResolver,
    key_from_verification_method,
    retrieve_verification_method,
    select_verification_method,
    try_resolve,
)
from .multibase import decode_multibase, encode_multibase
from .multikey import (
    KeyType,
    PrivateKey,
    PublicKey,
    PublicKeyMaterial,
    SecretKeyMaterial,
    decode_public_multikey,
    decode_secret_multikey,
    encode_public_multikey,
    encode_secret_multikey,
    key_type_of,
    private_key_from_multikey,
    public_key_from_multikey,
)

__all__ = [
    "INDETERMINATE_CODES",
    "KEY_ERROR_CODES",
    "RELATIONSHIPS",
    "SUPPORTED_VM_TYPES",
    "Fetch",
    "KeyFailure",
    "KeyResolver",
    "KeyType",
    "KeysError",
    "PrivateKey",
    "PublicKey",
    "PublicKeyMaterial",
    "ResolvedKey",
    "SecretKeyMaterial",
    "VerificationMethodResolver",
    "decode_multibase",
    "decode_public_multikey",
    "decode_secret_multikey",
    "did_jwk_from_jwk",
    "did_key_from_multikey",
    "did_web_url",
    "encode_multibase",
    "encode_public_multikey",
    "encode_secret_multikey",
    "jwk_from_private_key",
    "jwk_from_public_key",
    "key_from_verification_method",
    "key_type_of",
    "private_key_from_jwk",
    "private_key_from_multikey",
    "public_key_from_jwk",
    "public_key_from_multikey",
    "public_material_from_jwk",
    "resolve_did_jwk",
    "resolve_did_key",
    "resolve_did_web",
    "retrieve_verification_method",
    "select_verification_method",
    "try_resolve",
]
