from __future__ import annotations

import json
import struct
import zlib

import pytest

from conformance.support.formats import Limits, PayloadError, extract_png
from tests.support.formats.builders import (
    CREDENTIAL,
    PNG_SIGNATURE,
    baked_png,
    build_png,
    itxt_chunk,
    make_jws,
    png_chunk,
    text_chunk,
)

CREDENTIAL_TEXT = json.dumps(CREDENTIAL)


def test_extract_png_finds_the_credential_and_lists_chunks() -> None:
    baking = extract_png(baked_png(CREDENTIAL_TEXT))
    assert baking.container == "png"
    assert baking.credential_text == CREDENTIAL_TEXT
    assert baking.embedded_form == "json"
    assert baking.svg is None
    assert [chunk.type for chunk in baking.png_chunks] == ["IHDR", "iTXt", "IDAT", "IEND"]
    credential_chunk = baking.png_chunks[1]
    assert credential_chunk.offset == 8 + 25
    assert credential_chunk.keyword == "openbadgecredential"
    assert credential_chunk.compressed is False
    assert credential_chunk.text == CREDENTIAL_TEXT
    assert baking.png_chunks[0].offset == 8
    assert baking.png_chunks[0].length == 13
    assert all(chunk.text is None for chunk in baking.png_chunks if chunk is not credential_chunk)


def test_extract_png_jws_form() -> None:
    compact = make_jws({"alg": "ES256", "typ": "JWT"}, CREDENTIAL)
    baking = extract_png(baked_png(compact))
    assert baking.embedded_form == "jws"
    assert baking.credential_text == compact


def test_extract_png_records_duplicate_credential_chunks() -> None:
    raw = build_png(itxt_chunk("openbadgecredential", "first"), itxt_chunk("openbadgecredential", "second"))
    baking = extract_png(raw)
    texts = [chunk.text for chunk in baking.png_chunks if chunk.keyword == "openbadgecredential"]
    assert texts == ["first", "second"]
    assert baking.credential_text == "first"


def test_extract_png_records_compressed_itxt() -> None:
    baking = extract_png(baked_png(CREDENTIAL_TEXT, compressed=True))
    credential_chunk = next(chunk for chunk in baking.png_chunks if chunk.type == "iTXt")
    assert credential_chunk.compressed is True
    assert credential_chunk.text == CREDENTIAL_TEXT
    assert baking.credential_text == CREDENTIAL_TEXT


def test_extract_png_records_other_text_chunks_without_text() -> None:
    raw = build_png(
        text_chunk("Software", "painter"),
        png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"hello")),
        itxt_chunk("Title", "t", language=b"en", translated=b"Titel"),
        itxt_chunk("openbadgecredential", "{}", language=b"en", translated=b"x"),
    )
    chunks = extract_png(raw).png_chunks
    facts = [(chunk.type, chunk.keyword, chunk.compressed, chunk.text) for chunk in chunks]
    assert facts == [
        ("IHDR", None, None, None),
        ("tEXt", "Software", False, None),
        ("zTXt", "Comment", True, None),
        ("iTXt", "Title", False, None),
        ("iTXt", "openbadgecredential", False, "{}"),
        ("IDAT", None, None, None),
        ("IEND", None, None, None),
    ]


def test_extract_png_ignores_bytes_after_iend() -> None:
    baking = extract_png(baked_png("{}") + b"trailing junk")
    assert baking.png_chunks[-1].type == "IEND"


