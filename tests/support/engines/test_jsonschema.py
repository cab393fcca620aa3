"""The fast schema engine (jsonschema-rs) agrees with python-jsonschema on every vector document."""
from __future__ import annotations

import json

import jsonschema
import pytest

from conformance.run.environment import Environment
from conformance.run.vectors import load_vectors
from conformance.support.formats import PayloadError, decode

SCHEMAS = [
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json",
]


def _documents() -> list[tuple[str, dict]]:
    out = []
    for vector in load_vectors():
        try:
            out.append((vector.id, dict(decode(vector.materialize()).document)))
        except PayloadError:
            continue
    return out


@pytest.mark.parametrize("url", SCHEMAS, ids=lambda u: u.rsplit("/", 1)[-1])
def test_both_validators_give_the_same_verdict_on_every_vector(env: Environment, url: str) -> None:
    schema = json.loads(env.store.get(url) or b"{}")
    reference = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    documents = _documents()
    assert len(documents) > 20
    disagreements = []
    for vector_id, document in documents:
        fast = not env.schemas.validate(url, document).violations
        slow = reference.is_valid(document)
        if fast != slow:
            disagreements.append(f"{vector_id}: jsonschema-rs says {fast}, python-jsonschema says {slow}")
    assert not disagreements, "\n".join(disagreements)


def test_a_violation_is_reported_at_its_instance_pointer(env: Environment) -> None:
    from tests.documents import minimal_badge

    document = minimal_badge()
    del document["credentialSubject"]["achievement"]["criteria"]
    report = env.schemas.validate(SCHEMAS[0], document)
    assert any(v.pointer == "/credentialSubject/achievement" and "criteria" in v.message for v in report.violations)


def test_an_unpinned_schema_is_unavailable_not_valid(env: Environment) -> None:
    report = env.schemas.validate("https://example.org/schema.json", {})
    assert report.unavailable and "not pinned" in report.unavailable and not report.violations
