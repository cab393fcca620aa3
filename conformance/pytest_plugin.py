"""pytest plugin: `pytest --ler-target PATH_OR_TARGETS_TOML` runs the conformance engine as parametrized tests.

Each item is one requirement judged on one subject, named `test_requirement[<REQUIREMENT>::<subject>]`, so `-k`,
`-m <level|standard>`, xdist, JUnit and allure-pytest work as pytest users expect. Outcomes project onto pytest:
a failed must-level finding fails the item; a failed should/may passes with a ConformanceWarning; `error` makes
the item an error (raised in setup); inapplicable, cantTell and untested skip with the reason. Requirement ID,
level, spec link and subject travel in `user_properties` (JUnit properties) and as allure labels and links.
Known deviations listed in `--ler-expectations FILE` run as strict xfails, so a fix shows up as XPASS.

The run's verdict (the CLI's one rule) closes the terminal summary; when pytest itself would exit 0, the session exits
with the CLI's code for an `incomplete` (3) or `not judged` (4) verdict, so CI never reads an undecided MUST as a pass.
"""
from __future__ import annotations

import sys
import tomllib
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Finding, Outcome, located_message
from conformance.core.requirements import Level, Requirement

SUITE_MODULE = Path(__file__).resolve().parent / "suite" / "test_requirements.py"
_CASES = pytest.StashKey[list["Case"]]()
_VERDICT = pytest.StashKey[tuple[str, list[str], list[str]]]()      # verdict, undecided MUSTs, not-tested MUSTs
# the CLI's exit codes for the verdicts pytest has no word for (conformance.cli.EXIT_CODES)
_EXIT_FOR_VERDICT = {"incomplete": 3, "not-judged": 4}
_LEVELS = ("must", "should", "may")


class ConformanceWarning(UserWarning):
    """A should- or may-level requirement failed: reported, not fatal."""


class ConformanceError(Exception):
    """The suite could not evaluate a requirement (an `error` finding)."""


@dataclass(frozen=True)
class Case:
    requirement: Requirement
    level: Level
    subject: str
    target: str
    findings: tuple[Finding, ...]
    xfail_reason: str | None = None

    @property
    def id(self) -> str:
        return f"{self.requirement.id}::{self.subject}"

    @property
    def outcome(self) -> Outcome:
        outcomes = {f.outcome for f in self.findings}
        for outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.CANT_TELL, Outcome.UNTESTED, Outcome.PASSED):
            if outcome in outcomes:
                return outcome
        return Outcome.INAPPLICABLE

    def describe(self, outcome: Outcome) -> str:
        lines = [f"{self.requirement.id} ({self.level}): {self.requirement.summary}", f"  spec: {self.requirement.url}"]
        lines += [f"  {located_message(f)}" for f in self.findings if f.outcome is outcome]
        return "\n".join(lines)

    def assert_conforms(self) -> None:
        outcome = self.outcome
        if outcome is Outcome.FAILED:
            if self.level is Level.MUST:
                raise AssertionError(self.describe(Outcome.FAILED))
            warnings.warn(ConformanceWarning(self.describe(Outcome.FAILED)), stacklevel=2)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ler-conformance", "LER conformance suite")
    group.addoption("--ler-target", action="append", default=[], metavar="PATH_OR_TARGETS_TOML",
                    help="File, directory, URL or targets.toml to test (repeatable). Runs the conformance suite.")
    group.addoption("--ler-profile", default="default", help="Requirement profile (default: default).")
    group.addoption("--ler-artifacts", default=None, metavar="DIR", help="Directory with the pinned artifacts.")
    group.addoption("--ler-online", action="store_true", help="Fetch what is not pinned.")
    group.addoption("--ler-allow-private", action="store_true",
                    help="Let fetches reach private and loopback addresses (link-local and cloud metadata addresses "
                         "stay refused).")
    group.addoption("--ler-allow-driver-commands", action="store_true",
                    help="Run the programs a targets file names for wallets and client apps (driver.command), in an "
                         "environment without other services' secrets (refused by default).")
    group.addoption("--ler-allow-outside-paths", action="store_true",
                    help="Let a targets file's [[target]] paths lead outside its folder (refused by default).")
    group.addoption("--ler-service-timeout", type=float, default=120.0, metavar="SECONDS",
                    help="Time budget of each live service (default: 120); its rules are cantTell once it runs out.")
    group.addoption("--ler-run-timeout", type=float, default=900.0, metavar="SECONDS",
                    help="Time budget of the whole run for live services (default: 900); caps every service's.")
    group.addoption("--ler-work-budget", action="append", default=[], metavar="NAME=VALUE",
                    help="A work budget of each input or of the run, as `check --work-budget`; repeatable.")
    group.addoption("--ler-trust-list", action="append", default=[], metavar="FILE",
                    help="Issuers to accept (TOML trust list or DCC registry .json); repeatable.")
    group.addoption("--ler-at", default=None, metavar="DATETIME",
                    help="The judging instant (RFC 3339 with a time zone); default: when the session starts.")
    group.addoption("--ler-expectations", default=None, metavar="FILE",
                    help="TOML of known deviations ([[expect]] requirement, subject, reason): strict xfails.")


