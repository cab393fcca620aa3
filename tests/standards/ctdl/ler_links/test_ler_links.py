"""Finding and resolving LER-to-Registry links, and the CTDLLER checks on cases the vectors do not cover."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards.ctdl.facts.ler_links import (
    LinkKind,
    Role,
    State,
    exact_matches,
    find_links,
    registry_links,
    resolve,
)
from conformance.support.net import FetchError, FetchReason
from conformance.support.securing.verifier import NotFetched

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "ler-links"
BASE = json.loads((VECTORS / "valid" / "linked.json").read_text(encoding="utf-8"))
CERT = "ce-1f3bcfdb-e098-42eb-98b2-77eba6654c27"
COLLEGE = "ce-1edf28ec-26ea-414f-a1e4-b63f4c87289f"
COMPETENCY = "ce-ce453ca3-0bed-42ac-96d8-148f79f5813e"
REGISTRY = "https://credentialengineregistry.org"


def _edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    change(document)
    return document


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    return document["credentialSubject"]["achievement"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: None, [(LinkKind.ACHIEVEMENT_ID, Role.ACHIEVEMENT, "/credentialSubject/achievement/id", CERT),
                      (LinkKind.ALIGNMENT, Role.ALIGNMENT, "/credentialSubject/achievement/alignment/0/targetCode",
                       COMPETENCY),
                      (LinkKind.SAME_AS, Role.ISSUER, "/issuer/sameAs", COLLEGE)]),
    # owl:sameAs spelled with its prefix, as an object, in a list, on the achievement
    (lambda d: (_achievement(d).update(id="https://example.edu/a/1", **{"owl:sameAs": [
        "https://example.org/elsewhere", {"id": f"{REGISTRY}/resources/{CERT.upper()}"}]}),
                d["issuer"].pop("sameAs"), _achievement(d).pop("alignment")),
     [(LinkKind.SAME_AS, Role.ACHIEVEMENT, "/credentialSubject/achievement/owl:sameAs/1/id", CERT)]),
    # an alignment with only a Registry targetUrl (targetCode is no CTID) is still a link
    (lambda d: (_achievement(d).update(id="https://example.edu/a/1"), d["issuer"].pop("sameAs"),
                _achievement(d)["alignment"][0].update(targetCode="NET-4")),
     [(LinkKind.ALIGNMENT, Role.ALIGNMENT, "/credentialSubject/achievement/alignment/0/targetUrl", COMPETENCY)]),
    # a CASE alignment and a non-Registry id carry no link
    (lambda d: (_achievement(d).update(id="https://example.edu/a/1"), d["issuer"].pop("sameAs"),
                _achievement(d)["alignment"][0].update(targetType="CFItem", targetCode="X",
                                                       targetUrl="https://case.example/x")), []),
    # a Registry issuer id links the issuer
    (lambda d: (d.update(issuer={"id": f"{REGISTRY}/resources/{COLLEGE}", "type": ["Profile"], "name": "C"}),
                _achievement(d).update(id="https://example.edu/a/1"), _achievement(d).pop("alignment")),
     [(LinkKind.ACHIEVEMENT_ID, Role.ISSUER, "/issuer/id", COLLEGE)]),
])
def test_links_are_found_where_they_are(change: Callable[[dict[str, Any]], None],
                                        expected: list[tuple[LinkKind, Role, str, str]]) -> None:
    links, _issuer, _at = find_links(_edit(change))
    assert [(link.kind, link.role, link.pointer, link.ctid) for link in links] == expected


def test_a_clr_subject_lists_several_achievements() -> None:
    clr = {"type": ["VerifiableCredential", "ClrCredential"], "issuer": {"id": "https://example.edu"},
           "credentialSubject": {"type": ["ClrSubject"], "achievement": [
               {"id": f"{REGISTRY}/resources/{CERT}", "name": "A"}, {"id": "https://example.edu/x", "name": "B"},
               {"id": f"https://sandbox.credentialengineregistry.org/resources/{COMPETENCY}", "name": "C"}]}}
    links, _issuer, _at = find_links(clr)
    assert [(link.pointer, link.ctid, link.uri.base if link.uri else None) for link in links] == [
        ("/credentialSubject/achievement/0/id", CERT, REGISTRY),
        ("/credentialSubject/achievement/2/id", COMPETENCY, "https://sandbox.credentialengineregistry.org")]


@pytest.mark.parametrize("document", [
    {"credentialSubject": [[[[[]]]]] * 3}, {"credentialSubject": {"achievement": "x"}}, {"issuer": 7},
    {"credentialSubject": {"achievement": {"id": 5, "sameAs": [None, {}], "alignment": [1, {"targetType": []}]}}},
    {"credentialSubject": {"achievement": {"alignment": [{"targetType": "CTDL", "targetUrl": "x" * 10_000}]}}},
])
def test_odd_documents_yield_no_links(document: dict[str, Any]) -> None:
    assert find_links(document)[0] == ()


CTDL_BYTES = json.dumps({"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Certificate",
                         "@id": f"{REGISTRY}/resources/{CERT}", "ceterms:ctid": CERT}).encode()
OTHER_BYTES = CTDL_BYTES.replace(CERT.encode(), COMPETENCY.encode())


def _fetcher(answers: dict[str, bytes | Exception]) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        answer = answers.get(url, NotFetched(f"{url} is not fetched"))
        if isinstance(answer, Exception):
            raise answer
        return answer
    return fetch


RESOURCE_URL = f"{REGISTRY}/resources/{CERT}"
GRAPH_URL = f"{REGISTRY}/graph/{CERT}"


@pytest.mark.parametrize(("answers", "state"), [
    ({RESOURCE_URL: CTDL_BYTES}, State.FOUND),
    ({RESOURCE_URL: b"\xef\xbb\xbf" + CTDL_BYTES}, State.FOUND),
    ({GRAPH_URL: CTDL_BYTES}, State.FOUND),          # the resource URL unknown offline, the graph known
    ({}, State.UNAVAILABLE),
    ({RESOURCE_URL: FetchError(FetchReason.HTTP_STATUS, "404", status=404)}, State.MISSING),
    ({RESOURCE_URL: FetchError(FetchReason.HTTP_STATUS, "410", status=410),
      GRAPH_URL: CTDL_BYTES}, State.FOUND),
    ({RESOURCE_URL: FetchError(FetchReason.HTTP_STATUS, "503", status=503)}, State.UNAVAILABLE),
    ({RESOURCE_URL: FetchError(FetchReason.TIMEOUT, "slow")}, State.UNAVAILABLE),
    ({RESOURCE_URL: b"<html>"}, State.INVALID),
    ({RESOURCE_URL: b"[" * 100_000}, State.INVALID),
    ({RESOURCE_URL: OTHER_BYTES}, State.INVALID),     # a document, but not of the linked resource
])
def test_resolution_states(answers: dict[str, bytes | Exception], state: State) -> None:
    resolution = resolve(CERT, (RESOURCE_URL, GRAPH_URL), _fetcher(answers))
    assert resolution.state is state
    assert (resolution.node is not None) == (state is State.FOUND)
    assert resolution.message


def test_each_ctid_is_resolved_once() -> None:
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        raise NotFetched(url)

    document = _edit(lambda d: _achievement(d)["alignment"].append(copy.deepcopy(_achievement(d)["alignment"][0])))
    links = registry_links(document, fetch)
    assert len(links.links) == 4
    assert len(calls) == 6                            # three CTIDs, two candidate URLs each


def test_the_exact_match_table_has_the_23_declared_values() -> None:
    table = exact_matches()
    assert len(table) == 23
    assert table["Competency"] == "ceasn:Competency" and table["BachelorDegree"] == "ceterms:BachelorDegree"
    assert "Achievement" not in table and "Course" not in table


# --- the checks, run the way `check` runs them -----------------------------------------------------------------

def _findings(env: Environment, document: dict[str, Any], documents: dict[str, bytes | None]) -> dict[str, set[str]]:
    run_env = replace(env, documents=documents)
    (result,) = list(Runner(run_env, run_env.profile("default")).run(
        [BytesTarget("doc.json", json.dumps(document).encode())]))
    outcomes: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.requirement.startswith("CTDLLER"):
            outcomes.setdefault(finding.requirement, set()).add(str(finding.outcome))
    return outcomes


def _resource(name: str) -> bytes:
    return (VECTORS / "resources" / name).read_bytes()


ALL = {f"{REGISTRY}/resources/{CERT}": _resource("certificate.json"),
       f"{REGISTRY}/resources/{COLLEGE}": _resource("college.json"),
       f"{REGISTRY}/resources/{COMPETENCY}": _resource("competency.json")}


def test_offline_without_known_documents_nothing_fails(env: Environment) -> None:
    outcomes = _findings(env, BASE, {})
    assert outcomes["CTDLLER-resource-exists"] == {str(Outcome.CANT_TELL)}
    for rid in ("CTDLLER-class-matches", "CTDLLER-name-agrees", "CTDLLER-issuer-owns"):
        assert outcomes[rid] == {str(Outcome.CANT_TELL)}, rid
    assert outcomes["CTDLLER-registry-uri-form"] == {str(Outcome.PASSED)}


@pytest.mark.parametrize(("change", "requirement", "outcome"), [
    # the issuer names no Registry organization: its relation to the owners cannot be told
    (lambda d: d["issuer"].pop("sameAs"), "CTDLLER-issuer-owns", Outcome.CANT_TELL),
    # an achievementType without a declared CTDL match accepts any class
    (lambda d: _achievement(d).update(achievementType="Award"), "CTDLLER-class-matches", Outcome.PASSED),
    # a near-identical name agrees
    (lambda d: _achievement(d).update(name="Certificate in network-security"), "CTDLLER-name-agrees",
     Outcome.PASSED),
    # a plain http Registry URI is not the identifier form
    (lambda d: _achievement(d).update(id=f"http://credentialengineregistry.org/resources/{CERT}"),
     "CTDLLER-registry-uri-form", Outcome.FAILED),
    # a Credential Finder page by number carries no CTID to compare
    (lambda d: _achievement(d)["alignment"][0].update(targetUrl="https://credentialfinder.org/competency/20229"),
     "CTDLLER-alignment-consistent", Outcome.INAPPLICABLE),
])
def test_cases_beside_the_vectors(env: Environment, change: Callable[[dict[str, Any]], None], requirement: str,
                                  outcome: Outcome) -> None:
    assert _findings(env, _edit(change), ALL)[requirement] == {str(outcome)}


def test_credentials_without_registry_links_are_not_claimed(env: Environment) -> None:
    document = _edit(lambda d: (_achievement(d).update(id="https://example.edu/a/1"), d["issuer"].pop("sameAs"),
                                _achievement(d).pop("alignment")))
    assert _findings(env, document, {}) == {}
