"""@context, the 1EdTech extensions context and JSON-LD safe mode (OB 3.0 §B.1, §8.2)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    as_list,
)
from conformance.core.subject import Subject
from conformance.standards.jsonld_terms import undefined_terms
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import pointer_join


def _ob_context(subject: Subject) -> Any:
    contexts = subject.contexts
    return contexts[1] if len(contexts) > 1 else MISSING


@check("OB30-context-ob-second")
def ob_context_is_second(subject: Subject, ctx: CheckContext) -> Findings:
    """@context[1] matches the OB 3.0 context URL pattern of the 1EdTech schema."""
    value = _ob_context(subject)
    if not (isinstance(value, str) and s.OB_CONTEXT.match(value)):
        at = "/@context/1" if value is not MISSING else "/@context"
        yield ctx.fail(at, expected="an Open Badges 3.0 context URL (…/spec/ob/v3p0/context-3.x.y.json)",
                       found=value)


@check("OB30-context-current")
def ob_context_is_current(subject: Subject, ctx: CheckContext) -> Findings:
    """The OB context named in @context[1] is the current version; absent or foreign URLs are another rule's."""
    value = _ob_context(subject)
    if not (isinstance(value, str) and s.OB_CONTEXT.match(value)):
        yield ctx.inapplicable("@context[1] is not an Open Badges context")
    elif value != s.CURRENT_OB_CONTEXT:
        yield ctx.fail("/@context/1", expected=f"the current context {s.CURRENT_OB_CONTEXT}", found=value)


def _extension_types(value: Any, at: str, found: list[tuple[str, str]], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(value, Mapping):
        for index, name in enumerate(as_list(value.get("type"))):
            if isinstance(name, str) and name in s.EXTENSION_TYPES:
                where = at + "/type" + (f"/{index}" if isinstance(value.get("type"), list) else "")
                found.append((where, name))
        for key, item in value.items():
            if key not in ("@context", "type", "endorsement"):
                _extension_types(item, pointer_join(at, key), found, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _extension_types(item, f"{at}/{index}", found, depth + 1)


@check("OB30-context-extensions")
def extensions_context_listed(subject: Subject, ctx: CheckContext) -> Findings:
    """extensions.json is in @context when a 1EdTech extension type is used (endorsements are judged on their own)."""
    used: list[tuple[str, str]] = []
    _extension_types(subject.document, "", used)
    if not used:
        yield ctx.inapplicable("no 1EdTech extension type is used")
    elif s.EXTENSIONS_CONTEXT not in subject.contexts:
        at, name = used[0]
        yield ctx.fail("/@context", expected=f"{s.EXTENSIONS_CONTEXT} listed, since {at} uses {name}",
                       found=list(subject.contexts))


@check("OB30-jsonld-safe-mode")
def jsonld_safe_mode(subject: Subject, ctx: CheckContext) -> Findings:
    """Safe-mode expansion drops no term (conformance.standards.jsonld_terms); endorsements are judged on their own."""
    yield from undefined_terms(subject, ctx, processable_rule=None)
