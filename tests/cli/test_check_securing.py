"""`check` with the securing layer: trust lists, known documents, expected challenge and domain."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conformance.cli import main
from conformance.run.environment import Environment
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from tests.conftest import artifacts_dir
from tests.documents import minimal_badge


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def _signed_badge(env: Environment, tmp_path: Path, key: str = "issuer-ed25519") -> Path:
    document = sign_document(minimal_badge(), [{"key": key}], env.verifier.canonicalizer)
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _outcomes(result: Result, requirement: str) -> set[str]:
    (subject,) = json.loads(result.output)["results"]
    return {f["outcome"] for f in subject["findings"] if f["requirement"] == requirement
            and not f.get("location", "").startswith("/verifiableCredential")}     # the presentation's own


def _trust_list(tmp_path: Path, issuer: str) -> Path:
    path = tmp_path / "trust.toml"
    path.write_text(f'name = "Test list"\n\n[[issuer]]\nid = "{issuer}"\nname = "Example University"\n',
                    encoding="utf-8")
    return path


def test_a_signed_badge_verifies_and_trust_is_out_of_scope_without_a_list(run, env: Environment,
                                                                          tmp_path: Path) -> None:
    result = run("check", str(_signed_badge(env, tmp_path)), "--format", "json", "-v")
    assert result.exit_code == 0, result.output
    assert _outcomes(result, "DI10-signature-verifies") == {"passed"}
    assert _outcomes(result, "OB30-proof-verifies") == {"passed"}
    assert _outcomes(result, "TRUST10-issuer-listed") == set()
    assert {"requirement": "TRUST10-issuer-listed", "needs": ["trust-list"]} in \
        json.loads(result.stdout)["scope"]["out_of_scope"]


def test_a_listed_issuer_passes_and_an_unlisted_one_fails(run, env: Environment, tmp_path: Path) -> None:
    badge = _signed_badge(env, tmp_path)
    listed = run("check", str(badge), "--trust-list", str(_trust_list(tmp_path, suite_key("issuer-ed25519").did)),
                 "--format", "json", "-v")
    assert listed.exit_code == 0, listed.output
    assert _outcomes(listed, "TRUST10-issuer-listed") == {"passed"}
    unlisted = run("check", str(badge), "--trust-list", str(_trust_list(tmp_path, suite_key("other-ed25519").did)),
                   "--format", "json")
    assert unlisted.exit_code == 1
    assert _outcomes(unlisted, "TRUST10-issuer-listed") == {"failed"}


def test_a_broken_trust_list_is_a_usage_error(run, env: Environment, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[issuer]]\nid = "not a url"\n', encoding="utf-8")
    result = run("check", str(_signed_badge(env, tmp_path)), "--trust-list", str(broken))
    assert result.exit_code == 2
    assert "broken.toml" in result.output


def test_documents_index_errors_name_the_file(run, env: Environment, tmp_path: Path) -> None:
    index = tmp_path / "documents.toml"
    index.write_text('[documents]\n"https://example.edu/status/1" = "missing.json"\n', encoding="utf-8")
    result = run("check", str(_signed_badge(env, tmp_path)), "--documents", str(index))
    assert result.exit_code == 2
    assert "missing.json" in result.output


def test_a_did_web_key_is_found_through_known_documents(run, env: Environment, tmp_path: Path) -> None:
    key = suite_key("issuer-ed25519")
    did = "did:web:example.edu"
    document = minimal_badge()
    document["issuer"]["id"] = did
    signed = sign_document(document, [{"key": "issuer-ed25519", "issuer": False, "method": f"{did}#key-1"}],
                           env.verifier.canonicalizer)
    badge = tmp_path / "web.json"
    badge.write_text(json.dumps(signed), encoding="utf-8")
    did_document = {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": did,
                    "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                            "publicKeyMultibase": key.public_multibase}],
                    "assertionMethod": [f"{did}#key-1"]}
    (tmp_path / "did.json").write_text(json.dumps(did_document), encoding="utf-8")
    index = tmp_path / "documents.toml"
    index.write_text('[documents]\n"https://example.edu/.well-known/did.json" = "did.json"\n', encoding="utf-8")

    offline = run("check", str(badge), "--format", "json", "-v")
    assert _outcomes(offline, "DI10-verification-method-resolves") == {"cantTell"}
    known = run("check", str(badge), "--documents", str(index), "--format", "json", "-v")
    assert known.exit_code == 0, known.output
    assert _outcomes(known, "DI10-signature-verifies") == {"passed"}
    assert _outcomes(known, "OB30-proof-verifies") == {"passed"}


def _presentation(env: Environment, tmp_path: Path) -> Path:
    holder = suite_key("holder-ed25519")
    credential = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                    "holder": holder.did, "verifiableCredential": [credential]}
    signed = sign_document(presentation, [{"key": "holder-ed25519", "challenge": "c-123", "domain": "verifier.example"}],
                           env.verifier.canonicalizer)
    path = tmp_path / "vp.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path


def test_expected_challenge_and_domain_are_enforced(run, env: Environment, tmp_path: Path) -> None:
    vp = str(_presentation(env, tmp_path))
    unasked = run("check", vp, "--format", "json", "-v")
    assert unasked.exit_code == 0, unasked.output
    assert _outcomes(unasked, "DI10-presentation-challenge") == {"inapplicable"}
    matching = run("check", vp, "--challenge", "c-123", "--domain", "verifier.example", "--format", "json", "-v")
    assert matching.exit_code == 0, matching.output
    assert _outcomes(matching, "DI10-presentation-challenge") == {"passed"}
    assert _outcomes(matching, "DI10-presentation-domain") == {"passed"}
    replayed = run("check", vp, "--challenge", "c-999", "--format", "json")
    assert replayed.exit_code == 1
    assert _outcomes(replayed, "DI10-presentation-challenge") == {"failed"}
    elsewhere = run("check", vp, "--domain", "other.example", "--format", "json")
    assert _outcomes(elsewhere, "DI10-presentation-domain") == {"failed"}


def test_text_output_keeps_did_key_ids_verbatim(run, env: Environment,
                                                                       tmp_path: Path) -> None:
    badge = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    badge["name"] = "Changed after signing"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(badge), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "DI10-signature-verifies" in result.output
    assert "TRUST10-issuer-listed" not in result.output          # out of scope without a trust list
    verbose = run("check", str(_signed_badge(env, tmp_path)), "-v")
    assert f"verifies with {suite_key('issuer-ed25519').vm_id}" in verbose.output   # no ":key:" emoji substitution
