"""The node-map index answers pyld's duplicate check exactly as pyld does (conformance.support.engines.node_maps)."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from conformance.support.engines import node_maps
from conformance.support.engines.node_maps import indexed_node_maps

_scalars = st.one_of(st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from("abc"),
                     st.none())
_values = st.one_of(
    _scalars,
    st.builds(lambda v: {"@value": v}, _scalars),
    st.builds(lambda v, t: {"@value": v, "@type": t}, _scalars, st.sampled_from(["x:a", "x:b"])),
    st.builds(lambda v, lang: {"@value": v, "@language": lang}, st.sampled_from("ab"), st.sampled_from(["en", "fr"])),
    st.builds(lambda v, i: {"@value": v, "@index": i}, st.sampled_from("ab"), st.sampled_from(["i", "j"])),
    st.builds(lambda v: {"@value": v, "@type": "@json"}, st.sampled_from([{"k": 1}, [1, 2], {"k": 2}])),
    st.builds(lambda i: {"@id": i}, st.sampled_from(["_:b0", "_:b1", "x:n"])),
    st.builds(lambda i: {"@id": i, "@value": "v"}, st.sampled_from(["_:b0", "x:n"])),
    st.just({"@list": []}),
    st.just({}),
)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(items=st.lists(_values, min_size=0, max_size=60), probes=st.lists(_values, min_size=1, max_size=8),
       reuse=st.lists(st.integers(0, 59), max_size=4), grow=st.lists(_values, max_size=10))
def test_the_index_agrees_with_pyld_on_every_value(items: list[Any], probes: list[Any], reuse: list[int],
                                                  grow: list[Any]) -> None:
    subject = {"p": list(items)}
    probes = probes + [items[i] for i in reuse if i < len(items)]      # the very objects already held (identity)
    with indexed_node_maps():
        for probe in probes:
            assert pyld.JsonLdProcessor.has_value(subject, "p", probe) == node_maps._pyld_has_value(subject, "p",
                                                                                                     probe)
        subject["p"].extend(grow)                                      # the list grows between checks, as pyld's do
        for probe in probes + grow:
            assert pyld.JsonLdProcessor.has_value(subject, "p", probe) == node_maps._pyld_has_value(subject, "p",
                                                                                                     probe)


def test_outside_a_node_map_pyld_answers_itself() -> None:
    subject = {"p": [{"@id": f"_:b{i}"} for i in range(100)]}
    assert pyld.JsonLdProcessor.has_value(subject, "p", {"@id": "_:b99"})
    assert not pyld.JsonLdProcessor.has_value(subject, "p", {"@id": "_:b100"})
    assert node_maps._INDEXES.get() is None


def test_a_node_map_with_many_values_of_one_property_matches_pyld_unindexed() -> None:
    document = {"@id": "x:s", "x:p": [{"@id": f"_:b{i % 700}", "x:q": i % 3} for i in range(1_000)]}
    expected = pyld.JsonLdProcessor().to_rdf(document, {"produceGeneralizedRdf": False})
    with indexed_node_maps():
        indexed = pyld.JsonLdProcessor().to_rdf(document, {"produceGeneralizedRdf": False})
    assert indexed == expected
