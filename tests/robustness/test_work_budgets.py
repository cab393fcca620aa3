"""Work budgets (issue 13): every verification step of an input charges one budget, and one for the run; running out
is an `error` naming the budget, never a hang, never a pass, never the input's failure.

The budgets that count (JSON-LD operations, proofs, fetches) are deterministic, so these tests set small ones and
assert exactly where the work stops. The time budget is tested with a limit already spent."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from conformance.core.findings import Finding, Outcome, Verdict
from conformance.core.work import RunSpending, WorkBudgetExhausted, WorkLimits, charge, spending
from conformance.run.environment import Environment
from conformance.run.runner import MAX_FINDINGS_PER_RULE, Runner, SubjectResult
from conformance.run.targets.files import BytesTarget
from conformance.support.net import FetchError, FetchReason
from conformance.support.securing.proofs import canonical
from conformance.support.securing.signing import sign_document
from tests.documents import minimal_badge


def signed_badge(env: Environment, **changes: Any) -> dict[str, Any]:
    return sign_document({**minimal_badge(), **changes}, [{"key": "issuer-ed25519"}], env.verifier.canonicalizer)


def with_proofs(document: dict[str, Any], count: int) -> dict[str, Any]:
    """The document's one proof, copied `count` times with distinct ids (each then fails its signature)."""
    proof = document["proof"]
    return {**document, "proof": [{**proof, "id": f"urn:proof:{i}"} for i in range(count)]}


def judge(env: Environment, *documents: dict[str, Any], limits: WorkLimits | None = None,
          profile: str = "default") -> list[SubjectResult]:
    run_env = copy.copy(env)                 # the same run services and caches, other budgets
    run_env.work_limits = limits or WorkLimits()
    targets = [BytesTarget(f"doc{i}", json.dumps(d).encode(), f"doc{i}.json") for i, d in enumerate(documents)]
    return list(Runner(run_env, run_env.profile(profile)).run(targets))


def online_with(env: Environment, fetch: Any) -> Environment:
    """The run's environment with --online, fetching through `fetch` and knowing no documents (fresh verifier)."""
    return replace(env, online=True, fetch=fetch, documents={})


def errors(result: SubjectResult) -> list[Finding]:
    return [f for f in result.findings if f.outcome is Outcome.ERROR]


def no_suite_defects(result: SubjectResult) -> None:
    assert not [f for f in result.findings if "a defect in the suite" in f.message]


# --- the budget itself ---------------------------------------------------------------------------------------------

def test_charges_outside_a_run_cost_nothing() -> None:
    charge("proofs", 10**9)          # a reference service or a signing helper: no input is being judged


def test_an_input_budget_stops_at_its_limit_and_stays_stopped() -> None:
    run = RunSpending(WorkLimits(document_proofs=2))
    with spending("doc", run) as spent:
        charge("proofs")
        charge("proofs")
        with pytest.raises(WorkBudgetExhausted) as first:
            charge("proofs")
        with pytest.raises(WorkBudgetExhausted) as again:
            charge("fetches")            # another kind: the input's work has stopped all the same
    assert first.value.message == ("the input's work budget of 2 proof verifications is exhausted "
                                   "(--work-budget document-proofs)")
    assert again.value.message == first.value.message and spent.exhausted == first.value.message


def test_the_run_budget_spans_inputs() -> None:
    run = RunSpending(WorkLimits(run_fetches=3))
    with spending("a", run):
        charge("fetches", 2)
    with spending("b", run), pytest.raises(WorkBudgetExhausted) as caught:
        charge("fetches", 2)
    assert caught.value.message == "the run's work budget of 3 fetches is exhausted (--work-budget run-fetches)"


def test_a_spent_clock_stops_the_next_charge() -> None:
    run = RunSpending(WorkLimits(document_seconds=0.001))
    with spending("doc", run) as spent:
        spent.started -= 1.0
        with pytest.raises(WorkBudgetExhausted, match=r"the input's time budget of 0.001 s is exhausted"):
            charge("jsonld-operations")


