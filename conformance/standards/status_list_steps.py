"""Which step of the status validate algorithm a StatusResult's problem comes from, so that each requirement judges
its own step only. Shared by BSL10 and SL2021, whose lists are validated the same way.

conformance.support.securing.status stops at an entry's first problem. So for one entry: the steps before the problem held, the
step of the problem failed (or could not be told), and the steps after it were never reached (cantTell, as DI10
does for proof verification). The order below is the order validate.py takes the steps in.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from conformance.core.checks import MISSING, CheckContext
from conformance.core.findings import Finding, Outcome
from conformance.core.predicates import is_url
from conformance.core.subject import Subject, as_list
from conformance.support.securing.status import (
    LIST_LOCATION,
    StatusCode,
    StatusError,
    StatusResult,
    StatusVerdict,
    parse_entry,
)
from conformance.support.securing.status import status_entries as _status_entries

__all__ = ["Entry", "Step", "entries_of", "entry_shape_findings", "has_entry_of", "judge_steps", "judge_verdict",
           "step_of"]


class Step(IntEnum):
    ENTRY = 0            # the credentialStatus entry itself could not be read
    RETRIEVAL = 1        # the list document could not be had
    PROOF = 2            # the list credential's own securing
    LIST_TYPE = 3        # the list credential's type
    VALIDITY = 4         # the list credential's validFrom / validUntil (issuanceDate / expirationDate)
    LIST_SUBJECT = 5     # one credentialSubject of the list type
    LIST_PURPOSE = 6     # the list's own statusPurpose values
    ENCODING = 7         # encodedList decodes
    TTL = 8
    PURPOSE_MATCH = 9    # the entry's purpose is among the list's
    LENGTH = 10
    RANGE = 11
    UNKNOWN = -1         # a problem this module cannot place: every step is reported as cantTell


_VALIDITY_KEYS = ("validFrom", "validUntil", "issuanceDate", "expirationDate")


def step_of(result: StatusResult) -> Step | None:
    """The step that stopped this entry, or None when every step held."""
    problem = result.problem
    if problem is None:
        return None
    code, where = problem.code, problem.location
    if code is StatusCode.RANGE_ERROR:
        return Step.RANGE
    if result.list_url is None:
        # check_credential_status leaves list_url unset only when parsing the entry failed
        return Step.ENTRY
    if code is StatusCode.STATUS_LIST_LENGTH_ERROR:
        return Step.LENGTH
    if not where.startswith(LIST_LOCATION):
        return Step.PURPOSE_MATCH if where.endswith("/statusPurpose") else Step.UNKNOWN
    inner = where[len(LIST_LOCATION):]
    if inner == "":
        return Step.RETRIEVAL if code is StatusCode.STATUS_RETRIEVAL_ERROR else Step.PROOF
    if inner.startswith("/proof"):
        return Step.PROOF
    if inner == "/type":
        return Step.LIST_TYPE
    if inner.lstrip("/") in _VALIDITY_KEYS:
        return Step.VALIDITY
    if inner.startswith("/credentialSubject"):
        last = inner.rsplit("/", 1)[-1]
        return {"encodedList": Step.ENCODING, "ttl": Step.TTL, "statusPurpose": Step.LIST_PURPOSE}.get(
            last, Step.LIST_SUBJECT)
    return Step.UNKNOWN


@dataclass(frozen=True, slots=True)
class Entry:
    """One credentialStatus entry of the method a standard judges, with the run's status result for it."""

    pointer: str
    raw: Any
    result: StatusResult | None      # None only if the status view gave no result for this pointer

    @property
    def purpose(self) -> str | None:
        value = self.raw.get("statusPurpose") if isinstance(self.raw, Mapping) else None
        return value if isinstance(value, str) else None


def _has_type(raw: Any, entry_type: str) -> bool:
    return isinstance(raw, Mapping) and entry_type in as_list(raw.get("type"))


def has_entry_of(subject: Subject, entry_type: str) -> bool:
    return any(_has_type(raw, entry_type) for _, raw in _status_entries(subject.document))


def entries_of(subject: Subject, entry_type: str) -> list[Entry]:
    """The document's entries of `entry_type`, each with its status result (read lazily: it may fetch)."""
    raws = [(at, raw) for at, raw in _status_entries(subject.document) if _has_type(raw, entry_type)]
    if not raws:
        return []
    by_pointer = {result.pointer: result for result in subject.status}
    return [Entry(at, raw, by_pointer.get(at)) for at, raw in raws]


