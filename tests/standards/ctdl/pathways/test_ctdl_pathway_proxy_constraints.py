"""CTDLPATH-proxy-class and CTDLPATH-required-constraints on variations of the pathway vector, and the proxy table
checked against the pinned CTDL encoding (entries, coverage, and that each entry is borne out by the definitions)."""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.schema import CTDL_ENCODING, CTDLASN_ENCODING
from conformance.standards.ctdl.pathways.proxy import ProxyTableError, load_table, proxy_table
from conformance.standards.ctdl.views import ctdl_schema

if TYPE_CHECKING:
    from conformance.run.environment import Environment

VECTORS = Path(__file__).resolve().parents[4] / "vectors" / "ctdl" / "pathways"
PATHWAY = json.loads((VECTORS / "pathway.json").read_text(encoding="utf-8"))
R = "https://credentialengineregistry.org/resources/"
CERTIFICATE = R + "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"      # served by the pathways manifest as a Certificate
ELSEWHERE = R + "ce-3f0f6c1e-2f4b-4c55-9d1a-6f8e0b7c2a91"        # served by nothing
COURSE = R + "ce-8b1f0a52-71c4-4d0e-b7a5-3c9e2d6f1a08"
PROGRAM = R + "ce-0d7e9c3b-5a61-4f28-8e4d-b2c1a9f05e36"
OCCUPATION = R + "ce-6a2c4e8f-1b3d-4579-a0c2-e4f6b8d0a1c3"
UNTYPED = R + "ce-9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"
DESTINATION, COURSE_COMPONENT, JOB_COMPONENT, WORK_CONDITION = 1, 2, 5, 6
PROXY = "ceterms:proxyFor"
Change = Callable[[dict[str, Any]], None]


def run(env: Environment, requirement: str, document: Any) -> list[Finding]:
    subject = Subject(id="doc.json", env=env, raw=orjson.dumps(document))
    return list(env.check_registry.checks[requirement].run(subject))


