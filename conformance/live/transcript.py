"""What a live service answered: an immutable record of each request a flow made and its response.

Bodies are parsed once here (JSON, bounded by the client's size cap) and secret-looking members are redacted
before anything is kept, so a check, a report or a finding never sees a token. Every secret the run knows (the
client's `secrets` registry) is then replaced by value wherever it appears in a step (`redacted`), whatever the
member, header or page that repeats it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from conformance.net import FetchError, GuardedClient, Response, redact_url
from conformance.net.evidence import redact_headers, redact_json
from conformance.net.secrets import Secrets

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


def exchange(client: GuardedClient, flow: str, name: str, url: str, *, body: Any = None, raw: bytes | None = None,
             headers: Mapping[str, str] | None = None, expect: Mapping[str, Any] | None = None,
             max_bytes: int = 4 * 1024 * 1024) -> Step:
    """POST `body` as JSON (or `raw` bytes labelled as JSON) and record the answer as a Step."""
    started = time.monotonic()
    content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    shown = redact_json(body) if raw is None else {"rawBytes": len(raw), "start": raw[:80].decode("utf-8", "replace")}
    base = {"flow": flow, "name": name, "method": "POST", "url": redact_url(url), "request": shown,
            "expect": dict(expect or {})}
    try:
        answer = client.send("POST", url, content=content, content_type="application/json",
                             headers=headers, accept="application/json", max_bytes=max_bytes)
    except FetchError as exc:
        return Step(**base, status=exc.status, elapsed_s=time.monotonic() - started, error=exc.reason.value,
                    message=exc.message)
    return _answered(base, answer, time.monotonic() - started, client.secrets)


def fetch(client: GuardedClient, flow: str, name: str, url: str, *, method: str = "GET",
          headers: Mapping[str, str] | None = None, accept: str = "application/json",
          expect: Mapping[str, Any] | None = None, max_bytes: int = 1024 * 1024) -> Step:
    """A request without a body (GET by default), recorded as a Step like `exchange`."""
    started = time.monotonic()
    base = {"flow": flow, "name": name, "method": method, "url": redact_url(url), "request": None,
            "expect": dict(expect or {})}
    try:
        answer = client.send(method, url, headers=headers, accept=accept, max_bytes=max_bytes)
    except FetchError as exc:
        return Step(**base, status=exc.status, elapsed_s=time.monotonic() - started, error=exc.reason.value,
                    message=exc.message)
    return _answered(base, answer, time.monotonic() - started, client.secrets)


def _answered(base: dict[str, Any], answer: Response, elapsed: float, secrets: Secrets) -> Step:
    base = {**base, "url": secrets.redact(base["url"]), "request": secrets.redact(base["request"])}
    headers = redact_headers(((k, secrets.redact(v)) for k, v in answer.headers), keep=KEPT_HEADERS)
    parsed: Any = None
    text = ""
    problem = ""
    if answer.body.strip():
        try:
            parsed = secrets.redact(redact_json(json.loads(answer.body)))
        except (ValueError, RecursionError) as exc:
            problem = secrets.redact(f"the body is not JSON ({type(exc).__name__}: {str(exc)[:120]})")
            # secrets out before the text is cut: a secret cut in two would survive in part
            text = secrets.redact(answer.body[:MAX_TEXT * 4].decode("utf-8", "replace"))[:MAX_TEXT]
    return Step(**base, status=answer.status, headers=headers, body=parsed, text=text, json_error=problem,
                elapsed_s=elapsed)
