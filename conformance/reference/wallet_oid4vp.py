"""The reference wallet tested as an OpenID4VP 1.0 wallet (`_MODULES` key "OID4VP-WALLET"): conformant by default,
with one fault switch per OID4VP-WALLET requirement. The presenter is conformance/reference/holder/oid4vp.py, which
answers from the same store and with the same holder key the wallet received credentials with; this entry serves
that wallet under the oid4vp-wallet role.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from conformance.reference.holder.app import serve_wallet
from conformance.reference.holder.oid4vp import FAULTS
from conformance.reference.holder.store import RunningWallet

if TYPE_CHECKING:
    from conformance.run.environment import Environment

__all__ = ["FAULTS", "serve"]


@contextmanager
def serve(env: Environment, faults: frozenset[str] | set[str] = frozenset()) -> Iterator[RunningWallet]:
    """The reference wallet, tested as an oid4vp-wallet (its fault switches are this module's FAULTS)."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    with serve_wallet(env, frozenset(faults), role="oid4vp-wallet") as running:
        yield running
