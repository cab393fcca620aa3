"""Two reference wallets (conformance/reference/holder/) tested as a pair for portability (`_MODULES` key
"WALLETPORT"): the source's GET /export and the destination's POST /import, with the OpenID4VCI offer and
OpenID4VP request of the other modules. One fault switch: the source's export rewrites each credential (a display
name edited, the proof left as it was), as an exporter that "normalises" what it holds would; the switch lives in
holder/app.py beside the export route it breaks, since the wallet's app has to know every switch it accepts."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.reference.holder.app import EXPORT_FAULTS as FAULTS
from conformance.reference.holder.app import serve_wallet

if TYPE_CHECKING:
    from conformance.run.environment import Environment

__all__ = ["FAULTS", "RunningPair", "serve"]


@dataclass(frozen=True, slots=True)
class RunningPair:
    base_url: str            # the source wallet
    destination_url: str
    faults: frozenset[str]

    def service_toml(self) -> str:
        a, b = self.base_url, self.destination_url
        return (f'[[service]]\nrole = "wallet-portability"\nendpoint = "{a}"\n'
                f'options = {{ timeout_s = 20, source = {{ driver = {{ url = "{a}/offer" }}, '
                f'export = {{ url = "{a}/export" }} }}, destination = {{ driver = {{ url = "{b}/offer" }}, '
                f'import = {{ url = "{b}/import" }} }} }}\n')

    def targets_toml(self) -> str:
        return '[implementation]\nname = "ler-conformance reference wallets"\n\n' + self.service_toml()


@contextmanager
def serve(env: Environment, faults: frozenset[str] | set[str] = frozenset()) -> Iterator[RunningPair]:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")

    with serve_wallet(env, frozenset(faults)) as source, serve_wallet(env) as destination:
        yield RunningPair(source.base_url, destination.base_url, frozenset(faults))
