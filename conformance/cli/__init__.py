"""The `ler-conformance` command."""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from conformance._version import __version__
from conformance.core.requirements import SERVICES, CatalogError
from conformance.core.work import WorkLimits
from conformance.reporting.results import (
    check_output,
    describe_target,
    results_document,
    write_results,
)
from conformance.reporting.text import render
from conformance.run.environment import MAX_FETCHED_BYTES, Environment
from conformance.run.runner import Runner, run_verdict
from conformance.run.targets.files import Target, UrlTarget, local_target
from conformance.support.exchange.budget import DEFAULT_RUN_S, DEFAULT_SERVICE_S, TimeBudget
from conformance.support.formats import Limits
from conformance.support.loading import (
    RESULTS_MAX_BYTES,
    RESULTS_MAX_DEPTH,
    LoadError,
    load_json_file,
    load_toml_file,
    read_bounded,
)
from conformance.support.net import FetchPolicy, FetchPolicyError, GuardedClient
from conformance.support.outputs import OutputError
from conformance.support.securing.trust import TrustError, combine, load_trust_source
from conformance.support.securing.verifier import VerificationOptions, judging_instant

from .audit import audit
from .common import (
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_INCOMPLETE,
    EXIT_NOT_JUDGED,
    EXIT_PASS,
    SERVE_REFERENCE_DONE,
    run_with_progress,
)
from .common import console as _console
from .registry import registry

