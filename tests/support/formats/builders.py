"""Builders for the inputs the formats tests feed the decoders; everything is made in memory."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:7f3a5a52-3f7e-4c6b-9d0e-1b2c3d4e5f60",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://issuer.example/profile", "type": ["Profile"], "name": "Example Issuer"},
    "validFrom": "2024-01-01T00:00:00Z",
    "name": "Example badge",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://issuer.example/achievements/1",
            "type": ["Achievement"],
            "name": "Example achievement",
            "criteria": {"narrative": "Complete the example."},
        },
    },
}


def credential_bytes(document: dict[str, Any] | None = None) -> bytes:
    return json.dumps(CREDENTIAL if document is None else document).encode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jws(header: dict[str, Any], payload: dict[str, Any] | Any, signature: bytes = b"\x01\x02\x03") -> str:
    return ".".join((b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()), b64url(signature)))


def png_chunk(chunk_type: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    checksum = zlib.crc32(chunk_type + data) if crc is None else crc
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", checksum)


def itxt_chunk(
    keyword: str,
    text: str | bytes,
    *,
    compressed: bool = False,
    language: bytes = b"",
    translated: bytes = b"",
) -> bytes:
    body = text.encode("utf-8") if isinstance(text, str) else text
    if compressed:
        body = zlib.compress(body)
    data = (
        keyword.encode("latin-1") + b"\0" + bytes([int(compressed), 0]) + language + b"\0" + translated + b"\0" + body
    )
    return png_chunk(b"iTXt", data)


def text_chunk(keyword: str, text: str) -> bytes:
    return png_chunk(b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1"))


def build_png(*extra_chunks: bytes, iend: bool = True) -> bytes:
    """A valid 1x1 greyscale PNG with the given chunks placed between IHDR and IDAT."""
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat = png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    tail = png_chunk(b"IEND", b"") if iend else b""
    return PNG_SIGNATURE + ihdr + b"".join(extra_chunks) + idat + tail


def baked_png(text: str, **options: Any) -> bytes:
    return build_png(itxt_chunk("openbadgecredential", text, **options))


def build_svg(inner: str, *, root_attributes: str | None = None, prolog: str = "") -> bytes:
    attributes = (
        f'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NAMESPACE}" width="10" height="10"'
        if root_attributes is None
        else root_attributes
    )
    return f"{prolog}<svg {attributes}>{inner}</svg>".encode()


def baked_svg_json(document: dict[str, Any] | None = None) -> bytes:
    text = json.dumps(CREDENTIAL if document is None else document)
    return build_svg(f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential><rect width='1' height='1'/>")


def baked_svg_jws(compact: str) -> bytes:
    return build_svg(f'<openbadges:credential verify="{compact}"/><rect width="1" height="1"/>')


def nested_json(depth: int, opener: str = "[") -> bytes:
    closer = "]" if opener == "[" else "}"
    if opener == "{":
        return ('{"a":' * depth + "1" + "}" * depth).encode()
    return (opener * depth + closer * depth).encode()
