"""OID4VP-VERIFIER checks: pure reads of a verifier's transcript (conformance/standards/oid4vp/flows.py made the
requests, acting as the wallet).

failed = the verifier's request or answer breaks the rule; error = the flows could not start, or no answer came
back in time; cantTell = the case was never reached (an earlier answer lacks what it needs), or the verifier refused
the valid response too, so a refusal of a hostile one shows nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards import live
from conformance.standards.live import at
from conformance.standards.oid4vp.flows import (
    CASES,
    DID_PREFIX,
    MALFORMED,
    REDIRECT_PREFIX,
    REQUEST_JWT,
    REQUEST_TYP,
    AuthorizationRequest,
    authorization_request,
    request_url,
)

ROLE = "oid4vp-verifier"
APPLIES = "the rule applies to a live OpenID4VP verifier"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
JSON_LD_FORMATS = frozenset({"ldp_vc", "ldp_vp", "jwt_vc_json-ld"})
JWT_FORMATS = frozenset({"jwt_vc_json", "jwt_vc"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _find(service: LiveSubject, flow: str, name: str) -> Step | None:
    return next((s for s in service.transcript.steps if s.flow == flow and s.name == name), None)


def requests(service: LiveSubject) -> list[tuple[Step, Step | None, AuthorizationRequest | None]]:
    """(start step, request object step, the request read from them) for each case that was started."""
    found = []
    for case in CASES:
        start = _find(service, "start", case)
        if start is not None:
            found.append((start, _find(service, "request-object", case), authorization_request(
                case, start, _find(service, "request-object", case))))
    return found


def _scoped(subject: Subject, ctx: CheckContext) -> LiveSubject | Finding:
    return live.service(subject, ctx, ROLE, APPLIES)


def _each_request(subject: Subject, ctx: CheckContext,
                  judge: Callable[[LiveSubject, Step, AuthorizationRequest], Iterator[Finding]], *,
                  by_reference_only: bool = False) -> Iterator[Finding]:
    """Judge every request the starts gave; cantTell when there is none to judge."""
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    judged = False
    for start, obj, request in requests(service):
        if request is None:
            continue
        if request.by_reference and (obj is None or not isinstance(obj.body, dict) or "claims" not in obj.body):
            continue                # the request object could not be read (OID4VP-VERIFIER-request-object-served)
        if by_reference_only and not request.by_reference:
            continue
        judged = True
        yield from judge(service, obj if request.by_reference and obj is not None else start, request)
    if not judged:
        yield (ctx.inapplicable("every request is passed by value") if by_reference_only and any(
            r is not None and not r.by_reference for _, _, r in requests(service))
            else ctx.cant_tell("no authorization request could be read (see OID4VP-VERIFIER-request-started and "
                               "OID4VP-VERIFIER-request-object-served)"))


def _where(step: Step, request: AuthorizationRequest) -> str:
    return "/response/body/claims" if request.by_reference else "/response/body"


def _param(ctx: CheckContext, service: LiveSubject, step: Step, request: AuthorizationRequest, name: str,
           expected: str, ok: Callable[[Any], bool]) -> Iterator[Finding]:
    value = request.params.get(name, MISSING)
    if not ok(value):
        yield ctx.fail(at(service, step, f"{_where(step, request)}/{name}"), expected=expected, found=value,
                       message=f"the {request.case} authorization request's {name} is "
                               f"{describe(value) if value is not MISSING else 'absent'}; expected {expected}")


# --- the request -----------------------------------------------------------------------------------------------

@check("OID4VP-VERIFIER-request-started")
def request_started(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return

    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 200 <= (step.status or 0) < 400:
            yield live.status(service, ctx, step, "2xx with an authorization request")
            return
        url = request_url(step)
        if url is None:
            yield ctx.fail(at(service, step, "/response"), expected="an authorization request URL (Location, a JSON "
                           "authorization_request member, or the URL as text)", found=live.shown(step),
                           message=f"{step.label}: the answer names no authorization request")
            return
        request = authorization_request(step.name, step, None)
        params = request.url_params if request is not None else {}
        if not params.get("client_id") or not ({"request_uri", "request", "response_type"} & set(params)):
            yield ctx.fail(at(service, step, "/response"), expected="client_id with request_uri, request or the "
                           "request parameters", found=sorted(params),
                           message=f"{step.label}: the authorization request carries {sorted(params)}; expected "
                                   "client_id and either request_uri or the request's parameters")
    yield from live.each(service, ctx, service.flow("start"), judge)


@check("OID4VP-VERIFIER-request-object-served")
def request_object_served(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps = service.flow("request-object")
    if not steps:
        by_value = any(r is not None and not r.by_reference for _, _, r in requests(service))
        yield (ctx.inapplicable("every request is passed by value") if by_value else
               ctx.cant_tell("no request_uri was reached (see OID4VP-VERIFIER-request-started)"))
        return

    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 with the request object")
            return
        if step.content_type != REQUEST_JWT:
            yield ctx.fail(at(service, step, "/response/headers/content-type"), expected=REQUEST_JWT,
                           found=step.content_type or MISSING,
                           message=f"{step.label}: the request object comes as {step.content_type or 'no media type'}"
                                   f"; expected {REQUEST_JWT}")
        body = step.body if isinstance(step.body, dict) else {}
        header = body.get("header")
        if not isinstance(header, dict) or not isinstance(body.get("claims"), dict):
            yield ctx.fail(at(service, step, "/response/body"), expected="a compact JWS with a JSON object payload",
                           found=live.shown(step), message=f"{step.label}: the request object is not a compact JWS "
                                                           "with a JSON header and claims")
            return
        if header.get("typ") != REQUEST_TYP:
            yield ctx.fail(at(service, step, "/response/body/header/typ"), expected=REQUEST_TYP,
                           found=header.get("typ", MISSING),
                           message=f"{step.label}: the request object's typ is {describe(header.get('typ', MISSING))}"
                                   f"; expected {REQUEST_TYP}")
    yield from live.each(service, ctx, steps, judge)


@check("OID4VP-VERIFIER-request-object-signed")
def request_object_signed(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        verification = step.body.get("verification") if isinstance(step.body, dict) else None
        result = verification.get("result") if isinstance(verification, dict) else None
        reason = verification.get("reason", "") if isinstance(verification, dict) else ""
        client = request.client_id or ""
        where = at(service, step, "/response/body/verification")
        if result == "unsupported":
            yield ctx.cant_tell(f"{step.label}: {reason}", where)
        elif client.startswith(DID_PREFIX) and result != "verified":
            yield ctx.fail(where, expected=f"a JWS a key of {client[len(DID_PREFIX):]} signs", found=result or MISSING,
                           message=f"{step.label}: the request object of a {DID_PREFIX} client does not verify: "
                                   f"{reason}")
        elif client.startswith(REDIRECT_PREFIX) and result != "unsigned":
            yield ctx.fail(where, expected="an unsigned request object (alg none)", found=result or MISSING,
                           message=f"{step.label}: a {REDIRECT_PREFIX} client's request object is {reason or result}")
        elif not client.startswith((DID_PREFIX, REDIRECT_PREFIX)):
            yield ctx.cant_tell(f"{step.label}: the client identifier prefix of {client!r} is not one the suite "
                                "checks signatures for", where)
    yield from _each_request(subject, ctx, judge, by_reference_only=True)


@check("OID4VP-VERIFIER-request-client-id")
def request_client_id(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        outer = request.url_params.get("client_id")
        yield from _param(ctx, service, step, request, "client_id", f"the authorization request's client_id {outer}",
                          lambda v: isinstance(v, str) and v == outer)
    yield from _each_request(subject, ctx, judge, by_reference_only=True)


@check("OID4VP-VERIFIER-response-type")
def response_type(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        yield from _param(ctx, service, step, request, "response_type", "vp_token", lambda v: v == "vp_token")
    yield from _each_request(subject, ctx, judge)


def _response_uri_ok(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    return bool(parts.netloc) and (parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK))


@check("OID4VP-VERIFIER-response-mode")
def response_mode(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        yield from _param(ctx, service, step, request, "response_mode", "direct_post", lambda v: v == "direct_post")
        yield from _param(ctx, service, step, request, "response_uri", "an absolute https URL", _response_uri_ok)
        yield from _param(ctx, service, step, request, "redirect_uri", "no redirect_uri beside response_uri",
                          lambda v: v is MISSING)
    yield from _each_request(subject, ctx, judge)


@check("OID4VP-VERIFIER-nonce-fresh")
def nonce_fresh(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    seen: dict[str, str] = {}

    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        nonce = request.params.get("nonce", MISSING)
        if not isinstance(nonce, str) or not nonce:
            yield from _param(ctx, service, step, request, "nonce", "a nonce", lambda v: False)
            return
        if nonce in seen:
            yield ctx.fail(at(service, step, f"{_where(step, request)}/nonce"),
                           expected="a nonce no other request carries", found=nonce,
                           message=f"the {request.case} request repeats the nonce of the {seen[nonce]} request; "
                                   "expected a fresh nonce per request")
        seen.setdefault(nonce, request.case)
    yield from _each_request(subject, ctx, judge)


def _type_values_ask_for_ob30(query: dict[str, Any]) -> bool:
    meta = query.get("meta")
    values = meta.get("type_values") if isinstance(meta, dict) else None
    if not isinstance(values, list):
        return False
    wanted = OB_TYPE if query.get("format") in JSON_LD_FORMATS else "OpenBadgeCredential"
    return any(isinstance(alternative, list) and wanted in alternative for alternative in values)


@check("OID4VP-VERIFIER-dcql-ob30")
def dcql_ob30(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, request: AuthorizationRequest) -> Iterator[Finding]:
        dcql = request.dcql
        where = at(service, step, f"{_where(step, request)}/dcql_query")
        queries = dcql.get("credentials") if isinstance(dcql, dict) else None
        if not isinstance(queries, list) or not queries or not all(
                isinstance(q, dict) and isinstance(q.get("id"), str) and isinstance(q.get("format"), str)
                for q in queries):
            yield ctx.fail(where, expected="a DCQL query: credentials, a non-empty array of queries with id and "
                           "format", found=dcql if dcql is not None else MISSING,
                           message=f"the {request.case} request's dcql_query is "
                                   f"{describe(dcql) if dcql is not None else 'absent'}; expected a DCQL query")
            return
        w3c = [q for q in queries if q["format"] in JSON_LD_FORMATS | JWT_FORMATS]
        if not any(_type_values_ask_for_ob30(q) for q in w3c):
            yield ctx.fail(where + "/credentials", expected=f"a W3C VC query whose meta.type_values list {OB_TYPE} "
                           "(JSON-LD formats) or OpenBadgeCredential (jwt_vc_json)",
                           found=[q.get("meta", MISSING) for q in queries],
                           message=f"the {request.case} request's DCQL query asks for no Open Badges 3.0 credential "
                                   "in the form its format needs")
    yield from _each_request(subject, ctx, judge)


# --- the responses ---------------------------------------------------------------------------------------------

def _valid_accepted(service: LiveSubject) -> bool:
    step = _find(service, "respond", "valid")
    return step is not None and step.answered and step.status == 200


@check("OID4VP-VERIFIER-accepts-valid")
def accepts_valid(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    step = _find(service, "respond", "valid")
    if step is None:
        yield ctx.cant_tell("the valid response was not sent: no usable request with a response_uri (see the "
                            "request rules)")
        return

    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 for a valid presentation")
            return
        if step.body is None and not step.json_error:
            return                                           # an empty 200 is an acceptance without a redirect
        yield from live.object_body(service, ctx, step)
        if isinstance(step.body, dict) and "redirect_uri" in step.body \
                and not isinstance(step.body["redirect_uri"], str):
            yield ctx.fail(at(service, step, "/response/body/redirect_uri"), expected="a URL string",
                           found=step.body["redirect_uri"],
                           message=f"{step.label}: redirect_uri is {describe(step.body['redirect_uri'])}; expected a "
                                   "URL string")
    yield from live.each(service, ctx, (step,), judge)


def _refused(subject: Subject, ctx: CheckContext, names: tuple[str, ...], what: str) -> Iterator[Finding]:
    """Each named response gets a 4xx; cantTell when it was not sent or the valid response was refused too."""
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps = [s for name in names if (s := _find(service, "respond", name)) is not None]
    if not steps:
        yield ctx.cant_tell(f"no {what} response was sent: no usable request with a response_uri (or state) for it")
        return
    if not _valid_accepted(service):
        yield ctx.cant_tell(f"the verifier does not accept the valid response either (see "
                            f"OID4VP-VERIFIER-accepts-valid), so refusing {what} shows nothing")
        return

    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 400 <= (step.status or 0) < 500:
            accepted = 200 <= (step.status or 0) < 300
            yield ctx.fail(at(service, step, "/response/status"), expected="a 4xx refusal", found=step.status,
                           message=f"{step.label}: the verifier answers HTTP {step.status} to {what}"
                                   f"{' (it accepts it)' if accepted else ''}; expected a 4xx refusal")
    yield from live.each(service, ctx, steps, judge)


@check("OID4VP-VERIFIER-wrong-nonce")
def wrong_nonce(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, ("wrong-nonce",), "a presentation whose challenge is not the request's nonce")


@check("OID4VP-VERIFIER-wrong-domain")
def wrong_domain(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, ("wrong-domain",), "a presentation whose domain is not the client_id")


@check("OID4VP-VERIFIER-holder-binding")
def holder_binding(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, ("unsigned-presentation", "other-holder-key"),
                        "a presentation the credential subject's key did not sign")


@check("OID4VP-VERIFIER-credential-signature")
def credential_signature(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, ("tampered-credential",), "a presentation of a credential with a broken proof")


@check("OID4VP-VERIFIER-replay")
def replay(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refused(subject, ctx, ("replay",), "the accepted response sent again")


@check("OID4VP-VERIFIER-unknown-state")
def unknown_state(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _scoped(subject, ctx)
    if not isinstance(service, Finding):
        valid = [r for s, _, r in requests(service) if s.name == "valid" and r is not None]
        if valid and not isinstance(valid[0].get("state"), str):
            yield ctx.inapplicable("the verifier's requests carry no state")
            return
    yield from _refused(subject, ctx, ("unknown-state",), "a response with a state it never issued")


@check("OID4VP-VERIFIER-malformed-response")
def malformed_response(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _scoped(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps = [s for name, _ in MALFORMED if (s := _find(service, "respond", name)) is not None]
    if not steps:
        yield ctx.cant_tell("no malformed response was sent: no usable request with a response_uri for it")
        return

    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not 400 <= (step.status or 0) < 500:
            yield live.status(service, ctx, step, "a 4xx refusal of a malformed response")
    yield from live.each(service, ctx, steps, judge)
