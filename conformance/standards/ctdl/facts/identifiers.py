"""CTIDs and Registry URIs: parsing only (which environment a URI points at, which CTID it names).

A Registry URI is `<base>/resources/<ctid>` or `<base>/graph/<ctid>`, optionally with a community segment in front
of `resources` (`<base>/<community>/resources/<ctid>`). The base depends on the Registry environment a publication
was made for; a run judges against one of them (production unless configured otherwise).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from conformance.standards.ctdl.facts.model import CTID, CTID_ANY_CASE

if TYPE_CHECKING:
    from conformance.core.subject import Subject

REGISTRY_ENVIRONMENTS: dict[str, str] = {
    "production": "https://credentialengineregistry.org",
    "sandbox": "https://sandbox.credentialengineregistry.org",
    "staging": "https://staging.credentialengineregistry.org",
}
REGISTRY_HOST_SUFFIX = "credentialengineregistry.org"
_PATH = re.compile(r"^/(?:(?P<community>[a-z0-9_-]+)/)?(?P<kind>resources|graph)/(?P<tail>[^/?#]+)/?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RegistryBase:
    """The Registry a run judges publications against."""

    url: str                      # scheme + host (+ optional path prefix), no trailing slash
    name: str = "configured"      # production | sandbox | staging | configured

    @classmethod
    def named(cls, name_or_url: str) -> RegistryBase:
        if name_or_url in REGISTRY_ENVIRONMENTS:
            return cls(REGISTRY_ENVIRONMENTS[name_or_url], name_or_url)
        return cls(name_or_url.rstrip("/"))

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def resource_uri(self, ctid: str) -> str:
        return f"{self.url}/resources/{ctid}"

    def graph_uri(self, ctid: str) -> str:
        return f"{self.url}/graph/{ctid}"


PRODUCTION = RegistryBase.named("production")


@dataclass(frozen=True, slots=True)
class RegistryUri:
    """A URI read as a Registry resource or graph address."""

    uri: str
    scheme: str
    host: str
    kind: str                     # "resources" | "graph"
    tail: str                     # the last path segment: the CTID when the URI is well formed
    community: str | None

    def environment(self) -> str | None:
        """production, sandbox or staging when the host is one of Credential Engine's; None otherwise."""
        return environment_of(self.host)


def environment_of(host: str) -> str | None:
    """production, sandbox or staging for one of Credential Engine's Registry hosts; None for any other host."""
    for name, base in REGISTRY_ENVIRONMENTS.items():
        if urlsplit(base).hostname == host:
            return name
    return None


def parse_registry_uri(value: str, known_hosts: frozenset[str] = frozenset()) -> RegistryUri | None:
    """The URI as a Registry address when its host is a Registry host (Credential Engine's, or one of
    `known_hosts`) and its path is /resources/... or /graph/...; None for any other string."""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if not (host == REGISTRY_HOST_SUFFIX or host.endswith("." + REGISTRY_HOST_SUFFIX) or host in known_hosts):
        return None
    match = _PATH.match(parts.path)
    if match is None:
        return None
    return RegistryUri(value, parts.scheme.lower(), host, match["kind"].lower(), match["tail"], match["community"])


def is_ctid(value: str) -> bool:
    """The exact grammar: `ce-` and a lower-case 8-4-4-4-12 hexadecimal UUID."""
    return CTID.match(value) is not None


def ctid_case_only(value: str) -> bool:
    """A CTID in every respect except letter case."""
    return CTID.match(value) is None and CTID_ANY_CASE.match(value) is not None


def uuid_version(ctid: str) -> int | None:
    """The UUID version digit of a well-formed CTID (any case), None when the text is not one."""
    if CTID_ANY_CASE.match(ctid) is None:
        return None
    return uuid.UUID(ctid[3:]).version


def configured_registry_base(subject: Subject) -> RegistryBase | None:
    """The Registry the run was told to judge against (the Environment's `ctdl_registry`: a RegistryBase, an
    environment name or a base URL), or None when the run names none."""
    configured = getattr(subject.env, "ctdl_registry", None)
    if isinstance(configured, RegistryBase):
        return configured
    if isinstance(configured, str) and configured:
        return RegistryBase.named(configured)
    return None


def registry_base_of(subject: Subject) -> RegistryBase:
    """The Registry the run judges against: the configured one, else production."""
    return configured_registry_base(subject) or PRODUCTION
