"""What the reference host (obapi.py, clrapi.py) and the reference client application (obclient.py, clrclient.py)
share of the two 1EdTech REST APIs, Open Badges 3.0 and CLR 2.0, written here from the specifications.

The reference is a second implementation the suite is tested against, so it takes none of this from the suite's own
flows (conformance/standards/ob/api_v3_0/flows.py) or servers (conformance/standards/ob/api_v3_0/counterparty.py): a misread base path, scope
URL or service description shared by both sides would make the judge and the reference agree by construction. Only
spec-agnostic primitives come from below (signing in conformance.support.securing.signing, keys in conformance.support.securing.keys).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from conformance.support.securing.keys.testkeys import suite_key
from conformance.support.securing.signing import sign_document
from conformance.support.templates import document_from_template

SCOPE_NAMES = ("credential.readonly", "credential.upsert", "profile.readonly")
ISSUER_KEY = "issuer-ed25519"       # the suite's public test key: a credential verifies without fetching anything
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


@dataclass(frozen=True, slots=True)
class Api:
    """One of the two APIs, as far as the reference needs to tell them apart (OB 3.0 §6, CLR 2.0 §6)."""

    prefix: str                  # the requirement prefix of its host rules (the reference's fault tables use it)
    role: str                    # targets.toml role of a host
    client_role: str             # targets.toml role of a client application
    title: str
    base_path: str               # where the specification puts the API
    scope_base: str              # scope URLs are this + credential.readonly | credential.upsert | profile.readonly
    credential_type: str         # what a host stores and lists
    version: str

    @property
    def scopes(self) -> dict[str, str]:
        return {name: self.scope_base + name for name in SCOPE_NAMES}


OB30 = Api("OB30API", "ob-host", "ob-client", "Open Badges 3.0", "/ims/ob/v3p0",
           "https://purl.imsglobal.org/spec/ob/v3p0/scope/", "OpenBadgeCredential", "3.0")
CLR20 = Api("CLR20API", "clr-host", "clr-client", "CLR 2.0", "/ims/clr/v2p0",
            "https://purl.imsglobal.org/spec/clr/v2p0/scope/", "ClrCredential", "2.0")


def discovery(api: Api, base: str, scopes: Mapping[str, str]) -> dict[str, Any]:
    """The OpenAPI 3 service description a host serves unprotected at {base}/discovery
    (shapes/templates/ob-api-discovery.json): the OAuth2ACG security scheme with its URLs under `base`, and `scopes`
    (scope URL -> what it allows)."""
    return document_from_template("ob-api-discovery", base=base, title=api.title, version=api.version,
                                  scopes=dict(scopes))


def s256(verifier: str) -> str:
    """The PKCE S256 code challenge of a verifier (RFC 7636 §4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _badge(identifier: str, name: str) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential the reference's issuer awards its test learner."""
    badge = document_from_template("ob30-credential", "reference-host")
    badge["id"], badge["name"], badge["issuer"]["id"] = identifier, name, suite_key(ISSUER_KEY).did
    return badge


def signed_credential(canonicalizer: Any, api: Api, identifier: str, name: str) -> dict[str, Any]:
    """A signed credential of the API's type (a fresh copy): an OpenBadgeCredential, or a ClrCredential whose
    ClrSubject holds one signed OpenBadgeCredential."""
    return copy.deepcopy(_signed(canonicalizer, api.credential_type, identifier, name))


@lru_cache(maxsize=16)
def _signed(canonicalizer: Any, kind: str, identifier: str, name: str) -> dict[str, Any]:

    badge = _badge(identifier, name)
    if kind != "ClrCredential":
        return sign_document(badge, [{"key": ISSUER_KEY}], canonicalizer)
    badge["id"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, identifier))
    nested = sign_document(badge, [{"key": ISSUER_KEY}], canonicalizer)
    record = {"@context": [VCDM2_CONTEXT, CLR_CONTEXT, OB_CONTEXT], "id": identifier,
              "type": ["VerifiableCredential", "ClrCredential"], "name": name,
              "issuer": copy.deepcopy(nested["issuer"]), "validFrom": nested["validFrom"],
              "credentialSubject": {"id": nested["credentialSubject"]["id"], "type": ["ClrSubject"],
                                    "verifiableCredential": [nested]}}
    return sign_document(record, [{"key": ISSUER_KEY}], canonicalizer)
