"""What a JSON text says beyond its decoded value: repeated member names (CORE-json-unique-keys), integers wider than
64 bits (judged, never a suite defect), and remote contexts held to the documents' limits."""
from __future__ import annotations

import json
import time

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.files import BytesTarget
from conformance.support.artifacts.store import ArtifactStore
from conformance.support.engines.jsonld import (
    MAX_CONTEXT_BYTES,
    ContextLoader,
    ContextUnavailable,
    SafeModeExpander,
)
from conformance.support.formats import decode, parse_json
from conformance.support.formats.json_text import duplicate_keys
from tests.documents import minimal_badge


def _duplicates(text: bytes) -> list[list[str]]:
    return duplicate_keys(text, parse_json(text))


@pytest.mark.parametrize(("text", "paths"), [
    (b'{"a": 1, "b": 2}', []),
    (b'{"a": 1, "a": 2}', [["a"]]),
    (b'{"a" : 1, "a"\n: 2}', [["a"]]),                                  # colons spaced apart from the names
    (b'{"l": [{"x": 1}, {"x": 1, "y": {"z": 1, "z": 1}}]}', [["l", "1", "y", "z"]]),
    (b'{"a": "\\":\\":", "b": 1}', []),                                 # name-like text inside a string
    (b'{"a/b~": 1, "a/b~": 2, "c": 3}', [["a/b~"]]),
    (b'\xef\xbb\xbf{"a": 1, "a": 1}', [["a"]]),
    (b'[{"a": 1}, {"a": 2}]', []),                                      # the same name in two objects
    (b'{"n": 123456789012345678901234567890, "n": 1}', [["n"]]),
    (b'{"a" : 1, "a":2}', [["a"]]),                                     # a spaced name cannot hide a repeat
    (b'{"a": "\\u0022:", "a": 1}', [["a"]]),                             # nor an escaped quote
    (b'{"a": "\\":", "b": {"c": 1, "c": 2}}', [["b", "c"]]),
])
def test_repeated_names_are_found_with_their_path(text: bytes, paths: list[list[str]]) -> None:
    assert _duplicates(text) == paths


def test_the_payload_records_json_pointers() -> None:
    payload = decode(b'{"credentialSubject": {"id": "a"}, "x": {"a/b": 1, "a/b": 2}, "credentialSubject": {}}')
    assert payload.duplicate_keys == ("/credentialSubject", "/x/a~1b")


@pytest.fixture(scope="module")
def runner(env: Environment) -> Runner:
    return Runner(env, env.profile("default"))


def _judge(runner: Runner, data: bytes) -> SubjectResult:
    (result,) = list(runner.run([BytesTarget("input", data, "input.json")]))
    return result


def test_two_issuers_fail_at_the_second(runner: Runner) -> None:
    text = json.dumps(minimal_badge())
    text = text.replace('"issuer":', '"issuer": {"id": "did:example:other", "type": ["Profile"]}, "issuer":', 1)
    result = _judge(runner, text.encode())
    found = [f for f in result.findings if f.requirement == "CORE-json-unique-keys"]
    assert [(f.outcome, f.location) for f in found] == [(Outcome.FAILED, "/issuer")]


def test_a_document_without_repeated_names_passes_the_rule(runner: Runner) -> None:
    result = _judge(runner, json.dumps(minimal_badge()).encode())
    found = [f for f in result.findings if f.requirement == "CORE-json-unique-keys"]
    assert [f.outcome for f in found] == [Outcome.PASSED]


@pytest.mark.parametrize("place", ["@context", "id", "credentialSubject.id", "@context.append"])
def test_integers_wider_than_64_bits_are_judged(runner: Runner, place: str) -> None:
    document = minimal_badge()
    big = 10**25
    if place == "@context.append":
        document["@context"].append(big)
    elif place == "credentialSubject.id":
        document["credentialSubject"]["id"] = big
    else:
        document[place] = big
    result = _judge(runner, json.dumps(document).encode())
    assert result.findings
    assert not [f for f in result.findings if f.outcome is Outcome.ERROR and "defect in the suite" in f.message]
    assert any(f.outcome is Outcome.FAILED for f in result.findings)


def _scoped_context(depth: int) -> bytes:
    context: dict[str, object] = {"@vocab": "https://example.org/"}
    for level in range(depth):
        context = {f"t{level}": {"@id": f"https://example.org/t{level}", "@context": context}}
    return json.dumps({"@context": context}).encode()


def _loader(body: bytes, tmp_path_factory: pytest.TempPathFactory) -> ContextLoader:
    folder = tmp_path_factory.mktemp("artifacts")
    store = ArtifactStore({}, (folder,), cache_dir=folder)        # nothing pinned: every context is fetched
    return ContextLoader(store, online=True, fetch=lambda url: body)


def test_a_deeply_scoped_remote_context_is_refused_quickly(tmp_path_factory: pytest.TempPathFactory) -> None:
    loader = _loader(_scoped_context(330), tmp_path_factory)
    start = time.perf_counter()
    report = SafeModeExpander(loader).analyze({"@context": "https://contexts.example/deep", "t329": {"a": 1}})
    assert time.perf_counter() - start < 5
    assert report.unavailable is not None and "nests too deeply" in report.unavailable.describe()


def test_an_over_large_remote_context_is_too_large_not_broken(tmp_path_factory: pytest.TempPathFactory) -> None:
    # the fetch hands back one byte past the limit when the body is larger: the start of valid JSON, cut off
    body = (b'{"@context": {"@vocab": "https://example.org/", "x": "' + b"y" * MAX_CONTEXT_BYTES)[:MAX_CONTEXT_BYTES + 1]
    loader = _loader(body, tmp_path_factory)
    with pytest.raises(ContextUnavailable) as caught:
        loader.document("https://contexts.example/big")
    assert "too large" in caught.value.describe() and "not JSON" not in caught.value.describe()
