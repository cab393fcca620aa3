"""Fuzzing every standard's valid vectors: hostile values, deleted and renamed keys, duplicated keys and list items.

Each example takes an approved vector that conforms (or stays cantTell), materializes it, mutates its JSON (for a
JWT, the payload or the header; the signature is kept, so it no longer verifies) and runs it under the vector's
profile and verification options, as the vector self-tests do. Whatever the mutation, the run ends with a result:
no exception escapes the runner, no finding owns up to "a defect in the suite", and the verdict is one of the four.
Bounded (a fixed number of examples per vector, a deterministic seed) so it runs in `make test`; the time each run
may take is bounded by the suite's own limits (input size, nesting, the canonicalization budget) and pytest-timeout,
never by a wall-clock assertion here."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.core.findings import Verdict
from conformance.run.environment import Environment
from conformance.run.evaluation import vector_options
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.run.vectors import Vector, load_vectors

# One or two rich, valid vectors per standard prefix (every prefix with a conforming vector is covered: a test below
# fails when a new standard arrives without one here). JWT vectors are fuzzed through their header and payload.
FUZZED = {
    "VCDM20": ("vcdm20-full-ok", "vcdm20-presentation-ok"),
    "VCDM11": ("vcdm11-full-ok", "vcdm11-jwt-presentation-ok"),
    "OB30": ("ob30-full-endorsed-ok", "ob30-jwt-full-ok"),
    "CLR20": ("clr20-full-ok", "clr20-endorsed-ok"),
    "DI10": ("di10-proof-chain-ok", "di10-presentation-ok"),
    "VCJOSE10": ("vcjose10-credential-claims-ok", "vcjose10-presentation-ok"),
    "BSL10": ("bsl-two-entries-ok", "bsl-message-ok"),
    "SL2021": ("sl2021-revocation-ok", "sl2021-suspension-ok"),
    "CTDL": ("ctdl-graph-certificate", "ctdl-envelope-organization"),
    "CTDLLER": ("ctdl-ler-linked-ok",),
    "CTDLMIN22": ("ctdlmin22-valid-publications",),
    "CTDLMIN26": ("ctdlmin26-valid-pathway",),
    "CTDLPATH": ("ctdl-pathway-constraint-valid",),
    "CTDLREF": ("ctdl-ref-pathway-resolves",),
    "TRUST10": ("trust10-listed-ok",),
    "CORE": ("core-json-credential-ok", "core-enveloped-data-url-ok"),
}
EXAMPLES_PER_VECTOR = 20
FUZZ = settings(max_examples=EXAMPLES_PER_VECTOR, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

VECTORS = {v.id: v for v in load_vectors()}
CHOSEN = [VECTORS[vid] for ids in FUZZED.values() for vid in ids if vid in VECTORS]


def _nested(depth: int, leaf: Any, *, as_object: bool) -> Any:
    for _ in range(depth):
        leaf = {"a": leaf} if as_object else [leaf]
    return leaf


HOSTILE = [
    10**30, -(10**30), 2**64, 10**300, 1e308, -0.0,
    _nested(200, 1, as_object=False), _nested(200, {}, as_object=True),      # past the nesting limit of 64
    _nested(40, "x", as_object=False), _nested(40, "x", as_object=True),      # within it: the checks see it
    "x" * 100_000, "https://example.org/" + "a" * 100_000,
    {}, [], [{}], [[]], None, True, False, 0, -1, 1.5, "", " ", "x",
    "\ud800", "\udfff\ud800", "a\u0000b", "\ufeff", "\u202e", "😀",
    "urn:uuid:", "did:", "did:example:", "https://", "data:,", "data:application/vc+jwt,", "#", "_:b0", "@id",
    "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-13-45T99:99:99Z", "eyJhbGciOiJub25lIn0.e30.",
    ["VerifiableCredential"], {"@id": 10**25}, {"@value": 10**30}, {"@context": 10**25}, {"@list": [None]},
    {"id": None, "type": 10**30},
]
RENAMES = ["", "@id", "@type", "@context", "@graph", "id", "type", "proof", "x", "ex:x", "credentialSubject"]


class DuplicateKeys(dict):
    """A JSON object written with some of its keys twice (`extra` after the rest), as a hand-edited file can have."""

    extra: list[tuple[str, Any]]


def dump(value: Any) -> str:
    """JSON text, escaping non-ASCII (a lone surrogate becomes \\ud800) and writing DuplicateKeys' extra members."""
    if isinstance(value, dict):
        members = list(value.items()) + list(getattr(value, "extra", ()))
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def _containers(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every object and array with its path, outermost first."""
    if isinstance(value, (dict, list)):
        yield path, value
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from _containers(child, (*path, key))


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        containers = [c for c in _containers(document) if c[1]]
        if not containers:
            break
        _, node = draw(st.sampled_from(containers))
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        operation = draw(st.sampled_from(["hostile", "hostile", "hostile", "delete", "rename", "duplicate"]))
        if operation == "hostile":
            node[key] = json.loads(json.dumps(draw(st.sampled_from(HOSTILE))))
        elif operation == "delete":
            del node[key]
        elif operation == "rename" and isinstance(node, dict):
            node[draw(st.sampled_from([*RENAMES, key.upper(), key + " ", "@" + key]))] = node.pop(key)
        elif isinstance(node, list):      # "duplicate" (or "rename", which a list has no key for): a list item twice
            node.insert(key, json.loads(json.dumps(node[key])))
        else:       # the same key again, with the value it has or a hostile one
            parent_path, _ = next(c for c in _containers(document) if c[1] is node)
            twin = DuplicateKeys(node)
            twin.extra = [(key, draw(st.sampled_from([node[key], *HOSTILE[:8], None, "x"])))]
            if parent_path:
                parent = document
                for step in parent_path[:-1]:
                    parent = parent[step]
                parent[parent_path[-1]] = twin
            else:
                document = twin
    return document


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


_MATERIALIZED: dict[str, bytes] = {}


def _materialized(env: Environment, vector: Vector) -> bytes:
    if vector.id not in _MATERIALIZED:
        _MATERIALIZED[vector.id] = vector.materialize(env.verifier.canonicalizer)
    return _MATERIALIZED[vector.id]


_RUNNERS: dict[tuple[str, Any], Runner] = {}


def _runner(env: Environment, vector: Vector) -> Runner:
    options = vector_options(vector)
    key = (vector.profile, options)
    if key not in _RUNNERS:
        run_env = env if options is None else env.with_options(options)
        _RUNNERS[key] = Runner(run_env, run_env.profile(vector.profile))
    return _RUNNERS[key]


def _assert_judged(env: Environment, vector: Vector, data: bytes) -> None:
    (result,) = list(_runner(env, vector).run([BytesTarget(id=vector.id, data=data, name=vector.filename)]))
    defects = [f"{f.requirement} at {f.location or '/'}: {f.message}" for f in result.findings
               if "a defect in the suite" in f.message]
    assert not defects, "\n".join(defects)
    assert result.verdict in set(Verdict)


def test_every_standard_with_a_conforming_vector_is_fuzzed() -> None:
    for ids in FUZZED.values():
        for vid in ids:
            assert vid in VECTORS, f"{vid} is no longer a vector: pick another of its standard"
            vector = VECTORS[vid]
            assert vector.status == "approved" and vector.conforms, f"{vid} is no longer an approved valid vector"
            assert vector.filename.rsplit(".", 1)[-1] in ("json", "jwt"), vid
    standards = {v.standard for v in VECTORS.values() if v.status == "approved" and v.conforms}
    assert standards <= FUZZED.keys(), f"no vector fuzzed for {sorted(standards - FUZZED.keys())}"
    assert {VECTORS[vid].standard for ids in FUZZED.values() for vid in ids} == FUZZED.keys()


@pytest.mark.timeout(120)     # a hang guard for the whole item, not a timing assertion
@pytest.mark.filterwarnings("ignore:terms beginning with:SyntaxWarning")    # pyld on a key renamed to "@..."
@pytest.mark.parametrize("vector", CHOSEN, ids=[v.id for v in CHOSEN])
@FUZZ
@given(data=st.data())
def test_mutated_valid_vectors_are_judged(env: Environment, vector: Vector, data: st.DataObject) -> None:
    raw = _materialized(env, vector)
    if vector.filename.endswith(".jwt"):
        header, payload, signature = raw.decode().strip().split(".")
        if data.draw(st.booleans(), label="mutate the header"):
            header = _b64(dump(data.draw(mutated(_unb64(header)))).encode())
        else:
            payload = _b64(dump(data.draw(mutated(_unb64(payload)))).encode())
        mutant = f"{header}.{payload}.{signature}".encode()
    else:
        mutant = dump(data.draw(mutated(json.loads(raw)))).encode()
    _assert_judged(env, vector, mutant)
