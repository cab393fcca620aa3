"""What every part of the reference wallet shares: the holder key, the store of credentials, the flow's way of
refusing and the running wallet's [[service]] entry. It sits below the protocol clients so that each of them, and the
app that joins them, can use it without importing one another.

The holder key is the suite's public test key "holder-ed25519" (kid: its did:key verification method).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

HOLDER_KEY = "holder-ed25519"
OTHER_KEY = "other-ed25519"
MAX_BODY_BYTES = 64 * 1024
MAX_HELD = 64          # credentials the wallet keeps; the oldest go first, so a long serve-reference stays small


class Refused(Exception):
    """The wallet stops the flow (what it answers the driver as `error`)."""


@dataclass
class Store:
    """What the wallet holds, oldest first. A wallet keeps what it was given, so a second run of the suite against
    one serve-reference finds the first run's credentials still here: every choice among them is the newest one
    (`newest_first`), so the second run presents what it was given itself and comes to the same findings."""

    credentials: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, credential: Any) -> None:
        with self.lock:
            self.credentials.append(credential)
            del self.credentials[:-MAX_HELD]

    def export(self) -> list[Any]:
        with self.lock:
            return list(self.credentials)

    def newest_first(self) -> list[Any]:
        with self.lock:
            return self.credentials[::-1]


def well_known(identifier: str, suffix: str) -> str:
    parts = urlsplit(identifier)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{suffix}{parts.path.rstrip('/')}"


@dataclass(frozen=True, slots=True)
class RunningWallet:
    base_url: str
    faults: frozenset[str]
    role: str = "oid4vci-wallet"             # the role its [[service]] entry tests (oid4vp-wallet: OpenID4VP)

    def service_toml(self) -> str:
        """The [[service]] entry: a wallet role driven through its /offer URL."""
        return (f'[[service]]\nrole = "{self.role}"\nendpoint = "{self.base_url}/offer"\n'
                f'driver = {{ url = "{self.base_url}/offer" }}\noptions = {{ timeout_s = 20 }}\n')

    def targets_toml(self) -> str:
        return '[implementation]\nname = "ler-conformance reference wallet"\n\n' + self.service_toml()
