"""The credential template every issuing part of the suite starts from (shapes/templates/ob30-credential.json)."""
from __future__ import annotations

import json

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file
from conformance.support.templates import credential_from_template, load_template

USES = sorted(load_template("ob30-credential")["uses"])
# what the code that issues it fills at run time; a use may set them itself
FILLED_AT_RUN_TIME = {"id": "urn:uuid:00000000-0000-4000-8000-000000000001", "issuer": "did:example:issuer",
                      "credentialSubject": "did:example:learner"}


def test_the_template_matches_its_schema() -> None:
    path = shapes_dir() / "templates" / "ob30-credential.json"
    validate_data_file("credential-template", json.loads(path.read_text(encoding="utf-8")), path)


def test_every_user_of_the_template_has_its_use() -> None:
    assert USES == ["live-issuance", "reference-host", "reference-oid4vci", "wallet-issuance"]


def test_each_call_is_a_fresh_copy() -> None:
    first = credential_from_template("ob30-credential", "live-issuance")
    first["credentialSubject"]["achievement"]["name"] = "changed"
    assert credential_from_template("ob30-credential", "live-issuance")["credentialSubject"]["achievement"][
        "name"] == "Live Check"


def test_an_unknown_use_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no-such-use"):
        credential_from_template("ob30-credential", "no-such-use")


@pytest.mark.parametrize("use", USES)
def test_every_use_is_a_conformant_open_badge_once_its_ids_are_filled(env: Environment, use: str) -> None:
    """A template OB 3.0 fails would make the suite's own flows blame vendors for it. Unsigned here: signing is the
    issuing code's, and proofs have their own vectors."""
    document = credential_from_template("ob30-credential", use)
    document["id"] = document["id"] or FILLED_AT_RUN_TIME["id"]
    document["name"] = document["name"] or "a badge name the caller sets"
    document["issuer"]["id"] = FILLED_AT_RUN_TIME["issuer"]
    document["credentialSubject"]["id"] = document["credentialSubject"]["id"] or FILLED_AT_RUN_TIME[
        "credentialSubject"]
    (result,) = Runner(env, env.profile("default")).run([BytesTarget(use, json.dumps(document).encode(), "t.json")])
    failed = sorted((f.requirement, f.location) for f in result.findings if f.outcome is Outcome.FAILED)
    assert failed == [("OB30-proof-present", "/proof"), ("VCDM20-secured", "/proof")]
