"""VCALM (VC API) flows, the suite acting as client of an issuer or a verifier.

Issuer (POST {endpoint}/credentials/issue):
    issue-valid           an unsigned Open Badges 3.0 credential the suite wrote          -> 201 + credential
    issue-invalid         a credential without @context; a request without a credential -> 4xx problem details
    issue-unknown-option  a valid credential with an option no specification defines    -> 4xx problem details
    hostile               bytes that are not JSON, a JSON array, a number as credential, deep nesting -> never 5xx
Verifier (POST {endpoint}/credentials/verify and /presentations/verify):
    verify-corpus         credentials the suite signed: valid, tampered claim, tampered proof, unknown context
    verify-presentation   a presentation signed with a challenge and domain: matching, wrong challenge, wrong domain
    hostile               as for the issuer
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from conformance.core.checks import flows
from conformance.core.transcript import Step, Transcript
from conformance.support.exchange.service import auth_headers
from conformance.support.exchange.transcript import exchange
from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from conformance.support.templates import document_from_template

if TYPE_CHECKING:
    from conformance.support.exchange.service import ServiceSubject
    from conformance.support.securing.proofs import Canonicalizer

ISSUER_KEY = "issuer-ed25519"
HOLDER_KEY = "holder-ed25519"
UNKNOWN_OPTION = "lerConformanceUnknownOption"
UNKNOWN_CONTEXT = "https://contexts.ler-conformance.invalid/unknown-v1.jsonld"
CHALLENGE = "ler-conformance-challenge-7f3a"
DOMAIN = "verifier.ler-conformance.example"

TEMPLATE: dict[str, Any] = document_from_template("ob30-credential", "live-issuance")


def credential_template(issuer_id: str) -> dict[str, Any]:
    document = copy.deepcopy(TEMPLATE)
    document["issuer"]["id"] = issuer_id or _suite_did(ISSUER_KEY)
    return document


def _suite_did(name: str) -> str:

    return suite_key(name).did


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"nested": value}
    return value


HOSTILE: tuple[tuple[str, Any, bytes | None], ...] = (
    ("not-json", None, b'{"credential": {"@context": [truncated'),
    ("json-array", [], None),
    ("number-for-object", {"credential": 42, "verifiableCredential": 42}, None),
    ("deep-nesting", {"credential": _deep(200), "verifiableCredential": _deep(200)}, None),
)


@flows("issuer", "verifier")
def run(subject: ServiceSubject) -> Transcript:
    service = subject.service
    client = subject.client
    headers = auth_headers(service.auth, client)
    base = service.endpoint
    steps: list[Step] = []
    if service.role == "issuer":
        url = f"{base}/credentials/issue"
        valid = credential_template(service.id)
        steps.append(exchange(client, "issue-valid", "ob30-minimal", url, headers=headers,
                              body={"credential": valid, "options": {}}))
        without_context = {k: v for k, v in valid.items() if k != "@context"}
        steps.append(exchange(client, "issue-invalid", "no-context", url, headers=headers,
                              body={"credential": without_context, "options": {}}))
        steps.append(exchange(client, "issue-invalid", "no-credential", url, headers=headers, body={"options": {}}))
        steps.append(exchange(client, "issue-unknown-option", UNKNOWN_OPTION, url, headers=headers,
                              body={"credential": valid, "options": {UNKNOWN_OPTION: True}}))
        steps += _hostile(subject, url, headers)
    else:
        url = f"{base}/credentials/verify"
        for name, document, verified in corpus(subject.env.verifier.canonicalizer):
            steps.append(exchange(client, "verify-corpus", name, url, headers=headers, expect={"verified": verified},
                                  body={"verifiableCredential": document, "options": {}}))
        vp_url = f"{base}/presentations/verify"
        presentation = signed_presentation(subject.env.verifier.canonicalizer)
        for name, options, verified in (("matching", {"challenge": CHALLENGE, "domain": DOMAIN}, True),
                                        ("wrong-challenge", {"challenge": CHALLENGE + "-other", "domain": DOMAIN},
                                         False),
                                        ("wrong-domain", {"challenge": CHALLENGE, "domain": "other." + DOMAIN},
                                         False)):
            steps.append(exchange(client, "verify-presentation", name, vp_url, headers=headers,
                                  expect={"verified": verified},
                                  body={"verifiablePresentation": presentation, "options": options}))
        steps += _hostile(subject, url, headers)
    return Transcript(tuple(steps))


def _hostile(subject: ServiceSubject, url: str, headers: Mapping[str, str]) -> list[Step]:
    return [exchange(subject.client, "hostile", name, url, headers=headers, body=body, raw=raw)
            for name, body, raw in HOSTILE]


@lru_cache(maxsize=4)
def _signed(canonicalizer: Canonicalizer) -> dict[str, Any]:

    return sign_document(credential_template(""), [{"key": ISSUER_KEY}], canonicalizer)


def corpus(canonicalizer: Canonicalizer) -> tuple[tuple[str, dict[str, Any], bool], ...]:
    """(case, credential, expected verdict): signed by the suite's public test key."""
    valid = _signed(canonicalizer)
    tampered_claim = copy.deepcopy(valid)
    tampered_claim["credentialSubject"]["achievement"]["name"] = "Live Check (altered after signing)"
    tampered_proof = copy.deepcopy(valid)
    value = tampered_proof["proof"]["proofValue"]
    tampered_proof["proof"]["proofValue"] = value[:-4] + ("1111" if not value.endswith("1111") else "2222")
    unknown_context = copy.deepcopy(valid)
    unknown_context["@context"] = [*unknown_context["@context"], UNKNOWN_CONTEXT]
    return (("valid", valid, True), ("tampered-claim", tampered_claim, False),
            ("tampered-proof", tampered_proof, False), ("unknown-context", unknown_context, False))


@lru_cache(maxsize=4)
def signed_presentation(canonicalizer: Canonicalizer) -> dict[str, Any]:

    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": "urn:uuid:9b1f6d2e-4c7a-4f3b-8e5d-2a6c1b0f7e93",
                    "type": ["VerifiablePresentation"], "holder": _suite_did(HOLDER_KEY),
                    "verifiableCredential": [_signed(canonicalizer)]}
    return sign_document(presentation, [{"key": HOLDER_KEY, "challenge": CHALLENGE, "domain": DOMAIN}],
                         canonicalizer)
