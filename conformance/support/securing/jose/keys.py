"""Verification keys for JOSE: what a resolver hands back, and the test resolver over plain dicts.

The resolver contract returns a `cryptography` public key. That type is shared by every securing
mechanism the suite verifies (Data Integrity needs the same Ed25519 and ECDSA keys), so the key
resolution layer does not have to know about joserfc. For convenience `load_public_key` also takes
a joserfc key or a public JWK mapping, and resolvers may return those too.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, runtime_checkable

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OctKey, OKPKey, RSAKey, import_key

from conformance.support.formats.jws import describe_json_type
from conformance.support.securing.keys.errors import INDETERMINATE_CODES, KeysError
from conformance.support.securing.keys.methods import VerificationMethodResolver

from .results import JoseKeyError, JosePart

__all__ = [
    "ControllerDocumentJwsResolver",
    "JwsKeyResolver",
    "KeyInput",
    "PublicKey",
    "StaticKeyResolver",
    "VerificationKey",
    "load_public_key",
    "private_members",
]

PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
KeyInput: TypeAlias = PublicKey | Key | Mapping[str, Any]

# Members that only a private or secret JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# Bounds on untrusted key material: a verifier should not spend seconds on one absurd key.
MAX_RSA_BITS = 8192
MAX_RSA_EXPONENT_BITS = 64
_MAX_JWK_MEMBERS = 64


@runtime_checkable
class JwsKeyResolver(Protocol):
    """Finds the key that should have signed a JWS.

    The resolver reads `kid` from the header when there is one (a URL or DID URL, or a fragment
    relative to `iss`), and otherwise the `iss` claim, whose controller document lists the issuer's
    assertion keys. It returns a `cryptography` public key (a joserfc key or a public JWK mapping is
    accepted too) and raises JoseKeyError with reason key-not-found, key-invalid or private-key-leak
    when it cannot.
    """

    def resolve(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> PublicKey: ...


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public key ready for joserfc, with the JWK members that restrict its use."""

    public: PublicKey
    jwk: Key
    alg: str | None = None
    use: str | None = None
    key_ops: tuple[str, ...] | None = None

    @property
    def description(self) -> str:
        return describe_key(self.public)


