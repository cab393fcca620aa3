"""VCALM (VC API) judged live: the subject is a service (conformance.run.targets.services.ServiceSubject) and the
checks read the transcript of the flows conformance/standards/vcalm/flows.py ran against it. Credentials an issuer returned
are handed to the document checks (VCDM, DI10, OB30, ...) as embedded subjects."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import Embedded, detects, embeds
from conformance.core.subject import Subject
from conformance.support.exchange.service import ServiceSubject

ROLES = frozenset({"issuer", "verifier", "exchange"})
WALLET_ROLES = frozenset({"vcapi-wallet"})          # the suite is the exchange server; VCALM-WALLET-* (wallet.py)


@detects("VCALM")
def is_vcalm_service(subject: Subject) -> bool:
    # only a service the user named in a targets file: a document can never make the suite call anything
    return isinstance(subject, ServiceSubject) and subject.service.role in ROLES | WALLET_ROLES


@embeds
def issued_credentials(subject: Subject) -> Iterator[Embedded]:
    if not isinstance(subject, ServiceSubject) or subject.service.role != "issuer":
        return
    transcript = subject.transcript
    for step in subject.flow("issue-valid"):
        body = step.body
        if step.answered and 200 <= (step.status or 0) < 300 and isinstance(body, dict) \
                and isinstance(body.get("verifiableCredential"), dict):
            yield Embedded(transcript.pointer(step, "/response/body/verifiableCredential"),
                           body["verifiableCredential"], encoding="document")


from conformance.standards.vcalm import checks, exchange, wallet  # noqa: F401  (registers the checks)
