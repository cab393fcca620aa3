"""Profile and Image (OB 3.0 §B.1.9, §B.1.10)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    is_url,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import (
    get_value,
    nodes_or_inapplicable,
)


@check("OB30-profile-id-uri")
def profile_id_uri(subject: Subject, ctx: CheckContext) -> Findings:
    """The issuer (string or Profile id) and every other Profile id is a URI."""
    nodes: list[s.Node] = []
    issuer = subject.document.get("issuer", MISSING)
    if isinstance(issuer, str):
        nodes.append(("/issuer", issuer))
    for at, profile in s.profiles(subject):
        if "id" in profile:
            nodes.append((at + "/id", profile["id"]))
    yield from nodes_or_inapplicable(ctx, nodes, "issuer or Profile id")
    for at, value in nodes:
        if not is_url(value):
            yield ctx.fail(at, expected="a URI", found=value)




@check("OB30-image-required")
def image_required(subject: Subject, ctx: CheckContext) -> Findings:
    """An Image has an id that is a URI or data: URL."""
    nodes = [(at, n) for at, n in s.images(subject) if isinstance(n, Mapping)]
    yield from nodes_or_inapplicable(ctx, nodes, "Image object")
    for at, node in nodes:
        if not is_url(node.get("id")):
            yield ctx.fail(at + "/id", expected="a URI or data: URL of the image", found=get_value(node, "id"))

