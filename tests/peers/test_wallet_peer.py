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

import pytest

from conformance.counterparty.oid4vci_issuer import WalletTestIssuer
from conformance.counterparty.server import Answer, Call
from conformance.environment import Environment
from conformance.live import oid4vci_wallet
from conformance.model.findings import Outcome
from conformance.net import FetchPolicy, GuardedClient
from tests.live.harness import LiveRun, run_targets
from tests.net.test_tls import _make
from tests.peers.conftest import PEER_DIR, _context_map

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


@dataclass(frozen=True)
class WalletPeer:
    targets: Path
    version: str


def _library_version() -> str:
    manifest = PEER_DIR / "node_modules" / "@digitalbazaar" / "oid4-client" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def _service(node: str, contexts: Path, ca: Path, cert: Path, key: Path, timeout_s: float) -> str:
    # env(1) sets the CA for the Node process only; the suite's own environment is left alone.
    argv = ["/usr/bin/env", f"NODE_EXTRA_CA_CERTS={ca}", node, str(WALLET), "--contexts", str(contexts),
            "{url}", "{tx_code}"]
    return ('[[service]]\nrole = "oid4vci-wallet"\nendpoint = "https://oid4-client.peer.example"\n'
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
    return WalletPeer(targets, version)


@pytest.fixture(scope="module")
def peer_run(env: Environment, wallet_peer: WalletPeer) -> LiveRun:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        return run_targets(env, wallet_peer.targets, client)


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
        return run_targets(env, wallet_peer.targets, client)


def _why(run: LiveRun, requirement: str) -> str:
    outcome = run.outcome(requirement)
    for result in run.results:
        for finding in result.findings:
            if finding.requirement == requirement and finding.outcome is outcome and finding.message:
                return finding.message
    return ""


def _assert_table(run: LiveRun, table: dict[str, tuple[Outcome, str]], title: str,
                  capsys: pytest.CaptureFixture[str]) -> None:
    found = run.outcomes("OID4VCI-WALLET")
    assert len(found) == 16, f"expected every OID4VCI-WALLET requirement judged, found {sorted(found)}"
    rows = [f"{rid:46} {outcome.value:10} {table.get(rid, (None, ''))[1] or _why(run, rid)[:110]}"
            for rid, outcome in found.items()]
    with capsys.disabled():
        print(f"\n{title}:")
        print("\n".join(rows))
    departures = {rid: outcome for rid, outcome in found.items() if outcome is not Outcome.PASSED}
    expected = {rid: outcome for rid, (outcome, _) in table.items()}
    assert departures == expected, "\n".join(
        [f"expected the departures {expected}, found {departures}; why, as the suite says:"]
        + [f"  {rid}: {_why(run, rid)}" for rid in sorted(set(departures) | set(expected))])


def test_the_suite_judges_the_oid4_client_wallet_as_recorded(peer_run: LiveRun, wallet_peer: WalletPeer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(peer_run, DEPARTURES, f"OID4VCI-WALLET against a wallet on {LIBRARY} {wallet_peer.version}",
                  capsys)


def test_past_discovery_the_suite_judges_the_library_as_recorded(accommodated_run: LiveRun, wallet_peer: WalletPeer,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _assert_table(accommodated_run, ACCOMMODATED_DEPARTURES, f"OID4VCI-WALLET against a wallet on {LIBRARY} "
                  f"{wallet_peer.version}, the issuer accommodating its discovery", capsys)


def test_tls_options_name_both_files_or_neither(tmp_path: Path) -> None:
    from conformance.counterparty.server import CounterpartyOptions

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
        run = run_targets(env, targets, client)
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
