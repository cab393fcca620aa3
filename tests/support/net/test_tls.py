"""Invalid TLS: the guarded client refuses a server whose certificate is not valid, and a live module against such
a server gives `error` findings (we could not evaluate), never a pass and never a traceback.

The server is the reference VC API (conformance/reference/vcalm.py) behind uvicorn's TLS on 127.0.0.1, with
certificates this module makes with `cryptography`: self-signed for 127.0.0.1, one for another host name, one
expired, and one valid for 127.0.0.1 under a throwaway CA, which the client trusts only through `ca_file` (the
positive control: the same server passes once its certificate is valid and trusted).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.services import ServiceTarget
from conformance.support.exchange.service import ServiceConfig
from conformance.support.net import FetchError, FetchPolicy, FetchReason, GuardedClient
from conformance.support.serving import serve_in_thread

LOOPBACK = "127.0.0.1"
POLICY = FetchPolicy(allow_private=True, timeout_s=5.0)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    anchor: Path          # what a client would have to trust for this certificate to verify


def _make(folder: Path, name: str, *, san: str, expired: bool = False, with_ca: bool = False) -> Certificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else \
        (now - dt.timedelta(hours=1), now + dt.timedelta(days=1))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ler-conformance {name}")])
    issuer_name, issuer_key = subject, key
    ca_pem = None
    if with_ca:
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ler-conformance {name} CA")])
        ca = (x509.CertificateBuilder().subject_name(issuer_name).issuer_name(issuer_name)
              .public_key(issuer_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                           content_commitment=False, key_encipherment=False,
                                           data_encipherment=False, key_agreement=False, encipher_only=False,
                                           decipher_only=False), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(issuer_key.public_key()), critical=False)
              .sign(issuer_key, hashes.SHA256()))
        ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    alt: x509.GeneralName
    try:
        alt = x509.IPAddress(ipaddress.ip_address(san))
    except ValueError:
        alt = x509.DNSName(san)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
               .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    if not with_ca:          # a self-signed certificate is its own anchor
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    paths = Certificate(folder / f"{name}.pem", folder / f"{name}.key", folder / f"{name}-anchor.pem")
    paths.cert.write_bytes(cert_pem)
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    paths.anchor.write_bytes(ca_pem or cert_pem)
    return paths


@contextmanager
def _serve_https(env: Environment, certificate: Certificate) -> Iterator[str]:
    """The reference VC API behind uvicorn's TLS on 127.0.0.1; yields its https base URL."""
    from conformance.reference.vcalm import build_app

    with serve_in_thread(build_app(env), name="the HTTPS test server", host=LOOPBACK, log_level="critical",
                         ssl_certfile=str(certificate.cert), ssl_keyfile=str(certificate.key),
                         timeout_graceful_shutdown=1) as bound:
        yield bound.url("https")


CASES = {                       # name -> (certificate options, words the refusal names)
    "self-signed": ({"san": LOOPBACK}, ("self-signed", "self signed")),
    "wrong-host": ({"san": "wrong-host.ler-conformance.example", "with_ca": True}, ("mismatch", "match")),
    "expired": ({"san": LOOPBACK, "expired": True, "with_ca": True}, ("expired",)),
}


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Certificate]:
    folder = tmp_path_factory.mktemp("tls")
    made = {name: _make(folder, name, **options) for name, (options, _) in CASES.items()}
    made["valid"] = _make(folder, "valid", san=LOOPBACK, with_ca=True)
    return made


