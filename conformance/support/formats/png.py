"""Find the credential baked into a PNG.

This walks the chunks itself instead of using Pillow: Pillow folds text chunks into a dict, so a
second openbadgecredential chunk silently replaces the first, and it drops the iTXt compression
flag. Checks need both facts (at most one credential chunk, and it must be uncompressed), and a
walker of our own also lets us verify every CRC and bound all work by the input size.
"""

from __future__ import annotations

import zlib

from .baking import OB3_PNG_KEYWORD, Baking, PngChunk, embedded_form_of
from .errors import Limits, PayloadError, as_bytes, too_large

__all__ = ["PNG_SIGNATURE", "extract_png"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_CHUNK_LENGTH = 2**31 - 1
# Tiny chunks could otherwise make a 16 MB file produce over a million records; real images use a
# few hundred chunks at most.
MAX_PNG_CHUNKS = 100_000
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_OB2_KEYWORD = "openbadges"


def extract_png(raw: bytes, limits: Limits = Limits()) -> Baking:
    """Walk every chunk up to IEND, verify CRCs and pick the openbadgecredential iTXt text.

    Raises PayloadError: too-large, png-malformed (signature, truncation, CRC, bad lengths or a
    damaged credential chunk), not-utf8 (credential text), png-no-credential.
    """
    data = as_bytes(raw)
    total = len(data)
    if total > limits.max_bytes:
        raise too_large(total, limits.max_bytes)
    if not data.startswith(PNG_SIGNATURE):
        if total < len(PNG_SIGNATURE) and PNG_SIGNATURE.startswith(data):
            raise PayloadError(
                "png-malformed", f"the file is {total:,} bytes long, shorter than the 8-byte PNG signature"
            )
        raise PayloadError("png-malformed", "the file does not start with the 8-byte PNG signature")

    view = memoryview(data)
    chunks: list[PngChunk] = []
    # Interning the type names keeps thousands of IDAT records from each owning a string.
    type_names: dict[bytes, str] = {}
    # Shared by all credential chunks so that many small compressed chunks cannot add up to more
    # decompressed text than one input is allowed to be.
    inflate_budget = [limits.max_bytes]
    offset = len(PNG_SIGNATURE)
    while True:
        remaining = total - offset
        if remaining == 0:
            raise PayloadError("png-malformed", f"the PNG ends at byte {total:,} without an IEND chunk")
        if remaining < 12:
            raise PayloadError(
                "png-malformed",
                f"the PNG chunk at offset {offset:,} is truncated: a chunk needs at least 12 bytes "
                f"(length, type, CRC) but only {remaining:,} remain",
            )
        length = int.from_bytes(data[offset : offset + 4], "big")
        if length > _MAX_CHUNK_LENGTH:
            raise PayloadError(
                "png-malformed",
                f"the PNG chunk at offset {offset:,} declares {length:,} bytes, more than the PNG maximum "
                f"of {_MAX_CHUNK_LENGTH:,}",
            )
        type_bytes = data[offset + 4 : offset + 8]
        if not all(byte in _LETTERS for byte in type_bytes):
            raise PayloadError(
                "png-malformed",
                f"the PNG chunk at offset {offset:,} has type {type_bytes!r}; chunk types are four ASCII letters",
            )
        after_header = remaining - 8
        if length > after_header:
            raise PayloadError(
                "png-malformed",
                f"the PNG chunk at offset {offset:,} declares {length:,} bytes but only {after_header:,} remain",
            )
        if length + 4 > after_header:
            raise PayloadError(
                "png-malformed",
                f"the PNG chunk at offset {offset:,} lacks its 4-byte CRC: only {after_header - length:,} "
                f"byte(s) follow its {length:,} data bytes",
            )
        chunk_type = type_names.get(type_bytes)
        if chunk_type is None:
            chunk_type = type_names[type_bytes] = type_bytes.decode("ascii")
        body_start = offset + 8
        body_end = body_start + length
        stored_crc = int.from_bytes(data[body_end : body_end + 4], "big")
        computed_crc = zlib.crc32(view[offset + 4 : body_end])
        if stored_crc != computed_crc:
            raise PayloadError(
                "png-malformed",
                f"the {chunk_type} chunk at offset {offset:,} stores CRC 0x{stored_crc:08x} but its type and "
                f"data give 0x{computed_crc:08x}",
            )
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise PayloadError("png-malformed", f"the PNG has more than {MAX_PNG_CHUNKS:,} chunks")
        chunks.append(_describe_chunk(chunk_type, offset, length, data, body_start, inflate_budget))
        offset = body_end + 4
        # Anything after IEND is not part of the image; stopping keeps trailing junk from mattering.
        if chunk_type == "IEND":
            break

    # Only openbadgecredential iTXt chunks carry text (anything else would have raised above).
    text = next((chunk.text for chunk in chunks if chunk.text is not None), None)
    if text is None:
        raise PayloadError("png-no-credential", _missing_credential_message(chunks))
    return Baking(container="png", credential_text=text, embedded_form=embedded_form_of(text), png_chunks=tuple(chunks))


def _describe_chunk(
    chunk_type: str, offset: int, length: int, data: bytes, start: int, inflate_budget: list[int]
) -> PngChunk:
    # Positions stay absolute within `data` so that NUL searches run on the original bytes without
    # copying a possibly large chunk body first.
    end = start + length
    if chunk_type == "tEXt" or chunk_type == "zTXt":
        keyword_end = data.find(b"\0", start, end)
        keyword = None if keyword_end < 0 else data[start:keyword_end].decode("latin-1")
        return PngChunk(chunk_type, offset, length, keyword, chunk_type == "zTXt", None)
    if chunk_type != "iTXt":
        return PngChunk(chunk_type, offset, length, None, None, None)

    # iTXt layout: keyword NUL, compression flag, compression method, language NUL,
    # translated keyword NUL, text.
    keyword_end = data.find(b"\0", start, end)
    keyword = None if keyword_end < 0 else data[start:keyword_end].decode("latin-1")
    is_credential = keyword == OB3_PNG_KEYWORD
    language_end = data.find(b"\0", keyword_end + 3, end) if keyword_end >= 0 and keyword_end + 3 <= end else -1
    translated_end = data.find(b"\0", language_end + 1, end) if language_end >= 0 else -1
    if translated_end < 0:
        if is_credential:
            raise PayloadError(
                "png-malformed",
                f"the openbadgecredential iTXt chunk at offset {offset:,} is too short for its fields "
                "(keyword, compression flag and method, language tag, translated keyword, text)",
            )
        return PngChunk(chunk_type, offset, length, keyword, None, None)

    flag = data[keyword_end + 1]
    if not is_credential:
        return PngChunk(chunk_type, offset, length, keyword, flag != 0, None)
    method = data[keyword_end + 2]
    if flag == 0:
        text_bytes = data[translated_end + 1 : end]
    elif flag == 1:
        if method != 0:
            raise PayloadError(
                "png-malformed",
                f"the openbadgecredential iTXt chunk at offset {offset:,} names compression method {method}; "
                "only 0 (zlib) exists",
            )
        text_bytes = _inflate(memoryview(data)[translated_end + 1 : end], offset, inflate_budget)
    else:
        raise PayloadError(
            "png-malformed",
            f"the openbadgecredential iTXt chunk at offset {offset:,} has compression flag {flag}; 0 or 1 is expected",
        )
    try:
        text = text_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(
            "not-utf8",
            f"byte {exc.start:,} of the text in the openbadgecredential iTXt chunk at offset {offset:,} "
            f"is not valid UTF-8 ({exc.reason})",
        ) from None
    return PngChunk(chunk_type, offset, length, keyword, flag == 1, text)


def _inflate(compressed: memoryview, offset: int, inflate_budget: list[int]) -> bytes:
    budget = inflate_budget[0]
    inflater = zlib.decompressobj()
    try:
        # max_length caps the output, so a deflate bomb costs at most budget + 1 bytes of memory.
        text = inflater.decompress(compressed, budget + 1)
    except zlib.error as exc:
        raise PayloadError(
            "png-malformed",
            f"the compressed text of the openbadgecredential iTXt chunk at offset {offset:,} is not a valid "
            f"zlib stream: {exc}",
        ) from None
    if len(text) > budget:
        raise PayloadError(
            "png-malformed",
            f"the compressed text of the openbadgecredential iTXt chunk at offset {offset:,} inflates beyond "
            f"the {inflate_budget[0]:,} bytes still allowed for decompressed credential text",
        )
    if not inflater.eof:
        raise PayloadError(
            "png-malformed",
            f"the compressed text of the openbadgecredential iTXt chunk at offset {offset:,} ends before its "
            "zlib stream does",
        )
    inflate_budget[0] = budget - len(text)
    return text


def _missing_credential_message(chunks: list[PngChunk]) -> str:
    message = "the PNG has no iTXt chunk with the keyword openbadgecredential"
    for chunk in chunks:
        if chunk.keyword == OB3_PNG_KEYWORD:
            return (
                f"{message}; the {chunk.type} chunk at offset {chunk.offset:,} uses that keyword, but only iTXt counts"
            )
        if chunk.keyword == _OB2_KEYWORD:
            return (
                f"{message}; the {chunk.type} chunk at offset {chunk.offset:,} uses the keyword openbadges, "
                "which Open Badges 2.0 used"
            )
    return message
