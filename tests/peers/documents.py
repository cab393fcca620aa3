"""The documents both peer test modules sign and verify, each issued by the given suite key's did:key."""
from __future__ import annotations

import json
from typing import Any

from conformance.keys.testkeys import SuiteKey
from tests.conftest import REPO
from tests.documents import V2, minimal_badge

EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def vc20(key: SuiteKey, *, credential_id: str, learner: str) -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES_V2],
        "id": credential_id,
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": key.did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": learner, "alumniOf": {"name": "The School of Examples"}},
    }


def ob30_minimal(key: SuiteKey) -> dict[str, Any]:
    badge = minimal_badge()
    badge["issuer"]["id"] = key.did
    return badge


def ob30_full(key: SuiteKey) -> dict[str, Any]:
    """The full Open Badges vector (many blank nodes: where RDFC-1.0's hash choice shows), without its proof."""
    badge = json.loads((REPO / "vectors" / "ob" / "3.0" / "valid" / "full.json").read_text(encoding="utf-8"))
    badge.pop("proof")
    badge["issuer"]["id"] = key.did
    return badge
