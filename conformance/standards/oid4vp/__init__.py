"""OpenID4VP 1.0 judged live. Verifier side (verifier.py, OID4VP-VERIFIER-*): the subject is a service with role
"oid4vp-verifier" and the checks read the transcript of the wallet flows conformance/standards/oid4vp/flows.py ran
against it. Wallet-side rules (OID4VP-WALLET-*) go in a module of their own beside it; their role joins ROLES."""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject
from conformance.support.exchange.service import ServiceSubject

ROLES = frozenset({"oid4vp-verifier", "oid4vp-wallet"})   # oid4vp-wallet: OID4VP-WALLET-* (wallet.py)


@detects("OID4VP")
def is_oid4vp_service(subject: Subject) -> bool:
    # only a service the user named in a targets file: a document can never make the suite call anything
    return isinstance(subject, ServiceSubject) and subject.service.role in ROLES


from conformance.standards.oid4vp import verifier, wallet  # noqa: F401  (registers the checks)
