"""Live services under test: a targets.toml names an implementation and the services it runs.

A `ServiceTarget` yields one `ServiceSubject` per service (role and endpoint). Its document is a small JSON
description of the service; what the service answered comes from the `transcript` view, which runs the role's
flows once through the run's guarded client. Checks read the transcript only; no check makes a request.

targets.toml (validated by shapes/schemas/targets.schema.json):

    [[target]]                       # documents, as before
    path = "badge.json"

    [implementation]
    name = "Example LER platform"

    [[service]]
    role = "issuer"                  # issuer | verifier | exchange (VCALM); more roles as modules land
    id = "did:key:z6Mk..."           # the issuer identifier credentials must carry (as the W3C registry)
    endpoint = "https://ler.example/vc-api"      # base URL: /credentials/issue is appended
    tags = { formats = ["ldp_vc"], cryptosuites = ["eddsa-rdfc-2022"], versions = ["2.0"] }
    auth = { type = "bearer", token_env = "LER_ISSUER_TOKEN" }    # secrets only by environment variable

Secrets are never written in the file: the schema refuses any auth member other than the names of variables.
"""
from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from conformance.model.subjects import Subject

if TYPE_CHECKING:
    from conformance.environment import Environment
    from conformance.live.transcript import Step, Transcript
    from conformance.net import GuardedClient

TESTED_ROLES = ("issuer", "verifier", "exchange", "ob-host", "clr-host", "oid4vci-issuer",
                "oid4vp-verifier", "oid4vci-wallet", "oid4vp-wallet", "vcapi-wallet",
                "wallet-portability", "ob-client", "clr-client")     # roles a live module tests today (the schema lists planned ones too)


TOKEN_ANSWER_MAX_BYTES = 64 * 1024     # an OAuth 2.0 token answer is small; anything past this is refused


class TargetsFileError(ValueError):
    """A targets.toml that cannot be used (unreadable, off-schema, a secret variable that is not set)."""


@dataclass(frozen=True, slots=True)
class Auth:
    """How the suite authenticates to a service. Holds names of environment variables, never their values."""

    type: str                               # "bearer" | "oauth2-client-credentials"
    token_env: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_id_env: str | None = None
    client_secret_env: str | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    role: str
    endpoint: str
    implementation: str
    id: str = ""
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    auth: Auth | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    driver: Mapping[str, Any] = field(default_factory=dict)   # wallet roles: how the suite hands it an offer

    @property
    def label(self) -> str:
        return f"{self.implementation} {self.role} {self.endpoint}"

    def describe(self) -> dict[str, Any]:
        """The subject's document: what the service is, never how to log in to it."""
        return {"type": "LiveService", "implementation": self.implementation, "role": self.role,
                "id": self.id, "endpoint": self.endpoint, "tags": {k: list(v) for k, v in self.tags.items()},
                "auth": self.auth.type if self.auth else None,
                **({"driver": next(iter(self.driver))} if self.driver else {})}


@dataclass(frozen=True, slots=True)
class TargetsFile:
    documents: tuple[str, ...]                  # paths (resolved) and URLs of [[target]] entries
    services: tuple[ServiceConfig, ...]
    implementation: str = ""


def load_targets_file(path: Path) -> TargetsFile:
    from conformance.model.requirements import CatalogError
    from conformance.schemas import validate_data_file

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TargetsFileError(f"{path} cannot be read as TOML: {exc}") from None
    try:
        validate_data_file("targets", data, path)
    except CatalogError as exc:
        raise TargetsFileError(str(exc)) from None
    documents = tuple(entry["url"] if "url" in entry else str((path.parent / entry["path"]).resolve())
                      for entry in data.get("target", []))
    name = str(data.get("implementation", {}).get("name", path.stem))
    services: list[ServiceConfig] = []
    for index, entry in enumerate(data.get("service", [])):
        if entry["role"] not in TESTED_ROLES:
            raise TargetsFileError(f"{path}: service {index} has role {entry['role']!r}, which no live module tests "
                                   f"yet (tested: {', '.join(TESTED_ROLES)})")
        auth = entry.get("auth")
        services.append(ServiceConfig(
            role=entry["role"], endpoint=entry["endpoint"].rstrip("/"), implementation=name, id=entry.get("id", ""),
            tags=MappingProxyType({k: tuple(v) for k, v in entry.get("tags", {}).items()}),
            auth=None if auth is None else Auth(type=auth["type"], token_env=auth.get("token_env"),
                                                token_url=auth.get("token_url"), client_id=auth.get("client_id"),
                                                client_id_env=auth.get("client_id_env"),
                                                client_secret_env=auth.get("client_secret_env"),
                                                scopes=tuple(auth.get("scopes", ()))),
            options=MappingProxyType(dict(entry.get("options", {}))),
            driver=MappingProxyType(dict(entry.get("driver", {})))))
    return TargetsFile(documents, tuple(services), name)


