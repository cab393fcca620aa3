from __future__ import annotations

import hashlib
import hmac
import pickle

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from joserfc import jws as library_jws
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

from conformance.support.securing.jose import (
    ALLOWED_ALGORITHMS,
    JOSE_REASONS,
    JoseError,
    JoseKeyError,
    check_header,
    default_alg,
    load_public_key,
    sign_jws,
    verify_jws,
)
from tests.support.securing.jose.material import (
    KEY_FOR_ALG,
    NOW,
    assemble,
    b64,
    b64json,
    credential,
    decode,
    private_key,
)

CLAIMS = {"iss": "did:example:issuer", "nbf": NOW - 10, **credential()}


def test_allow_list_is_the_documented_one() -> None:
    assert ALLOWED_ALGORITHMS == frozenset(KEY_FOR_ALG)


@pytest.mark.parametrize("alg", sorted(KEY_FOR_ALG))
def test_sign_and_verify_round_trip(alg: str) -> None:
    key = private_key(KEY_FOR_ALG[alg])
    compact = sign_jws({"alg": alg, "typ": "vc+jwt"}, CLAIMS, key)
    jws = decode(compact)
    assert jws.header == {"alg": alg, "typ": "vc+jwt"}
    assert jws.payload == CLAIMS
    for form in (key.public_key(), _library_public(key), _library_public(key).as_dict()):
        result = verify_jws(jws, form)
        assert (result.verified, result.reason) == (True, "verified"), result.message


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
@pytest.mark.parametrize("alg", sorted(KEY_FOR_ALG))
def test_the_library_verifies_what_we_sign(alg: str) -> None:
    # joserfc's own compact verification path is an independent reading of our output.
    key = private_key(KEY_FOR_ALG[alg])
    compact = sign_jws({"alg": alg}, b"payload bytes", key)
    registry = library_jws.JWSRegistry(algorithms=[alg], strict_check_header=False)
    verified = library_jws.deserialize_compact(compact, _library_public(key), registry=registry)
    assert verified.payload == b"payload bytes"


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
@pytest.mark.parametrize("alg", sorted(KEY_FOR_ALG))
def test_we_verify_what_the_library_signs(alg: str) -> None:
    key = private_key(KEY_FOR_ALG[alg])
    library_key = {"RSA": RSAKey, "EC": ECKey, "OKP": OKPKey}[_library_public(key).key_type].import_key(key)
    registry = library_jws.JWSRegistry(algorithms=[alg])
    compact = library_jws.serialize_compact({"alg": alg}, b'{"a":1}', library_key, registry=registry)
    assert verify_jws(decode(compact), key.public_key()).verified


@pytest.mark.parametrize(
    ("kind", "alg"),
    [("Ed25519", "EdDSA"), ("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512"), ("RSA", "RS256")],
)
def test_signing_is_reproducible_and_picks_the_alg_from_the_key(kind: str, alg: str) -> None:
    key = private_key(kind)
    assert default_alg(key) == alg
    first = sign_jws({"typ": "JWT", "kid": "did:example:issuer#k"}, CLAIMS, key)
    second = sign_jws({"kid": "did:example:issuer#k", "typ": "JWT"}, CLAIMS, key)
    assert first == second
    header_text = first.split(".")[0]
    assert header_text == b64json({"alg": alg, "kid": "did:example:issuer#k", "typ": "JWT"})


def _library_public(key: object) -> Key:
    return load_public_key(key).jwk


def _tamper_payload(compact: str) -> str:
    header, _, signature = compact.split(".")
    return f"{header}.{b64json({**CLAIMS, 'name': 'changed'})}.{signature}"


def _tamper_header(compact: str) -> str:
    _, payload, signature = compact.split(".")
    header = dict(decode(compact).header)
    return f"{b64json({**header, 'kid': 'did:example:other#k'})}.{payload}.{signature}"


def _tamper_signature(compact: str) -> str:
    header, payload, _ = compact.split(".")
    raw = bytearray(decode(compact).signature)
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{b64(bytes(raw))}"


@pytest.mark.parametrize("alg", ["RS256", "PS384", "ES256", "ES384", "EdDSA"])
@pytest.mark.parametrize("tamper", [_tamper_payload, _tamper_header, _tamper_signature])
def test_tampering_breaks_the_signature(alg: str, tamper) -> None:  # type: ignore[no-untyped-def]
    key = private_key(KEY_FOR_ALG[alg])
    compact = sign_jws({"alg": alg}, CLAIMS, key)
    result = verify_jws(decode(tamper(compact)), key.public_key())
    assert (result.verified, result.reason, result.part) == (False, "signature-mismatch", "signature")
    assert alg in result.message


