"""Reading a trust list file: TOML [[issuer]] tables, checked against shapes/schemas/trust-list.schema.json.

Every error names the file and the line, because the person fixing it has the file open, not a JSON pointer.
"""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.support.loading import CONFIG_MAX_DEPTH, data_depth_exceeds
from conformance.support.resources import shapes_dir

from .model import TrustEntry, TrustError, TrustList
from .normalize import normalize_issuer_id

__all__ = ["MAX_TRUST_LIST_BYTES", "load_trust_list", "parse_trust_list", "trust_list_schema"]

# A trust list is written by hand; a megabyte holds thousands of issuers and keeps a wrong file from costing much.
MAX_TRUST_LIST_BYTES = 4 * 1024 * 1024
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*=")


@cache
def trust_list_schema() -> dict[str, Any]:
    text = (shapes_dir() / "schemas" / "trust-list.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(trust_list_schema())


def load_trust_list(path: str | Path) -> TrustList:
    """Read and check a trust list file. Raises TrustError only."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_TRUST_LIST_BYTES + 1)
    except OSError as exc:
        raise TrustError(f"{file}: the trust list cannot be read: {exc.strerror or exc}") from None
    return parse_trust_list(data, source=str(file))


def parse_trust_list(data: bytes | str, source: str = "<trust list>") -> TrustList:
    """Parse trust list text. Raises TrustError with `source:line: ...` messages."""
    if len(data) > MAX_TRUST_LIST_BYTES:
        raise TrustError(f"{source}: the trust list is larger than {MAX_TRUST_LIST_BYTES:,} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise TrustError(f"{source}:{line}: the trust list is not UTF-8 text (byte {exc.start:,})") from None
    else:
        text = data
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TrustError(_toml_message(source, str(exc), text)) from None
    except RecursionError:
        raise TrustError(f"{source}: the TOML nests too deeply to read") from None
    # dotted keys nest without recursion in the parser; the schema validator after it recurses
    if data_depth_exceeds(document, CONFIG_MAX_DEPTH):
        raise TrustError(f"{source}: the TOML nests deeper than the limit of {CONFIG_MAX_DEPTH}")
    lines = _LineMap(text)
    plain = _as_json(document)
    located = sorted((lines.line_of(_error_path(e)), _describe(e)) for e in _validator().iter_errors(plain))
    issues = [f"{source}:{line}: {message}" for line, message in located]
    if issues:
        raise TrustError(_summary(issues), issues)
    entries: list[TrustEntry] = []
    seen: dict[str, int] = {}
    for position, table in enumerate(plain["issuer"]):
        line = lines.line_of(["issuer", position])
        key = normalize_issuer_id(table["id"])
        if key in seen:
            issues.append(
                f"{source}:{lines.line_of(['issuer', position, 'id'])}: issuer {table['id']!r} is listed twice "
                f"(as {key}, first at line {seen[key]})"
            )
            continue
        seen[key] = line
        try:
            valid_from = _instant(table.get("valid_from"), end_of_day=False)
        except ValueError as exc:
            issues.append(f"{source}:{lines.line_of(['issuer', position, 'valid_from'])}: valid_from "
                          f"{table['valid_from']} is not a real date or time ({exc})")
            continue
        try:
            valid_until = _instant(table.get("valid_until"), end_of_day=True)
        except ValueError as exc:
            issues.append(f"{source}:{lines.line_of(['issuer', position, 'valid_until'])}: valid_until "
                          f"{table['valid_until']} is not a real date or time ({exc})")
            continue
        if valid_from is not None and valid_until is not None and valid_until < valid_from:
            issues.append(
                f"{source}:{lines.line_of(['issuer', position, 'valid_until'])}: valid_until "
                f"{table['valid_until']} is before valid_from {table['valid_from']}"
            )
            continue
        entries.append(
            TrustEntry(
                id=table["id"],
                name=table["name"],
                valid_from=valid_from,
                valid_until=valid_until,
                note=table.get("note"),
                source=f"{source}:{line}",
            )
        )
    if issues:
        raise TrustError(_summary(issues), issues)
    return TrustList(tuple(entries), plain.get("name") or source)


def _summary(issues: list[str]) -> str:
    return "\n".join(issues)


def _toml_message(source: str, message: str, text: str) -> str:
    match = _TOML_POSITION.search(message)
    if match:
        return f"{source}:{match[1]}:{match[2]}: {message[: match.start()]} (the file is not valid TOML)"
    if _TOML_END.search(message):
        line = text.rstrip().count("\n") + 1
        return f"{source}:{line}: {_TOML_END.sub('', message)} at the end of the file (the file is not valid TOML)"
    return f"{source}: {message} (the file is not valid TOML)"


def _as_json(value: Any) -> Any:
    """TOML's date and time values as RFC 3339 strings, so one JSON Schema describes the file."""
    if isinstance(value, Mapping):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, datetime):
        # a local date-time (no offset) keeps no offset here, and the schema refuses it as ambiguous
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def _instant(value: str | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if "T" not in value:
        day = date.fromisoformat(value)
        start = datetime.combine(day, time(0, 0), tzinfo=UTC)
        # a date bound covers the whole day it names
        return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start
    return datetime.fromisoformat(value)


def _error_path(error: ValidationError) -> list[Any]:
    """Where to point: an unknown key is reported on its own line rather than on its table's header."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' (?:was|were) unexpected", error.message)
        if extra:
            return [*path, extra[0]]
    return path


def _describe(error: ValidationError) -> str:
    path = list(error.absolute_path)
    field = _field_name(path)
    expected = error.schema.get("x-expected") if isinstance(error.schema, Mapping) else None
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else "a key"
        where = "the file" if not path else f"issuer table {path[1] + 1}" if len(path) == 2 else field
        if name == "issuer":
            return "the file has no [[issuer]] table; at least one is expected"
        return f"{where} has no {name}; it is required"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' (?:was|were) unexpected", error.message)
        keys = ", ".join(extra) if extra else "unknown keys"
        known = ", ".join(error.schema.get("properties", {}))
        where = "the file" if not path else f"issuer table {path[1] + 1}"
        return f"{where} has the unknown key(s) {keys}; the keys allowed are {known}"
    if error.validator == "minItems" and path == ["issuer"]:
        return "the file has no [[issuer]] table; at least one is expected"
    found = _shown(error.instance)
    return f"{field} is {found}; {expected or 'a different value'} is expected"


def _field_name(path: list[Any]) -> str:
    if len(path) >= 3 and path[0] == "issuer":
        return f"{path[2]} of issuer table {path[1] + 1}"
    if len(path) == 2 and path[0] == "issuer":
        return f"issuer table {path[1] + 1}"
    return str(path[0]) if path else "the file"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"{value!r:.80}"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__


class _LineMap:
    """Line numbers of [[issuer]] tables and of the keys inside them, from the text tomllib does not annotate."""

    def __init__(self, text: str) -> None:
        self.tables: list[int] = []
        self.keys: list[dict[str, int]] = []
        self.top_keys: dict[str, int] = {}
        in_issuer = False
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                in_issuer = line.lstrip().startswith("[[") and header[1].strip("\"' ") == "issuer"
                if in_issuer:
                    self.tables.append(number)
                    self.keys.append({})
                continue
            key = _KEY.match(line)
            if key:
                name = next(g for g in key.groups() if g is not None)
                (self.keys[-1] if in_issuer and self.keys else self.top_keys).setdefault(name, number)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline = quote

    def line_of(self, path: list[Any]) -> int:
        if not path:
            return 1
        if path[0] != "issuer" or len(path) == 1:
            return self.top_keys.get(str(path[0]), self.tables[0] if self.tables else 1)
        position = path[1]
        if not isinstance(position, int) or position >= len(self.tables):
            # an inline array of tables (issuer = [{...}]) has no headers: point at the key
            return self.top_keys.get("issuer", 1)
        if len(path) >= 3:
            return self.keys[position].get(str(path[2]), self.tables[position])
        return self.tables[position]
