"""Signing and verification: every suite both ways, sets and chains, and one negative case per failure reason."""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from conformance.support.securing.proofs import (
    Canonicalizer,
    KeyResolutionError,
    ProofError,
    ResolvedKey,
    StaticKeyResolver,
    VerificationResult,
    decode_base58btc,
    encode_base58btc,
    sign,
    verify,
)
from conformance.support.securing.proofs.suites import ECDSA_RDFC_2019
from tests.support.securing.proofs.support import (
    SIGNED_AT,
    VERIFIED_AT,
    credential,
    ec_key,
    ed25519_key,
    ed25519_public_from_multikey,
    kat_json,
    resolver,
)
from tests.support.securing.proofs.test_known_answers import OB_METHOD, OB_MULTIKEY

ISSUER = "did:example:issuer"
ED_METHOD = f"{ISSUER}#ed"
P256_METHOD = f"{ISSUER}#p256"
P384_METHOD = f"{ISSUER}#p384"
ED = ed25519_key(7)
OTHER_ED = ed25519_key(8)
P256 = ec_key(ec.SECP256R1(), 0x1234567)
P384 = ec_key(ec.SECP384R1(), 0x7654321)
ED2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

SUITES = [("eddsa-rdfc-2022", ED, ED_METHOD), ("ecdsa-rdfc-2019", P256, P256_METHOD),
          ("ecdsa-rdfc-2019", P384, P384_METHOD), ("Ed25519Signature2020", ED, ED_METHOD)]
SUITE_IDS = ["eddsa", "ecdsa-p256", "ecdsa-p384", "ed25519-2020"]
ALL_PURPOSES = ["assertionMethod", "authentication"]


def keys() -> StaticKeyResolver:
    return resolver((ED_METHOD, ED, ALL_PURPOSES), (P256_METHOD, P256, ALL_PURPOSES),
                    (P384_METHOD, P384, ALL_PURPOSES), controller=ISSUER)


def _sign(canonicalizer: Canonicalizer, document: dict[str, Any] | None = None, *, suite: str = "eddsa-rdfc-2022",
          key: Any = ED, method: str = ED_METHOD, **options: Any) -> dict[str, Any]:
    if document is None:
        document = credential()
        if suite == "Ed25519Signature2020":
            document["@context"].insert(1, ED2020_CONTEXT)
    options.setdefault("purpose", "assertionMethod")
    options.setdefault("created", SIGNED_AT)
    return sign(document, key, cryptosuite=suite, verification_method=method, canonicalizer=canonicalizer, **options)


def _verify(canonicalizer: Canonicalizer, document: Any, **options: Any) -> VerificationResult:
    options.setdefault("resolver", keys())
    options.setdefault("now", VERIFIED_AT)
    return verify(document, canonicalizer=canonicalizer, **options)


