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

A targets file may come from the vendor under test, so loading one is safe by default: a `[[target]] path` must stay
inside the file's folder (allow_outside_paths lifts that), and the programs it names for a wallet or client app
(`driver.command`, wallet-portability `export`/`import` commands) run only when the run allows them
(allow_driver_commands), in an environment holding only PATH, HOME, LANG, LC_*, TMPDIR and the variables the driver
table lists in `env`, never a variable another service authenticates with.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from conformance.core.requirements import CatalogError
from conformance.core.subject import Subject
from conformance.run.targets.files import DirectoryTarget, read_inside
from conformance.support.exchange.service import (
    ALLOW_OUTSIDE_FLAG,
    Auth,
    CommandPolicy,
    ServiceConfig,
    ServiceSubject,
    TargetsFileError,
)
from conformance.support.loading import CONFIG_MAX_BYTES, LoadError, load_toml_file, parse_toml_text
from conformance.support.net.secrets import Secrets
from conformance.support.schemas import validate_data_file

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from conformance.support.exchange.budget import TimeBudget
    from conformance.support.net import GuardedClient

TESTED_ROLES = ("issuer", "verifier", "exchange", "ob-host", "clr-host", "oid4vci-issuer",
                "oid4vp-verifier", "oid4vci-wallet", "oid4vp-wallet", "vcapi-wallet",
                "wallet-portability", "ob-client", "clr-client")     # roles a live module tests today (the schema lists planned ones too)


@dataclass(frozen=True, slots=True)
class TargetsFile:
    documents: tuple[str, ...]                  # paths (resolved) and URLs of [[target]] entries
    services: tuple[ServiceConfig, ...]
    implementation: str = ""
    # the folder (resolved) the paths must still be in when read, not only when loaded: a link swapped in between
    # is refused by the read (local_target(..., inside=)); None with allow_outside_paths
    inside: Path | None = None


def load_targets_file(path: Path, *, allow_driver_commands: bool = False,
                      allow_outside_paths: bool = False, inside: Path | None = None) -> TargetsFile:
    """Read and check a targets file. `[[target]]` paths must resolve inside its folder unless allow_outside_paths;
    the programs its services name may run only with allow_driver_commands (ServiceConfig.commands). `inside`: the
    folder a targets file named by another one must be read from (checked on the opened file, as documents are)."""

    try:
        if inside is None:
            data = load_toml_file(path, what="the targets file")
        else:
            raw = read_inside(path, inside, CONFIG_MAX_BYTES)
            if len(raw) > CONFIG_MAX_BYTES:
                raise TargetsFileError(f"{path}: the targets file is larger than {CONFIG_MAX_BYTES:,} bytes, the "
                                       "most the suite reads")
            data = parse_toml_text(raw, path, what="the targets file")
    except LoadError as exc:
        raise TargetsFileError(str(exc)) from None
    except OSError as exc:          # TargetPathError: a link swapped in since the enclosing file was loaded
        raise TargetsFileError(str(exc)) from None
    _refuse_inline_secrets(path, data)
    try:
        validate_data_file("targets", data, path)
    except CatalogError as exc:            # a schema message quotes values: an auth value is never repeated
        raise TargetsFileError(_without_auth_values(str(exc), data)) from None
    documents = tuple(entry["url"] if "url" in entry else _inside(path, entry["path"], allow_outside_paths)
                      for entry in data.get("target", []))
    name = str(data.get("implementation", {}).get("name", path.stem))
    entries = list(data.get("service", []))
    secrets = [_secret_names(entry) for entry in entries]
    services: list[ServiceConfig] = []
    for index, entry in enumerate(entries):
        if entry["role"] not in TESTED_ROLES:
            raise TargetsFileError(f"{path}: service {index} has role {entry['role']!r}, which no live module tests "
                                   f"yet (tested: {', '.join(TESTED_ROLES)})")
        # another service's secret never reaches this one's programs: an env list naming one is refused outright
        withheld = frozenset(n for other, names in enumerate(secrets) if other != index for n in names)
        for listed in _listed_env(entry):
            if listed in withheld:
                raise TargetsFileError(f"{path}: service {index} lists {listed} in a driver's env, a variable another "
                                       "service authenticates with; a driver never gets another service's secret")
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
            driver=MappingProxyType(dict(entry.get("driver", {}))),
            commands=CommandPolicy(allowed=allow_driver_commands, withheld=withheld)))
    inside = None if allow_outside_paths else path.parent.resolve()
    return TargetsFile(documents, tuple(services), name, inside=inside)


