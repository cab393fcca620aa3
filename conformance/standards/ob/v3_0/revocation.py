"""OB30-revocation-list-status: a 1EdTechRevocationList entry's list answers for the credential, which is not revoked.

The list is read by conformance.support.securing.status (revocation_list.py documents the shape); this check turns its result into a
finding. An unreachable list is cantTell, a list of another shape or a credential without an id fails.
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding, Outcome
from conformance.core.subject import Subject, as_list
from conformance.support.securing.status import StatusVerdict, status_entries

REVOCATION_LIST_TYPE = "1EdTechRevocationList"


@check("OB30-revocation-list-status")
def revocation_list_clears_the_credential(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    pointers = {at for at, raw in status_entries(subject.document)
                if isinstance(raw, dict) and REVOCATION_LIST_TYPE in as_list(raw.get("type"))}
    if not pointers:
        yield ctx.inapplicable("the credential has no 1EdTechRevocationList status entry")
        return
    for result in subject.status:
        if result.pointer not in pointers:
            continue
        problem = result.problem
        if problem is not None:
            if problem.outcome is Outcome.FAILED:
                yield ctx.fail(problem.location, expected="a revocation list that answers for the credential id",
                               found=problem.code.value, message=problem.message)
            elif problem.outcome is Outcome.ERROR:
                yield ctx.error(problem.message, problem.location)
            else:
                yield ctx.cant_tell(problem.message, problem.location)
        elif result.verdict is StatusVerdict.REVOKED:
            yield ctx.fail(result.pointer, expected="a credential its revocation list does not revoke",
                           found="revoked", message=result.describe())
        else:
            yield ctx.passed(result.describe(), result.pointer)
