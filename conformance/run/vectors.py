"""Test vectors: manifests of documents with their exact expected outcomes.

A vector is an input file used as-is, or a base document changed by JSON-Patch-style mutations, optionally signed
with the suite's fixed-seed test keys (`sign`: Data Integrity proofs; `wrap.key`: a JWS), changed again after
signing (`after`: tampering), and optionally wrapped (as a JWT, a baked PNG or SVG, or raw text). A JWT without
`wrap.key` carries a placeholder signature, which no key verifies.

Manifests may also publish known documents by URL (`[[resource]]`: status lists, did:web documents), built the same
way; a run that evaluates the vectors serves them instead of fetching (see Environment.documents).
"""
from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.core.requirements import CatalogError
from conformance.run.environment import Environment
from conformance.support.formats.json_patch import apply_mutation
from conformance.support.loading import CONFIG_MAX_BYTES, LoadError, load_toml_file
from conformance.support.outputs import make_folder, write_atomically
from conformance.support.resources import vectors_dir
from conformance.support.schemas import validate_data_file
from conformance.support.securing.proofs import Canonicalizer, ProofError
from conformance.support.securing.signing import jwt_of, sign_document

if TYPE_CHECKING:
    from conformance.support.securing.proofs import Canonicalizer

MANIFEST_MAX_BYTES = CONFIG_MAX_BYTES       # the largest manifest is about 50 KB
_SIGNER_PATHS = frozenset({"/issuer", "/issuer/id", "/holder", "/holder/id"})   # what default signing rewrites


@dataclass(frozen=True, slots=True)
class Vector:
    id: str
    description: str
    manifest: Path
    standard: str
    input: str | None = None
    base: str | None = None
    mutations: tuple[Mapping[str, Any], ...] = ()
    sign: tuple[Mapping[str, Any], ...] = ()
    default_sign: tuple[Mapping[str, Any], ...] = ()   # the manifest's: re-signs a document that still has a proof
    after: tuple[Mapping[str, Any], ...] = ()
    wrap: Mapping[str, Any] | None = None
    verify: Mapping[str, Any] = field(default_factory=dict)
    profile: str = "default"
    expect_fail: frozenset[str] = frozenset()
    expect_error: frozenset[str] = frozenset()
    expect_at: Mapping[str, frozenset[str]] = field(default_factory=dict)   # failing requirement -> its locations
    expect_cant_tell: frozenset[str] = frozenset()      # requirements that stay undecided (cantTell) here
    expect_verdict: str | None = None                  # the subject's verdict; None: derived from the above
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

    def materialize(self, canonicalizer: Canonicalizer | None = None) -> bytes:
        """The vector's bytes. Signing needs a canonicalizer over the pinned contexts (the default store's if None)."""
        if self.input is not None:
            return (self.folder / self.input).read_bytes()
        assert self.base is not None
        document = json.loads((self.folder / self.base).read_text(encoding="utf-8"))
        for mutation in self.mutations:
            document = apply_mutation(document, mutation)
        if self.sign:
            document = sign_document(document, self.sign, canonicalizer or default_canonicalizer())
        elif self.default_sign and isinstance(document, dict) and "proof" in document and not self._writes_signer():
            document = _resign(document, self.default_sign, canonicalizer or default_canonicalizer())
        for mutation in self.after:
            document = apply_mutation(document, mutation)
        if self.wrap:
            return wrap(document, self._wrap_spec())
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


    def _wrap_spec(self) -> Mapping[str, Any]:
        """The wrap, with the manifest's default key for a JWS that would otherwise carry a placeholder signature,
        unless the vector sets what signing decides (alg, kid, jwk, the issuer)."""
        spec = self.wrap or {}
        as_jws = spec.get("format") == "jwt" or spec.get("embed") == "jwt"
        header = spec.get("header", {})
        claims = {*spec.get("claims", {}), *spec.get("drop_claims", ())}
        if not as_jws or "key" in spec or not self.default_sign or any(m["path"] in _SIGNER_PATHS for m in self.mutations) \
                or any(name in header for name in ("alg", "kid", "jwk")) or "iss" in claims \
                or '"iss"' in spec.get("claims_json", ""):
            return spec
        return {**spec, "key": self.default_sign[0]["key"]}

    def _writes_signer(self) -> bool:
        """Whether the mutations set the proof, the issuer or the holder: re-signing would undo what they test."""
        return any(m["path"].split("/")[1:2] == ["proof"] or m["path"] in _SIGNER_PATHS for m in self.mutations)


@dataclass(frozen=True, slots=True)
class Resource:
    """A document a manifest publishes at a URL for the vectors to find (a status list, a did:web document)."""

    url: str
    source: Vector
    gone: bool = False          # the URL answers 410 Gone: nothing is published there

    def materialize(self, canonicalizer: Canonicalizer | None = None) -> bytes | None:
        return None if self.gone else self.source.materialize(canonicalizer)


