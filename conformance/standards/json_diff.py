"""Where two JSON values differ, as JSON pointers: the one comparison the protocol rules use to say what a service
changed in a document it was given (a host's stored credential, an issuer's issued one).

Two readings, because the rules ask two questions:
- `exact`: the documents must be the same (a host returns what was put): every member of either side counts;
- `kept`: everything `sent` holds must still be in `got`, which may add members (an issuer adds `issuer`, `proof`,
  dates): only `sent`'s members count, and an array of plain values may gain items.

Values are equal only with the same JSON type (`true` is not `1`, `1` is `1.0` as JSON numbers are)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from conformance.core.checks import MISSING

Difference = tuple[str, Any, Any]          # (pointer, sent, got); a side that lacks the member holds MISSING


def _same(sent: Any, got: Any) -> bool:
    if isinstance(sent, bool) or isinstance(got, bool):
        return type(sent) is type(got) and sent == got
    return bool(sent == got)


def _escaped(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def differences(sent: Any, got: Any, at: str = "", *, reading: Literal["exact", "kept"]) -> Iterator[Difference]:
    """(pointer, sent, got) for each place where `got` departs from `sent` under the reading."""
    if isinstance(sent, dict) and isinstance(got, dict):
        keys = sorted(set(sent) | set(got), key=str) if reading == "exact" else list(sent)
        for key in keys:
            yield from differences(sent.get(key, MISSING), got.get(key, MISSING), f"{at}/{_escaped(key)}",
                                   reading=reading)
    elif isinstance(sent, list) and isinstance(got, list):
        if reading == "kept" and all(not isinstance(v, dict | list) for v in sent):
            if not all(any(_same(v, g) for g in got) for v in sent):
                yield at, sent, got
        elif len(sent) == len(got):
            for index, (a, b) in enumerate(zip(sent, got, strict=True)):
                yield from differences(a, b, f"{at}/{index}", reading=reading)
        else:
            yield at, sent, got
    elif sent is not got and (sent is MISSING or got is MISSING or not _same(sent, got)):
        yield at, sent, got
