"""Issuer trust, its own concern: is the issuer one this verifier accepts? (Proof validity is judged elsewhere.)

Trust comes from a TOML trust list of our own (shapes/schemas/trust-list.schema.json) and from DCC-style known-issuer
registries; both become a TrustList that looks issuers up by a normalised id.
"""

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
    "issuer_id_of",
    "load_dcc_registry",
    "load_trust_list",
    "normalize_issuer_id",
    "parse_dcc_registry",
    "parse_trust_list",
    "trust_list_schema",
]