def _judge(env: Environment, endpoint: str, policy: FetchPolicy) -> dict[str, set[Outcome]]:
    service = ServiceConfig(role="issuer", endpoint=endpoint, implementation="tls test")
    found: dict[str, set[Outcome]] = {}
    with GuardedClient(policy) as client:
        for result in Runner(env, env.profile("default")).run([ServiceTarget((service,), client, "tls test")]):
            for finding in result.findings:
                if finding.requirement.startswith("VCALM-") and finding.subject in ("", result.subject):
                    found.setdefault(finding.requirement, set()).add(finding.outcome)
                    if finding.outcome is Outcome.ERROR:
                        found.setdefault("messages", set()).add(finding.message)  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_the_client_refuses_an_invalid_certificate(case: str, env: Environment,
                                                   certificates: dict[str, Certificate]) -> None:
    certificate = certificates[case]
    words = CASES[case][1]
    with _serve_https(env, certificate) as base:
        # verification stays on by default; trusting the certificate's own anchor changes nothing for a wrong
        # host or an expired certificate
        policies = [POLICY] if case == "self-signed" else [POLICY, FetchPolicy(allow_private=True, timeout_s=5.0,
                                                                                ca_file=str(certificate.anchor))]
        for policy in policies:
            with GuardedClient(policy) as client, pytest.raises(FetchError) as caught:
                client.post_json(f"{base}/credentials/verify", {"verifiableCredential": {}})
            error = caught.value
            assert error.reason is FetchReason.TLS, error
            assert "TLS certificate is not valid" in str(error)
        if case != "self-signed":
            assert any(word in str(error) for word in words), str(error)


def test_a_self_signed_certificate_is_named(env: Environment, certificates: dict[str, Certificate]) -> None:
    with _serve_https(env, certificates["self-signed"]) as base, GuardedClient(POLICY) as client, \
            pytest.raises(FetchError) as caught:
        client.get(f"{base}/credentials/verify")
    assert any(word in str(caught.value) for word in CASES["self-signed"][1]), str(caught.value)


@pytest.mark.parametrize("case", list(CASES))
def test_a_live_module_against_invalid_tls_gives_errors(case: str, env: Environment,
                                                        certificates: dict[str, Certificate]) -> None:
    with _serve_https(env, certificates[case]) as base:
        found = _judge(env, base, POLICY)
    messages = found.pop("messages", set())
    assert found, "expected VCALM findings, found none"
    undecided = {Outcome.ERROR, Outcome.INAPPLICABLE, Outcome.CANT_TELL}
    assert all(outcomes <= undecided for outcomes in found.values()), found
    assert any(Outcome.ERROR in outcomes for outcomes in found.values())
    assert any("TLS certificate is not valid" in str(message) for message in messages), messages


def test_a_trusted_valid_certificate_passes(env: Environment, certificates: dict[str, Certificate]) -> None:
    """Positive control: the same server, with a valid certificate whose CA the client is given, is judged."""
    valid = certificates["valid"]
    with _serve_https(env, valid) as base:
        with GuardedClient(POLICY) as client, pytest.raises(FetchError) as caught:   # the CA is not trusted yet
            client.get(f"{base}/credentials/verify")
        assert caught.value.reason is FetchReason.TLS
        found = _judge(env, base, FetchPolicy(allow_private=True, timeout_s=5.0, ca_file=str(valid.anchor)))
    found.pop("messages", None)
    assert found["VCALM-issue-created"] == {Outcome.PASSED}
    assert not any(Outcome.ERROR in outcomes or Outcome.FAILED in outcomes for outcomes in found.values()), found


def test_check_takes_a_ca_file_for_a_private_pki(env: Environment, certificates: dict[str, Certificate],
                                                 tmp_path: Path) -> None:
    """`ler-conformance check --ca-file`: without it the service is an error (exit 2), with it the run is judged."""
    from click.testing import CliRunner

    from conformance.cli import main
    from tests.conftest import artifacts_dir

    valid = certificates["valid"]
    with _serve_https(env, valid) as base:
        targets = tmp_path / "targets.toml"
        targets.write_text(f'[implementation]\nname = "tls"\n\n[[service]]\nrole = "verifier"\nendpoint = "{base}"\n',
                           encoding="utf-8")
        common = ["check", "--artifacts", str(artifacts_dir()), "--allow-private"]
        refused = CliRunner().invoke(main, [*common, str(targets)])
        trusted = CliRunner().invoke(main, [*common, "--ca-file", str(valid.anchor), str(targets)])
        unusable = CliRunner().invoke(main, [*common, "--ca-file", str(valid.key), str(targets)])
    assert refused.exit_code == 3 and "TLS certificate is not valid" in refused.output, refused.output
    assert trusted.exit_code == 0, trusted.output
    assert unusable.exit_code == 2 and "cannot be loaded" in unusable.output and "Traceback" not in unusable.output
