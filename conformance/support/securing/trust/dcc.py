"""Reading a known-issuer registry file in the Digital Credentials Consortium's format.

The DCC registries (issuer-registry, sandbox-registry, community-registry) are JSON: `meta` (created,
updated) and `registry`, an object keyed by issuer DID whose values hold `name` and usually `url` and
`location`. Older copies use `entries` instead of `registry`. The exact schema is not published, so the reader
is tolerant: unknown fields are ignored, `name` may be missing, and besides the keyed object it accepts a
mapping keyed by id at the top level and a list of entries that carry their id as `id` or `did`.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.support.formats import Limits, PayloadError, parse_json

from .model import TrustEntry, TrustError, TrustList

__all__ = ["MAX_REGISTRY_BYTES", "load_dcc_registry", "parse_dcc_registry"]

MAX_REGISTRY_BYTES = 16 * 1024 * 1024
_ID_PREFIXES = ("did:", "http://", "https://")
_TEXT_FIELDS = ("name", "url", "location")


def load_dcc_registry(path: str | Path, name: str | None = None) -> TrustList:
    """Read a registry file. Raises TrustError only."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_REGISTRY_BYTES + 1)
    except OSError as exc:
        raise TrustError(f"{file}: the issuer registry cannot be read: {exc.strerror or exc}") from None
    return parse_dcc_registry(data, source=str(file), name=name)


def parse_dcc_registry(data: bytes | str | Mapping[str, Any] | list[Any], source: str = "<registry>",
                       name: str | None = None) -> TrustList:
    """Entries of a DCC-style registry, in file order. Raises TrustError with `source: /pointer: ...` messages."""
    if isinstance(data, (bytes, str)):
        if len(data) > MAX_REGISTRY_BYTES:
            raise TrustError(f"{source}: the registry is larger than {MAX_REGISTRY_BYTES:,} bytes")
        try:
            document: Any = parse_json(data, Limits(max_bytes=MAX_REGISTRY_BYTES))
        except PayloadError as exc:
            raise TrustError(f"{source}: the registry is not JSON: {exc.message}") from None
    else:
        document = data
    pairs, base = _entries(document, source)
    entries: list[TrustEntry] = []
    issues: list[str] = []
    for pointer, issuer_id, body in pairs:
        where = f"{base}{pointer}"
        if not isinstance(issuer_id, str) or not issuer_id.startswith(_ID_PREFIXES):
            issues.append(f"{source}: {where}: the issuer id {issuer_id!r:.80} is not a DID or an http(s) URL")
            continue
        if not isinstance(body, Mapping):
            issues.append(f"{source}: {where}: the entry is {type(body).__name__}; an object is expected")
            continue
        fields: dict[str, str | None] = {}
        for key in _TEXT_FIELDS:
            value = body.get(key)
            if value is not None and not isinstance(value, str):
                issues.append(f"{source}: {where}/{key}: {key} is {type(value).__name__}; a string is expected")
            fields[key] = value if isinstance(value, str) else None
        entries.append(
            TrustEntry(
                id=issuer_id,
                name=fields["name"],
                url=fields["url"],
                location=fields["location"],
                source=f"{source} {where}",
            )
        )
    if issues:
        raise TrustError("\n".join(issues), issues)
    return TrustList(tuple(entries), name or _registry_name(document) or source)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _entries(document: Any, source: str) -> tuple[list[tuple[str, Any, Any]], str]:
    """(pointer, id, entry object) for each entry, and the pointer of the container."""
    if isinstance(document, Mapping):
        for key in ("registry", "entries"):
            if key in document:
                return _from_container(document[key], source, f"/{key}"), f"/{key}"
        if document and all(isinstance(k, str) and k.startswith(_ID_PREFIXES) for k in document):
            return _from_container(document, source, ""), ""
        raise TrustError(
            f"{source}: the registry has neither a `registry` object keyed by issuer DID nor an `entries` object "
            "(top-level keys: " + ", ".join(sorted(map(str, document))[:10]) + ")"
        )
    if isinstance(document, list):
        return _from_container(document, source, ""), ""
    raise TrustError(f"{source}: the registry is {type(document).__name__}; a JSON object or array is expected")


def _from_container(container: Any, source: str, where: str) -> list[tuple[str, Any, Any]]:
    if isinstance(container, Mapping):
        return [(f"/{_escape(str(key))}", key, body) for key, body in container.items()]
    if isinstance(container, list):
        pairs: list[tuple[str, Any, Any]] = []
        for position, body in enumerate(container):
            issuer_id = None
            if isinstance(body, Mapping):
                issuer_id = body.get("id", body.get("did"))
            pairs.append((f"/{position}", issuer_id, body))
        return pairs
    raise TrustError(f"{source}: {where or '/'}: the registry entries are {type(container).__name__}; an object "
                     "keyed by issuer id or an array of entries is expected")


def _registry_name(document: Any) -> str | None:
    if isinstance(document, Mapping):
        meta = document.get("meta")
        if isinstance(meta, Mapping) and isinstance(meta.get("name"), str):
            return meta["name"]  # type: ignore[no-any-return]
    return None
