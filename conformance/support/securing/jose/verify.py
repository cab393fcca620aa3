"""Verification of compact JWS credentials: the signature, the key that made it, the time claims.

joserfc does the cryptography. Everything a JWS header can ask for is judged here first against a
fixed allow-list, so the header never chooses how the key is used: `none` and HMAC are refused
outright (with an HMAC alg, a verifier that trusts the header would take an RSA public key as the
shared secret), and a key must match the alg's family, curve and size before any signature math.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc.errors import JoseError as LibraryError
from joserfc.jws import JWSRegistry

from conformance.support.formats import (
    Limits,
    PayloadError,
    credential_from_jws,
    decode_compact_jws,
    parse_data_url,
)
from conformance.support.formats.jws import (
    Jws,
    JwtCredential,
    JwtStyle,
    describe_json_type,
    numeric_date_to_rfc3339,
)

from .keys import JwsKeyResolver, VerificationKey, load_public_key, private_members
from .results import JoseError, JoseKeyError, JoseResult, KeySource

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_LEEWAY",
    "ENVELOPE_MEDIA_TYPES",
    "JwtVerification",
    "check_header",
    "check_time_claims",
    "discover_key",
    "key_alg_mismatch",
    "verify_enveloped",
    "verify_jws",
    "verify_jwt_credential",
]

DEFAULT_LEEWAY = 60.0
MIN_RSA_BITS = 2048
_DEFAULT_LIMITS = Limits()
ENVELOPE_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/vp+jwt"})


@dataclass(frozen=True, slots=True)
class _AlgSpec:
    family: Literal["RSA", "EC", "OKP"]
    curve: str | None = None
    # Byte length of a raw signature (r||s for ECDSA); RSA's depends on the modulus.
    signature_size: int | None = None


# RFC 9864's fully specified "Ed25519" sits beside the polymorphic "EdDSA" it deprecates; both are
# limited to Ed25519 keys here.
ALGORITHMS: Mapping[str, _AlgSpec] = {
    **{f"{prefix}{bits}": _AlgSpec("RSA") for prefix in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": _AlgSpec("EC", "P-256", 64),
    "ES384": _AlgSpec("EC", "P-384", 96),
    "ES512": _AlgSpec("EC", "P-521", 132),
    "EdDSA": _AlgSpec("OKP", "Ed25519", 64),
    "Ed25519": _AlgSpec("OKP", "Ed25519", 64),
}
ALLOWED_ALGORITHMS: frozenset[str] = frozenset(ALGORITHMS)
_SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})
# Asymmetric algs registered for JWS (RFC 8812, RFC 9864) that this verifier does not implement: a credential signed
# with one may well verify elsewhere, so it is the suite's limit, not the credential's defect.
REGISTERED_UNIMPLEMENTED: frozenset[str] = frozenset({
    "ES256K", "Ed448", "ESP256", "ESP384", "ESP512", "ESB256", "ESB320", "ESB384", "ESB512",
})
_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """Everything verifying one JWT credential found. `signature` covers the header, key discovery and
    the signature; `time` lists time-claim problems (empty when the claims hold at `now`)."""

    signature: JoseResult
    time: tuple[JoseResult, ...] = ()
    key_source: KeySource | None = None
    credential: JwtCredential | None = None

    @property
    def verified(self) -> bool:
        return self.signature.verified and not self.time


def check_header(header: Mapping[str, Any]) -> JoseResult | None:
    """The header's own faults, judged before any key is looked up: None when alg, crit and an
    embedded jwk allow verification to go on."""
    alg = header.get("alg")
    if alg is None:
        return JoseResult.fail("malformed", "the JWS header has no alg", "header", "/alg")
    if not isinstance(alg, str):
        return JoseResult.fail(
            "malformed",
            f"the JWS header's alg is {describe_json_type(alg)}; a string is expected",
            "header",
            "/alg",
        )
    jwk = header.get("jwk")
    if isinstance(jwk, Mapping):
        leaked = private_members(jwk)
        if leaked:
            names = ", ".join(repr(name) for name in leaked)
            return JoseResult.fail(
                "private-key-leak",
                f"the jwk in the JWS header holds {names}: the signer published its private key",
                "header",
                f"/jwk/{leaked[0]}",
            )
    if alg.lower() == "none":
        return JoseResult.fail(
            "alg-none", f"the JWS header's alg is {alg!r}: the credential is not signed", "header", "/alg"
        )
    if alg.upper() in _SYMMETRIC:
        return JoseResult.fail(
            "alg-symmetric",
            f"the JWS header's alg is {alg!r}, a shared-secret MAC; a public-key signature is expected",
            "header",
            "/alg",
        )
    if alg in REGISTERED_UNIMPLEMENTED:
        return JoseResult.fail(
            "alg-unsupported",
            f"the JWS header's alg is {alg!r}, a registered algorithm this verifier does not implement",
            "header",
            "/alg",
        )
    if alg not in ALGORITHMS:
        allowed = ", ".join(sorted(ALGORITHMS))
        return JoseResult.fail(
            "alg-not-allowed",
            f"the JWS header's alg is {alg!r}; one of {allowed} is expected",
            "header",
            "/alg",
        )
    crit = header.get("crit")
    if crit is not None:
        if not isinstance(crit, list) or not crit or not all(isinstance(name, str) for name in crit):
            return JoseResult.fail(
                "malformed", "the JWS header's crit is not a non-empty array of strings", "header", "/crit"
            )
        # No extension is implemented, so every critical one makes the JWS unverifiable here.
        return JoseResult.fail(
            "crit-unsupported",
            f"the JWS header marks {', '.join(repr(name) for name in crit)} as critical; "
            "this verifier implements no JWS extension",
            "header",
            "/crit",
        )
    return None


def verify_jws(jws: Jws, key: object) -> JoseResult:
    """Verify the signature of a decoded compact JWS with `key` (a cryptography public key, a joserfc
    key or a public JWK mapping), under the header's alg as limited by ALLOWED_ALGORITHMS."""
    if not isinstance(jws, Jws):
        raise TypeError(f"expected Jws, not {type(jws).__name__}")
    refused = check_header(jws.header)
    if refused is not None:
        return refused
    try:
        prepared = load_public_key(key)
    except JoseError as exc:
        return exc.result()
    return _verify_prepared(jws, prepared)


