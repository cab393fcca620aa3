"""Issuer trust, its own concern: is the issuer one this verifier accepts? (Proof validity is judged elsewhere.)

Trust comes from a TOML trust list of our own (shapes/schemas/trust-list.schema.json) and from DCC-style known-issuer
registries; both become a TrustList that looks issuers up by a normalised id.
"""

from collections.abc import Iterable
from pathlib import Path

from .dcc import load_dcc_registry, parse_dcc_registry
from .model import TrustDecision, TrustEntry, TrustError, TrustList, TrustReason, issuer_id_of
from .normalize import normalize_issuer_id
from .toml_list import load_trust_list, parse_trust_list, trust_list_schema

__all__ = [
    "TrustDecision",
    "TrustEntry",
    "TrustError",
    "TrustList",
    "TrustReason",
    "combine",
    "issuer_id_of",
    "load_dcc_registry",
    "load_trust_list",
    "load_trust_source",
    "normalize_issuer_id",
    "parse_dcc_registry",
    "parse_trust_list",
    "trust_list_schema",
]


def load_trust_source(path: str | Path) -> TrustList:
    """A trust list file in either supported form: our TOML trust list, or a DCC-style registry (JSON)."""
    return load_dcc_registry(path) if Path(path).suffix.lower() == ".json" else load_trust_list(path)


def combine(lists: Iterable[TrustList]) -> TrustList:
    """One list from several, earlier lists first (the first entry for an issuer wins)."""
    collected = tuple(lists)
    return TrustList(tuple(e for trust_list in collected for e in trust_list.entries),
                     name=", ".join(t.name for t in collected if t.name))