def _steps(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _vector(entry: Mapping[str, Any], path: Path, standard: str,
            default_sign: tuple[Mapping[str, Any], ...] = ()) -> Vector:
    expect = entry.get("expect", {})
    return Vector(
        id=entry["id"], description=entry["description"], manifest=path, standard=standard,
        default_sign=() if entry.get("unsigned") else default_sign,
        input=entry.get("input"), base=entry.get("base"),
        mutations=tuple(entry.get("mutations", ())), sign=_steps(entry.get("sign")),
        after=tuple(entry.get("after", ())), wrap=entry.get("wrap"), verify=entry.get("verify", {}),
        profile=entry.get("profile", "default"),
        expect_fail=frozenset(expect.get("fail", ())), expect_error=frozenset(expect.get("error", ())),
        expect_cant_tell=frozenset(expect.get("cant_tell", ())), expect_verdict=expect.get("verdict"),
        expect_at={rid: frozenset(where) for rid, where in expect.get("at", {}).items()},
        status=entry.get("status", "approved"), data=entry,
    )


def _manifests(root: Path) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for path in sorted(root.rglob("manifest.toml")):
        try:
            data = load_toml_file(path, max_bytes=MANIFEST_MAX_BYTES, what="the vector manifest")
        except LoadError as exc:
            raise CatalogError(str(exc)) from None
        validate_data_file("manifest", data, path)
        yield path, data


def load_vectors(root: Path | None = None) -> list[Vector]:
    vectors: list[Vector] = []
    for path, data in _manifests(root or vectors_dir()):
        standard = data["manifest"]["standard"]
        default_sign = _steps(data["manifest"].get("sign"))
        vectors.extend(_vector(entry, path, standard, default_sign) for entry in data["vector"])
    return vectors


def load_resources(root: Path | None = None) -> list[Resource]:
    resources: dict[str, Resource] = {}
    for path, data in _manifests(root or vectors_dir()):
        standard = data["manifest"]["standard"]
        for entry in data.get("resource", ()):
            url = entry["url"]
            if url in resources:
                raise ValueError(f"{path}: resource {url} is also published by {resources[url].source.manifest}")
            resources[url] = Resource(url, _vector({"expect": {}, **entry}, path, standard), entry.get("gone", False))
    return list(resources.values())


def known_documents(root: Path | None = None,
                    canonicalizer: Canonicalizer | None = None) -> dict[str, bytes | None]:
    """Every manifest resource as bytes by URL (None: gone): what a run over the vectors serves instead of fetching."""
    return {r.url: r.materialize(canonicalizer) for r in load_resources(root)}


def export(target: Path, root: Path | None = None, documents: Path | None = None) -> Iterator[Path]:
    """Write every vector as a file, one folder per standard and version, for use with other tools; the manifests'
    resources go to `documents` (default: target/documents) with documents.toml mapping each URL to its file, for
    `check --documents`.

    Each file is written atomically and never through a symbolic link inside `target` or `documents` (OutputError):
    an export folder someone else prepared cannot redirect the writes."""

    root = root or vectors_dir()
    canonicalizer = default_canonicalizer()
    for vector in load_vectors(root):
        relative = vector.folder.relative_to(root)
        out = target / relative / vector.filename
        make_folder(out.parent, root=target)
        yield write_atomically(out, vector.materialize(canonicalizer), root=target)
    folder = documents or target / "documents"
    make_folder(folder, root=target if documents is None else folder)
    lines = ["# Known documents by URL: pass this file to `ler-conformance check --documents`.", "[documents]"]
    for resource in load_resources(root):
        body = resource.materialize(canonicalizer)
        if body is None:
            lines.append(f"{json.dumps(resource.url)} = false   # gone: answers 410")
            continue
        out = folder / resource.source.filename
        lines.append(f"{json.dumps(resource.url)} = {json.dumps(out.name)}")
        yield write_atomically(out, body, root=folder)
    yield write_atomically(folder / "documents.toml", "\n".join(lines) + "\n", root=folder)


# --- signing with the suite's test keys ----------------------------------------------------------------------

@cache
def default_canonicalizer() -> Canonicalizer:

    env = Environment.create()
    return Canonicalizer(env.loader, expander=env.expander)


def _resign(document: dict[str, Any], steps: Sequence[Mapping[str, Any]], canonicalizer: Canonicalizer) -> Any:
    """The manifest's default signing: a document that cannot be signed (it has terms its contexts do not define,
    so canonicalization would drop them) keeps its placeholder proof, which the verifier then judges as it is."""

    placeholder = document.get("proof")
    if isinstance(placeholder, dict) and placeholder.get("type") == "Ed25519Signature2020":
        # a VC 1.1 document carries the legacy suite's context, not the Data Integrity terms: keep its suite
        steps = [{"cryptosuite": "Ed25519Signature2020", **step} for step in steps]
    try:
        return sign_document(document, steps, canonicalizer)
    except ProofError:
        return document


# --- mutations (a minimal JSON Patch: add, remove, replace) -----------------------------------------------

# --- wrappers ------------------------------------------------------------------------------------------------

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
            f"{inner}</svg>").encode()


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