def _verify_prepared(jws: Jws, key: VerificationKey) -> JoseResult:
    alg: str = jws.header["alg"]
    spec = ALGORITHMS[alg]
    mismatch = key_alg_mismatch(alg, key)
    if mismatch is not None:
        return JoseResult.fail("key-alg-mismatch", mismatch, "key")
    malformed = _signature_shape(alg, spec, key, jws.signature)
    if malformed is not None:
        return JoseResult.fail("malformed", malformed, "signature")
    model = JWSRegistry.algorithms[alg]
    try:
        valid = model.verify(jws.signing_input, jws.signature, key.jwk)
    except (LibraryError, ValueError, TypeError) as exc:
        return JoseResult.fail("malformed", f"the {alg} signature cannot be checked: {exc}", "signature")
    if not valid:
        return JoseResult.fail(
            "signature-mismatch",
            f"the {alg} signature does not verify under {key.description}: the header, the payload or the "
            "signature changed after signing, or another key signed it",
            "signature",
        )
    return JoseResult.ok(f"the {alg} signature verifies under {key.description}")


def key_alg_mismatch(alg: str, key: VerificationKey) -> str | None:
    """Why `key` cannot verify (or make) `alg` signatures, or None when it fits. `alg` must be allowed."""
    spec = ALGORITHMS[alg]
    public = key.public
    expected = {"RSA": "an RSA key", "EC": f"an EC key on {spec.curve}", "OKP": "an Ed25519 key"}[spec.family]
    if spec.family == "RSA":
        if not isinstance(public, rsa.RSAPublicKey):
            return f"alg {alg} needs {expected}; the key is {key.description}"
        if public.key_size < MIN_RSA_BITS:
            return (
                f"alg {alg} needs an RSA key of at least {MIN_RSA_BITS:,} bits; the key is {key.description}"
            )
    elif spec.family == "EC":
        if not isinstance(public, ec.EllipticCurvePublicKey) or _CURVES.get(public.curve.name) != spec.curve:
            return f"alg {alg} needs {expected}; the key is {key.description}"
    elif not isinstance(public, ed25519.Ed25519PublicKey):
        return f"alg {alg} needs {expected}; the key is {key.description}"
    if key.alg is not None and key.alg != alg:
        return f"the JWK is declared for alg {key.alg!r}; the JWS header says {alg!r}"
    if key.use is not None and key.use != "sig":
        return f"the JWK's use is {key.use!r}; a signature key has use 'sig'"
    if key.key_ops is not None and "verify" not in key.key_ops:
        return f"the JWK's key_ops are {list(key.key_ops)}; 'verify' is not among them"
    return None


def _signature_shape(alg: str, spec: _AlgSpec, key: VerificationKey, signature: bytes) -> str | None:
    if spec.signature_size is None:
        assert isinstance(key.public, rsa.RSAPublicKey)
        size = (key.public.key_size + 7) // 8
    else:
        size = spec.signature_size
    if len(signature) == size:
        return None
    if spec.family == "EC" and _is_der(signature):
        return (
            f"the {alg} signature is DER-encoded ({len(signature)} bytes); JWS carries ECDSA signatures as "
            f"the raw concatenation r||s of {size} bytes"
        )
    return f"the {alg} signature is {len(signature):,} bytes; {size:,} are expected"


