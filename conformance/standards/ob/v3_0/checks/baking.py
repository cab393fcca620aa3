"""Baked PNG and SVG images (OB 3.0 §5.3)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    PNG_CONTAINER,
    SVG_CONTAINER,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0.checks.common import on_part

Findings = Iterator[Finding]



def _png(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    baking = subject.payload.baking
    if baking is None or baking.container != "png":
        return None, ctx.inapplicable("not a baked PNG")
    return baking, None


@check("OB30-png-single-itxt")
@on_part(_png)
def png_single_itxt(baking: Any, ctx: CheckContext) -> Findings:
    """Exactly one iTXt chunk has the keyword openbadgecredential."""
    chunks = [c for c in baking.png_chunks if c.type == "iTXt" and c.keyword == "openbadgecredential"]
    if len(chunks) != 1:
        offsets = ", ".join(f"{c.offset:,}" for c in chunks)
        yield ctx.fail(PNG_CONTAINER, expected="exactly one openbadgecredential iTXt chunk",
                       message=f"the PNG has {len(chunks)} openbadgecredential iTXt chunks (at offsets {offsets}); "
                               f"expected exactly one")


@check("OB30-png-uncompressed")
@on_part(_png)
def png_uncompressed(baking: Any, ctx: CheckContext) -> Findings:
    """The openbadgecredential iTXt chunks are stored uncompressed."""
    for chunk in baking.png_chunks:
        if chunk.type == "iTXt" and chunk.keyword == "openbadgecredential" and chunk.compressed:
            yield ctx.fail(PNG_CONTAINER, expected="an uncompressed iTXt chunk",
                           message=f"the openbadgecredential iTXt chunk at offset {chunk.offset:,} is compressed; "
                                   f"expected it uncompressed")


@check("OB30-png-no-text-keyword")
@on_part(_png)
def png_no_text_keyword(baking: Any, ctx: CheckContext) -> Findings:
    """No tEXt or zTXt chunk uses the keyword openbadgecredential."""
    for chunk in baking.png_chunks:
        if chunk.type in ("tEXt", "zTXt") and chunk.keyword == "openbadgecredential":
            yield ctx.fail(PNG_CONTAINER, expected="the credential only in an iTXt chunk",
                           message=f"the PNG has a {chunk.type} chunk with the keyword openbadgecredential at offset "
                                   f"{chunk.offset:,}; expected the credential only in one iTXt chunk")


def _svg(subject: Subject, ctx: CheckContext) -> tuple[Any, Finding | None]:
    baking = subject.payload.baking
    if baking is None or baking.container != "svg" or baking.svg is None:
        return None, ctx.inapplicable("not a baked SVG")
    return baking, None


@check("OB30-svg-namespace")
@on_part(_svg)
def svg_namespace(baking: Any, ctx: CheckContext) -> Findings:
    """The svg root binds the prefix openbadges to the OB 3.0 namespace."""
    facts = baking.svg
    if not facts.namespace_declared_on_root or facts.namespace_prefix != "openbadges":
        found = ("not declared on the svg element" if not facts.namespace_declared_on_root
                 else f"bound to the prefix {facts.namespace_prefix!r}")
        yield ctx.fail(SVG_CONTAINER, expected="xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\" on the svg element",
                       message=f"the Open Badges 3.0 namespace is {found}; expected xmlns:openbadges="
                               f"\"https://purl.imsglobal.org/ob/v3p0\" on the svg element")


@check("OB30-svg-single-credential")
@on_part(_svg)
def svg_single_credential(baking: Any, ctx: CheckContext) -> Findings:
    """Exactly one openbadges:credential element."""
    if baking.svg.element_count != 1:
        yield ctx.fail(SVG_CONTAINER, expected="exactly one openbadges:credential element",
                       message=f"the SVG has {baking.svg.element_count} openbadges:credential elements; expected one")


@check("OB30-svg-credential-first")
@on_part(_svg)
def svg_credential_first(baking: Any, ctx: CheckContext) -> Findings:
    """The (first) credential element is the first child element of svg."""
    if not baking.svg.first_child_of_root:
        yield ctx.fail(SVG_CONTAINER, expected="openbadges:credential as the first child of svg",
                       message="the openbadges:credential element is not the first child of the svg element; "
                               "expected it right after the svg start tag")


@check("OB30-svg-embedded-form")
@on_part(_svg)
def svg_embedded_form(baking: Any, ctx: CheckContext) -> Findings:
    """A JWS sits in the verify attribute and JSON in the element text."""
    in_attribute = bool((baking.svg.verify_attribute or "").strip())
    if in_attribute and baking.embedded_form == "json":
        yield ctx.fail(SVG_CONTAINER, expected="JSON in the element text",
                       message="the verify attribute holds a JSON credential; expected JSON in the element text "
                               "and only a compact JWS in verify")
    elif not in_attribute and baking.embedded_form == "jws":
        yield ctx.fail(SVG_CONTAINER, expected="a JWS in the verify attribute",
                       message="the element text holds a compact JWS; expected it in the verify attribute")
