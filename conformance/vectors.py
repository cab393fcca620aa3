"""Test vectors: manifests of documents with their exact expected outcomes.

A vector is an input file used as-is, or a base document changed by JSON-Patch-style mutations and optionally
wrapped (as a JWT, a baked PNG or SVG, or raw text). Wrapped JWTs carry a placeholder signature: this layer tests
formats and data models, and signature verification judges them elsewhere.
"""
from __future__ import annotations

import base64
import copy
import json
import struct
import tomllib
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance.resources import vectors_dir
from conformance.schemas import validate_data_file

PLACEHOLDER_SIGNATURE = b"\x00" * 64


@dataclass(frozen=True, slots=True)
class Vector:
    id: str
    description: str
    manifest: Path
    standard: str
    input: str | None = None
    base: str | None = None
    mutations: tuple[Mapping[str, Any], ...] = ()
    wrap: Mapping[str, Any] | None = None
    profile: str = "default"
    expect_fail: frozenset[str] = frozenset()
    expect_error: frozenset[str] = frozenset()
    status: str = "approved"
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.manifest.parent

    @property
    def conforms(self) -> bool:
        return not self.expect_fail and not self.expect_error

    @property
    def filename(self) -> str:
        fmt = (self.wrap or {}).get("format")
        if fmt == "jwt":
            return f"{self.id}.jwt"
        if fmt in ("png", "svg"):
            return f"{self.id}.{fmt}"
        if self.input:
            return f"{self.id}{Path(self.input).suffix}"
        return f"{self.id}.json"

    def materialize(self) -> bytes:
        if self.input is not None:
            return (self.folder / self.input).read_bytes()
        assert self.base is not None
        document = json.loads((self.folder / self.base).read_text(encoding="utf-8"))
        for mutation in self.mutations:
            document = apply_mutation(document, mutation)
        if self.wrap:
            return wrap(document, self.wrap)
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def load_vectors(root: Path | None = None) -> list[Vector]:
    root = root or vectors_dir()
    vectors: list[Vector] = []
    for path in sorted(root.rglob("manifest.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        validate_data_file("manifest", data, path)
        standard = data["manifest"]["standard"]
        for entry in data["vector"]:
            expect = entry["expect"]
            vectors.append(Vector(
                id=entry["id"], description=entry["description"], manifest=path, standard=standard,
                input=entry.get("input"), base=entry.get("base"),
                mutations=tuple(entry.get("mutations", ())), wrap=entry.get("wrap"),
                profile=entry.get("profile", "default"),
                expect_fail=frozenset(expect.get("fail", ())), expect_error=frozenset(expect.get("error", ())),
                status=entry.get("status", "approved"), data=entry,
            ))
    return vectors


def export(target: Path, root: Path | None = None) -> Iterator[Path]:
    """Write every vector as a file, one folder per standard and version, for use with other tools."""
    for vector in load_vectors(root):
        relative = vector.folder.relative_to(root or vectors_dir())
        out = target / relative / vector.filename
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(vector.materialize())
        yield out


# --- mutations (a minimal JSON Patch: add, remove, replace) -----------------------------------------------

def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _value(mutation: Mapping[str, Any]) -> Any:
    if "json" in mutation:
        return json.loads(mutation["json"])
    return copy.deepcopy(mutation.get("value"))


def apply_mutation(document: Any, mutation: Mapping[str, Any]) -> Any:
    op, tokens = mutation["op"], _tokens(mutation["path"])
    if not tokens:
        if op == "remove":
            raise ValueError("cannot remove the whole document")
        return _value(mutation)
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        if op == "add":
            parent.insert(len(parent) if last == "-" else int(last), _value(mutation))
        elif op == "remove":
            del parent[int(last)]
        else:
            parent[int(last)] = _value(mutation)
        return document
    if op == "remove" or op == "replace":
        if last not in parent:
            raise KeyError(f"{mutation['path']} does not exist, so it cannot be {op}d")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = _value(mutation)
    return document


# --- wrappers ------------------------------------------------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(document: Mapping[str, Any]) -> Any:
    subject = document.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def jwt_of(document: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    style = spec.get("style", "jwt-claims")
    types = document.get("type")
    presentation = "VerifiablePresentation" in (types if isinstance(types, (list, str)) else [])
    default_typ = {"vc-jose": "vp+jwt" if presentation else "vc+jwt"}.get(style, "JWT")
    issuer = _issuer_id(document)
    header: dict[str, Any] = {"alg": "ES256", "typ": default_typ}
    if isinstance(issuer, str):
        header["kid"] = f"{issuer}#key-1"
    header.update(spec.get("header", {}))
    if style == "vc-jwt-1.1":
        claims: dict[str, Any] = {"vp" if presentation else "vc": document}
        registered = {"iss": issuer, "jti": document.get("id"), "sub": _subject_id(document),
                      "nbf": _epoch(document.get("issuanceDate")), "exp": _epoch(document.get("expirationDate"))}
    elif style == "jwt-claims":
        claims = dict(document)
        registered = {"iss": issuer, "jti": document.get("id"), "sub": _subject_id(document),
                      "nbf": _epoch(document.get("validFrom")), "exp": _epoch(document.get("validUntil"))}
    else:
        claims, registered = dict(document), {}
    claims.update({k: v for k, v in registered.items() if v is not None})
    claims.update(spec.get("claims", {}))
    if "claims_json" in spec:
        claims.update(json.loads(spec["claims_json"]))
    for name in spec.get("drop_claims", ()):
        claims.pop(name, None)
    signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
    return signing_input + "." + _b64url(PLACEHOLDER_SIGNATURE)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_of(text: str, *, keyword: str = "openbadgecredential", compressed: bool = False, copies: int = 1) -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)           # 1x1 grey pixel
    idat = zlib.compress(b"\x00\x00")
    body = text.encode("utf-8")
    itxt = keyword.encode("latin-1") + b"\x00" + (b"\x01\x00" if compressed else b"\x00\x00") + b"\x00\x00" + \
        (zlib.compress(body) if compressed else body)
    chunks = [_png_chunk(b"IHDR", ihdr)] + [_png_chunk(b"iTXt", itxt)] * copies + \
        [_png_chunk(b"IDAT", idat), _png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def svg_of(text: str, *, as_jws: bool, copies: int = 1, position: str = "first",
           namespace: str = "https://purl.imsglobal.org/ob/v3p0") -> bytes:
    if as_jws:
        element = f'<openbadges:credential verify="{text}"/>'
    else:
        element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    shape = '<circle cx="5" cy="5" r="4"/>'
    inner = element * copies + shape if position == "first" else shape + element * copies
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{namespace}" viewBox="0 0 10 10">'
            f"{inner}</svg>").encode("utf-8")


def wrap(document: Any, spec: Mapping[str, Any]) -> bytes:
    fmt = spec["format"]
    if fmt == "jwt":
        return jwt_of(document, spec).encode("ascii")
    if fmt == "text":
        text = spec.get("text", json.dumps(document))
        return text.encode(spec.get("encoding", "utf-8"))
    as_jws = spec.get("embed", "json") == "jwt"
    text = jwt_of(document, spec) if as_jws else json.dumps(document)
    if fmt == "png":
        return png_of(text, keyword=spec.get("keyword", "openbadgecredential"),
                      compressed=spec.get("compressed", False), copies=spec.get("copies", 1))
    return svg_of(text, as_jws=as_jws, copies=spec.get("copies", 1), position=spec.get("position", "first"),
                  namespace=spec.get("namespace", "https://purl.imsglobal.org/ob/v3p0"))
