"""Credential status: BitstringStatusList, StatusList2021 and 1EdTech revocation lists.

Pure logic: fetching and proof verification are injected, so checks can wire the guarded HTTP client and the
proof verifier and tests can pass stubs. Results are StatusResult values with a verdict, an outcome and a
reason code.
"""

from .bitstring import (
    DEFAULT_MAX_LIST_BYTES,
    MAX_STATUS_SIZE,
    MIN_LIST_ENTRIES,
    decode_bitstring_list,
    decode_statuslist2021,
    encode_bitstring_list,
    encode_statuslist2021,
    gunzip_bounded,
    make_bitstring,
    read_status,
    require_minimum_length,
)
from .builders import bitstring_entry, revocation_list_document, status_list_credential
from .entries import (
    BitstringEntry,
    RevocationListEntry,
    StatusEntry,
    StatusList2021Entry,
    StatusMessage,
    UnsupportedEntry,
    parse_entry,
    status_entries,
)
from .errors import StatusCode, StatusError, StatusProblem
from .revocation_list import revoked_ids
from .validate import (
    LIST_LOCATION,
    CredentialVerifier,
    Fetch,
    ListCache,
    StatusResult,
    StatusVerdict,
    VerificationOutcomeLike,
    check_credential_status,
    check_entry,
)

__all__ = [
    "DEFAULT_MAX_LIST_BYTES",
    "LIST_LOCATION",
    "MAX_STATUS_SIZE",
    "MIN_LIST_ENTRIES",
    "BitstringEntry",
    "CredentialVerifier",
    "Fetch",
    "ListCache",
    "RevocationListEntry",
    "StatusCode",
    "StatusEntry",
    "StatusError",
    "StatusList2021Entry",
    "StatusMessage",
    "StatusProblem",
    "StatusResult",
    "StatusVerdict",
    "UnsupportedEntry",
    "VerificationOutcomeLike",
    "bitstring_entry",
    "check_credential_status",
    "check_entry",
    "decode_bitstring_list",
    "decode_statuslist2021",
    "encode_bitstring_list",
    "encode_statuslist2021",
    "gunzip_bounded",
    "make_bitstring",
    "parse_entry",
    "read_status",
    "require_minimum_length",
    "revocation_list_document",
    "revoked_ids",
    "status_entries",
    "status_list_credential",
]
