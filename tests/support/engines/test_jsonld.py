"""Safe-mode expansion: undefined terms are found with their pointers; contexts are never fetched silently."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.support.artifacts import ArtifactStore, load_pins
from conformance.support.engines.jsonld import (
    MAX_CONTEXT_LOADS,
    ContextLoader,
    JsonLdReport,
    SafeModeExpander,
    TermProblem,
    _Skeleton,
)
from conformance.support.resources import shapes_dir
from tests.conftest import artifacts_dir
from tests.documents import OB, V2, minimal_badge


def badge() -> dict[str, Any]:
    """The faces' minimal badge with one alignment, so the skeleton has a nested class and a URL to keep."""
    document = minimal_badge()
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Welding", "targetUrl": "https://example.org/welding"}]
    return document


@pytest.fixture(scope="module")
def store() -> ArtifactStore:
    return ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [artifacts_dir()])


@pytest.fixture
def expander(store: ArtifactStore) -> SafeModeExpander:
    return SafeModeExpander(ContextLoader(store))


def test_a_clean_badge_has_no_problems(expander: SafeModeExpander) -> None:
    assert expander.analyze(badge()) == JsonLdReport()


def test_undefined_properties_and_types_are_located(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["credentialSubject"]["achievement"]["hoursOfStudy"] = 12
    doc["credentialSubject"]["achievement"]["alignment"][0]["type"] = ["Alignment", "Alignmnet"]
    doc["evidence"] = [{"type": ["Evidence"], "narrative": "ok", "grade": "A"}]
    report = expander.analyze(doc)
    assert set(report.problems) == {
        TermProblem("/credentialSubject/achievement", "undefined-property", "hoursOfStudy"),
        TermProblem("/credentialSubject/achievement/alignment/0/type/1", "undefined-type", "Alignmnet"),
        TermProblem("/evidence/0", "undefined-property", "grade"),
    }
    assert report.invalid is None and report.unavailable is None


def test_a_type_given_as_a_string_is_located_without_an_index(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["credentialSubject"]["type"] = "AchievementSubjekt"
    problems = set(expander.analyze(doc).problems)
    # without its type-scoped context, the subject's `achievement` term is undefined too
    assert problems == {TermProblem("/credentialSubject/type", "undefined-type", "AchievementSubjekt"),
                        TermProblem("/credentialSubject", "undefined-property", "achievement")}


def test_an_unpinned_context_is_unavailable_offline_and_names_the_url(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["@context"].append("https://contexts.example.org/extra.json")
    report = expander.analyze(doc)
    assert report.unavailable is not None and report.unavailable.reason == "unpinned"
    assert "https://contexts.example.org/extra.json" in report.unavailable.describe()
    assert "--online" in report.unavailable.describe()


def test_online_fetches_unpinned_contexts_through_the_given_fetcher(store: ArtifactStore) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return json.dumps({"@context": {"hoursOfStudy": "https://example.org/vocab#hours"}}).encode()

    doc = badge()
    doc["@context"].append("https://contexts.example.org/hours.json")
    doc["credentialSubject"]["achievement"]["hoursOfStudy"] = 12
    report = SafeModeExpander(ContextLoader(store, online=True, fetch=fetch)).analyze(doc)
    assert fetched == ["https://contexts.example.org/hours.json"] and report == JsonLdReport()


def test_a_pinned_context_missing_from_the_store_is_unavailable(tmp_path: Path) -> None:
    empty = ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [tmp_path], cache_dir=tmp_path / "cache")
    report = SafeModeExpander(ContextLoader(empty)).analyze(badge())
    assert report.unavailable is not None and report.unavailable.reason == "missing"
    assert "artifacts fetch" in report.unavailable.describe()


def test_redefining_a_protected_term_makes_the_document_invalid(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["@context"].append({"name": "https://example.org/my-name"})
    report = expander.analyze(doc)
    assert report.invalid is not None and "protected term" in report.invalid


def test_a_context_that_includes_itself_ends_cleanly(store: ArtifactStore) -> None:
    def fetch(url: str) -> bytes:
        return json.dumps({"@context": [url, {"x": "https://example.org/x"}]}).encode()

    doc = {"@context": ["https://loop.example.org/ctx"], "x": 1}
    report = SafeModeExpander(ContextLoader(store, online=True, fetch=fetch)).analyze(doc)
    assert report.invalid is not None or report.unavailable is not None


def test_a_chain_of_remote_contexts_is_cut_at_the_limit(store: ArtifactStore) -> None:
    def fetch(url: str) -> bytes:
        n = int(url.rsplit("/", 1)[-1])
        return json.dumps({"@context": [f"https://chain.example.org/{n + 1}"]}).encode()

    doc = {"@context": ["https://chain.example.org/0"], "x": 1}
    report = SafeModeExpander(ContextLoader(store, online=True, fetch=fetch)).analyze(doc)
    assert report.unavailable is not None and report.unavailable.reason in ("too-many",) or report.invalid
    assert str(MAX_CONTEXT_LOADS) in (report.unavailable.describe() if report.unavailable else str(MAX_CONTEXT_LOADS))


def test_too_many_inline_contexts_are_refused(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["evidence"] = [{"@context": {"a": "https://example.org/a"}, "type": ["Evidence"]} for _ in range(300)]
    report = expander.analyze(doc)
    assert report.invalid is not None and "256" in report.invalid


def test_results_are_memoised_by_skeleton(expander: SafeModeExpander) -> None:
    for i in range(5):
        doc = badge()
        doc["name"] = f"A different name {i}"
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"
        expander.analyze(doc)
    assert expander.misses == 1 and expander.hits == 4


TERMS = frozenset({"Achievement", "ex", "name", "type", "id"})


@pytest.mark.parametrize("value, stand_in", [
    ("Achievement", "Achievement"),                 # a term: kept
    ("Achievment", "x y"),                          # not a term: relative like any other text
    ("https://example.edu/x", "zz-scheme://x"),     # hierarchical IRI: always absolute
    ("urn:uuid:123", "zz-scheme:x"),                # absolute IRI with a scheme that is no term
    ("ex:Thing", "ex:x"),                           # compact IRI through a defined prefix: prefix kept
    ("2025-06-01T09:00:00Z", "x y"),                # a colon, but neither a scheme nor a term before it
    ("A sentence with spaces.", "x y"),
    ("_:b0", "_:x"),
    ("@id", "@id"),
])
def test_stand_ins_keep_what_decides_iri_expansion(value: str, stand_in: str) -> None:
    assert _Skeleton(TERMS).stand_in(value) == stand_in


def test_contexts_are_kept_verbatim_in_the_skeleton() -> None:
    doc = {"@context": [V2, {"ex": "https://example.org/ns#"}], "name": "Free text"}
    assert _Skeleton(TERMS).of(doc) == {"@context": [V2, {"ex": "https://example.org/ns#"}], "name": "x y"}


def test_documents_defining_a_stand_in_as_a_term_are_not_memoised(expander: SafeModeExpander) -> None:
    doc = badge()
    doc["@context"].append({"x y": "https://example.org/xy"})
    expander.analyze(doc)
    expander.analyze(doc)
    assert expander.hits == 0 and expander.misses == 0


_texts = st.one_of(
    st.sampled_from(["Achievement", "Profile", "Bogus", "ex:Thing", "https://example.org/T", "urn:x:y", "free text",
                     "Note: text", "", "AchievementSubject", "1EdTechJsonSchemaValidator2019", "_:b0", "name:x",
                     "2025-01-01T00:00:00Z", "ex", "type", "id:y", "@id", "@vocab", "Alignment:z", "zz-scheme:x",
                     "ltr", "rtl", "en", "en-US"]),
    st.text(max_size=12),
)
_keys = st.sampled_from(["name", "description", "type", "id", "achievement", "alignment", "targetName",
                         "targetUrl", "criteria", "narrative", "undefinedThing", "ex:prop", "image", "caption",
                         "@value", "@language", "@direction", "@type", "@id"])
_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), _texts),
                     lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=4)),
                     max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(_keys, _json, max_size=5))
def test_the_skeleton_is_judged_exactly_like_the_document(store: ArtifactStore, body: dict[str, Any]) -> None:
    """The memo is sound: expanding a document and its skeleton finds the same problems at the same places."""
    expander = SafeModeExpander(ContextLoader(store))
    doc = {"@context": [V2, OB, {"ex": "https://example.org/ns#"}], **copy.deepcopy(body)}
    direct = expander.expand_uncached(doc)
    via_skeleton = expander.analyze(doc)
    assert set(direct.problems) == set(via_skeleton.problems)
    assert (direct.invalid is None) == (via_skeleton.invalid is None)