@pytest.mark.parametrize(
    ("alg", "signer", "verifier", "reason"),
    [
        ("EdDSA", "Ed25519", ("Ed25519", "other"), "signature-mismatch"),
        ("ES256", "P-256", ("P-256", "other"), "signature-mismatch"),
        ("RS256", "RSA", ("RSA", "other"), "signature-mismatch"),
        ("ES256", "P-256", ("P-384", "issuer"), "key-alg-mismatch"),
        ("ES384", "P-384", ("P-256", "issuer"), "key-alg-mismatch"),
        ("EdDSA", "Ed25519", ("P-256", "issuer"), "key-alg-mismatch"),
        ("RS256", "RSA", ("Ed25519", "issuer"), "key-alg-mismatch"),
        ("ES256", "P-256", ("RSA", "issuer"), "key-alg-mismatch"),
    ],
)
def test_wrong_key(alg: str, signer: str, verifier: tuple[str, str], reason: str) -> None:
    compact = sign_jws({"alg": alg}, CLAIMS, private_key(signer))
    other = (
        private_key(verifier[0], verifier[1])
        if verifier[0] != "RSA" or verifier[1] == "issuer"
        else _other_rsa()
    )
    result = verify_jws(decode(compact), other.public_key())
    assert (result.verified, result.reason) == (False, reason)


def _other_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_short_rsa_keys_are_refused() -> None:
    weak = private_key("RSA-1024")
    header, payload = b64json({"alg": "RS256"}), b64json(CLAIMS)
    signature = weak.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    result = verify_jws(decode(f"{header}.{payload}.{b64(signature)}"), weak.public_key())
    assert (result.verified, result.reason) == (False, "key-alg-mismatch")
    assert "2,048" in result.message
    with pytest.raises(JoseError) as raised:
        sign_jws({"alg": "RS256"}, CLAIMS, weak)
    assert raised.value.reason == "key-alg-mismatch"


@pytest.mark.parametrize(
    ("restriction", "fragment"),
    [
        ({"alg": "ES384"}, "declared for alg 'ES384'"),
        ({"use": "enc"}, "use is 'enc'"),
        ({"key_ops": ["sign"]}, "key_ops"),
    ],
)
def test_jwk_restrictions_are_honoured(restriction: dict[str, object], fragment: str) -> None:
    key = private_key("P-256")
    compact = sign_jws({"alg": "ES256"}, CLAIMS, key)
    jwk = {**_library_public(key).as_dict(), **restriction}
    result = verify_jws(decode(compact), jwk)
    assert (result.verified, result.reason) == (False, "key-alg-mismatch")
    assert fragment in result.message


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(alg: str) -> None:
    jws = decode(assemble({"alg": alg}, CLAIMS))
    result = verify_jws(jws, private_key("Ed25519").public_key())
    assert (result.verified, result.reason, result.part, result.pointer) == (
        False,
        "alg-none",
        "header",
        "/alg",
    )


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_with_the_public_key_as_secret_is_refused(alg: str) -> None:
    # The classic confusion: the attacker MACs with the issuer's published RSA key as the secret.
    public = private_key("RSA").public_key()
    secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header, payload = b64json({"alg": alg}), b64json(CLAIMS)
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    mac = hmac.new(secret, f"{header}.{payload}".encode(), digest).digest()
    jws = decode(f"{header}.{payload}.{b64(mac)}")
    for key in (public, _library_public(private_key("RSA")).as_dict()):
        result = verify_jws(jws, key)
        assert (result.verified, result.reason) == (False, "alg-symmetric")
    with pytest.raises(JoseError) as raised:
        sign_jws({"alg": alg}, CLAIMS, private_key("RSA"))
    assert raised.value.reason == "alg-not-allowed"