def graph(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["@graph"]


def set_(index: int, key: str, value: Any) -> Change:
    return lambda d: graph(d)[index].__setitem__(key, value)


def publish(node_id: str, kind: str | None) -> Change:
    """Adds a resource to the document so a proxy can resolve to it without any lookup."""
    node: dict[str, Any] = {"@id": node_id, "ceterms:ctid": node_id.rsplit("/", 1)[1],
                            "ceterms:name": {"en-US": "Some resource"}}
    if kind is not None:
        node["@type"] = kind
    return lambda d: graph(d).append(node)


def both(*changes: Change) -> Change:
    def apply(document: dict[str, Any]) -> None:
        for change in changes:
            change(document)
    return apply


def drop(index: int, key: str) -> Change:
    return lambda d: graph(d)[index].pop(key)


PROXY_CASES: list[tuple[str, Change | None, set[Outcome]]] = [
    ("as published (credential component for a certificate)", None, set()),
    ("course component for the certificate", set_(COURSE_COMPONENT, PROXY, CERTIFICATE), {Outcome.FAILED}),
    ("course component for a course", both(publish(COURSE, "ceterms:Course"),
                                           set_(COURSE_COMPONENT, PROXY, COURSE)), set()),
    ("course component for a learning program (a subclass)", both(
        publish(PROGRAM, "ceterms:LearningProgram"), set_(COURSE_COMPONENT, PROXY, [PROGRAM])), set()),
    ("job component for an occupation", both(publish(OCCUPATION, "ceterms:Occupation"),
                                             set_(JOB_COMPONENT, PROXY, OCCUPATION)), set()),
    ("job component for a course", both(publish(COURSE, "ceterms:Course"), set_(JOB_COMPONENT, PROXY, COURSE)),
     {Outcome.FAILED}),
    ("credentialType narrower than the certificate",
     set_(DESTINATION, "ceterms:credentialType", "ceterms:BachelorDegree"), {Outcome.FAILED}),
    ("credentialType broader than the certificate", set_(DESTINATION, "ceterms:credentialType", "ceterms:Credential"),
     set()),
    ("credentialType as a full IRI", set_(DESTINATION, "ceterms:credentialType",
                                          {"@id": "https://purl.org/ctdl/terms/Certificate"}), set()),
    ("credentialType that is no class", set_(DESTINATION, "ceterms:credentialType", "credentialType:Whatever"),
     set()),
    ("no credentialType", drop(DESTINATION, "ceterms:credentialType"), set()),
    ("legacy sourceData on a course component", set_(COURSE_COMPONENT, "ceterms:sourceData", CERTIFICATE),
     {Outcome.FAILED}),
    ("basic component for anything", both(set_(COURSE_COMPONENT, "@type", "ceterms:BasicComponent"),
                                          set_(COURSE_COMPONENT, PROXY, CERTIFICATE)), set()),
    ("target not served anywhere (offline)", set_(DESTINATION, PROXY, ELSEWHERE), {Outcome.CANT_TELL}),
    ("target is a web page, not a Registry resource",
     set_(DESTINATION, PROXY, "https://riverside.example.edu/certificates/pharmacy"), {Outcome.CANT_TELL}),
    ("target is a missing blank node", set_(DESTINATION, PROXY, "_:nothing"), {Outcome.CANT_TELL}),
    ("target states no class", both(publish(UNTYPED, None), set_(DESTINATION, PROXY, UNTYPED)), {Outcome.CANT_TELL}),
    ("target has a class the vocabulary lacks", both(publish(UNTYPED, "ceterms:Diplomat"),
                                                    set_(DESTINATION, PROXY, UNTYPED)), {Outcome.CANT_TELL}),
    ("no component names a proxy", drop(DESTINATION, PROXY), {Outcome.INAPPLICABLE}),
]


@pytest.mark.parametrize(("label", "change", "expected"), PROXY_CASES, ids=[c[0] for c in PROXY_CASES])
def test_proxy_class(env: Environment, label: str, change: Change | None, expected: set[Outcome]) -> None:
    document = copy.deepcopy(PATHWAY)
    if change is not None:
        change(document)
    findings = run(env, "CTDLPATH-proxy-class", document)
    assert {f.outcome for f in findings} == expected, [f.message for f in findings]
    for finding in findings:
        if finding.outcome is Outcome.FAILED:
            assert finding.location.endswith(("/ceterms:proxyFor", "/ceterms:sourceData")), finding.location
            assert "expected" in finding.message and "ce-" in finding.message
            assert finding.evidence["nodes"][0] == graph(document)[
                int(finding.location.split("/")[2])]["@id"], "the component comes first, for the diagram"
        if finding.outcome is Outcome.CANT_TELL:
            assert finding.location.startswith("/@graph/")


def constraint(required: Any, entries: Any = ...) -> Change:
    def apply(document: dict[str, Any]) -> None:
        node = graph(document)[WORK_CONDITION]
        node["ceterms:requiredConstraints"] = required
        if entries is not ...:
            node["ceterms:hasConstraint"] = entries
    return apply


ONE = [{"@type": "ceterms:Constraint", "ceterms:name": {"en-US": "Hours worked"}, "ceterms:comparator": "compare:GTEQ"}]

CONSTRAINT_CASES: list[tuple[str, Change | None, set[Outcome]]] = [
    ("not stated anywhere", None, {Outcome.INAPPLICABLE}),
    ("one of one", constraint(1, ONE), set()),
    ("zero of one", constraint(0, ONE), set()),
    ("a typed literal", constraint({"@value": "1"}, ONE), set()),
    ("a single constraint not in a list", constraint(1, ONE[0]), set()),
    ("two of one", constraint(2, ONE), {Outcome.FAILED}),
    ("one of none", constraint(1), {Outcome.FAILED}),
    ("negative", constraint(-1, ONE), {Outcome.FAILED}),
    ("not a number", constraint("one", ONE), {Outcome.FAILED}),
    ("a fraction", constraint(0.5, ONE), {Outcome.FAILED}),
    ("on a condition embedded in a component", lambda d: graph(d)[DESTINATION]["ceterms:hasCondition"][0].update(
        {"ceterms:requiredConstraints": 3, "ceterms:hasConstraint": ONE * 2}), {Outcome.FAILED}),
]


@pytest.mark.parametrize(("label", "change", "expected"), CONSTRAINT_CASES, ids=[c[0] for c in CONSTRAINT_CASES])
def test_required_constraints(env: Environment, label: str, change: Change | None, expected: set[Outcome]) -> None:
    document = copy.deepcopy(PATHWAY)
    if change is not None:
        change(document)
    findings = run(env, "CTDLPATH-required-constraints", document)
    assert {f.outcome for f in findings} == expected, [f.message for f in findings]
    for finding in findings:
        if finding.outcome is Outcome.FAILED:
            assert finding.location.endswith("/ceterms:requiredConstraints")
            assert finding.evidence["nodes"] == (graph(document)[DESTINATION]["@id"],)
            assert "expected" in finding.message


@pytest.mark.parametrize("hostile", [
    {PROXY: [None, 5, {"x": 1}, ["nested"], {"@id": 7}], "ceterms:credentialType": [None, {"@id": None}]},
    {PROXY: {"@id": CERTIFICATE, "@type": "ceterms:Certificate"}},
    {"ceterms:sourceData": "", PROXY: "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"},
])
def test_odd_proxy_values_give_findings_not_errors(env: Environment, hostile: dict[str, Any]) -> None:
    document = copy.deepcopy(PATHWAY)
    graph(document)[DESTINATION].update(hostile)
    graph(document)[WORK_CONDITION].update({"ceterms:requiredConstraints": {"@value": None},
                                            "ceterms:hasConstraint": "not-a-list"})
    for requirement in ("CTDLPATH-proxy-class", "CTDLPATH-required-constraints"):
        findings = run(env, requirement, document)
        assert findings, requirement
        assert Outcome.ERROR not in {f.outcome for f in findings}, [f.message for f in findings]


def test_a_bare_ctid_proxy_resolves_like_its_registry_uri(env: Environment) -> None:
    document = copy.deepcopy(PATHWAY)
    graph(document)[COURSE_COMPONENT][PROXY] = "ce-5e41ae5e-4041-46b8-929d-1e9adaa13b05"
    assert {f.outcome for f in run(env, "CTDLPATH-proxy-class", document)} == {Outcome.FAILED}


# -- the table ---------------------------------------------------------------------------------------------------


def test_the_table_agrees_with_the_pinned_vocabulary(env: Environment) -> None:
    table = proxy_table()
    assert table.problems(_schema(env)) == []
    assert table.rules["ceterms:CredentialComponent"].narrowed_by == "ceterms:credentialType"
    assert {r for r, rule in table.rules.items() if rule.judged} == {
        "ceterms:CredentialComponent", "ceterms:CourseComponent", "ceterms:AssessmentComponent",
        "ceterms:CompetencyComponent", "ceterms:JobComponent"}


def _schema(env: Environment) -> Any:
    subject = Subject(id="doc.json", env=env, raw=orjson.dumps(PATHWAY))
    return ctdl_schema(subject)


def _definitions(env: Environment) -> dict[str, str]:
    found: dict[str, str] = {}
    for url in (CTDL_ENCODING, CTDLASN_ENCODING):
        data = env.store.get(url)
        assert data is not None, url
        for node in orjson.loads(data)["@graph"]:
            comment = node.get("rdfs:comment")
            if node.get("@type") == "rdfs:Class" and isinstance(comment, dict):
                found[node["@id"]] = str(comment.get("en-US", ""))
    return found


_WORD = re.compile(r"[a-z]+")
_LEAD = frozenset({"resource", "that", "identifies", "another", "describes", "a", "an", "the", "of", "or", "and",
                   "to", "in", "for", "is", "one", "more", "such", "as"})


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _LEAD}


