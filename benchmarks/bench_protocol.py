"""BENCH protocol: the suite's live VCALM modules driving the reference issuer, verifier and exchange, against bare
httpx requests to the same endpoints in the same run.

Suite: `conformance.support.exchange.service.run_flows` for the issuer, verifier and exchange services (the guarded client with its
address checks, size caps and redacted evidence, the transcript with parsed and redacted bodies), N rounds.
Baseline: one `httpx.Client` sending the same requests in the same order with the same bodies, reading each answer
(JSON parsed where the protocol needs it: the exchange URL, the challenge and domain), N rounds. Both sign the
exchange presentations with the same function, so the difference is what the suite adds per HTTP exchange.
Also timed once: a full protocol run (flows plus every check, the issued credential judged by the document checks),
and a full run of every module against every reference service (the table in conformance/reference: VC API, OB and
CLR hosts, OpenID4VCI issuer, OpenID4VP verifier, and the wallets the suite tests as the other party).

Prints `BENCH protocol rate=<exchanges/s> baseline=<exchanges/s> ratio=<x>` (an exchange = one HTTP request and
its answer), the added milliseconds per exchange, and the full run's seconds. Nothing asserts on time.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conformance.reference.vcalm import ISSUER_KEY, WORKFLOW, serve_vcalm
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.services import ServiceTarget
from conformance.standards.vcalm import flows
from conformance.standards.vcalm.exchange_flows import GARBAGE, presentation
from conformance.support.exchange.service import ServiceConfig, ServiceSubject, run_flows
from conformance.support.net import FetchPolicy, GuardedClient
from conformance.support.securing.keys.testkeys import suite_key

# the expired exchange gets a ttl short enough that the rest of the round outlasts it: no waiting in either path
FAST_EXPIRY = MappingProxyType({"expired_ttl_s": 0.001, "expiry_margin_s": 0.0})


def services(base: str) -> tuple[ServiceConfig, ...]:
    return (ServiceConfig("issuer", base, "reference", id=suite_key(ISSUER_KEY).did),
            ServiceConfig("verifier", base, "reference"),
            ServiceConfig("exchange", f"{base}/workflows/{WORKFLOW}", "reference", options=FAST_EXPIRY))


def suite_round(env: Environment, client: GuardedClient, configs: tuple[ServiceConfig, ...]) -> int:
    count = 0
    for config in configs:
        transcript = run_flows(ServiceSubject(service=config, client=client, env=env))
        if transcript.setup_error:
            raise SystemExit(f"the suite's flows could not start: {transcript.setup_error}")
        count += len(transcript.steps)
    return count


def _post(http: httpx.Client, url: str, body: Any = None, raw: bytes | None = None) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return http.post(url, content=content, headers={"content-type": "application/json",
                                                    "accept": "application/json"})


def baseline_round(http: httpx.Client, env: Environment, base: str) -> int:
    """The suite's requests, in order, as bare httpx calls; returns how many were sent."""
    canonicalizer = env.verifier.canonicalizer
    sent: list[httpx.Response] = []
    issue = f"{base}/credentials/issue"
    valid = flows.credential_template(suite_key(ISSUER_KEY).did)
    without_context = {k: v for k, v in valid.items() if k != "@context"}
    for body in ({"credential": valid, "options": {}}, {"credential": without_context, "options": {}},
                 {"options": {}}, {"credential": valid, "options": {flows.UNKNOWN_OPTION: True}}):
        sent.append(_post(http, issue, body))
    sent += [_post(http, issue, body, raw) for _, body, raw in flows.HOSTILE]
    verify = f"{base}/credentials/verify"
    for _, document, _ in flows.corpus(canonicalizer):
        sent.append(_post(http, verify, {"verifiableCredential": document, "options": {}}))
    signed = flows.signed_presentation(canonicalizer)
    for challenge, domain in ((flows.CHALLENGE, flows.DOMAIN), (flows.CHALLENGE + "-other", flows.DOMAIN),
                              (flows.CHALLENGE, "other." + flows.DOMAIN)):
        sent.append(_post(http, f"{base}/presentations/verify",
                          {"verifiablePresentation": signed, "options": {"challenge": challenge, "domain": domain}}))
    sent += [_post(http, verify, body, raw) for _, body, raw in flows.HOSTILE]

    creation = f"{base}/workflows/{WORKFLOW}/exchanges"
    urls: dict[str, str] = {}
    for name, ttl in (("expired", FAST_EXPIRY["expired_ttl_s"]), ("a", 900), ("b", 900), ("c", 900)):
        answer = _post(http, creation, {"ttl": ttl})
        sent.append(answer)
        urls[name] = answer.headers["location"]
    requests: dict[str, dict[str, Any]] = {}
    for name in ("a", "b", "c"):
        answer = _post(http, urls[name], {})
        sent.append(answer)
        requests[name] = answer.json()["verifiablePresentationRequest"]
    for path in ("request", "request", "protocols"):
        answer = http.get(f"{urls['a']}/{path}", headers={"accept": "application/json"})
        answer.json()
        sent.append(answer)
    wrong = presentation(canonicalizer, requests["b"]["challenge"], "other." + requests["b"]["domain"])
    sent.append(_post(http, urls["b"], {"verifiablePresentation": wrong}))
    right = presentation(canonicalizer, requests["a"]["challenge"], requests["a"]["domain"])
    sent.append(_post(http, urls["a"], {"verifiablePresentation": right}))
    sent.append(_post(http, urls["a"], {"verifiablePresentation": right}))
    sent += [_post(http, urls["c"], body, raw) for _, body, raw in GARBAGE]
    sent.append(_post(http, urls["expired"], {}))
    if any(answer.status_code >= 500 for answer in sent):
        raise SystemExit("the reference answered the baseline with a 5xx: the two paths do not do the same work")
    return len(sent)


