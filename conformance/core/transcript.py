"""What a live service answered, as the checks read it: an immutable record of each request a flow made and its
response (`Step`, `Transcript`), the tri-state `Observation` the suite records beside a request it verified as a
counter-party, and the subject a live service is (`LiveSubject`).

Pure data: the requests are made, their bodies parsed and their secrets redacted by the machinery that records them
(conformance/support/exchange/transcript.py); a check reads only what this module describes.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from conformance.core.subject import Subject

MAX_KEPT_BODY = 32 * 1024          # characters of a request or response body kept in the reports' evidence
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



# --- what the suite, as a counter-party, saw when it verified something a wallet sent (recorded beside a request as
# `observed`; conformance/support/exchange/observations.py makes them, the wallet rules read them) ----------------

VERIFIES: Final = "verifies"
DOES_NOT_VERIFY: Final = "does not verify"
CANNOT_BE_CHECKED: Final = "cannot be checked"
Verdict = Literal["verifies", "does not verify", "cannot be checked"]
VERDICTS: Final = frozenset({VERIFIES, DOES_NOT_VERIFY, CANNOT_BE_CHECKED})

MAX_NOTE = 300


@dataclass(frozen=True, slots=True)
class Observation:
    """One verification the counter-party made, as recorded beside the request."""

    verdict: Verdict
    note: str = ""              # why: the verifier's message, or what stopped it
    unsupported: str = ""       # cannot be checked because the suite lacks this mechanism
    stopped: str = ""           # cannot be checked because the suite stopped: its exception, a bound, an artifact

    @property
    def verifies(self) -> bool:
        return self.verdict == VERIFIES

    @property
    def checked(self) -> bool:
        """The suite decided (verifies or does not verify)."""
        return self.verdict != CANNOT_BE_CHECKED

    def to_json(self) -> dict[str, str]:
        kept = {"verdict": self.verdict}
        for name in ("note", "unsupported", "stopped"):
            value = getattr(self, name)
            if value:
                kept[name] = value
        return kept

    @classmethod
    def read(cls, value: Any) -> Observation:
        """An observation back from a record; anything else (absent, another shape) cannot be checked, so a rule
        reading a record the suite did not write never passes or fails on it."""
        if isinstance(value, Mapping) and value.get("verdict") in VERDICTS:
            return cls(value["verdict"], *(str(value.get(n, ""))[:MAX_NOTE] for n in ("note", "unsupported",
                                                                                     "stopped")))
        return cls(CANNOT_BE_CHECKED, "the suite recorded no verification here")


def verified(note: str = "") -> Observation:
    return Observation(VERIFIES, note[:MAX_NOTE])


def refuted(note: str) -> Observation:
    """A definite defect the suite found."""
    return Observation(DOES_NOT_VERIFY, note[:MAX_NOTE])


def undecided(note: str, *, unsupported: str = "", stopped: str = "") -> Observation:
    """The suite could not decide (what it lacks in `unsupported`, or why it stopped in `stopped`)."""
    return Observation(CANNOT_BE_CHECKED, note[:MAX_NOTE], unsupported=unsupported[:MAX_NOTE],
                       stopped=stopped[:MAX_NOTE])


class LiveService(Protocol):
    """What the checks read of a live service's entry in targets.toml."""

    @property
    def role(self) -> str: ...

    @property
    def endpoint(self) -> str: ...

    @property
    def id(self) -> str: ...


class LiveSubject(Subject):
    """A live service as a subject: its entry, and its answers as the `transcript` (run once, by the subclass that
    knows how: conformance/support/exchange/service.py)."""

    service: LiveService

    @property
    def transcript(self) -> Transcript:
        raise NotImplementedError

    def flow(self, name: str) -> tuple[Step, ...]:
        return tuple(step for step in self.transcript.steps if step.flow == name)
