"""Content-addressed store for pinned artifacts.

`shapes/pins.toml` maps each canonical URL to the sha256 of its bytes. Bytes are found, in order, in the
directories given by `--artifacts DIR` or `LER_CONFORMANCE_ARTIFACTS` (any file names: we match by hash), then in
the user cache, where `artifacts fetch` stores them under their hash. Nothing is ever served unless its hash matches.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ARTIFACTS_ENV = "LER_CONFORMANCE_ARTIFACTS"
CACHE_ENV = "LER_CONFORMANCE_CACHE"
MAX_ARTIFACT_BYTES = 4 * 1024 * 1024    # the largest pinned file is ~120 KB; anything bigger is not one of ours

ArtifactKind = Literal["context", "schema", "vocabulary"]


@dataclass(frozen=True, slots=True)
class Pin:
    url: str
    sha256: str
    kind: ArtifactKind
    note: str = ""


def load_pins(path: Path) -> dict[str, Pin]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    pins: dict[str, Pin] = {}
    for entry in data.get("artifact", []):
        pin = Pin(url=entry["url"], sha256=entry["sha256"].lower(), kind=entry["kind"], note=entry.get("note", ""))
        pins[pin.url] = pin
    return pins


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ler-conformance" / "artifacts"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ArtifactStore:
    """Serves the bytes of pinned URLs; the directory index is built once, on first use."""

    def __init__(self, pins: Mapping[str, Pin], directories: Iterable[Path] = (), cache_dir: Path | None = None):
        self.pins = dict(pins)
        self.directories = tuple(Path(d) for d in directories)
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._by_hash: dict[str, Path] | None = None
        self._bytes: dict[str, bytes] = {}

    @classmethod
    def from_environment(cls, pins: Mapping[str, Pin], artifacts_dir: Path | None = None) -> ArtifactStore:
        directories: list[Path] = []
        if artifacts_dir is not None:
            directories.append(artifacts_dir)
        elif os.environ.get(ARTIFACTS_ENV):
            directories.extend(Path(p) for p in os.environ[ARTIFACTS_ENV].split(os.pathsep) if p)
        return cls(pins, directories)

    def _index(self) -> dict[str, Path]:
        if self._by_hash is None:
            wanted = {pin.sha256 for pin in self.pins.values()}
            index: dict[str, Path] = {}
            for directory in self.directories:
                if not directory.is_dir():
                    continue
                for path in sorted(directory.rglob("*")):
                    if not path.is_file() or path.stat().st_size > MAX_ARTIFACT_BYTES:
                        continue
                    digest = sha256_hex(path.read_bytes())
                    if digest in wanted:
                        index.setdefault(digest, path)
            self._by_hash = index
        return self._by_hash

    def locate(self, url: str) -> Path | None:
        """Where the pinned bytes of `url` are, or None when no searched place holds them."""
        pin = self.pins.get(url)
        if pin is None:
            return None
        found = self._index().get(pin.sha256)
        if found is not None:
            return found
        cached = self.cache_dir / pin.sha256
        if cached.is_file() and sha256_hex(cached.read_bytes()) == pin.sha256:
            return cached
        return None

    def get(self, url: str) -> bytes | None:
        """The verified bytes of a pinned URL; None when the URL is not pinned or its bytes are not available."""
        if url in self._bytes:
            return self._bytes[url]
        path = self.locate(url)
        if path is None:
            return None
        data = path.read_bytes()
        if sha256_hex(data) != self.pins[url].sha256:
            return None
        self._bytes[url] = data
        return data

    def is_pinned(self, url: str) -> bool:
        return url in self.pins

    def missing(self) -> list[Pin]:
        return [pin for url, pin in self.pins.items() if self.locate(url) is None]

    def store(self, url: str, data: bytes) -> Path:
        """Put fetched bytes into the cache, refusing bytes whose hash differs from the pin."""
        pin = self.pins[url]
        digest = sha256_hex(data)
        if digest != pin.sha256:
            raise ValueError(f"{url} has sha256 {digest}; the pin expects {pin.sha256}")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        target = self.cache_dir / digest
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        self._bytes[url] = data
        return target
