"""The suite as a VC API exchange server, for testing wallets the way education wallets are reached: a deep link.

Each test session is one exchange at `{base}/x/{session}`; the wallet is handed a link to it in one of the two forms
the DCC Learner Credential Wallet understands (wallets-exchange.md §1.5):

    dccrequest://request?issuer=...&vc_request_url=...&challenge=...&auth_type=bearer
        the "request" form: the wallet signs a DID authentication presentation with the link's challenge and POSTs
        it to vc_request_url, and gets its credential back
    dccrequest://request?request={"credentialRequestOrigin": ..., "protocols": {"vcapi": exchange URL}}
        the "protocols" form: the wallet POSTs {} to the vcapi URL, gets a DIDAuthentication verifiable presentation
        request (challenge, domain, interact.service naming where to answer), POSTs a presentation signed for them
        and gets its credential back

Routes:
    POST /x/{session}            {} -> the request; a presentation -> the credential (in a presentation)
    GET  /x/{session}            405 (recorded: a wallet is expected to POST)
    POST /x/{session}/present    where interact.service sends the answer (a presentation -> the credential)

Like the OpenID4VCI test issuer this server is lenient: it answers every presentation with a credential, so one
defect of the wallet does not hide the next; the rules (conformance/standards/vcalm/wallet.py) judge what the wallet
sent. What the redacted record cannot show (whether the presentation's proof verifies, its challenge, domain and
purpose, the DID its verification method belongs to, what the suite asked for) goes into `request.observed`.

Hostile session: `tampered-credential` answers with a credential whose proof no longer verifies; a conformant
wallet does not store it.

Query session: `query-by-example` asks, beside DIDAuthentication, for one credential by a QueryByExample whose example
names the badge the wallet received in session `protocols-link` (its id, type and issuer), so the badge of
`request-link` it also holds matches nothing; `observed.credentials` lists what the presentation carries (id, type,
whether it matches the example, whether its proof still verifies).
"""
from __future__ import annotations

import copy
import json
import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from conformance.standards.oid4vci.counterparty import ISSUER_KEY, TEMPLATE, UNBOUND_SUBJECT
from conformance.support.exchange import observations
from conformance.support.exchange.server import Answer, Call, CounterpartyServer, Route
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document

LINK_SCHEME = "dccrequest://request"
SERVICE_TYPE = "UnmediatedPresentationService2021"
NO_STORE = {"cache-control": "no-store"}
PRESENTATION_CONTEXT = "https://www.w3.org/ns/credentials/v2"


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    form: str                            # "request" (issuer / vc_request_url / challenge) or "protocols" ({"vcapi"})
    hostile: str = ""                    # "", "tampered-credential"
    asks_for: str = ""                   # the session whose badge a QueryByExample asks the wallet to present


SESSIONS = (Session("request-link", "request"), Session("protocols-link", "protocols"),
            Session("tampered-credential", "protocols", hostile="tampered-credential"),
            Session("query-by-example", "protocols", asks_for="protocols-link"))
MAX_PRESENTED = 20                       # credentials of one presentation the suite looks at


def parse_link(link: str) -> dict[str, Any]:
    """The parameters of a deep link in either form: {"form": "request", issuer, vc_request_url, challenge,
    auth_type} or {"form": "protocols", credentialRequestOrigin, protocols}; ValueError for anything else."""

    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if "request" in query:
        value = json.loads(query["request"])
        if not isinstance(value, dict) or not isinstance(value.get("protocols"), dict):
            raise ValueError("the request parameter is not an object with protocols")
        return {"form": "protocols", **value}
    if "vc_request_url" in query:
        return {"form": "request", **query}
    raise ValueError("the link carries neither request nor vc_request_url")


@dataclass
class _Live:
    session: Session
    challenge: str
    domain: str | None                  # what the request asks the proof to name (None in the request form)
    example: dict[str, Any] | None = None   # the QueryByExample's example (sessions with asks_for)
    example_of: str | None = None       # the session whose badge the example names (None: none was delivered)


def matches_example(example: Any, value: Any) -> bool:
    """Whether `value` has everything `example` names: objects member by member, every item of an example list among
    the value's items, and a single example value equal to the value or among its items ("type": "X" in [..., "X"])."""
    if isinstance(example, dict):
        return isinstance(value, dict) and all(k in value and matches_example(v, value[k]) for k, v in example.items())
    if isinstance(example, list):
        items = value if isinstance(value, list) else [value]
        return all(any(matches_example(e, item) for item in items) for e in example)
    return example == value or (isinstance(value, list) and example in value)


