"""The rules for Open Badges 3.0 and CLR 2.0 client applications (OB30API-CLIENT-*, CLR20API-CLIENT-*), written
once and registered per `ApiFlavour` as the host rules are (conformance/standards/ob/api_v3_0/host_rules.py).

The subject is a service of the flavour's client role ("ob-client", "clr-client"); conformance/standards/ob/api_v3_0/client_flows.py
ran one session in which the application called the suite's host (conformance/standards/ob/api_v3_0/counterparty.py), and the
host noted what it saw beside each request (`observed`: the registration members, the authorization parameters,
whether the PKCE verifier matched, where the token was sent). Pure reads of that transcript.

options.app says what the application does: an issuer's rules (upsert) do not apply to a displayer and the
reader's rules (paging, profile) do not apply to an issuer. failed = what the application sent breaks the rule, or
it says it is done without having made the request a rule is about; error = the session could not run or the
driver could not reach the application; cantTell = the application never got that far (timeout, or interactive
mode where only a person sees what it did).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.core.checks import MISSING, CheckContext, CheckFn, Embedded, RuleBodies, embeds
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards import live, wallets
from conformance.standards.live import at
from conformance.standards.ob.api_v3_0.counterparty import FLOW, REQUIRED_METADATA
from conformance.standards.ob.api_v3_0.flows import ApiFlavour

ISSUER, DISPLAYER = frozenset({"issuer", "both"}), frozenset({"displayer", "both"})
OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


def needed_scopes(flavour: ApiFlavour, kind: str) -> tuple[set[str], set[str]]:
    """(the scopes an application of `kind` needs, those it may also ask for)."""
    scopes = flavour.scopes
    need: set[str] = set()
    extra: set[str] = set()
    if kind in ISSUER:
        need.add(scopes["credential.upsert"])
        extra |= {scopes["profile.readonly"], flavour.scope_base + "profile.update"}
    if kind in DISPLAYER:
        need |= {scopes["credential.readonly"], scopes["profile.readonly"]}
    return need, extra - need


def _kind(app: LiveSubject) -> str:
    value = app.service.options.get("app", "issuer")
    return value if isinstance(value, str) else "issuer"


def _credential_types(flavour: ApiFlavour) -> frozenset[str]:
    return OB_TYPES if flavour.credential_type == "OpenBadgeCredential" else frozenset({flavour.credential_type})


def register_client_embedder(flavour: ApiFlavour) -> None:
    """Hand each credential a client application of this flavour upserted to the document checks."""
    role = flavour.client_role

    @embeds
    def upserted_credentials(subject: Subject) -> Iterator[Embedded]:
        if not isinstance(subject, LiveSubject) or subject.service.role != role:
            return
        for step in subject.flow(FLOW):
            body = step.request.get("body") if step.name == "upsert" and isinstance(step.request, dict) else None
            if isinstance(body, dict) and 200 <= (step.status or 0) < 300:
                yield Embedded(subject.transcript.pointer(step, "/request/body"), body, encoding="document")


def client_rules(flavour: ApiFlavour) -> dict[str, CheckFn]:
    """Every client application rule's body for one flavour, by rule name: the standard's checks.py registers each
    under its literal requirement ID (`<prefix>-CLIENT-<name>`), so one body judges OB30API and CLR20API alike."""
    role = flavour.client_role
    types = _credential_types(flavour)
    rules = RuleBodies()

    def application(subject: Subject, ctx: CheckContext, kinds: frozenset[str] | None = None
                    ) -> LiveSubject | Finding:
        app = live.service(subject, ctx, role, f"the rule applies to a {flavour.title} client application "
                                               f"(targets.toml role {role})")
        if isinstance(app, Finding):
            return app
        if kinds is not None and _kind(app) not in kinds:
            return ctx.inapplicable(f"the application is a {_kind(app)} (options.app); the rule is about "
                                    + ("issuers" if kinds == ISSUER else "displayers"))
        return app

    def steps(app: LiveSubject, name: str) -> list[Step]:
        return [s for s in app.flow(FLOW) if s.name == name]

    def driver(app: LiveSubject) -> Step | None:
        return next((s for s in app.flow(FLOW) if s.name == "driver"), None)

    def absent(app: LiveSubject, ctx: CheckContext, what: str) -> Finding:
        """Nothing of `what` was asked: failed when the application says it is done, error when the driver could
        not reach it, else cantTell."""
        said, step = wallets.report(driver(app)), driver(app)
        if wallets.finished(step) and said.get("done") is True and step is not None:
            return ctx.fail(at(app, step, "/response/body/done"), expected=f"{what} before the application is done",
                            found=True, message=f"the application reports it is done, yet it makes no {what}")
        if step is not None and step.error is not None and step.error != "timeout" and wallets.observes(step):
            return ctx.error(f"the driver cannot hand the application the discovery URL: {step.message}",
                             at(app, step))
        return ctx.cant_tell(f"the application makes no {what}, so there is nothing to judge"
                             + (f" ({step.message})" if step is not None and step.message else "")
                             + ("; a person should check what the application shows"
                                if step is not None and not wallets.observes(step) else ""))

    def each(subject: LiveSubject, ctx: CheckContext, names: tuple[str, ...], what: str,
             judge: Callable[[LiveSubject, Step, dict[str, Any]], Iterator[Finding]]) -> Iterator[Finding]:
        found = [s for s in subject.flow(FLOW) if s.name in names]
        if not found:
            yield absent(subject, ctx, what)
        for step in found:
            yield from judge(subject, step, wallets.observed(step))

    @rules.rule("discovery-read")
    def discovery_read(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        app = application(subject, ctx)
        if isinstance(app, Finding):
            yield app
            return
        order = [s.name for s in app.flow(FLOW)]
        if "discovery" not in order:
            if "register" in order:
                step = steps(app, "register")[0]
                yield ctx.fail(at(app, step), expected="GET discovery before registering", found=MISSING,
                               message="the application registers without reading the service description")
            else:
                yield absent(app, ctx, "discovery request")
            return
        first = steps(app, "discovery")[0]
        if "register" in order and order.index("register") < order.index("discovery"):
            yield ctx.fail(at(app, first), expected="GET discovery before registering", found="after",
                           message="the application reads the service description only after registering")
        for step in steps(app, "discovery"):
            if wallets.observed(step).get("sent_credentials"):
                yield ctx.fail(at(app, step, "/request/headers/authorization"), expected="no credentials",
                               found="an Authorization header",
                               message="the application sends credentials to the unprotected discovery endpoint")

    @rules.rule("registration-metadata")
    def registration_metadata(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            if not seen.get("metadata"):
                yield ctx.fail(at(app, step, "/request/body"), expected="a JSON object of client metadata",
                               found=seen.get("problem", MISSING),
                               message="the registration request is not a JSON object of client metadata")
                return
            missing = seen.get("missing") or []
            if missing:
                yield ctx.fail(at(app, step, "/request/body"), expected="the members " + ", ".join(REQUIRED_METADATA),
                               found=seen.get("members"), message="the registration metadata lacks "
                                                                  + ", ".join(map(str, missing)))
            if not seen.get("redirect_uris_array"):
                yield ctx.fail(at(app, step, "/request/body/redirect_uris"), expected="an array of URL strings",
                               found="something else", message="redirect_uris is not a non-empty array of strings")
            if not seen.get("scope_string"):
                yield ctx.fail(at(app, step, "/request/body/scope"), expected="a space-separated string of scopes",
                               found="something else", message="scope is not a string")
        app = application(subject, ctx)
        yield from [app] if isinstance(app, Finding) else each(app, ctx, ("register",), "registration request",
                                                                 judge)

    def authorize_rule(judge: Callable[[LiveSubject, Step, dict[str, Any]], Iterator[Finding]]
                       ) -> Callable[[Subject, CheckContext], Iterator[Finding]]:
        def rule(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
            app = application(subject, ctx)
            yield from [app] if isinstance(app, Finding) else each(app, ctx, ("authorize",), "authorization request",
                                                                     judge)
        return rule

    @rules.rule("authorize-request")
    def authorize_request(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            where = at(app, step, "/url")
            if seen.get("response_type") != "code":
                yield ctx.fail(where, expected="response_type=code", found=seen.get("response_type") or MISSING)
            if not seen.get("client_known"):
                yield ctx.fail(where, expected="the client_id the host registered",
                               found=seen.get("client_id") or MISSING)
            elif not seen.get("redirect_registered"):
                yield ctx.fail(where, expected="a redirect_uri the client registered",
                               found=seen.get("redirect_uri") or MISSING)
            if not seen.get("scopes"):
                yield ctx.fail(where, expected="the scopes the application needs", found=MISSING,
                               message="the authorization request asks for no scope")
            elif seen.get("client_known") and not seen.get("scopes_registered"):
                yield ctx.fail(where, expected="only scopes the client registered", found=seen.get("scopes"))
        yield from authorize_rule(judge)(subject, ctx)

    @rules.rule("authorize-state")
    def authorize_state(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            if not seen.get("state_sent"):
                yield ctx.fail(at(app, step, "/url"), expected="a state parameter", found=MISSING,
                               message="the authorization request carries no state to tie the redirect to it")
        yield from authorize_rule(judge)(subject, ctx)

    @rules.rule("authorize-pkce")
    def authorize_pkce(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            if seen.get("code_challenge_method") != "S256" or not seen.get("code_challenge_sent"):
                yield ctx.fail(at(app, step, "/url"), expected="code_challenge with code_challenge_method=S256",
                               found={"code_challenge_method": seen.get("code_challenge_method") or MISSING,
                                      "code_challenge": "sent" if seen.get("code_challenge_sent") else MISSING})
        yield from authorize_rule(judge)(subject, ctx)

    @rules.rule("token-client-auth")
    def token_client_auth(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            how = seen.get("client_authentication")
            if how != "basic":
                yield ctx.fail(at(app, step, "/request/headers/authorization"),
                               expected="HTTP Basic with the registered client_id and client_secret", found=how,
                               message={"form": "the token request puts the client secret in the form body",
                                        "basic-wrong": "the token request's HTTP Basic credentials are not the "
                                                       "registered client's",
                                        "none": "the token request does not authenticate the client"}.get(
                                   str(how), "the token request does not authenticate with HTTP Basic"))
        app = application(subject, ctx)
        yield from [app] if isinstance(app, Finding) else each(app, ctx, ("token",), "token request", judge)

    @rules.rule("token-verifier")
    def token_verifier(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            if seen.get("grant_type") != "authorization_code" or "verifier" not in seen:
                return
            if seen["verifier"] != "matches":
                yield ctx.fail(at(app, step, "/request/observed/verifier"),
                               expected="the code_verifier of the authorization request's code_challenge",
                               found=seen["verifier"])
        app = application(subject, ctx)
        if isinstance(app, Finding):
            yield app
            return
        judged = [s for s in steps(app, "token") if "verifier" in wallets.observed(s)]
        if not judged:
            yield absent(app, ctx, "token request for an authorization code")
        for step in judged:
            yield from judge(app, step, wallets.observed(step))

    @rules.rule("bearer-header")
    def bearer_header(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        app = application(subject, ctx)
        if isinstance(app, Finding):
            yield app
            return
        resources = [s for s in app.flow(FLOW) if s.name in ("credentials", "upsert", "profile")]
        sent = [s for s in resources if wallets.observed(s).get("bearer_in") not in (None, "none")]
        if not sent:
            yield absent(app, ctx, "request to the API with an access token")
        for step in sent:
            where = wallets.observed(step)["bearer_in"]
            if where != "header":
                yield ctx.fail(at(app, step, "/url"), expected="the access token in the Authorization header",
                               found=f"the access token in the {where}",
                               message=f"{step.label}: the access token travels in the {where}, where logs and "
                                       "proxies keep it")

    @rules.rule("upsert-credential")
    def upsert_credential(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            body = step.request.get("body") if isinstance(step.request, dict) else None
            if not isinstance(body, dict):
                yield ctx.fail(at(app, step, "/request/body"), expected=f"a {flavour.credential_type} JSON object",
                               found=body if body is not None else MISSING)
                return
            kinds = body.get("type")
            kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
            if not types & set(kinds):
                yield ctx.fail(at(app, step, "/request/body/type"), expected=" or ".join(sorted(types)),
                               found=body.get("type", MISSING))
            if not isinstance(body.get("id"), str):
                yield ctx.fail(at(app, step, "/request/body/id"), expected="an id", found=body.get("id", MISSING))
            if not isinstance(body.get("proof"), dict | list):
                yield ctx.fail(at(app, step, "/request/body/proof"), expected="an embedded proof",
                               found=body.get("proof", MISSING),
                               message="the upserted credential is not secured (no proof)")
        app = application(subject, ctx, ISSUER)
        yield from [app] if isinstance(app, Finding) else each(app, ctx, ("upsert",), "upsertCredential request",
                                                                 judge)

    @rules.rule("read-paging")
    def read_paging(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        app = application(subject, ctx, DISPLAYER)
        if isinstance(app, Finding):
            yield app
            return
        pages = [s for s in steps(app, "credentials") if s.status == 200]
        if not pages:
            yield absent(app, ctx, "getCredentials request that the host answers")
            return
        offsets = {wallets.observed(s).get("offset") for s in pages}
        for step in pages:
            following = wallets.observed(step).get("next_offset")
            if following is not None and following not in offsets:
                yield ctx.fail(at(app, step, "/response/headers/link"), expected="a request for the rel=next page",
                               found=f"no request at offset {following}",
                               message=f"{step.label}: the host gives more credentials behind Link rel=next and "
                                       "the application does not follow it")

    @rules.rule("read-profile")
    def read_profile(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        app = application(subject, ctx, DISPLAYER)
        if isinstance(app, Finding):
            yield app
            return
        if not any(s.status == 200 for s in steps(app, "profile")):
            yield absent(app, ctx, "getProfile request that the host answers")

    @rules.rule("least-scope")
    def least_scope(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
        def judge(app: LiveSubject, step: Step, seen: dict[str, Any]) -> Iterator[Finding]:
            need, extra = needed_scopes(flavour, _kind(app))
            asked = {s for s in seen.get("scopes") or [] if isinstance(s, str)}
            beyond = sorted(asked - need - extra)
            if beyond:
                yield ctx.fail(at(app, step, "/url"), expected="only " + ", ".join(sorted(need | extra)),
                               found=beyond, message=f"the application ({_kind(app)}) asks for "
                                                     f"{', '.join(beyond)}, which its kind does not need")
        yield from authorize_rule(judge)(subject, ctx)

    return rules
