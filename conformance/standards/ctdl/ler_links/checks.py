"""CTDLLER checks: one per requirement, each reading the subject's Registry links and their resolutions."""
from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from functools import cache

from conformance.core.checks import CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.standards.ctdl.facts.ler_links import (
    LinkKind,
    RegistryLink,
    RegistryLinks,
    Resolution,
    Role,
    State,
    ctid_in,
    exact_matches,
    normalized,
    references,
    resource_names,
)
from conformance.standards.ctdl.facts.policy import load_policy
from conformance.standards.ctdl.views import credential_registry_links, ctdl_schema
from conformance.support.resources import shapes_dir

Findings = Iterator[Finding]
NAME_SIMILARITY = 0.85
OWNER_PROPERTIES = ("ceterms:ownedBy", "ceterms:offeredBy")


def _resolved(ctx: CheckContext, links: RegistryLinks, link: RegistryLink) -> Resolution | Finding | None:
    """The found resolution, or the cantTell finding that stands for it (a missing resource is judged once, by
    CTDLLER-resource-exists; the other rules cannot tell)."""
    resolution = links.resolution(link)
    if resolution is None:
        return None
    if resolution.state is State.FOUND:
        return resolution
    return ctx.cant_tell(f"the linked resource {link.ctid} cannot be read ({resolution.message}), so this cannot "
                         "be judged", link.pointer)


def _none_apply(ctx: CheckContext, what: str) -> Finding:
    return ctx.inapplicable(f"the credential has no {what}")


# --- form ------------------------------------------------------------------------------------------------------

@check("CTDLLER-registry-uri-form")
def registry_uri_form(subject: Subject, ctx: CheckContext) -> Findings:
    links = [link for link in credential_registry_links(subject).links if link.uri is not None]
    if not links:
        yield _none_apply(ctx, "Registry URI")
        return
    for link in links:
        uri = link.uri
        assert uri is not None
        at = link.pointer if link.kind is not LinkKind.ALIGNMENT else f"{link.owner_pointer}/targetUrl"
        written = link.written if link.kind is not LinkKind.ALIGNMENT else str(link.owner.get("targetUrl"))
        if uri.scheme != "https":
            yield ctx.fail(at, expected="an https Registry URI", found=written)
        elif uri.ctid_as_written != uri.ctid:
            yield ctx.fail(at, expected=f"the CTID in lower case ({uri.ctid})", found=written)
        elif link.kind is not LinkKind.ALIGNMENT and uri.kind != "resources":
            yield ctx.fail(at, expected=f"the resource URI {uri.resource_url} (a {uri.kind} URL is a document "
                           "about the resource, not its identifier)", found=written)


@check("CTDLLER-alignment-consistent")
def alignment_consistent(subject: Subject, ctx: CheckContext) -> Findings:
    pairs = []
    for link in credential_registry_links(subject).links:
        if link.kind is not LinkKind.ALIGNMENT:
            continue
        code, url = link.owner.get("targetCode"), link.owner.get("targetUrl")
        if isinstance(code, str) and ctid_in(code) == code and isinstance(url, str) and ctid_in(url):
            pairs.append((link, code, url))
    if not pairs:
        yield _none_apply(ctx, "CTDL alignment with a CTID in both targetCode and targetUrl")
        return
    for link, code, url in pairs:
        in_url = ctid_in(url)
        assert in_url is not None
        if in_url.lower() != code.lower():
            yield ctx.fail(f"{link.owner_pointer}/targetUrl", expected=f"a URL of the resource {code.lower()}, the "
                           f"targetCode", found=url,
                           message=f"{link.owner_pointer}/targetUrl names {in_url.lower()} while targetCode names "
                                   f"{code.lower()}; expected both to name the same Registry resource")


# --- resolution ------------------------------------------------------------------------------------------------

