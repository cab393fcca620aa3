"""Recording what a live service answered: each request a flow makes becomes a Step (conformance.core.transcript),
the data the checks read.

Bodies are parsed once here (JSON, bounded by the client's size cap) and secret-looking members are redacted
before anything is kept, so a check, a report or a finding never sees a token. Every secret the run knows (the
client's `secrets` registry) is then replaced by value wherever it appears in a step (`redacted`), whatever the
member, header or page that repeats it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any, Literal
from urllib.parse import urlencode

from conformance.core.transcript import Step, Transcript
from conformance.support.net import FetchError, GuardedClient, Response, redact_url
from conformance.support.net.evidence import redact_headers, redact_json
from conformance.support.net.secrets import Secrets

MAX_TEXT = 512                     # of a body that is not JSON, kept for messages
KEPT_HEADERS = ("content-type", "content-length", "location", "link", "www-authenticate", "retry-after")


def redacted(transcript: Transcript, secrets: Secrets) -> Transcript:
    """The transcript with every registered secret replaced in every field of every step (a secret learnt late in a
    flow, such as an access token, is also taken out of the steps recorded before it was known)."""
    if not secrets.known:
        return transcript
    steps = tuple(replace(step, **{f.name: secrets.redact(getattr(step, f.name)) for f in fields(step)
                                   if isinstance(getattr(step, f.name), (str, dict, list, tuple))})
                  for step in transcript.steps)
    return replace(transcript, steps=steps, setup_error=secrets.redact(transcript.setup_error))


# Which parts of a step get the run's known secrets (`client.secrets`) replaced by value as it is recorded:
#   "step"  all of it (URL, request, header values, body, json_error, text): the generic flows, whose services may
#           echo any secret back anywhere;
#   "text"  only the start of a body that is not JSON, the one part that is cut (a secret cut in two would escape
#           the whole-transcript pass of `redacted`); the rest is left to that pass;
#   "none"  nothing, and the text is cut by bytes: the flow registers no secrets of its own.
# A step that got no answer is left to `redacted` whatever this says: the evidence of every flow passes through it.
ByValue = Literal["step", "text", "none"]


def record(client: GuardedClient, flow: str, name: str, method: str, url: str, *, body: Any = None,
           form: Mapping[str, str] | None = None, raw: bytes | None = None,
           headers: Mapping[str, str] | None = None, accept: str = "application/json", max_bytes: int,
           keep: Iterable[str] = KEPT_HEADERS, redact: Callable[[Any], Any] = redact_json,
           redact_form: Callable[[Mapping[str, str]], Any] | None = None, by_value: ByValue = "step",
           text_limit: int = MAX_TEXT, expect: Mapping[str, Any] | None = None) -> tuple[Step, Response | None, Any]:
    """Send one request and record it as a Step: `form` (urlencoded), else `raw` bytes labelled as JSON, else `body`
    as JSON, else nothing. `redact` hides secret members of the JSON sent and received (`redact_form` of the form,
    `redact` by default); `keep` names the response headers kept. Returns the step, the answer (None when none came
    back) and the parsed body unredacted, which the flow's next request may need (a code, a token, a nonce)."""
    content, content_type, shown = b"", None, None
    if form is not None:
        content, content_type = urlencode(dict(form)).encode(), "application/x-www-form-urlencoded"
        shown = (redact_form or redact)(dict(form))
    elif raw is not None:
        content, content_type = raw, "application/json"
        shown = {"rawBytes": len(raw), "start": raw[:80].decode("utf-8", "replace")}
    elif body is not None:
        content, content_type = json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"
        shown = redact(body)
    base: dict[str, Any] = {"flow": flow, "name": name, "method": method, "url": redact_url(url), "request": shown,
                            "expect": dict(expect or {})}
    started = time.monotonic()
    try:
        # no timeout_s here: a BudgetedClient sets it from the running flows' deadline
        answer = client.send(method, url, content=content, content_type=content_type, headers=headers,
                             accept=accept, max_bytes=max_bytes)
    except FetchError as exc:
        return Step(**base, status=exc.status, elapsed_s=time.monotonic() - started, error=exc.reason.value,
                    message=exc.message), None, None
    elapsed = time.monotonic() - started          # the service's time, not ours parsing its answer
    scrub: Callable[[Any], Any] = client.secrets.redact if by_value == "step" else _same
    base = {**base, "url": scrub(base["url"]), "request": scrub(base["request"])}
    parsed: Any = None
    text = problem = ""
    if answer.body.strip():
        try:
            parsed = json.loads(answer.body)
        except (ValueError, RecursionError) as exc:
            problem = scrub(f"the body is not JSON ({type(exc).__name__}: {str(exc)[:120]})")
            text = (answer.body[:text_limit].decode("utf-8", "replace") if by_value == "none"
                    # secrets out before the text is cut: a secret cut in two would survive in part
                    else client.secrets.redact(answer.body[:text_limit * 4].decode("utf-8", "replace"))[:text_limit])
    kept = redact_headers(((k, scrub(v)) for k, v in answer.headers), keep=keep)
    step = Step(**base, status=answer.status, headers=kept, body=scrub(redact(parsed)), text=text,
                json_error=problem, elapsed_s=elapsed)
    return step, answer, parsed


def exchange(client: GuardedClient, flow: str, name: str, url: str, *, body: Any = None, raw: bytes | None = None,
             headers: Mapping[str, str] | None = None, expect: Mapping[str, Any] | None = None,
             max_bytes: int = 4 * 1024 * 1024) -> Step:
    """POST `body` as JSON (or `raw` bytes labelled as JSON) and record the answer as a Step."""
    return record(client, flow, name, "POST", url, body=body, raw=raw, headers=headers, expect=expect,
                  max_bytes=max_bytes)[0]


def fetch(client: GuardedClient, flow: str, name: str, url: str, *, method: str = "GET",
          headers: Mapping[str, str] | None = None, accept: str = "application/json",
          expect: Mapping[str, Any] | None = None, max_bytes: int = 1024 * 1024) -> Step:
    """A request without a body (GET by default), recorded as a Step like `exchange`."""
    return record(client, flow, name, method, url, headers=headers, accept=accept, expect=expect,
                  max_bytes=max_bytes)[0]


def _same(value: Any) -> Any:
    return value
