"""What both peer test modules share: the signers, the pinned contexts they load, and the documents they sign and
verify (each issued by the signing suite key's did:key)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.support.securing.keys.testkeys import SuiteKey, suite_key
from tests.conftest import REPO
from tests.documents import V2, minimal_badge

EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


@dataclass(frozen=True)
class Signer:
    case: str
    key_name: str
    cryptosuite: str

    @property
    def key(self) -> SuiteKey:
        return suite_key(self.key_name)


def pinned_context_paths(env: Any, peer: str) -> dict[str, Path]:
    """Every pinned JSON-LD context's file in the artifact store; a missing one fails the test that needs it."""
    located: dict[str, Path] = {}
    missing: list[str] = []
    for url, pin in env.store.pins.items():
        if pin.kind != "context":
            continue
        path = env.store.locate(url)
        if path is None:
            missing.append(url)
        else:
            located[url] = path.resolve()
    if missing:
        pytest.fail(f"expected every pinned context in the artifact store for the {peer}, found these missing: "
                    f"{', '.join(missing)} (set LER_CONFORMANCE_ARTIFACTS or run `ler-conformance artifacts fetch`)")
    return located


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
