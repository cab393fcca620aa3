"""OID4VCI checks: pure reads of an issuer's transcript (conformance/standards/oid4vci/flows.py made the requests).

failed = the issuer's answer breaks the rule; error = the flows could not start, or no answer came back in time;
cantTell = the flow never reached the request (an earlier answer lacked what it needs); inapplicable = the issuer
does not offer what the rule is about (no nonce endpoint).
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
from conformance.support.formats.errors import PayloadError
from conformance.support.formats.jws import decode_compact_jws

ROLE = "oid4vci-issuer"
OB30_TYPE = "OpenBadgeCredential"
FORMATS = frozenset({"ldp_vc", "jwt_vc_json", "jwt_vc_json-ld"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})


def issued(step: Step) -> list[tuple[int, Any]]:
    """(index, credential) of each entry of a successful credential response's `credentials` array."""
    if step.status != 200 or not isinstance(step.body, dict) or not isinstance(step.body.get("credentials"), list):
        return []
    return [(i, entry["credential"]) for i, entry in enumerate(step.body["credentials"])
            if isinstance(entry, dict) and "credential" in entry]


def _subject(subject: Subject) -> LiveSubject | None:
    return subject if isinstance(subject, LiveSubject) and subject.service.role == ROLE else None


def _find(subject: LiveSubject, flow: str, name: str) -> Step | None:
    return next((s for s in subject.transcript.steps if s.flow == flow and s.name == name), None)


def _metadata(subject: LiveSubject) -> dict[str, Any]:
    step = _find(subject, "metadata", "credential-issuer")
    return step.body if step is not None and isinstance(step.body, dict) else {}


def _one(subject: Subject, ctx: CheckContext, flow: str, name: str, judge: live.Judge, *,
         needs_nonce: bool = False) -> Iterator[Finding]:
    """Judge the step flow/name: the scaffolding every rule shares (role, setup, not reached, no answer)."""
    service = live.service(subject, ctx, ROLE, "the rule applies to a live OpenID4VCI credential issuer")
    if isinstance(service, Finding):
        yield service
        return
    metadata = _find(service, "metadata", "credential-issuer")
    if needs_nonce and metadata is not None and isinstance(metadata.body, dict) \
            and not isinstance(metadata.body.get("nonce_endpoint"), str):
        yield ctx.inapplicable("the issuer's metadata names no nonce_endpoint")
        return
    step = _find(service, flow, name)
    if step is None:
        yield ctx.cant_tell(f"the {flow}/{name} request was not made: an earlier answer lacks what it needs "
                            "(see the metadata, offer and token rules)")
        return
    yield from live.each(service, ctx, (step,), judge)


def _member(ctx: CheckContext, service: LiveSubject, step: Step, name: str, expected: str,
            ok: Callable[[Any], bool]) -> Iterator[Finding]:
    body = step.body if isinstance(step.body, dict) else {}
    value = body.get(name, MISSING)
    if not ok(value):
        yield ctx.fail(at(service, step, f"/response/body/{name}"), expected=expected, found=value,
                       message=f"{step.label}: {name} is {describe(value) if value is not MISSING else 'absent'}; "
                               f"expected {expected}")


def _refusal(subject: Subject, ctx: CheckContext, flow: str, name: str, code: str, *,
             needs_nonce: bool = False) -> Iterator[Finding]:
    """A refusal: HTTP 400 with a JSON object whose error member is `code`."""
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 400:
            yield live.status(service, ctx, step, f"400 with error {code}")
            return
        yield from live.object_body(service, ctx, step)
        if isinstance(step.body, dict):
            yield from _member(ctx, service, step, "error", f"the error code {code}", lambda v: v == code)
    yield from _one(subject, ctx, flow, name, judge, needs_nonce=needs_nonce)


def _no_store(ctx: CheckContext, service: LiveSubject, step: Step) -> Iterator[Finding]:
    if step.status != 200:
        yield ctx.cant_tell(f"{step.label} answers HTTP {step.status}; there is no successful answer to judge",
                            at(service, step))
        return
    value = live.header(step, "cache-control")
    if value is None or "no-store" not in [p.strip().lower() for p in value.split(",")]:
        yield ctx.fail(at(service, step, "/response/headers/cache-control"), expected="Cache-Control: no-store",
                       found=value if value is not None else MISSING,
                       message=f"{step.label}: the answer carries "
                               f"{'no Cache-Control header' if value is None else f'Cache-Control: {value}'}; "
                               "expected Cache-Control: no-store")


