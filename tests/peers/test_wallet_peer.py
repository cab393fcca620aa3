"""The OID4VCI-WALLET module (the suite as the credential issuer) against a wallet built on Digital Bazaar's OpenID4VC
client library: peers/node/wallet.mjs drives @digitalbazaar/oid4-client (offer, discovery, token, nonce, credential
request with a DID proof JWT) and keeps a credential only when @digitalbazaar/vc verifies it and it is bound to the
holder's did:key.

The library refuses plain http, so the suite's issuer serves https on 127.0.0.1 (the counter-party server's
tls_cert / tls_key options) with a certificate from a throwaway CA made here, which the Node process trusts through
NODE_EXTRA_CA_CERTS. Nothing is forced to agree: `DEPARTURES` lists every requirement the library does not pass,
with the outcome and why (the spec section), and the test asserts the exact table, so a change on either side fails
it. The table is printed (`pytest -s`), and README.md "Interop" summarises it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.standards.oid4vci import wallet_flows as oid4vci_wallet
from conformance.standards.oid4vci.counterparty import WalletTestIssuer
from conformance.standards.oid4vp import wallet_flows as oid4vp_wallet
from conformance.standards.oid4vp.counterparty import Session, WalletTestVerifier
from conformance.standards.oid4vp.flows import DID_PREFIX
from conformance.support.exchange.server import Answer, Call
from conformance.support.net import FetchPolicy, GuardedClient
from tests.peers.conftest import PEER_DIR, _context_map, assert_recorded
from tests.support.exchange.harness import LiveRun, run_targets
from tests.support.net.test_tls import _make

pytestmark = pytest.mark.peer

WALLET = PEER_DIR / "wallet.mjs"
LIBRARY = "@digitalbazaar/oid4-client"
SESSION_TIMEOUT_S = 30

# Against the issuer as shipped the library stops at discovery (discovery.js, 5.10.0): it requires an `issuer`
# member in the credential issuer metadata, which OID4VCI 1.0 section 12.2.4 does not define (`credential_issuer` is
# the identifier there), and takes `token_endpoint` from that same document, not from the authorization server
# metadata it fetches (RFC 8414 section 3, OID4VCI 1.0 section 12.3). It reads the metadata at both well-known forms,
# refuses, and asks for no token. Every rule after discovery has nothing to judge.
STOPS_AT_DISCOVERY = ("the library refuses the metadata: it wants `issuer` (and `token_endpoint`) in the credential "
                      "issuer metadata, not defined there by OID4VCI 1.0 s12.2.4; no token request follows")
AFTER_DISCOVERY = ("access-token", "credential-configuration", "proof-aud", "proof-iat",
                   "proof-key", "proof-nonce", "proof-signature", "proof-typ", "refuses-tampered-credential",
                   "refuses-unbound-credential", "token-pre-authorized", "token-tx-code")

# requirement -> (outcome, why). Every OID4VCI-WALLET requirement not listed here must pass.
DEPARTURES: dict[str, tuple[Outcome, str]] = {
    **{f"OID4VCI-WALLET-{name}": (Outcome.CANT_TELL, STOPS_AT_DISCOVERY) for name in AFTER_DISCOVERY},
    "OID4VCI-WALLET-accepts-valid-credential": (
        Outcome.FAILED, "the wallet gives up on the conformant plain offer at discovery and reports it stored "
                        "nothing (" + STOPS_AT_DISCOVERY.split(":", 1)[0] + ")")}

# The same run against the suite's issuer with two accommodations that keep it conformant (see `_accommodating`),
# so the library gets past discovery and the token response and the later rules have something to judge.
ACCOMMODATED_DEPARTURES: dict[str, tuple[Outcome, str]] = {
    "OID4VCI-WALLET-metadata-fetched": (
        Outcome.FAILED, ("robustDiscoverIssuer tries {issuer}/.well-known/openid-credential-issuer (appended, the "
                        "draft-13 form) first and stops there; 1.0 s12.2.2 inserts it after the host")),
    "OID4VCI-WALLET-token-tx-code": (
        Outcome.FAILED, ("the library ignores the offer's tx_code (its _parseOffer says so) and has no parameter for "
                        "it; 1.0 s6.1 requires tx_code when the offer asks for one")),
    "OID4VCI-WALLET-credential-configuration": (
        Outcome.FAILED, ("without authorization_details the library sends the draft-13 request (format + "
                        "credential_definition); 1.0 s8.2 requires credential_configuration_id")),
    "OID4VCI-WALLET-proof-typ": (
        Outcome.FAILED, "generateDIDProofJWT's header is {alg, kid}: no typ openid4vci-proof+jwt (1.0 appendix F.1)"),
    "OID4VCI-WALLET-proof-iat": (
        Outcome.FAILED, ("generateDIDProofJWT's claims are nonce, iss, aud, exp, nbf: no iat (1.0 appendix F.1 "
                        "requires it)")),
}


# OpenID4VP: the same wallet, holding the credential the suite issued it in the run's "issue" session (the issuer
# accommodating discovery as above), answers the suite's verifier with the library's oid4vp helpers.
#
# Against the 1.0 verifier the library refuses every request by reference at the client identifier:
# _checkClientIdSchemeRequirements (authorizationRequest.js, 5.10.0) removes `'decentralized_identifier:'.length + 1`
# characters from the client_id, one too many, so the DID it compares the JWS kid with starts "id:key:..." and no
# kid ever matches. The request object is fetched (GET) first; nothing is ever presented.
REFUSES_DID_CLIENT = ("oid4vp.authzRequest.get refuses the decentralized_identifier: client id (it strips one "
                      "character too many before comparing the kid's DID; 1.0 s5.9.3); no answer is ever sent")
NOTHING_PRESENTED = ("the wallet presents nothing even for the valid request (" + REFUSES_DID_CLIENT.split(" (")[0]
                     + "), so its refusal shows nothing")
PRESENTING_DEPARTURES: dict[str, tuple[Outcome, str]] = {
    "OID4VP-WALLET-response-vp-token": (Outcome.FAILED, REFUSES_DID_CLIENT),
    **{f"OID4VP-WALLET-{name}": (Outcome.CANT_TELL, "no answer to judge: " + REFUSES_DID_CLIENT)
       for name in ("presentation-challenge", "presentation-domain", "holder-binding", "credential-unchanged",
                    "only-requested", "state-echoed")},
    **{f"OID4VP-WALLET-{name}": (Outcome.CANT_TELL, NOTHING_PRESENTED)
       for name in ("refuses-wrong-signer", "refuses-foreign-response-uri", "refuses-missing-nonce",
                    "refuses-unsupported-response-mode")}}

# With the verifier naming itself by the bare DID (the pre-1.0 `did` scheme, see `_DraftClientId`: not 1.0) the
# library gets through and presents. The only departure is state. The four refusals pass, but only one of them is
# the library's own check; the reasons are in DRAFT_CLIENT_ID_REFUSALS (printed with the table).
DRAFT_CLIENT_ID_DEPARTURES: dict[str, tuple[Outcome, str]] = {
    "OID4VP-WALLET-state-echoed": (
        Outcome.FAILED, ("authzResponse.create/send post vp_token (and presentation_submission) only, never the "
                         "request's state; 1.0 s8.2 requires it back when the request has one")),
}
DRAFT_CLIENT_ID_REFUSALS: dict[str, str] = {
    "OID4VP-WALLET-refuses-wrong-signer": "the library's jwtVerify rejects the JWS under the kid's key (ours resolves "
                                          "it offline)",
    "OID4VP-WALLET-refuses-foreign-response-uri": ("incidental: the library parses no dcql_query from a by-value URL "
                                                   "(only presentation_definition), so our wallet finds nothing asked; "
                                                   "no response_uri vs redirect_uri: check exists (1.0 s5.9.3)"),
    "OID4VP-WALLET-refuses-missing-nonce": ("not the library: its validate lets an absent nonce through (assert "
                                            "skips undefined); @digitalbazaar/vc refuses to sign without a challenge"),
    "OID4VP-WALLET-refuses-unsupported-response-mode": ("the library's validate refuses it, but get() does not await "
                                                        "validate: an unhandled rejection ends Node (a browser would "
                                                        "only log it and present)"),
}

@dataclass(frozen=True)
class WalletPeer:
    targets: Path
    version: str
    presenting: Path          # the same wallet as an oid4vp-wallet, keeping its store in a file between calls


def _library_version() -> str:
    manifest = PEER_DIR / "node_modules" / "@digitalbazaar" / "oid4-client" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def _service(node: str, contexts: Path, ca: Path, cert: Path, key: Path, timeout_s: float,
             role: str = "oid4vci-wallet", store: Path | None = None) -> str:
    # env(1) sets the CA for the Node process only; the suite's own environment is left alone.
    argv = ["/usr/bin/env", f"NODE_EXTRA_CA_CERTS={ca}", node, str(WALLET), "--contexts", str(contexts),
            *(["--store", str(store)] if store is not None else []), "{url}", "{tx_code}"]
    return (f'[[service]]\nrole = "{role}"\nendpoint = "https://oid4-client.peer.example"\n'
            f"driver = {{ command = {json.dumps(argv)} }}\n"
            f"options = {{ timeout_s = {timeout_s}, tls_cert = {json.dumps(str(cert))}, "
            f"tls_key = {json.dumps(str(key))} }}\n")


@pytest.fixture(scope="module")
def wallet_peer(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> WalletPeer:
    node = shutil.which("node")
    if node is None:
        pytest.fail("expected `node` (v20+) on PATH for the peer tests, found none")
    if not (PEER_DIR / "node_modules" / "@digitalbazaar" / "oid4-client").is_dir():
        pytest.fail(f"expected {LIBRARY} in {PEER_DIR / 'node_modules'}, found none: run `npm ci` in peers/node")
    directory = tmp_path_factory.mktemp("oid4-client-wallet")
    contexts = _context_map(env, directory)
    certificate = _make(directory, "issuer", san="127.0.0.1", with_ca=True)
    version = _library_version()
    targets = directory / "targets.toml"
    targets.write_text(f'[implementation]\nname = "wallet on {LIBRARY} {version}"\n\n'
                       + _service(node, contexts, certificate.anchor, certificate.cert, certificate.key,
                                  SESSION_TIMEOUT_S), encoding="utf-8")
    presenting = directory / "targets-oid4vp.toml"
    presenting.write_text(f'[implementation]\nname = "wallet on {LIBRARY} {version}"\n\n'
                          + _service(node, contexts, certificate.anchor, certificate.cert, certificate.key,
                                     SESSION_TIMEOUT_S, role="oid4vp-wallet", store=directory / "store.json"),
                          encoding="utf-8")
    return WalletPeer(targets, version, presenting)


@pytest.fixture(scope="module")
def peer_run(env: Environment, wallet_peer: WalletPeer) -> LiveRun:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        return run_targets(env, wallet_peer.targets, client, allow_driver_commands=True)


class _Accommodating(WalletTestIssuer):
    """The suite's issuer plus what the library's discovery reads: the credential issuer metadata also carries
    `issuer` (the credential_issuer it names, so the issuer-mismatch session still mismatches) and `token_endpoint`,
    and the token response says token_type "bearer" in lower case. Extra metadata members are allowed (a client
    ignores what it does not know) and token_type is case-insensitive (RFC 6749 section 5.1), so the issuer stays
    conformant; only a wallet that needs these gets further than it would against the issuer as shipped."""

    def issuer_metadata(self, call: Call, form: str) -> Answer:
        answer = super().issuer_metadata(call, form)
        if answer.status != 200 or not isinstance(answer.body, dict):
            return answer
        body = dict(answer.body)
        body["issuer"] = body["credential_issuer"]
        body["token_endpoint"] = self.identifier(answer.flow) + "/token"
        return replace(answer, body=body)

    def token(self, call: Call) -> Answer:
        answer = super().token(call)
        if answer.status != 200 or not isinstance(answer.body, dict):
            return answer
        return replace(answer, body={**answer.body, "token_type": "bearer"})


@pytest.fixture(scope="module")
def accommodated_run(env: Environment, wallet_peer: WalletPeer) -> LiveRun:
    with pytest.MonkeyPatch.context() as patch, GuardedClient(FetchPolicy(allow_private=True)) as client:
        patch.setattr(oid4vci_wallet, "WalletTestIssuer", _Accommodating)
        return run_targets(env, wallet_peer.targets, client, allow_driver_commands=True)


class _DraftClientId(WalletTestVerifier):
    """The suite's verifier naming itself by the bare DID (`did:key:...`, the pre-1.0 `did` client id scheme) instead
    of OpenID4VP 1.0's `decentralized_identifier:did:key:...`. This is NOT conformant to 1.0 (s5.9.3 defines only the
    prefixed form); it exists to get past the library's handling of the prefixed form (see PRESENTING_DEPARTURES) so
    the rules after the request have something to judge. The proof's domain is judged against this client_id."""

    def open(self, session: Session) -> str:
        url = super().open(session)
        live = self._sessions[session.name]
        if live.client_id.startswith(DID_PREFIX):
            bare = live.client_id[len(DID_PREFIX):]
            url = url.replace(quote_plus(live.client_id), quote_plus(bare))
            live.client_id = bare
        return url


