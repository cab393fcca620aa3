"""The run's secrets, redacted by value wherever they appear.

Name-based redaction (evidence.py: `authorization` headers, `access_token` members) misses a secret a service
repeats under another name, in a 5xx page, in a redirect URL or in an error message. So every secret the run knows
(tokens from environment variables, client secrets, issued access and refresh tokens, authorization codes, PKCE
verifiers) is registered here as soon as it is known, and every output boundary (recorded evidence, transcripts,
results.json, `--format json`, the terminal) replaces each one wherever it occurs with a placeholder naming its kind,
such as "[redacted access token]".
"""
from __future__ import annotations

import json
import re
import threading
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

# A secret shorter than this is still redacted, but only where it stands alone (not inside a longer run of letters
# and digits): a one-letter token "t" would otherwise erase every "t" of the report. Even so a short secret can hide
# unrelated text that happens to spell it ("c" in "/huge/c", a 4-digit code in a date): over-redaction is the price
# of never printing one.
SHORT = 8
_ALONE_BEFORE, _ALONE_AFTER = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
_T = TypeVar("_T")


# The registry of the live flows running in this context (set by live.run_flows): servers the suite starts for a
# flow (the counter-party) register what they hand out in it without every module passing it along.
FLOW_SECRETS: ContextVar[Secrets | None] = ContextVar("ler_conformance_flow_secrets", default=None)


def placeholder(kind: str) -> str:
    return f"[redacted {kind}]"


def _forms(value: str) -> set[str]:
    """The spellings a secret takes in what the suite records: as is, percent-encoded (query strings, forms) and
    escaped inside a JSON string (a body kept as text)."""
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {form for form in forms if form}


class Secrets:
    """One registry per run, shared by the guarded client, the live flows and the reports. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._labels: dict[str, str] = {}          # a spelling of a secret -> its placeholder
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: object, kind: str) -> None:
        """Register `value` (a str; anything else, or an empty string, is ignored) as a secret of `kind`.

        A value under SHORT characters is registered all the same (missing a secret is worse than redacting a few
        unrelated characters that spell it), but it is replaced only where it stands alone; see SHORT.
        """
        if not isinstance(value, str) or not value.strip():
            return
        label = placeholder(kind)
        with self._lock:
            added = False
            for form in _forms(value):
                if form not in self._labels:
                    self._labels[form] = label
                    added = True
            if added:
                # longest first: a secret that contains another is replaced whole, not in pieces
                ordered = sorted(self._labels, key=lambda s: (-len(s), s))
                self._pattern = re.compile("|".join(
                    re.escape(s) if len(s) >= SHORT else f"{_ALONE_BEFORE}{re.escape(s)}{_ALONE_AFTER}"
                    for s in ordered))

    @property
    def known(self) -> int:
        """How many spellings are registered (0: nothing to redact)."""
        with self._lock:
            return len(self._labels)

    def redact_text(self, text: str) -> str:
        with self._lock:
            pattern, labels = self._pattern, self._labels
        if pattern is None or not text:
            return text
        return pattern.sub(lambda m: labels[m.group(0)], text)

    def redact(self, value: _T) -> _T:
        """A copy of `value` with every registered secret replaced: a str, bytes (as UTF-8), or a JSON-like tree of
        dicts, lists and tuples (keys included). Other values come back as they are. Iterative, so a deeply nested
        body cannot exhaust the stack."""
        with self._lock:
            if self._pattern is None:
                return value
        if isinstance(value, str):
            return self.redact_text(value)  # type: ignore[return-value]
        if isinstance(value, bytes):
            text = value.decode("utf-8", "surrogateescape")
            return self.redact_text(text).encode("utf-8", "surrogateescape")  # type: ignore[return-value]
        if not isinstance(value, (dict, list, tuple)):
            return value
        return self._tree(value)

    def _tree(self, root: Any) -> Any:
        # Each container is copied into a list of parts first, then assembled once all its children are done.
        done: dict[int, Any] = {}
        open_: set[int] = set()            # expanded and not yet assembled: seeing one again means a cycle
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if not expanded and (id(node) in done or id(node) in open_):
                continue
            if isinstance(node, dict):
                children = list(node.values())
            elif isinstance(node, (list, tuple)):
                children = list(node)
            else:
                continue
            if not expanded:
                open_.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in children if isinstance(c, (dict, list, tuple)))
                continue
            open_.discard(id(node))
            parts = [self._leaf(c, done) for c in children]
            if isinstance(node, dict):
                done[id(node)] = {self._leaf(k, done): v for k, v in zip(node.keys(), parts)}
            elif isinstance(node, tuple):
                done[id(node)] = tuple(parts)
            else:
                done[id(node)] = parts
        return done[id(root)]

    def _leaf(self, value: Any, done: dict[int, Any]) -> Any:
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, (dict, list, tuple)):
            return done.get(id(value), "[cycle]")
        return value
