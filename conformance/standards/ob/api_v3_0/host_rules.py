"""The rules the Open Badges 3.0 and CLR 2.0 host APIs share (OB30API-*, CLR20API-*), written once.

The two 1EdTech APIs are one REST + OAuth 2.0 design that differs in base path, scope URLs and credential type (an
`ApiFlavour`, conformance/standards/ob/api_v3_0/flows.py). `register_checks(flavour)` registers every rule body under the flavour's
prefix, so each standard keeps its own requirement IDs and catalog entries (shapes/ob-api/3.0, shapes/clr-api/2.0)
while one body judges both; `register_standard(flavour)` adds the detector and the embedder that hands the listed
credentials to the document checks. Pure reads of a host's transcript: the flows made the requests.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.core.checks import (
    MISSING,
    CheckContext,
    CheckFn,
    Embedded,
    RuleBodies,
    describe,
    detects,
    embeds,
)
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards.json_diff import differences
from conformance.standards.live import Judge, at, header, judged, service, shown, status, unanswered
from conformance.standards.ob.api_v3_0.flows import (
    PAGE_LIMIT,
    REDIRECT_URI,
    STOPPED,
    ApiFlavour,
    next_link,
    page_query,
)

CODE_MAJOR = frozenset({"success", "processing", "failure", "unsupported"})
SEVERITY = frozenset({"status", "warning", "error"})


def register_standard(flavour: ApiFlavour) -> None:
    """The flavour's detector (only a service a targets file names, of the flavour's role: a document can never make
    the suite call anything) and its embedder: each credential object and each compact JWS string of each
    getCredentials page, judged by the document checks (a JWS as a credential of its own, decoded)."""

    @detects(flavour.prefix)
    def is_host(subject: Subject) -> bool:
        return isinstance(subject, LiveSubject) and subject.service.role in (flavour.role, flavour.client_role)

    @embeds
    def listed_credentials(subject: Subject) -> Iterator[Embedded]:
        if not isinstance(subject, LiveSubject) or subject.service.role != flavour.role:
            return
        transcript = subject.transcript
        for step in subject.flow("credentials"):
            body = step.body if step.status == 200 and isinstance(step.body, dict) else {}
            entries, strings = body.get("credential"), body.get("compactJwsString")
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                if isinstance(entry, dict):
                    yield Embedded(transcript.pointer(step, f"/response/body/credential/{index}"), entry,
                                   encoding="document")
            for index, entry in enumerate(strings if isinstance(strings, list) else ()):
                if isinstance(entry, str):
                    yield Embedded(transcript.pointer(step, f"/response/body/compactJwsString/{index}"), entry,
                                   encoding="jws")


def _applies(flavour: ApiFlavour) -> str:
    return f"the rule applies to a live {flavour.title} host (targets.toml role {flavour.role})"


def _host(flavour: ApiFlavour, subject: Subject) -> LiveSubject | None:
    return subject if isinstance(subject, LiveSubject) and subject.service.role == flavour.role else None


def _get(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else default


def _steps(flavour: ApiFlavour, subject: Subject, ctx: CheckContext, flow: str, *names: str
           ) -> tuple[LiveSubject, list[Step]] | Finding:
    """The host and the steps of `flow` (optionally only those `names`), or the finding saying why there is nothing
    to judge."""
    host = service(subject, ctx, flavour.role, _applies(flavour))
    if isinstance(host, Finding):
        return host
    steps = [s for s in host.transcript.steps if s.flow == flow and (not names or s.name in names)]
    if steps:
        return host, steps
    stopped = next((s for s in host.transcript.steps if s.flow == STOPPED), None)
    if stopped is not None:
        return ctx.cant_tell(f"the flows stopped before this request ({stopped.message})", at(host, stopped))
    return ctx.cant_tell(f"no {flow} request was made: an earlier step gave nothing to make it with")


def _each(flavour: ApiFlavour, subject: Subject, ctx: CheckContext, flow: str, names: tuple[str, ...],
          judge: Judge) -> Iterator[Finding]:
    return judged(_steps(flavour, subject, ctx, flow, *names), ctx, judge)


def _entries(step: Step) -> list[Any] | None:
    if step.status != 200 or not isinstance(step.body, dict) or not isinstance(step.body.get("credential", []), list):
        return None
    return list(step.body.get("credential", [])) + list(step.body.get("compactJwsString", []) or [])


def _total(step: Step) -> int | None:
    value = (header(step, "x-total-count") or "").strip()
    return int(value) if value.isdigit() else None


_RESOURCE_FLOWS = ("scope", "profile", "upsert", "credentials", "revoke")


def host_rules(flavour: ApiFlavour) -> dict[str, CheckFn]:
    """Every host API rule's body for one flavour, by rule name: the standard's checks.py registers each under its
    literal requirement ID (`<prefix>-<name>`), so one body judges OB30API and CLR20API alike."""
    p = flavour.prefix
    applies = _applies(flavour)
    rules = RuleBodies()

    # --- discovery and OAuth 2.0 ----------------------------------------------------------------------------------

    @rules.rule("discovery-open")
    def discovery_open(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 200:
                yield status(host, ctx, step, "200 to a request without credentials")
            elif not isinstance(step.body, dict):
                yield ctx.fail(at(host, step, "/response/body"), expected="a JSON object (the service description)",
                               found=shown(step))
        return _each(flavour, subject, ctx, "discovery", (), judge)

    @rules.rule("discovery-oauth")
    def discovery_names_oauth(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 200 or not isinstance(step.body, dict):
                yield ctx.cant_tell(f"no service description came back (see {p}-discovery-open)", at(host, step))
                return
            body = step.body
            where = "/response/body/components/securitySchemes/OAuth2ACG"
            openapi = body.get("openapi")
            if not (isinstance(openapi, str) and openapi.startswith("3.")):
                yield ctx.fail(at(host, step, "/response/body/openapi"), expected="an OpenAPI 3.x version string",
                               found=body.get("openapi", MISSING))
            scheme = _get(body, "components", "securitySchemes", "OAuth2ACG")
            if not isinstance(scheme, dict):
                yield ctx.fail(at(host, step, where), expected="an OAuth2ACG security scheme object",
                               found=scheme if scheme is not None else MISSING)
                return
            if scheme.get("type") != "oauth2":
                yield ctx.fail(at(host, step, where + "/type"), expected='"oauth2"', found=scheme.get("type", MISSING))
            if not isinstance(scheme.get("x-imssf-registrationUrl"), str):
                yield ctx.fail(at(host, step, where + "/x-imssf-registrationUrl"), expected="the registration URL",
                               found=scheme.get("x-imssf-registrationUrl", MISSING))
            flows = scheme.get("flows")
            flow = flows.get("authorizationCode") if isinstance(flows, dict) else None
            if not isinstance(flow, dict):
                yield ctx.fail(at(host, step, where + "/flows/authorizationCode"),
                               expected="an authorizationCode flow object", found=flow if flow is not None else MISSING)
                return
            for member in ("authorizationUrl", "tokenUrl"):
                if not isinstance(flow.get(member), str) or not flow[member]:
                    yield ctx.fail(at(host, step, f"{where}/flows/authorizationCode/{member}"), expected="a URL",
                                   found=flow.get(member, MISSING))
            scopes = flow.get("scopes")
            missing = sorted(set(flavour.scopes.values()) - set(scopes if isinstance(scopes, dict) else ()))
            if missing:
                yield ctx.fail(at(host, step, f"{where}/flows/authorizationCode/scopes"),
                               expected="the scopes " + ", ".join(missing),
                               found=sorted(scopes) if isinstance(scopes, dict) else scopes,
                               message=f"the authorization code flow does not offer {', '.join(missing)}")
        return _each(flavour, subject, ctx, "discovery", (), judge)

    @rules.rule("registration")
    def registration(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 201:
                yield status(host, ctx, step, "201 Created with the registered client")
                return
            body = step.body if isinstance(step.body, dict) else {}
            for member in ("client_id", "client_secret"):
                if not isinstance(body.get(member), str) or not body[member]:
                    yield ctx.fail(at(host, step, f"/response/body/{member}"), expected=f"a {member} string",
                                   found=body.get(member, MISSING))
        return _each(flavour, subject, ctx, "register", (), judge)

    @rules.rule("authorize-redirect")
    def authorize_redirects(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            location = header(step, "location")
            if step.status not in (302, 303, 307) or not location:
                yield status(host, ctx, step, "a redirect (302 or 303) to the redirect URI")
                return
            where = at(host, step, "/response/headers/location")
            target = urlsplit(location)
            if f"{target.scheme}://{target.netloc}{target.path}" != REDIRECT_URI:
                yield ctx.fail(where, expected=f"the registered redirect URI {REDIRECT_URI}", found=location)
            query = parse_qs(target.query)
            if not query.get("code"):
                yield ctx.fail(where, expected="a code parameter", found=location,
                               message=f"the redirect carries no authorization code ({query.get('error', [''])[0]})")
            sent = step.expect.get("state")
            if query.get("state", [None])[0] != sent:
                yield ctx.fail(where, expected=f"state={sent}", found=query.get("state", [MISSING])[0],
                               message="the redirect does not give back the state the client sent")
        return _each(flavour, subject, ctx, "authorize", (), judge)

    @rules.rule("token-code")
    def token_for_code(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 200:
                yield status(host, ctx, step, "200 with an access token")
                return
            body = step.body if isinstance(step.body, dict) else {}
            if not body.get("access_token"):
                yield ctx.fail(at(host, step, "/response/body/access_token"), expected="an access_token",
                               found=body.get("access_token", MISSING))
            kind = body.get("token_type")
            if not (isinstance(kind, str) and kind.lower() == "bearer"):
                yield ctx.fail(at(host, step, "/response/body/token_type"), expected='"Bearer"',
                               found=kind if kind is not None else MISSING)
        return _each(flavour, subject, ctx, "token", (), judge)

    @rules.rule("pkce-verified")
    def pkce_verified(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 400:
                yield status(host, ctx, step, "400 (invalid_grant) for a code_verifier that does not match")
        return _each(flavour, subject, ctx, "token-pkce", (), judge)

    # --- resource endpoints ---------------------------------------------------------------------------------------

    @rules.rule("token-required")
    def token_required(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 401:
                yield status(host, ctx, step, "401 to getCredentials without an access token")
        return _each(flavour, subject, ctx, "scope", ("no-token",), judge)

    @rules.rule("scope-enforced")
    def scope_enforced(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status not in (401, 403):
                yield status(host, ctx, step, "401 or 403 to a token without the credential.readonly scope")
        return _each(flavour, subject, ctx, "scope", ("profile-only-token",), judge)

    @rules.rule("get-credentials")
    def get_credentials(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 200:
                yield status(host, ctx, step, "200 with the user's credentials")
                return
            if not isinstance(step.body, dict):
                yield ctx.fail(at(host, step, "/response/body"), expected="a JSON object with a credential array",
                               found=step.text[:80] if step.json_error else describe(step.body))
                return
            credentials = step.body.get("credential", [])
            if not isinstance(credentials, list) or not all(isinstance(c, dict) for c in credentials):
                yield ctx.fail(at(host, step, "/response/body/credential"), expected="an array of credential objects",
                               found=describe(credentials))
            jws = step.body.get("compactJwsString", [])
            if not isinstance(jws, list) or not all(isinstance(c, str) for c in jws):
                yield ctx.fail(at(host, step, "/response/body/compactJwsString"), expected="an array of strings",
                               found=describe(jws))
        return _each(flavour, subject, ctx, "credentials", (), judge)

    @rules.rule("paging-limit")
    def paging_limit(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            entries = _entries(step)
            limit = _int(step.expect.get("limit"), PAGE_LIMIT)
            if entries is None:
                yield ctx.cant_tell(f"{step.label}: no page of credentials to count (see {p}-get-credentials)",
                                    at(host, step))
            elif len(entries) > limit:
                yield ctx.fail(at(host, step, "/response/body/credential"), expected=f"at most {limit} entries",
                               found=len(entries), message=f"{step.label} holds {len(entries)} entries; the request "
                                                            f"asked for at most {limit}")
        return _each(flavour, subject, ctx, "credentials", (), judge)

    @rules.rule("total-count")
    def total_count(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        scoped = _steps(flavour, subject, ctx, "credentials")
        if isinstance(scoped, Finding):
            yield scoped
            return
        host, steps = scoped
        pages = [s for s in steps if s.answered and s.status == 200]
        if not pages:
            yield ctx.cant_tell(f"no page of credentials came back (see {p}-get-credentials)")
            return
        totals = []
        for step in pages:
            total = _total(step)
            if total is None:
                yield ctx.fail(at(host, step, "/response/headers/x-total-count"),
                               expected="an X-Total-Count header with a non-negative integer",
                               found=header(step, "x-total-count") or MISSING)
            else:
                totals.append((step, total))
        if len({t for _, t in totals}) > 1:
            step, _ = totals[-1]
            yield ctx.fail(at(host, step, "/response/headers/x-total-count"),
                           expected="the same X-Total-Count on every page", found=sorted({t for _, t in totals}))
        seen = sum(len(_entries(s) or []) for s in pages)
        if totals and seen > max(t for _, t in totals):
            step, total = totals[-1]
            yield ctx.fail(at(host, step, "/response/headers/x-total-count"),
                           expected=f"at least the {seen} entries the pages gave", found=total)

    @rules.rule("paging-link")
    def paging_link(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        scoped = _steps(flavour, subject, ctx, "credentials")
        if isinstance(scoped, Finding):
            yield scoped
            return
        host, steps = scoped
        pages = [s for s in steps if s.answered and _entries(s) is not None]
        if not pages:
            yield ctx.cant_tell(f"no page of credentials came back (see {p}-get-credentials)")
            return
        total = next((t for t in map(_total, pages) if t is not None), None)
        keys: list[str] = []
        for step in pages:
            entries = _entries(step) or []
            keys += [e.get("id", repr(e)) if isinstance(e, dict) else str(e) for e in entries]
            asked = step.expect
            offset, limit = _int(asked.get("offset"), 0), _int(asked.get("limit"), PAGE_LIMIT)
            link = next_link(header(step, "link"), step.url)
            where = at(host, step, "/response/headers/link")
            more = total is not None and offset + len(entries) < total
            if link is None:
                if more:
                    yield ctx.fail(where, expected='a Link header with rel="next"', found=header(step, "link")
                                   or MISSING, message=f"{step.label} gives entries {offset}..{offset + len(entries)} "
                                                       f"of {total} and no rel=next link")
                continue
            if total is not None and not more:
                yield ctx.fail(where, expected='no rel="next" link on the last page', found=link)
                continue
            query = page_query(link)
            if query.get("offset") != str(offset + limit):
                yield ctx.fail(where, expected=f"rel=next at offset {offset + limit}", found=link)
        if len(set(keys)) != len(keys):
            yield ctx.fail(at(host, pages[-1], "/response/body/credential"),
                           expected="every entry once over the pages", found=sorted({k for k in keys
                                                                                     if keys.count(k) > 1}),
                           message="following the next links gives some entries more than once")

    @rules.rule("get-profile")
    def get_profile(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status != 200:
                yield status(host, ctx, step, "200 with the user's Profile")
                return
            body = step.body if isinstance(step.body, dict) else None
            if body is None:
                yield ctx.fail(at(host, step, "/response/body"), expected="a Profile object", found=describe(step.body))
                return
            if not isinstance(body.get("id"), str) or not body["id"]:
                yield ctx.fail(at(host, step, "/response/body/id"), expected="an id", found=body.get("id", MISSING))
            kinds = body.get("type")
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not isinstance(kinds, list) or "Profile" not in kinds:
                yield ctx.fail(at(host, step, "/response/body/type"), expected="a type that includes Profile",
                               found=body.get("type", MISSING))
        return _each(flavour, subject, ctx, "profile", (), judge)

    @rules.rule("upsert-answer")
    def upsert_answer(subject: Subject, ctx: CheckContext) -> Iterable[Finding]:
        def judge(host: LiveSubject, step: Step) -> Iterator[Finding]:
            if step.status not in (200, 201):
                yield status(host, ctx, step, "200 (replaced) or 201 (created)")
            elif step.body != step.request:
                yield ctx.fail(at(host, step, "/response/body"), expected="the credential that was put",
                               found=describe(step.body), message="the upsert answer does not echo the credential put")
        return _each(flavour, subject, ctx, "upsert", (), judge)

    @rules.rule("upsert-round-trip")
    def upsert_round_trip(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        scoped = _steps(flavour, subject, ctx, "upsert")
        if isinstance(scoped, Finding):
            yield scoped
            return
        host, steps = scoped
        put = steps[0].request if isinstance(steps[0].request, dict) else None
        pages = [s for s in host.transcript.steps if s.flow == "credentials" and _entries(s) is not None]
        if put is None or not pages:
            yield ctx.cant_tell(f"no credential listing came back to compare with (see {p}-get-credentials)",
                                at(host, steps[0]))
            return
        for step in pages:
            for index, entry in enumerate(step.body.get("credential", [])):
                if isinstance(entry, dict) and entry.get("id") == put.get("id"):
                    base = f"/response/body/credential/{index}"
                    for pointer, sent, found in differences(put, entry, reading="exact"):
                        yield ctx.fail(at(host, step, base + pointer),
                                       expected=f"the value put, {describe(sent)}" if sent is not MISSING
                                       else "nothing (the member was not put)", found=found,
                                       message=f"{pointer or '/'} differs from the credential put by upsertCredential")
                    return
        total = next((t for t in map(_total, pages) if t is not None), None)
        if total is None or sum(len(_entries(s) or []) for s in pages) < total:
            yield ctx.cant_tell(f"the pages walked do not reach every credential, so {put.get('id')} may be on "
                                f"one not fetched (see {p}-paging-link)", at(host, pages[-1]))
            return
        yield ctx.fail(at(host, pages[-1], "/response/body/credential"), expected=f"a credential {put.get('id')}",
                       message=f"getCredentials does not list the credential {put.get('id')} that upsertCredential "
                               "accepted")

    @rules.rule("revoked-token-refused")
    def revoked_token_refused(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        host = _host(flavour, subject)
        if host is not None and "revocation_url" not in host.service.options:
            yield ctx.inapplicable("the targets file names no revocation_url (revocation is optional for a host)")
            return
        scoped = _steps(flavour, subject, ctx, "revoke")
        if isinstance(scoped, Finding):
            yield scoped
            return
        host, steps = scoped
        by_name = {s.name: s for s in steps}
        revoke, after = by_name.get("revoke"), by_name.get("after-revocation")
        if revoke is None or after is None:
            yield ctx.cant_tell("the revocation flow did not run to the end")
            return
        if not revoke.answered or revoke.status != 200:
            yield ctx.fail(at(host, revoke, "/response/status"), expected="200 from the revocation endpoint",
                           found=revoke.status if revoke.answered else revoke.error)
        elif not after.answered:
            yield unanswered(host, ctx, after)
        elif after.status != 401:
            yield status(host, ctx, after, "401 to a revoked access token")

    @rules.rule("error-status-info")
    def errors_carry_status_info(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        host = service(subject, ctx, flavour.role, applies)
        if isinstance(host, Finding):
            yield host
            return
        errors = [s for s in host.transcript.steps if s.flow in _RESOURCE_FLOWS and s.name != "revoke"
                  and s.answered and (s.status or 0) >= 400]
        if not errors:
            yield ctx.cant_tell("no resource endpoint answered with an error to judge")
            return
        for step in errors:
            body = step.body
            if not isinstance(body, dict):
                yield ctx.fail(at(host, step, "/response/body"), expected="an Imsx_StatusInfo JSON object",
                               found=step.text[:80] if step.json_error else describe(body))
                continue
            for member, allowed in (("imsx_codeMajor", CODE_MAJOR), ("imsx_severity", SEVERITY)):
                if body.get(member) not in allowed:
                    yield ctx.fail(at(host, step, f"/response/body/{member}"),
                                   expected="one of " + ", ".join(sorted(allowed)), found=body.get(member, MISSING))

    return rules
