"""Signing with the suite's fixed-seed test keys: Data Integrity proofs (sets, chains, a credential inside another
document) and JWTs in the three envelope styles the vectors use. The vectors, the live flows, the counter-party and
the reference system sign through here; verification is elsewhere (proofs/, jose/)."""
from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from conformance.support.formats.json_patch import apply_mutation, resolve_pointer
from conformance.support.securing.jose import default_alg, sign_jws
from conformance.support.securing.keys.multikey import KeyType
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.proofs import sign

if TYPE_CHECKING:
    from conformance.support.securing.proofs import Canonicalizer

PLACEHOLDER_SIGNATURE = b"\x00" * 64
DEFAULT_CREATED = "2025-01-15T12:00:05Z"      # a fixed proof time keeps Ed25519 vectors byte-identical across runs


def _is_presentation(document: Mapping[str, Any]) -> bool:
    types = document.get("type")
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def _set_controller(document: dict[str, Any], did: str) -> None:
    """Make the key's DID the issuer (or a presentation's holder), so the key is the issuer's own."""
    member = "holder" if _is_presentation(document) else "issuer"
    current = document.get(member)
    if isinstance(current, dict):
        current["id"] = did
    else:
        document[member] = did


def _method(step: Mapping[str, Any], key: Any) -> str:
    method = step.get("method", "did:key")
    if method == "did:key":
        return str(key.vm_id)
    if method == "did:jwk":
        return str(key.did_jwk_vm_id)
    return str(method)


def sign_document(document: Any, steps: Sequence[Mapping[str, Any]], canonicalizer: Canonicalizer) -> Any:
    """Replace any proof on `document` by the proofs the steps describe, in order (a set, or a chain via previous).

    A step names a suite test key (`key`) and optionally cryptosuite, purpose, created, expires, challenge, domain,
    id, previous (previousProof), method ("did:key", "did:jwk" or a literal URL) and issuer (false keeps the issuer).
    A step with `at` (a JSON pointer) signs the credential at that place instead, replacing its proof; list such
    steps before the one that signs the enclosing document.
    """

    signed = {k: v for k, v in document.items() if k != "proof"}
    for index, step in enumerate(steps):
        if "at" in step:              # a credential inside this document (a presentation's, a CLR's, an endorsement)
            inner = {k: v for k, v in step.items() if k != "at"}
            nested = resolve_pointer(signed, step["at"])
            signed = apply_mutation(signed, {"op": "replace", "path": step["at"],
                                             "value": sign_document(nested, [inner], canonicalizer)})
            continue
        key = suite_key(step["key"])
        if not any("at" not in earlier for earlier in steps[:index]) and step.get("issuer", True):
            _set_controller(signed, key.did_jwk if step.get("method") == "did:jwk" else key.did)
        default_suite = "eddsa-rdfc-2022" if key.key_type == KeyType.ED25519 else "ecdsa-rdfc-2019"
        signed = sign(signed, key.private_key, cryptosuite=step.get("cryptosuite", default_suite),
                      verification_method=_method(step, key),
                      purpose=step.get("purpose", "authentication" if _is_presentation(signed) else "assertionMethod"),
                      created=step.get("created", DEFAULT_CREATED), canonicalizer=canonicalizer,
                      challenge=step.get("challenge"), domain=step.get("domain"),
                      previous_proof=step.get("previous"), proof_id=step.get("id"), expires=step.get("expires"))
    return signed


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(document: Mapping[str, Any]) -> Any:
    subject = document.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def jwt_of(document: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    style = spec.get("style", "jwt-claims")
    types = document.get("type")
    presentation = "VerifiablePresentation" in (types if isinstance(types, (list, str)) else [])
    default_typ = {"vc-jose": "vp+jwt" if presentation else "vc+jwt"}.get(style, "JWT")
    key = None
    if "key" in spec:

        key = suite_key(spec["key"])
        document = copy.deepcopy(document)
        if spec.get("issuer", True):
            _set_controller(document, key.did)
    issuer = _issuer_id(document)
    if key is not None:
        header: dict[str, Any] = {"alg": default_alg(key.private_key), "typ": default_typ, "kid": key.vm_id}
    else:
        header = {"alg": "ES256", "typ": default_typ}
        if isinstance(issuer, str):
            header["kid"] = f"{issuer}#key-1"
    header.update(spec.get("header", {}))
    if style == "vc-jwt-1.1":
        claims: dict[str, Any] = {"vp" if presentation else "vc": document}
        registered = {"iss": issuer, "jti": document.get("id"), "sub": _subject_id(document),
                      "nbf": _epoch(document.get("issuanceDate")), "exp": _epoch(document.get("expirationDate"))}
    elif style == "jwt-claims":
        claims = dict(document)
        registered = {"iss": issuer, "jti": document.get("id"), "sub": _subject_id(document),
                      "nbf": _epoch(document.get("validFrom")), "exp": _epoch(document.get("validUntil"))}
    else:
        claims, registered = dict(document), {}
    claims.update({k: v for k, v in registered.items() if v is not None})
    claims.update(spec.get("claims", {}))
    if "claims_json" in spec:
        claims.update(json.loads(spec["claims_json"]))
    for name in spec.get("drop_claims", ()):
        claims.pop(name, None)
    if key is not None:

        return sign_jws(header, claims, key.private_key)
    signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
    return signing_input + "." + _b64url(PLACEHOLDER_SIGNATURE)
