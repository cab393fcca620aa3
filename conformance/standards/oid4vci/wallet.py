"""OID4VCI-WALLET checks: pure reads of what a wallet asked of the suite's credential issuer (role "oid4vci-wallet";
conformance/standards/oid4vci/wallet_flows.py ran the sessions, conformance/standards/oid4vci/counterparty.py answered).

failed = what the wallet sent (or, for the storing rules, what it reported) breaks the rule; error = the sessions
could not run, or the driver could not reach the wallet; cantTell = the wallet never got as far as the request the
rule is about, or only the wallet (or a person looking at it) could say what it did with a credential.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.core.checks import MISSING, CheckContext, check, describe
from conformance.core.findings import Finding
from conformance.core.subject import Subject
from conformance.core.transcript import LiveSubject, Step
from conformance.standards import live, wallets
from conformance.standards.live import at
from conformance.standards.oid4vci.counterparty import (
    CONFIGURATION_ID,
    PRE_AUTH_GRANT,
    PROOF_TYP,
    secret_label,
)

ROLE = "oid4vci-wallet"
IAT_WINDOW_S = 300
FULL = ("plain", "by-reference")                     # sessions a conformant wallet completes
ALL = ("plain", "by-reference", "issuer-mismatch", "unbound-credential", "tampered-credential")
Judge = Callable[[LiveSubject, str, tuple[Step, ...]], Iterator[Finding]]


def _service(subject: Subject, ctx: CheckContext) -> LiveSubject | Finding:
    return live.service(subject, ctx, ROLE, "the rule applies to a wallet tested over OpenID4VCI")


def _requests(subject: Subject, ctx: CheckContext, sessions: tuple[str, ...], endpoint: str, what: str,
              judge: Callable[[LiveSubject, str, Step], Iterator[Finding]]) -> Iterator[Finding]:
    """Judge each request to `endpoint` in the sessions; cantTell (or error) when none was made in any."""
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    yield from wallets.each_request(service, ctx, sessions, endpoint, what,
                                    lambda name, step: judge(service, name, step))


def _body(step: Step) -> Any:
    return step.request.get("body") if isinstance(step.request, dict) else None


def _proofs(service: LiveSubject, ctx: CheckContext, step: Step) -> Iterator[tuple[int, dict[str, Any]] | Finding]:
    proofs = wallets.observed(step).get("proofs")
    if not isinstance(proofs, list) or not proofs:
        yield ctx.fail(at(service, step, "/request/body/proofs"), expected="a JWT key proof (proofs.jwt)",
                       found=MISSING, message=f"{step.label}: the credential request carries no JWT key proof")
        return
    for index, proof in enumerate(proofs):
        if not isinstance(proof, dict) or not proof.get("decoded"):
            note = proof.get("note", "") if isinstance(proof, dict) else ""
            yield ctx.fail(at(service, step, f"/request/observed/proofs/{index}"), expected="a compact JWS",
                           found=note, message=f"{step.label}: key proof {index} cannot be decoded: {note}")
        else:
            yield index, proof


def _proof_rule(subject: Subject, ctx: CheckContext,
                judge: Callable[[LiveSubject, Step, int, dict[str, Any]], Iterator[Finding]]) -> Iterator[Finding]:
    """Judge each decoded key proof of each credential request (in every session)."""
    def each(service: LiveSubject, name: str, step: Step) -> Iterator[Finding]:
        for item in _proofs(service, ctx, step):
            if isinstance(item, Finding):
                yield item
            else:
                yield from judge(service, step, *item)
    yield from _requests(subject, ctx, ALL, "credential", "credential request", each)


def _where(service: LiveSubject, step: Step, index: int, rest: str) -> str:
    return at(service, step, f"/request/observed/proofs/{index}{rest}")


# --- discovery and offer -------------------------------------------------------------------------------------------

@check("OID4VCI-WALLET-metadata-fetched")
def metadata_fetched(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, driver = wallets.session(service, "plain")
    token = next((i for i, s in enumerate(steps) if s.name == "token"), None)
    before = steps if token is None else steps[:token]
    reads = [s for s in before if s.name == "issuer-metadata"]
    if any(wallets.observed(s).get("form") == "inserted" for s in reads):
        return
    if reads:
        yield ctx.fail(at(service, reads[0], "/url"), expected="the well-known URL with the path inserted after "
                       "the host", found=reads[0].url, message=f"{reads[0].label}: the wallet reads the metadata at "
                       f"{reads[0].url}, the well-known segment appended to the issuer path; expected it inserted "
                       "after the host")
    elif token is not None or wallets.finished(driver):
        where = at(service, steps[token]) if token is not None else at(service, driver) if driver else ""
        yield ctx.fail(where, expected="GET of the credential issuer metadata before the token request",
                       found=MISSING, message="session plain: the wallet "
                       + ("asks for a token" if token is not None else "finishes the session")
                       + " without reading the credential issuer metadata")
    else:
        yield wallets.absent(service, ctx, "plain", driver, "request")


@check("OID4VCI-WALLET-offer-by-reference")
def offer_by_reference(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, driver = wallets.session(service, "by-reference")
    fetched = [s for s in steps if s.name == "offer"]
    if any(s.method == "GET" for s in fetched):
        return
    if fetched:
        yield ctx.fail(at(service, fetched[0], "/method"), expected="GET", found=fetched[0].method,
                       message=f"{fetched[0].label}: the wallet fetches the offer with {fetched[0].method}; "
                               "expected GET")
    elif steps or wallets.finished(driver):
        yield ctx.fail(at(service, driver) if driver else "", expected="GET of the credential_offer_uri",
                       found=MISSING, message="session by-reference: the wallet finishes without fetching the "
                                              "offer its credential_offer_uri names")
    else:
        yield wallets.absent(service, ctx, "by-reference", driver, "request")


# --- token -------------------------------------------------------------------------------------------------------

def _form(step: Step) -> dict[str, Any]:
    body = _body(step)
    return body if isinstance(body, dict) else {}


@check("OID4VCI-WALLET-token-pre-authorized")
def token_pre_authorized(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, name: str, step: Step) -> Iterator[Finding]:
        headers = step.request.get("headers", {}) if isinstance(step.request, dict) else {}
        kind = str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            yield ctx.fail(at(service, step, "/request/headers/content-type"),
                           expected="application/x-www-form-urlencoded", found=kind or MISSING,
                           message=f"{step.label}: the token request is sent as {kind or 'no media type'}; "
                                   "expected a form (application/x-www-form-urlencoded)")
            return
        form = _form(step)
        if form.get("grant_type") != PRE_AUTH_GRANT:
            yield ctx.fail(at(service, step, "/request/body/grant_type"), expected=PRE_AUTH_GRANT,
                           found=form.get("grant_type", MISSING),
                           message=f"{step.label}: grant_type is {describe(form.get('grant_type', MISSING))}; "
                                   f"expected {PRE_AUTH_GRANT}")
        code = form.get("pre-authorized_code", MISSING)
        if code != secret_label("pre-authorized-code", name):
            yield ctx.fail(at(service, step, "/request/body/pre-authorized_code"),
                           expected=f"the code offered in session {name}", found=code,
                           message=f"{step.label}: the token request does not carry the pre-authorized code the "
                                   "offer gave")
    yield from _requests(subject, ctx, ("plain",), "token", "token request", judge)


@check("OID4VCI-WALLET-token-tx-code")
def token_tx_code(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, name: str, step: Step) -> Iterator[Finding]:
        value = _form(step).get("tx_code", MISSING)
        if value != secret_label("tx-code", name):
            yield ctx.fail(at(service, step, "/request/body/tx_code"),
                           expected="the transaction code the user was given", found=value,
                           message=f"{step.label}: the offer asks for a transaction code and the token request "
                                   + ("carries none" if value is MISSING else "carries another value"))
    yield from _requests(subject, ctx, ("by-reference",), "token", "token request", judge)


# --- key proof ---------------------------------------------------------------------------------------------------

@check("OID4VCI-WALLET-proof-nonce")
def proof_nonce(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        steps = service.flow(step.flow)
        earlier = steps[:steps.index(step)] if step in steps else ()
        nonces = [s.body.get("c_nonce") for s in earlier if s.name == "nonce" and isinstance(s.body, dict)]
        claimed = proof.get("claims", {}).get("nonce", MISSING)
        if not nonces:
            yield ctx.fail(at(service, step), expected="a nonce request before the credential request",
                           found=claimed, message=f"{step.label}: the wallet asks for no c_nonce before the "
                                                  "credential request")
        elif claimed not in nonces:
            # any c_nonce of the session will do: the issuer, not the wallet, decides when an older one is spent
            yield ctx.fail(_where(service, step, index, "/claims/nonce"),
                           expected=f"a c_nonce the issuer gave in the session ({', '.join(map(str, nonces))})",
                           found=claimed, message=f"{step.label}: key proof {index} carries "
                           + ("no nonce" if claimed is MISSING else "a nonce the issuer never gave"))
    yield from _proof_rule(subject, ctx, judge)


@check("OID4VCI-WALLET-proof-typ")
def proof_typ(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        typ = proof.get("header", {}).get("typ", MISSING)
        if typ != PROOF_TYP:
            yield ctx.fail(_where(service, step, index, "/header/typ"), expected=PROOF_TYP, found=typ,
                           message=f"{step.label}: key proof {index} has typ {describe(typ)}; expected {PROOF_TYP}")
    yield from _proof_rule(subject, ctx, judge)


@check("OID4VCI-WALLET-proof-aud")
def proof_aud(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        expected = wallets.observed(step).get("credential_issuer")
        aud = proof.get("claims", {}).get("aud", MISSING)
        if aud != expected and not (isinstance(aud, list) and aud == [expected]):
            yield ctx.fail(_where(service, step, index, "/claims/aud"), expected=str(expected), found=aud,
                           message=f"{step.label}: key proof {index} has aud {describe(aud)}; expected the credential "
                                   f"issuer identifier {expected}")
    yield from _proof_rule(subject, ctx, judge)


@check("OID4VCI-WALLET-proof-iat")
def proof_iat(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        iat = proof.get("claims", {}).get("iat", MISSING)
        received = wallets.observed(step).get("received_at")
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            shown = describe(iat) if iat is not MISSING else "absent"
            yield ctx.fail(_where(service, step, index, "/claims/iat"), expected="a NumericDate", found=iat,
                           message=f"{step.label}: key proof {index} has iat {shown}; expected the time it was made")
        elif isinstance(received, int) and abs(iat - received) > IAT_WINDOW_S:
            yield ctx.fail(_where(service, step, index, "/claims/iat"),
                           expected=f"within {IAT_WINDOW_S} s of {received}", found=iat,
                           message=f"{step.label}: key proof {index} has iat {iat}, {int(iat - received)} s from the "
                                   f"time the request came; expected within {IAT_WINDOW_S} s")
    yield from _proof_rule(subject, ctx, judge)


@check("OID4VCI-WALLET-proof-key")
def proof_key(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        header = proof.get("header", {})
        named = [k for k in ("kid", "jwk", "x5c") if k in header]
        if len(named) != 1:
            yield ctx.fail(_where(service, step, index, "/header"), expected="exactly one of kid, jwk (or x5c)",
                           found=named, message=f"{step.label}: key proof {index} names its key "
                           + (f"{len(named)} ways ({', '.join(named)})" if named else "nowhere")
                           + "; expected exactly one")
        elif isinstance(header.get("jwk"), dict) and "d" in header["jwk"]:
            yield ctx.fail(_where(service, step, index, "/header/jwk/d"), expected="a public JWK",
                           found="[redacted]", message=f"{step.label}: key proof {index} carries its private key "
                                                       "in the header's jwk")
    yield from _proof_rule(subject, ctx, judge)


@check("OID4VCI-WALLET-proof-signature")
def proof_signature(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, step: Step, index: int, proof: dict[str, Any]) -> Iterator[Finding]:
        seen = wallets.verification(proof.get("signature"))
        where = _where(service, step, index, "/signature")
        undecided = wallets.unverified(ctx, seen, where, f"{step.label}: key proof {index}'s signature")
        if undecided is not None:
            yield undecided
        elif not seen.verifies:
            yield ctx.fail(where, expected="a signature that verifies", found=seen.verdict,
                           message=f"{step.label}: key proof {index}'s signature does not verify with the key its "
                                   f"header names ({seen.note})")
    yield from _proof_rule(subject, ctx, judge)


# --- credential request ------------------------------------------------------------------------------------------

@check("OID4VCI-WALLET-credential-configuration")
def credential_configuration(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, name: str, step: Step) -> Iterator[Finding]:
        body = _body(step)
        value = body.get("credential_configuration_id", MISSING) if isinstance(body, dict) else MISSING
        if value != CONFIGURATION_ID:
            yield ctx.fail(at(service, step, "/request/body/credential_configuration_id"), expected=CONFIGURATION_ID,
                           found=value, message=f"{step.label}: the credential request names "
                           f"{describe(value) if value is not MISSING else 'no configuration'}; expected the "
                           f"offered {CONFIGURATION_ID}")
    yield from _requests(subject, ctx, ALL, "credential", "credential request", judge)


@check("OID4VCI-WALLET-access-token")
def access_token(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    def judge(service: LiveSubject, name: str, step: Step) -> Iterator[Finding]:
        headers = step.request.get("headers", {}) if isinstance(step.request, dict) else {}
        value = headers.get("authorization", MISSING)
        if value != "Bearer " + secret_label("access-token", name):
            yield ctx.fail(at(service, step, "/request/headers/authorization"),
                           expected=f"Bearer and the access token issued in session {name}", found=value,
                           message=f"{step.label}: the credential request "
                           + ("has no Authorization header" if value is MISSING
                              else "does not present the session's access token as a Bearer token"))
    yield from _requests(subject, ctx, ALL, "credential", "credential request", judge)


# --- what the wallet does with what it is given ------------------------------------------------------------------

@check("OID4VCI-WALLET-refuses-issuer-mismatch")
def refuses_issuer_mismatch(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, driver = wallets.session(service, "issuer-mismatch")
    requested = [s for s in steps if s.name == "credential"]
    if requested:
        yield ctx.fail(at(service, requested[0]), expected="no credential request after metadata naming another "
                       "issuer", found="a credential request",
                       message=f"{requested[0].label}: the wallet asks for a credential although the metadata "
                               "names another credential issuer than the offer")
    elif not any(s.name == "issuer-metadata" for s in steps) and not wallets.finished(driver):
        yield wallets.absent(service, ctx, "issuer-mismatch", driver, "request")


def _stored(subject: Subject, ctx: CheckContext, session: str, want: bool) -> Iterator[Finding]:
    service = _service(subject, ctx)
    if isinstance(service, Finding):
        yield service
        return
    steps, _ = wallets.session(service, session)
    issued = next((s for s in steps if s.name == "credential" and s.status == 200), None)
    yield from wallets.stored(service, ctx, session, want, issued, "credential request")


@check("OID4VCI-WALLET-refuses-unbound-credential")
def refuses_unbound(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _stored(subject, ctx, "unbound-credential", False)


@check("OID4VCI-WALLET-refuses-tampered-credential")
def refuses_tampered(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _stored(subject, ctx, "tampered-credential", False)


@check("OID4VCI-WALLET-accepts-valid-credential")
def accepts_valid(subject: Subject, ctx: CheckContext) -> Iterator[Finding]:
    yield from _stored(subject, ctx, "plain", True)