def pytest_configure(config: pytest.Config) -> None:
    for level in _LEVELS:
        config.addinivalue_line("markers", f"{level}: requirement level {level} (ler-conformance)")
    config.addinivalue_line("markers", "ler_standard(prefix): the standard a requirement belongs to")
    if not config.getoption("ler_target"):
        return
    from conformance.run.environment import MAX_FETCHED_BYTES, Environment
    from conformance.support.net import FetchPolicy, GuardedClient
    from conformance.support.securing.trust import combine, load_trust_source
    from conformance.support.securing.verifier import judging_instant

    try:
        at = judging_instant(config.getoption("ler_at"))
    except ValueError as exc:
        raise pytest.UsageError(f"--ler-at: {exc}") from None
    trust_files = config.getoption("ler_trust_list")
    online = config.getoption("ler_online")
    client = GuardedClient(FetchPolicy(allow_private=config.getoption("ler_allow_private")))
    env = Environment.create(
        artifacts=Path(config.getoption("ler_artifacts")) if config.getoption("ler_artifacts") else None,
        online=online, fetch=(lambda url: client.fetch(url, MAX_FETCHED_BYTES)) if online else None,
        trust_list=combine(load_trust_source(f) for f in trust_files) if trust_files else None, at=at,
        work_limits=_work_limits(config.getoption("ler_work_budget")))
    for prefix in env.catalog.standards:
        config.addinivalue_line("markers", f"{prefix.lower()}: requirements of {prefix} (ler-conformance)")
    with client:
        config.stash[_CASES] = list(_build_cases(config, env, client))
    config.args = [str(SUITE_MODULE)]


def _targets(spec: str, client: Any, allow: Mapping[str, bool] | None = None, budget: Any = None) -> Iterator[Any]:
    from conformance.run.targets.files import DirectoryTarget, FileTarget, UrlTarget
    from conformance.run.targets.services import ServiceTarget, load_targets_file
    from conformance.support.exchange.service import TargetsFileError

    if spec.startswith(("https://", "http://")):
        yield UrlTarget(spec, client.fetch)
        return
    path = Path(spec)
    if path.suffix == ".toml":            # documents ([[target]]) and live services ([[service]]), one file format
        allow = allow or {}
        try:
            loaded = load_targets_file(path, **allow)
        except TargetsFileError as exc:
            raise pytest.UsageError(str(exc)) from None
        for location in loaded.documents:
            yield from _targets(location, client, allow, budget)
        for service in loaded.services:       # said before the run: its rules will be error, not the vendor's fault
            if service.refused_programs():
                print(service.refused_programs(), file=sys.stderr)
        if loaded.services:
            yield ServiceTarget(loaded.services, client, loaded.implementation, budget=budget)
    elif path.is_dir():
        yield DirectoryTarget(path)
    else:
        yield FileTarget(path)


def _work_limits(settings: list[str]) -> Any:
    from conformance.core.work import WorkLimits

    pairs = dict(setting.partition("=")[::2] for setting in settings)
    try:
        return WorkLimits.parse({name.strip(): value.strip() for name, value in pairs.items()})
    except ValueError as exc:
        raise pytest.UsageError(f"--ler-work-budget: {exc}") from None


def _expectations(config: pytest.Config) -> list[dict[str, str]]:
    path = config.getoption("ler_expectations")
    if not path:
        return []
    return list(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("expect", []))


