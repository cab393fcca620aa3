"""CTDL core checks beyond the vectors: configured Registries, case-insensitive duplicates, tag grammar, hostile
input, and recognition by `check` (the CTDL detector fires; no credential standard claims a publication)."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import conformance.standards.ctdl.core.checks as core_checks
from conformance.core.checks import CHECK_REGISTRY
from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "core"
BADGE = json.loads((VECTORS / "resource-badge.json").read_text())
GRAPH = json.loads((VECTORS / "graph-certificate.json").read_text())
CTX = "https://credreg.net/ctdl/schema/context/json"


def _run(env: Environment, requirement: str, document: Any, **env_attrs: Any) -> list[Finding]:
    run_env = replace(env) if not env_attrs else _with(env, env_attrs)
    subject = Subject(id="doc.json", env=run_env, raw=orjson.dumps(document))
    return list(CHECK_REGISTRY.checks[requirement].run(subject))


def _with(env: Environment, attrs: dict[str, Any]) -> Environment:
    twin = copy.copy(env)
    for key, value in attrs.items():
        setattr(twin, key, value)
    return twin


def _moved(document: Any, base: str) -> Any:
    """The publication with every production Registry address moved to another base."""
    return json.loads(json.dumps(document).replace("https://credentialengineregistry.org", base))


def _failed(findings: list[Finding]) -> list[str]:
    return [f.location for f in findings if f.outcome is Outcome.FAILED]


def test_every_catalog_requirement_has_a_check(env: Environment) -> None:
    ids = {r.id for r in env.catalog.of_standard("CTDL")}
    assert ids == {rid for rid in CHECK_REGISTRY.checks if rid.startswith("CTDL-")}
    assert core_checks.__name__.endswith("core.checks")


@pytest.mark.parametrize(("registry", "failed"), [
    (None, []),                                         # no configured base: the publication's own @id decides
    ("sandbox", []),
    ("https://sandbox.credentialengineregistry.org", []),
    ("staging", ["/@id", "/ceterms:ownedBy/0"]),
    ("production", ["/@id", "/ceterms:ownedBy/0"]),
])
def test_registry_host_follows_the_configured_environment(env: Environment, registry: str | None,
                                                          failed: list[str]) -> None:
    sandboxed = _moved(BADGE, "https://sandbox.credentialengineregistry.org")
    attrs = {} if registry is None else {"ctdl_registry": registry}
    assert _failed(_run(env, "CTDL-registry-host", sandboxed, **attrs)) == failed


def test_mixing_environments_fails_where_the_other_one_is_named(env: Environment) -> None:
    mixed = copy.deepcopy(BADGE)
    mixed["ceterms:ownedBy"] = [mixed["ceterms:ownedBy"][0].replace("://", "://sandbox.")]
    (finding,) = [f for f in _run(env, "CTDL-registry-host", mixed) if f.outcome is Outcome.FAILED]
    assert finding.location == "/ceterms:ownedBy/0"
    assert "sandbox Registry" in finding.message and "production Registry" in finding.message
    assert BADGE["@id"] in finding.message           # names where the environment was read from


def test_registry_host_is_inapplicable_to_a_self_published_document(env: Environment) -> None:
    document = dict(BADGE, **{"@id": "https://lakeside.example.edu/badges/safety",
                              "ceterms:ownedBy": ["https://lakeside.example.edu/"]})
    assert {f.outcome for f in _run(env, "CTDL-registry-host", document)} == {Outcome.INAPPLICABLE}


def test_http_registry_addresses_fail_the_https_rule_only(env: Environment) -> None:
    document = copy.deepcopy(BADGE)
    document["ceterms:ownedBy"] = [document["ceterms:ownedBy"][0].replace("https://", "http://")]
    assert _failed(_run(env, "CTDL-registry-https", document)) == ["/ceterms:ownedBy/0"]
    assert _failed(_run(env, "CTDL-registry-host", document)) == []


def test_a_local_registry_base_accepts_http(env: Environment) -> None:
    local = "http://127.0.0.1:8765"
    document = _moved(BADGE, local)
    for requirement in ("CTDL-registry-host", "CTDL-registry-https", "CTDL-ctid-matches-id"):
        assert _failed(_run(env, requirement, document, ctdl_registry=local)) == [], requirement
    assert _failed(_run(env, "CTDL-registry-host", document)) == []          # not a Registry host for production


def test_duplicate_ctids_compare_without_case(env: Environment) -> None:
    second = dict(GRAPH["@graph"][1], **{"@id": "https://lakeside.example.edu/org",
                                         "ceterms:ctid": GRAPH["@graph"][1]["ceterms:ctid"].upper().replace("CE-", "ce-")})
    document = dict(GRAPH, **{"@graph": [*GRAPH["@graph"], second]})
    assert _failed(_run(env, "CTDL-ctid-unique", document)) == ["/@graph/2/ceterms:ctid"]


@pytest.mark.parametrize(("tag", "ok"), [
    ("en", True), ("en-US", True), ("zh-Hant-TW", True), ("es-419", True), ("sl-rozaj-biske", True),
    ("x-private", True), ("de-CH-x-phonebk", True),
    ("english", False), ("en_US", False), ("", False), ("e", False), ("en-", False), ("123", False),
    ("i-klingon", True), ("i-notgrandfathered", False), ("abcd", False),
])
def test_language_tag_grammar(tag: str, ok: bool) -> None:
    """CTDL reads its language datatype as a coded language (the catalog notes of CTDL-language-code/-map say why)."""
    assert core_checks.is_language_tag(tag, coded_language=True) is ok


@pytest.mark.parametrize(("value", "failed"), [
    ("P6M", False), ("PT40H", False), ("P1Y2M10DT2H30M", False), ("P2W", False), ("PT0.5S", False),
    ("P", True), ("PT", True), ("6 months", True), ("P6", True), (6, True),
])
def test_duration_forms(env: Environment, value: object, failed: bool) -> None:
    document = copy.deepcopy(GRAPH)
    document["@graph"][0]["ceterms:estimatedDuration"][0]["ceterms:exactDuration"] = value
    assert bool(_failed(_run(env, "CTDL-duration", document))) is failed


@pytest.mark.parametrize(("value", "failed"), [
    ("2024-08-15", False), ("2024-02-29", False), ("2023-02-29", True), ("2024-8-15", True),
    ("2024-08-15T10:00:00Z", True),       # dateEffective is a date, not a date-time
    ("yesterday", True), (20240815, True),
])
def test_date_forms(env: Environment, value: object, failed: bool) -> None:
    document = copy.deepcopy(GRAPH)
    document["@graph"][0]["ceterms:dateEffective"] = value
    assert bool(_failed(_run(env, "CTDL-date", document))) is failed


@pytest.mark.parametrize(("value", "failed"), [
    ("https://example.edu/x", False), ("_:b3", False), ("credentialStat:Active", False), ("urn:isbn:0451450523", False),
    ("www.example.edu", True), ("/programs/1", True), ("https://example.edu/a b", True), ("nosuchprefix:x", True),
])
def test_iri_forms(env: Environment, value: str, failed: bool) -> None:
    document = copy.deepcopy(BADGE)
    document["ceterms:sameAs"] = [value]
    assert bool(_failed(_run(env, "CTDL-absolute-url", document))) is failed


@pytest.mark.parametrize("key", ["ceterms:studentId", "ceterms:learnerNumber", "schema:birthDate",
                                 "ceterms:socialSecurityNumber"])
def test_learner_identifier_property_names(env: Environment, key: str) -> None:
    document = dict(BADGE, **{key: "12345"})
    assert _failed(_run(env, "CTDL-no-learner-identifiers", document)) == [f"/{key}"]


def test_organization_email_is_not_personal(env: Environment) -> None:
    assert _failed(_run(env, "CTDL-no-personal-email", GRAPH)) == []


HOSTILE: list[Any] = [
    {"@context": CTX},
    {"@context": CTX, "@graph": []},
    {"@context": CTX, "@graph": [None, 3, [], "x"]},
    {"@context": CTX, "@type": 7, "@id": ["a"], "ceterms:ctid": {"x": 1}, "ceterms:name": [1, {"en": None}]},
    {"@context": CTX, "@type": ["ceterms:Certificate", None], "ceterms:credentialStatusType": [[], {"@type": []}],
     "ceterms:inLanguage": {"en": 1}, "ceterms:dateEffective": None, "ceterms:estimatedDuration": [{"@type": 5}]},
    {"decoded_resource": {"@context": CTX, "@graph": [{"@type": "ceterms:Certificate"}]}, "envelope_ceterms_ctid": 5},
    {"@context": [CTX, {"@vocab": "https://example.org/"}], "@graph": [{"@id": "_:" + "a" * 100_000}]},
]


@pytest.mark.parametrize("document", HOSTILE)
def test_hostile_publications_give_findings_not_errors(env: Environment, document: Any) -> None:
    for requirement in sorted(r for r in CHECK_REGISTRY.checks if r.startswith("CTDL-")):
        findings = _run(env, requirement, document)
        assert all(f.outcome is not Outcome.ERROR for f in findings), (requirement, findings)


@pytest.mark.parametrize("file", ["graph-certificate.json", "graph-framework.json", "envelope-organization.json",
                                  "resource-badge.json", "resource-badge-bom.json"])
def test_check_recognizes_ctdl_and_no_credential_standard(env: Environment, file: str) -> None:
    from conformance.run.runner import Runner

    runner = Runner(env, env.profile("default"))
    result = runner.evaluate(Subject(id=file, env=env, raw=(VECTORS / file).read_bytes()))
    assert "CTDL" in result.standards
    assert not {"VCDM11", "VCDM20", "OB30", "CLR20", "DI10", "TRUST10", "VCJOSE10"} & set(result.standards)
    core = {f.requirement: f.outcome for f in result.findings if f.requirement.startswith("CORE-")}
    assert core["CORE-recognized-document"] is Outcome.PASSED and core["CORE-utf8"] is Outcome.PASSED
