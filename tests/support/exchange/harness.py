"""Run a live module against its reference on 127.0.0.1 and summarise what each requirement came to."""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance.core.findings import Outcome
from conformance.reference import ReferenceModule
from conformance.run.environment import Environment
from conformance.run.runner import Runner, SubjectResult
from conformance.run.targets.services import ServiceTarget, load_targets_file
from conformance.support.net import FetchPolicy, GuardedClient

_ORDER = (Outcome.ERROR, Outcome.FAILED, Outcome.CANT_TELL, Outcome.UNTESTED, Outcome.PASSED, Outcome.INAPPLICABLE)


@dataclass(frozen=True)
class LiveRun:
    results: tuple[SubjectResult, ...]

    def outcome(self, requirement: str) -> Outcome:
        """The worst outcome of a requirement over every service (root findings only)."""
        seen = {f.outcome for r in self.results for f in r.findings
                if f.requirement == requirement and f.subject in ("", r.subject)}
        return next((o for o in _ORDER if o in seen), Outcome.INAPPLICABLE)

    def why(self, requirement: str) -> str:
        """The message of a finding that gave the requirement its (worst) outcome, for failure output."""
        outcome = self.outcome(requirement)
        return next((f.message for r in self.results for f in r.findings
                     if f.requirement == requirement and f.outcome is outcome and f.message), "")

    def everywhere(self) -> dict[str, Outcome]:
        """Each requirement's worst outcome over every finding of the run: every prefix, and both the services and
        the documents they returned or received (embedded subjects), which `outcome` leaves out."""
        seen: dict[str, set[Outcome]] = {}
        for result in self.results:
            for finding in result.findings:
                seen.setdefault(finding.requirement, set()).add(finding.outcome)
        return {rid: next(o for o in _ORDER if o in outcomes) for rid, outcomes in sorted(seen.items())}

    def outcomes(self, prefix: str = "VCALM") -> dict[str, Outcome]:
        ids = {f.requirement for r in self.results for f in r.findings if f.requirement.startswith(prefix + "-")}
        return {rid: self.outcome(rid) for rid in sorted(ids)}


def run_targets(env: Environment, targets_toml: Path, client: GuardedClient, *,
                allow_driver_commands: bool = False) -> LiveRun:
    """Run the services of a targets file; the programs it names run only with allow_driver_commands, as with
    `check --allow-driver-commands`."""
    loaded = load_targets_file(targets_toml, allow_driver_commands=allow_driver_commands)
    runner = Runner(env, env.profile("default"))
    return LiveRun(tuple(runner.run([ServiceTarget(loaded.services, client, loaded.implementation)])))


def judge_reference(env: Environment, module: ReferenceModule, faults: Iterable[str], folder: Path) -> LiveRun:
    with module.serve(env, frozenset(faults)) as running:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "targets.toml"
        path.write_text(running.targets_toml(), encoding="utf-8")
        with GuardedClient(FetchPolicy(allow_private=True)) as client:
            return run_targets(env, path, client)


def fault_runs(env: Environment, module: ReferenceModule, folder: Path) -> dict[str | None, LiveRun]:
    """The conformant reference (key None) and each of its switches on its own."""
    runs: dict[str | None, LiveRun] = {None: judge_reference(env, module, (), folder / "conformant")}
    for switch in module.faults:
        runs[switch] = judge_reference(env, module, (switch,), folder / switch)
    return runs


class Phone(io.StringIO):
    """A terminal (to stand in for sys.stderr) with a person who scans each new QR code the interactive driver prints:
    `scan(link, text printed from the link on)` runs in a thread for every new match of `pattern`, once."""

    def __init__(self, pattern: str, scan: Callable[[str, str], None]) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)
        self.scan = scan
        self.scanned = 0

    def flush(self) -> None:
        # anything may flush stderr (a warning before the first link): only a new link is scanned
        text = self.getvalue()
        links = self.pattern.findall(text)
        if len(links) <= self.scanned:
            return
        self.scanned = len(links)
        link = links[-1]
        threading.Thread(target=self.scan, args=(link, text[text.rfind(link):]), daemon=True).start()
