"""Writing the files a run produces (results.json, reports, exported vectors) so that a folder prepared by someone
else cannot redirect them, and an interrupted run cannot leave half a file behind.

Every file is written to a temporary file in its own folder, flushed to disk and then renamed over the final name
(`os.replace`, atomic on POSIX): a reader sees the old file or the new one, never a mix. A symbolic link at the final
name, or at any folder between the output root the person named (`--out`, the export folder) and the file, is
refused: the suite creates no links, so one found there was planted, and following it could overwrite any file the
person running the suite may write. The root itself is the person's own choice and may be a link.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o644             # what open() would give with the usual umask; mkstemp's 0o600 would surprise readers


class OutputError(RuntimeError):
    """An output file cannot be written (a planted symbolic link, no permission, a full disk); the message says why."""


def _refuse_links(root: Path, inside: Path) -> None:
    """Refuse a symbolic link at `inside` or at any folder between `root` (not itself checked) and it."""
    try:
        relative = inside.relative_to(root)
    except ValueError:
        relative = Path(inside.name)   # not under the root: only its own name is the suite's to check
        root = inside.parent
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise OutputError(f"{current}: expected a file or folder, found a symbolic link; the suite never writes "
                              "through one")


def make_folder(folder: Path, root: Path | None = None) -> Path:
    """Create `folder` (and its parents) unless it exists, refusing a symbolic link anywhere below `root`."""
    root = root if root is not None else folder
    _refuse_links(root, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: the folder cannot be created ({exc.strerror or type(exc).__name__})") from None
    _refuse_links(root, folder)      # a link created meanwhile, in place of a folder mkdir found or made
    return folder


def write_atomically(path: Path, data: bytes | str, root: Path | None = None) -> Path:
    """Write `data` (text is UTF-8) to `path` all at once: a temporary file beside it, fsync, rename.

    `root` is the output folder the person named; a symbolic link at `path` or at any folder between `root` and
    `path` is refused (OutputError), and nothing is written. Without `root` only `path` itself is checked."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent
    _refuse_links(root if root is not None else folder, path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise OutputError(f"{path}: the file cannot be written ({exc.strerror or type(exc).__name__})") from None
    with _discarded_on_failure(Path(temporary), path):
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        # checked again just before the rename; a link planted after this is replaced, not followed: os.replace
        # renames over the name itself, so the link's target is never opened
        if path.is_symlink():
            raise OutputError(f"{path}: expected a file or nothing, found a symbolic link; the suite never writes "
                              "through one")
        if path.exists() and not stat.S_ISREG(path.lstat().st_mode):
            raise OutputError(f"{path}: expected a file or nothing, found something else (a folder or a device)")
        os.replace(temporary, path)
    _sync_folder(folder)
    return path


def open_new(path: Path, mode: str = "w") -> IO[Any]:
    """A fresh file at `path` for a writer that streams (an audit's working files): whatever was at that name is
    removed first (a link is removed, not followed) and the file is created exclusively, never through a link."""
    with contextlib.suppress(FileNotFoundError):
        if path.is_symlink() or path.is_file():
            os.unlink(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        raise OutputError(f"{path}: the file cannot be written ({exc.strerror or type(exc).__name__})") from None
    return os.fdopen(descriptor, mode, **({} if "b" in mode else {"encoding": "utf-8"}))


def commit(temporary: Path, path: Path, root: Path | None = None) -> Path:
    """Move a finished file written with open_new to its final name in one step, refusing a link there or below
    `root` (the temporary file is removed then)."""
    with _discarded_on_failure(temporary, path):
        _refuse_links(root if root is not None else path.parent, path)
        with open(temporary, "rb") as handle:       # noqa: PTH123 - the descriptor is what fsync needs
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    _sync_folder(path.parent)
    return path


@contextlib.contextmanager
def _discarded_on_failure(temporary: Path, path: Path) -> Iterator[None]:
    """Whatever stops the write removes the temporary file (the old file at `path` stays whole); an OS error is said
    in one line naming `path`."""
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: the file cannot be written ({exc.strerror or type(exc).__name__})") from None
        raise


def _sync_folder(folder: Path) -> None:
    # the rename is durable only once the folder's entry is on disk; some file systems cannot fsync a folder
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
