"""The reference CLR 2.0 client application: the reference Open Badges client app (conformance/reference/obclient.py)
speaking the CLR 2.0 API (`ims.CLR20`: /ims/clr/v2p0, the CLR scopes, a signed ClrCredential to upsert),
conformant by default. Its switches are the OB client's under a "clr-" prefix, each breaking the CLR20API-CLIENT
requirement of the same name.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from conformance.reference import obclient
from conformance.reference.ims import CLR20, OB30
from conformance.reference.obclient import RunningClient

if TYPE_CHECKING:
    from conformance.run.environment import Environment

PREFIX = "clr-"

# switch -> the requirement it makes fail (and nothing else, but what ALSO names)
FAULTS: Mapping[str, str] = MappingProxyType({
    PREFIX + switch: CLR20.prefix + requirement.removeprefix(OB30.prefix)
    for switch, requirement in obclient.FAULTS.items()})

# what a ClrCredential without a proof fails (CLR 2.0's own rule in place of OB 3.0's; VCDM 2.0's alike)
ALSO: Mapping[str, frozenset[str]] = MappingProxyType({
    PREFIX + "upsert-without-proof": frozenset({"CLR20-secured", "VCDM20-secured"}),
})


@contextmanager
def serve_clrclient(env: Environment, faults: frozenset[str] | set[str] = frozenset(),
                    **options: Any) -> Iterator[RunningClient]:
    """Serve the reference CLR 2.0 client application on a loopback address (options as `serve_obclient`)."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    with obclient.serve_obclient(env, {s.removeprefix(PREFIX) for s in faults}, flavour=CLR20, **options) as running:
        yield running


serve = serve_clrclient      # the name every reference module exposes (conformance/reference/__init__.py)