def _is_der(signature: bytes) -> bool:
    if not signature or signature[0] != 0x30:
        return False
    try:
        decode_dss_signature(signature)
    except ValueError:
        return False
    return True


def discover_key(
    jws: Jws, style: JwtStyle, resolver: JwsKeyResolver | None
) -> tuple[VerificationKey, KeySource]:
    """Find the key a JWT credential names, by the rules of its style.

    VC-JOSE-COSE (`vc-jose`): `kid` through the resolver, else `iss` through the resolver (the
    issuer's controller document); an http(s) `iss` whose `kid` names no verification method points at JWT VC
    issuer metadata, which the suite does not fetch (key-unsupported).
    VC-JWT 1.1 and the Open Badges form: a `kid` that is a URL or
    DID URL through the resolver, else the embedded `jwk` header, else any other `kid` through the
    resolver. Raises JoseKeyError (or JoseError for a malformed header member).
    """
    header, claims = jws.header, jws.payload
    jwk = header.get("jwk")
    if jwk is not None:
        if not isinstance(jwk, Mapping):
            raise JoseError(
                "malformed",
                f"the JWS header's jwk is {describe_json_type(jwk)}; an object is expected",
                "header",
                "/jwk",
            )
        if private_members(jwk):
            # Refused whichever key ends up used: the leak is a fault in itself.
            load_public_key(jwk, "header", "/jwk")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise JoseError(
            "malformed",
            f"the JWS header's kid is {describe_json_type(kid)}; a string is expected",
            "header",
            "/kid",
        )

    if style == "vc-jose":
        iss = claims.get("iss")
        if _needs_issuer_metadata(kid, iss):
            # VC-JOSE-COSE lets an https issuer publish its keys as JWT VC issuer metadata, where kid (a hint, any
            # string) picks one; the suite does not fetch that metadata, so it cannot tell
            raise JoseKeyError(
                "key-unsupported",
                f"the key is found through the JWT VC issuer metadata of {iss}"
                + (f" (kid {kid!r} is a hint there, not a URL)" if kid is not None else "")
                + ", which the suite does not retrieve",
                "header" if kid is not None else "payload",
                "/kid" if kid is not None else "/iss",
            )
        if kid is not None:
            source = KeySource("kid", kid)
        elif isinstance(iss, str):
            source = KeySource("iss", iss)
        else:
            raise JoseKeyError(
                "key-not-found",
                "the JWS header has no kid and the claims have no iss string; no key can be found",
                "header",
            )
        return _resolve(resolver, header, claims, source), source

    if isinstance(jwk, Mapping) and not (kid is not None and (":" in kid or kid.startswith("#"))):
        key = load_public_key(jwk, "header", "/jwk")
        return key, KeySource("jwk", key.jwk.thumbprint())
    if kid is not None:
        source = KeySource("kid", kid)
        return _resolve(resolver, header, claims, source), source
    raise JoseKeyError(
        "key-not-found", "the JWS header has neither kid nor jwk; no key can be found", "header"
    )


def _needs_issuer_metadata(kid: str | None, iss: Any) -> bool:
    """An https (or http) iss with no kid that names a verification method: the key can only come from the
    issuer's JWT VC issuer metadata. A kid with a scheme (a DID URL or URL) or a fragment names one."""
    if not isinstance(iss, str) or not iss.lower().startswith(("https://", "http://")):
        return False
    return kid is None or (":" not in kid and not kid.startswith("#"))


def _resolve(
    resolver: JwsKeyResolver | None, header: Mapping[str, Any], claims: Mapping[str, Any], source: KeySource
) -> VerificationKey:
    part: Literal["header", "payload"] = "payload" if source.kind == "iss" else "header"
    pointer = f"/{source.kind}"
    if resolver is None:
        raise JoseKeyError(
            "key-not-found",
            f"no key resolver is configured to look up {source.kind} {source.value!r}",
            part,
            pointer,
        )
    found = resolver.resolve(header, claims)
    return load_public_key(found, part, pointer)


