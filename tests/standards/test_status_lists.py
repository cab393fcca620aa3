"""BSL10, SL2021 and OB30-revocation-list-status where vectors cannot reach: a list nobody serves (offline) is
cantTell and never a pass or a failure; an HTML page at the list URL is cantTell; a failure of ours is error; and the
table from status problems to validate steps follows what conformance.support.securing.status reports. Pass/fail semantics per
requirement are shown by vectors/vc-bitstring-status-list, vectors/vc-status-list-2021 and vectors/ob/3.0/revocation."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.core.checks import CheckContext
from conformance.core.findings import Finding, Outcome
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.standards.status_list_steps import (
    Entry,
    Step,
    judge_steps,
    judge_verdict,
    step_of,
)
from conformance.support.securing.status import (
    StatusVerdict,
    bitstring_entry,
    check_credential_status,
    make_bitstring,
    status_list_credential,
)
from tests.conftest import artifacts_dir

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
LIST_URL = "https://status.unit.example.org/lists/1"
BSL_IDS = ["BSL10-list-retrievable", "BSL10-list-verifies", "BSL10-list-type", "BSL10-purpose-matches",
           "BSL10-encoded-list-decodes", "BSL10-list-minimum-length", "BSL10-index-in-range", "BSL10-not-revoked"]
SL2021_IDS = [rid.replace("BSL10", "SL2021") for rid in BSL_IDS]


def _load(relative: str) -> dict[str, Any]:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def _credential(kind: str, list_url: str = LIST_URL, index: int = 0) -> dict[str, Any]:
    if kind == "bitstring":
        document = _load("vc-bitstring-status-list/1.0/valid/credential.json")
    else:
        document = _load("vc-status-list-2021/1.0/valid/credential.json")
    document["credentialStatus"] = bitstring_entry(list_url, index, kind="bitstring" if kind == "bitstring" else "2021")
    return document


def _findings(env: Environment, document: Mapping[str, Any], prefix: str) -> dict[str, list[Finding]]:
    runner = Runner(env, env.profile("default"))
    (result,) = list(runner.run([BytesTarget(id="unit", data=json.dumps(document).encode(), name="unit.json")]))
    by_id: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.requirement.startswith(prefix):
            by_id.setdefault(finding.requirement, []).append(finding)
    return by_id


def _outcomes(findings: dict[str, list[Finding]], rid: str) -> set[Outcome]:
    return {f.outcome for f in findings.get(rid, [])}


@pytest.fixture(scope="module")
def offline() -> Environment:
    """No known documents and no network: every list is unreachable."""
    return Environment.create(artifacts=artifacts_dir())


# --- offline: cantTell, never a pass or a failure ---------------------------------------------------------------

@pytest.mark.parametrize(("kind", "prefix", "ids"), [("bitstring", "BSL10", BSL_IDS), ("2021", "SL2021", SL2021_IDS)])
def test_an_unreachable_list_offline_is_cant_tell_at_every_list_step(
        offline: Environment, kind: str, prefix: str, ids: list[str]) -> None:
    findings = _findings(offline, _credential(kind), prefix)
    retrievable = findings[f"{prefix}-list-retrievable"]
    assert [f.outcome for f in retrievable] == [Outcome.CANT_TELL], retrievable
    assert "--online" in retrievable[0].message and LIST_URL in retrievable[0].message, retrievable[0].message
    for rid in ids:
        assert _outcomes(findings, rid) == {Outcome.CANT_TELL}, f"{rid}: {findings.get(rid)}"
    # the entry itself is read without fetching, so it is still judged
    assert _outcomes(findings, f"{prefix}-entry-well-formed") == {Outcome.PASSED}


def test_an_unreachable_revocation_list_offline_is_cant_tell(offline: Environment) -> None:
    badge = _load("ob/3.0/revocation/valid/credential.json")
    findings = _findings(offline, badge, "OB30-revocation")
    assert _outcomes(findings, "OB30-revocation-list-status") == {Outcome.CANT_TELL}, findings


def test_an_html_page_at_the_list_url_is_cant_tell_not_a_failure(offline: Environment) -> None:
    served = replace(offline, documents={LIST_URL: b"<!doctype html><html><body>Service unavailable</body></html>"})
    findings = _findings(served, _credential("bitstring"), "BSL10")
    assert _outcomes(findings, "BSL10-list-retrievable") == {Outcome.CANT_TELL}, findings
    assert not any(f.outcome is Outcome.FAILED for group in findings.values() for f in group), findings


def test_a_served_list_is_retrieved_and_read(offline: Environment) -> None:
    from conformance.support.securing.keys.testkeys import suite_key
    from conformance.support.securing.signing import sign_document

    bits = make_bitstring(131_072, {3})
    unsigned = status_list_credential(LIST_URL, suite_key("status-ed25519").did, bits)
    signed = sign_document(unsigned, [{"key": "status-ed25519"}], offline.verifier.canonicalizer)
    served = replace(offline, documents={LIST_URL: json.dumps(signed).encode()})
    clear = _findings(served, _credential("bitstring", index=0), "BSL10")
    for rid in BSL_IDS:
        assert _outcomes(clear, rid) == {Outcome.PASSED}, f"{rid}: {clear.get(rid)}"
    revoked = _findings(served, _credential("bitstring", index=3), "BSL10")
    assert _outcomes(revoked, "BSL10-not-revoked") == {Outcome.FAILED}
    assert _outcomes(revoked, "BSL10-list-retrievable") == {Outcome.PASSED}


def test_a_badge_without_id_fails_its_revocation_list(offline: Environment) -> None:
    badge = _load("ob/3.0/revocation/valid/credential.json")
    del badge["id"]
    served = replace(offline, documents={"https://status.example.edu/ob/revocations": b'{"revokedCredential": []}'})
    findings = _findings(served, badge, "OB30-revocation")
    (finding,) = findings["OB30-revocation-list-status"]
    assert finding.outcome is Outcome.FAILED and finding.location == "/id", finding


# --- problems placed at the right validate step -------------------------------------------------------------------

def _list(**changes: Any) -> dict[str, Any]:
    document = status_list_credential(LIST_URL, "did:example:lists", make_bitstring(131_072, {5}))
    for path, value in changes.items():
        node = document
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        if value is _DROP:
            del node[last]
        else:
            node[last] = value
    return document


_DROP = object()
_ALWAYS: Callable[[Mapping[str, Any], bytes], bool] = lambda document, raw: True


@pytest.mark.parametrize(("served", "entry_changes", "verifier", "expected"), [
    (None, {}, _ALWAYS, Step.RETRIEVAL),
    (_list(), {}, lambda document, raw: False, Step.PROOF),
    (_list(type=["VerifiableCredential"]), {}, _ALWAYS, Step.LIST_TYPE),
    (_list(validUntil="2024-06-01T00:00:00Z"), {}, _ALWAYS, Step.VALIDITY),
    (_list(credentialSubject__type="Other"), {}, _ALWAYS, Step.LIST_SUBJECT),
    (_list(credentialSubject__statusPurpose=7), {}, _ALWAYS, Step.LIST_PURPOSE),
    (_list(credentialSubject__encodedList="uAAAA"), {}, _ALWAYS, Step.ENCODING),
    (_list(credentialSubject__encodedList=_DROP), {}, _ALWAYS, Step.ENCODING),
    (_list(credentialSubject__ttl="soon"), {}, _ALWAYS, Step.TTL),
    (_list(), {"statusPurpose": "suspension"}, _ALWAYS, Step.PURPOSE_MATCH),
    (_list(credentialSubject__encodedList=status_list_credential(LIST_URL, "x", b"\0" * 8)["credentialSubject"]
           ["encodedList"]), {}, _ALWAYS, Step.LENGTH),
    (_list(), {"statusListIndex": "131072"}, _ALWAYS, Step.RANGE),
    (_list(), {"statusListIndex": "9" * 40}, _ALWAYS, Step.RANGE),
    (_list(), {"statusListIndex": 1}, _ALWAYS, Step.ENTRY),
    (_list(), {}, _ALWAYS, None),
])
def test_each_status_problem_maps_to_its_validate_step(served: dict[str, Any] | None, entry_changes: dict[str, Any],
                                                       verifier: Any, expected: Step | None) -> None:
    documents = {} if served is None else {LIST_URL: json.dumps(served).encode()}

    def fetch(url: str) -> bytes:
        return documents[url]

    credential = {"credentialStatus": bitstring_entry(LIST_URL, 0) | entry_changes}
    (result,) = check_credential_status(credential, fetch=fetch, verify_credential=verifier)
    assert step_of(result) == expected, f"{result.problem}"


# --- the judging helpers ---------------------------------------------------------------------------------------

def _entry(**verifier_and_changes: Any) -> Entry:
    verifier = verifier_and_changes.pop("verifier", _ALWAYS)
    served = _list(**verifier_and_changes)
    raw = bitstring_entry(LIST_URL, 5)
    (result,) = check_credential_status({"credentialStatus": raw}, fetch=lambda url: json.dumps(served).encode(),
                                        verify_credential=verifier)
    return Entry("/credentialStatus", copy.deepcopy(raw), result)


def test_a_failure_of_ours_is_error_at_its_step_and_after_never_a_pass() -> None:
    entry = _entry(verifier=None)       # no verifier wired: an internal STATUS_VERIFICATION_ERROR
    ctx = CheckContext("BSL10-list-verifies")
    (own,) = judge_steps(ctx, [entry], frozenset({Step.PROOF, Step.VALIDITY}), "x", "y")
    assert own.outcome is Outcome.ERROR
    (later,) = judge_steps(CheckContext("BSL10-index-in-range"), [entry], frozenset({Step.RANGE}), "x", "y")
    assert later.outcome is Outcome.ERROR
    (verdict,) = judge_verdict(CheckContext("BSL10-not-revoked"), [entry], frozenset({"revocation"}),
                               frozenset({StatusVerdict.REVOKED}))
    assert verdict.outcome is Outcome.ERROR


def test_a_step_after_the_problem_is_cant_tell_and_a_step_before_it_passes() -> None:
    entry = _entry(credentialSubject__encodedList="uAAAA")
    before = list(judge_steps(CheckContext("BSL10-list-type"), [entry],
                              frozenset({Step.LIST_TYPE, Step.LIST_SUBJECT}), "x", "passes at {url}"))
    after = list(judge_steps(CheckContext("BSL10-list-minimum-length"), [entry], frozenset({Step.LENGTH}), "x", "y"))
    own = list(judge_steps(CheckContext("BSL10-encoded-list-decodes"), [entry], frozenset({Step.ENCODING}), "x", "y"))
    assert [f.outcome for f in before] == [Outcome.PASSED] and LIST_URL in before[0].message
    assert [f.outcome for f in after] == [Outcome.CANT_TELL]
    assert [f.outcome for f in own] == [Outcome.FAILED]


def test_a_revoked_entry_fails_only_the_revocation_rule() -> None:
    entry = _entry()
    (revoked,) = judge_verdict(CheckContext("BSL10-not-revoked"), [entry], frozenset({"revocation"}),
                               frozenset({StatusVerdict.REVOKED}))
    assert revoked.outcome is Outcome.FAILED and "revoked" in revoked.message
    (suspended,) = judge_verdict(CheckContext("BSL10-not-suspended"), [entry], frozenset({"suspension"}),
                                 frozenset({StatusVerdict.SUSPENDED}))
    assert suspended.outcome is Outcome.INAPPLICABLE


def test_every_status_requirement_is_tagged_securing_and_status(offline: Environment) -> None:
    ids = [r for r in offline.catalog if r.standard.prefix in ("BSL10", "SL2021")]
    assert len(ids) == 22, [r.id for r in ids]
    untagged = [r.id for r in ids if not {"securing", "status"} <= set(r.tags)]
    assert not untagged, f"status requirements the data-model profile would not exclude: {untagged}"
    assert all(r.id in offline.check_registry.checks for r in ids)