def _inside(targets: Path, named: str, allow_outside: bool) -> str:
    """A `[[target]] path`, resolved against the targets file's folder; refused (before anything of it is read) when
    it leads outside that folder, absolutely, through .. or through a symbolic link, unless allowed."""
    folder = targets.parent.resolve()
    resolved = (folder / named).resolve()
    if allow_outside:
        return str(resolved)
    outside = "" if resolved.is_relative_to(folder) else named
    if not outside and resolved.is_dir():
        # a folder inside may still hold links leading out; only names are listed here, nothing is read

        outside = next((str(p) for p in DirectoryTarget(resolved).files()
                        if not p.resolve().is_relative_to(folder)), "")
    if outside:
        raise TargetsFileError(f"{targets}: the target path {outside!r} leads outside the targets file's folder "
                               f"{str(folder)!r}; add {ALLOW_OUTSIDE_FLAG} to read it")
    return str(resolved)


def _secret_names(entry: Mapping[str, Any]) -> set[str]:
    """The environment variables a service entry authenticates with (auth, and options *_env such as a host's
    client_secret_env and refresh_token_env)."""
    names = {v for k, v in (entry.get("auth") or {}).items() if k.endswith("_env") and isinstance(v, str)}
    options = entry.get("options") or {}
    names |= {v for k, v in options.items() if k.endswith("_env") and isinstance(v, str)}
    return names


def _listed_env(entry: Mapping[str, Any]) -> list[str]:
    """Every variable a service entry's driver tables list in `env` (its own driver, wallet-portability sides)."""
    tables = [entry.get("driver")]
    options = entry.get("options") or {}
    tables += [options[side].get("driver") for side in ("source", "destination") if isinstance(options.get(side), dict)]
    return [name for table in tables if isinstance(table, dict)
            for name in table.get("env", ()) if isinstance(name, str)]


AUTH_MEMBERS = frozenset({"type", "token_env", "token_url", "client_id", "client_id_env", "client_secret_env",
                          "scopes"})         # what the schema allows in auth: names of variables, never their values


def _auth_tables(data: Mapping[str, Any]) -> Iterator[tuple[int, Any]]:
    services = data.get("service")
    for index, entry in enumerate(services if isinstance(services, list) else ()):
        if isinstance(entry, dict) and "auth" in entry:
            yield index, entry["auth"]


def _refuse_inline_secrets(path: Path, data: Mapping[str, Any]) -> None:
    """A secret written into the file is refused by naming its key, never by repeating its value (the message goes
    to the terminal and to CI logs)."""
    for index, auth in _auth_tables(data):
        if not isinstance(auth, dict):
            raise TargetsFileError(f"{path}: service {index}: auth must be a table such as {{ type = \"bearer\", "
                                   "token_env = \"NAME\" }; secrets are read only from environment variables "
                                   "(the value given is not shown)")
        inline = sorted(str(key) for key in auth if key not in AUTH_MEMBERS)
        if inline:
            raise TargetsFileError(f"{path}: service {index}: auth holds {', '.join(inline)}, which a targets file "
                                   "may not: secrets are read only from environment variables named by token_env, "
                                   "client_id_env or client_secret_env (the value given is not shown)")


def _without_auth_values(message: str, data: Mapping[str, Any]) -> str:
    """`message` with every auth value of the file replaced (a token pasted where a variable name belongs)."""

    values = Secrets()
    for _, auth in _auth_tables(data):
        for key, value in (auth.items() if isinstance(auth, dict) else ()):
            if key != "type":
                values.add(value, f"auth {key}")
    return values.redact(message)


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """Services of one implementation named by a targets.toml, tested through the run's guarded client."""

    services: tuple[ServiceConfig, ...]
    client: GuardedClient
    name: str = ""
    kind: str = "service"
    budget: TimeBudget | None = None        # --service-timeout / --run-timeout; None: requests bound only by the policy

    @property
    def id(self) -> str:
        return self.name or ", ".join(s.endpoint for s in self.services)

    def subjects(self, env: Environment) -> Iterator[Subject]:
        for service in self.services:
            yield ServiceSubject(service=service, client=self.client, env=env, budget=self.budget)