@pytest.mark.parametrize(
    ("header", "reason", "pointer"),
    [
        ({"alg": "ES256K"}, "alg-unsupported", "/alg"),     # registered (RFC 8812), not implemented here
        ({"alg": "RS1"}, "alg-not-allowed", "/alg"),
        ({"alg": "Ed448"}, "alg-unsupported", "/alg"),      # registered (RFC 9864), not implemented here
        ({"alg": "es256"}, "alg-not-allowed", "/alg"),
        ({"alg": ""}, "alg-not-allowed", "/alg"),
        ({}, "malformed", "/alg"),
        ({"alg": 256}, "malformed", "/alg"),
        ({"alg": ["ES256"]}, "malformed", "/alg"),
        ({"alg": None}, "malformed", "/alg"),
        ({"alg": "ES256", "crit": ["b64"], "b64": False}, "crit-unsupported", "/crit"),
        ({"alg": "ES256", "crit": ["exp"]}, "crit-unsupported", "/crit"),
        ({"alg": "ES256", "crit": []}, "malformed", "/crit"),
        ({"alg": "ES256", "crit": "b64"}, "malformed", "/crit"),
        ({"alg": "ES256", "jwk": {"kty": "EC", "d": "AAAA"}}, "private-key-leak", "/jwk/d"),
    ],
)
def test_header_faults(header: dict[str, object], reason: str, pointer: str) -> None:
    jws = decode(assemble(header, CLAIMS, b"\x00" * 64))
    result = verify_jws(jws, private_key("P-256").public_key())
    assert (result.verified, result.reason, result.part, result.pointer) == (False, reason, "header", pointer)
    assert check_header(header) == result


@pytest.mark.parametrize(
    ("alg", "curve", "hash_"), [("ES256", "P-256", hashes.SHA256()), ("ES384", "P-384", hashes.SHA384())]
)
def test_der_encoded_ecdsa_signatures_are_refused(alg: str, curve: str, hash_: hashes.HashAlgorithm) -> None:
    key = private_key(curve)
    header, payload = b64json({"alg": alg}), b64json(CLAIMS)
    der = key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hash_))
    result = verify_jws(decode(f"{header}.{payload}.{b64(der)}"), key.public_key())
    assert (result.verified, result.reason, result.part) == (False, "malformed", "signature")
    assert "DER" in result.message


@pytest.mark.parametrize(("alg", "size"), [("ES256", 63), ("EdDSA", 65), ("RS256", 255), ("ES512", 0)])
def test_signatures_of_the_wrong_length_are_malformed(alg: str, size: int) -> None:
    jws = decode(assemble({"alg": alg}, CLAIMS, b"\x01" * size))
    result = verify_jws(jws, private_key(KEY_FOR_ALG[alg]).public_key())
    assert (result.verified, result.reason) == (False, "malformed")
    assert f"{size:,} bytes" in result.message


def test_an_all_zero_ecdsa_signature_does_not_verify() -> None:
    jws = decode(assemble({"alg": "ES256"}, CLAIMS, b"\x00" * 64))
    result = verify_jws(jws, private_key("P-256").public_key())
    assert (result.verified, result.reason) == (False, "signature-mismatch")


@pytest.mark.parametrize(
    ("header", "key", "reason"),
    [
        ({"alg": "HS256"}, "Ed25519", "alg-not-allowed"),
        ({"alg": "none"}, "Ed25519", "alg-not-allowed"),
        ({"alg": "ES256"}, "Ed25519", "key-alg-mismatch"),
        ({"alg": "EdDSA"}, "RSA", "key-alg-mismatch"),
        ({"alg": "ES512"}, "P-384", "key-alg-mismatch"),
    ],
)
def test_signing_refuses_what_verification_would(header: dict[str, str], key: str, reason: str) -> None:
    with pytest.raises(JoseError) as raised:
        sign_jws(header, CLAIMS, private_key(key))
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (object(), "key-invalid"),
        ({"kty": "EC"}, "key-invalid"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "key-invalid"),
    ],
)
def test_signing_with_unusable_keys(key: object, reason: str) -> None:
    with pytest.raises(JoseError) as raised:
        sign_jws({"alg": "ES256"}, CLAIMS, key)
    assert raised.value.reason == reason


def test_signing_with_a_private_jwk_and_a_library_key() -> None:
    key = private_key("P-256")
    library = ECKey.import_key(key)
    from_jwk = sign_jws({"alg": "ES256"}, CLAIMS, library.as_dict(private=True))
    from_library = sign_jws({"alg": "ES256"}, CLAIMS, library)
    assert from_jwk == from_library == sign_jws({"alg": "ES256"}, CLAIMS, key)
    with pytest.raises(JoseError) as raised:
        sign_jws({"alg": "ES256"}, {"bad": float("nan")}, key)
    assert raised.value.reason == "malformed"


def test_errors_pickle_and_reasons_are_known() -> None:
    error = JoseKeyError("key-not-found", "no key", "header", "/kid")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.message, copy.part, copy.pointer) == (
        "key-not-found",
        "no key",
        "header",
        "/kid",
    )
    assert copy.result().reason in JOSE_REASONS
    assert str(copy) == "no key"


def test_verify_jws_wants_a_decoded_jws() -> None:
    with pytest.raises(TypeError):
        verify_jws("a.b.c", private_key("Ed25519").public_key())  # type: ignore[arg-type]