def _url_ok(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    return bool(parts.netloc) and (parts.scheme == "https" or (parts.scheme == "http" and
                                                              (host in _LOOPBACK or host == "::1")))


# --- metadata ----------------------------------------------------------------------------------------------------

@check("OID4VCI-metadata-served")
def metadata_served(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 with the issuer metadata")
            return
        if step.content_type != "application/json":
            yield ctx.fail(at(service, step, "/response/headers/content-type"), expected="application/json",
                           found=step.content_type or MISSING,
                           message=f"the issuer metadata comes as {step.content_type or 'no media type'}; expected "
                                   "application/json")
        yield from live.object_body(service, ctx, step)
    yield from _one(subject, ctx, "metadata", "credential-issuer", judge)


@check("OID4VCI-metadata-issuer-matches")
def metadata_issuer_matches(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not isinstance(step.body, dict):
            yield ctx.cant_tell("the metadata is not a JSON object (see OID4VCI-metadata-served)", at(service, step))
            return
        identifier = service.service.endpoint
        yield from _member(ctx, service, step, "credential_issuer", f"the credential issuer identifier {identifier}",
                           lambda v: isinstance(v, str) and v.rstrip("/") == identifier.rstrip("/"))
    yield from _one(subject, ctx, "metadata", "credential-issuer", judge)


@check("OID4VCI-metadata-credential-endpoint")
def metadata_credential_endpoint(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not isinstance(step.body, dict):
            yield ctx.cant_tell("the metadata is not a JSON object (see OID4VCI-metadata-served)", at(service, step))
            return
        yield from _member(ctx, service, step, "credential_endpoint",
                           "an absolute https URL (http only on a loopback host)", _url_ok)
    yield from _one(subject, ctx, "metadata", "credential-issuer", judge)


def _ob30_configuration(config: Any) -> bool:
    if not isinstance(config, dict) or config.get("format") not in FORMATS:
        return False
    definition = config.get("credential_definition")
    if not isinstance(definition, dict):
        return False
    types = definition.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or OB30_TYPE not in types:
        return False
    if config["format"] == "jwt_vc_json":
        return True
    contexts = definition.get("@context")
    return isinstance(contexts, list) and bool(contexts) and all(isinstance(c, str) for c in contexts)


@check("OID4VCI-metadata-ob30-configuration")
def metadata_ob30_configuration(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not isinstance(step.body, dict):
            yield ctx.cant_tell("the metadata is not a JSON object (see OID4VCI-metadata-served)", at(service, step))
            return
        configs = step.body.get("credential_configurations_supported", MISSING)
        if not isinstance(configs, dict) or not any(_ob30_configuration(c) for c in configs.values()):
            yield ctx.fail(at(service, step, "/response/body/credential_configurations_supported"),
                           expected="an object with a configuration of format ldp_vc, jwt_vc_json or jwt_vc_json-ld "
                                    f"whose credential_definition type lists VerifiableCredential and {OB30_TYPE} "
                                    "(and @context for the JSON-LD formats)",
                           found=configs if not isinstance(configs, dict) else sorted(configs))
    yield from _one(subject, ctx, "metadata", "credential-issuer", judge)


# --- offer -------------------------------------------------------------------------------------------------------

@check("OID4VCI-offer-pre-authorized")
def offer_pre_authorized(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if not (200 <= (step.status or 0) < 300):
            yield live.status(service, ctx, step, "a 2xx answer with the credential offer")
            return
        yield from live.object_body(service, ctx, step)
        if not isinstance(step.body, dict):
            return
        offer = step.body
        identifier = service.service.endpoint
        yield from _member(ctx, service, step, "credential_issuer", f"the credential issuer identifier {identifier}",
                           lambda v: isinstance(v, str) and v.rstrip("/") == identifier.rstrip("/"))
        known = _metadata(service).get("credential_configurations_supported")
        known = set(known) if isinstance(known, dict) else None
        yield from _member(ctx, service, step, "credential_configuration_ids",
                           "a non-empty array of configuration ids the issuer metadata defines",
                           lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, str) for i in v)
                           and (known is None or all(i in known for i in v)))
        grants = offer.get("grants")
        grant = grants.get("urn:ietf:params:oauth:grant-type:pre-authorized_code") \
            if isinstance(grants, dict) else None
        if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str) \
                or not grant["pre-authorized_code"]:
            yield ctx.fail(at(service, step, "/response/body/grants"),
                           expected="a urn:ietf:params:oauth:grant-type:pre-authorized_code grant with a "
                                    "pre-authorized_code string", found=grants if grants is not None else MISSING)
    yield from _one(subject, ctx, "offer", _offer_name(subject), judge)


def _offer_name(subject: Subject) -> str:
    service = _subject(subject)
    if service is None:
        return "create"
    step = next((s for s in service.transcript.steps if s.flow == "offer"), None)
    return step.name if step is not None else "create"


# --- token -------------------------------------------------------------------------------------------------------

@check("OID4VCI-token-issued")
def token_issued(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 with an access token")
            return
        yield from live.object_body(service, ctx, step)
        if isinstance(step.body, dict):
            yield from _member(ctx, service, step, "access_token", "an access token string",
                               lambda v: isinstance(v, str) and bool(v))
            yield from _member(ctx, service, step, "token_type", "a token_type string (Bearer or DPoP)",
                               lambda v: isinstance(v, str) and bool(v))
    yield from _one(subject, ctx, "token", "pre-authorized-code", judge)


@check("OID4VCI-token-no-store")
def token_no_store(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _one(subject, ctx, "token", "pre-authorized-code", lambda s, st: _no_store(ctx, s, st))


@check("OID4VCI-token-wrong-code")
def token_wrong_code(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "token", "wrong-code", "invalid_grant")


@check("OID4VCI-token-code-single-use")
def token_code_single_use(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "token", "reused-code", "invalid_grant")


# --- nonce -------------------------------------------------------------------------------------------------------

@check("OID4VCI-nonce-issued")
def nonce_issued(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 with a c_nonce")
            return
        yield from live.object_body(service, ctx, step)
        if isinstance(step.body, dict):
            yield from _member(ctx, service, step, "c_nonce", "a c_nonce string",
                               lambda v: isinstance(v, str) and bool(v))
    yield from _one(subject, ctx, "nonce", "first", judge, needs_nonce=True)


@check("OID4VCI-nonce-no-store")
def nonce_no_store(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _one(subject, ctx, "nonce", "first", lambda s, st: _no_store(ctx, s, st), needs_nonce=True)


def _c_nonce(step: Step | None) -> Any:
    return step.body.get("c_nonce") if step is not None and isinstance(step.body, dict) else None


@check("OID4VCI-nonce-fresh")
def nonce_fresh(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        a, b = _c_nonce(_find(service, "nonce", "first")), _c_nonce(step)
        if not isinstance(a, str) or not isinstance(b, str):
            yield ctx.cant_tell("two nonce answers with a c_nonce string are needed to compare (see "
                                "OID4VCI-nonce-issued)", at(service, step))
        elif a == b:
            yield ctx.fail(at(service, step, "/response/body/c_nonce"), expected="a c_nonce unlike the previous one",
                           found=b, message="two nonce requests get the same c_nonce; expected a fresh, "
                                            "unpredictable value each time")
    yield from _one(subject, ctx, "nonce", "second", judge, needs_nonce=True)


# --- credential --------------------------------------------------------------------------------------------------

@check("OID4VCI-credential-issued")
def credential_issued(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 200:
            yield live.status(service, ctx, step, "200 with the issued credential")
            return
        yield from live.object_body(service, ctx, step)
        if isinstance(step.body, dict) and not issued(step):
            yield from _member(ctx, service, step, "credentials",
                               "a non-empty array of objects, each with a credential member", lambda v: False)
    yield from _one(subject, ctx, "credential", "valid", judge)


def _subject_ids(credential: Any) -> list[Any]:
    """credentialSubject ids of an ldp_vc object, or of a JWT credential's claims (vc claim or top level)."""
    if isinstance(credential, str):

        try:
            payload: Any = decode_compact_jws(credential).payload
        except (PayloadError, ValueError):
            return []
        credential = payload.get("vc", payload) if isinstance(payload.get("vc"), dict) else payload
    if not isinstance(credential, dict):
        return []
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return [s.get("id", MISSING) if isinstance(s, dict) else MISSING for s in subjects]


@check("OID4VCI-credential-bound")
def credential_bound(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        holder = step.expect.get("holder")
        credentials = issued(step)
        if not credentials:
            yield ctx.cant_tell("no credential came back to judge (see OID4VCI-credential-issued)", at(service, step))
            return
        for index, credential in credentials:
            ids = _subject_ids(credential)
            if not ids or any(i != holder for i in ids):
                yield ctx.fail(at(service, step, f"/response/body/credentials/{index}/credential/credentialSubject"),
                               expected=f"credentialSubject id {holder} (the key the proof was signed with)",
                               found=ids[0] if len(ids) == 1 else (ids or MISSING),
                               message=f"the issued credential's subject is "
                                       f"{describe(ids[0]) if len(ids) == 1 else ids}; expected the holder "
                                       f"{holder} whose key proof the request carried")
    yield from _one(subject, ctx, "credential", "valid", judge)


@check("OID4VCI-credential-requires-token")
def credential_requires_token(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step) -> Iterator[Finding]:
        if step.status != 401:
            yield live.status(service, ctx, step, "401 (no access token was sent)")
    yield from _one(subject, ctx, "credential", "no-access-token", judge)


@check("OID4VCI-proof-missing")
def proof_missing(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "no-proof", "invalid_proof")


@check("OID4VCI-proof-wrong-nonce")
def proof_wrong_nonce(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "wrong-nonce", "invalid_nonce", needs_nonce=True)


@check("OID4VCI-proof-wrong-aud")
def proof_wrong_aud(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "wrong-aud", "invalid_proof")


@check("OID4VCI-proof-bad-signature")
def proof_bad_signature(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "bad-signature", "invalid_proof")


@check("OID4VCI-proof-wrong-typ")
def proof_wrong_typ(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "wrong-typ", "invalid_proof")


@check("OID4VCI-unknown-configuration")
def unknown_configuration(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "unknown-configuration", "unknown_credential_configuration")


@check("OID4VCI-malformed-request")
def malformed_request(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _refusal(subject, ctx, "credential", "not-json", "invalid_credential_request")