def _supported(component: str, target: str, definitions: dict[str, str]) -> bool:
    """The component's definition restates the target's, shares most of its words, or names the class."""
    mine, theirs = definitions[component].casefold(), definitions.get(target, "").casefold().rstrip(".")
    if theirs and theirs in mine:
        return True
    ours, other = _words(mine), _words(theirs)
    if other and len(ours & other) / len(other) >= 0.5:
        return True
    label = re.sub(r"(?<!^)(?=[A-Z])", " ", target.split(":", 1)[1]).casefold()
    return label in mine


def test_every_judged_entry_is_borne_out_by_the_definitions(env: Environment) -> None:
    definitions = _definitions(env)
    schema = _schema(env)
    for rule in proxy_table().rules.values():
        if not rule.judged:
            continue
        # the entry names the class the definition describes, or a parent of it (a wider family the Registry uses)
        assert any(_supported(rule.component, target, definitions)
                   or any(_supported(rule.component, sub, definitions) for sub in schema.subclasses(target))
                   for target in rule.stands_for), rule.component


def test_a_table_with_an_unknown_class_is_reported(env: Environment, tmp_path: Path) -> None:
    broken = tmp_path / "proxy-targets.toml"
    broken.write_text('[[component]]\nclass = "ceterms:CourseComponent"\nstands_for = ["ceterms:Lecture"]\n'
                      'basis = "made up for the test"\n', encoding="utf-8")
    problems = load_table(broken).problems(_schema(env))
    assert any("ceterms:Lecture" in p for p in problems)
    assert any("ceterms:JobComponent has no entry" in p for p in problems)


@pytest.mark.parametrize("text", [
    '[[component]]\nclass = "ceterms:CourseComponent"\nbasis = "no stands_for at all"\n',
    '[[component]]\nclass = "Course"\nstands_for = []\nbasis = "not a component class name"\n',
    '[[component]]\nclass = "ceterms:CourseComponent"\nstands_for = []\nbasis = "twice over"\n' * 2,
    'component = "not a table"\n',
    '[[component\n',
])
def test_a_malformed_table_is_refused(tmp_path: Path, text: str) -> None:
    broken = tmp_path / "proxy-targets.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ProxyTableError):
        load_table(broken)