@check("CTDLLER-resource-exists")
def resource_exists(subject: Subject, ctx: CheckContext) -> Findings:
    links = credential_registry_links(subject)
    judged = [link for link in links.links if link.ctid]
    if not judged:
        yield _none_apply(ctx, "Registry link with a CTID")
        return
    seen: set[str] = set()
    for link in judged:
        if link.ctid in seen:
            continue
        seen.add(link.ctid)  # type: ignore[arg-type]
        resolution = links.resolution(link)
        assert resolution is not None
        if resolution.state is State.UNAVAILABLE:
            yield ctx.cant_tell(f"the linked resource {link.ctid} cannot be fetched ({resolution.message}); a known "
                                "document (--documents) or --online is needed", link.pointer)
        elif resolution.state is not State.FOUND:
            yield ctx.fail(link.pointer, expected=f"a published Registry resource with CTID {link.ctid}",
                           found=link.written,
                           message=f"{link.pointer} links to {link.ctid}, which is not published: "
                                   f"{resolution.message}; expected a CTDL resource with that CTID")


def _class_expectation(link: RegistryLink) -> tuple[tuple[str, ...], str] | None:
    """The classes the linked resource may be (any subclass counts) and why; None when any class will do."""
    if link.role is Role.ISSUER:
        return ("ceterms:Organization",), "the issuer profile is an organization"
    if link.role is Role.ACHIEVEMENT:
        achievement_type = link.owner.get("achievementType")
        if not isinstance(achievement_type, str) or achievement_type not in exact_matches():
            return None
        accepted = (exact_matches()[achievement_type], *_also_accepted().get(achievement_type, ()))
        return accepted, f"achievementType {achievement_type} is an exact match of {accepted[0]}"
    target_type = link.target_type
    if target_type == "ceterms:Credential":
        return ("ceterms:Credential",), "targetType is ceterms:Credential"
    if target_type == "ceasn:Competency":
        return ("ceasn:Competency",), "targetType is ceasn:Competency"
    return None


@cache
def _also_accepted() -> dict[str, tuple[str, ...]]:


    data = tomllib.loads((shapes_dir() / "ctdl" / "ler-links" / "achievement-types.toml").read_text("utf-8"))
    return {k: tuple(v) for k, v in data.get("also_accepted", {}).items()}


def _is_a(subject: Subject, types: Iterable[str], accepted: Iterable[str]) -> bool:

    schema = ctdl_schema(subject)
    wanted = tuple(accepted)
    return any(t == want or schema.is_subclass(t, want) for t in types for want in wanted)


@check("CTDLLER-class-matches")
def class_matches(subject: Subject, ctx: CheckContext) -> Findings:
    links = credential_registry_links(subject)
    judged = [(link, expectation) for link in links.links if link.ctid
              if (expectation := _class_expectation(link)) is not None]
    if not judged:
        yield _none_apply(ctx, "Registry link whose class is declared (an exact-match achievementType, a "
                          "ceterms:Credential or ceasn:Competency alignment, an issuer sameAs)")
        return
    for link, (accepted, why) in judged:
        resolved = _resolved(ctx, links, link)
        if not isinstance(resolved, Resolution):
            if resolved is not None:
                yield resolved
            continue
        assert resolved.node is not None
        types = resolved.node.types
        if not _is_a(subject, types, accepted):
            shown = ", ".join(types) or "resource without @type"
            wanted = " or ".join(accepted)
            yield ctx.fail(link.pointer, expected=f"{wanted} (or a subclass)", found=list(types),
                           message=f"{link.pointer} links to {link.ctid}, a {shown}; expected {wanted} or a "
                                   f"subclass, because {why}")


def _similar(a: str, b: str) -> bool:
    left, right = normalized(a), normalized(b)
    return left == right or SequenceMatcher(None, left, right).ratio() >= NAME_SIMILARITY


