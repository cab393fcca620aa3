"""Reference implementations the suite runs against itself: small, loopback-only stand-ins for the services an LER
system talks to (the Credential Registry's read API, a VC API issuer and verifier), so tests and `make demo` exercise
real HTTP without the network.

A protocol module's reference is conformant by default and has one fault switch per protocol requirement; the
table below says where each lives, so the coverage gate and the fault tests find every module in one place. A switch
breaks exactly its requirement over every finding of the run (every prefix, and the documents the service returned or
received), except what its module declares in `ALSO`: the other requirements the fault cannot help breaking (a
credential stored without a proof fails the document rule that asks for one), each named, so the test can hold the
switch to exactly that set.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol


class RunningService(Protocol):
    base_url: str

    def targets_toml(self) -> str: ...           # a whole targets.toml for this service alone

    def service_toml(self) -> str: ...           # its [[service]] entries only (serve-reference joins them)


@dataclass(frozen=True, slots=True)
class ReferenceModule:
    """A reference service for one family of protocol requirements: its fault table and how to serve it.

    `key` is the stem of the requirement IDs it covers (OID4VCI covers OID4VCI-*, OID4VCI-WALLET covers
    OID4VCI-WALLET-*): a requirement belongs to the module with the longest key its ID starts with, so one standard
    (`prefix`) can have a reference for each side of a protocol.
    """

    key: str
    prefix: str                                                # the standard's requirement prefix
    faults: Mapping[str, str]                                  # switch -> the one requirement it breaks
    serve: Callable[..., AbstractContextManager[RunningService]]
    also: Mapping[str, frozenset[str]] = field(default_factory=dict)   # switch -> what it inherently breaks besides

    def covers(self, requirement_id: str, keys: Iterable[str]) -> bool:
        """Whether this module's reference is the one that shows `requirement_id` (given every module's key)."""
        owners = [k for k in keys if requirement_id.startswith(k + "-")]
        return bool(owners) and max(owners, key=len) == self.key


# key (requirement-ID stem) -> (standard prefix, module exposing FAULTS, serve(env, faults) and, where a fault
# inherently breaks more than its requirement, ALSO)
_MODULES = {"VCALM": ("VCALM", "conformance.reference.vcalm"),
            "OB30API": ("OB30API", "conformance.reference.obapi"),
            "CLR20API": ("CLR20API", "conformance.reference.clrapi"),
            "OB30API-CLIENT": ("OB30API", "conformance.reference.obclient"),
            "CLR20API-CLIENT": ("CLR20API", "conformance.reference.clrclient"),
            "OID4VCI": ("OID4VCI", "conformance.reference.oid4vci"),
            "OID4VCI-WALLET": ("OID4VCI", "conformance.reference.wallet"),
            "VCALM-WALLET": ("VCALM", "conformance.reference.wallet_vcapi"),
            "OID4VP-VERIFIER": ("OID4VP", "conformance.reference.oid4vp_verifier"),
            "OID4VP-WALLET": ("OID4VP", "conformance.reference.wallet_oid4vp"),
            "WALLETPORT": ("WALLETPORT", "conformance.reference.wallet_portability")}


def reference_modules() -> dict[str, ReferenceModule]:
    """Every reference module by key."""
    loaded: dict[str, ReferenceModule] = {}
    for key, (prefix, name) in _MODULES.items():
        module: Any = importlib.import_module(name)
        loaded[key] = ReferenceModule(key, prefix, module.FAULTS, module.serve, getattr(module, "ALSO", {}))
    return loaded
