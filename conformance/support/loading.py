"""Bounded reading of the files a person hands the suite: results.json, attestations, targets.toml, `--documents`
index files, vendor attestations, vector manifests.

These files may come from a vendor, so each is read the way a credential is: the size is checked before reading,
UTF-8 is required, and the nesting depth is bounded before any recursive code (a schema validator, a renderer) walks
the data. Every problem ends as one LoadError whose message is a single line naming the file, which the command line
prints as a usage error (exit 2) instead of a traceback.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from conformance.support.formats.errors import Limits, PayloadError
from conformance.support.formats.json_text import parse_json

__all__ = [
    "CONFIG_MAX_BYTES",
    "CONFIG_MAX_DEPTH",
    "RESULTS_MAX_BYTES",
    "RESULTS_MAX_DEPTH",
    "LoadError",
    "data_depth_exceeds",
    "load_json_file",
    "load_toml_file",
    "parse_toml_text",
    "read_bounded",
]

# A configuration file (targets, index, vendor attestation, manifest) is written by hand: a few MiB hold thousands of
# entries, and its tables nest a handful of levels.
CONFIG_MAX_BYTES = 4 * 1024 * 1024
CONFIG_MAX_DEPTH = 64
# results.json is the suite's own output, but `report` and `verify-report` read it from whoever sent the package. It
# embeds documents (depth 64) and live transcripts' JSON bodies inside a dozen levels of its own; a large CTDL audit
# writes tens of MiB, and the vector corpus of `make demo` about 70 MiB (each finding is written twice, per subject
# and as an assertion). Parsing JSON takes about eight times its size in memory.
RESULTS_MAX_BYTES = 256 * 1024 * 1024
RESULTS_MAX_DEPTH = 256


class LoadError(Exception):
    """A file cannot be loaded; str() is one line that names the file."""

    def __init__(self, path: str | Path, message: str) -> None:
        # one line, whatever the underlying library put in its message
        self.reason = " ".join(message.split())         # without the file's name, for callers that say it first
        self.path = str(path)
        self.message = f"{path}: {self.reason}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def read_bounded(path: str | Path, max_bytes: int, what: str = "the file") -> bytes:
    """The bytes of `path`, refused unread when larger than `max_bytes`. Raises LoadError."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            # stat first so a huge file costs nothing; the bounded read still guards a file that grows meanwhile
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise LoadError(file, f"{what} is {size:,} bytes; at most {max_bytes:,} bytes are read")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(file, f"{what} cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise LoadError(file, f"{what} is more than {max_bytes:,} bytes; at most {max_bytes:,} bytes are read")
    return data


def load_json_file(path: str | Path, *, max_bytes: int = CONFIG_MAX_BYTES, max_depth: int = CONFIG_MAX_DEPTH,
                   what: str = "the file") -> Any:
    """The JSON value in `path`: at most `max_bytes`, UTF-8, nested at most `max_depth`. Raises LoadError."""
    data = read_bounded(path, max_bytes, what)
    # every byte can open a container; the decoder's own container bound then follows the size bound
    limits = Limits(max_bytes=max_bytes, max_depth=max_depth, max_containers=max(max_bytes // 2, 1))
    try:
        return parse_json(data, limits)
    except PayloadError as exc:
        raise LoadError(path, f"{what} is not readable JSON: {exc.message}") from None


def load_toml_file(path: str | Path, *, max_bytes: int = CONFIG_MAX_BYTES, max_depth: int = CONFIG_MAX_DEPTH,
                   what: str = "the file") -> dict[str, Any]:
    """The TOML table in `path`: at most `max_bytes`, UTF-8, nested at most `max_depth`. Raises LoadError."""
    return parse_toml_text(read_bounded(path, max_bytes, what), path, max_depth=max_depth, what=what)


def parse_toml_text(data: bytes, source: str | Path, *, max_depth: int = CONFIG_MAX_DEPTH,
                    what: str = "the file") -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError(source, f"{what} is not UTF-8 text (line {line:,}, byte {exc.start:,})") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(source, f"{what} is not readable TOML: {exc}") from None
    except RecursionError:
        # tomllib recurses once per inline array or table; the stack unwinds cleanly, so this is safe to catch
        raise LoadError(source, f"{what} nests deeper than the parser can read; the limit is {max_depth:,}") from None
    # dotted keys and table headers nest without recursion in the parser, but everything after it (schema
    # validation, conversions) recurses
    if data_depth_exceeds(table, max_depth):
        raise LoadError(source, f"{what} nests deeper than the limit of {max_depth:,}")
    return table


def data_depth_exceeds(value: Any, max_depth: int) -> bool:
    """True when dicts and lists in `value` nest deeper than `max_depth` (the top-level container is depth 1)."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False
