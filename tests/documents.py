"""Small, conformant documents for tests of the faces (CLI, plugin). Vectors hold the real corpus."""
from __future__ import annotations

from typing import Any

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def minimal_badge() -> dict[str, Any]:
    return {
        "@context": [V2, OB],
        "id": "urn:uuid:3f1c9a2e-7d1b-4c55-9c1e-0d9b7a1f2e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Welding Fundamentals",
        "issuer": {"id": "https://example.edu/issuers/7", "type": ["Profile"], "name": "Example College"},
        "validFrom": "2025-06-01T09:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner42", "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.edu/achievements/weld-1", "type": ["Achievement"],
                            "name": "Welding Fundamentals", "description": "Safe MIG and TIG basics.",
                            "criteria": {"narrative": "Passes the practical assessment."}},
        },
    }
