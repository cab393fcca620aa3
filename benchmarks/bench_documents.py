"""BENCH documents: checking OB 3.0 credentials with the data-model profile, against the naive baseline.

Suite: the runner over in-memory documents (pinned contexts served from memory, skeleton-memoised safe-mode
expansion, compiled jsonschema-rs schema, ~150 pure checks). Baseline: for each document, pyld expansion with
pyld's own default document loader (it fetches every context over HTTP, here from a loopback server holding the
pinned bytes, and re-processes it every time) and `jsonschema.validate` (which re-checks the schema each call).
Both run serially on one core in this process, on the same documents.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
from pyld import jsonld
from pyld.documentloader.requests import requests_document_loader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import SCHEMA, corpus  # noqa: E402

from conformance.core.findings import Verdict  # noqa: E402
from conformance.run.environment import Environment  # noqa: E402
from conformance.run.runner import Runner  # noqa: E402
from conformance.run.targets.files import BytesTarget  # noqa: E402


def serve_contexts(env: Environment) -> tuple[ThreadingHTTPServer, str]:
    pinned = {pin.url: env.store.get(pin.url) for pin in env.store.pins.values() if pin.kind == "context"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pinned.get("https://" + self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def naive_verdict(document: dict, loader, validate) -> Verdict:  # noqa: ANN001
    """Undefined terms (pyld drops them or leaves relative types) or a schema violation make a document fail."""
    dropped: list[str | None] = []
    failed = False
    try:
        expanded = jsonld.expand(document, {"documentLoader": loader, "base": None}, on_property_dropped=dropped.append)
        failed = bool(dropped) or _relative_types(expanded)
    except jsonld.JsonLdError:
        failed = True
    try:
        validate(document)
    except jsonschema.ValidationError:
        failed = True
    return Verdict.FAIL if failed else Verdict.PASS


def baseline(documents: list[dict], schema: dict, loopback: str) -> tuple[list[Verdict], float]:
    """The naive path, timed: pyld's default loader over HTTP and jsonschema.validate for every document."""
    default_loader = requests_document_loader()

    def loader(url: str, options: dict | None = None) -> dict:
        return default_loader(url.replace("https://", loopback, 1), options or {})

    def validate(document: dict) -> None:
        jsonschema.validate(document, schema, cls=jsonschema.Draft201909Validator,
                            format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)

    started = time.perf_counter()
    verdicts = [naive_verdict(d, loader, validate) for d in documents]
    return verdicts, time.perf_counter() - started


def reference_verdicts(documents: list[dict], schema: dict, env: Environment) -> list[Verdict]:
    """The same judgement with the same libraries, untimed and faster (contexts from memory, compiled schema),
    so that every document's verdict is compared, not only the timed sample."""
    pinned = {pin.url: json.loads(env.store.get(pin.url)) for pin in env.store.pins.values() if pin.kind == "context"}

    def loader(url: str, options: dict | None = None) -> dict:
        return {"contextUrl": None, "documentUrl": url, "document": pinned[url], "tag": "static"}

    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)

    def validate(document: dict) -> None:
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is not None:
            raise error

    return [naive_verdict(d, loader, validate) for d in documents]


def _relative_types(expanded: object) -> bool:
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for t in item.get("@type", []) if isinstance(item.get("@type"), list) else []:
                if isinstance(t, str) and ":" not in t:
                    return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--baseline-sample", type=int, default=200,
                        help="time the naive baseline on the first N documents (it runs at a few documents per "
                             "second); every document's verdict is still compared")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})      # one core, as the goal states

    env = Environment.create()
    missing = env.store.missing()
    if missing:
        sys.exit(f"{len(missing)} pinned artifacts are missing; set LER_CONFORMANCE_ARTIFACTS or run artifacts fetch")
    pairs = corpus(args.count, args.seed)
    documents = [doc for doc, _ in pairs]
    payloads = [json.dumps(doc).encode() for doc in documents]
    runner = Runner(env, env.profile("data-model"))

    started = time.perf_counter()
    ours = [next(iter(runner.run([BytesTarget(f"cred-{i}", data, "c.json")]))).verdict
            for i, data in enumerate(payloads)]
    suite_seconds = time.perf_counter() - started

    sample = documents[: args.baseline_sample]
    schema = json.loads(env.store.get(SCHEMA))
    server, loopback = serve_contexts(env)
    try:
        timed, baseline_seconds = baseline(sample, schema, loopback)
    finally:
        server.shutdown()
    theirs = timed + reference_verdicts(documents[len(sample):], schema, env)

    rate = len(documents) / suite_seconds
    baseline_rate = len(sample) / baseline_seconds
    disagreements = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    seeded = sum(1 for _, defect in pairs if defect)
    print(f"documents={len(documents)} seeded_defects={seeded} suite_fail={ours.count(Verdict.FAIL)} "
          f"baseline_fail={theirs.count(Verdict.FAIL)} verdict_disagreements={len(disagreements)} "
          f"baseline_timed_on={len(sample)} expansion_memo_hits={env.expander.hits} misses={env.expander.misses}")
    for i in disagreements[:5]:
        print(f"  disagreement on document {i}: suite={ours[i]} baseline={theirs[i]} defect={pairs[i][1]}")
    print(f"BENCH documents rate={rate:.0f} baseline={baseline_rate:.1f} ratio={rate / baseline_rate:.1f}")


if __name__ == "__main__":
    main()
