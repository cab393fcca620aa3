"""The reference wallet tested as a VC API exchange wallet (`_MODULES` key "VCALM-WALLET"), as the DCC Learner
Credential Wallet runs it: conformant by default, with one fault switch per VCALM-WALLET requirement. The exchange
client is conformance/reference/holder/vcapi.py, one client of the shared wallet (same holder key, same store, same
`POST /offer` driver route); this entry serves that wallet and names it as a "vcapi-wallet" service.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.reference.holder.app import serve_wallet
from conformance.reference.holder.vcapi import FAULTS, VcapiHolder, is_vcapi_link, matching

if TYPE_CHECKING:
    from conformance.run.environment import Environment

__all__ = ["FAULTS", "RunningVcapiWallet", "VcapiHolder", "is_vcapi_link", "matching", "serve"]


@dataclass(frozen=True, slots=True)
class RunningVcapiWallet:
    base_url: str
    faults: frozenset[str]

    def service_toml(self) -> str:
        """The [[service]] entry: a vcapi-wallet driven through the shared wallet's /offer URL."""
        return (f'[[service]]\nrole = "vcapi-wallet"\nendpoint = "{self.base_url}/offer"\n'
                f'driver = {{ url = "{self.base_url}/offer" }}\noptions = {{ timeout_s = 20 }}\n')

    def targets_toml(self) -> str:
        return '[implementation]\nname = "ler-conformance reference wallet (VC API exchanges)"\n\n' + \
            self.service_toml()


@contextmanager
def serve(env: Environment, faults: frozenset[str] | set[str] = frozenset(), *,
          host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningVcapiWallet]:
    """The shared reference wallet with these switches, named as a vcapi-wallet service."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    with serve_wallet(env, frozenset(faults), host=host, port=port) as running:
        yield RunningVcapiWallet(running.base_url, frozenset(faults))
