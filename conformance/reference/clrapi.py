"""The reference CLR 2.0 host: the reference Open Badges host app (conformance/reference/obapi.py) serving the CLR
2.0 API (`ims.CLR20`: /ims/clr/v2p0, the CLR scopes, three signed ClrCredentials for its test user), conformant
by default. Its switches are the OB host's under a "clr-" prefix, each breaking the CLR20API requirement of the same
name, so every switch still maps to exactly one requirement ID.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from conformance.reference import obapi
from conformance.reference.ims import CLR20, OB30
from conformance.reference.obapi import RunningHost

if TYPE_CHECKING:
    from conformance.run.environment import Environment

PREFIX = "clr-"

# switch -> the requirement it makes fail (and nothing else, but what ALSO names)
FAULTS: Mapping[str, str] = MappingProxyType({
    PREFIX + switch: CLR20.prefix + requirement.removeprefix(OB30.prefix)
    for switch, requirement in obapi.FAULTS.items()})

# the OB host's inherent collateral (conformance/reference/obapi.py), and the ClrCredential's own proof besides: the
# dropped term sits in the nested OpenBadgeCredential, which both proofs cover
ALSO: Mapping[str, frozenset[str]] = MappingProxyType({
    PREFIX + switch: also | {"CLR20-proof-verifies"} for switch, also in obapi.ALSO.items()})


@contextmanager
def serve_clrapi(env: Environment, faults: frozenset[str] | set[str] = frozenset(),
                 **options: Any) -> Iterator[RunningHost]:
    """Serve the reference CLR 2.0 host on a loopback address (options as `serve_obapi`)."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switches {sorted(unknown)}; expected some of {sorted(FAULTS)}")
    with obapi.serve_obapi(env, {s.removeprefix(PREFIX) for s in faults}, flavour=CLR20, **options) as running:
        yield running


serve = serve_clrapi      # the name every reference module exposes (conformance/reference/__init__.py)
