"""Reference implementations the suite runs against itself: small, loopback-only stand-ins for the services an LER
system talks to (the Credential Registry's read API, a VC API issuer and verifier), so tests and `make demo` exercise
real HTTP without the network.

A protocol module's reference is conformant by default and has one fault switch per protocol requirement; the
table below says where each lives, so the coverage gate and the fault tests find every module in one place.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class RunningService(Protocol):
    base_url: str

    def targets_toml(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ReferenceModule:
    """A reference service for one requirement prefix: its fault table and how to serve it (env, faults)."""

    prefix: str
    faults: Mapping[str, str]                                  # switch -> the one requirement it breaks
    serve: Callable[..., AbstractContextManager[RunningService]]


# requirement prefix -> module exposing FAULTS and serve(env, faults)
_MODULES = {"VCALM": "conformance.reference.vcalm",
            "OB30API": "conformance.reference.obapi",
            "OID4VCI": "conformance.reference.oid4vci"}


def reference_modules() -> dict[str, ReferenceModule]:
    loaded: dict[str, ReferenceModule] = {}
    for prefix, name in _MODULES.items():
        module: Any = importlib.import_module(name)
        loaded[prefix] = ReferenceModule(prefix, module.FAULTS, module.serve)
    return loaded