@pytest.mark.parametrize(("suite", "key", "method"), SUITES, ids=SUITE_IDS)
def test_each_suite_signs_and_verifies(canonicalizer: Canonicalizer, suite: str, key: Any, method: str) -> None:
    signed = _sign(canonicalizer, suite=suite, key=key, method=method)
    proof = signed["proof"]
    assert proof["proofValue"].startswith("z")
    assert proof["created"] == "2024-05-01T12:00:00Z"
    assert ("cryptosuite" in proof) == (suite != "Ed25519Signature2020")
    width = 2 * ((key.curve.key_size + 7) // 8) if isinstance(key, ec.EllipticCurvePrivateKey) else 64
    assert len(decode_base58btc(proof["proofValue"])) == width
    result = _verify(canonicalizer, signed)
    assert result.verified, result.message
    assert result.proofs[0].controller == ISSUER and result.proofs[0].verification_method == method


def test_ed25519_signing_is_deterministic(canonicalizer: Canonicalizer) -> None:
    assert _sign(canonicalizer) == _sign(canonicalizer)


def test_ecdsa_signature_is_raw_r_s_and_not_der(canonicalizer: Canonicalizer) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    signed = _sign(canonicalizer, suite="ecdsa-rdfc-2019", key=P256, method=P256_METHOD)
    raw = decode_base58btc(signed["proof"]["proofValue"])
    assert len(raw) == 64
    document = {k: v for k, v in signed.items() if k != "proof"}
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"} | {"@context": document["@context"]}
    data = ECDSA_RDFC_2019.hash_data(document, config, canonicalizer, P256)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    P256.public_key().verify(der, data, ec.ECDSA(hashes.SHA256()))


def test_proof_set_all_proofs_must_verify(canonicalizer: Canonicalizer) -> None:
    both = _sign(canonicalizer, _sign(canonicalizer), suite="ecdsa-rdfc-2019", key=P256, method=P256_METHOD)
    assert isinstance(both["proof"], list) and len(both["proof"]) == 2
    result = _verify(canonicalizer, both)
    assert result.verified, result.message
    assert [p.cryptosuite for p in result.proofs] == ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
    broken = copy.deepcopy(both)
    broken["proof"][1]["proofValue"] = both["proof"][0]["proofValue"]
    result = _verify(canonicalizer, broken)
    assert not result.verified
    assert [p.verified for p in result.proofs] == [True, False]
    assert result.pointer == "/proof/1" and result.reason == "signature-mismatch"


def _chain(canonicalizer: Canonicalizer) -> dict[str, Any]:
    first = _sign(canonicalizer, proof_id="urn:proof:1")
    second = _sign(canonicalizer, first, suite="ecdsa-rdfc-2019", key=P256, method=P256_METHOD,
                   proof_id="urn:proof:2", previous_proof="urn:proof:1")
    return _sign(canonicalizer, second, suite="ecdsa-rdfc-2019", key=P384, method=P384_METHOD,
                 previous_proof=["urn:proof:1", "urn:proof:2"])


def test_proof_chain_signs_and_verifies(canonicalizer: Canonicalizer) -> None:
    chained = _chain(canonicalizer)
    assert [p.get("previousProof") for p in chained["proof"]] == [None, "urn:proof:1", ["urn:proof:1", "urn:proof:2"]]
    result = _verify(canonicalizer, chained)
    assert result.verified, result.message


def test_chained_proof_signs_its_previous_proofs(canonicalizer: Canonicalizer) -> None:
    chained = _chain(canonicalizer)
    chained["proof"][0]["created"] = "2024-05-01T12:00:01Z"     # alters proof 1, which proofs 2 and 3 cover
    result = _verify(canonicalizer, chained)
    assert [p.reason for p in result.proofs] == ["signature-mismatch"] * 3


def test_signing_with_an_unknown_previous_proof_is_refused(canonicalizer: Canonicalizer) -> None:
    with pytest.raises(ProofError) as caught:
        _sign(canonicalizer, _sign(canonicalizer, proof_id="urn:proof:1"), previous_proof="urn:proof:9")
    assert caught.value.reason == "previous-proof-missing"


@dataclass(frozen=True)
class Negative:
    name: str
    reason: str
    mutate: Callable[[dict[str, Any]], Any] = lambda d: d
    sign_options: dict[str, Any] = field(default_factory=dict)
    verify_options: dict[str, Any] = field(default_factory=dict)
    base: str = "credential"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def mutate(document: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
        return document
    return mutate


_DELETE = object()
_OTHER_KEYS = resolver((ED_METHOD, OTHER_ED, ALL_PURPOSES))
_ECDSA_AS_ED = resolver((P256_METHOD, ED, ALL_PURPOSES))
_NOT_AUTHORIZED = resolver((ED_METHOD, ED, ["authentication"]))


class _BrokenResolver:
    def resolve(self, verification_method: str, relationship: str) -> ResolvedKey:
        raise OSError("controller document unreachable")


class _OfflineResolver:
    def resolve(self, verification_method: str, relationship: str) -> ResolvedKey:
        raise KeyResolutionError("key-unavailable", "did:web fetches are disabled offline")


def _presentation() -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
            "holder": ISSUER}


VP = {"purpose": "authentication", "challenge": "c-123", "domain": ["https://a.example", "https://b.example"]}

NEGATIVES = [
    Negative("tampered-claim", "signature-mismatch", _set("credentialSubject/alumniOf", "Another School")),
    Negative("term-added-after-signing-v2-vocab", "signature-mismatch", _set("credentialSubject/extra", "x")),
    Negative("term-added-after-signing", "undefined-term", _set("credentialSubject/favouriteColour", "green"),
             base="ob"),
    Negative("term-added-to-proof", "undefined-term", _set("proof/note", "added"), base="ob"),
    Negative("proof-field-changed", "signature-mismatch", _set("proof/created", "2024-05-01T12:00:01Z")),
    Negative("wrong-key", "signature-mismatch", verify_options={"resolver": _OTHER_KEYS}),
    Negative("key-not-found", "key-not-found", verify_options={"resolver": resolver()}),
    Negative("key-not-authorized", "key-not-authorized", verify_options={"resolver": _NOT_AUTHORIZED}),
    Negative("key-type-mismatch", "key-type-mismatch", sign_options={"suite": "ecdsa-rdfc-2019", "key": P256,
                                                                     "method": P256_METHOD},
             verify_options={"resolver": _ECDSA_AS_ED}),
    Negative("wrong-purpose", "wrong-purpose", verify_options={"expected_purpose": "authentication"}),
    Negative("purpose-changed-after-signing", "signature-mismatch", _set("proof/proofPurpose", "authentication"),
             verify_options={"expected_purpose": "authentication"}),
    Negative("expired", "expired", sign_options={"expires": datetime(2024, 7, 1, tzinfo=UTC)},
             verify_options={"now": datetime(2024, 7, 1, 0, 0, 1, tzinfo=UTC)}),
    Negative("created-in-future", "created-in-future",
             verify_options={"now": SIGNED_AT - timedelta(hours=1)}),
    Negative("unknown-cryptosuite", "unknown-cryptosuite", _set("proof/cryptosuite", "eddsa-rdfc-2099")),
    Negative("unknown-proof-type", "unknown-proof-type", _set("proof/type", "RsaSignature2018")),
    Negative("unsupported-cryptosuite", "unsupported-cryptosuite", _set("proof/cryptosuite", "ecdsa-sd-2023")),
    Negative("unsupported-proof-type", "unsupported-proof-type",
             lambda d: _set("proof/cryptosuite", _DELETE)(_set("proof/type", "Ed25519Signature2018")(d))),
    Negative("eddsa-2022-name-changed-after-signing", "signature-mismatch", _set("proof/cryptosuite", "eddsa-2022")),
    Negative("bad-multibase-header", "bad-proof-value", _set("proof/proofValue", "uAAAA")),
    Negative("bad-base58-character", "bad-proof-value", _set("proof/proofValue", "z0OIl")),
    Negative("truncated-signature", "bad-proof-value", lambda d: _set("proof/proofValue", encode_base58btc(
        decode_base58btc(d["proof"]["proofValue"])[:63]))(d)),
    Negative("proof-value-not-string", "malformed-proof", _set("proof/proofValue", 42)),
    Negative("missing-purpose", "malformed-proof", _set("proof/proofPurpose", _DELETE)),
    Negative("missing-verification-method", "malformed-proof", _set("proof/verificationMethod", _DELETE)),
    Negative("missing-cryptosuite", "malformed-proof", _set("proof/cryptosuite", _DELETE)),
    Negative("created-not-datetime", "malformed-proof", _set("proof/created", "yesterday")),
    Negative("legacy-without-created", "malformed-proof", _set("proof/created", _DELETE),
             sign_options={"suite": "Ed25519Signature2020"}),
    Negative("legacy-with-cryptosuite", "malformed-proof", _set("proof/cryptosuite", "eddsa-rdfc-2022"),
             sign_options={"suite": "Ed25519Signature2020"}),
    Negative("proof-context-not-leading", "context-mismatch", _set("proof/@context", ["https://other.example/c"])),
    Negative("wrong-challenge", "challenge-mismatch", sign_options=VP, base="vp",
             verify_options={"expected_purpose": "authentication", "challenge": "c-999"}),
    Negative("missing-challenge", "challenge-mismatch", _set("proof/challenge", _DELETE), sign_options=VP,
             base="vp", verify_options={"expected_purpose": "authentication", "challenge": "c-123"}),
    Negative("wrong-domain", "domain-mismatch", sign_options=VP, base="vp",
             verify_options={"expected_purpose": "authentication", "domain": "https://a.example"}),
    Negative("previous-proof-missing", "previous-proof-missing", _set("proof/previousProof", "urn:proof:nowhere")),
    Negative("previous-proof-not-string", "malformed-proof", _set("proof/previousProof", [1, 2])),
    Negative("unpinned-context", "context-unavailable",
             lambda d: d["@context"].append("https://unpinned.example/ctx") or d),
    Negative("resolver-offline", "key-unavailable", verify_options={"resolver": _OfflineResolver()}),
    Negative("resolver-crashes", "key-unavailable", verify_options={"resolver": _BrokenResolver()}),
    Negative("no-proof", "no-proof", _set("proof", _DELETE)),
    Negative("empty-proof-list", "no-proof", _set("proof", [])),
    Negative("proof-not-object", "malformed-proof", _set("proof", "signed, honest")),
]


def _base(canonicalizer: Canonicalizer, case: Negative) -> dict[str, Any]:
    options = dict(case.sign_options)
    if case.base == "ob":
        return kat_json("ob30-impl-guide/signed.json")
    document = _presentation() if case.base == "vp" else None
    return _sign(canonicalizer, document, **options)


def _ob_keys() -> StaticKeyResolver:
    return resolver((OB_METHOD, ed25519_public_from_multikey(OB_MULTIKEY), ["assertionMethod"]))


@pytest.mark.parametrize("case", NEGATIVES, ids=[c.name for c in NEGATIVES])
def test_negative_cases_fail_with_their_reason(canonicalizer: Canonicalizer, case: Negative) -> None:
    base = _base(canonicalizer, case)
    untouched = _verify(canonicalizer, copy.deepcopy(base),
                        **{"resolver": _ob_keys() if case.base == "ob" else keys(),
                           **({"expected_purpose": "authentication", "challenge": "c-123",
                               "domain": VP["domain"]} if case.base == "vp" else {})})
    assert untouched.verified, f"the unmodified base must verify: {untouched.message}"
    options = dict(case.verify_options)
    if case.base == "ob":
        options.setdefault("resolver", _ob_keys())
    result = _verify(canonicalizer, case.mutate(copy.deepcopy(base)), **options)
    assert not result.verified
    assert result.reason == case.reason, result.message
    assert result.message
    indeterminate = case.reason in {"context-unavailable", "key-unavailable", "unsupported-cryptosuite",
                                    "unsupported-proof-type"}
    assert result.indeterminate is indeterminate


def test_domain_is_compared_as_a_set(canonicalizer: Canonicalizer) -> None:
    signed = _sign(canonicalizer, _presentation(), **VP)
    result = _verify(canonicalizer, signed, expected_purpose="authentication", challenge="c-123",
                     domain=["https://b.example", "https://a.example"])
    assert result.verified, result.message


def test_clock_skew_tolerates_a_slightly_early_clock(canonicalizer: Canonicalizer) -> None:
    signed = _sign(canonicalizer)
    assert _verify(canonicalizer, signed, now=SIGNED_AT - timedelta(minutes=2)).verified
    assert not _verify(canonicalizer, signed, now=SIGNED_AT - timedelta(minutes=2),
                       max_clock_skew=timedelta(0)).verified


def test_the_draft_name_eddsa_2022_is_verified_with_the_eddsa_rdfc_2022_algorithm(canonicalizer: Canonicalizer) -> None:
    signed = _sign(canonicalizer, suite="eddsa-2022")
    assert signed["proof"]["cryptosuite"] == "eddsa-2022"
    assert _verify(canonicalizer, signed).verified
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"     # the name is signed: renaming is tampering
    assert _verify(canonicalizer, signed).reason == "signature-mismatch"


def test_expires_in_the_future_verifies(canonicalizer: Canonicalizer) -> None:
    signed = _sign(canonicalizer, expires=datetime(2030, 1, 1, tzinfo=UTC))
    assert signed["proof"]["expires"] == "2030-01-01T00:00:00Z"
    assert _verify(canonicalizer, signed).verified


@pytest.mark.parametrize(("argument", "value", "reason"), [
    ("cryptosuite", "bbs-2023", "unknown-cryptosuite"),
    ("created", "not a date", "malformed-proof"),
    ("key", P256, "key-type-mismatch"),
])
def test_signing_refuses_bad_arguments(canonicalizer: Canonicalizer, argument: str, value: Any, reason: str) -> None:
    arguments: dict[str, Any] = {"cryptosuite": "eddsa-rdfc-2022", "created": SIGNED_AT, "key": ED}
    arguments[argument] = value
    key = arguments.pop("key")
    with pytest.raises(ProofError) as caught:
        sign(credential(), key, verification_method=ED_METHOD, purpose="assertionMethod",
             canonicalizer=canonicalizer, **arguments)
    assert caught.value.reason == reason


def test_signing_a_document_with_undefined_terms_is_refused(canonicalizer: Canonicalizer) -> None:
    document = kat_json("ob30-impl-guide/signed.json")
    del document["proof"]
    document["favouriteColour"] = "green"
    with pytest.raises(ProofError) as caught:
        _sign(canonicalizer, document)
    assert caught.value.reason == "undefined-term"


HOSTILE_DOCUMENTS: list[Any] = [
    None, "text", [1, 2], {"proof": None}, {"proof": [None, 5, "x"]}, {"proof": {"type": ["DataIntegrityProof"]}},
    {"proof": {"type": "DataIntegrityProof", "cryptosuite": {"x": 1}}},
    {"proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
               "verificationMethod": ED_METHOD, "proofValue": "z" + "2" * 5000}},
    {"proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
               "verificationMethod": ED_METHOD, "proofValue": "z2", "created": 5, "expires": []}},
    {"@context": 7, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                              "proofPurpose": "assertionMethod", "verificationMethod": ED_METHOD,
                              "proofValue": "z" + "2" * 86}},
    {"proof": [{"id": "a", "previousProof": "a"}]},
    {"proof": [{"id": "a", "previousProof": "b"}, {"id": "b", "previousProof": "a"}]},
]


@pytest.mark.parametrize("document", HOSTILE_DOCUMENTS, ids=[str(i) for i in range(len(HOSTILE_DOCUMENTS))])
def test_hostile_input_never_raises_and_never_verifies(canonicalizer: Canonicalizer, document: Any) -> None:
    result = _verify(canonicalizer, document)
    assert not result.verified
    assert result.reason is not None and result.message
