"""VCALM exchanges, the suite acting as the exchange client (the wallet) of a vendor's exchange service.

A service with role "exchange" names a workflow: `endpoint` is the workflow's URL and the suite creates each
exchange it needs with `POST {endpoint}/exchanges` `{"ttl": seconds}` (or at `options.exchanges_url` when the
service creates exchanges elsewhere). The answer names the new exchange by its `Location` header or by an
`exchangeId` / `id` / `exchange` member (absolute, or relative to the creation URL). Fresh exchanges per run mean
no state is shared between runs, and the expired case needs no operator help.

Flows (each exchange is the suite's own):
    exchange-create        POST {exchanges}  {"ttl": ...}            -> the exchange URL (a, b, c, expired)
    exchange-start         POST {exchange}   {}                      -> a verifiable presentation request (a, b, c)
    exchange-request       GET  {a}/request  twice                   -> the same request, nothing changed
    exchange-protocols     GET  {a}/protocols (Accept: application/json) -> {"protocols": {"vcapi": URL, ...}}
    exchange-wrong-domain  POST {b}  a presentation signed for another domain          -> 4xx
    exchange-present       POST {a}  the presentation the request asks for             -> 2xx
    exchange-replay        POST {a}  the same presentation again                       -> 4xx
    exchange-garbage       POST {c}  not JSON, a JSON array, a presentation that is a number -> 4xx
    exchange-expired       POST {expired} {} after its ttl has passed                  -> 4xx

The presentation carries the suite's signed Open Badges 3.0 credential and is signed by the suite's holder test
key (eddsa-rdfc-2022, proof purpose authentication) with the exchange's challenge and domain.

Options (targets.toml `options`): `exchanges_url`, `ttl_s` (default 900), `expired_ttl_s` (default 1),
`expiry_margin_s` (default 1; the suite waits `expired_ttl_s + expiry_margin_s` before the expired case).
"""
from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.standards.vcalm.flows import HOLDER_KEY, _signed, _suite_did
from conformance.support.exchange.service import auth_headers
from conformance.support.exchange.transcript import exchange, fetch
from conformance.support.securing.signing import sign_document

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject
    from conformance.support.securing.proofs import Canonicalizer

PRESENTATION_ID = "urn:uuid:5e0c9a27-1f3b-4d8e-9a6c-7b2d4e1f0a38"
GARBAGE: tuple[tuple[str, Any, bytes | None], ...] = (
    ("not-json", None, b'{"verifiablePresentation": {"@context": [truncated'),
    ("json-array", [], None),
    ("number-for-presentation", {"verifiablePresentation": 42}, None),
)


def exchange_url(step: Step, created_at: str) -> str | None:
    """The URL of the exchange a creation answer names, or None."""
    if not step.answered or not 200 <= (step.status or 0) < 300:
        return None
    location = next((v for k, v in step.headers if k == "location"), "")
    if not location and isinstance(step.body, dict):
        for member in ("exchangeId", "id", "exchange"):
            value = step.body.get(member)
            if isinstance(value, str) and value:
                location = value
                break
    if not location:
        return None
    return location if location.startswith(("http://", "https://")) else urljoin(created_at + "/", location)


def request_of(step: Step) -> dict[str, Any] | None:
    """The verifiable presentation request an answer carries (wrapped or bare), or None."""
    body = step.body
    if not step.answered or not isinstance(body, dict):
        return None
    inner = body.get("verifiablePresentationRequest", body if "query" in body or "challenge" in body else None)
    return inner if isinstance(inner, dict) else None


def presentation(canonicalizer: Canonicalizer, challenge: str, domain: str) -> dict[str, Any]:
    """The suite's answer to a request: its OB 3.0 credential in a presentation the holder key signs."""

    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": PRESENTATION_ID,
                "type": ["VerifiablePresentation"], "holder": _suite_did(HOLDER_KEY),
                "verifiableCredential": [copy.deepcopy(_signed(canonicalizer))]}
    step: dict[str, Any] = {"key": HOLDER_KEY, "challenge": challenge or None, "domain": domain or None}
    return sign_document(document, [step], canonicalizer)


def _number(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 \
        else default


@flows("exchange")
def run(subject: ServiceSubject, *, sleep: Any = time.sleep) -> Transcript:
    service = subject.service
    client = subject.client
    headers = auth_headers(service.auth, client)
    options = service.options
    creation = str(options.get("exchanges_url") or f"{service.endpoint}/exchanges")
    ttl = _number(options, "ttl_s", 900)
    expired_ttl = _number(options, "expired_ttl_s", 1)
    canonicalizer = subject.env.verifier.canonicalizer
    steps: list[Step] = []

    def create(name: str, seconds: float) -> str | None:
        step = exchange(client, "exchange-create", name, creation, headers=headers, body={"ttl": seconds})
        steps.append(step)
        return exchange_url(step, creation)

    def start(name: str, url: str | None) -> dict[str, Any] | None:
        if url is None:
            return None
        step = exchange(client, "exchange-start", name, url, headers=headers, body={})
        steps.append(step)
        return request_of(step)

    expired_url = create("expired", expired_ttl)          # first, so its ttl runs while the rest is asked
    expired_since = time.monotonic()
    urls = {name: create(name, ttl) for name in ("a", "b", "c")}
    requests = {name: start(name, url) for name, url in urls.items()}
    a, b, c = urls["a"], urls["b"], urls["c"]
    if a is not None:
        for name in ("first", "second"):
            steps.append(fetch(client, "exchange-request", name, f"{a}/request", headers=headers))
        steps.append(fetch(client, "exchange-protocols", "a", f"{a}/protocols", headers=headers))
    if b is not None and requests["b"] is not None:
        challenge, domain = _challenge_domain(requests["b"])
        wrong = presentation(canonicalizer, challenge, "other." + (domain or "ler-conformance.example"))
        steps.append(exchange(client, "exchange-wrong-domain", "b", b, headers=headers,
                              body={"verifiablePresentation": wrong}))
    if a is not None and requests["a"] is not None:
        challenge, domain = _challenge_domain(requests["a"])
        answer = presentation(canonicalizer, challenge, domain)
        steps.append(exchange(client, "exchange-present", "a", a, headers=headers,
                              body={"verifiablePresentation": answer}))
        steps.append(exchange(client, "exchange-replay", "a", a, headers=headers,
                              body={"verifiablePresentation": answer}))
    if c is not None:
        steps += [exchange(client, "exchange-garbage", name, c, headers=headers, body=body, raw=raw)
                  for name, body, raw in GARBAGE]
    if expired_url is not None:
        remaining = expired_ttl + _number(options, "expiry_margin_s", 1) - (time.monotonic() - expired_since)
        if remaining > 0:
            sleep(remaining)
        steps.append(exchange(client, "exchange-expired", "expired", expired_url, headers=headers, body={}))
    return Transcript(tuple(steps))


def _challenge_domain(request: Mapping[str, Any]) -> tuple[str, str]:
    challenge, domain = request.get("challenge"), request.get("domain")
    return (challenge if isinstance(challenge, str) else "", domain if isinstance(domain, str) else "")