def every_module(env: Environment) -> tuple[float, list[str]]:
    """Serve every reference module (as serve-reference does) and time one full run of the suite against them."""
    import tempfile
    from contextlib import ExitStack

    from conformance.reference import reference_modules
    from conformance.run.targets.services import load_targets_file

    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        entries = [stack.enter_context(module.serve(env, frozenset())).service_toml()
                   for module in reference_modules().values()]
        path = Path(folder) / "targets.toml"
        path.write_text('[implementation]\nname = "reference"\n\n' + "\n".join(entries), encoding="utf-8")
        loaded = load_targets_file(path)
        client = stack.enter_context(GuardedClient(FetchPolicy(allow_private=True)))
        started = time.perf_counter()
        results = list(Runner(env, env.profile("default")).run([ServiceTarget(loaded.services, client, "reference")]))
        elapsed = time.perf_counter() - started
    return elapsed, [f"{r.subject.rsplit('#', 1)[-1]} {r.verdict}" for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="protocol rounds per path (default 20)")
    args = parser.parse_args()
    env = Environment.create()
    with serve_vcalm(env) as running, GuardedClient(FetchPolicy(allow_private=True)) as client, \
            httpx.Client(timeout=30) as http:
        configs = services(running.base_url)
        suite_round(env, client, configs)                  # warm-up: signing caches, contexts, connections
        expected = baseline_round(http, env, running.base_url)

        started = time.perf_counter()
        suite_count = sum(suite_round(env, client, configs) for _ in range(args.rounds))
        suite_s = time.perf_counter() - started

        started = time.perf_counter()
        base_count = sum(baseline_round(http, env, running.base_url) for _ in range(args.rounds))
        base_s = time.perf_counter() - started

        started = time.perf_counter()
        results = list(Runner(env, env.profile("default")).run([ServiceTarget(configs, client, "reference")]))
        full_s = time.perf_counter() - started
    if suite_count != base_count or base_count != expected * args.rounds:
        raise SystemExit(f"the paths sent different numbers of requests: suite {suite_count}, baseline {base_count}")
    rate, baseline = suite_count / suite_s, base_count / base_s
    added_ms = (suite_s - base_s) / suite_count * 1000
    verdicts = ", ".join(f"{r.subject.rsplit('#', 1)[-1]} {r.verdict}" for r in results)
    print(f"BENCH protocol rate={rate:.0f} baseline={baseline:.0f} ratio={rate / baseline:.2f}")
    print(f"  {args.rounds} rounds x {expected} HTTP exchanges (issuer, verifier, exchange); suite {suite_s:.2f} s, "
          f"bare httpx {base_s:.2f} s; added per exchange {added_ms:.2f} ms (goal: under 5 ms)")
    print(f"  one full VC API run (flows and every check): {full_s:.2f} s; {verdicts}")
    every_s, every = every_module(env)
    print(f"  one full run of every module against the reference system: {every_s:.2f} s (goal: under 60 s); "
          f"{len(every)} services: {', '.join(every)}")


if __name__ == "__main__":
    main()