def observe_credentials(presentation: Any, example: Mapping[str, Any], verifier: Any) -> dict[str, Any]:
    """What a presentation answering a QueryByExample carries: each credential's id and type, whether it matches the
    example and whether its proof still verifies (at most MAX_PRESENTED are looked at)."""
    found = presentation.get("verifiableCredential") if isinstance(presentation, dict) else None
    found = [] if found is None else found if isinstance(found, list) else [found]
    seen: list[dict[str, Any]] = []
    for credential in found[:MAX_PRESENTED]:
        if not isinstance(credential, dict):
            seen.append({"id": None, "type": None, "matches": False,
                         "signature": observations.undecided("the entry is not a JSON object").to_json()})
            continue
        seen.append({"id": credential.get("id"), "type": credential.get("type"),
                     "matches": matches_example(example, credential),
                     "signature": observations.data_integrity(verifier, credential, presentation=False).to_json()})
    return {"credentials": seen, "credentials_total": len(found)}


def observe_presentation(presentation: Any, verifier: Any) -> dict[str, Any]:
    """What a verifier sees of a presentation: its proof's challenge, domain and purpose, whether it verifies
    (challenge and domain are compared by the rules, not here), its holder and the DID of its key."""
    if not isinstance(presentation, dict):
        return {"presentation": False, "note": "the answer carries no presentation object"}
    proofs = presentation.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and proofs else proofs
    observed: dict[str, Any] = {"presentation": True, "holder": presentation.get("holder"),
                                "proofs": len(proofs) if isinstance(proofs, list) else int(isinstance(proofs, dict))}
    if not isinstance(proof, dict):
        return {**observed, "signature": observations.refuted("the presentation carries no proof").to_json()}
    holder = presentation.get("holder")
    observed["holder"] = holder.get("id") if isinstance(holder, dict) else holder
    method = proof.get("verificationMethod")
    observed.update({"challenge": proof.get("challenge"), "domain": proof.get("domain"),
                     "proofPurpose": proof.get("proofPurpose"), "cryptosuite": proof.get("cryptosuite"),
                     "controller": method.split("#", 1)[0] if isinstance(method, str) else None,
                     "signature": observations.data_integrity(verifier, presentation, presentation=True).to_json()})
    return observed


def presentation_of(body: Any) -> Any:
    """The presentation a wallet's message carries: {"verifiablePresentation": ...} or the presentation itself."""
    if isinstance(body, dict):
        if "verifiablePresentation" in body:
            return body["verifiablePresentation"]
        kinds = body.get("type")
        if kinds == "VerifiablePresentation" or (isinstance(kinds, list) and "VerifiablePresentation" in kinds):
            return body
    return None


