"""A deterministic corpus of Open Badges 3.0 credentials with realistic variety and a few seeded defects.

Defects are kinds that both the suite and the naive baseline detect (an undefined term, a missing required
property, a malformed date), so both must reach the same verdict on every document.
"""
from __future__ import annotations

import random
import uuid
from typing import Any

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ACHIEVEMENT_TYPES = ["Badge", "Certificate", "Course", "Certification", "License", "MicroCredential", "Competency"]
DEFECTS = ("undefined-term", "missing-name", "bad-date")


def credential(rng: random.Random, index: int) -> tuple[dict[str, Any], str | None]:
    issuer_no = rng.randrange(20)
    issuer: dict[str, Any] = {"id": f"https://example.edu/issuers/{issuer_no}", "type": ["Profile"],
                              "name": f"Example College {issuer_no}"}
    if rng.random() < 0.5:
        issuer["url"] = f"https://college{issuer_no}.example.edu"
    achievement: dict[str, Any] = {
        "id": f"https://example.edu/achievements/{rng.randrange(500)}",
        "type": ["Achievement"],
        "name": f"Skill {rng.randrange(10_000)}",
        "description": "Shows the learner can do the thing, assessed in practice.",
        "criteria": {"narrative": f"Completed project {rng.randrange(100)} with a passing score."},
    }
    if rng.random() < 0.7:
        achievement["achievementType"] = rng.choice(ACHIEVEMENT_TYPES)
    for _ in range(rng.randrange(3)):
        achievement.setdefault("alignment", []).append({
            "type": ["Alignment"], "targetName": f"Framework item {rng.randrange(99)}",
            "targetUrl": f"https://frameworks.example.org/items/{rng.randrange(999)}"})
    if rng.random() < 0.4:
        achievement["image"] = {"id": f"https://example.edu/img/{rng.randrange(99)}.png", "type": "Image"}
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement,
                               "id": f"did:example:learner{index}"}
    document: dict[str, Any] = {
        "@context": [V2, OB],
        "id": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer,
        "validFrom": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T10:00:00Z",
        "credentialSubject": subject,
    }
    if rng.random() < 0.3:
        document["validUntil"] = "2030-01-01T00:00:00Z"
    defect = rng.choice(DEFECTS) if rng.random() < 0.06 else None
    if defect == "undefined-term":
        achievement["hoursOfStudy"] = 12
    elif defect == "missing-name":
        del achievement["name"]
    elif defect == "bad-date":
        document["validFrom"] = "last spring"
    return document, defect


def corpus(count: int, seed: int) -> list[tuple[dict[str, Any], str | None]]:
    rng = random.Random(seed)
    return [credential(rng, i) for i in range(count)]