def verify_jwt_credential(
    credential: JwtCredential,
    resolver: JwsKeyResolver | None,
    *,
    now: datetime | float | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> JwtVerification:
    """Verify a JWT credential end to end: header, key discovery for its style, signature, time claims.

    A resolver's JoseKeyError becomes the signature result; any other exception it raises is its
    own fault and propagates.
    """
    jws = credential.jws
    time_problems = check_time_claims(jws.payload, now=now, leeway=leeway)
    refused = check_header(jws.header)
    if refused is not None:
        return JwtVerification(refused, time_problems, None, credential)
    try:
        key, source = discover_key(jws, credential.style, resolver)
    except JoseError as exc:
        return JwtVerification(exc.result(), time_problems, None, credential)
    return JwtVerification(_verify_prepared(jws, key), time_problems, source, credential)


def check_time_claims(
    claims: Mapping[str, Any],
    *,
    now: datetime | float | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> tuple[JoseResult, ...]:
    """Judge nbf, iat and exp (RFC 7519 NumericDates) at `now`, allowing `leeway` seconds of clock
    skew. Returns one failed result per problem: malformed for a claim that is not a finite number,
    not-yet-valid for nbf or iat after now, expired for exp at or before now."""
    moment = _epoch(now)
    if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or not leeway >= 0:
        raise ValueError(f"leeway must be a non-negative number of seconds, got {leeway!r}")
    problems: list[JoseResult] = []
    for name in ("nbf", "iat", "exp"):
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            problems.append(
                JoseResult.fail(
                    "malformed",
                    f"the {name} claim is {describe_json_type(value)}; a NumericDate (seconds since 1970) is expected",
                    "payload",
                    f"/{name}",
                )
            )
        elif name in ("nbf", "iat") and value > moment + leeway:
            what = "not valid before" if name == "nbf" else "issued at"
            problems.append(
                JoseResult.fail(
                    "not-yet-valid",
                    f"the {name} claim says {what} {_stamp(value)}; it is now {_stamp(moment)}",
                    "payload",
                    f"/{name}",
                )
            )
        elif name == "exp" and value <= moment - leeway:
            problems.append(
                JoseResult.fail(
                    "expired",
                    f"the exp claim says the JWT expired at {_stamp(value)}; it is now {_stamp(moment)}",
                    "payload",
                    f"/{name}",
                )
            )
    return tuple(problems)


def _epoch(now: datetime | float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be a timezone-aware datetime")
        return now.timestamp()
    if isinstance(now, bool) or not isinstance(now, (int, float)) or not _finite(now):
        raise ValueError(f"now must be a datetime or seconds since 1970, got {now!r}")
    return float(now)


def _finite(value: float) -> bool:
    # Huge integers compare exactly with floats; only float inf/nan need rejecting.
    return not isinstance(value, float) or math.isfinite(value)


def _stamp(value: float) -> str:
    text = numeric_date_to_rfc3339(value)
    return text if text is not None else f"{value} seconds after 1970"


def verify_enveloped(
    envelope: str | Mapping[str, Any],
    resolver: JwsKeyResolver | None,
    *,
    now: datetime | float | None = None,
    leeway: float = DEFAULT_LEEWAY,
    limits: Limits = _DEFAULT_LIMITS,
) -> JwtVerification:
    """Verify an enveloped credential or presentation: an EnvelopedVerifiableCredential (or
    ...Presentation) object, or its `id` alone, a data: URL holding a compact JWS of media type
    application/vc+jwt or application/vp+jwt. Decoding faults come back as a malformed result."""
    try:
        credential = _open_envelope(envelope, limits)
    except JoseError as exc:
        return JwtVerification(exc.result())
    return verify_jwt_credential(credential, resolver, now=now, leeway=leeway)


def _open_envelope(envelope: str | Mapping[str, Any], limits: Limits) -> JwtCredential:
    if isinstance(envelope, Mapping):
        url = envelope.get("id")
        if not isinstance(url, str):
            raise JoseError(
                "malformed",
                f"the envelope's id is {describe_json_type(url)}; a data: URL is expected",
                "envelope",
                "/id",
            )
    elif isinstance(envelope, str):
        url = envelope
    else:
        raise TypeError(f"expected a data: URL or an envelope object, not {type(envelope).__name__}")
    try:
        media_type, data = parse_data_url(url, limits)
    except PayloadError as exc:
        raise JoseError(
            "malformed", f"the envelope's data: URL cannot be read: {exc.message}", "envelope"
        ) from None
    essence = media_type.partition(";")[0]
    if essence not in ENVELOPE_MEDIA_TYPES:
        expected = " or ".join(sorted(ENVELOPE_MEDIA_TYPES))
        raise JoseError(
            "malformed", f"the envelope's media type is {essence!r}; {expected} is expected", "envelope"
        )
    try:
        jws = decode_compact_jws(data, limits)
        credential = credential_from_jws(jws)
    except PayloadError as exc:
        raise JoseError(
            "malformed", f"the envelope's JWS cannot be decoded: {exc.message}", "envelope"
        ) from None
    if credential.style == "jwt-claims":
        # The envelope's media type states what the header may leave out: the payload is the document.
        credential = JwtCredential(jws=jws, style="vc-jose", document=jws.payload, mapped_claims=())
    return credential