class WalletTestExchange:
    """The sessions and routes of the suite's exchange server; bind to a server with `attach`."""

    def __init__(self, env: Any) -> None:
        self._env = env
        self._sessions: dict[str, _Live] = {}
        self._issued: dict[str, dict[str, Any]] = {}     # session -> the last intact badge it delivered
        self._lock = threading.Lock()
        self.server: CounterpartyServer | None = None

    def exchange_url(self, session: str) -> str:
        assert self.server is not None
        return self.server.url(f"/x/{session}")

    def origin(self) -> str:
        assert self.server is not None
        return self.server.base_url

    def open(self, session: Session) -> str:
        """Start a session: the deep link to hand the wallet."""
        challenge = secrets.token_urlsafe(18)
        domain = None if session.form == "request" else self.origin()
        live = _Live(session, challenge, domain)
        if session.asks_for:
            live.example, live.example_of = self._example(session.asks_for)
        with self._lock:
            self._sessions[session.name] = live
        url = self.exchange_url(session.name)
        if session.form == "request":
            return f"{LINK_SCHEME}?" + urlencode({"issuer": self.origin(), "vc_request_url": url,
                                                  "challenge": challenge, "auth_type": "bearer"})
        request = {"credentialRequestOrigin": self.origin(), "protocols": {"vcapi": url}}
        return f"{LINK_SCHEME}?request={quote(json.dumps(request, separators=(',', ':')), safe='')}"

    def _example(self, session: str) -> tuple[dict[str, Any], str | None]:
        """The example naming the badge delivered in `session` (any badge of the suite's issuer when there is none)."""

        with self._lock:
            badge = self._issued.get(session)
        example: dict[str, Any] = {"@context": list(TEMPLATE["@context"]),
                                   "type": ["VerifiableCredential", "OpenBadgeCredential"],
                                   "issuer": {"id": suite_key(ISSUER_KEY).did}}
        if badge is None:
            return example, None
        return {**example, "id": badge["id"]}, session

    def _live(self, call: Call) -> _Live | None:
        with self._lock:
            return self._sessions.get(call.params.get("session", ""))

    def _request(self, live: _Live) -> dict[str, Any]:
        request: dict[str, Any] = {"query": [{"type": "DIDAuthentication",
                                              "acceptedMethods": [{"method": "key"}, {"method": "jwk"}]}],
                                   "challenge": live.challenge}
        if live.example is not None:
            request["query"].append({"type": "QueryByExample", "credentialQuery": [
                {"reason": "Present the Open Badge this suite issued to you earlier.", "example": live.example}]})
        if live.domain is not None:
            request["domain"] = live.domain
        request["interact"] = {"service": [{"type": SERVICE_TYPE,
                                            "serviceEndpoint": self.exchange_url(live.session.name) + "/present"}]}
        return request

    def _credential(self, live: _Live, holder: Any) -> dict[str, Any]:

        document = copy.deepcopy(TEMPLATE)
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["name"] = "ler-conformance wallet exchange badge"
        document["issuer"]["id"] = suite_key(ISSUER_KEY).did
        document["credentialSubject"]["id"] = holder if isinstance(holder, str) and holder else UNBOUND_SUBJECT
        document["credentialSubject"]["achievement"]["description"] = \
            "Issued over a VC API exchange by the conformance suite to the wallet under test."
        signed: dict[str, Any] = sign_document(document, [{"key": ISSUER_KEY}], self._env.verifier.canonicalizer)
        if live.session.hostile == "tampered-credential":
            signed["name"] = "ler-conformance wallet exchange badge (altered after signing)"
        else:
            with self._lock:
                self._issued[live.session.name] = signed
        return signed

    # --- handlers -----------------------------------------------------------------------------------------------

    def _answer(self, call: Call, place: str) -> Answer:
        live = self._live(call)
        if live is None:
            return Answer("unknown-session", place, 404, {"type": "about:blank", "title": "no such exchange"})
        name = live.session.name
        expected = {"challenge_asked": live.challenge, "domain_asked": live.domain, "place": place,
                    "received_at": int(call.received_at)}
        if live.example is not None:
            expected.update({"example": live.example, "example_of": live.example_of})
        if call.method != "POST":
            return Answer(name, "get", 405, {"title": "an exchange is driven by POST"}, observed=expected)
        if call.problem or call.form is not None:
            return Answer(name, "garbage", 400, {"title": "the message is not a JSON object"},
                          observed={**expected, "problem": call.problem or "a form body"})
        body = call.json
        if isinstance(body, dict) and not body:
            return Answer(name, "start", 200, {"verifiablePresentationRequest": self._request(live)},
                          headers=NO_STORE, observed=expected)
        presentation = presentation_of(body)
        if presentation is None:
            return Answer(name, "unexpected", 400, {"title": "expected {} or a verifiable presentation"},
                          observed=expected)
        observed = {**expected, **observe_presentation(presentation, self._env.verifier)}
        if live.example is not None:
            observed.update(observe_credentials(presentation, live.example, self._env.verifier))
        holder = observed.get("holder") or observed.get("controller")
        credential = self._credential(live, holder)
        answer = {"verifiablePresentation": {"@context": [PRESENTATION_CONTEXT], "type": ["VerifiablePresentation"],
                                             "verifiableCredential": [credential]}}
        return Answer(name, "present", 200, answer, headers=NO_STORE, observed=observed)

    def routes(self) -> list[Route]:
        return [Route("/x/{session}", ("GET", "POST"), lambda c: self._answer(c, "exchange")),
                Route("/x/{session}/present", ("GET", "POST"), lambda c: self._answer(c, "interact"))]


def expected_of(step_request: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    """The `observed` facts of a recorded request (empty when there are none)."""
    if isinstance(step_request, Mapping):
        observed = step_request.get("observed")
        if isinstance(observed, Mapping):
            return observed
    return {}
