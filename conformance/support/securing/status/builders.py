"""Status list documents for the suite's own vectors and tests: deterministic, unsigned (signing is separate)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .bitstring import encode_bitstring_list, encode_statuslist2021

__all__ = ["bitstring_entry", "revocation_list_document", "status_list_credential"]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
STATUSLIST2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def status_list_credential(
    url: str,
    issuer: str,
    bits: bytes,
    purpose: str | list[str] = "revocation",
    *,
    kind: Literal["bitstring", "2021"] = "bitstring",
    valid_from: str = "2024-01-01T00:00:00Z",
    valid_until: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListCredential (VC 2.0) or a StatusList2021Credential (VC 1.1) holding `bits`."""
    subject: dict[str, Any] = {"id": f"{url}#list", "statusPurpose": purpose}
    if kind == "bitstring":
        subject |= {"type": "BitstringStatusList", "encodedList": encode_bitstring_list(bits)}
        document: dict[str, Any] = {
            "@context": [VC2_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": valid_from,
        }
        if valid_until is not None:
            document["validUntil"] = valid_until
    else:
        subject |= {"type": "StatusList2021", "encodedList": encode_statuslist2021(bits)}
        document = {
            "@context": [VC1_CONTEXT, STATUSLIST2021_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuer": issuer,
            "issuanceDate": valid_from,
        }
        if valid_until is not None:
            document["expirationDate"] = valid_until
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    document["credentialSubject"] = subject
    return document


def bitstring_entry(
    list_url: str,
    index: int,
    purpose: str = "revocation",
    *,
    size: int = 1,
    messages: Mapping[int, str] | None = None,
    kind: Literal["bitstring", "2021"] = "bitstring",
) -> dict[str, Any]:
    """A credentialStatus entry pointing at entry `index` of the list at `list_url`."""
    entry: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry" if kind == "bitstring" else "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if size != 1:
        entry["statusSize"] = size
    if messages is not None:
        entry["statusMessage"] = [{"status": hex(value), "message": text} for value, text in sorted(messages.items())]
    return entry


def revocation_list_document(revoked: Iterable[str], *, not_revoked: Iterable[str] = ()) -> dict[str, Any]:
    """A 1EdTech revocation list document in the shape the 1EdTech validator reads (see revocation_list.py)."""
    items: list[dict[str, Any]] = [{"id": credential_id} for credential_id in revoked]
    items += [{"id": credential_id, "revoked": False} for credential_id in not_revoked]
    return {"revokedCredential": items}
