"""The CTDL library of the core slice: the pinned vocabulary, identifiers, loading, and publication sets."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.standards.ctdl.facts.identifiers import (
    PRODUCTION,
    RegistryBase,
    ctid_case_only,
    is_ctid,
    parse_registry_uri,
    uuid_version,
)
from conformance.standards.ctdl.facts.load import CtdlLoadError, load_bytes, load_document, looks_like_ctdl
from conformance.standards.ctdl.facts.model import DocumentKind
from conformance.standards.ctdl.facts.schema import CtdlSchema, CtdlSchemaUnavailable, schema_for
from conformance.standards.ctdl.facts.sets import CtidIndex, PublicationSet, SetProblem, read_set
from conformance.support.formats import Limits

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "core"
CTX = "https://credreg.net/ctdl/schema/context/json"
CERT = "ce-3f1c9a52-7b1e-4d8a-9c2f-5e6a7b8c9d01"
ORG = "ce-8a2b4c6d-1e3f-4a5b-8c7d-9e0f1a2b3c4d"


@pytest.fixture(scope="module")
def schema(env: Environment) -> CtdlSchema:
    return schema_for(env.store)


# -- schema ---------------------------------------------------------------------------------------------------

def test_schema_counts_match_the_pinned_encodings(schema: CtdlSchema) -> None:
    # 139 CTDL + 11 CTDL-ASN classes, 411 + 101 properties (the ASN encoding redeclares a few CTDL terms)
    assert len(schema.classes) == 150
    assert 500 <= len(schema.properties) <= 512
    assert len(schema.subclasses("ceterms:Credential") - {"ceterms:Credential"}) == 48


@pytest.mark.parametrize(("name", "of", "expected"), [
    ("ceterms:BachelorOfScienceDegree", "ceterms:Credential", True),      # two levels up
    ("ceterms:Credential", "ceterms:Credential", True),                   # reflexive
    ("ceasn:CompetencyFramework", "ceterms:Collection", True),            # across the two encodings
    ("asn:ProgressionModel", "skos:ConceptScheme", True),
    ("ceterms:QACredentialOrganization", "ceterms:Agent", True),
    ("ceterms:Credential", "ceterms:Certificate", False),                 # not downwards
    ("ceterms:Course", "ceterms:Credential", False),
    ("https://purl.org/ctdl/terms/MasterOfArtsDegree", "ceterms:Degree", True),   # full IRIs compact first
])
def test_subclass_closure(schema: CtdlSchema, name: str, of: str, expected: bool) -> None:
    assert schema.is_subclass(name, of) is expected


def test_property_info_carries_domain_range_scheme_and_context_kind(schema: CtdlSchema) -> None:
    info = schema.property_info("ceterms:credentialStatusType")
    assert info is not None
    assert "ceterms:Certificate" in info.domain
    assert info.range == {"ceterms:CredentialAlignmentObject"}
    assert info.target_schemes == {"ceterms:CredentialStatus"}
    assert info.term_status == "stable" and info.superseded_by is None
    assert schema.property_info("ceterms:name").definition.is_language_map          # type: ignore[union-attr]
    assert schema.property_info("ceterms:sourceData").superseded_by == "ceterms:proxyFor"  # type: ignore[union-attr]


@pytest.mark.parametrize(("prop", "types", "replacement"), [
    ("ceterms:sourceData", (), "ceterms:proxyFor"),
    ("ceterms:isDestinationComponentFor", (), "ceterms:isDestinationComponentOf"),
    ("ceasn:isPartOf", ("ceterms:CourseComponent",), "ceterms:isPartOf"),
    ("ceasn:isPartOf", ("ceterms:CollectionComponent",), "ceterms:isPartOf"),     # component-like, undeclared
    ("ceasn:isPartOf", ("ceasn:Competency",), None),
    ("ceterms:prerequisite", ("ceterms:CredentialComponent",), "ceterms:hasCondition"),
    ("ceterms:prerequisite", ("ceterms:Course",), None),
])
def test_superseded_terms(schema: CtdlSchema, prop: str, types: tuple[str, ...], replacement: str | None) -> None:
    assert schema.superseded(prop, types) == replacement


def test_concepts_and_namespace_spellings(schema: CtdlSchema) -> None:
    assert schema.concepts("ceterms:CredentialStatus") == {
        f"credentialStat:{n}" for n in ("Active", "Ceasing", "Deprecated", "Probationary", "Suspended", "TeachOut")}
    assert "credentialStat:Superseded" not in schema.concepts("ceterms:CredentialStatus")
    assert schema.concepts("ceterms:IndustryClassification") == frozenset()     # external (NAICS): not enumerated
    # the ASN context declares publicationStatus: with http; the https spelling compacts the same way
    for iri in ("http://purl.org/ctdlasn/vocabs/publicationStatus/Draft",
                "https://purl.org/ctdlasn/vocabs/publicationStatus/Draft"):
        assert schema.compact(iri) in schema.concepts("ceasn:PublicationStatus")
    assert schema.expand("ceterms:name") == "https://purl.org/ctdl/terms/name"


def test_domain_and_range_tolerate_alignment_ranges(schema: CtdlSchema) -> None:
    assert schema.in_domain("ceterms:email", ["ceterms:CredentialOrganization"])
    assert not schema.in_domain("ceterms:email", ["ceterms:Certificate"])
    # creditUnitType is declared with range skos:Concept; published data wraps the concept in an alignment object
    assert schema.in_range("ceterms:creditUnitType", ["ceterms:CredentialAlignmentObject"])
    assert not schema.in_range("ceterms:estimatedDuration", ["ceterms:CostProfile"])


def test_schema_is_built_once_per_store(env: Environment) -> None:
    assert schema_for(env.store) is schema_for(env.store)


def test_missing_artifacts_raise_a_named_error(tmp_path: Path) -> None:
    from conformance.support.artifacts.store import ArtifactStore, load_pins
    from conformance.support.resources import shapes_dir

    store = ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [tmp_path], cache_dir=tmp_path / "cache")
    with pytest.raises(CtdlSchemaUnavailable, match="encoding/json is pinned but not available"):
        CtdlSchema.from_store(store)


# -- identifiers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "well_formed", "case_only", "version"), [
    (CERT, True, False, 4),
    (CERT.upper().replace("CE-", "ce-"), False, True, 4),
    ("ce-6f1d2a3e-8b7c-11ee-9c4d-0242ac120002", True, False, 1),
    ("ce-3f1c9a52-7b1e-4d8a-9c2f", False, False, None),
    ("CE-3f1c9a52-7b1e-4d8a-9c2f-5e6a7b8c9d01", False, False, None),     # the prefix itself is lower case only
    ("3f1c9a52-7b1e-4d8a-9c2f-5e6a7b8c9d01", False, False, None),
])
def test_ctid_grammar(value: str, well_formed: bool, case_only: bool, version: int | None) -> None:
    assert is_ctid(value) is well_formed
    assert ctid_case_only(value) is case_only
    assert uuid_version(value) == version


@pytest.mark.parametrize(("uri", "kind", "tail", "environment"), [
    (f"https://credentialengineregistry.org/resources/{CERT}", "resources", CERT, "production"),
    (f"https://credentialengineregistry.org/graph/{CERT}", "graph", CERT, "production"),
    (f"https://sandbox.credentialengineregistry.org/resources/{CERT}", "resources", CERT, "sandbox"),
    (f"https://credentialengineregistry.org/ce-registry/resources/{CERT}", "resources", CERT, "production"),
    (f"http://staging.credentialengineregistry.org/graph/{CERT}", "graph", CERT, "staging"),
])
def test_registry_uris_parse(uri: str, kind: str, tail: str, environment: str) -> None:
    parsed = parse_registry_uri(uri)
    assert parsed is not None
    assert (parsed.kind, parsed.tail, parsed.environment()) == (kind, tail, environment)


@pytest.mark.parametrize("uri", [
    f"https://example.edu/resources/{CERT}",                              # not a Registry host
    "https://credentialengineregistry.org/envelopes/abc",                 # not a resource path
    f"ftp://credentialengineregistry.org/resources/{CERT}",
    "https://[::1",                                                       # unparseable
])
def test_other_uris_are_not_registry_addresses(uri: str) -> None:
    assert parse_registry_uri(uri) is None


def test_configured_base_makes_its_host_a_registry_host() -> None:
    base = RegistryBase.named("http://127.0.0.1:8765/")
    assert base.url == "http://127.0.0.1:8765" and base.host == "127.0.0.1"
    assert parse_registry_uri(base.resource_uri(CERT), frozenset({base.host})) is not None
    assert parse_registry_uri(base.resource_uri(CERT)) is None
    assert RegistryBase.named("sandbox").url == "https://sandbox.credentialengineregistry.org"
    assert PRODUCTION.graph_uri(CERT) == f"https://credentialengineregistry.org/graph/{CERT}"


# -- loading --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "kind", "resources"), [
    ("graph-certificate.json", DocumentKind.GRAPH, 2),
    ("graph-framework.json", DocumentKind.GRAPH, 3),
    ("envelope-organization.json", DocumentKind.ENVELOPE, 1),
    ("resource-badge.json", DocumentKind.RESOURCE, 1),
    ("resource-badge-bom.json", DocumentKind.RESOURCE, 1),
])
def test_published_shapes_load(file: str, kind: DocumentKind, resources: int) -> None:
    data = (VECTORS / file).read_bytes()
    document = load_bytes(data, file)
    assert document.kind is kind
    assert len(list(document.resources)) == resources
    assert looks_like_ctdl(json.loads(data.decode("utf-8-sig")))


def test_envelope_pointers_and_string_decoded_resource() -> None:
    envelope = json.loads((VECTORS / "envelope-organization.json").read_text())
    loaded = load_document(envelope, "env")
    assert [n.pointer for n in loaded.resources] == ["/decoded_resource/@graph/0"]
    assert loaded.envelope is not None and loaded.envelope["envelope_ceterms_ctid"] == ORG
    as_string = dict(envelope, decoded_resource=json.dumps(envelope["decoded_resource"]))
    assert [n.ctid for n in load_document(as_string, "env").resources] == [ORG]


@pytest.mark.parametrize("context", [CTX, "http://credreg.net/ctdl/schema/context/json",
                                     ["http://credreg.net/ctdlasn/schema/context/json"]])
def test_both_context_spellings_are_recognized(context: object) -> None:
    assert looks_like_ctdl({"@context": context, "@type": "ceterms:Certificate"})


@pytest.mark.parametrize(("document", "message"), [
    ([1, 2], "expected a JSON object"),
    ({"@context": CTX, "@graph": {"@id": "_:b0"}}, "expected @graph to be an array"),
    ({"decoded_resource": 7}, "decoded_resource is not a JSON object"),
    ({"decoded_resource": "{not json"}, "decoded_resource string is not JSON"),
])
def test_unreadable_shapes_raise_load_errors(document: object, message: str) -> None:
    with pytest.raises(CtdlLoadError, match=message):
        load_document(document, "x")


def test_hostile_nesting_loads_without_crashing() -> None:
    deep: dict[str, object] = {"@type": "ceterms:ConditionProfile"}
    for _ in range(200):
        deep = {"@type": "ceterms:ConditionProfile", "ceterms:requires": [deep]}
    document = load_document({"@context": CTX, "@id": "_:b0", "@type": "ceterms:Certificate",
                              "ceterms:requires": [deep]}, "deep")
    assert 1 < len(document.nodes) < 200      # nested nodes are collected up to the nesting bound, not beyond


# -- sets -----------------------------------------------------------------------------------------------------

def _node(ctid: str, kind: str = "ceterms:Certificate") -> dict[str, object]:
    return {"@id": f"https://credentialengineregistry.org/resources/{ctid}", "@type": kind, "ceterms:ctid": ctid}


def test_jsonl_dump_streams_with_line_sources(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    lines = [json.dumps({"@context": CTX, **_node(CERT)}), "", "{broken", json.dumps({"@context": CTX, **_node(ORG)}),
             "x" * 400 + "\n" + json.dumps({"@context": CTX, **_node(CERT.upper().replace("CE-", "ce-"))})]
    dump.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())
    items = list(read_set(dump, Limits(max_bytes=280)))
    summary = [(i.source.rsplit(":", 1)[1], type(i).__name__) for i in items]
    assert summary == [("1", "CtdlDocument"), ("3", "SetProblem"), ("4", "CtdlDocument"),
                       ("5", "SetProblem"), ("6", "CtdlDocument")]
    assert "longer than the limit" in items[3].message                  # type: ignore[union-attr]


def test_directory_search_result_and_envelope_list(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.jsonld").write_text(json.dumps({"@context": CTX, **_node(CERT)}))
    (tmp_path / "search.json").write_text(json.dumps({"data": [_node(ORG), 5], "valid": True}))
    envelope = json.loads((VECTORS / "envelope-organization.json").read_text())
    (tmp_path / "envelopes.json").write_text(json.dumps([envelope]))
    (tmp_path / "notes.txt").write_text("not part of the set")
    published = PublicationSet([tmp_path])
    documents = list(published)
    assert sorted(d.kind for d in documents) == ["envelope", "resource", "resource"]
    assert [p.source for p in published.problems] == [f"{tmp_path / 'search.json'}#/data/1"]
    assert len(published.index) == 3
    assert published.index.duplicates().keys() == {ORG}                 # the search result and the envelope
    assert published.index.get(CERT.upper().replace("CE-", "ce-")) is not None     # looked up without case
    assert f"https://credentialengineregistry.org/resources/{CERT}" in published.index
    assert len(list(published)) == 3 and len(published.index) == 3     # a second pass does not double the index


def test_index_is_empty_for_blank_nodes() -> None:
    index = CtidIndex()
    index.add(load_document({"@context": CTX, "@graph": [{"@id": "_:b0", "@type": "ceterms:Certificate",
                                                          "ceterms:ctid": CERT}]}, "g"))
    assert len(index) == 0 and not isinstance(index.get(CERT), SetProblem)
