"""The RFP appendix of a procurement profile: what a product must do, how the suite tests it, what is not tested
yet and what the vendor attests to, as Markdown and as one self-contained HTML page.

Every cell comes from data: the catalogs (summary, level, spec link, status, tags, C-BEN principles), the profile
(selection, level overrides, roles, planned families, attestation items) and the suite's own vectors (how many of
them show each rule passing and failing). Nothing is written per requirement by hand, so the appendix cannot
claim a test the suite does not run.
"""
from __future__ import annotations

import hashlib
import html
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from conformance.core.profiles import PlannedFamily, Profile
from conformance.core.requirements import (
    Catalog,
    CatalogError,
    Level,
    Principle,
    Requirement,
    Standard,
    Status,
)
from conformance.reporting.scorecard import ROLE_LABELS, principle_label
from conformance.run.evaluation import evaluate_vectors
from conformance.run.vectors import known_documents, load_vectors
from conformance.support.outputs import make_folder, write_atomically
from conformance.support.securing.proofs.integrity import ProofError

if TYPE_CHECKING:
    from conformance.run.environment import Environment
    from conformance.run.vectors import Vector


@dataclass(frozen=True, slots=True)
class TagMeaning:
    """What a catalog tag tells a reader about how a rule is tested: a short cell label and its legend entry."""

    label: str
    legend: str


# Only tags that say how a rule is tested or what it needs appear in the method column; topic tags (ctdl, pathway)
# do not. A tag that changes how a rule is run needs an entry here to reach the appendix.
TAG_MEANINGS: Mapping[str, TagMeaning] = {
    "securing": TagMeaning(
        "securing", "Judges a proof or signature. Steps that verify it need the signer's public key: did:key and "
        "did:jwk keys come from the credential itself; did:web and https controller documents need --online, or "
        "--documents with local copies. A key the suite cannot obtain gives cantTell, never a pass."),
    "status": TagMeaning(
        "status list", "Reads the status list the credential names, with --online or from --documents; offline "
        "the result is cantTell."),
    "trust": TagMeaning(
        "trust list", "Needs the relying party's list of accepted issuers (--trust-list); without one the result "
        "is cantTell."),
    "online": TagMeaning("--online", "Needs network access (--online); offline the result is cantTell."),
    "network": TagMeaning(
        "network lookup", "Looks the linked resource up where it is published (for CTDL, the Credential Registry), "
        "with --online; a resource the run cannot fetch gives cantTell."),
    "endpoint": TagMeaning("live endpoint", "Needs the product's service running at an address the suite can reach."),
    "jwt": TagMeaning("VC-JWT", "Applies to credentials and presentations in the VC-JWT form."),
    "limit": TagMeaning(
        "processing limits", "Inputs beyond the suite's bounds (size, nesting, number of contexts) are refused "
        "and reported for this rule."),
    "io": TagMeaning(
        "input reading", "About reading the input itself; covered by the suite's unit tests rather than by vector "
        "files."),
}
_VECTORLESS_TAGS = frozenset({"io"})     # the coverage gate exempts them too
_NEEDS_ONLINE_TAGS = frozenset({"securing", "status", "online", "network"})
DEFAULT_EVIDENCE = "a document or public URL that supports the answer: a policy, report, certificate or product page"


class RfpError(ValueError):
    """The appendix cannot be built (vectors cannot be counted, a profile is inconsistent); the message says why."""


@dataclass(frozen=True, slots=True)
class VectorCounts:
    """How many of the suite's approved vectors show each requirement passing and failing."""

    passing: Mapping[str, int]
    failing: Mapping[str, int]

    def of(self, requirement: str) -> tuple[int, int]:
        return self.passing.get(requirement, 0), self.failing.get(requirement, 0)


