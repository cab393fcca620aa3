"""Vendor attestation files: read, validated against their schema and the CBEN catalog, refused clearly."""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.run.attestations import (
    Answer,
    AttestationError,
    attestation_items,
    load_vendor_attestation,
)
from conformance.run.environment import Environment
from conformance.support.schemas import validate_data_file
from tests.reporting.conftest import VENDOR_FILE

HEAD = '[vendor]\nname = "V"\nproduct = "P"\nversion = "1"\ndate = 2026-01-02\n'


def _load(tmp_path: Path, text: str | bytes, env: Environment):
    path = tmp_path / "vendor.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_vendor_attestation(path, env.catalog, validate_data_file)


def test_the_example_file_loads(env: Environment) -> None:
    attestation = load_vendor_attestation(VENDOR_FILE, env.catalog, validate_data_file)
    assert attestation.vendor == "Example Learning Records Inc."
    assert attestation.date == "2026-11-01"
    assert [a.item for a in attestation.answers] == ["CBEN-versions-declared", "CBEN-retention-policy",
                                                     "CBEN-accessibility-report", "CBEN-exit-plan"]
    assert attestation.answer_for("CBEN-accessibility-report").answer is Answer.PARTLY
    assert attestation.answer_for("CBEN-exit-plan").evidence == ()


def test_every_attestation_item_is_manual_and_tagged(env: Environment) -> None:
    items = attestation_items(env.catalog)
    assert len(items) == 19
    for item in items:
        requirement = env.catalog[item]
        assert not requirement.automated and requirement.principles and "attestation" in requirement.tags
    # every principle has something a vendor can attest to
    assert {str(p) for item in items for p in env.catalog[item].principles} == {
        "open-standards", "privacy-security", "learning-anywhere", "universal-access", "alignment",
        "public-private-partnership", "global-mobility"}


@pytest.mark.parametrize(("text", "message"), [
    (b"\xff\xfe not utf-8", "not a readable TOML file"),
    ("[vendor\nname=", "not a readable TOML file"),
    (HEAD, "'answer' is a required property"),
    (HEAD + '[[answer]]\nitem = "CBEN-exit-plan"\nanswer = "maybe"\nstatement = "s"\n', "is not one of"),
    (HEAD + '[[answer]]\nitem = "CBEN-exit-plan"\nanswer = "yes"\nstatement = "s"\nevidence = ["ftp://x/y"]\n',
     "does not match"),
    (HEAD + '[[answer]]\nitem = "CBEN-no-such-item"\nanswer = "yes"\nstatement = "s"\n',
     "CBEN-no-such-item, which is not an attestation item"),
    (HEAD + '[[answer]]\nitem = "CBEN-exit-plan"\nanswer = "yes"\nstatement = "s"\n'
            '[[answer]]\nitem = "CBEN-exit-plan"\nanswer = "no"\nstatement = "t"\n', "a second time"),
    (HEAD.replace("2026-01-02", '"soon"') + '[[answer]]\nitem = "CBEN-exit-plan"\nanswer = "yes"\nstatement = "s"\n',
     "does not match"),
    (HEAD + "x" * (1024 * 1024), "at most"),
])
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, env: Environment, text: str | bytes,
                                               message: str) -> None:
    with pytest.raises(AttestationError, match=None) as raised:
        _load(tmp_path, text, env)
    assert message in str(raised.value)
    assert "vendor.toml" in str(raised.value)


def test_a_tested_requirement_cannot_be_attested(tmp_path: Path, env: Environment) -> None:
    # the item pattern admits only CBEN-*, so a tested requirement is refused before the catalog is consulted
    with pytest.raises(AttestationError, match="does not match"):
        _load(tmp_path, HEAD + '[[answer]]\nitem = "VCDM20-issuer-present"\nanswer = "yes"\nstatement = "s"\n', env)
