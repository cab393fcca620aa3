"""What can go wrong while reading a credential's status, as codes a check can turn into findings."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from conformance.core.findings import Outcome

__all__ = ["StatusCode", "StatusError", "StatusProblem"]


class StatusCode(StrEnum):
    """The Bitstring Status List error names, plus one of ours for status types the suite cannot read.

    The spec's names are kept so a report reads the same as the W3C test suite's; the values are stable.
    """

    STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    RANGE_ERROR = "RANGE_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"
    UNSUPPORTED_STATUS_TYPE = "UNSUPPORTED_STATUS_TYPE"


# A list we could not reach or a status type we cannot read says nothing about the credential (cantTell);
# every other code is a defect the issuer published, so the status is not established (failed).
_OUTCOME_OF_CODE: dict[StatusCode, Outcome] = {
    StatusCode.STATUS_RETRIEVAL_ERROR: Outcome.CANT_TELL,
    StatusCode.UNSUPPORTED_STATUS_TYPE: Outcome.CANT_TELL,
    StatusCode.STATUS_VERIFICATION_ERROR: Outcome.FAILED,
    StatusCode.STATUS_LIST_LENGTH_ERROR: Outcome.FAILED,
    StatusCode.RANGE_ERROR: Outcome.FAILED,
    StatusCode.MALFORMED_VALUE_ERROR: Outcome.FAILED,
}


@dataclass(frozen=True, slots=True)
class StatusProblem:
    """One reason the status could not be read.

    `location` is a JSON pointer into the credential for problems of its own credentialStatus entry, or
    `(status list)/...` for problems of the fetched list document. `internal` marks a failure of ours (a
    verifier that raised): it reads as `error`, never as the document's defect.
    """

    code: StatusCode
    message: str
    location: str = ""
    internal: bool = False
    gone: bool = False      # the list's server answered that it does not exist (404/410): the issuer's defect

    @property
    def outcome(self) -> Outcome:
        if self.internal:
            return Outcome.ERROR
        return Outcome.FAILED if self.gone else _OUTCOME_OF_CODE[self.code]

    @property
    def uri(self) -> str:
        """The error type URI the Bitstring Status List spec gives (ours for UNSUPPORTED_STATUS_TYPE)."""
        if self.code is StatusCode.UNSUPPORTED_STATUS_TYPE:
            return "urn:ler-conformance:status#UNSUPPORTED_STATUS_TYPE"
        return f"https://www.w3.org/ns/credentials/status-list#{self.code.value}"


class StatusError(Exception):
    """Raised by every function of this package for a malformed or unusable value; carries a StatusProblem."""

    problem: StatusProblem

    def __init__(self, code: StatusCode, message: str, location: str = "", internal: bool = False,
                 gone: bool = False) -> None:
        # The arguments go to Exception so the error survives pickling (pytest-xdist, multiprocessing).
        super().__init__(code, message, location, internal, gone)
        self.problem = StatusProblem(code, message, location, internal, gone)

    @property
    def code(self) -> StatusCode:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message

    def __str__(self) -> str:
        where = f"{self.problem.location}: " if self.problem.location else ""
        return f"{where}{self.problem.message} ({self.problem.code.value})"
