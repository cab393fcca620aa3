"""TRUST10 checks: the issuer looked up on the run's trust lists (Subject.trust)."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.support.securing.trust import TrustReason


@check("TRUST10-issuer-listed")
def issuer_is_listed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    """The issuer has an entry in force on a trust list; no list at all is cantTell."""
    decision = subject.trust
    if decision is None:
        yield ctx.cant_tell("no trust list is given (--trust-list), so nobody has said which issuers to accept",
                            "/issuer")
    elif not decision.trusted:
        at = "/issuer" if decision.reason is not TrustReason.NO_ISSUER else ""
        yield ctx.fail(at, expected="an issuer with an entry in force on the trust list", found=decision.reason.value,
                       message=decision.message)
    else:
        yield ctx.passed(decision.message, "/issuer")