def _presenting_run(env: Environment, wallet_peer: WalletPeer, store: str, draft: bool) -> LiveRun:
    # a store of its own per run: the issue session of each run gives the wallet the credential it presents
    targets = wallet_peer.presenting.with_name(f"targets-oid4vp-{store}.toml")
    targets.write_text(wallet_peer.presenting.read_text(encoding="utf-8").replace("store.json", f"{store}.json"),
                       encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, GuardedClient(FetchPolicy(allow_private=True)) as client:
        patch.setattr(oid4vp_wallet, "WalletTestIssuer", _Accommodating)
        if draft:
            patch.setattr(oid4vp_wallet, "WalletTestVerifier", _DraftClientId)
        return run_targets(env, targets, client, allow_driver_commands=True)


@pytest.fixture(scope="module")
def presenting_run(env: Environment, wallet_peer: WalletPeer) -> LiveRun:
    return _presenting_run(env, wallet_peer, "store-1-0", draft=False)


@pytest.fixture(scope="module")
def draft_presenting_run(env: Environment, wallet_peer: WalletPeer) -> LiveRun:
    return _presenting_run(env, wallet_peer, "store-draft", draft=True)


def _assert_table(run: LiveRun, table: dict[str, tuple[Outcome, str]], title: str,
                  capsys: pytest.CaptureFixture[str], prefix: str = "OID4VCI-WALLET", count: int = 16) -> None:
    found = run.outcomes(prefix)
    assert len(found) == count, f"expected every {prefix} requirement judged, found {sorted(found)}"
    assert_recorded(run, found, table, title, capsys,
                    explain=lambda rid: DRAFT_CLIENT_ID_REFUSALS.get(rid, "") or run.why(rid)[:110])


def test_the_suite_judges_the_oid4_client_wallet_as_recorded(peer_run: LiveRun, wallet_peer: WalletPeer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(peer_run, DEPARTURES, f"OID4VCI-WALLET against a wallet on {LIBRARY} {wallet_peer.version}",
                  capsys)


def test_past_discovery_the_suite_judges_the_library_as_recorded(accommodated_run: LiveRun, wallet_peer: WalletPeer,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(accommodated_run, ACCOMMODATED_DEPARTURES, f"OID4VCI-WALLET against a wallet on {LIBRARY} "
                  f"{wallet_peer.version}, the issuer accommodating its discovery", capsys)


def test_tls_options_name_both_files_or_neither(tmp_path: Path) -> None:
    from conformance.support.exchange.server import CounterpartyOptions

    certificate = _make(tmp_path, "opts", san="127.0.0.1", with_ca=True)
    both = CounterpartyOptions.from_options({"tls_cert": str(certificate.cert), "tls_key": str(certificate.key)})
    assert both.scheme == "https" and CounterpartyOptions.from_options({}).scheme == "http"
    for bad in ({"tls_cert": str(certificate.cert)}, {"tls_key": str(certificate.key)},
                {"tls_cert": str(certificate.cert), "tls_key": str(tmp_path / "missing.key")},
                {"tls_cert": 7, "tls_key": str(certificate.key)}):
        with pytest.raises(ValueError, match="tls_cert and options.tls_key"):
            CounterpartyOptions.from_options(bad)


def test_a_broken_tls_setup_stops_the_flows_and_nothing_passes(env: Environment, tmp_path: Path) -> None:
    contexts = _context_map(env, tmp_path)
    certificate = _make(tmp_path, "broken", san="127.0.0.1", with_ca=True)
    certificate.key.write_text("not a key", encoding="utf-8")          # uvicorn cannot load it: no server
    targets = tmp_path / "targets.toml"
    targets.write_text('[implementation]\nname = "broken tls"\n\n' + _service(
        shutil.which("node") or "node", contexts, certificate.anchor, certificate.cert, certificate.key, 5),
        encoding="utf-8")
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        run = run_targets(env, targets, client, allow_driver_commands=True)
    outcomes = run.outcomes("OID4VCI-WALLET")
    assert len(outcomes) == 16 and set(outcomes.values()) == {Outcome.ERROR}
    assert any("tls_key cannot be loaded" in f.message for r in run.results for f in r.findings)


def test_the_wallet_script_reports_what_it_cannot_use_and_exits(tmp_path: Path, env: Environment) -> None:
    contexts = _context_map(env, tmp_path)
    node = shutil.which("node") or "node"
    for offer in ("openid-credential-offer://?credential_offer=%7Bnot-json", "https://example.invalid/offer",
                  "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A9%2Foffer"):
        done = subprocess.run([node, str(WALLET), "--contexts", str(contexts), offer, ""], cwd=PEER_DIR,
                              capture_output=True, timeout=60, check=False)
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
        assert done.returncode == 0 and report["stored"] is False and report["error"], (offer, report)


def test_presenting_the_suite_judges_the_oid4_client_wallet_as_recorded(presenting_run: LiveRun,
                                                                        wallet_peer: WalletPeer,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(presenting_run, PRESENTING_DEPARTURES, f"OID4VP-WALLET against a wallet on {LIBRARY} "
                  f"{wallet_peer.version} (OpenID4VP 1.0 verifier)", capsys, prefix="OID4VP-WALLET", count=12)


def test_presenting_to_a_draft_client_id_the_suite_judges_the_library_as_recorded(
        draft_presenting_run: LiveRun, wallet_peer: WalletPeer, capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(draft_presenting_run, DRAFT_CLIENT_ID_DEPARTURES, f"OID4VP-WALLET against a wallet on {LIBRARY} "
                  f"{wallet_peer.version}, the verifier naming itself by a bare did:key", capsys,
                  prefix="OID4VP-WALLET", count=12)


def test_the_wallet_script_refuses_to_present_what_it_cannot(tmp_path: Path, env: Environment) -> None:
    contexts = _context_map(env, tmp_path)
    node = shutil.which("node") or "node"
    store = tmp_path / "store.json"
    store.write_text(json.dumps({"holder": None, "credentials": [{"not": "a credential"}]}), encoding="utf-8")
    for request, store_args in (
            ("openid4vp://?client_id=x&request_uri=http%3A%2F%2F127.0.0.1%3A9%2Fr", ["--store", str(store)]),
            ("openid4vp://?request=a&request_uri=b", ["--store", str(store)]),
            ("openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mk&request_uri=x", []),  # empty store
            ("openid4vp://?%7Bnot-a-request", ["--store", str(store)])):
        done = subprocess.run([node, str(WALLET), "--contexts", str(contexts), *store_args, request], cwd=PEER_DIR,
                              capture_output=True, timeout=60, check=False)
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
        assert report["presented"] is False and report["error"], (request, report)
