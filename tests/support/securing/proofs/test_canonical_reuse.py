"""What the canonicalizer reuses between documents (processed contexts, proof-configuration results) never changes
a byte: every result equals plain pyld's on the same input, whatever was canonicalized before."""
from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import Any

import pytest
from pyld import jsonld

from conformance.support.engines.jsonld import ContextLoader
from conformance.support.securing.proofs import (
    CanonicalizationError,
    CanonicalizationTimeout,
    Canonicalizer,
    UndefinedTermError,
)
from tests.documents import minimal_badge
from tests.support.securing.proofs.support import kat_json
from tests.support.securing.proofs.test_canonical import clique

P = "http://example.org/p"
KATS = ["w3c-eddsa-rdfc-2022/signedDataInt.json", "ob30-impl-guide/signed.json",
        "w3c-proof-chain/signedProofChain2.json"]


def _pyld(loader: ContextLoader, document: Any) -> str:
    return jsonld.normalize(copy.deepcopy(document), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                                      "documentLoader": loader, "base": None})


def _parts(signed: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The unsecured document and each proof configuration, as the suites canonicalize them."""
    yield {k: v for k, v in signed.items() if k != "proof"}
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    for proof in proofs:
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        config["@context"] = signed["@context"]
        yield config


def _badges() -> list[dict[str, Any]]:
    """Open Badges 3.0 credentials of several shapes: type-scoped contexts entered and left in different orders."""
    badges = []
    for index in range(6):
        badge = minimal_badge()
        badge["name"] = f"Badge {index}"
        achievement = badge["credentialSubject"]["achievement"]
        if index % 2:
            achievement["alignment"] = [{"type": ["Alignment"], "targetName": f"Item {index}",
                                         "targetUrl": f"https://frameworks.example.org/{index}"}]
        if index % 3 == 0:
            achievement["image"] = {"id": f"https://example.edu/img/{index}.png", "type": "Image"}
            badge["issuer"]["url"] = "https://example.edu"
        badges.append(badge)
    return badges


def _scoped(name_iri: str, reorder: bool = False) -> dict[str, Any]:
    """Inline type-scoped and property-scoped contexts that give `name` a different meaning per scope."""
    context: dict[str, Any] = {
        "Thing": {"@id": "http://example.org/Thing", "@context": {"name": name_iri}},
        "knows": {"@id": "http://example.org/knows", "@context": {"name": "http://example.org/known#name"}},
        "name": "http://example.org/plain#name",
        "type": "@type",
    }
    if reorder:
        context = dict(reversed(list(context.items())))
    return {"@context": context, "type": "Thing", "name": "outer",
            "knows": {"name": "inner", "knows": {"type": "Thing", "name": "deep"}}}


def test_every_known_answer_part_equals_pyld_when_canonicalized_again(loader: ContextLoader) -> None:
    fresh = Canonicalizer(loader)
    parts = [part for name in KATS for part in _parts(kat_json(name))]
    first = [fresh.canonicalize(part, memo=True) for part in parts]
    again = [fresh.canonicalize(part, memo=True) for part in reversed(parts)][::-1]
    assert first == again == [_pyld(loader, part) for part in parts]


def test_open_badges_of_different_shapes_equal_pyld_in_any_order(loader: ContextLoader) -> None:
    badges = _badges()
    expected = [_pyld(loader, badge) for badge in badges]
    fresh = Canonicalizer(loader)
    forward = [fresh.canonicalize(badge) for badge in badges]
    backward = [fresh.canonicalize(badge) for badge in reversed(badges)][::-1]
    assert forward == backward == expected
    assert len(set(expected)) == len(badges)
    assert all("<https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement>" in nquads for nquads in expected)


def test_inline_scoped_contexts_that_differ_are_never_confused(loader: ContextLoader) -> None:
    documents = [_scoped("http://example.org/a#name"), _scoped("http://example.org/b#name"),
                 _scoped("http://example.org/a#name", reorder=True)]
    fresh = Canonicalizer(loader)
    results = [fresh.canonicalize(document) for document in documents + documents]
    expected = [_pyld(loader, document) for document in documents]
    assert results == expected + expected
    assert "<http://example.org/a#name>" in results[0] and "<http://example.org/b#name>" in results[1]
    assert results[0] == results[2]
    assert "<http://example.org/known#name> \"inner\"" in results[0]


def test_contexts_are_processed_once_for_credentials_of_one_shape(loader: ContextLoader,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Canonicalizer(loader)
    first, second = minimal_badge(), minimal_badge()
    second["name"], second["credentialSubject"]["id"] = "Another badge", "did:example:learner43"
    fresh.canonicalize(first)
    calls: list[Any] = []
    processed = jsonld.JsonLdProcessor._process_context

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return processed(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_process_context", counting)
    assert fresh.canonicalize(second) == _pyld(loader, second)
    # _pyld runs plain pyld, which processes contexts again; the canonicalizer itself processed none
    pyld_calls = len(calls)
    calls.clear()
    fresh.canonicalize({**second, "name": "A third badge"})
    assert calls == []
    assert pyld_calls > 0


@pytest.mark.parametrize("memo", [False, True])
def test_json_values_that_look_alike_keep_their_own_canonical_forms(loader: ContextLoader, memo: bool) -> None:
    fresh = Canonicalizer(loader)
    documents = [{P: 1}, {P: True}, {P: 1.5}, {P: "1"}, {P: 1}]      # 1 == True to Python
    results = [fresh.canonicalize(document, memo=memo) for document in documents]
    assert results == [_pyld(loader, document) for document in documents]
    assert len(set(results)) == 4


def test_the_memo_never_keeps_an_error(loader: ContextLoader) -> None:
    bounded = Canonicalizer(loader, max_work=500)
    undefined = {**minimal_badge(), "favouriteColour": "green"}
    for _ in range(2):
        with pytest.raises(UndefinedTermError):
            bounded.canonicalize(undefined, memo=True)
        with pytest.raises(CanonicalizationTimeout):
            bounded.canonicalize(clique(10), memo=True)
    assert bounded.canonicalize(clique(3), memo=True) == _pyld(loader, clique(3))


def test_the_callers_document_is_left_as_it_was(canonicalizer: Canonicalizer) -> None:
    signed = kat_json("ob30-impl-guide/signed.json")
    before = copy.deepcopy(signed)
    for part in _parts(signed):
        canonicalizer.canonicalize(part)
        canonicalizer.canonicalize(part, memo=True)
    assert signed == before


def test_mappings_that_are_not_plain_dicts_give_the_same_form(loader: ContextLoader) -> None:
    fresh = Canonicalizer(loader)
    badge = minimal_badge()
    ordered = {**badge, "issuer": OrderedDict(badge["issuer"])}
    expected = _pyld(loader, badge)
    assert fresh.canonicalize(MappingProxyType(badge)) == expected
    assert fresh.canonicalize(ordered, memo=True) == expected
    assert fresh.canonicalize(badge, memo=True) == expected


def test_values_outside_json_raise_a_typed_error(canonicalizer: Canonicalizer) -> None:
    badge = minimal_badge()
    badge["issuer"] = MappingProxyType(badge["issuer"])
    with pytest.raises(CanonicalizationError, match="expected a JSON document"):
        canonicalizer.canonicalize(badge)


def _nested(levels: int) -> dict[str, Any]:
    document: Any = "leaf"
    for _ in range(levels):
        document = {P: document}
    return document


def test_the_depth_limit_counts_the_innermost_value(canonicalizer: Canonicalizer) -> None:
    # 128 objects put the leaf string at level 129, one past the limit; 127 objects stay within it
    with pytest.raises(CanonicalizationError, match="nested at most 128 levels deep"):
        canonicalizer.canonicalize(_nested(128))
    assert canonicalizer.canonicalize(_nested(127)).count("\n") == 127


def test_concurrent_canonicalizations_equal_serial_ones(loader: ContextLoader) -> None:
    documents = [*_badges(), *(_scoped(f"http://example.org/{i}#name") for i in range(4)),
                 *(part for name in KATS for part in _parts(kat_json(name)))] * 3
    # a generous deadline: four threads on a loaded two-core machine must not turn into a timeout race
    serial = [Canonicalizer(loader, timeout=600).canonicalize(document) for document in documents]
    shared = Canonicalizer(loader, timeout=600)
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda document: shared.canonicalize(document, memo=True), documents))
    assert parallel == serial
