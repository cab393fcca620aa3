"""The document templates the suite writes from (shapes/templates/): the credential every issuing part starts from,
and the service description an OB/CLR host serves."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file
from conformance.support.templates import document_from_template, load_template

USES = sorted(load_template("ob30-credential")["uses"])
# what the code that issues it fills at run time; a use may set them itself
FILLED_AT_RUN_TIME = {"id": "urn:uuid:00000000-0000-4000-8000-000000000001", "issuer": "did:example:issuer",
                      "credentialSubject": "did:example:learner"}


TEMPLATES = sorted((shapes_dir() / "templates").glob("*.json"))


def test_the_templates_are_found() -> None:
    assert [p.name for p in TEMPLATES] == ["ob-api-discovery.json", "ob30-credential.json"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_a_template_matches_its_schema(path: Path) -> None:
    validate_data_file("document-template", json.loads(path.read_text(encoding="utf-8")), path)


def test_the_service_description_fills_the_callers_values_text_and_whole() -> None:
    scopes = {"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly": "read"}
    document = document_from_template("ob-api-discovery", base="https://host.example/ims/ob/v3p0",
                                      title="Open Badges 3.0", version="3.0", scopes=scopes)
    base = "https://host.example/ims/ob/v3p0"
    assert document == {
        "openapi": "3.0.1",
        "info": {"title": "ler-conformance reference Open Badges 3.0 host", "version": "3.0",
                 "termsOfService": "https://host.ler-conformance.example/terms",
                 "x-imssf-privacyPolicyUrl": "https://host.ler-conformance.example/privacy"},
        "servers": [{"url": base}],
        "paths": {"/credentials": {}, "/profile": {}, "/discovery": {}},
        "components": {"securitySchemes": {"OAuth2ACG": {
            "type": "oauth2", "description": "OAuth 2.0 authorization code grant with PKCE",
            "x-imssf-registrationUrl": f"{base}/oauth/register",
            "flows": {"authorizationCode": {"authorizationUrl": f"{base}/oauth/authorize",
                                            "tokenUrl": f"{base}/oauth/token",
                                            "refreshUrl": f"{base}/oauth/token", "scopes": scopes}}}}},
    }
    scopes["changed"] = "later"          # the document holds its own copy of a whole value
    assert "changed" not in document["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"][
        "scopes"]


def test_a_value_the_template_needs_and_the_caller_omits_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="scopes"):
        document_from_template("ob-api-discovery", base="https://host.example", title="CLR 2.0", version="2.0")


def test_every_user_of_the_template_has_its_use() -> None:
    assert USES == ["live-issuance", "reference-host", "reference-oid4vci", "wallet-issuance"]


def test_each_call_is_a_fresh_copy() -> None:
    first = document_from_template("ob30-credential", "live-issuance")
    first["credentialSubject"]["achievement"]["name"] = "changed"
    assert document_from_template("ob30-credential", "live-issuance")["credentialSubject"]["achievement"][
        "name"] == "Live Check"


def test_an_unknown_use_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no-such-use"):
        document_from_template("ob30-credential", "no-such-use")


@pytest.mark.parametrize("use", USES)
def test_every_use_is_a_conformant_open_badge_once_its_ids_are_filled(env: Environment, use: str) -> None:
    """A template OB 3.0 fails would make the suite's own flows blame vendors for it. Unsigned here: signing is the
    issuing code's, and proofs have their own vectors."""
    document = document_from_template("ob30-credential", use)
    document["id"] = document["id"] or FILLED_AT_RUN_TIME["id"]
    document["name"] = document["name"] or "a badge name the caller sets"
    document["issuer"]["id"] = FILLED_AT_RUN_TIME["issuer"]
    document["credentialSubject"]["id"] = document["credentialSubject"]["id"] or FILLED_AT_RUN_TIME[
        "credentialSubject"]
    (result,) = Runner(env, env.profile("default")).run([BytesTarget(use, json.dumps(document).encode(), "t.json")])
    failed = sorted((f.requirement, f.location) for f in result.findings if f.outcome is Outcome.FAILED)
    assert failed == [("OB30-proof-present", "/proof"), ("VCDM20-secured", "/proof")]
