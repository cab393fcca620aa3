"""What a live service answered: an immutable record of each request a flow made and its response.

Bodies are parsed once here (JSON, bounded by the client's size cap) and secret-looking members are redacted
before anything is kept, so a check, a report or a finding never sees a token. Every secret the run knows (the
client's `secrets` registry) is then replaced by value wherever it appears in a step (`redacted`), whatever the
member, header or page that repeats it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal
from urllib.parse import urlencode

from conformance.support.net import FetchError, GuardedClient, Response, redact_url
from conformance.support.net.evidence import redact_headers, redact_json
from conformance.support.net.secrets import Secrets

MAX_TEXT = 512                     # of a body that is not JSON, kept for messages
MAX_KEPT_BODY = 32 * 1024          # characters of a request or response body kept in the reports' evidence
KEPT_HEADERS = ("content-type", "content-length", "location", "link", "www-authenticate", "retry-after")
# A fetch that ended this way is the service's defect (its answer is out of bounds); any other (timeouts, refused
# connections, a driver command that cannot start) is ours to report as "could not evaluate".
SERVICE_FAULTS = frozenset({"too-large", "protocol"})
NOTE = "-"                         # the method of a step that is the suite's note, not a request (a flow stopped)


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a flow and what came back (or why nothing usable came back)."""

    flow: str                                    # e.g. "issue-valid"
    name: str                                    # the case within the flow, e.g. "tampered-proof"
    method: str
    url: str                                     # redacted
    request: Any                                 # the JSON sent (redacted), or a note on raw bytes sent
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()    # response headers worth keeping, redacted
    body: Any = None                             # parsed JSON, or None
    text: str = ""                               # the start of a body that is not JSON
    json_error: str = ""                         # why the body is not JSON ("" when it is, or is empty)
    elapsed_s: float = 0.0
    error: str | None = None                     # a FetchReason value: no usable answer came back
    message: str = ""
    expect: Mapping[str, Any] = field(default_factory=dict)   # what the flow expects (e.g. {"verified": False})

    @property
    def answered(self) -> bool:
        return self.error is None and self.status is not None

    @property
    def content_type(self) -> str:
        value = next((v for k, v in self.headers if k == "content-type"), "")
        return value.split(";", 1)[0].strip().lower()

    @property
    def label(self) -> str:
        return f"{self.flow}/{self.name}"

    def to_json(self) -> dict[str, Any]:
        """The step as report evidence: already redacted; bodies past MAX_KEPT_BODY are cut to their start."""
        kept: dict[str, Any] = {"flow": self.flow, "name": self.name, "method": self.method, "url": self.url,
                                "request": _bounded(self.request), "status": self.status,
                                "headers": [list(h) for h in self.headers], "body": _bounded(self.body),
                                "elapsedSeconds": round(self.elapsed_s, 4)}
        for key, value in (("text", self.text), ("jsonError", self.json_error), ("error", self.error),
                           ("message", self.message)):
            if value:
                kept[key] = value
        if self.expect:
            kept["expect"] = _bounded(dict(self.expect))
        return kept


@dataclass(frozen=True, slots=True)
class Transcript:
    steps: tuple[Step, ...]
    setup_error: str = ""            # the flows could not start (auth variable unset, token endpoint refusing)
    out_of_time: str = ""            # a time budget ran out before the flows finished ("the service's time budget...")

    def index(self, step: Step) -> int:
        return self.steps.index(step)

    def pointer(self, step: Step, rest: str = "") -> str:
        """Where a step sits, for findings: /transcript/<n>/response/body/..."""
        return f"/transcript/{self.index(step)}{rest}"

    @property
    def unreached(self) -> str:
        """Why nothing of the service could be judged ("" when something could): the flows could not start, or
        every request that should reach it got no answer for a reason of ours (refused, timed out, no TLS), or a time
        budget ran out before anything answered.

        A step the service itself cut short (SERVICE_FAULTS) is an answer to judge; a note the suite wrote (method
        "-", e.g. why a flow stopped) is no request; a session a person runs (`expect.observes` false) never says the
        service is down: the person may simply not have scanned."""
        if self.out_of_time and not any(s.answered for s in self.steps):
            # asked nothing, or nothing answered in the time given: not read, whatever the requests that were cut
            return f"{self.out_of_time} before the service answered any of the suite's requests"
        reaching = [s for s in self.steps if s.method != NOTE and s.expect.get("observes", True) is not False]
        if reaching and not any(s.answered or s.error in SERVICE_FAULTS or s.error is None for s in reaching):
            first = reaching[0]
            return (f"the service gives no answer to any of the suite's {len(reaching)} requests ({first.error}: "
                    f"{first.message or first.label})")
        if self.setup_error:
            return f"the flows could not start: {self.setup_error}"
        return ""

    def to_json(self) -> dict[str, Any]:
        kept: dict[str, Any] = {"steps": [step.to_json() for step in self.steps]}
        if self.setup_error:
            kept["setupError"] = self.setup_error
        if self.out_of_time:
            kept["outOfTime"] = self.out_of_time
        return kept


def redacted(transcript: Transcript, secrets: Secrets) -> Transcript:
    """The transcript with every registered secret replaced in every field of every step (a secret learnt late in a
    flow, such as an access token, is also taken out of the steps recorded before it was known)."""
    if not secrets.known:
        return transcript
    steps = tuple(replace(step, **{f.name: secrets.redact(getattr(step, f.name)) for f in fields(step)
                                   if isinstance(getattr(step, f.name), (str, dict, list, tuple))})
                  for step in transcript.steps)
    return replace(transcript, steps=steps, setup_error=secrets.redact(transcript.setup_error))


def _bounded(value: Any) -> Any:
    """`value` when its JSON is at most MAX_KEPT_BODY characters, else a note with the start of it."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return {"unserializable": type(value).__name__}
    if len(text) <= MAX_KEPT_BODY:
        return value
    return {"truncated": True, "characters": len(text), "start": text[:2048]}


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
