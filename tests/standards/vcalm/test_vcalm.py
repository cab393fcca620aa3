"""The VCALM live modules against the reference on 127.0.0.1: the issued credential reaches the document checks
(tests/reference/test_reference_modules.py runs the conformant reference and every fault switch of every module)."""
from __future__ import annotations

from conformance.core.findings import Outcome
from tests.support.exchange.harness import LiveRun


def test_issued_credential_is_judged_by_the_document_checks(vcalm_fault_runs: dict[object, LiveRun]) -> None:
    issuer = next(r for r in vcalm_fault_runs[None].results if r.subject.endswith("#issuer"))
    assert {"OB30", "VCDM20", "DI10"} <= set(issuer.standards)
    embedded = [f for f in issuer.findings if f.subject != issuer.subject and f.subject]
    assert embedded and all(f.location.startswith("/transcript/0/response/body/verifiableCredential » ")
                            for f in embedded)
    assert any(f.requirement.startswith("DI10-") and f.outcome is Outcome.PASSED for f in embedded)


def test_the_reference_serves_an_issuer_a_verifier_and_an_exchange(vcalm_fault_runs: dict[object, LiveRun]) -> None:
    services = sorted(r.subject.rsplit("#", 1)[-1] for r in vcalm_fault_runs[None].results)
    assert services == ["exchange", "issuer", "verifier"]
