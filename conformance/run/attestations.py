"""Vendor attestations: a vendor's own answers to the C-BEN items that no machine can test.

They are statements, not results: reports show them apart from tested requirements and never count them as
passed. Each answer names a CBEN-* item of the catalog (status manual); the file format is
shapes/schemas/vendor-attestation.schema.json.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from conformance.core.requirements import ATTESTATION_PREFIX, Catalog, CatalogError, Status
from conformance.support.loading import LoadError, load_toml_file

MAX_FILE_BYTES = 1024 * 1024


class AttestationError(ValueError):
    """A vendor attestation file cannot be read or names items the catalog does not have; the message says where."""


class Answer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True, slots=True)
class AttestedAnswer:
    item: str
    answer: Answer
    statement: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VendorAttestation:
    vendor: str
    product: str
    version: str
    date: str                       # ISO date the vendor made the statements
    answers: tuple[AttestedAnswer, ...]
    contact: str = ""
    signatory: str = ""
    source: str = ""                # the file it came from

    def answer_for(self, item: str) -> AttestedAnswer | None:
        return next((a for a in self.answers if a.item == item), None)


def _plain(value: Any) -> Any:
    """TOML dates become ISO strings so the JSON Schema can judge them."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_vendor_attestation(path: Path, catalog: Catalog,
                            validate: Callable[[str, Mapping[str, Any], Path], None]) -> VendorAttestation:

    try:
        data = _plain(load_toml_file(path, max_bytes=MAX_FILE_BYTES, what="the vendor attestation"))
    except LoadError as exc:
        raise AttestationError(f"{path}: not a readable TOML file ({exc.reason})") from None
    try:
        validate("vendor-attestation", data, path)
    except CatalogError as exc:
        raise AttestationError(str(exc)) from exc
    answers: list[AttestedAnswer] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["answer"]):
        item = entry["item"]
        requirement = catalog.requirements.get(item)
        if requirement is None or requirement.status != Status.MANUAL:
            raise AttestationError(f"{path}: answer {index + 1} names {item}, which is not an attestation item of "
                                   f"the catalog (expected a manual {ATTESTATION_PREFIX}-* requirement)")
        if item in seen:
            raise AttestationError(f"{path}: answer {index + 1} answers {item} a second time")
        seen.add(item)
        answers.append(AttestedAnswer(item, Answer(entry["answer"]), entry["statement"],
                                      tuple(entry.get("evidence", ()))))
    vendor = data["vendor"]
    return VendorAttestation(vendor=vendor["name"], product=vendor["product"], version=vendor["version"],
                             date=vendor["date"], answers=tuple(answers), contact=vendor.get("contact", ""),
                             signatory=vendor.get("signatory", ""), source=path.name)


def attestation_items(catalog: Catalog) -> list[str]:
    """Every item a vendor can attest to, in catalog order."""
    return [r.id for r in catalog.of_standard(ATTESTATION_PREFIX) if r.status == Status.MANUAL]