def entry_shape_findings(subject: Subject, ctx: CheckContext, entry_type: str) -> Iterator[Finding]:
    """The entry's own fields, read without fetching anything."""
    for at, raw in _status_entries(subject.document):
        if not _has_type(raw, entry_type):
            continue
        value = dict(raw)
        if "id" in value and not is_url(value["id"]):
            # a non-URL id is the data model's defect (VCDM20-status-id-url / VCDM11-status-id-uri); judging it here
            # would report one mistake twice
            del value["id"]
        try:
            parse_entry(value, at)
        except StatusError as exc:
            if exc.code is StatusCode.RANGE_ERROR:
                yield ctx.passed("the entry is well formed; its index is judged by the index-in-range rule", at)
                continue
            yield ctx.fail(exc.problem.location or at, expected=f"a well-formed {entry_type}",
                           found=_found(subject.document, exc.problem.location), message=exc.problem.message)
            continue
        yield ctx.passed(f"a well-formed {entry_type}", at)


def _found(document: Mapping[str, Any], where: str) -> Any:

    node: Any = document
    for token in where.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, Mapping) and token in node:
            node = node[token]
        else:
            return MISSING
    return node


def _own(ctx: CheckContext, result: StatusResult, expected: str) -> Finding:
    """The finding of the step that stopped the entry, with the outcome the status package gave its problem."""
    problem = result.problem
    assert problem is not None
    if problem.outcome is Outcome.FAILED:
        return ctx.fail(problem.location, expected=expected, found=problem.code.value, message=problem.message)
    if problem.outcome is Outcome.ERROR:
        return ctx.error(problem.message, problem.location)
    return ctx.cant_tell(problem.message, problem.location)


def _not_reached(ctx: CheckContext, result: StatusResult, step: Step | None) -> Finding:
    problem = result.problem
    assert problem is not None
    if problem.outcome is Outcome.ERROR:
        return ctx.error(f"not evaluated: {problem.message}", result.pointer)
    # located at the entry: the problem's own place belongs to the requirement that reports it
    name = "an unplaced problem" if step is Step.UNKNOWN else f"the {step.name.lower().replace('_', ' ')} step"
    return ctx.cant_tell(f"not evaluated: validation stopped at {name}: {problem.message}", result.pointer)


def judge_steps(ctx: CheckContext, entries: list[Entry], steps: frozenset[Step], expected: str,
                passed: str) -> Iterator[Finding]:
    """Fail (or cantTell) an entry whose problem is at one of `steps`; cantTell when an earlier step stopped it;
    pass when it stopped later or not at all."""
    if not entries:
        yield ctx.inapplicable("the document has no status entry of this type")
        return
    last = max(steps)
    for entry in entries:
        result = entry.result
        if result is None:
            yield ctx.error("the status view gave no result for this entry", entry.pointer)
            continue
        step = step_of(result)
        if step in steps:
            yield _own(ctx, result, expected)
        elif step is not None and (step is Step.UNKNOWN or step < last):
            yield _not_reached(ctx, result, step)
        else:
            yield ctx.passed(passed.format(url=result.list_url), entry.pointer)


def judge_verdict(ctx: CheckContext, entries: list[Entry], purposes: frozenset[str] | None,
                  bad: frozenset[StatusVerdict]) -> Iterator[Finding]:
    """The status read for entries of `purposes` (None: every purpose but revocation and suspension): fail on a `bad`
    verdict; cantTell (error for a failure of ours) when validation stopped before the value could be read."""
    relevant = [e for e in entries if (purposes is None and e.purpose not in ("revocation", "suspension"))
                or (purposes is not None and e.purpose in purposes)]
    if not relevant:
        yield ctx.inapplicable("the document has no status entry of this type and purpose")
        return
    for entry in relevant:
        result = entry.result
        if result is None:
            yield ctx.error("the status view gave no result for this entry", entry.pointer)
        elif result.problem is not None:
            yield _not_reached(ctx, result, step_of(result))
        elif result.verdict in bad:
            yield ctx.fail(result.pointer, expected=f"a {entry.purpose} entry that reads 0",
                           found=result.value, message=result.describe())
        else:
            yield ctx.passed(result.describe(), result.pointer)
