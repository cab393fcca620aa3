"""The vacuous-pass gate: on a document that carries nothing but what a standard needs to recognize it, a rule may
pass only when vectors/bare/documents.toml says why (it judges what a bare document has, or forbids what it lacks).
Any other rule that passes there inspected nothing, and nothing inspected is `inapplicable`, never `passed`."""
from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.resources import vectors_dir

MANIFEST = tomllib.loads((vectors_dir() / "bare" / "documents.toml").read_text(encoding="utf-8"))
COMMON = frozenset(MANIFEST["common"]["passes"])


@pytest.mark.parametrize("bare", MANIFEST["bare"], ids=[b["id"] for b in MANIFEST["bare"]])
def test_only_listed_rules_pass_on_a_bare_document(bare: dict[str, Any], env: Environment) -> None:
    runner = Runner(env, env.profile("default"))
    target = BytesTarget(id=bare["id"], data=json.dumps(bare["document"]).encode(), name=f"{bare['id']}.json")
    (result,) = list(runner.run([target]))
    assert result.standards, f"{bare['id']} is not recognized by any standard"
    outcomes: dict[str, set[Outcome]] = {}
    for finding in result.findings:
        outcomes.setdefault(finding.requirement, set()).add(finding.outcome)
    passing = {rid for rid, seen in outcomes.items() if seen == {Outcome.PASSED}}
    allowed = COMMON | set(bare["passes"])
    vacuous = sorted(passing - allowed)
    assert not vacuous, f"{bare['id']}: these rules pass on a document without their subject matter: {vacuous}"
    stale = sorted(allowed - passing)
    assert not stale, f"{bare['id']}: listed as passing but do not pass (update the manifest): {stale}"
