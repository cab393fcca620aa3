"""BENCH proofs: verifying eddsa-rdfc-2022-signed Open Badges 3.0 credentials, against the naive path.

Suite: `conformance.support.securing.proofs.verify` with did:key resolution, pinned contexts served from memory and bounded RDFC-1.0.
Baseline: pyld with its default document loader (every context fetched over HTTP, here from a loopback server
holding the pinned bytes, and re-processed each time), pyld URDNA2015, SHA-256 and an Ed25519 verify.
Floor: bare Ed25519 verifies of the same signatures over the same hash data. The canonical N-Quads of both paths
(unsecured document and proof configuration) are compared on every document.

Verification runs on a fresh Canonicalizer, so nothing computed while signing is reused. All proofs share one
`created` unless `--distinct-created` gives each its own (then no proof configuration repeats and the suite's
proof-configuration memo never hits).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyld import jsonld
from pyld.documentloader.requests import requests_document_loader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_documents import serve_contexts  # noqa: E402
from corpus import corpus  # noqa: E402

from conformance.run.environment import Environment  # noqa: E402
from conformance.support.securing.keys.testkeys import suite_key  # noqa: E402
from conformance.support.securing.proofs import (  # noqa: E402
    Canonicalizer,
    ControllerDocumentResolver,
    decode_base58btc,
    sign,
    verify,
)

CREATED = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NQUADS = {"algorithm": "URDNA2015", "format": "application/n-quads"}


def proof_config(document: dict) -> tuple[dict, dict]:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in document["proof"].items() if k != "proofValue"}
    config["@context"] = document["@context"]
    return unsecured, config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--baseline-sample", type=int, default=200,
                        help="time the naive baseline on the first N documents; every canonical form is compared")
    parser.add_argument("--distinct-created", action="store_true",
                        help="sign each credential at its own second (no two proof configurations alike)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    env = Environment.create()
    if env.store.missing():
        sys.exit("pinned artifacts are missing; set LER_CONFORMANCE_ARTIFACTS or run `ler-conformance artifacts fetch`")
    signer = Canonicalizer(env.loader)
    key = suite_key("issuer-ed25519")
    documents = []
    for index, (document, defect) in enumerate(corpus(args.count, args.seed)):
        if defect:
            continue                                   # sign only well-formed credentials
        document["issuer"]["id"] = key.did
        created = CREATED - timedelta(seconds=index) if args.distinct_created else CREATED
        documents.append(sign(document, key.private_key, cryptosuite="eddsa-rdfc-2022",
                              verification_method=key.vm_id, purpose="assertionMethod", created=created,
                              canonicalizer=signer))
    resolver = ControllerDocumentResolver()
    canonicalizer = Canonicalizer(env.loader)          # fresh: no memo or context cache warmed by signing

    started = time.perf_counter()
    results = [verify(d, resolver=resolver, canonicalizer=canonicalizer, now=CREATED) for d in documents]
    suite_seconds = time.perf_counter() - started
    unverified = sum(1 for r in results if not r.verified)

    # naive path, timed on a sample
    server, loopback = serve_contexts(env)
    default_loader = requests_document_loader()

    def naive_loader(url: str, options: dict | None = None) -> dict:
        return default_loader(url.replace("https://", loopback, 1), options or {})

    public = key.public_key
    sample = documents[: args.baseline_sample]
    hash_data: list[bytes] = []
    started = time.perf_counter()
    try:
        for document in sample:
            unsecured, config = proof_config(document)
            options = {**NQUADS, "documentLoader": naive_loader}
            data = (hashlib.sha256(jsonld.normalize(config, options).encode()).digest()
                    + hashlib.sha256(jsonld.normalize(unsecured, options).encode()).digest())
            public.verify(decode_base58btc(document["proof"]["proofValue"]), data)
            hash_data.append(data)
    finally:
        server.shutdown()
    baseline_seconds = time.perf_counter() - started

    # every canonical form, naive pyld (cached contexts, untimed) against the suite's bounded canonicalizer
    cached = {"documentLoader": env.loader, **NQUADS}
    mismatches = sum(1 for d in documents for part in proof_config(d)
                     if jsonld.normalize(part, dict(cached)) != canonicalizer.canonicalize(part))

    signatures = [decode_base58btc(d["proof"]["proofValue"]) for d in sample]
    started = time.perf_counter()
    for signature, data in zip(signatures, hash_data, strict=True):
        public.verify(signature, data)
    floor = len(signatures) / (time.perf_counter() - started)

    rate = len(documents) / suite_seconds
    baseline = len(sample) / baseline_seconds
    print(f"documents={len(documents)} unverified={unverified} nquads_mismatches={mismatches} "
          f"baseline_timed_on={len(sample)} floor_ed25519_verifies_per_s={floor:.0f}")
    print(f"BENCH proofs rate={rate:.0f} baseline={baseline:.1f} ratio={rate / baseline:.1f}")


if __name__ == "__main__":
    main()