def count_vectors(env: Environment, vectors: Sequence[Vector] | None = None) -> VectorCounts:
    """Run the suite's vectors and count, per requirement, those that pass it and those listed as failing it.

    Only vectors whose outcome matches their manifest exactly count, as in the coverage gate: a count in an RFP is
    a claim that the suite's own tests back.
    """

    missing = env.store.missing()
    if missing:
        raise RfpError(f"{len(missing)} of {len(env.store.pins)} pinned artifacts are missing, and counting the "
                       "vectors needs them: run `ler-conformance artifacts fetch` or pass --artifacts DIR")
    try:
        chosen = list(vectors) if vectors is not None else load_vectors()
        run_env = replace(env, documents=known_documents(canonicalizer=env.verifier.canonicalizer))
        outcomes = evaluate_vectors(run_env, chosen)
    except (CatalogError, ProofError, OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise RfpError(f"the suite's vectors cannot be counted: {exc}") from exc
    passing: Counter[str] = Counter()
    failing: Counter[str] = Counter()
    for outcome in outcomes:
        vector = outcome.vector
        if vector.status != "approved" or outcome.mismatch() is not None:
            continue
        passing.update(outcome.passed - vector.expect_fail)
        failing.update(vector.expect_fail)
        failing.update(rid for rid in vector.expect_error
                       if rid in env.catalog and "limit" in env.catalog[rid].tags)
    return VectorCounts(dict(passing), dict(failing))


@dataclass(frozen=True, slots=True)
class Method:
    """How the suite tests one requirement, from its status, tags and vectors."""

    status: Status
    tags: tuple[str, ...]
    passing: int
    failing: int

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(TAG_MEANINGS[t].label for t in self.tags if t in TAG_MEANINGS)

    @property
    def vectors(self) -> str:
        unit_tested = bool(_VECTORLESS_TAGS & set(self.tags))
        if unit_tested and not self.passing and not self.failing:
            return "unit tests"
        if unit_tested and not self.failing:
            return f"vectors: {self.passing} pass; failing inputs in unit tests"
        return f"vectors: {self.passing} pass, {self.failing} fail"

    def text(self) -> str:
        how = "Automated" if self.status is Status.AUTOMATED else "Partly automated, partly reviewed by a person"
        return " · ".join((how, *self.labels, self.vectors))


@dataclass(frozen=True, slots=True)
class Row:
    requirement: Requirement
    level: Level                    # after the profile's overrides
    method: Method

    @property
    def changed(self) -> bool:
        return self.level is not self.requirement.level


@dataclass(frozen=True, slots=True)
class Section:
    standard: Standard
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class PrincipleGroup:
    principle: Principle
    items: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class PrincipleSummary:
    principle: Principle
    tested: int
    attested: int
    claimed: bool


@dataclass(frozen=True, slots=True)
class Appendix:
    profile: Profile
    suite_version: str
    profile_sha256: str
    sections: tuple[Section, ...]
    planned: tuple[PlannedFamily, ...]
    attestations: tuple[PrincipleGroup, ...]
    principles: tuple[PrincipleSummary, ...]
    tags: tuple[str, ...]            # every tag that occurs in the tested rows, for the legend

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for section in self.sections for row in section.rows)

    @property
    def attestation_items(self) -> tuple[Requirement, ...]:
        seen: dict[str, Requirement] = {}
        for group in self.attestations:
            for item in group.items:
                seen.setdefault(item.id, item)
        return tuple(seen.values())

    def level_counts(self) -> Counter[Level]:
        return Counter(row.level for row in self.rows)


