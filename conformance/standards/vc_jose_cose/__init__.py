"""Securing Verifiable Credentials using JOSE and COSE: rules for vc+jwt / vp+jwt (prefix VCJOSE10).

SD-JWT and COSE_Sign1 envelopes are claimed too, so a credential secured that way is recognized as VC-JOSE-COSE;
the suite does not open them yet, and every rule says so as the suite's limitation (cantTell), never a failure.
"""
from __future__ import annotations

from conformance.core.checks import detects
from conformance.core.subject import Subject


@detects("VCJOSE10")
def claims_vc_jose(subject: Subject) -> bool:
    jwt = subject.payload.jwt
    return (jwt is not None and jwt.style == "vc-jose") or subject.payload.media in ("sd-jwt", "cose")
