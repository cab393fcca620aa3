"""CORE checks: how the input decodes. The payload layer records facts; these checks judge them.

A live service is not an input that decodes: its subject's document is the suite's own description of it. So only
CORE-input-readable ("the URL answers") judges it, by whether the service answered at all; the decoding rules are
inapplicable to it (the credentials it returns are subjects of their own and get every CORE rule).
"""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import CHECK_REGISTRY, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject

# payload error code -> the requirement that code breaks (formats.PAYLOAD_ERROR_CODES)
_BROKEN_BY = {
    "unreadable": "CORE-input-readable",
    "gone": "CORE-input-readable",          # the input's server answers that the document is not there
    "too-large": "CORE-input-limits",
    "json-too-deep": "CORE-input-limits",
    "not-utf8": "CORE-utf8",
    "json-syntax": "CORE-json-wellformed",
    "json-not-object": "CORE-document-object",
    "unknown-format": "CORE-recognized-format",
    "cose-malformed": "CORE-recognized-format",
    "jws-malformed": "CORE-jws-compact",
    "png-malformed": "CORE-png-wellformed",
    "svg-malformed": "CORE-svg-wellformed",
    "svg-entity-refused": "CORE-svg-wellformed",
    "png-no-credential": "CORE-baked-credential-present",
    "svg-no-credential": "CORE-baked-credential-present",
    "data-url-malformed": "CORE-data-url",
}

_CONTAINER = {   # the requirement applies only when the input is (or claims to be) this container
    "CORE-jws-compact": "jwt",
    "CORE-png-wellformed": "png",
    "CORE-svg-wellformed": "svg",
    "CORE-baked-credential-present": "image",      # a PNG or SVG: plain JSON has nothing baked to look for
}


_NOT_DECODED = "the subject is a live service: the suite describes it itself, and judges what it answers by its " \
               "protocol rules"


def _live(subject: LiveSubject, ctx: CheckContext) -> Iterator[Finding]:
    """A service that gave no answer was not read: error (we could not evaluate), never a pass it did not earn."""
    if ctx.requirement != "CORE-input-readable":
        yield ctx.inapplicable(_NOT_DECODED)
        return
    unreached = subject.transcript.unreached
    if unreached:
        yield ctx.error(f"{subject.service.endpoint} cannot be read: {unreached}")


def _judge(subject: Subject, ctx: CheckContext, expected: str) -> Iterator[Finding]:
    if isinstance(subject, LiveSubject):
        yield from _live(subject, ctx)
        return
    error = subject.payload_error
    if error is not None:
        if _BROKEN_BY.get(error.code) != ctx.requirement:
            yield ctx.inapplicable(f"the input does not decode ({error.code}); this rule was not reached")
        elif error.code in ("too-large", "json-too-deep", "unreadable"):
            yield ctx.error(error.message)
        elif error.code == "svg-entity-refused":     # refused for the suite's safety: not the SVG's defect
            yield ctx.unsupported("XML entity declarations and references in SVG images", why=error.message)
        elif error.code == "unknown-format":         # bytes in no format the suite reads: nothing is judged
            yield ctx.cant_tell(f"{error.message}, so nothing is judged")
        else:
            yield ctx.fail("", expected=expected, message=error.message)
        return
    container = _CONTAINER.get(ctx.requirement)
    media = subject.payload.media
    if container is not None and media != container and not _carries(subject, container):
        yield ctx.inapplicable(f"the input is {media}, not {container}")


def _carries(subject: Subject, container: str) -> bool:
    if container == "image":
        return subject.payload.media in ("png", "svg")
    # an SD-JWT's issuer-signed JWT is a compact JWS too (its malformation is reported as jws-malformed)
    return container == "jwt" and (subject.payload.jwt is not None or subject.payload.media == "sd-jwt")


@check("CORE-input-readable")
def input_is_readable(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "a readable input")


@check("CORE-input-limits")
def input_fits_limits(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "an input within the size and nesting limits")


@check("CORE-utf8")
def text_is_utf8(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "UTF-8 text")


@check("CORE-json-wellformed")
def json_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "well-formed JSON")


@check("CORE-document-object")
def document_is_object(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "a JSON object")


@check("CORE-recognized-format")
def format_is_recognized(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "JSON, a compact JWS, an SD-JWT, a COSE_Sign1, a PNG or an SVG")


@check("CORE-jws-compact")
def jws_is_compact(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "a compact JWS: three base64url parts, header and payload JSON objects")


@check("CORE-png-wellformed")
def png_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "a well-formed PNG")


@check("CORE-svg-wellformed")
def svg_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "a well-formed SVG without entity declarations")


@check("CORE-baked-credential-present")
def baked_image_carries_credential(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _judge(subject, ctx, "an image that carries a baked credential")


@check("CORE-data-url")
def data_url_is_wellformed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    if isinstance(subject, LiveSubject):
        yield from _live(subject, ctx)
        return
    error = subject.payload_error
    if error is not None and error.code == "data-url-malformed":
        yield ctx.fail("", expected="a well-formed data: URL", message=error.message)
    elif subject.carrier != "data-url":
        yield ctx.inapplicable("the input is not carried in a data: URL")


@check("CORE-recognized-document")
def document_claims_a_known_standard(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    if isinstance(subject, LiveSubject):
        yield from _live(subject, ctx)
        return
    if subject.payload_error is not None:
        yield ctx.inapplicable("the input does not decode")
        return
    claimed = [prefix for prefix, detect in CHECK_REGISTRY.detectors.items() if _claims(detect, subject)]
    if not claimed:     # not the vendor's failure of any rule: nothing is judged (the verdict says "not judged")
        found = describe({k: subject.document[k] for k in list(subject.document)[:3]})
        yield ctx.cant_tell(f"no standard the suite knows recognizes the document {found}: it is not a verifiable "
                            "credential or presentation (@context and type) nor a CTDL publication, so nothing is "
                            "judged")


def _claims(detect, subject: Subject) -> bool:  # noqa: ANN001
    try:
        return bool(detect(subject))
    except Exception:  # noqa: BLE001 - detectors read untrusted JSON
        return False


@check("CORE-json-unique-keys")
def member_names_are_unique(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    if isinstance(subject, LiveSubject):
        yield from _live(subject, ctx)
        return
    if subject.payload_error is not None:
        yield ctx.inapplicable("the input does not decode")
        return
    payload = subject.payload
    if payload.media not in ("json", "png", "svg") or payload.jwt is not None:
        yield ctx.inapplicable(f"the input is {payload.media}: it carries no JSON text whose names the suite reads")
        return
    for pointer in payload.duplicate_keys:
        name = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        # the finding sits where the decoder kept the later member, which is the one this document's reading uses
        yield ctx.fail(pointer, expected="each member name once in its object",
                       message=f"the name {name!r} appears more than once in one object; parsers differ in which "
                               f"member they keep")