def build_appendix(profile: Profile, catalog: Catalog, counts: VectorCounts, *, suite_version: str,
                   profile_sha256: str = "") -> Appendix:
    """The appendix of one profile; a profile that claims more than the catalog backs gets none."""
    problems = profile.problems(catalog)
    if problems:
        raise RfpError(f"profile {profile.name} claims more than the catalog backs: " + "; ".join(problems))
    tested = profile.tested(catalog)
    by_standard: dict[str, list[Row]] = {}
    for requirement in tested:
        passing, failing = counts.of(requirement.id)
        method = Method(requirement.status, requirement.tags, passing, failing)
        by_standard.setdefault(requirement.standard.prefix, []).append(
            Row(requirement, profile.level_of(requirement), method))
    order = list(catalog.standards)

    def rank(prefix: str) -> tuple[int, int]:
        # the profile's include order is the reading order it was written for
        ids = [row.requirement.id for row in by_standard[prefix]]
        first = next((i for i, pattern in enumerate(profile.include)
                      if any(fnmatchcase(rid, pattern) for rid in ids)), len(profile.include))
        return first, order.index(prefix)

    sections = tuple(Section(catalog.standards[prefix], tuple(by_standard[prefix]))
                     for prefix in sorted(by_standard, key=rank))
    items = profile.attestation_items(catalog)
    groups = tuple(PrincipleGroup(p, tuple(i for i in items if p in i.principles))
                   for p in Principle if any(p in i.principles for i in items))
    summaries = tuple(PrincipleSummary(p, sum(1 for r in tested if p in r.principles),
                                       sum(1 for i in items if p in i.principles), p in profile.principles)
                      for p in Principle)
    tags = tuple(dict.fromkeys(t for r in tested for t in r.tags if t in TAG_MEANINGS))
    return Appendix(profile=profile, suite_version=suite_version, profile_sha256=profile_sha256,
                    sections=sections, planned=profile.pending(catalog), attestations=groups, principles=summaries,
                    tags=tags)


def profile_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- words shared by both renderings ------------------------------------------------------------------------------

def _roles(profile: Profile) -> str:
    return ", ".join(ROLE_LABELS.get(r, r) for r in profile.roles) or "not stated"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _role_phrase(profile: Profile) -> str:
    labels = [ROLE_LABELS.get(r, r).lower() for r in profile.roles]
    if not labels:
        return "in any role"
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return f"in the {listed} role"


def _intro(appendix: Appendix) -> str:
    profile = appendix.profile
    n_tested, n_planned, n_items = len(appendix.rows), len(appendix.planned), len(appendix.attestation_items)
    return (f"This appendix states what a product offered {_role_phrase(profile)} must do to meet the "
            f"{profile.label} profile ({profile.name}) of ler-conformance {appendix.suite_version}, an open "
            f"conformance test suite for learning and employment records. {profile.description} It lists "
            f"{_count(n_tested, 'requirement', 'requirements')} the suite tests by machine, "
            f"{_count(n_planned, 'requirement family', 'requirement families')} the profile needs that this suite "
            f"version does not test yet, and {_count(n_items, 'statement', 'statements')} the vendor attests to "
            "with evidence. Attested statements are the vendor's own word: the suite never counts them as tested. "
            "Any vendor can run the suite on its own product, as described below, and attach the reports it "
            "writes to the proposal.")


def _commands(appendix: Appendix) -> list[str]:
    name = appendix.profile.name
    tags = {t for row in appendix.rows for t in row.requirement.tags}
    check = f"ler-conformance check DIR --profile {name}"
    if tags & _NEEDS_ONLINE_TAGS:
        check += " --online"
    if "trust" in tags:
        check += " --trust-list TRUST.toml"
    return ["ler-conformance artifacts fetch", f"{check} --out report",
            "ler-conformance report report/results.json --html --earl --out report"]


_VERDICT_RULE = ("A product conforms when every MUST requirement that applies passed and none was left undecided "
                 "(cantTell or error). SHOULD and MAY failures are reported as warnings.")
_LEVELS = ("MUST: a failure means the product does not conform. SHOULD: expected; a failure is a warning the vendor "
           "explains. MAY: optional; judged only when the product uses the feature.")
_VECTORS = ("Vectors: how many of the suite's own test documents show the rule passing and failing. They are "
            "published with the suite (`ler-conformance vectors export DIR`), so a product can be tried on the same "
            "files.")
_PLANNED = ("This suite version does not test these families yet, and a report from it says nothing about them. A "
            "proposal may describe how the product meets them; later suite versions will test them under the same "
            "profile name.")
_ATTESTED = ("The vendor answers each item in a vendor attestation file (yes, partly, no or not applicable, with a "
             "statement and evidence URLs) and the reports show the answers as attested, apart from tested "
             "results.")


def _standard_heading(section: Section) -> str:
    return (f"{section.standard.label} ({section.standard.prefix}): "
            f"{_count(len(section.rows), 'requirement', 'requirements')}")


_STRENGTH = {Level.MAY: 0, Level.SHOULD: 1, Level.MUST: 2}


