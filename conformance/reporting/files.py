"""What every report writer shares: the error a report that cannot be produced raises, and the one way a report
file is written (atomically, never through a symbolic link at its name: conformance/support/outputs.py)."""
from __future__ import annotations

from pathlib import Path

from conformance.support.outputs import OutputError, write_atomically


class ReportError(RuntimeError):
    """A requested file cannot be produced (no browser for the PDF, an unusable signing key); the message says why."""


def write_no_follow(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically, refusing a symbolic link at that name rather than writing where it points."""
    try:
        return write_atomically(path, data)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
