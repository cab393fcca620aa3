"""Reference sources beyond known documents: the Registry (the stand-in on 127.0.0.1) and a publication set's index."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.reference.registry import serve_registry
from conformance.standards.ctdl.facts.load import load_document
from conformance.standards.ctdl.facts.model import CtdlNode
from conformance.standards.ctdl.facts.references import (
    CtidIndexResolver,
    RegistryResolver,
    Unavailable,
    references_of,
    resolver_for,
)
from conformance.standards.ctdl.facts.schema import schema_for
from conformance.standards.ctdl.facts.sets import CtidIndex
from conformance.standards.ctdl.registry_client import RegistryClient
from conformance.support.net import FetchPolicy, GuardedClient

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways"
PATHWAY = json.loads((VECTORS / "pathway.json").read_text(encoding="utf-8"))
R = "https://credentialengineregistry.org/resources/"
ORG = "ce-2dfcdb29-cbdd-4d3a-807c-c6b1a9e30625"
CERT = "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"
UNKNOWN = "ce-00000000-0000-4000-8000-000000000000"
LOOPBACK = FetchPolicy(allow_networks=("127.0.0.1/32",))


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("registry")
    shutil.copy(VECTORS / "resources" / "organization.json", folder / "organization.json")
    shutil.copy(VECTORS / "resources" / "certificate.json", folder / "certificate.json")
    with serve_registry(folder) as running:
        yield running.base_url


@pytest.mark.parametrize(("reference", "expected"), [
    (R + ORG, "ceterms:CredentialOrganization"),
    ("https://sandbox.credentialengineregistry.org/graph/" + CERT.upper(), "ceterms:Certificate"),
    (CERT, "ceterms:Certificate"),
    (R + UNKNOWN, None),                               # the Registry answers 404: authoritatively absent
    ("https://example.edu/about", Unavailable),        # not a Registry resource: not asked
])
def test_registry_resolver(standin: str, reference: str, expected: object) -> None:
    with GuardedClient(LOOPBACK) as http:
        found = RegistryResolver(RegistryClient(http, standin)).resolve(reference)
    if isinstance(expected, str):
        assert isinstance(found, CtdlNode) and expected in found.types
    elif expected is None:
        assert found is None
    else:
        assert isinstance(found, Unavailable)


def test_unreachable_registry_is_unavailable_never_absent() -> None:
    # nothing listens on port 9 of 127.0.0.1: the exchange fails, which says nothing about the resource
    with GuardedClient(LOOPBACK) as http:
        found = RegistryResolver(RegistryClient(http, "http://127.0.0.1:9")).resolve(R + ORG)
    assert isinstance(found, Unavailable)


def test_registry_private_address_refused_by_default(standin: str) -> None:
    with GuardedClient(FetchPolicy()) as http:
        found = RegistryResolver(RegistryClient(http, standin)).resolve(R + ORG)
    assert isinstance(found, Unavailable)


def test_pathway_references_through_the_registry(env: Environment, standin: str) -> None:
    with GuardedClient(LOOPBACK) as http:
        resolver = resolver_for({}, registry=RegistryResolver(RegistryClient(http, standin)))
        found = references_of(load_document(PATHWAY, "p.json"), schema_for(env.store), resolver)
    outside = {r.ref.value: (r.where, r.target.types if r.target else ()) for r in found if r.where != "document"}
    assert outside == {R + ORG: ("outside", ("ceterms:CredentialOrganization",)),
                       R + CERT: ("outside", ("ceterms:Certificate",))}


def test_publication_set_index() -> None:
    index = CtidIndex()
    for name in ("organization.json", "certificate.json"):
        body = json.loads((VECTORS / "resources" / name).read_text(encoding="utf-8"))
        index.add(load_document(body, name))
    resolver = CtidIndexResolver(index)
    found = resolver.resolve("https://credentialengineregistry.org/graph/" + ORG)
    assert isinstance(found, CtdlNode)
    assert found.types == ("ceterms:CredentialOrganization",) and found.source == "organization.json"
    assert found.ctid == ORG
    assert isinstance(resolver.resolve(R + UNKNOWN), Unavailable)