def _level_text(row: Row) -> str:
    level = row.level.value.upper()
    if not row.changed:
        return level
    verb = "raised" if _STRENGTH[row.level] > _STRENGTH[row.requirement.level] else "lowered"
    return f"{level} ({verb} from {row.requirement.level.value.upper()} by this profile)"


def _summary_line(appendix: Appendix) -> str:
    counts = appendix.level_counts()
    parts = [f"{counts[level]} {level.value.upper()}" for level in Level if counts[level]]
    return f"{len(appendix.rows)}" + (f" ({', '.join(parts)})" if parts else "")


def _link_target(url: str) -> str | None:
    """The URL when it is a plain http(s) address safe to link; None makes it plain text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"'`()\\]", url):
        return None
    return url


def _spec_text(requirement: Requirement) -> str:
    return requirement.spec.title + (f" #{requirement.anchor}" if requirement.anchor else "")


def _evidence(item: Requirement) -> str:
    return item.notes or DEFAULT_EVIDENCE[0].upper() + DEFAULT_EVIDENCE[1:] + "."


def _evidence_column(appendix: Appendix) -> bool:
    """Per-item evidence guidance comes from the items' notes; without any, one sentence says it for all."""
    return any(item.notes for item in appendix.attestation_items)


def _attested_intro(appendix: Appendix) -> str:
    if _evidence_column(appendix):
        return _ATTESTED
    return f"{_ATTESTED} Attach to each answer {DEFAULT_EVIDENCE}."


# --- Markdown ------------------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")
_CODE_SPAN = re.compile(r"`([^`|<>&\\]+)`")     # a span holding none of these is safe to keep as code


