"""`ler-conformance registry CTID|URL|FILE...`: read Credential Registry publications and check them.

Each input is a CTID (looked up on the chosen Registry), a Registry or other http(s) URL, or a local file or
directory. Everything then runs exactly as `check` runs it: one Runner over the targets, the same outputs
(text, --format json, results.json with the HTTP evidence), the same exit codes.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from conformance.core.findings import Verdict
from conformance.core.requirements import CatalogError
from conformance.run.targets.files import DirectoryTarget, Target, local_target
from conformance.standards.ctdl.facts.identifiers import REGISTRY_ENVIRONMENTS
from conformance.standards.ctdl.facts.references import RegistryResolver
from conformance.standards.ctdl.registry_client import (
    ACCEPT,
    CTID_ANY_CASE,
    REGISTRY_BASES,
    RegistryClient,
    RegistryError,
    registry_base,
    translate,
)
from conformance.support.net import FetchError, FetchPolicy, GuardedClient

if TYPE_CHECKING:
    from conformance.core.subject import Subject
    from conformance.run.environment import Environment

PREFERRED_PROFILES = ("ctdl-minimum-2026", "default")


@dataclass(frozen=True, slots=True)
class RegistryTarget:
    """One document read from a Registry (or any URL) through the RegistryClient before the run starts."""

    url: str
    body: bytes
    kind: str = "url"

    @property
    def id(self) -> str:
        return self.url

    def subjects(self, env: Environment) -> Iterator[Subject]:
        from conformance.core.subject import Subject

        yield Subject(id=self.url, env=env, raw=self.body[: env.limits.max_bytes + 1],
                      name=self.url.rsplit("/", 1)[-1], target=self.url)


@dataclass(frozen=True, slots=True)
class Unread:
    """An input the Registry did not give: the run reports it and cannot pass."""

    url: str
    error: RegistryError


def fetch_inputs(urls: Sequence[str], client: RegistryClient, max_bytes: int) -> tuple[list[RegistryTarget],
                                                                                        list[Unread]]:
    read: list[RegistryTarget] = []
    unread: list[Unread] = []
    for url in urls:
        try:
            response = client.http.get(url, accept=ACCEPT, max_bytes=max_bytes)
        except FetchError as exc:
            unread.append(Unread(url, translate(exc, url)))
            continue
        read.append(RegistryTarget(url, response.body))
    return read, unread


def resolve_inputs(inputs: Sequence[str], client: RegistryClient, *, route: str) -> tuple[list[str], list[Target]]:
    """URLs to read (CTIDs become Registry URLs on the client's base; route: graph, resources or envelopes) and
    local targets (files, directories)."""
    urls: list[str] = []
    local: list[Target] = []
    for item in inputs:
        if CTID_ANY_CASE.match(item.strip()):
            ctid = item.strip().lower()
            urls.append({"graph": client.graph_url, "resources": client.resource_url,
                         "envelopes": client.envelope_url}[route](ctid))
        elif item.startswith(("https://", "http://")):
            urls.append(item)
        else:
            target = local_target(Path(item))
            if target is None:
                raise click.BadParameter(f"{item} is neither a CTID, an http(s) URL, a file nor a directory",
                                         param_hint="CTID|URL|FILE")
            local.append(target)
    return urls, local


def _describe(target: Target) -> dict[str, Any]:
    kind = "url" if isinstance(target, RegistryTarget) else "directory" if isinstance(target, DirectoryTarget) \
        else "file"
    return {"id": target.id, "kind": kind}


def _default_profile(env: Environment) -> str:
    return next(name for name in PREFERRED_PROFILES if name in env.profiles or name == "default")


@click.command("registry")
@click.argument("inputs", nargs=-1, required=True, metavar="CTID|URL|FILE...")
@click.option("--registry-base", "registry_base_option", default="production", show_default=True, metavar="NAME|URL",
              help=f"The Registry CTIDs are looked up on: {', '.join(REGISTRY_BASES)}, or a base URL.")
@click.option("--route", type=click.Choice(["graph", "resources", "envelopes"]), default="graph", show_default=True,
              help="What a CTID fetches: the /graph/ document (the resource with its parts), the resource alone, "
                   "or its envelope.")
@click.option("--profile", "profile_name", default=None,
              help="Requirement profile (default: ctdl-minimum-2026 when present, else default).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Directory holding pinned contexts and schemas (matched by hash).")
@click.option("--online", is_flag=True, help="Also fetch what the checks look up (referenced resources, contexts).")
@click.option("--allow-private", is_flag=True,
              help="Let fetches reach private, loopback and link-local addresses (a local Registry stand-in).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write results.json into this directory.")
@click.option("-v", "--verbose", is_flag=True, help="Show every finding, not only failures.")
def registry(inputs: tuple[str, ...], registry_base_option: str, route: str, profile_name: str | None,
             output_format: str, artifacts: Path | None, online: bool, allow_private: bool, out: Path | None,
             verbose: bool) -> None:
    """Check Credential Registry publications: CTIDs fetched from the Registry, Registry URLs, or local files."""
    from conformance.cli.common import EXIT_CODES, EXIT_ERROR, run_with_progress
    from conformance.cli.common import console as _console
    from conformance.reporting.results import check_output, results_document, write_results
    from conformance.reporting.text import render
    from conformance.run.environment import MAX_FETCHED_BYTES, Environment
    from conformance.run.runner import Runner, run_verdict
    from conformance.support.outputs import OutputError

    console = _console()
    errors = _console(stderr=True)
    http = GuardedClient(FetchPolicy(allow_private=allow_private))
    try:
        client = RegistryClient(http, registry_base(registry_base_option))
        urls, local = resolve_inputs(inputs, client, route=route)
        env = Environment.create(artifacts=artifacts, online=online,
                                 fetch=(lambda url: http.fetch(url, MAX_FETCHED_BYTES)) if online else None,
                                 # a named environment is also the identity ids must carry; a base URL (a mirror,
                                 # the stand-in) serves another Registry's data, production unless said otherwise
                                 ctdl_registry=registry_base_option if registry_base_option in REGISTRY_ENVIRONMENTS
                                 else None)
        # the Registry this command reads is also where the documents' references are looked up
        env.ctdl_lookup = RegistryResolver(client)
        env.use_publication_set(local)        # local CTDL files form one set: looked up before the Registry
        profile = env.profile(profile_name or _default_profile(env))
        runner = Runner(env, profile)
    except (click.BadParameter, KeyError, CatalogError, RegistryError) as exc:
        errors.print(f"[red]error:[/] {exc.args[0] if exc.args else exc}", soft_wrap=True)
        http.close()
        sys.exit(EXIT_ERROR)
    started = datetime.now(UTC)
    with http:
        read, unread = fetch_inputs(urls, client, env.limits.max_bytes + 1)
        targets: list[Target] = [*read, *local]
        results = run_with_progress(runner, targets, errors, show=output_format == "text")
    for item in unread:
        errors.print(f"[red]not read:[/] {item.url}: {item.error.message}", soft_wrap=True)
    ended = datetime.now(UTC)
    scope = runner.scope(results)
    if out is not None:
        environment = {**env.describe(), "registry_base": client.base}
        document = results_document(results, profile=profile.name, started=started, ended=ended,
                                    environment={**environment, "unread": [
                                        {"url": u.url, "reason": str(u.error.kind), "message": u.error.message}
                                        for u in unread]},
                                    targets=[_describe(t) for t in targets],
                                    exchanges=[e.to_json() for e in http.exchanges], scope=scope)
        try:
            errors.print(f"results: {write_results(out, document)}")
        except OutputError as exc:       # a symbolic link planted in --out, a full disk: nothing half-written
            errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
    if output_format == "json":
        sys.stdout.write(json.dumps(check_output(results, scope), ensure_ascii=False) + "\n")
    else:
        render(console, results, env.catalog, verbose=verbose, scope=scope)
    verdict = run_verdict(results, scope)
    # An input the Registry did not give was not evaluated: the run cannot pass, nor be "not judged" as a whole.
    if unread and verdict in (Verdict.PASS, Verdict.NOT_JUDGED):
        verdict = Verdict.INCOMPLETE
    sys.exit(EXIT_CODES[verdict])
