"""The runner: decoding, standard detection, embedded credentials, and errors that never become passes."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from conformance.core.checks import CheckContext, RegisteredCheck
from conformance.core.findings import Outcome, Verdict
from conformance.run.environment import Environment
from conformance.run.runner import Runner, _run_check, run_verdict
from conformance.run.targets.files import BytesTarget, FileTarget
from tests.documents import minimal_badge


def test_a_check_that_raises_is_an_error_naming_the_suite_not_a_pass() -> None:
    def broken(subject, ctx):  # noqa: ANN001, ANN202
        raise KeyError("boom")
    (finding,) = _run_check(RegisteredCheck("CORE-utf8", broken, CheckContext("CORE-utf8")), subject=None)  # type: ignore[arg-type]
    assert finding.outcome is Outcome.ERROR and "KeyError" in finding.message and "defect in the suite" in finding.message


def test_a_check_that_yields_nothing_passes() -> None:
    (finding,) = _run_check(RegisteredCheck("CORE-utf8", lambda s, c: iter(()), CheckContext("CORE-utf8")),
                            subject=None)  # type: ignore[arg-type]
    assert finding.outcome is Outcome.PASSED


def test_an_unreadable_file_is_an_error_on_its_own_requirement(env: Environment, tmp_path: Path) -> None:
    (result,) = Runner(env, env.profile("default")).run([FileTarget(tmp_path / "missing.json")])
    errors = [f for f in result.findings if f.outcome is Outcome.ERROR]
    assert [f.requirement for f in errors] == ["CORE-input-readable"] and result.verdict is Verdict.INCOMPLETE
    assert "missing.json" in errors[0].message


def test_unparseable_input_runs_only_the_core_rules(env: Environment) -> None:
    (result,) = Runner(env, env.profile("default")).run([BytesTarget("x", b"{nope", "x.json")])
    assert {f.requirement.split("-")[0] for f in result.findings} == {"CORE"} and result.standards == ()


def test_embedded_credentials_are_judged_with_absolute_locations(env: Environment) -> None:
    inner = minimal_badge()
    del inner["credentialSubject"]["achievement"]["name"]
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                    "verifiableCredential": [minimal_badge(), inner]}
    (result,) = Runner(env, env.profile("data-model")).run([BytesTarget("vp", json.dumps(presentation).encode())])
    failed = [f for f in result.findings if f.outcome is Outcome.FAILED and f.requirement.startswith("OB30")]
    assert failed and all(f.location.startswith("/verifiableCredential/1/credentialSubject/achievement")
                          for f in failed)
    assert all(f.subject == "vp#/verifiableCredential/1" for f in failed)
    assert "OB30" in result.standards


def test_embedding_stops_at_a_depth_limit(env: Environment) -> None:
    document: dict = minimal_badge()
    for _ in range(20):
        document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                    "verifiableCredential": [document]}
    (result,) = Runner(env, env.profile("data-model")).run([BytesTarget("deep", json.dumps(document).encode())])
    depths = {f.location.count("verifiableCredential") for f in result.findings}
    assert max(depths) == 8 and result.verdict in (Verdict.PASS, Verdict.FAIL)


def test_figures_and_measures_never_cost_findings(env: Environment) -> None:
    graph = (Path(__file__).resolve().parents[2] / "vectors" / "ctdl" / "pathways" / "pathway.json").read_bytes()
    runner = Runner(env, env.profile("default"))
    (plain,) = runner.run([BytesTarget("p", graph, "p.json")])
    assert plain.diagrams and plain.scores                      # the pathway standard draws, the policy measures

    def broken(*_: object) -> list[dict[str, str]]:
        raise RuntimeError("cannot draw")
    runner.illustrators = {prefix: broken for prefix in runner.illustrators}
    runner.measurers = {prefix: broken for prefix in runner.measurers}
    (without,) = runner.run([BytesTarget("p", graph, "p.json")])
    assert without.diagrams == () and without.scores == ()
    assert without.findings == plain.findings and without.verdict is plain.verdict


def test_annotations_follow_the_profile(env: Environment) -> None:
    from conformance.core.profiles import Profile

    graph = (Path(__file__).resolve().parents[2] / "vectors" / "ctdl" / "pathways" / "pathway.json").read_bytes()
    without = Profile("no-ctdl-annotations", "CTDL rules but not the policy or pathways",
                      exclude=("CTDLMIN*", "CTDLPATH-*"))
    (result,) = Runner(env, without).run([BytesTarget("p", graph, "p.json")])
    assert "CTDLPATH" not in result.standards and "CTDL" in result.standards   # recognized, but not judged...
    assert result.scores == () and result.diagrams == ()     # ...so nothing of it is drawn or measured


def _signed_badge_target(env: Environment) -> BytesTarget:
    from conformance.support.securing.signing import sign_document

    document = sign_document(minimal_badge(), [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)
    return BytesTarget("badge", json.dumps(document).encode(), "badge.json")


def test_a_rule_needing_an_input_the_run_lacks_is_out_of_scope(env: Environment) -> None:
    runner = Runner(env, env.profile("default"))
    (result,) = runner.run([_signed_badge_target(env)])
    assert "TRUST10-issuer-listed" not in {f.requirement for f in result.findings}
    assert runner.scope([result]).out_of_scope == {"TRUST10-issuer-listed": ("trust-list",)}
    assert result.verdict is Verdict.PASS


def test_a_profile_that_requires_the_missing_input_reports_it_not_tested(env: Environment) -> None:
    profile = replace(env.profile("default"), name="needs-trust", requires=frozenset({"trust-list"}))
    runner = Runner(env, profile)
    (result,) = runner.run([_signed_badge_target(env)])
    (finding,) = [f for f in result.findings if f.requirement == "TRUST10-issuer-listed"]
    assert finding.outcome is Outcome.UNTESTED and "requires a trust list (--trust-list)" in finding.message
    assert result.verdict is Verdict.INCOMPLETE
    scope = runner.scope([result])
    assert [n.requirement for n in scope.not_tested] == ["TRUST10-issuer-listed"] and not scope.out_of_scope


def test_a_procurement_profile_on_documents_alone_is_incomplete(env: Environment) -> None:
    runner = Runner(env, env.profile("ob30-issuer"))
    (result,) = runner.run([_signed_badge_target(env)])
    scope = runner.scope([result])
    untested = {n.requirement for n in scope.not_tested}
    assert untested and all("protocol" in env.catalog[rid].tags for rid in untested)
    assert {n.needs for n in scope.not_tested} == {"services"}
    assert result.verdict is Verdict.PASS and run_verdict([result], scope) is Verdict.INCOMPLETE


def test_a_detector_or_embedder_that_raises_is_an_error_never_a_silent_pass(env: Environment) -> None:
    runner = Runner(env, env.profile("data-model"))

    def broken(subject):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    runner.detectors["VCDM20"] = broken
    runner.embedders = [broken]
    (result,) = runner.run([BytesTarget("badge", json.dumps(minimal_badge()).encode(), "badge.json")])
    errors = [f for f in result.findings if f.outcome is Outcome.ERROR]
    assert {f.requirement for f in errors} == {"CORE-recognized-document"}
    messages = " | ".join(f.message for f in errors)
    assert "recognizing VCDM20 documents raised RuntimeError: boom" in messages
    assert "looking for embedded credentials" in messages and "a defect in the suite" in messages
    assert result.verdict is Verdict.INCOMPLETE


def test_a_run_made_without_an_instant_judges_every_rule_at_one(env: Environment) -> None:
    """An Environment without `at` reads the clock at each verification (the reference services want that); a run
    fixes one instant, so two rules of one run never judge time microseconds apart."""
    assert env.judging_instant is None
    first, second = Runner(env, env.profile("default")), Runner(env, env.profile("default"))
    assert first.env.judging_instant is not None
    assert first.env.judging_instant <= second.env.judging_instant
    assert env.judging_instant is None                       # the shared environment is left as it was


def test_a_run_keeps_the_instant_it_is_given(env: Environment) -> None:
    at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    runner = Runner(env.with_options(replace(env.options, now=at)), env.profile("default"))
    assert runner.env.judging_instant == at