def _secret(name: str | None, what: str) -> str:
    value = os.environ.get(name or "")
    if not name or not value:
        raise TargetsFileError(f"{what}: the environment variable {name or '(unnamed)'} is not set")
    return value


def auth_headers(auth: Auth | None, client: GuardedClient) -> dict[str, str]:
    """The Authorization header for a service (the client redacts it from every record)."""
    if auth is None:
        return {}
    if auth.type == "bearer":
        return {"authorization": f"Bearer {_secret(auth.token_env, 'bearer token')}"}
    from conformance.net import FetchError

    client_id = auth.client_id or _secret(auth.client_id_env, "OAuth 2.0 client id")
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": _secret(auth.client_secret_env, "OAuth 2.0 client secret")}
    if auth.scopes:
        form["scope"] = " ".join(auth.scopes)
    where = f"the OAuth 2.0 token endpoint {auth.token_url}"
    try:
        answer = client.send("POST", str(auth.token_url), content=urlencode(form).encode(),
                             content_type="application/x-www-form-urlencoded", accept="application/json",
                             max_bytes=TOKEN_ANSWER_MAX_BYTES)
    except FetchError as exc:              # its message names the URL and the cause, never the form sent
        raise TargetsFileError(f"{where} cannot be asked for a token: {exc}") from None
    if answer.status != 200:
        # the answer's body is not repeated: a token endpoint may echo what it was sent
        refused = " (the client credentials are refused)" if answer.status in (400, 401, 403) else ""
        raise TargetsFileError(f"{where} gives no token for client id {client_id!r}{refused}: expected HTTP 200 "
                               f"with an access token, found HTTP {answer.status}")
    try:
        parsed = json.loads(answer.body)
    except ValueError:
        parsed = None
    token = parsed.get("access_token") if isinstance(parsed, dict) else None
    if not isinstance(token, str) or not token or len(token) > 8192 or not token.isprintable():
        kind = answer.content_type or "no content type"
        raise TargetsFileError(f"{where} answers HTTP 200 without a usable access token: expected a JSON object "
                               f"with an access_token string, found {len(answer.body)} bytes of {kind}")
    token_type = parsed.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TargetsFileError(f"{where} hands out a token of type {str(token_type)[:40]!r}; the suite can use "
                               "only bearer tokens")
    return {"authorization": f"Bearer {token}"}


class ServiceSubject(Subject):
    """One live service: its description as the document, its answers as the `transcript` view."""

    def __init__(self, *, service: ServiceConfig, client: GuardedClient, env: Environment) -> None:
        raw = json.dumps(service.describe(), ensure_ascii=False).encode("utf-8")
        super().__init__(id=f"{service.endpoint}#{service.role}", env=env, raw=raw, name=service.role,
                         target=service.endpoint)
        self.service = service
        self.client = client

    @cached_property
    def transcript(self) -> Transcript:
        """Every exchange of the role's flows, run once (requests, statuses, headers, parsed bodies)."""
        from conformance.live import run_flows

        return run_flows(self)

    def flow(self, name: str) -> tuple[Step, ...]:
        return tuple(step for step in self.transcript.steps if step.flow == name)


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """Services of one implementation named by a targets.toml, tested through the run's guarded client."""

    services: tuple[ServiceConfig, ...]
    client: GuardedClient
    name: str = ""
    kind: str = "service"

    @property
    def id(self) -> str:
        return self.name or ", ".join(s.endpoint for s in self.services)

    def subjects(self, env: Environment) -> Iterator[Subject]:
        for service in self.services:
            yield ServiceSubject(service=service, client=self.client, env=env)
