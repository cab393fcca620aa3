"""Getting the pinned artifacts a fresh checkout lacks: from their canonical URLs, or from a content-addressed mirror
(`<mirror>/<sha256>`, the cache's own layout). Every byte is checked against its pin before it is kept.

`make demo` and `make test` run this first (`ler-conformance artifacts fetch`), so a clone needs nothing beside it.
Offline, the first failure to reach the network stops the fetch: trying every other pin would only wait for every
timeout, and the way out is the same for all of them.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from conformance.support.artifacts.store import MAX_ARTIFACT_BYTES, ArtifactStore, Pin
from conformance.support.net.errors import FetchError, FetchReason

MIRROR_ENV = "LER_CONFORMANCE_MIRROR"

# a fetch that failed for one of these reasons failed for every pin alike: nothing answers from here
_UNREACHABLE = frozenset({FetchReason.CONNECTION, FetchReason.TIMEOUT, FetchReason.TLS})

Fetch = Callable[[str, int], bytes]


def configured_mirror(given: str | None = None) -> str | None:
    """The mirror to read: the one given, else LER_CONFORMANCE_MIRROR, else None (the canonical URLs)."""
    mirror = given or os.environ.get(MIRROR_ENV) or None
    return mirror.rstrip("/") if mirror else None


@dataclass(frozen=True, slots=True)
class Fetched:
    """One pin's outcome: `error` is None when its bytes were fetched, verified and stored."""

    pin: Pin
    source: str
    size: int = 0
    error: str | None = None
    unreachable: bool = False


def fetch_missing(store: ArtifactStore, missing: Iterable[Pin], fetch: Fetch,
                  mirror: str | None = None) -> Iterator[Fetched]:
    """Fetch each of the store's `missing` pins into its cache, one outcome per pin as it completes. Stops after the
    first pin whose source cannot be reached at all (offline, a mirror that is down)."""
    for pin in missing:
        source = f"{mirror}/{pin.sha256}" if mirror else pin.url
        try:
            data = fetch(source, MAX_ARTIFACT_BYTES)
            store.store(pin.url, data)
        except FetchError as error:
            unreachable = error.reason in _UNREACHABLE
            yield Fetched(pin, source, error=str(error), unreachable=unreachable)
            if unreachable:
                return
            continue
        except ValueError as error:          # bytes whose hash is not the pin's
            yield Fetched(pin, source, error=str(error))
            continue
        yield Fetched(pin, source, size=len(data))


def ways_out(missing: int, *, mirror: str | None) -> str:
    """The one sentence for a checkout that cannot get its artifacts."""
    source = f"the mirror {mirror}" if mirror else "the network"
    return (f"{missing} pinned artifact{'s are' if missing != 1 else ' is'} missing and {source} cannot be reached: "
            f"point LER_CONFORMANCE_ARTIFACTS at a folder that holds them, set {MIRROR_ENV} to a mirror that serves "
            f"<URL>/<sha256>, or connect to the network and run the command again")
