"""The counter-party's tri-state observations ("verifies" / "does not verify" / "cannot be checked"), and the wallet
rules that read them: what the suite cannot verify (a cryptosuite or algorithm it does not support, a key it cannot
obtain) is cantTell, its own exception is error, and neither is ever the wallet's failure."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from conformance.core.findings import Finding, Outcome
from conformance.core.transcript import (
    CANNOT_BE_CHECKED,
    DOES_NOT_VERIFY,
    VERIFIES,
    Observation,
    Step,
    Transcript,
)
from conformance.run.environment import Environment
from conformance.standards.oid4vci.counterparty import PROOF_TYP, WalletTestIssuer
from conformance.standards.oid4vci.counterparty import Session as IssueSession
from conformance.standards.oid4vp.counterparty import PRESENT, QUERY_ID, WalletTestVerifier
from conformance.standards.oid4vp.flows import credential_for, new_holder, presentation
from conformance.support.exchange import observations
from conformance.support.exchange.server import Answer, Call, CounterpartyServer
from conformance.support.exchange.service import ServiceConfig, ServiceSubject

UNSUPPORTED_SUITE = "ecdsa-sd-2023"            # registered for Data Integrity, not verified by the suite
OFFLINE_KEY = "did:web:wallet.example#key-1"   # the suite runs offline: the did:web document cannot be had


# --- the helper --------------------------------------------------------------------------------------------------

def test_a_verification_has_three_outcomes(env: Environment) -> None:
    holder = new_holder()
    credential = credential_for(holder, env.verifier.canonicalizer)

    def seen(document: Mapping[str, Any]) -> Observation:
        return observations.data_integrity(env.verifier, document, presentation=False)

    assert seen(credential).verdict == VERIFIES
    assert seen({**credential, "name": "altered after signing"}).verdict == DOES_NOT_VERIFY
    assert seen({k: v for k, v in credential.items() if k != "proof"}).verdict == DOES_NOT_VERIFY
    unsupported = seen(_with_proof(credential, cryptosuite=UNSUPPORTED_SUITE))
    assert (unsupported.verdict, unsupported.unsupported) == (CANNOT_BE_CHECKED, f"the cryptosuite {UNSUPPORTED_SUITE}")
    # a name no registry lists is no limit of the suite: no verifier can follow it
    assert seen(_with_proof(credential, cryptosuite="made-up-2099")).verdict == DOES_NOT_VERIFY
    offline = seen(_with_proof(credential, verificationMethod=OFFLINE_KEY))
    assert (offline.verdict, offline.unsupported, offline.stopped) == (CANNOT_BE_CHECKED, "", "")
    assert "network access is off" in offline.note


def test_the_suites_own_exception_cannot_be_checked_and_names_itself() -> None:
    class Broken:
        def data_integrity(self, document: Any, *, presentation: bool) -> Any:
            raise KeyError("a bug of the suite")

    seen = observations.data_integrity(Broken(), {"proof": {}}, presentation=True)
    assert seen.verdict == CANNOT_BE_CHECKED and "KeyError" in seen.stopped


def test_a_record_the_suite_did_not_write_cannot_be_checked() -> None:
    assert Observation.read({"verdict": "verifies", "note": "x"}) == Observation(VERIFIES, "x")
    for stranger in (None, True, "verifies", {"verdict": "probably"}, []):
        assert Observation.read(stranger).verdict == CANNOT_BE_CHECKED
    assert Observation.read(observations.undecided("why", unsupported="what").to_json()) == \
        Observation(CANNOT_BE_CHECKED, "why", "what")


# --- the four rules that used to fail what the suite could not verify ---------------------------------------------

def test_holder_binding_of_a_presentation_the_suite_cannot_verify_is_cant_tell(env: Environment) -> None:
    holder = new_holder()
    credential = credential_for(holder, env.verifier.canonicalizer)
    vp = _with_proof(presentation(credential, holder, env.verifier.canonicalizer, challenge=None, domain=None),
                     cryptosuite=UNSUPPORTED_SUITE)
    (finding,) = _judge(env, "oid4vp-wallet", [_answer(env, [credential], vp)], "OID4VP-WALLET-holder-binding")
    assert finding.outcome is Outcome.CANT_TELL and finding.limitation == f"the cryptosuite {UNSUPPORTED_SUITE}"
    assert finding.location.endswith("/request/observed/presentations/0/signature")


def test_holder_binding_when_the_suites_verifier_raises_is_an_error(env: Environment,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    holder = new_holder()
    credential = credential_for(holder, env.verifier.canonicalizer)
    vp = presentation(credential, holder, env.verifier.canonicalizer, challenge=None, domain=None)

    def broken(self: Any, document: Any, *, presentation: bool) -> Any:
        raise RuntimeError("a bug of the suite")

    monkeypatch.setattr(type(env.verifier), "data_integrity", broken)
    (finding,) = _judge(env, "oid4vp-wallet", [_answer(env, [credential], vp)], "OID4VP-WALLET-holder-binding")
    assert finding.outcome is Outcome.ERROR and "RuntimeError" in finding.message


def test_credential_unchanged_when_the_suite_cannot_verify_it_is_cant_tell(env: Environment) -> None:
    holder = new_holder()
    issued = _with_proof(credential_for(holder, env.verifier.canonicalizer), verificationMethod=OFFLINE_KEY)
    vp = presentation(issued, holder, env.verifier.canonicalizer, challenge=None, domain=None)
    findings = _judge(env, "oid4vp-wallet", [_answer(env, [issued], vp)], "OID4VP-WALLET-credential-unchanged")
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL], findings
    assert "cannot verify" in findings[0].message
    # the same presentation still shows what the suite can judge: it is the issued credential, the proof verifies
    assert _judge(env, "oid4vp-wallet", [_answer(env, [issued], vp)], "OID4VP-WALLET-holder-binding") == []


def test_round_trip_when_the_suite_cannot_verify_the_credential_is_cant_tell(env: Environment) -> None:
    holder = new_holder()
    issued = _with_proof(credential_for(holder, env.verifier.canonicalizer), cryptosuite=UNSUPPORTED_SUITE)
    vp = presentation(issued, holder, env.verifier.canonicalizer, challenge=None, domain=None)
    carried = [Step("issue", "credential", "POST", "https://suite.example/s/issue/credential", {}, status=200),
               Step("export", "export", "GET", "https://source.example/export", None, status=200,
                    body={"credentials": 1, "holds_issued": True}),
               Step("import", "import", "POST", "https://destination.example/import", {"bytes": 1}, status=200),
               _answer(env, [issued], vp)]
    (finding,) = _judge(env, "wallet-portability", carried, "WALLETPORT-round-trip")
    assert finding.outcome is Outcome.CANT_TELL and finding.limitation == f"the cryptosuite {UNSUPPORTED_SUITE}"


@pytest.mark.parametrize(("header", "limitation"), [
    ({"alg": "EdDSA", "kid": OFFLINE_KEY}, "the DID method did:web"),
    ({"alg": "ES256K", "kid": None}, "the JWS algorithm ES256K"),
])
def test_proof_signature_the_suite_cannot_verify_is_cant_tell(header: dict[str, Any], limitation: str,
                                                              env: Environment) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from conformance.support.securing.jose.sign import sign_jws
    from conformance.support.securing.keys.jwk import jwk_from_public_key

    key = ed25519.Ed25519PrivateKey.generate()
    named = {"kid": header["kid"]} if header["kid"] else {"jwk": jwk_from_public_key(key.public_key())}
    claims = {"aud": "https://suite.example/s/plain", "iat": 1767225600, "nonce": "n"}
    jwt = _signed(sign_jws, {"typ": PROOF_TYP, "alg": "EdDSA", **named}, claims, key, alg=header["alg"])
    issuer = WalletTestIssuer(env.verifier.canonicalizer)
    issuer.server = _offline_server()
    issuer.open(IssueSession("plain"))
    answer = issuer.credential(_call("POST", {"session": "plain"}, json_body={"proofs": {"jwt": [jwt]}}))
    (finding,) = _judge(env, "oid4vci-wallet", [_step(answer)], "OID4VCI-WALLET-proof-signature")
    assert finding.outcome is Outcome.CANT_TELL and finding.limitation == limitation, finding


# --- helpers -----------------------------------------------------------------------------------------------------

def _with_proof(document: Mapping[str, Any], **members: Any) -> dict[str, Any]:
    changed = copy.deepcopy(dict(document))
    changed["proof"].update(members)
    return changed


def _offline_server() -> CounterpartyServer:
    """A counter-party server that is never started: the handlers only need its URLs and its secret labels."""
    server = CounterpartyServer([], name="test")
    server.base_url = "http://127.0.0.1:9"
    return server


def _call(method: str, params: Mapping[str, str], *, json_body: Any = None,
          form: Mapping[str, str] | None = None) -> Call:
    return Call(method=method, path="/", url="http://127.0.0.1:9/", params=dict(params), query={},
                headers={"content-type": "application/x-www-form-urlencoded" if form is not None
                         else "application/json"}, raw=b"-", json=json_body, form=form)


def _step(answer: Answer) -> Step:
    """The step the counter-party server records for an answer (its observed facts beside the request)."""
    return Step(flow=answer.flow, name=answer.name, method="POST", url="http://127.0.0.1:9/",
                request={"observed": dict(answer.observed or {})}, status=answer.status, body=answer.body)


def _answer(env: Environment, issued: list[Any], vp: Mapping[str, Any]) -> Step:
    """The valid session's answer as the suite's OpenID4VP verifier observes it, having issued `issued`."""
    verifier = WalletTestVerifier(env, issued=list(issued))
    verifier.server = _offline_server()
    verifier.open(PRESENT)
    token = json.dumps({QUERY_ID: [vp]})
    return _step(verifier.response(_call("POST", {"session": PRESENT.name}, form={"vp_token": token})))


def _judge(env: Environment, role: str, steps: Iterable[Step], requirement: str) -> list[Finding]:
    subject = ServiceSubject(service=ServiceConfig(role=role, endpoint="https://wallet.example", implementation="t"),
                             client=None, env=env)  # type: ignore[arg-type] - the transcript is given, nothing is sent
    subject.__dict__["transcript"] = Transcript(tuple(steps))
    return list(env.check_registry.checks[requirement].run(subject))


def _signed(sign_jws: Any, header: dict[str, Any], claims: dict[str, Any], key: Any, *, alg: str) -> str:
    """A compact JWS; an algorithm the suite does not verify is put in the header after signing (the suite must
    stop at the algorithm, never reach the signature)."""
    import base64

    jwt = sign_jws(header, claims, key)
    if alg == header["alg"]:
        return jwt
    head, rest = jwt.split(".", 1)
    shown = {**header, "alg": alg}
    encoded = base64.urlsafe_b64encode(json.dumps(shown).encode()).rstrip(b"=").decode()
    return f"{encoded}.{rest}"
