"""OpenID4VCI 1.0 issuers judged live: the subject is a service with role "oid4vci-issuer" and the checks read the
transcript of the wallet flows conformance/standards/oid4vci/flows.py ran against it. The credential the issuer returned for
the valid request is handed to the document checks (VCDM, DI10, OB30, ...) as an embedded subject."""
from __future__ import annotations

from collections.abc import Iterator

from conformance.core.checks import Embedded, detects, embeds
from conformance.core.subject import Subject
from conformance.standards.oid4vci.checks import issued
from conformance.support.exchange.service import ServiceSubject

ROLES = frozenset({"oid4vci-issuer"})
WALLET_ROLES = frozenset({"oid4vci-wallet"})        # the suite is the issuer; OID4VCI-WALLET-* (wallet.py) judge it


@detects("OID4VCI")
def is_oid4vci_issuer(subject: Subject) -> bool:
    # only a service the user named in a targets file: a document can never make the suite call anything
    return isinstance(subject, ServiceSubject) and subject.service.role in ROLES | WALLET_ROLES


@embeds
def issued_credentials(subject: Subject) -> Iterator[Embedded]:
    if not isinstance(subject, ServiceSubject) or subject.service.role not in ROLES:
        return

    for step in subject.flow("credential"):
        if step.name != "valid":
            continue
        for index, credential in issued(step):
            if isinstance(credential, dict):       # ldp_vc: the credential is the JSON object itself
                yield Embedded(subject.transcript.pointer(step, f"/response/body/credentials/{index}/credential"),
                               credential, encoding="document")


from conformance.standards.oid4vci import checks, wallet  # noqa: F401  (registers the checks)
