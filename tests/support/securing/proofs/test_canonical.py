"""RDFC-1.0 canonicalization: same bytes as pyld's unbounded algorithm, a bound on poison graphs, safe mode."""
from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from pyld import jsonld

from conformance.support.engines.jsonld import ContextLoader
from conformance.support.securing.proofs import (
    CanonicalizationError,
    CanonicalizationTimeout,
    Canonicalizer,
    ContextNotAvailable,
    UndefinedTermError,
)
from tests.support.securing.proofs.support import kat_json

P = "http://example.org/p"


def clique(size: int) -> dict[str, Any]:
    """Every blank node points at every other with one predicate: all look alike to first-degree hashing."""
    return {"@graph": [{"@id": f"_:n{i}", P: [{"@id": f"_:n{j}"} for j in range(size) if j != i]}
                       for i in range(size)]}


def _unbounded(loader: ContextLoader, document: dict[str, Any]) -> str:
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": loader, "contextResolver": loader.resolver(),
                                       "base": None})


@pytest.mark.parametrize("name", ["w3c-eddsa-rdfc-2022/signedDataInt.json", "ob30-impl-guide/signed.json",
                                  "w3c-proof-chain/signedProofChain2.json"])
def test_output_is_byte_identical_to_pyld_urdna2015(canonicalizer: Canonicalizer, loader: ContextLoader,
                                                    name: str) -> None:
    document = kat_json(name)
    ours = canonicalizer.canonicalize(document)
    assert ours == _unbounded(loader, document)
    assert ours.count("\n") > 5


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_small_cliques_still_canonicalize_exactly(canonicalizer: Canonicalizer, loader: ContextLoader,
                                                  size: int) -> None:
    ours = canonicalizer.canonicalize(clique(size))
    assert ours == _unbounded(loader, clique(size))
    assert ours.count("\n") == size * (size - 1)
    assert "_:c14n0 " in ours


@pytest.mark.parametrize("size", [10, 14, 30])
def test_poison_clique_ends_with_typed_error_under_a_work_limit(loader: ContextLoader, size: int) -> None:
    bounded = Canonicalizer(loader, max_work=2_000, timeout=60)
    with pytest.raises(CanonicalizationTimeout) as caught:
        bounded.canonicalize(clique(size))
    assert caught.value.reason == "canonicalization-timeout"
    assert caught.value.indeterminate
    assert "2000 blank-node permutations" in caught.value.message


def test_poison_clique_ends_with_typed_error_under_the_time_limit(loader: ContextLoader) -> None:
    # unbounded pyld needs hours here; the deadline must stop it (pytest-timeout guards a regression)
    with pytest.raises(CanonicalizationTimeout) as caught:
        Canonicalizer(loader, timeout=0.3).canonicalize(clique(12))
    assert "did not finish within 0.3 s" in caught.value.message


def test_a_bound_canonicalizer_is_reusable_after_a_timeout(loader: ContextLoader) -> None:
    bounded = Canonicalizer(loader, max_work=500)
    with pytest.raises(CanonicalizationTimeout):
        bounded.canonicalize(clique(10))
    assert bounded.canonicalize(clique(3)).count("\n") == 6


def test_undefined_term_is_reported_with_its_location(canonicalizer: Canonicalizer) -> None:
    document = kat_json("ob30-impl-guide/signed.json")
    document["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(UndefinedTermError) as caught:
        canonicalizer.canonicalize(document)
    assert caught.value.reason == "undefined-term"
    assert [(p.pointer, p.term) for p in caught.value.problems] == [("/credentialSubject", "favouriteColour")]
    assert "favouriteColour" in caught.value.message and "/credentialSubject" in caught.value.message


def test_unpinned_context_is_indeterminate(canonicalizer: Canonicalizer) -> None:
    document = kat_json("w3c-eddsa-rdfc-2022/signedDataInt.json")
    document["@context"].append("https://unpinned.example/context.jsonld")
    with pytest.raises(ContextNotAvailable) as caught:
        canonicalizer.canonicalize(document)
    assert caught.value.indeterminate and caught.value.reason == "context-unavailable"
    assert caught.value.url == "https://unpinned.example/context.jsonld"


HOSTILE: list[tuple[str, Any]] = [
    ("not-an-object", ["a", "list"]),
    ("string", "text"),
    ("relative-context", {"@context": "relative.jsonld", "name": "x"}),
    ("numeric-context", {"@context": 5, "name": "x"}),
    ("null-in-context-list", {"@context": [None, 7], P: "x"}),
    ("bad-id", {"@id": 5, P: "x"}),
    ("bad-type", {"@type": {"x": 1}, P: "x"}),
    ("protected-redefinition", {"@context": ["https://www.w3.org/ns/credentials/v2", {"type": "http://x/t"}],
                                "type": "VerifiableCredential"}),
    ("bad-value-object", {P: {"@value": {"nested": 1}}}),
    ("self-import", {"@context": {"@import": "https://www.w3.org/ns/credentials/v2"}, P: "x"}),
    ("deep", {P: reduce(lambda inner, _: {P: inner}, range(3000), "leaf")}),
    ("deep-under-limit", {P: reduce(lambda inner, _: {P: inner}, range(125), "leaf")}),
    ("deep-lists", {P: reduce(lambda inner, _: [inner], range(125), "leaf")}),
]


@pytest.mark.parametrize(("name", "document"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_documents_raise_only_typed_errors(canonicalizer: Canonicalizer, name: str, document: Any) -> None:
    try:
        result = canonicalizer.canonicalize(document)
    except CanonicalizationError as exc:
        assert exc.message
    else:
        assert isinstance(result, str)


def test_timeout_must_be_positive(loader: ContextLoader) -> None:
    with pytest.raises(ValueError, match="positive"):
        Canonicalizer(loader, timeout=0)