def _build_cases(config: pytest.Config, env: Any, client: Any) -> Iterator[Case]:
    from conformance.run.runner import Runner, run_verdict
    from conformance.support.exchange.budget import TimeBudget

    try:
        budget = TimeBudget(service_s=config.getoption("ler_service_timeout"),
                            run_s=config.getoption("ler_run_timeout"))
    except ValueError as exc:
        raise pytest.UsageError(f"--ler-service-timeout / --ler-run-timeout: {exc}") from None
    runner = Runner(env, env.profile(config.getoption("ler_profile")))
    expectations = _expectations(config)
    allow = {"allow_driver_commands": config.getoption("ler_allow_driver_commands"),
             "allow_outside_paths": config.getoption("ler_allow_outside_paths")}
    targets = [t for spec in config.getoption("ler_target") for t in _targets(spec, client, allow, budget)]
    results = list(runner.run(targets))
    scope = runner.scope(results)
    config.stash[_VERDICT] = (str(run_verdict(results, scope)),
                              sorted({f.requirement for r in results for f in r.undecided}),
                              sorted({n.requirement for n in scope.not_tested}))
    for result in results:
        by_requirement: dict[str, list[Finding]] = {}
        for finding in result.findings:     # messages reach JUnit, allure and the terminal: no secret of the run
            shown = replace(finding, message=client.secrets.redact_text(finding.message))
            by_requirement.setdefault(finding.requirement, []).append(shown)
        for rid, findings in by_requirement.items():
            reason = next((e["reason"] for e in expectations
                           if fnmatchcase(rid, e["requirement"]) and fnmatchcase(result.subject, e.get("subject", "*"))),
                          None)
            yield Case(env.catalog[rid], result.levels[rid], result.subject, result.target, tuple(findings), reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "ler_case" not in metafunc.fixturenames:
        return
    cases = metafunc.config.stash.get(_CASES, [])
    params = []
    for case in cases:
        marks = [getattr(pytest.mark, str(case.level)), getattr(pytest.mark, case.requirement.standard.prefix.lower()),
                 pytest.mark.ler_standard(case.requirement.standard.prefix)]
        if case.xfail_reason:
            marks.append(pytest.mark.xfail(reason=case.xfail_reason, strict=True))
        params.append(pytest.param(case, id=case.id, marks=marks))
    metafunc.parametrize("ler_case", params, indirect=True)


@pytest.fixture
def ler_case(request: pytest.FixtureRequest) -> Case:
    case: Case = request.param
    node = request.node
    node.user_properties.extend([
        ("requirement", case.requirement.id), ("level", str(case.level)), ("spec_url", case.requirement.url),
        ("subject", case.subject), ("target", case.target), ("outcome", str(case.outcome)),
    ])
    _label_for_allure(case)
    outcome = case.outcome
    if outcome is Outcome.ERROR:
        raise ConformanceError(case.describe(Outcome.ERROR))
    if outcome in (Outcome.INAPPLICABLE, Outcome.CANT_TELL, Outcome.UNTESTED):
        reasons = "; ".join(f.message for f in case.findings if f.message) or str(outcome)
        pytest.skip(f"{outcome}: {reasons}")
    return case


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _VERDICT not in config.stash:
        return
    verdict, undecided, not_tested = config.stash[_VERDICT]
    terminalreporter.write_sep("=", f"ler-conformance verdict: {verdict.replace('-', ' ')}")
    if undecided:
        terminalreporter.write_line(f"undecided MUSTs (cantTell, untested or error): {', '.join(undecided)}")
    if not_tested:
        terminalreporter.write_line(f"not tested (the profile requires what the run was not given): "
                                    f"{', '.join(not_tested)}")


_OTHER_FAILURES = pytest.StashKey[int]()     # failed reports that are not the suite's own `error` items


_SESSION: dict[str, pytest.Config] = {}      # reports carry no config: the running session's, set at its start


def pytest_sessionstart(session: pytest.Session) -> None:
    _SESSION["config"] = session.config


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _SESSION.get("config")
    if config is not None and report.failed and not (report.when == "setup"
                                                     and "ConformanceError" in report.longreprtext):
        config.stash[_OTHER_FAILURES] = config.stash.get(_OTHER_FAILURES, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """An incomplete or not-judged run exits with the CLI's code, unless pytest saw a real failure (a failed MUST
    item, or a defect outside the suite's own `error` items, which say the suite could not evaluate)."""
    config = session.config
    if _VERDICT not in config.stash or exitstatus not in (0, 1) or config.stash.get(_OTHER_FAILURES, 0):
        return
    code = _EXIT_FOR_VERDICT.get(config.stash[_VERDICT][0])
    if code is not None:
        session.exitstatus = code


_SEVERITY = {Level.MUST: "critical", Level.SHOULD: "normal", Level.MAY: "minor"}


def _label_for_allure(case: Case) -> None:
    try:
        import allure
    except ImportError:
        return
    allure.dynamic.epic(case.requirement.standard.label)
    allure.dynamic.story(case.requirement.id)
    allure.dynamic.label("requirement", case.requirement.id)
    allure.dynamic.severity(_SEVERITY[case.level])
    allure.dynamic.link(case.requirement.url, name=case.requirement.id)
    allure.dynamic.description(case.requirement.summary)