@pytest.mark.parametrize(("settings", "message"), [
    ({"document-proofs": "0"}, "expected a positive value"),
    ({"document-proofs": "many"}, "expected a whole number"),
    ({"document-seconds": "nan"}, "expected a positive value"),
    ({"proofs": "5"}, "expected one of document-fetches"),
])
def test_bad_settings_are_refused_saying_what_was_expected(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkLimits.parse(settings)


def test_settings_parse_to_limits_and_none_lifts_one() -> None:
    limits = WorkLimits.parse({"document-proofs": "50", "run-seconds": "600", "document-fetches": "none"})
    assert (limits.document_proofs, limits.run_seconds, limits.document_fetches) == (50, 600.0, None)
    assert limits.described()["document-proofs"] == 50


# --- through the runner --------------------------------------------------------------------------------------------

def test_a_conforming_badge_passes_within_the_default_budget(env: Environment) -> None:
    (result,) = judge(env, signed_badge(env))
    assert result.verdict is Verdict.PASS, [f.message for f in result.findings if f.outcome is not Outcome.PASSED]


def test_too_many_proofs_stop_at_the_proof_budget_as_errors_naming_it(env: Environment) -> None:
    (result,) = judge(env, with_proofs(signed_badge(env), 5), limits=WorkLimits(document_proofs=3))
    stopped = errors(result)
    assert stopped and {f.requirement for f in stopped} >= {"DI10-signature-verifies", "OB30-proof-verifies"}
    assert all("the input's work budget of 3 proof verifications is exhausted (--work-budget document-proofs)"
               in f.message for f in stopped)
    assert result.verdict is Verdict.INCOMPLETE
    no_suite_defects(result)


def test_a_small_jsonld_budget_stops_json_ld_processing_not_the_structural_rules(env: Environment) -> None:
    (result,) = judge(env, signed_badge(env), limits=WorkLimits(document_jsonld_operations=5))
    stopped = {f.requirement for f in errors(result)}
    assert "DI10-signature-verifies" in stopped and "DI10-lossless" in stopped
    assert all("the input's work budget of 5 JSON-LD operations is exhausted" in f.message for f in errors(result))
    passed = {f.requirement for f in result.findings if f.outcome is Outcome.PASSED}
    assert "VCDM20-issuer-url-or-object" in passed         # rules that need no JSON-LD still judge
    assert result.verdict is Verdict.INCOMPLETE
    no_suite_defects(result)


def test_a_failure_found_before_the_budget_ran_out_still_fails(env: Environment) -> None:
    document = with_proofs(signed_badge(env), 4)
    (result,) = judge(env, document, limits=WorkLimits(document_proofs=200))
    assert result.verdict is Verdict.FAIL                    # copied proofs do not verify
    (stopped,) = judge(env, document, limits=WorkLimits(document_proofs=1))
    assert stopped.verdict is Verdict.INCOMPLETE             # the first proof alone decided nothing... yet
    assert any(f.outcome is Outcome.ERROR and f.requirement == "DI10-signature-verifies" for f in stopped.findings)


def test_the_run_budget_leaves_later_inputs_undecided(env: Environment) -> None:
    first, second = judge(env, signed_badge(env), signed_badge(env), limits=WorkLimits(run_proofs=1))
    assert first.verdict is Verdict.PASS
    assert second.verdict is Verdict.INCOMPLETE
    assert any("the run's work budget of 1 proof verifications is exhausted" in f.message for f in errors(second))


def test_a_spent_run_clock_ends_every_later_input_quickly(env: Environment) -> None:
    run_env = copy.copy(env)
    run_env.work_limits = WorkLimits(run_seconds=0.001)
    runner = Runner(run_env, run_env.profile("default"))
    runner.spending.started -= 1.0
    (result,) = runner.run([BytesTarget("late", json.dumps(signed_badge(env)).encode(), "late.json")])
    assert result.verdict is Verdict.INCOMPLETE
    assert any("the run's time budget of 0.001 s is exhausted (--work-budget run-seconds)" in f.message
               for f in errors(result))


# --- the cases of issue 13 -------------------------------------------------------------------------------------------

def _poison(size: int = 10) -> list[dict[str, Any]]:
    """Blank nodes that all point at each other: first-degree hashing cannot tell them apart."""
    p = "https://example.org/knows"
    return [{"@id": f"_:n{i}", p: [{"@id": f"_:n{j}"} for j in range(size) if j != i]} for i in range(size)]


def test_a_poison_graph_behind_many_proofs_is_canonicalized_once(env: Environment,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    poisoned = []
    real_main = canonical._BoundedRdfc.main

    def counted(self: Any, dataset: Any, options: Any) -> Any:
        try:
            return real_main(self, dataset, options)
        except canonical.CanonicalizationTimeout:
            poisoned.append(1)
            raise

    monkeypatch.setattr(canonical._BoundedRdfc, "main", counted)
    monkeypatch.setattr(env.verifier.canonicalizer, "max_work", 500)     # deterministic: the poison stops here
    document = with_proofs({**signed_badge(env), "https://example.org/poison": _poison()}, 40)
    (result,) = judge(env, document)
    proofs = [f for f in result.findings if f.requirement == "DI10-signature-verifies"]
    assert len([f for f in proofs if f.outcome is Outcome.ERROR]) == 40
    assert all("500 blank-node permutations" in f.message for f in proofs if f.outcome is Outcome.ERROR)
    assert len(poisoned) == 1                # the other 39 proofs are told at once: the same document, the same bound
    assert result.verdict is Verdict.INCOMPLETE


def test_proofs_naming_every_other_proof_as_previous_verify_each_once(env: Environment) -> None:
    document = signed_badge(env)
    ids = [f"urn:proof:{i}" for i in range(12)]
    document["proof"] = [{**document["proof"], "id": pid, "previousProof": [o for o in ids if o != pid]}
                         for pid in ids]
    (result,) = judge(env, document)
    verdicts = [f for f in result.findings if f.requirement == "DI10-signature-verifies"]
    assert len([f for f in verdicts if f.outcome is Outcome.FAILED]) == 12
    no_suite_defects(result)


def test_hanging_verification_methods_are_asked_once_and_never_pass(env: Environment) -> None:
    asked: list[str] = []

    def hanging(url: str) -> bytes:
        asked.append(url)
        raise FetchError(FetchReason.TIMEOUT, f"{url} did not answer within 10 s", url=url)

    online = online_with(env, hanging)
    document = signed_badge(env)
    method = "https://keys.vendor.example/issuer#key-1"
    document["proof"] = [{**document["proof"], "id": f"urn:proof:{i}", "verificationMethod": method}
                         for i in range(10)]
    (result,) = judge(online, document)
    assert asked == ["https://keys.vendor.example/issuer"]
    assert result.verdict is Verdict.INCOMPLETE
    resolves = [f for f in result.findings if f.requirement == "DI10-verification-method-resolves"]
    assert resolves and all(f.outcome is Outcome.CANT_TELL for f in resolves)


def test_fetches_beyond_the_input_budget_are_not_made(env: Environment) -> None:
    asked: list[str] = []

    def refusing(url: str) -> bytes:
        asked.append(url)
        raise FetchError(FetchReason.CONNECTION, f"{url} refuses the connection", url=url)

    online = online_with(env, refusing)
    document = signed_badge(env)
    document["proof"] = [{**document["proof"], "id": f"urn:proof:{i}",
                          "verificationMethod": f"https://keys{i}.vendor.example/issuer#key-1"} for i in range(6)]
    (result,) = judge(online, document, limits=WorkLimits(document_fetches=2))
    assert len(asked) == 2
    assert any("the input's work budget of 2 fetches is exhausted" in f.message for f in errors(result))
    assert result.verdict is Verdict.INCOMPLETE


def test_a_rule_failing_everywhere_lists_a_bounded_number_of_findings(env: Environment) -> None:
    badge = minimal_badge()
    badge["type"] = [*badge["type"], *[0] * 5_000]
    (result,) = judge(env, badge, profile="data-model")
    listed = [f for f in result.findings if f.requirement == "VCDM20-type-values-strings"]
    assert len(listed) == MAX_FINDINGS_PER_RULE + 1
    assert all(f.outcome is Outcome.FAILED for f in listed)
    assert listed[-1].location == "" and listed[-1].message == (
        f"{MAX_FINDINGS_PER_RULE} findings of this rule are listed for this input; the check stops there: the rule "
        "has failed, and further findings cannot change that")
    assert result.verdict is Verdict.FAIL


# --- the command line ----------------------------------------------------------------------------------------------

def test_check_takes_work_budgets_and_records_them(env: Environment, tmp_path: Any) -> None:
    from click.testing import CliRunner

    from conformance.cli import EXIT_CODES, main

    document = tmp_path / "badge.json"
    document.write_text(json.dumps(with_proofs(signed_badge(env), 3)))
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["check", str(document), "--work-budget", "document-proofs=1", "--out", str(out)])
    assert done.exit_code == EXIT_CODES[Verdict.INCOMPLETE], done.output
    results = json.loads((out / "results.json").read_text())
    assert results["environment"]["work_budget"]["document-proofs"] == 1
    messages = [f["message"] for r in results["results"] for f in r["findings"] if f["outcome"] == "error"]
    assert any("work budget of 1 proof verifications is exhausted" in m for m in messages)


@pytest.mark.parametrize("setting", ["document-proofs=0", "proofs=5", "document-proofs"])
def test_check_refuses_a_bad_work_budget_in_one_line(tmp_path: Any, setting: str) -> None:
    from click.testing import CliRunner

    from conformance.cli import EXIT_ERROR, main

    document = tmp_path / "badge.json"
    document.write_text(json.dumps(minimal_badge()))
    done = CliRunner().invoke(main, ["check", str(document), "--work-budget", setting])
    assert done.exit_code == EXIT_ERROR
    assert "--work-budget" in done.output and "Traceback" not in done.output
