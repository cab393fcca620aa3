"""A Registry envelope whose decoded_resource is not an object: recognized as an envelope, judged by CTDL at
/decoded_resource, never left unrecognized as "not a verifiable credential"."""
from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.core.findings import Finding, Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import BytesTarget

CTX = "https://credreg.net/ctdl/schema/context/json"
CTID = "ce-5a2d3c9e-1f0b-4c8e-9a7d-3b6e2f1a0c4d"
GRAPH = {"@context": CTX, "@id": f"https://credentialengineregistry.org/graph/{CTID}",
         "@graph": [{"@id": f"https://credentialengineregistry.org/resources/{CTID}",
                     "@type": "ceterms:Certificate", "ceterms:ctid": CTID, "ceterms:name": {"en": "Welding"}}]}
SHAPE = "CTDL-document-shape"


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def envelope(decoded_resource: Any, **metadata: Any) -> dict[str, Any]:
    return {"envelope_community": "ce_registry", "envelope_id": "0b6f4c8e-2d1a-4f3e-9c5b-7a8d6e1f2c3b",
            "envelope_ceterms_ctid": CTID, "envelope_ctdl_type": "ceterms:Certificate",
            "envelope_type": "resource_data", **metadata, "decoded_resource": decoded_resource}


def judge(runner: Runner, document: Any, name: str) -> SubjectResult:
    (result,) = list(runner.run([BytesTarget(name, json.dumps(document).encode(), name)]))
    return result


def only(result: SubjectResult, requirement: str) -> Finding:
    (finding,) = [f for f in result.findings if f.requirement == requirement]
    return finding


def never_unrecognized(result: SubjectResult) -> None:
    assert only(result, "CORE-recognized-document").outcome is Outcome.PASSED
    assert only(result, "CTDL-publication").outcome is Outcome.PASSED
    assert not [f for f in result.findings if "verifiable credential" in f.message], result.findings
    assert not [f for f in result.findings if "a defect in the suite" in f.message]


def test_an_object_decoded_resource_passes_the_envelope_rules(runner: Runner) -> None:
    result = judge(runner, envelope(GRAPH), "object")
    never_unrecognized(result)
    assert only(result, SHAPE).outcome is Outcome.PASSED
    assert only(result, "CTDL-envelope-ctid").outcome is Outcome.PASSED


def test_a_string_holding_the_resource_is_read_as_the_resource(runner: Runner) -> None:
    result = judge(runner, envelope(json.dumps(GRAPH)), "string")
    never_unrecognized(result)
    assert only(result, SHAPE).outcome is Outcome.PASSED
    # the resource inside the string is read: its CTID is checked against the envelope's
    assert only(result, "CTDL-envelope-ctid").outcome is Outcome.PASSED


def test_a_string_decoded_resource_is_an_envelope_without_envelope_metadata(runner: Runner) -> None:
    result = judge(runner, {"decoded_resource": json.dumps(GRAPH)}, "bare-string")
    never_unrecognized(result)
    assert only(result, SHAPE).outcome is Outcome.PASSED


@pytest.mark.parametrize(("decoded_resource", "found"), [
    (7, "/decoded_resource is a number (7); expected a JSON object"),
    ([GRAPH], "/decoded_resource is an array ("),
    (None, "/decoded_resource is null (null); expected a JSON object"),
    ("{not json", "/decoded_resource is a string that is not JSON ("),
    (json.dumps([GRAPH]), "/decoded_resource is a string holding an array as JSON text; expected a JSON object"),
], ids=["number", "list", "null", "string-not-json", "string-holding-a-list"])
def test_other_decoded_resources_fail_at_decoded_resource(runner: Runner, decoded_resource: Any, found: str) -> None:
    result = judge(runner, envelope(decoded_resource), "wrong-type")
    never_unrecognized(result)
    shape = only(result, SHAPE)
    assert shape.outcome is Outcome.FAILED and shape.location == "/decoded_resource", shape
    assert shape.message.startswith(found) and "expected a JSON object" in shape.message, shape.message
    # one cause, one outcome: the other CTDL rules defer to CTDL-document-shape
    envelope_rule = only(result, "CTDL-envelope-ctid")
    assert envelope_rule.outcome is Outcome.INAPPLICABLE and SHAPE in envelope_rule.message
