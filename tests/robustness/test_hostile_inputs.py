"""Hostile inputs end to end: every one gives a clear finding and a result, never a traceback or a hang."""
from __future__ import annotations

import copy
import json
import struct
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.core.findings import Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import BytesTarget
from tests.documents import OB, V2, minimal_badge


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def judge(runner: Runner, data: bytes, name: str = "input") -> SubjectResult:
    (result,) = list(runner.run([BytesTarget(name, data, name)]))
    return result


def problems(result: SubjectResult) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for finding in result.findings:
        if finding.outcome in (Outcome.FAILED, Outcome.ERROR):
            out.setdefault(finding.requirement, set()).add(finding.outcome)
    return out


def no_suite_defects(result: SubjectResult) -> None:
    defects = [f for f in result.findings if "a defect in the suite" in f.message]
    assert not defects, defects


def test_malformed_json(runner: Runner) -> None:
    result = judge(runner, b'{"@context": ["https://www.w3.org/ns/credentials/v2", }')
    assert problems(result) == {"CORE-json-wellformed": {Outcome.FAILED}} and result.verdict is Verdict.FAIL


def test_invalid_utf8(runner: Runner) -> None:
    result = judge(runner, b'{"name": "caf\xe9"}')
    assert problems(result) == {"CORE-utf8": {Outcome.FAILED}}


def test_a_50_mb_document_is_refused_before_parsing(runner: Runner) -> None:
    big = b'{"@context": ["' + V2.encode() + b'"], "name": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    result = judge(runner, big)
    assert problems(result) == {"CORE-input-limits": {Outcome.ERROR}} and result.verdict is Verdict.INCOMPLETE


def test_nesting_depth_10000(runner: Runner) -> None:
    result = judge(runner, b'{"a":' * 10_000 + b"1" + b"}" * 10_000)
    assert problems(result) == {"CORE-input-limits": {Outcome.ERROR}}


def test_a_jwt_with_garbage_segments(runner: Runner) -> None:
    result = judge(runner, b"eyJhbGciOiJFUzI1NiJ9.%%%garbage%%%.AAAA", "cred.jwt")
    assert set(problems(result)) <= {"CORE-jws-compact", "CORE-recognized-format"} and problems(result)
    assert result.verdict is Verdict.FAIL


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_truncated_png_chunk(runner: Runner) -> None:
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    truncated = png + struct.pack(">I", 4000) + b"iTXt" + b"openbadgecredential\x00\x00\x00"
    result = judge(runner, truncated, "badge.png")
    assert problems(result) == {"CORE-png-wellformed": {Outcome.FAILED}}


def test_an_xml_entity_bomb_in_an_svg(runner: Runner) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>')
    result = judge(runner, bomb, "badge.svg")
    # refused before any expansion; the refusal is the suite's limit, so undecided, never the SVG's failure
    assert problems(result) == {}
    (refused,) = [f for f in result.findings if f.requirement == "CORE-svg-wellformed"]
    assert refused.outcome is Outcome.CANT_TELL and refused.limitation and "lol" in refused.message


def test_a_context_bomb_of_repeated_contexts_ends_with_a_finding(runner: Runner) -> None:
    document = minimal_badge()
    document["evidence"] = [{"@context": {"ev": "https://example.org/ev#"}, "type": ["Evidence"], "ev:note": i}
                            for i in range(400)]
    result = judge(runner, json.dumps(document).encode())
    assert result.verdict is Verdict.FAIL
    messages = [f.message for f in result.findings if f.outcome is Outcome.FAILED]
    assert any("@context" in m for m in messages)


def test_an_unpinned_context_that_would_import_itself_is_not_fetched(env: Environment) -> None:
    document = minimal_badge()
    document["@context"] = [V2, OB, "https://evil.example.org/self-importing.json"]
    result = judge(Runner(env, env.profile("data-model")), json.dumps(document).encode())
    errors = [f for f in result.findings if f.outcome is Outcome.ERROR]
    assert errors and all("https://evil.example.org/self-importing.json" in f.message for f in errors)
    assert result.verdict is Verdict.INCOMPLETE


_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["", "x", "urn:uuid:1", "https://example.edu/a", "did:example:1", "2025-01-01",
                                   "2025-01-01T00:00:00Z", "VerifiableCredential", "Achievement", "Profile", "en",
                                   "data:application/vc+jwt,abc", "eyJhbGciOiJub25lIn0.e30.", "ce-1234"]))
_any = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                    max_leaves=8)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_check_crashes_on_any_shape_of_a_badge(runner: Runner, data: st.DataObject) -> None:
    """Replace any part of a valid badge with any JSON value: the result has findings, never a suite defect."""
    document = minimal_badge()
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Welding", "targetUrl": "https://example.org/welding"}]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)[1:]))
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(_any)
    result = judge(runner, json.dumps(copy.deepcopy(document)).encode())
    no_suite_defects(result)
