"""Targets: what is under test. A target yields subjects; reading bytes is the target's job, never a check's."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from conformance.environment import Environment
    from conformance.model.subjects import Subject


class Target(Protocol):
    id: str
    kind: str

    def subjects(self, env: Environment) -> Iterator[Subject]: ...


def _read_bounded(path: Path, limit: int) -> bytes:
    # read one byte past the limit so the payload layer reports "too large" without loading a huge file
    with path.open("rb") as handle:
        return handle.read(limit + 1)


@dataclass(frozen=True, slots=True)
class FileTarget:
    path: Path
    kind: str = "file"

    @property
    def id(self) -> str:
        return str(self.path)

    def subjects(self, env: Environment) -> Iterator[Subject]:
        from conformance.model.subjects import Subject

        yield Subject(id=self.id, env=env, raw=_read_bounded(self.path, env.limits.max_bytes),
                      name=self.path.name, target=self.id)


@dataclass(frozen=True, slots=True)
class DirectoryTarget:
    """Every file under a directory (recursively, in name order; hidden files and folders are skipped)."""

    path: Path
    kind: str = "directory"

    @property
    def id(self) -> str:
        return str(self.path)

    def files(self) -> list[Path]:
        return sorted(p for p in self.path.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.path).parts))

    def subjects(self, env: Environment) -> Iterator[Subject]:
        for path in self.files():
            yield from FileTarget(path).subjects(env)


@dataclass(frozen=True, slots=True)
class BytesTarget:
    """An in-memory input (tests, stdin, an HTTP body already fetched)."""

    id: str
    data: bytes
    name: str | None = None
    kind: str = "bytes"

    def subjects(self, env: Environment) -> Iterator[Subject]:
        from conformance.model.subjects import Subject

        yield Subject(id=self.id, env=env, raw=self.data[: env.limits.max_bytes + 1], name=self.name, target=self.id)


@dataclass(frozen=True, slots=True)
class UrlTarget:
    """A document fetched over HTTP(S) through the suite's bounded client."""

    url: str
    fetch: Callable[[str, int], bytes]
    kind: str = "url"

    @property
    def id(self) -> str:
        return self.url

    def subjects(self, env: Environment) -> Iterator[Subject]:
        from conformance.model.subjects import Subject

        yield Subject(id=self.url, env=env, raw=self.fetch(self.url, env.limits.max_bytes + 1),
                      name=self.url.rsplit("/", 1)[-1], target=self.url)


def local_target(path: Path) -> Target | None:
    """A directory or a file named on the command line as a target; None when nothing is there."""
    if path.is_dir():
        return DirectoryTarget(path)
    if path.exists():
        return FileTarget(path)
    return None
