"""Securing Verifiable Credentials using JOSE and COSE: rules for vc+jwt / vp+jwt (prefix VCJOSE10)."""
from __future__ import annotations

from conformance.model.subjects import Subject
from conformance.registry import detects


@detects("VCJOSE10")
def claims_vc_jose(subject: Subject) -> bool:
    jwt = subject.payload.jwt
    return jwt is not None and jwt.style == "vc-jose"
