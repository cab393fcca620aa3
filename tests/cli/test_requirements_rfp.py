"""`ler-conformance requirements --profile NAME --rfp`: the RFP appendix as Markdown and a self-contained HTML page."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance import __version__
from conformance.cli import main
from conformance.core.profiles import PlannedFamily, Profile
from conformance.core.requirements import Catalog, Level, Principle, Spec
from conformance.reporting.rfp import (
    Appendix,
    RfpError,
    VectorCounts,
    appendix_html,
    appendix_markdown,
    build_appendix,
    count_vectors,
)
from conformance.run.environment import Environment
from conformance.run.vectors import load_vectors
from conformance.support.resources import shapes_dir
from tests.conftest import artifacts_dir

PROCUREMENT = ("ob30-issuer", "ob30-displayer", "ob30-host", "clr20-host", "ctdl-publisher", "wallet",
               "ler-procurement")
HOSTILE = "<script>alert(1)</script> | **bold** [x](javascript:alert(1)) `code` &amp; \n# heading"


@pytest.fixture(scope="module")
def appendices(env: Environment) -> dict[str, Appendix]:
    # the layout does not depend on the real counts (test_vector_counts_* and the CLI test run the vectors)
    counts = VectorCounts({r.id: 3 for r in env.catalog}, {r.id: 0 if "io" in r.tags else 2 for r in env.catalog})
    return {name: build_appendix(env.profile(name), env.catalog, counts, suite_version=__version__,
                                 profile_sha256="0" * 64) for name in PROCUREMENT}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []        # tag, attribute, value
        self.lang = ""
        self.code: list[str] = []
        self._in_code = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        self._in_code = tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._in_code = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.code.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def real_counts(env: Environment) -> VectorCounts:
    return count_vectors(env)        # the one full vector run of this module: it takes seconds


def test_vector_counts_agree_with_the_manifests(env: Environment, real_counts: VectorCounts) -> None:
    counts = real_counts
    listed: Counter[str] = Counter()
    for vector in load_vectors():
        if vector.status == "approved":
            listed.update(vector.expect_fail)
            listed.update(rid for rid in vector.expect_error if "limit" in env.catalog[rid].tags)
    # a vector whose outcome differs from its manifest does not count, so counts never exceed the manifests
    assert all(counts.failing[rid] <= listed[rid] for rid in counts.failing)
    assert counts.of("OB30-proof-verifies")[1] == listed["OB30-proof-verifies"] > 0
    assert counts.of("OB30-proof-verifies")[0] > 0
    assert counts.of("CBEN-exit-plan") == (0, 0)


@pytest.mark.parametrize("name", PROCUREMENT)
def test_markdown_lists_each_selected_requirement_once_with_level_and_method(
        name: str, appendices: dict[str, Appendix], env: Environment) -> None:
    appendix = appendices[name]
    markdown = appendix_markdown(appendix)
    tested_part = markdown.split("## Requirements the suite tests")[1].split("## Not yet tested")[0]
    rows = {line.split(" | ")[0].strip("| `"): line for line in tested_part.splitlines() if line.startswith("| `")}
    selected = env.profile(name).select(env.catalog)
    assert set(rows) == set(selected)
    for rid, level in selected.items():
        assert markdown.count(f"`{rid}`") == 1, rid
        row = next(r for r in appendix.rows if r.requirement.id == rid)
        line = rows[rid]
        assert f"| {level.value.upper()}" in line and row.method.text() in line.replace("\\", "")
    assert markdown.startswith("# RFP appendix: ") and markdown.count("\n# ") == 0
    assert f"ler-conformance {__version__}" in markdown and f"--profile {name}" in markdown


@pytest.mark.parametrize("name", PROCUREMENT)
def test_html_lists_each_selected_requirement_once(name: str, appendices: dict[str, Appendix],
                                                   env: Environment) -> None:
    page = _parse(appendix_html(appendices[name]))
    selected = env.profile(name).select(env.catalog)
    listed = [c for c in page.code if re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z][A-Z0-9]*)?-[a-z0-9-]+", c) and not c.startswith("CBEN-")]
    assert sorted(listed) == sorted(selected)
    items = {c for c in page.code if c.startswith("CBEN-")}
    assert items == {i.id for i in env.profile(name).attestation_items(env.catalog)}


@pytest.mark.parametrize("name", PROCUREMENT)
def test_html_is_self_contained_with_one_h1_and_spec_links_only(name: str, appendices: dict[str, Appendix],
                                                                env: Environment) -> None:
    text = appendix_html(appendices[name])
    page = _parse(text)
    assert page.tags.count("h1") == 1 and page.lang == "en"
    assert not {"script", "img", "iframe", "object", "embed", "link", "base", "form"} & set(page.tags)
    assert not [a for a in page.attrs if a[1] == "src" or a[1].startswith("on")]
    spec_links = {r.url for r in env.profile(name).tested(env.catalog)}
    hrefs = [(tag, value) for tag, key, value in page.attrs if key == "href"]
    assert all(tag == "a" and value in spec_links for tag, value in hrefs)
    assert "url(" not in text and "@import" not in text
    assert "Content-Security-Policy" in text


@pytest.mark.parametrize("name", PROCUREMENT)
def test_planned_families_and_attestations_are_stated_apart(name: str, appendices: dict[str, Appendix],
                                                            env: Environment) -> None:
    markdown = appendix_markdown(appendices[name])
    planned = markdown.split("## Not yet tested by this suite version")[1].split("## Vendor attestations")[0]
    pending = env.profile(name).pending(env.catalog)
    listed = re.findall(r"^\| `([A-Z0-9]+)` \|", planned, flags=re.MULTILINE)
    assert listed == [family.prefix for family in pending]
    assert ("does not test these families yet" in planned) == bool(pending)
    tested_prefixes = {row.requirement.standard.prefix for row in appendices[name].rows}
    assert not tested_prefixes & set(listed)
    arrived = env.profile(name).planned_prefixes() - set(listed)
    assert arrived <= tested_prefixes           # an arrived family is tested, not "not yet tested"
    attested = markdown.split("## Vendor attestations")[1].split("## C-BEN principles")[0]
    assert "`CBEN-" in attested and not re.search(r"`(?!CBEN-)[A-Z0-9]+-", attested)


def test_cben_summary_counts_tested_requirements_and_items(appendices: dict[str, Appendix],
                                                           env: Environment) -> None:
    appendix = appendices["ob30-issuer"]
    tested = env.profile("ob30-issuer").tested(env.catalog)
    items = env.profile("ob30-issuer").attestation_items(env.catalog)
    summary = {s.principle: s for s in appendix.principles}
    assert set(summary) == set(Principle)
    for principle in Principle:
        assert summary[principle].tested == sum(1 for r in tested if principle in r.principles)
        assert summary[principle].attested == sum(1 for i in items if principle in i.principles)
    markdown = appendix_markdown(appendix)
    privacy = summary[Principle.PRIVACY_SECURITY]
    assert f"| Privacy and security | {privacy.tested} | {privacy.attested} | yes |" in markdown


def test_methods_come_from_status_tags_and_vectors(appendices: dict[str, Appendix]) -> None:
    rows = {row.requirement.id: row for row in appendices["ler-procurement"].rows}
    assert rows["BSL10-list-retrievable"].method.text().startswith("Automated · securing · status list · vectors: ")
    assert "trust list" in rows["TRUST10-issuer-listed"].method.text()
    assert "VC-JWT" in rows["VCDM11-jwt-alg"].method.text()
    assert rows["OB30-context-current"].changed and "MUST (raised from SHOULD by this profile)" in appendix_markdown(
        appendices["ler-procurement"])
    assert "failing inputs in unit tests" in rows["CORE-input-readable"].method.text()


def _hostile_catalog(catalog: Catalog) -> Catalog:
    bad_spec = Spec(key="bad", title=HOSTILE, url="javascript:alert(1)")
    requirements = dict(catalog.requirements)
    requirements["CORE-utf8"] = replace(catalog["CORE-utf8"], summary=HOSTILE, spec=bad_spec, anchor="")
    requirements["CBEN-exit-plan"] = replace(catalog["CBEN-exit-plan"], summary=HOSTILE, notes=HOSTILE)
    return Catalog(requirements=requirements, standards=catalog.standards, specs=catalog.specs)


def test_hostile_strings_are_escaped_everywhere(env: Environment) -> None:
    profile = Profile(name="hostile", description=HOSTILE, title=HOSTILE, include=("CORE-*", "HX-*"),
                      roles=("issuer",), procedure="# not a heading " + HOSTILE,
                      planned=(PlannedFamily("HX", HOSTILE, HOSTILE),),
                      attestation=replace(env.profile("ler-procurement").attestation))
    appendix = build_appendix(profile, _hostile_catalog(env.catalog), VectorCounts({}, {}), suite_version=HOSTILE)
    page_text = appendix_html(appendix)
    page = _parse(page_text)
    assert "script" not in page.tags and page.tags.count("h1") == 1
    assert "<script>" not in page_text and "javascript:" not in {v for _, k, v in page.attrs if k == "href"}
    assert any("<script>alert(1)</script>" in t for t in page.text)      # shown as text, not run
    markdown = appendix_markdown(appendix)
    assert "<script>" not in markdown and not re.search(r"(?<!\\)\]\(javascript", markdown)
    utf8 = next(line for line in markdown.splitlines() if line.startswith("| `CORE-utf8`"))
    assert len(re.findall(r"(?<!\\)\|", utf8)) == 6           # five cells: the hostile | is escaped
    assert [line for line in markdown.splitlines() if line.startswith("#") and "heading" in line] == [
        next(line for line in markdown.splitlines() if line.startswith("# RFP appendix: "))]
    assert "\\# not a heading" in markdown
    planned = markdown.split("## Not yet tested by this suite version")[1].split("## Vendor attestations")[0]
    assert "| `HX` |" in planned and "&lt;script&gt;" in planned


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def test_cli_writes_both_files(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               real_counts: VectorCounts) -> None:
    seen: list[Environment] = []

    def counted(env: Environment) -> VectorCounts:
        seen.append(env)
        return real_counts
    monkeypatch.setattr("conformance.reporting.rfp.count_vectors", counted)
    done = run("requirements", "--profile", "wallet", "--rfp", "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    markdown = (tmp_path / "rfp-wallet.md").read_text(encoding="utf-8")
    page = (tmp_path / "rfp-wallet.html").read_text(encoding="utf-8")
    digest = __import__("hashlib").sha256((shapes_dir() / "profiles" / "wallet.toml").read_bytes()).hexdigest()
    assert digest in markdown and digest in page
    # the wallet side of OpenID4VP was a planned family; it is tested now, so it is listed with its rules
    assert "`DI10-presentation-challenge`" in markdown and "<code>OID4VP-WALLET-presentation-challenge</code>" in page
    passing, failing = real_counts.of("OB30-proof-verifies")
    assert f"vectors: {passing} pass, {failing} fail" in markdown and len(seen) == 1


@pytest.mark.parametrize("args, message", [
    (("--profile", "no-such-profile", "--rfp"), "no profile named 'no-such-profile'"),
    (("--profile", "no-such-profile"), "no profile named 'no-such-profile'"),
    (("--rfp",), "--rfp needs --profile NAME"),
    (("--profile", "wallet", "--rfp", "--format", "json"), "--format applies to the listing only"),
])
def test_cli_usage_errors_exit_2(run, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run("requirements", *args, "--out", str(tmp_path))
    assert done.exit_code == 2 and message in " ".join(done.output.split())
    assert not list(tmp_path.iterdir())


def test_cli_without_pinned_artifacts_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(tmp_path / "empty"))
    monkeypatch.setenv("LER_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    done = CliRunner().invoke(main, ["requirements", "--profile", "wallet", "--rfp", "--out", str(tmp_path / "o")],
                              catch_exceptions=False)
    assert done.exit_code == 2 and "artifacts fetch" in done.output
    assert not (tmp_path / "o").exists()


def test_cli_malformed_profile_file_exits_2_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shutil.copytree(shapes_dir(), shapes)
    (shapes / "profiles" / "wallet.toml").write_text('name = "wallet"\ndescription = [', encoding="utf-8")
    monkeypatch.setenv("LER_CONFORMANCE_SHAPES", str(shapes))
    shapes_dir.cache_clear()
    try:
        done = CliRunner().invoke(main, ["requirements", "--profile", "wallet", "--rfp", "--out", str(tmp_path / "o")],
                                  catch_exceptions=False)
    finally:
        monkeypatch.undo()
        shapes_dir.cache_clear()
    assert done.exit_code == 2 and "wallet.toml" in done.output and "Traceback" not in done.output


def test_listing_without_rfp_keeps_its_behaviour(run) -> None:
    done = run("requirements", "--profile", "ob30-issuer", "--format", "json")
    assert done.exit_code == 0
    listed = {entry["id"]: entry["level"] for entry in json.loads(done.output)}
    assert listed["OB30-context-current"] == "must" and "TRUST10-issuer-listed" not in listed
    assert not any(rid.startswith("CBEN-") for rid in listed)
    everything = run("requirements")
    assert everything.exit_code == 0 and "CBEN-exit-plan" in everything.output


def test_a_profile_with_unbacked_claims_gets_no_appendix(env: Environment) -> None:
    profile = Profile(name="p", description="claims a family nobody plans", include=("CORE-*", "NOPE-*"),
                      levels={"CORE-utf8": Level.SHOULD})
    with pytest.raises(RfpError, match="'NOPE-\\*' matches no tested requirement"):
        build_appendix(profile, env.catalog, VectorCounts({}, {}), suite_version=__version__)
    honest = replace(profile, include=("CORE-*",))
    markdown = appendix_markdown(build_appendix(honest, env.catalog, VectorCounts({}, {}), suite_version="x"))
    assert "| `CORE-utf8` | SHOULD (lowered from MUST by this profile) |" in markdown


@pytest.mark.parametrize("notes, column", [("", False), ("Evidence: the signed exit clause of the contract.", True)])
def test_evidence_guidance_comes_from_the_items_notes(env: Environment, notes: str, column: bool) -> None:
    requirements = {rid: replace(r, notes="") if r.standard.prefix == "CBEN" else r
                    for rid, r in env.catalog.requirements.items()}
    requirements["CBEN-exit-plan"] = replace(requirements["CBEN-exit-plan"], notes=notes)
    catalog = Catalog(requirements=requirements, standards=env.catalog.standards, specs=env.catalog.specs)
    appendix = build_appendix(env.profile("ob30-host"), catalog, VectorCounts({}, {}), suite_version=__version__)
    markdown, page = appendix_markdown(appendix), appendix_html(appendix)
    assert ("Evidence to attach" in markdown) is column and ("Evidence to attach" in page) is column
    assert ("Attach to each answer a document or public URL" in markdown) is not column
    if column:
        line = next(row for row in markdown.splitlines() if row.startswith("| `CBEN-exit-plan`"))
        assert line.endswith("| Evidence: the signed exit clause of the contract. |")
        assert "A document or public URL that supports the answer" in markdown     # the others, item by item