def describe_key(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "an Ed25519 key"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"an EC key on {_curve_name(key.curve)}"
    return f"a {key.key_size:,}-bit RSA key"


def _curve_name(curve: ec.EllipticCurve) -> str:
    return {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(curve.name, curve.name)


def private_members(jwk: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(member for member in _PRIVATE_MEMBERS if member in jwk)


def load_public_key(value: object, part: JosePart = "key", pointer: str = "") -> VerificationKey:
    """Turn what a caller or resolver supplies into a public key joserfc can verify with.

    A JWK mapping with private or secret members raises private-key-leak: such a key was
    published where only public keys belong. A cryptography private key object is our own code's
    key and is reduced to its public half. Anything else unusable raises key-invalid.
    """
    if isinstance(value, VerificationKey):
        return value
    if isinstance(value, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        value = value.public_key()
    if isinstance(value, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        _check_bounds(value, part, pointer)
        return VerificationKey(public=value, jwk=_library_key(value))
    if isinstance(value, OctKey):
        raise JoseKeyError(
            "key-alg-mismatch", "the key is a symmetric (oct) key; a public key is expected", part, pointer
        )
    if isinstance(value, (RSAKey, ECKey, OKPKey)):
        return _from_mapping(value.as_dict(private=False), part, pointer)
    if isinstance(value, Mapping):
        return _from_mapping(value, part, pointer)
    raise JoseKeyError(
        "key-invalid",
        f"the key is a {type(value).__name__}; a public key or a JWK is expected",
        part,
        pointer,
    )


def _from_mapping(jwk: Mapping[str, Any], part: JosePart, pointer: str) -> VerificationKey:
    if len(jwk) > _MAX_JWK_MEMBERS:
        raise JoseKeyError(
            "key-invalid",
            f"the JWK has {len(jwk):,} members; at most {_MAX_JWK_MEMBERS} are read",
            part,
            pointer,
        )
    leaked = private_members(jwk)
    if leaked:
        names = ", ".join(repr(name) for name in leaked)
        what = "a secret key" if leaked == ("k",) else "a private key"
        raise JoseKeyError(
            "private-key-leak",
            f"the JWK holds {names}: it is {what}, published where only a public key belongs",
            part,
            f"{pointer}/{leaked[0]}",
        )
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise JoseKeyError(
            "key-invalid", f"the JWK's kty is {_describe(kty)}; a string is expected", part, f"{pointer}/kty"
        )
    if kty not in ("RSA", "EC", "OKP"):
        raise JoseKeyError(
            "key-invalid", f"the JWK's kty is {kty!r}; RSA, EC or OKP is expected", part, f"{pointer}/kty"
        )
    if kty == "RSA":
        _check_rsa_members(jwk, part, pointer)
    restrictions = _restrictions(jwk, part, pointer)
    try:
        with quiet_library():
            library_key = import_key(dict(jwk))
        public = library_key.public_key
    # joserfc's importers let KeyError and friends out on unknown curves or odd member types; the
    # call parses untrusted input, so every failure of it means the same thing: the JWK is unusable.
    except Exception as exc:  # noqa: BLE001
        raise JoseKeyError(
            "key-invalid", f"the {kty} JWK cannot be imported: {_plain(exc)}", part, pointer
        ) from None
    if not isinstance(public, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        raise JoseKeyError(
            "key-invalid",
            f"the JWK is a {type(public).__name__}; Ed25519, EC or RSA is expected",
            part,
            pointer,
        )
    _check_bounds(public, part, pointer)
    return VerificationKey(public=public, jwk=library_key, **restrictions)


def _restrictions(jwk: Mapping[str, Any], part: JosePart, pointer: str) -> dict[str, Any]:
    alg, use, key_ops = jwk.get("alg"), jwk.get("use"), jwk.get("key_ops")
    if alg is not None and not isinstance(alg, str):
        raise JoseKeyError(
            "key-invalid", f"the JWK's alg is {_describe(alg)}; a string is expected", part, f"{pointer}/alg"
        )
    if use is not None and not isinstance(use, str):
        raise JoseKeyError(
            "key-invalid", f"the JWK's use is {_describe(use)}; a string is expected", part, f"{pointer}/use"
        )
    if key_ops is not None:
        if not isinstance(key_ops, list) or not all(isinstance(op, str) for op in key_ops):
            raise JoseKeyError(
                "key-invalid", "the JWK's key_ops is not an array of strings", part, f"{pointer}/key_ops"
            )
        key_ops = tuple(key_ops)
    return {"alg": alg, "use": use, "key_ops": key_ops}


def _check_rsa_members(jwk: Mapping[str, Any], part: JosePart, pointer: str) -> None:
    # Checked on the encoded text before any big-integer work happens.
    for member, limit in (("n", MAX_RSA_BITS), ("e", MAX_RSA_EXPONENT_BITS)):
        value = jwk.get(member)
        if isinstance(value, str) and len(value) * 6 > limit + 8:
            raise JoseKeyError(
                "key-invalid",
                f"the RSA JWK's {member} has about {len(value) * 6:,} bits; at most {limit:,} are accepted",
                part,
                f"{pointer}/{member}",
            )


def _check_bounds(key: PublicKey, part: JosePart, pointer: str) -> None:
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        if key.key_size > MAX_RSA_BITS or numbers.e.bit_length() > MAX_RSA_EXPONENT_BITS:
            raise JoseKeyError(
                "key-invalid",
                f"the RSA key has a {key.key_size:,}-bit modulus and a {numbers.e.bit_length():,}-bit exponent; "
                f"at most {MAX_RSA_BITS:,} and {MAX_RSA_EXPONENT_BITS} bits are accepted",
                part,
                pointer,
            )


def _library_key(key: PublicKey) -> Key:
    with quiet_library():
        if isinstance(key, rsa.RSAPublicKey):
            return RSAKey.import_key(key)
        if isinstance(key, ec.EllipticCurvePublicKey):
            return ECKey.import_key(key)
        return OKPKey.import_key(key)


@contextmanager
def quiet_library() -> Iterator[None]:
    # joserfc warns about short keys on import; key strength is judged here and reported as a
    # result, so the warning would only be noise in a user's run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        yield


def _plain(exc: BaseException) -> str:
    # joserfc prefixes its messages with an error slug ("key_parameter: ..."); the reader needs the rest.
    text = str(exc) or type(exc).__name__
    head, sep, rest = text.partition(": ")
    if sep and head.replace("_", "").isalpha() and head.islower():
        return rest
    return text


def _describe(value: Any) -> str:
    return describe_json_type(value)


class StaticKeyResolver:
    """A resolver over in-memory data, for tests and vectors.

    `keys` maps a `kid` (a URL or DID URL) to a key; `controllers` maps an issuer identifier to its
    controller document, whose `verificationMethod` entries carry `publicKeyJwk`. A `kid` that is a
    bare fragment is read relative to `iss`; without a `kid`, the issuer's single assertion key is used.
    """

    def __init__(
        self,
        keys: Mapping[str, KeyInput] | None = None,
        controllers: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._keys = dict(keys or {})
        self._controllers = dict(controllers or {})

    def resolve(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> PublicKey:
        kid = header.get("kid")
        iss = claims.get("iss")
        if isinstance(kid, str):
            absolute = f"{iss}{kid}" if kid.startswith("#") and isinstance(iss, str) else kid
            if absolute in self._keys:
                return load_public_key(self._keys[absolute]).public
            controller_id = absolute.partition("#")[0]
            document = self._controllers.get(controller_id)
            if document is not None:
                for method in _methods(document):
                    if _method_id(method, controller_id) == absolute:
                        return _method_key(method)
            raise JoseKeyError("key-not-found", f"no key is known for kid {kid!r}", "header", "/kid")
        if isinstance(iss, str):
            document = self._controllers.get(iss)
            if document is None:
                raise JoseKeyError(
                    "key-not-found", f"no controller document is known for iss {iss!r}", "payload", "/iss"
                )
            candidates = _assertion_methods(document, iss)
            if len(candidates) != 1:
                raise JoseKeyError(
                    "key-not-found",
                    f"the controller document of {iss!r} lists {len(candidates)} assertion keys; "
                    "without a kid exactly one is expected",
                    "payload",
                    "/iss",
                )
            return _method_key(candidates[0])
        raise JoseKeyError("key-not-found", "the JWS names no key: neither kid nor iss is a string", "header")


def _methods(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    methods = document.get("verificationMethod")
    return [method for method in methods if isinstance(method, Mapping)] if isinstance(methods, list) else []


def _method_id(method: Mapping[str, Any], controller_id: str) -> str | None:
    identifier = method.get("id")
    if not isinstance(identifier, str):
        return None
    return f"{controller_id}{identifier}" if identifier.startswith("#") else identifier


def _assertion_methods(document: Mapping[str, Any], controller_id: str) -> list[Mapping[str, Any]]:
    relationship = document.get("assertionMethod")
    if not isinstance(relationship, list):
        return []
    by_id = {_method_id(method, controller_id): method for method in _methods(document)}
    found: list[Mapping[str, Any]] = []
    for entry in relationship:
        if isinstance(entry, Mapping):
            found.append(entry)
        elif isinstance(entry, str):
            reference = f"{controller_id}{entry}" if entry.startswith("#") else entry
            if reference in by_id:
                found.append(by_id[reference])
    return found


def _method_key(method: Mapping[str, Any]) -> PublicKey:
    jwk = method.get("publicKeyJwk")
    if not isinstance(jwk, Mapping):
        raise JoseKeyError("key-not-found", f"verification method {method.get('id')!r} has no publicKeyJwk")
    return load_public_key(jwk).public


class ControllerDocumentJwsResolver:
    """Keys for JWS through the suite's DID and controller-document resolution (`conformance.support.securing.keys`).

    `kid` names the verification method (a `#fragment` is read relative to `iss`); without a `kid`, an `iss` that
    is a did:key or did:jwk names its single key. The method must be authorized for assertionMethod. Key-resolution
    failures map to key-not-found (key-unavailable when the controller could not be reached, key-unsupported for a
    DID method or method type the suite lacks: cannot tell), a published private key to private-key-leak, unusable
    material to key-invalid.
    """

    relationship = "assertionMethod"

    def __init__(self, resolver: Any | None = None):
        self._resolver = resolver if resolver is not None else VerificationMethodResolver()

    def resolve(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> PublicKey:
        vm_id = _method_of(header, claims)
        try:
            return self._resolver.resolve(vm_id, self.relationship).public_key
        except KeysError as exc:
            if exc.code in ("unsupported-did-method", "unsupported-vm-type"):    # the suite's limit
                raise JoseKeyError("key-unsupported", exc.message, "key") from None
            if exc.code in INDETERMINATE_CODES:
                raise JoseKeyError("key-unavailable", exc.message, "key") from None
            if exc.code == "private-key-material":
                raise JoseKeyError("private-key-leak", exc.message, "key") from None
            if exc.code in ("invalid-key", "wrong-key-length", "unknown-key-type", "key-type-mismatch", "bad-jwk"):
                raise JoseKeyError("key-invalid", exc.message, "key") from None
            raise JoseKeyError("key-not-found", exc.message, "key") from None


def _method_of(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    kid, iss = header.get("kid"), claims.get("iss")
    if isinstance(kid, str) and kid:
        if kid.startswith("#") and isinstance(iss, str):
            return iss + kid
        if kid.startswith("did:key:") and "#" not in kid:
            return f"{kid}#{kid.removeprefix('did:key:')}"
        return kid
    if isinstance(iss, str) and iss.startswith("did:key:"):
        return f"{iss}#{iss.removeprefix('did:key:')}"
    if isinstance(iss, str) and iss.startswith("did:jwk:"):
        return f"{iss}#0"
    raise JoseKeyError("key-not-found", "the JWS names no kid, and its iss is not a DID that names a single key",
                       "header", "/kid")