def _md_plain(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _md(text: str) -> str:
    """Text for a Markdown paragraph or table cell: no markup but `code`, no raw HTML, no broken rows."""
    flat = " ".join(str(text).split())
    pieces, position = [], 0
    for span in _CODE_SPAN.finditer(flat):
        pieces += [_md_plain(flat[position:span.start()]), span.group(0)]
        position = span.end()
    pieces.append(_md_plain(flat[position:]))
    joined = "".join(pieces)
    return "\\" + joined if joined.startswith("#") else joined     # a leading # would make a heading


def _md_link(text: str, url: str) -> str:
    target = _link_target(url)
    return f"[{_md(text)}](<{target}>)" if target else _md(f"{text} ({url})")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def appendix_markdown(appendix: Appendix) -> str:
    profile = appendix.profile
    out = [f"# RFP appendix: {_md(profile.label)} conformance", "", _md(_intro(appendix)), ""]
    facts = [("Profile", f"`{profile.name}`" + (f" (sha256 {appendix.profile_sha256})"
                                                   if appendix.profile_sha256 else "")),
             ("Roles", _md(_roles(profile))),
             ("Suite", f"ler-conformance {_md(appendix.suite_version)}"),
             ("Tested requirements", _summary_line(appendix)),
             ("Not yet tested", _count(len(appendix.planned), "requirement family", "requirement families")),
             ("Vendor attestations", _count(len(appendix.attestation_items), "item", "items"))]
    out += _md_table(["Item", "Value"], facts)
    out += ["", "## How a vendor runs the suite", ""]
    if profile.procedure:
        out += [_md(profile.procedure), ""]
    out += ["```sh", *_commands(appendix), "```", "", _md(_VERDICT_RULE), ""]
    out += ["## How to read the tables", "", f"- {_md(_LEVELS)}", f"- {_md(_VECTORS)}"]
    out += [f"- {_md(TAG_MEANINGS[t].label)}: {_md(TAG_MEANINGS[t].legend)}" for t in appendix.tags
            if t in TAG_MEANINGS]
    out += ["", "## Requirements the suite tests", ""]
    if not appendix.sections:
        out += ["None in this suite version: every requirement family of this profile is planned.", ""]
    for section in appendix.sections:
        out += [f"### {_md(_standard_heading(section))}", ""]
        out += _md_table(["ID", "Level", "Requirement", "Specification", "How the suite tests it"], [
            [f"`{row.requirement.id}`", _md(_level_text(row)), _md(row.requirement.summary),
             _md_link(_spec_text(row.requirement), row.requirement.url), _md(row.method.text())]
            for row in section.rows])
        out.append("")
    out += ["## Not yet tested by this suite version", ""]
    if appendix.planned:
        out += [_md(_PLANNED), ""]
        out += _md_table(["Family", "Name", "What it will test"],
                         [[f"`{_md(p.prefix)}`", _md(p.name), _md(p.covers)] for p in appendix.planned])
    else:
        out.append("Nothing: every requirement family of this profile is in this suite version.")
    out += ["", "## Vendor attestations", ""]
    if appendix.attestations:
        out += [_md(_attested_intro(appendix)), ""]
        evidence = _evidence_column(appendix)
        header = ["ID", "Level", "The vendor states", *(["Evidence to attach"] if evidence else [])]
        for group in appendix.attestations:
            out += [f"### {_md(principle_label(group.principle.value))}", ""]
            out += _md_table(header, [
                [f"`{item.id}`", item.level.value.upper(), _md(item.summary),
                 *([_md(_evidence(item))] if evidence else [])] for item in group.items])
            out.append("")
    else:
        out += ["This profile asks for no vendor attestations.", ""]
    out += ["## C-BEN principles", ""]
    out += _md_table(["Principle", "Tested requirements", "Attestation items", "Answered by this profile"], [
        [_md(principle_label(s.principle.value)), str(s.tested), str(s.attested), "yes" if s.claimed else "no"]
        for s in appendix.principles])
    return "\n".join(out) + "\n"


# --- HTML ----------------------------------------------------------------------------------------------------------

_STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.45}
main{max-width:72rem;margin:0 auto;padding:2rem}h1{font-size:1.8rem}h2{margin-top:2.2rem;border-bottom:2px solid #444}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.2rem}th,td{border:1px solid #8c8c8c;padding:.3rem .5rem;
text-align:left;vertical-align:top}thead th{background:#e6e6e6}
caption{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
code{font-family:ui-monospace,monospace;font-size:.92em}pre{background:#f2f2f2;padding:.8rem;overflow-x:auto}
a{color:#0b4f9c}.must{font-weight:bold}.changed{color:#7a2e00}dl.facts{display:grid;grid-template-columns:max-content 1fr;
gap:.2rem 1rem}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}
@media print{main{padding:0}a{color:#1a1a1a}}"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _h(text: str) -> str:
    return html.escape(str(text), quote=True)


def _h_prose(text: str) -> str:
    """Escaped text whose `code` spans become <code> elements."""
    flat = str(text)
    pieces, position = [], 0
    for span in re.finditer(r"`([^`]+)`", flat):
        pieces += [_h(flat[position:span.start()]), f"<code>{_h(span.group(1))}</code>"]
        position = span.end()
    pieces.append(_h(flat[position:]))
    return "".join(pieces)


def _html_link(text: str, url: str) -> str:
    target = _link_target(url)
    return f'<a href="{_h(target)}">{_h(text)}</a>' if target else f"{_h(text)} ({_h(url)})"


def _html_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{_h(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return (f"<table><caption>{_h(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _level_cell(row: Row) -> str:
    css = "must" if row.level is Level.MUST else ""
    if row.changed:
        css = (css + " changed").strip()
    return f'<td class="{css}">{_h(_level_text(row))}</td>' if css else f"<td>{_h(_level_text(row))}</td>"


def appendix_html(appendix: Appendix) -> str:
    profile = appendix.profile
    title = f"RFP appendix: {profile.label} conformance"
    parts = [f"<h1>{_h(title)}</h1>", f"<p>{_h(_intro(appendix))}</p>", '<dl class="facts">']
    digest = f" (sha256 <code>{_h(appendix.profile_sha256)}</code>)" if appendix.profile_sha256 else ""
    for term, value in (("Profile", f"<code>{_h(profile.name)}</code>{digest}"),
                        ("Roles", _h(_roles(profile))),
                        ("Suite", f"ler-conformance {_h(appendix.suite_version)}"),
                        ("Tested requirements", _h(_summary_line(appendix))),
                        ("Not yet tested", _count(len(appendix.planned), "requirement family", "requirement families")),
                        ("Vendor attestations", _count(len(appendix.attestation_items), "item", "items"))):
        parts.append(f"<dt>{term}</dt><dd>{value}</dd>")
    parts.append("</dl>")
    parts.append("<h2>How a vendor runs the suite</h2>")
    if profile.procedure:
        parts.append(f"<p>{_h_prose(profile.procedure)}</p>")
    parts.append("<pre><code>" + _h("\n".join(_commands(appendix))) + "</code></pre>")
    parts.append(f"<p>{_h(_VERDICT_RULE)}</p>")
    parts.append("<h2>How to read the tables</h2><ul>")
    parts.append(f"<li>{_h_prose(_LEVELS)}</li><li>{_h_prose(_VECTORS)}</li>")
    parts += [f"<li><strong>{_h(TAG_MEANINGS[t].label)}</strong>: {_h(TAG_MEANINGS[t].legend)}</li>"
              for t in appendix.tags if t in TAG_MEANINGS]
    parts.append("</ul><h2>Requirements the suite tests</h2>")
    if not appendix.sections:
        parts.append("<p>None in this suite version: every requirement family of this profile is planned.</p>")
    for section in appendix.sections:
        heading = _standard_heading(section)
        parts.append(f"<h3>{_h(heading)}</h3>")
        parts.append(_html_table(heading, ["ID", "Level", "Requirement", "Specification", "How the suite tests it"], [
            [f"<td><code>{_h(row.requirement.id)}</code></td>", _level_cell(row),
             f"<td>{_h(row.requirement.summary)}</td>",
             f"<td>{_html_link(_spec_text(row.requirement), row.requirement.url)}</td>",
             f"<td>{_h(row.method.text())}</td>"] for row in section.rows]))
    parts.append("<h2>Not yet tested by this suite version</h2>")
    if appendix.planned:
        parts.append(f"<p>{_h(_PLANNED)}</p>")
        parts.append(_html_table("Requirement families planned for later suite versions",
                                 ["Family", "Name", "What it will test"], [
            [f"<td><code>{_h(p.prefix)}</code></td>", f"<td>{_h(p.name)}</td>", f"<td>{_h(p.covers)}</td>"]
            for p in appendix.planned]))
    else:
        parts.append("<p>Nothing: every requirement family of this profile is in this suite version.</p>")
    parts.append("<h2>Vendor attestations</h2>")
    if appendix.attestations:
        parts.append(f"<p>{_h(_attested_intro(appendix))}</p>")
        evidence = _evidence_column(appendix)
        header = ["ID", "Level", "The vendor states", *(["Evidence to attach"] if evidence else [])]
        for group in appendix.attestations:
            label = principle_label(group.principle.value)
            parts.append(f"<h3>{_h(label)}</h3>")
            parts.append(_html_table(f"Attestation items: {label}", header, [
                [f"<td><code>{_h(item.id)}</code></td>", f"<td>{_h(item.level.value.upper())}</td>",
                 f"<td>{_h(item.summary)}</td>", *([f"<td>{_h(_evidence(item))}</td>"] if evidence else [])]
                for item in group.items]))
    else:
        parts.append("<p>This profile asks for no vendor attestations.</p>")
    parts.append("<h2>C-BEN principles</h2>")
    parts.append(_html_table("C-BEN principles: tested requirements and attestation items",
                             ["Principle", "Tested requirements", "Attestation items", "Answered by this profile"], [
        [f'<th scope="row">{_h(principle_label(s.principle.value))}</th>', f"<td>{s.tested}</td>",
         f"<td>{s.attested}</td>", f"<td>{'yes' if s.claimed else 'no'}</td>"] for s in appendix.principles]))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_h(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def write_appendix(appendix: Appendix, out: Path) -> tuple[Path, Path]:
    """The appendix as Markdown and HTML in `out`, each written atomically and never through a symbolic link."""

    make_folder(out)
    markdown = write_atomically(out / f"rfp-{appendix.profile.name}.md", appendix_markdown(appendix), root=out)
    page = write_atomically(out / f"rfp-{appendix.profile.name}.html", appendix_html(appendix), root=out)
    return markdown, page
