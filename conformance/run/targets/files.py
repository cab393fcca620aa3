"""Targets: what is under test. A target yields subjects; reading bytes is the target's job, never a check's."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conformance.core.subject import Subject

if TYPE_CHECKING:
    from conformance.core.subject import Subject
    from conformance.run.environment import Environment


class Target(Protocol):
    id: str
    kind: str

    def subjects(self, env: Environment) -> Iterator[Subject]: ...


class TargetPathError(PermissionError):
    """A file a targets file names is, when read, not the file inside the targets file's folder that loading
    checked (a link swapped in since). A PermissionError, so the runner reports the target unreadable and goes on."""


# O_NOFOLLOW: a link in the final place is refused by the open itself; O_NONBLOCK: a FIFO put there opens without
# waiting for a writer, and is then refused as not a regular file (both absent on Windows: the checks after the
# open still hold there)
_INSIDE_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _read_bounded(path: Path, limit: int) -> bytes:
    # read one byte past the limit so the payload layer reports "too large" without loading a huge file
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def _outside(path: Path, folder: Path, found: str) -> TargetPathError:
    return TargetPathError(f"the target path {str(path)!r} leads outside the targets file's folder {str(folder)!r} "
                           f"when read: expected a regular file inside that folder, found {found}; it changed after "
                           "the targets file was loaded")


def read_inside(path: Path, folder: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path`, which must be a regular file inside `folder` (resolved) when opened.

    Loading the targets file checked the path, but a link may be swapped in between that check and this read. So
    the check is made of the opened descriptor: the path is resolved and opened without following a final link,
    and the opened file must be the very file (device and inode) an inside path names once it is open. Nothing
    is read from a file that fails this."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder):
        raise _outside(path, folder, f"a path that now leads to {str(resolved)!r}")
    try:
        descriptor = os.open(resolved, _INSIDE_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):       # EMLINK: what some BSDs answer for O_NOFOLLOW
            raise _outside(path, folder, "a symbolic link in its place") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise TargetPathError(f"the target path {str(path)!r} is not a regular file: expected a file inside the "
                                  f"targets file's folder {str(folder)!r}, found {_kind(opened.st_mode)}")
        # a folder on the way swapped for a link between the resolve and the open leads the open elsewhere: the
        # opened file must be the one its inside path names now
        now = Path(os.path.realpath(resolved))
        try:
            named = os.stat(now) if now.is_relative_to(folder) else None
        except OSError:
            named = None
        if named is None or (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
            raise _outside(path, folder, "that the file opened is not the one inside the folder")
        return handle.read(limit + 1)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")


@dataclass(frozen=True, slots=True)
class FileTarget:
    """A file. `inside`: the (resolved) folder it must be in when read, for a path a targets file names."""

    path: Path
    kind: str = "file"
    inside: Path | None = None

    @property
    def id(self) -> str:
        return str(self.path)

    def subjects(self, env: Environment) -> Iterator[Subject]:

        limit = env.limits.max_bytes
        raw = _read_bounded(self.path, limit) if self.inside is None else read_inside(self.path, self.inside, limit)
        yield Subject(id=self.id, env=env, raw=raw, name=self.path.name, target=self.id)


@dataclass(frozen=True, slots=True)
class DirectoryTarget:
    """Every file under a directory (recursively, in name order; hidden files and folders are skipped).
    `inside`: the (resolved) folder each file must be in when read, for a folder a targets file names."""

    path: Path
    kind: str = "directory"
    inside: Path | None = None

    @property
    def id(self) -> str:
        return str(self.path)

    def files(self) -> list[Path]:
        return sorted(p for p in self.path.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.path).parts))

    def subjects(self, env: Environment) -> Iterator[Subject]:
        for path in self.files():
            yield from FileTarget(path, inside=self.inside).subjects(env)


@dataclass(frozen=True, slots=True)
class BytesTarget:
    """An in-memory input (tests, stdin, an HTTP body already fetched)."""

    id: str
    data: bytes
    name: str | None = None
    kind: str = "bytes"

    def subjects(self, env: Environment) -> Iterator[Subject]:

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

        yield Subject(id=self.url, env=env, raw=self.fetch(self.url, env.limits.max_bytes + 1),
                      name=self.url.rsplit("/", 1)[-1], target=self.url)


def local_target(path: Path, inside: Path | None = None) -> Target | None:
    """A directory or a file named on the command line as a target; None when nothing is there. `inside`: the
    folder it must be read from (TargetsFile.inside, for the paths of a targets file)."""
    if path.is_dir():
        return DirectoryTarget(path, inside=inside)
    if path.exists():
        return FileTarget(path, inside=inside)
    return None