__all__ = ["EXIT_CODES", "EXIT_ERROR", "EXIT_FAIL", "EXIT_INCOMPLETE", "EXIT_NOT_JUDGED", "EXIT_PASS",
           "SERVE_REFERENCE_DONE", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ler-conformance")
def main() -> None:
    """Conformance tests for Learning and Employment Record credentials and systems."""


def _targets(inputs: Sequence[str], client: GuardedClient, *, allow_driver_commands: bool = False,
             allow_outside_paths: bool = False, budget: TimeBudget | None = None,
             inside: Path | None = None) -> list[Target]:
    from conformance.run.targets.services import ServiceTarget, load_targets_file
    from conformance.support.exchange.service import TargetsFileError

    targets: list[Target] = []
    for item in inputs:
        if item.startswith(("https://", "http://")):
            targets.append(UrlTarget(item, client.fetch))
            continue
        if item.endswith(".toml") and Path(item).is_file():      # a targets file: documents and live services
            try:
                loaded = load_targets_file(Path(item), allow_driver_commands=allow_driver_commands,
                                           allow_outside_paths=allow_outside_paths, inside=inside)
            except TargetsFileError as exc:
                raise click.BadParameter(str(exc), param_hint="PATH") from None
            targets += _targets(loaded.documents, client, allow_driver_commands=allow_driver_commands,
                                allow_outside_paths=allow_outside_paths, budget=budget, inside=loaded.inside)
            for service in loaded.services:     # said before the run: its rules will be error, not the vendor's fault
                if service.refused_programs():
                    click.echo(service.refused_programs(), err=True)
            if loaded.services:
                targets.append(ServiceTarget(loaded.services, client, loaded.implementation, budget=budget))
            continue
        target = local_target(Path(item), inside)
        if target is None:
            raise click.BadParameter(f"{item} is neither a file, a directory nor an http(s) URL", param_hint="PATH")
        targets.append(target)
    return targets


def _known_documents(indexes: Sequence[Path]) -> dict[str, bytes | None]:
    """URL -> bytes from `[documents]` tables; file names are relative to their index file; false marks a URL whose
    server answers 410 Gone."""
    documents: dict[str, bytes | None] = {}
    for index in indexes:
        try:
            table = load_toml_file(index, what="the --documents index").get("documents")
        except LoadError as exc:
            raise click.BadParameter(str(exc), param_hint="--documents") from None
        if not isinstance(table, dict) or not all(isinstance(v, str) or v is False for v in table.values()):
            raise click.BadParameter(f"{index} has no [documents] table of URL = \"file\" (or false) entries",
                                     param_hint="--documents")
        for url, name in table.items():
            if name is False:               # known to be gone: the URL answers 410
                documents.setdefault(url, None)
                continue
            try:
                # a known document is judged like any fetched one, so it gets a fetched document's size bound
                documents.setdefault(url, read_bounded(index.parent / name, Limits().max_bytes,
                                                       f"the file for {url}"))
            except LoadError as exc:
                raise click.BadParameter(f"{index}: {exc}", param_hint="--documents") from None
    return documents


def _check_registry_base(value: str | None) -> None:
    from conformance.standards.ctdl.facts.identifiers import REGISTRY_ENVIRONMENTS

    if value and value not in REGISTRY_ENVIRONMENTS and not value.startswith(("https://", "http://")):
        raise click.BadParameter(f"--registry-base expects {', '.join(REGISTRY_ENVIRONMENTS)} or an http(s) base URL, "
                                 f"found {value!r}")


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL|TARGETS.toml...")
@click.option("--profile", "profile_name", default="default", show_default=True, help="Requirement profile.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Directory holding pinned contexts and schemas (matched by hash). "
                   "Default: $LER_CONFORMANCE_ARTIFACTS, then the user cache.")
@click.option("--online", is_flag=True, help="Fetch what is not pinned (contexts) instead of reporting it.")
@click.option("--allow-private", is_flag=True,
              help="Let fetches reach private, loopback and shared (CGNAT) addresses (refused by default). "
                   "Link-local and cloud metadata addresses stay refused: name them with --allow-address.")
@click.option("--allow-address", "allow_addresses", multiple=True, metavar="ADDRESS|CIDR",
              help="An address or network fetches may reach whatever it is, even without --allow-private; the only "
                   "way to reach link-local and cloud metadata addresses (169.254.169.254). Repeatable.")
@click.option("--ca-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="PEM certificates to trust besides the usual roots, for services on a private PKI; TLS "
                   "verification itself stays on.")
@click.option("--trust-list", "trust_lists", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Issuers to accept (TRUST10): our TOML trust list, or a DCC-style registry (.json). Repeatable; "
                   "earlier files win.")
@click.option("--documents", "document_indexes", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A TOML file mapping URLs and DIDs to local files ([documents] \"URL\" = \"file\"): status lists, "
                   "controller documents and DID documents of any method (did:web, did:example, ...) used instead of "
                   "fetching or resolving. Repeatable.")
@click.option("--challenge", help="The challenge presentations must carry (DI10-presentation-challenge).")
@click.option("--domain", "domains", multiple=True, help="The domain presentations must carry. Repeatable.")
@click.option("--at", "at", metavar="DATETIME",
              help="The judging instant: validity periods, proof created/expires, JWT nbf/exp, status lists and "
                   "trust entries are all judged at it. An RFC 3339 date-time with a time zone, such as "
                   "2026-12-07T17:00:00Z. Default: when the run starts (recorded in results.json).")
@click.option("--registry-base", metavar="NAME|URL",
              help="The Credential Registry environment CTDL publications are judged against: production, sandbox, "
                   "staging, or a base URL; without it, each publication's own @id decides.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write results.json into this directory.")
@click.option("--allow-driver-commands", is_flag=True,
              help="Run the programs a targets file names for wallets and client apps (driver.command, export and "
                   "import commands), in an environment without other services' secrets. Off by default: a "
                   "vendor's targets file then runs no code here, and the rules that needed it are error.")
@click.option("--allow-outside-paths", is_flag=True,
              help="Let a targets file's [[target]] paths lead outside its folder (refused by default).")
@click.option("--service-timeout", "service_timeout", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_SERVICE_S, show_default=True, metavar="SECONDS",
              help="Time budget of each live service: once it runs out, no further request is made to the service and "
                   "its rules are cantTell.")
@click.option("--run-timeout", "run_timeout", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_RUN_S, show_default=True, metavar="SECONDS",
              help="Time budget of the whole run for live services: it caps every service's budget.")
@click.option("--work-budget", "work_budget", multiple=True, metavar="NAME=VALUE",
              help="A work budget of each input document or of the run (document-seconds, document-jsonld-operations, "
                   "document-proofs, document-fetches, run-seconds, run-jsonld-operations, run-proofs, run-fetches); "
                   "a value or 'none'. Exhausting one makes the rule at work an error naming it. Repeatable; defaults "
                   "in README, 'Running what vendors send you'.")
@click.option("-v", "--verbose", is_flag=True, help="Show every finding, not only failures.")
def check(inputs: tuple[str, ...], profile_name: str, output_format: str, artifacts: Path | None, online: bool,
          allow_private: bool, allow_addresses: tuple[str, ...], ca_file: Path | None, trust_lists: tuple[Path, ...],
          document_indexes: tuple[Path, ...], challenge: str | None, domains: tuple[str, ...], at: str | None,
          registry_base: str | None, out: Path | None, allow_driver_commands: bool, allow_outside_paths: bool,
          service_timeout: float, run_timeout: float, work_budget: tuple[str, ...], verbose: bool) -> None:
    """Check credential and presentation documents: JSON, JWT, baked PNG/SVG; a directory means every file in it.

    A targets.toml names documents ([[target]]) and the live services of one implementation ([[service]]): each
    service is called as its client and judged (VCALM issuer and verifier today); loopback or private endpoints
    need --allow-private."""
    console = _console()
    errors = _console(stderr=True)
    try:
        policy = FetchPolicy(allow_private=allow_private, allow_networks=allow_addresses,
                             ca_file=str(ca_file) if ca_file else None)
    except FetchPolicyError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-address") from None
    try:
        client = GuardedClient(policy)
    except FetchPolicyError as exc:
        raise click.BadParameter(str(exc), param_hint="--ca-file") from None
    try:
        _check_registry_base(registry_base)
        # the run's clock for live services starts here
        budget = TimeBudget(service_s=service_timeout, run_s=run_timeout)
        targets = _targets(inputs, client, allow_driver_commands=allow_driver_commands,
                           allow_outside_paths=allow_outside_paths, budget=budget)
        try:        # one instant for the whole run, fixed here: every verification of the run judges at it
            instant = judging_instant(at)
        except ValueError as exc:
            raise click.BadParameter(f"--at: {exc}", param_hint="--at") from None
        options = VerificationOptions(
            challenge=challenge, domain=domains or None, now=instant,
            trust_list=combine(load_trust_source(p) for p in trust_lists) if trust_lists else None)
        env = Environment.create(artifacts=artifacts, online=online,
                                 fetch=(lambda url: client.fetch(url, MAX_FETCHED_BYTES)) if online else None,
                                 documents=_known_documents(document_indexes), options=options,
                                 ctdl_registry=registry_base, work_limits=_work_limits(work_budget))
        env.use_publication_set(targets)      # CTDL files judged together: sibling references, duplicate CTIDs
        if online:              # CTDL references outside the input are looked up in the Registry itself
            from conformance.standards.ctdl.facts.references import RegistryResolver
            from conformance.standards.ctdl.registry_client import RegistryClient

            env.ctdl_lookup = RegistryResolver(RegistryClient(client, registry_base))
        profile = env.profile(profile_name)
        runner = Runner(env, profile)
    except (click.BadParameter, KeyError, CatalogError, TrustError) as exc:
        errors.print(f"[red]error:[/] {exc.args[0] if exc.args else exc}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    if runner.untestable:       # said up front: what the profile requires and the run was not given
        missing = sorted(set(runner.untestable.values()))
        errors.print(f"[yellow]not tested:[/] the profile {profile.name} requires {', '.join(missing)}, which the run "
                     f"was not given: {len(runner.untestable)} rule(s) will be reported as not tested", soft_wrap=True)
    if SERVICES in profile.requires and not any(t.kind == "service" for t in targets):
        errors.print(f"[yellow]not tested:[/] the profile {profile.name} requires live services ([[service]] in a "
                     "targets file) and the run has none: its protocol rules will be reported as not tested",
                     soft_wrap=True)
    started = datetime.now(UTC)
    with client:
        results = run_with_progress(runner, targets, errors, show=output_format == "text")
    ended = datetime.now(UTC)
    scope = runner.scope(results)
    if out is not None:
        document = results_document(results, profile=profile.name, started=started, ended=ended,
                                    environment=env.describe(), targets=[describe_target(t) for t in targets],
                                    exchanges=[e.to_json() for e in client.exchanges], scope=scope,
                                    secrets=client.secrets)
        try:
            path = write_results(out, document)
        except OutputError as exc:
            errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
        errors.print(f"results: {path}")
    if output_format == "json":
        sys.stdout.write(json.dumps(check_output(results, scope, secrets=client.secrets), ensure_ascii=False) + "\n")
    else:
        render(console, results, env.catalog, verbose=verbose, scope=scope, secrets=client.secrets)
    sys.exit(EXIT_CODES[run_verdict(results, scope)])


def _work_limits(settings: Sequence[str]) -> WorkLimits:
    pairs: dict[str, str] = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep:
            raise click.BadParameter(f"--work-budget {setting!r}: expected NAME=VALUE, such as document-proofs=50",
                                     param_hint="--work-budget")
        pairs[name.strip()] = value.strip()
    try:
        return WorkLimits.parse(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--work-budget") from None


@main.command()
@click.argument("results_files", nargs=-1, required=True, metavar="RESULTS.json...",
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--earl", is_flag=True, help="EARL 1.0 as JSON-LD (earl.jsonld) and Turtle (earl.ttl).")
@click.option("--html", "html_report", is_flag=True,
              help="One self-contained HTML page (report.html): verdicts, charts, failures with evidence.")
@click.option("--pdf", is_flag=True, help="The HTML report printed to report.pdf by a headless Chromium.")
@click.option("--matrix", is_flag=True,
              help="Interop matrix over all files (matrix.md, matrix.html); each file's folder names its implementation.")
@click.option("--attest", is_flag=True,
              help="attestation.json: the run's summary as a signed credential with a digest of every report file; "
                   "the judged inputs are archived beside it (inputs.json, inputs/).")
@click.option("--attestations", "vendor_files", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A vendor's answers to the C-BEN items no machine tests (TOML); shown as attested, never as tested.")
@click.option("--signing-key", "--attest-key", "signing_key", metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Your Ed25519 private key (JWK or Multikey) to sign the attestation with (--attest-key is the older "
                   "name). Without it a one-time key signs, and the attestation says it is bound to no operator.")
@click.option("--attest-issuer-name", default="ler-conformance", show_default=True,
              help="The issuer name the attestation carries (who ran the suite).")
@click.option("--attest-subject", metavar="URI", help="The id of the product or deployment tested.")
@click.option("--attest-base-url", metavar="URL", help="Where the report files will be published (relatedResource ids).")
@click.option("--inputs-base", type=click.Path(file_okay=False, exists=True, path_type=Path), default=Path(),
              show_default="the current folder",
              help="The folder `check` ran in: relative target paths in results.json are read from there when the "
                   "judged inputs are archived.")
@click.option("--no-inputs", is_flag=True,
              help="With --attest: archive no judged inputs; the package then cannot be judged again.")
@click.option("--browser", metavar="PATH", help="Chromium executable for --pdf (default: found on PATH).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True,
              help="Directory for the report files (one subfolder per results file when several are given).")
def report(results_files: tuple[Path, ...], earl: bool, html_report: bool, pdf: bool, matrix: bool, attest: bool,
           vendor_files: tuple[Path, ...], signing_key: Path | None, attest_issuer_name: str,
           attest_subject: str | None, attest_base_url: str | None, inputs_base: Path, no_inputs: bool,
           browser: str | None, out: Path) -> None:
    """Render reports from results.json files; nothing is judged again."""
    from conformance.reporting.files import ReportError, write_no_follow
    from conformance.reporting.matrix import build_matrix, matrix_html, matrix_markdown
    from conformance.reporting.package import ReportRequest, write_report_package
    from conformance.run.attestations import AttestationError, load_vendor_attestation
    from conformance.support.schemas import validate_data_file

    errors = _console(stderr=True)
    if not (earl or html_report or pdf or matrix or attest):
        errors.print("[red]error:[/] choose at least one report (--earl, --html, --pdf, --matrix, --attest)")
        sys.exit(EXIT_ERROR)
    if signing_key is not None and not attest:
        errors.print("[red]error:[/] --signing-key signs the attestation: add --attest")
        sys.exit(EXIT_ERROR)
    catalog = Environment.create().catalog
    loaded: list[tuple[Path, dict[str, Any]]] = []
    for source in results_files:
        try:
            results = load_json_file(source, max_bytes=RESULTS_MAX_BYTES, max_depth=RESULTS_MAX_DEPTH)
            validate_data_file("results", results, source)
        except LoadError as exc:
            errors.print(f"[red]error:[/] {escape(exc.path)} is not a readable results.json: {escape(exc.reason)}",
                         soft_wrap=True)
            sys.exit(EXIT_ERROR)
        except CatalogError as exc:
            errors.print(f"[red]error:[/] {source} is not a readable results.json: {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
        loaded.append((source, results))
    try:
        vendors = tuple(load_vendor_attestation(path, catalog, validate_data_file) for path in vendor_files)
    except AttestationError as exc:
        errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    if attest and not signing_key:
        errors.print("[yellow]note:[/] no --signing-key: a one-time did:key signs the attestation, which says so; it "
                     "proves the files are unchanged, not who ran the suite")
    matrix_files: tuple[Path, ...] = ()
    if matrix:
        out.mkdir(parents=True, exist_ok=True)
        table = build_matrix([(source.resolve().parent.name or str(source), results) for source, results in loaded])
        matrix_files = (out / "matrix.md", out / "matrix.html")
        try:
            write_no_follow(matrix_files[0], matrix_markdown(table, catalog).encode("utf-8"))
            write_no_follow(matrix_files[1], matrix_html(table, catalog).encode("utf-8"))
        except ReportError as exc:
            errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
        _console().print(f"matrix: {matrix_files[0]}, {matrix_files[1]}")
    request = ReportRequest(earl=earl, html=html_report, pdf=pdf, attest=attest, vendors=vendors, browser=browser,
                            signing_key=signing_key, attest_issuer_name=attest_issuer_name,
                            attest_subject=attest_subject, attest_base_url=attest_base_url,
                            # one run's matrix sits in its package folder, so its attestation binds it too
                            companions=matrix_files if len(results_files) == 1 else (),
                            archive_inputs=not no_inputs, inputs_base=inputs_base)
    if not (earl or html_report or pdf or attest):
        return
    for index, (source, results) in enumerate(loaded):
        folder = out if len(results_files) == 1 else out / f"{index + 1:02d}-{source.parent.name or 'results'}"
        try:
            package = write_report_package(source, results, catalog, folder, request)
        except (ReportError, OSError) as exc:
            errors.print(f"[red]error:[/] {source}: {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
        for path in package.files:
            _console().print(f"wrote {path}", soft_wrap=True)
        if attest and not no_inputs:
            records = [item.record for item in package.inputs]
            kept = sum(1 for r in records if r.archived)
            digest_only = sum(1 for r in records if not r.archived and r.sha256 is not None)
            unread = len(records) - kept - digest_only
            _console().print(f"inputs: {kept} of {len(records)} judged inputs archived in {folder / 'inputs'}"
                             + (f"; {digest_only} kept as a digest only" if digest_only else "")
                             + (f"; {unread} without a digest" if unread else "")
                             + (" (inputs.json says why)" if digest_only or unread else ""), soft_wrap=True)
            if any(r.note == "not read: the file is no longer there" for r in records):
                errors.print("[yellow]note:[/] some judged inputs were not found: if check ran in another folder, "
                             "pass it as --inputs-base DIR", soft_wrap=True)


@main.command("verify-report")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--attestation", "attestation_name", default="attestation.json", show_default=True,
              help="The attestation's file name inside FOLDER.")
@click.option("--trusted-signer", "trusted_signers", multiple=True, metavar="DID",
              help="A signer you accept (a DID, e.g. your lab's did:key). Repeatable; any other signer is refused. "
                   "Without it the signer is shown, and nothing ties it to anyone.")
@click.option("--rejudge", is_flag=True,
              help="Judge the archived inputs again with this installation (the run's suite version, profile, "
                   "options and judging instant) and fail when any verdict differs from results.json.")
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Pinned contexts and schemas (default: $LER_CONFORMANCE_ARTIFACTS, then the user cache).")
def verify_report(folder: Path, attestation_name: str, trusted_signers: tuple[str, ...], rejudge: bool,
                  artifacts: Path | None) -> None:
    """Check a report package: the attestation's proof verifies, its signer is one you accept, every report file and
    archived input matches its digest and, with --rejudge, results.json gives the verdicts the suite gives now.

    Exit 0: all holds; 1: something does not (a changed file, a refused signer, a verdict that differs);
    2: the attestation cannot be read or its proof cannot be checked; 3: nothing failed, but the inputs could not all
    be judged again (--rejudge)."""
    from conformance.reporting.attestation import (
        SignerKind,
        attestation_signer,
        related_file_names,
        verify_related_resources,
    )
    from conformance.reporting.inputs import MANIFEST_NAME, InputsError, check_archive, read_manifest
    from conformance.reporting.rejudge import rejudge as judge_again

    errors = _console(stderr=True)
    try:
        attestation = load_json_file(folder / attestation_name, max_bytes=RESULTS_MAX_BYTES,
                                     max_depth=RESULTS_MAX_DEPTH)
    except LoadError as exc:
        errors.print(f"[red]error:[/] {escape(exc.path)} is not a readable attestation: {escape(exc.reason)}",
                     soft_wrap=True)
        sys.exit(EXIT_ERROR)
    if not isinstance(attestation, dict):
        errors.print(f"[red]error:[/] {folder / attestation_name} is not a JSON object")
        sys.exit(EXIT_ERROR)
    console = _console()

    def say(mark: str, text: str) -> None:
        console.print(f"{mark} {text}", soft_wrap=True)

    ok, failed_mark, note = "[green]ok[/]     ", "[red]failed[/] ", "[yellow]note[/]   "
    failed = False
    proof = Environment.create(artifacts=artifacts).verifier.data_integrity(attestation, presentation=False)
    signer = attestation_signer(attestation)
    named = signer.did or signer.issuer or "an unnamed key"
    if proof.verified:
        say(ok, f"the proof verifies with a key of {named}")
        if not signer.consistent:
            failed = True
            say(failed_mark, f"the issuer is {signer.issuer}, but the proof is made with a key of {signer.did}")
    else:
        failed = failed or not proof.indeterminate
        say(failed_mark, f"the proof does not verify: {proof.message}")
    if trusted_signers:
        expected = list(dict.fromkeys(t.split("#", 1)[0] for t in trusted_signers))
        if not proof.verified or signer.did not in expected:
            found = named if proof.verified else f"no verified key (the document names {named})"
            say("[red]refused[/]", f"the attestation is signed by {found}; expected {' or '.join(expected)}")
            sys.exit(EXIT_FAIL)
        say(ok, "the signer is one you trust (--trusted-signer)")
    if signer.kind is SignerKind.EPHEMERAL:
        say(note, f"the signer {named} is an ephemeral key made for this attestation alone (the attestation says so): "
                  f"it cannot be tied to anyone, and shows only that the files are unchanged since signing")
    elif signer.kind is SignerKind.PUBLIC_TEST:
        say(note, f"the signer {named} is the suite's public test key: anyone can sign with it, so it cannot be tied "
                  f"to anyone")
    elif not trusted_signers:
        say(note, f"nothing here ties {named} to anyone: name the signers you accept with --trusted-signer")
    problems = verify_related_resources(attestation, folder)
    for problem in problems:
        say(f"[red]{problem.kind:<7}[/]", problem.message)
    related = attestation.get("relatedResource")
    if not problems:
        say(ok, f"all {len(related) if isinstance(related, list) else 1} report files match their digests")
    failed = failed or bool(problems)
    manifest = None
    bound = MANIFEST_NAME in related_file_names(attestation)
    if (folder / MANIFEST_NAME).exists() or (folder / MANIFEST_NAME).is_symlink():
        try:
            manifest = read_manifest(folder)
        except InputsError as exc:
            failed = True
            say(failed_mark, str(exc))
        if not bound:
            failed = True
            say(failed_mark, f"{MANIFEST_NAME} is in the package, but the attestation does not bind it")
    if manifest is not None:
        archive_problems = check_archive(folder, manifest)
        for archive_problem in archive_problems:
            say(f"[red]{archive_problem.kind:<7}[/]", archive_problem.message)
        failed = failed or bool(archive_problems)
        archived = len(manifest.archived)
        if not archive_problems and archived:
            say(ok, f"all {archived} archived inputs match {MANIFEST_NAME}"
                    + (f" ({len(manifest.records) - archived} more listed without a copy)"
                       if len(manifest.records) > archived else ""))
        elif not archive_problems:
            say(note, f"{MANIFEST_NAME} lists {len(manifest.records)} judged inputs and archives none of them")
    elif not (folder / MANIFEST_NAME).exists():
        say(note, f"the package archives no judged inputs ({MANIFEST_NAME}), so it cannot be judged again")
    incomplete = False
    if rejudge:
        incomplete = True           # until every subject and the run's verdict were judged again
        try:
            results = load_json_file(folder / "results.json", max_bytes=RESULTS_MAX_BYTES,
                                     max_depth=RESULTS_MAX_DEPTH)
        except LoadError as exc:
            results = None
            say("[yellow]not rejudged[/]", escape(str(exc)))
        if manifest is None:
            say("[yellow]not rejudged[/]", f"the package holds no readable {MANIFEST_NAME}, so nothing can be judged "
                                           f"again")
        elif not isinstance(results, dict):
            if results is not None:
                say("[yellow]not rejudged[/]", f"{folder / 'results.json'} is not a JSON object")
        else:
            outcome = judge_again(folder, results, manifest, artifacts=artifacts)
            marks = {"ok": ok, "note": note, "differs": "[red]differs[/]", "not-rejudged": "[yellow]not rejudged[/]"}
            for kind, text in outcome.lines():
                say(marks[kind], text)
            failed = failed or bool(outcome.differences)
            incomplete = not outcome.complete
    if failed:
        sys.exit(EXIT_FAIL)
    if not proof.verified:
        sys.exit(EXIT_ERROR)
    if incomplete:
        sys.exit(EXIT_INCOMPLETE)


@main.group()
def artifacts() -> None:
    """Pinned JSON-LD contexts and schemas: fetch them into the cache, or verify they are all available."""


@artifacts.command("verify")
@click.option("--artifacts", "directory", type=click.Path(file_okay=False, path_type=Path))
def artifacts_verify(directory: Path | None) -> None:
    """Check every pin resolves to bytes with the pinned sha256."""
    env = Environment.create(artifacts=directory)
    missing = env.store.missing()
    for pin in env.store.pins.values():
        where = env.store.locate(pin.url)
        mark = "[green]ok[/]     " if where else "[red]missing[/]"
        _console().print(f"{mark} {pin.url}  [dim]{where or pin.sha256[:16]}[/]")
    if missing:
        _console(stderr=True).print(f"[red]{len(missing)} of {len(env.store.pins)} pinned artifacts are missing;[/] "
                                   "run `ler-conformance artifacts fetch` or pass --artifacts DIR")
        sys.exit(EXIT_ERROR)
    _console().print(f"all {len(env.store.pins)} pinned artifacts are available and match their hashes")


@artifacts.command("fetch")
@click.option("--artifacts", "directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--mirror", metavar="URL",
              help="Fetch from a content-addressed mirror (<URL>/<sha256>, the cache's own layout) instead of the "
                   "canonical URLs. Default: LER_CONFORMANCE_MIRROR. A mirror you name may be on a private or "
                   "loopback address.")
@click.option("--allow-private", is_flag=True, help="Let the canonical URLs resolve to private addresses too.")
def artifacts_fetch(directory: Path | None, mirror: str | None, allow_private: bool) -> None:
    """Download every missing pin into the user cache, refusing bytes whose hash differs. `make demo` and `make test`
    run this first; with every pin in place it returns at once."""
    from conformance.support.artifacts.fetch import configured_mirror, fetch_missing, ways_out

    store = Environment.create(artifacts=directory).store
    mirror = configured_mirror(mirror)
    pins = store.missing()
    missing = len(pins)
    console, errors = _console(), _console(stderr=True)
    if not missing:
        console.print(f"all {len(store.pins)} pinned artifacts are available")
        return
    console.print(f"fetching {missing} of {len(store.pins)} pinned artifacts from {mirror or 'their canonical URLs'} "
                  f"into {store.cache_dir}", soft_wrap=True)
    fetched = failed = 0
    with GuardedClient(FetchPolicy(allow_private=allow_private or mirror is not None)) as client:
        for index, outcome in enumerate(fetch_missing(store, pins, client.fetch, mirror), 1):
            if outcome.error is None:
                fetched += 1
                console.print(f"  {index}/{missing} fetched {outcome.pin.url} ({outcome.size:,} bytes)", soft_wrap=True)
            elif outcome.unreachable:
                errors.print(f"[red]error:[/] {escape(ways_out(missing - fetched, mirror=mirror))} "
                             f"({escape(outcome.error)})", soft_wrap=True)
                sys.exit(EXIT_ERROR)
            else:
                failed += 1
                errors.print(f"  {index}/{missing} [red]failed[/] {outcome.pin.url}: {escape(outcome.error)}",
                             soft_wrap=True)
    if failed:
        errors.print(f"[red]error:[/] {failed} pinned artifacts could not be fetched; the lines above say why",
                     soft_wrap=True)
        sys.exit(EXIT_ERROR)
    console.print(f"all {len(store.pins)} pinned artifacts are in place ({store.cache_dir})", soft_wrap=True)


@main.group()
def vectors() -> None:
    """The suite's test vectors."""


@vectors.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--documents", "documents_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the documents the vectors refer to go (status lists, DID documents), with documents.toml "
                   "for `check --documents`. Default: DIRECTORY-documents beside it.")
def vectors_export(directory: Path, documents_dir: Path | None) -> None:
    """Write every vector as a plain file (JSON, JWT, PNG, SVG), for use with other tools."""
    from conformance.run.vectors import export
    from conformance.support.securing.proofs import ProofError

    documents_dir = documents_dir or directory.with_name(directory.name + "-documents")
    try:
        count = sum(1 for _ in export(directory, documents=documents_dir))
    except OutputError as exc:
        _console(stderr=True).print(f"[red]error:[/] {exc}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    except ProofError as exc:       # a pinned context the artifact store lacks: the signed vectors cannot be made
        _console(stderr=True).print(f"[red]error:[/] the vectors cannot be signed: {exc.message} (this command reads "
                                    "the artifacts from LER_CONFORMANCE_ARTIFACTS)", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    _console().print(f"wrote {count} files to {directory} and {documents_dir}")


@main.command()
@click.option("--profile", "profile_name", default=None, help="Only the requirements this profile selects.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rfp", is_flag=True,
              help="Write the profile's RFP appendix (rfp-NAME.md, rfp-NAME.html): each requirement, its level and "
                   "how the suite tests it, planned families and vendor-attestation items. Needs --profile.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True,
              help="Directory for the RFP appendix.")
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Directory of pinned artifacts, for counting the vectors behind each requirement (--rfp).")
def requirements(profile_name: str | None, output_format: str, rfp: bool, out: Path, artifacts: Path | None) -> None:
    """List the requirement catalog: ID, level, status and spec link; or write a profile's RFP appendix."""
    errors = _console(stderr=True)
    if rfp and not profile_name:
        errors.print("[red]error:[/] --rfp needs --profile NAME (the procurement profile the appendix is for)")
        sys.exit(EXIT_ERROR)
    if rfp and output_format != "text":
        errors.print("[red]error:[/] --rfp writes Markdown and HTML files; --format applies to the listing only")
        sys.exit(EXIT_ERROR)
    env = Environment.create(artifacts=artifacts)
    try:
        catalog = env.catalog
        profile = env.profile(profile_name) if profile_name else None
    except CatalogError as exc:
        errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    except KeyError as exc:
        errors.print(f"[red]error:[/] {exc.args[0]}", soft_wrap=True)
        sys.exit(EXIT_ERROR)
    if rfp and profile is not None:
        from conformance.reporting.rfp import (
            RfpError,
            build_appendix,
            count_vectors,
            profile_digest,
            write_appendix,
        )

        try:
            counts = count_vectors(env)
            source = env.shapes / "profiles" / f"{profile.name}.toml"
            appendix = build_appendix(profile, catalog, counts, suite_version=__version__,
                                      profile_sha256=profile_digest(source))
            written = write_appendix(appendix, out)
        except (RfpError, OSError, OutputError) as exc:
            errors.print(f"[red]error:[/] {exc}", soft_wrap=True)
            sys.exit(EXIT_ERROR)
        _console().print(f"RFP appendix: {written[0]}, {written[1]} ({len(appendix.rows)} tested requirements, "
                         f"{len(appendix.planned)} planned families, {len(appendix.attestation_items)} attestation "
                         "items)")
        return
    selected = profile.select(catalog) if profile else None
    rows = [r for r in catalog if selected is None or r.id in selected]
    if output_format == "json":
        sys.stdout.write(json.dumps([{"id": r.id, "level": str(selected[r.id] if selected else r.level),
                                      "status": str(r.status), "summary": r.summary, "url": r.url,
                                      "principles": [str(p) for p in r.principles]} for r in rows], indent=2) + "\n")
        return
    console = _console()
    for r in rows:
        console.print(f"{r.id:<48} {selected[r.id] if selected else r.level!s:<6} {r.status!s:<9} {r.summary}")
    console.print(f"\n{len(rows)} requirements")


@main.command("serve-reference")
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--fault", "faults", multiple=True, metavar="NAME",
              help="Switch on one fault of the reference (repeatable); see --list-faults.")
@click.option("--list-faults", is_flag=True, help="List the fault switches and the requirement each breaks.")
@click.option("--token-env", metavar="VAR", help="Require the bearer token held in this environment variable.")
@click.option("--registry", "registry_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also serve the Credential Registry stand-in with the CTDL documents of this directory "
                   "(e.g. examples/registry); its base URL is printed for --registry-base.")
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Directory holding pinned contexts (default: $LER_CONFORMANCE_ARTIFACTS, then the user cache).")
def serve_reference(port: int, faults: tuple[str, ...], list_faults: bool, token_env: str | None,
                    registry_dir: Path | None, artifacts: Path | None) -> None:
    """Serve the reference LER system on 127.0.0.1 until interrupted and print a targets.toml naming its services."""
    import os
    import time
    from contextlib import ExitStack

    from conformance.reference import reference_modules
    from conformance.reference.vcalm import serve_vcalm

    modules = reference_modules()
    known = {name: requirement for module in modules.values() for name, requirement in module.faults.items()}
    console = _console()
    if list_faults:
        for name, requirement in known.items():
            console.print(f"{name:<32} {requirement}")
        return
    unknown = sorted(set(faults) - set(known))
    if unknown:
        _console(stderr=True).print(f"[red]error:[/] unknown fault {', '.join(unknown)}; expected one of "
                                    f"{', '.join(known)}")
        sys.exit(EXIT_ERROR)
    token = os.environ.get(token_env) if token_env else None
    if token_env and not token:
        _console(stderr=True).print(f"[red]error:[/] the environment variable {token_env} is not set")
        sys.exit(EXIT_ERROR)
    env = Environment.create(artifacts=artifacts)
    notes = _console(stderr=True)           # stdout carries only the targets.toml, so it can be redirected to a file
    entries: list[str] = []
    with ExitStack() as stack:
        for key, module in modules.items():
            chosen = frozenset(faults) & set(module.faults)
            if key == "VCALM":              # --port and --token-env apply to the VC API services
                running = stack.enter_context(serve_vcalm(env, chosen, port=port, token=token))
                entries.append(running.service_toml(token_env=token_env))
            else:
                running = stack.enter_context(module.serve(env, chosen))
                entries.append(running.service_toml())
            notes.print(f"reference {key}: {running.base_url}"
                        + (f" (faults: {', '.join(sorted(chosen))})" if chosen else ""), soft_wrap=True)
        if registry_dir is not None:
            from conformance.reference.registry import serve_registry

            registry = stack.enter_context(serve_registry(registry_dir))
            notes.print(f"reference Credential Registry stand-in: {registry.base_url} (ler-conformance registry CTID "
                        f"--registry-base {registry.base_url} --allow-private)", soft_wrap=True)
            entries.append(f"# Credential Registry stand-in: {registry.base_url} (for --registry-base)\n")
        notes.print("targets.toml on stdout; run: ler-conformance check --allow-private targets.toml", soft_wrap=True)
        sys.stdout.write('[implementation]\nname = "ler-conformance reference"\n\n' + "\n".join(entries) + "\n"
                         + SERVE_REFERENCE_DONE + "\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


main.add_command(audit)
main.add_command(registry)
