"""Verifies per second for ES256 and EdDSA (run by hand: python -m tests.support.securing.jose.measure_verify).

Not a test: numbers depend on the machine. Prints one line per algorithm: the full verify_jws path
with the key loaded once, with a fresh key object each call (what a resolver returning a new
cryptography key costs), and the floor, a bare cryptography verify of the same signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from conformance.support.securing.jose import load_public_key, sign_jws, verify_jws
from tests.support.securing.jose.material import ISSUER, NOW, credential, decode, private_key

ROUNDS = 5_000


def rate(operation: Callable[[], object], rounds: int = ROUNDS) -> float:
    operation()
    started = time.perf_counter()
    for _ in range(rounds):
        operation()
    return rounds / (time.perf_counter() - started)


def measure(alg: str, kind: str) -> str:
    claims = {**credential(), "iss": ISSUER, "nbf": NOW}
    key = private_key(kind)
    jws = decode(sign_jws({"alg": alg, "kid": f"{ISSUER}#key-1"}, claims, key))
    public = key.public_key()
    loaded = load_public_key(public)
    assert verify_jws(jws, loaded).verified

    if isinstance(public, ec.EllipticCurvePublicKey):
        half = len(jws.signature) // 2
        der = encode_dss_signature(
            int.from_bytes(jws.signature[:half], "big"), int.from_bytes(jws.signature[half:], "big")
        )

        def floor() -> None:
            public.verify(der, jws.signing_input, ec.ECDSA(hashes.SHA256()))
    else:
        assert isinstance(public, ed25519.Ed25519PublicKey)

        def floor() -> None:
            public.verify(jws.signature, jws.signing_input)

    return (
        f"JOSE {alg} verify_jws rate={rate(lambda: verify_jws(jws, loaded)):,.0f}/s "
        f"fresh-key={rate(lambda: verify_jws(jws, public)):,.0f}/s "
        f"floor={rate(floor):,.0f}/s"
    )


def main() -> None:
    for alg, kind in (("ES256", "P-256"), ("EdDSA", "Ed25519")):
        print(measure(alg, kind))


if __name__ == "__main__":
    main()