def _truncated_chunk_png() -> bytes:
    # A tEXt chunk declaring 4,000 bytes with only a few present.
    return PNG_SIGNATURE + struct.pack(">I", 4000) + b"tEXt" + b"short"


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (b"", "png-malformed", "shorter than the 8-byte PNG signature"),
        (b"GIF89a....", "png-malformed", "does not start with the 8-byte PNG signature"),
        (PNG_SIGNATURE, "png-malformed", "without an IEND chunk"),
        (build_png(iend=False), "png-malformed", "without an IEND chunk"),
        (PNG_SIGNATURE + b"\x00\x00\x00", "png-malformed", "only 3 remain"),
        (_truncated_chunk_png(), "png-malformed", "at offset 8 declares 4,000 bytes but only 5 remain"),
        (PNG_SIGNATURE + b"\xff\xff\xff\xff" + b"IDAT" + b"\0" * 8, "png-malformed", "PNG maximum"),
        (PNG_SIGNATURE + png_chunk(b"ID1T", b""), "png-malformed", "four ASCII letters"),
        (PNG_SIGNATURE + png_chunk(b"IHDR", b"x" * 13, crc=0xDEADBEEF), "png-malformed", "CRC 0xdeadbeef"),
        (build_png(), "png-no-credential", "no iTXt chunk"),
        (build_png(text_chunk("openbadgecredential", "{}")), "png-no-credential", "only iTXt counts"),
        (build_png(itxt_chunk("openbadges", "{}")), "png-no-credential", "Open Badges 2.0"),
        (build_png(png_chunk(b"iTXt", b"openbadgecredential\0\0")), "png-malformed", "too short"),
        (build_png(png_chunk(b"iTXt", b"openbadgecredential")), "png-no-credential", "no iTXt chunk"),
        (PNG_SIGNATURE + png_chunk(b"IHDR", b"x" * 13)[:-2], "png-malformed", "lacks its 4-byte CRC"),
        (build_png(png_chunk(b"iTXt", b"openbadgecredential\0\x02\0\0\0{}")), "png-malformed", "flag 2"),
        (build_png(png_chunk(b"iTXt", b"openbadgecredential\0\x01\x05\0\0{}")), "png-malformed", "method 5"),
        (build_png(png_chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0not zlib")), "png-malformed", "zlib"),
        (
            build_png(png_chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0" + zlib.compress(b"{}" * 100)[:-6])),
            "png-malformed",
            "ends before",
        ),
        (baked_png(b'{"a": "\xff"}'), "not-utf8", "byte 7 of the text"),
    ],
)
def test_extract_png_rejects(raw: bytes, code: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        extract_png(raw)
    assert caught.value.code == code
    assert fragment in caught.value.message


def test_extract_png_truncated_chunk_reports_offset_and_remaining() -> None:
    whole = baked_png(CREDENTIAL_TEXT)
    cut = whole[: 8 + 25 + 100]
    with pytest.raises(PayloadError) as caught:
        extract_png(cut)
    assert caught.value.code == "png-malformed"
    declared = len(CREDENTIAL_TEXT) + len("openbadgecredential") + 5
    assert f"offset 33 declares {declared:,} bytes but only 92 remain" in caught.value.message


def test_extract_png_bad_crc_on_credential_chunk() -> None:
    raw = bytearray(baked_png(CREDENTIAL_TEXT))
    raw[8 + 25 + 30] ^= 0x01
    with pytest.raises(PayloadError) as caught:
        extract_png(bytes(raw))
    assert caught.value.code == "png-malformed"
    assert "iTXt chunk at offset 33 stores CRC" in caught.value.message


def test_extract_png_refuses_a_deflate_bomb() -> None:
    bomb = baked_png("{" + " " * 5_000_000 + "}", compressed=True)
    assert len(bomb) < 10_000
    with pytest.raises(PayloadError) as caught:
        extract_png(bomb, Limits(max_bytes=1_000_000))
    assert caught.value.code == "png-malformed"
    assert "inflates beyond" in caught.value.message


def test_extract_png_inflate_budget_is_shared_by_all_credential_chunks() -> None:
    chunk = itxt_chunk("openbadgecredential", "x" * 400_000, compressed=True)
    raw = build_png(chunk, chunk, chunk)
    assert len(extract_png(raw, Limits(max_bytes=1_300_000)).png_chunks) == 6
    with pytest.raises(PayloadError) as caught:
        extract_png(raw, Limits(max_bytes=1_000_000))
    assert caught.value.code == "png-malformed"
    assert "inflates beyond" in caught.value.message


def test_extract_png_size_limit_comes_first() -> None:
    raw = baked_png(CREDENTIAL_TEXT)
    assert extract_png(raw, Limits(max_bytes=len(raw))).credential_text == CREDENTIAL_TEXT
    with pytest.raises(PayloadError) as caught:
        extract_png(raw, Limits(max_bytes=len(raw) - 1))
    assert caught.value.code == "too-large"


def test_extract_png_accepts_bytearray_and_memoryview() -> None:
    raw = baked_png("{}")
    assert extract_png(bytearray(raw)).credential_text == "{}"
    assert extract_png(memoryview(raw)).credential_text == "{}"


def test_extract_png_caps_the_number_of_chunks() -> None:
    tiny = png_chunk(b"tIME", b"")
    raw = build_png(*([tiny] * 100_001))
    with pytest.raises(PayloadError) as caught:
        extract_png(raw)
    assert caught.value.code == "png-malformed"
    assert "100,000 chunks" in caught.value.message
