"""Wallet portability judged live (WALLETPORT-*): the subject is a service with role "wallet-portability" and the
check reads the transcript conformance/standards/wallet_portability/flows.py recorded (issue into the source wallet, export,
import into the destination, present from it). The rule is the machine-checkable part of C-BEN's universal-access
principle (a learner can take their records to another wallet), so it lives beside, not inside, the CBEN catalog,
whose items only vendors attest to."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import MISSING, CheckContext, check, detects
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards import live, wallets
from conformance.standards.live import at
from conformance.standards.oid4vp.counterparty import PRESENT
from conformance.support.exchange.service import ServiceSubject

ROLE = "wallet-portability"


@detects("WALLETPORT")
def is_wallet_pair(subject: Subject) -> bool:
    # only a service the user named in a targets file: a document can never make the suite call anything
    return isinstance(subject, ServiceSubject) and subject.service.role == ROLE


@check("WALLETPORT-round-trip")
def round_trip(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = live.service(subject, ctx, ROLE, "the rule applies to a pair of wallets tested for portability")
    if isinstance(service, Finding):
        yield service
        return
    issued, issue_driver = wallets.session(service, "issue")
    if not any(s.name == "credential" and s.status == 200 for s in issued):
        yield wallets.absent(service, ctx, "issue", issue_driver, "credential request")
        return
    export = next(iter(service.flow("export")), None)
    if export is None:
        yield ctx.error("the transcript has no export step")
        return
    if export.error in ("not-started", "timeout") or (export.error is not None and export.status is None):
        yield ctx.error(f"{export.label}: the source wallet's export cannot be run: {export.message}",
                        at(service, export))
        return
    facts = export.body if isinstance(export.body, dict) else {}
    if export.error is not None or not (export.status in (0, 200) and facts):
        yield ctx.fail(at(service, export), expected="the source wallet's export as JSON",
                       found=export.json_error or export.message or export.status,
                       message=f"{export.label}: the source wallet gives no usable export "
                               f"({export.json_error or export.message or f'status {export.status}'})")
        return
    # an export may wrap credentials in the wallet's own format: only what the destination presents is judged,
    # and whether the export held the credential unchanged says which side altered it
    blame = "" if facts.get("holds_issued") else " (the source's export does not hold it unchanged either)"
    imported = next(iter(service.flow("import")), None)
    if imported is None or not imported.answered or imported.status not in (0, 200, 201, 204):
        shown = "no import" if imported is None else imported.message or f"status {imported.status}"
        yield ctx.fail(at(service, imported) if imported else "", expected="the destination imports the export",
                       found=shown, message=f"import: the destination wallet does not take the export ({shown})")
        return
    steps, driver = wallets.session(service, PRESENT.name)
    answer = next((s for s in steps if s.name == "response"), None)
    if answer is None:
        if wallets.finished(driver) and driver is not None:
            yield ctx.fail(at(service, driver), expected="a presentation of the imported credential",
                           found=MISSING, message="present: the destination wallet finishes without presenting the "
                                                  "imported credential")
        else:
            yield wallets.absent(service, ctx, PRESENT.name, driver, "answer at the response_uri")
        return
    credentials = [c for p in wallets.observed(answer).get("presentations") or [] if isinstance(p, dict)
                   for c in p.get("credentials", []) if isinstance(c, dict)]
    if not credentials:
        yield ctx.fail(at(service, answer, "/request/observed"), expected="a presentation carrying the credential",
                       found=MISSING, message=f"{answer.label}: the destination wallet's answer carries no credential")
        return
    where = at(service, answer, "/request/observed/presentations")
    expected = "the issued credential, identical in canonical JSON, with a proof that verifies"
    for number, entry in enumerate(credentials):
        if not entry.get("issued"):
            yield ctx.fail(where, expected=expected, found=entry,
                           message=f"{answer.label}: credential {number} the destination presents differs from the "
                                   "one issued to the source wallet (canonical JSON)" + blame)
            continue
        seen = wallets.verification(entry.get("signature"))
        undecided = wallets.unverified(ctx, seen, where, f"{answer.label}: credential {number} the destination "
                                                         "presents")
        if undecided is not None:
            yield undecided
        elif not seen.verifies:
            yield ctx.fail(where, expected=expected, found=entry,
                           message=f"{answer.label}: credential {number} the destination presents no longer verifies"
                                   + (f" ({seen.note})" if seen.note else ""))