@check("CTDLLER-name-agrees")
def name_agrees(subject: Subject, ctx: CheckContext) -> Findings:
    links = credential_registry_links(subject)
    judged = []
    for link in links.links:
        if not link.ctid:
            continue
        key = "targetName" if link.kind is LinkKind.ALIGNMENT else "name"
        name = link.owner.get(key)
        if isinstance(name, str) and name.strip():
            judged.append((link, key, name))
    if not judged:
        yield _none_apply(ctx, "named Registry link")
        return
    for link, key, name in judged:
        resolved = _resolved(ctx, links, link)
        if not isinstance(resolved, Resolution):
            if resolved is not None:
                yield resolved
            continue
        assert resolved.node is not None
        names = resource_names(resolved.node)
        if not names:
            yield ctx.cant_tell(f"the linked resource {link.ctid} has no name to compare", link.pointer)
        elif not any(_similar(name, other) for other in names):
            yield ctx.fail(f"{link.owner_pointer}/{key}", expected=f"the Registry name of {link.ctid}",
                           found=name, message=f"{link.owner_pointer}/{key} is {describe(name)} while {link.ctid} "
                                               f"is named {describe(names[0])} in the Registry; expected the "
                                               "names to agree")


@check("CTDLLER-issuer-owns")
def issuer_owns(subject: Subject, ctx: CheckContext) -> Findings:
    links = credential_registry_links(subject)
    judged = [link for link in links.links if link.role is Role.ACHIEVEMENT and link.ctid]
    if not judged:
        yield _none_apply(ctx, "achievement linked to a Registry resource")
        return
    organizations = links.issuer_organizations
    for link in judged:
        resolved = _resolved(ctx, links, link)
        if not isinstance(resolved, Resolution):
            if resolved is not None:
                yield resolved
            continue
        assert resolved.node is not None
        owners = references(resolved.node, *OWNER_PROPERTIES)
        if not owners:
            yield ctx.cant_tell(f"the linked resource {link.ctid} names no owning or offering organization",
                                link.pointer)
        elif not organizations:
            yield ctx.cant_tell("the issuer profile names no Registry organization (by id or owl:sameAs), so its "
                                f"relation to the owners of {link.ctid} cannot be judged", links.issuer_pointer)
        elif not organizations & owners:
            yield ctx.fail(links.issuer_pointer, expected=f"one of the organizations that own or offer {link.ctid}: "
                           + ", ".join(sorted(owners)), found=sorted(organizations),
                           message=f"{links.issuer_pointer} is the Registry organization "
                                   f"{', '.join(sorted(organizations))}, which neither owns nor offers {link.ctid} "
                                   f"(linked at {link.pointer}); expected one of {', '.join(sorted(owners))}")



# The policy the Registry applies today; the 2022 version is for judging older publications, not live links.
POLICY_VERSION = "2026"


@check("CTDLLER-resource-minimum-data")
def resource_minimum_data(subject: Subject, ctx: CheckContext) -> Findings:

    links = credential_registry_links(subject)
    judged = [link for link in links.links if link.ctid]
    if not judged:
        yield _none_apply(ctx, "Registry link with a CTID")
        return
    policy = load_policy(POLICY_VERSION)
    seen: set[str] = set()
    for link in judged:
        if link.ctid in seen:
            continue
        seen.add(link.ctid)  # type: ignore[arg-type]
        resolved = _resolved(ctx, links, link)
        if not isinstance(resolved, Resolution):
            if resolved is not None:
                yield resolved
            continue
        assert resolved.node is not None
        if not policy.judged(resolved.node):
            yield ctx.inapplicable(f"the minimum data policy has no shape for {', '.join(resolved.node.types)}",
                                   link.pointer)
            continue
        for gap in policy.gaps(resolved.node):
            yield ctx.fail(link.pointer, expected=f"a linked resource that meets the {POLICY_VERSION} minimum data "
                           f"policy for {gap.cls}", found=link.written,
                           message=f"{link.pointer} links to {link.ctid}, which lacks what the {POLICY_VERSION} "
                                   f"minimum data policy requires: {gap.message} (in {resolved.url})")
