"""What a baked badge image holds, as recorded facts for checks to judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["OB3_NAMESPACE", "OB3_PNG_KEYWORD", "Baking", "PngChunk", "SvgBaking", "embedded_form_of"]

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB3_PNG_KEYWORD = "openbadgecredential"


@dataclass(frozen=True, slots=True)
class PngChunk:
    type: str
    offset: int
    length: int
    # For tEXt, zTXt and iTXt only; None elsewhere, and also when a text chunk is too damaged to
    # split (checks can flag that without the whole image being refused).
    keyword: str | None
    # iTXt: its compression flag. zTXt is always compressed and tEXt never is, so those are
    # recorded as True and False; None for non-text chunks.
    compressed: bool | None
    # Only for iTXt chunks whose keyword is openbadgecredential; other text is not kept.
    text: str | None


@dataclass(frozen=True, slots=True)
class SvgBaking:
    element_count: int
    first_child_of_root: bool
    namespace_declared_on_root: bool
    verify_attribute: str | None
    text: str | None
    # The prefix <svg> binds to the Open Badges 3.0 namespace ("" for a default namespace
    # declaration, None when the root does not declare it): checks need it to judge the
    # "openbadges" prefix, which namespace_declared_on_root alone cannot tell.
    namespace_prefix: str | None = None


@dataclass(frozen=True, slots=True)
class Baking:
    container: Literal["png", "svg"]
    credential_text: str
    embedded_form: Literal["json", "jws"]
    png_chunks: tuple[PngChunk, ...] = ()
    svg: SvgBaking | None = None


def embedded_form_of(text: str) -> Literal["json", "jws"]:
    # An array is not a credential either, but calling it JSON yields a precise "not an object"
    # error later instead of a puzzling base64url one.
    head = text.lstrip(" \t\r\n\ufeff")[:1]
    return "json" if head in ("{", "[") else "jws"
