"""What the suite keeps of each HTTP exchange, with credentials taken out before anything is stored."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "[redacted]"

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                             "api-key", "x-auth", "x-csrf-token", "x-xsrf-token"})
_SECRET_HEADER_PARTS = ("token", "secret", "password", "apikey", "api-key", "api_key", "session", "signature")

_SECRET_PARAMS = frozenset({"code", "key", "sig", "auth", "pass", "pwd", "passwd", "jwt", "assertion",
                            "client_assertion", "x-amz-credential", "credential", "otp", "pin"})
_SECRET_PARAM_PARTS = ("token", "secret", "password", "apikey", "api_key", "api-key", "signature", "session")

# Evidence is stored and shown to people; a hostile server must not be able to fill it.
MAX_EVIDENCE_VALUE = 512
MAX_EVIDENCE_URL = 2048

# Response headers worth keeping: they explain what came back and where it pointed.
KEPT_RESPONSE_HEADERS = ("content-type", "content-length", "content-encoding", "transfer-encoding", "location",
                         "etag", "last-modified", "cache-control", "expires", "age", "date", "retry-after",
                         "www-authenticate", "set-cookie", "server", "link")

_PARAM = re.compile(r"([?&#;])([^=&#;]*)=([^&#;]*)")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else f"{value[:limit]}…(+{len(value) - limit} characters)"


def _secret_name(name: str, exact: frozenset[str], parts: tuple[str, ...]) -> bool:
    lowered = name.strip().lower()
    return lowered in exact or any(p in lowered for p in parts)


def redact_url(url: str) -> str:
    """The URL with passwords in userinfo and credential-like query or fragment values replaced.

    Works on the text rather than a parsed URL so that even an unparseable URL from a hostile document is
    redacted (a parser error must not make us store the raw string).
    """
    def param(match: re.Match[str]) -> str:
        sep, name, value = match.groups()
        if value and _secret_name(unquote_plus(name), _SECRET_PARAMS, _SECRET_PARAM_PARTS):
            return f"{sep}{name}={REDACTED}"
        return match.group(0)

    def userinfo(match: re.Match[str]) -> str:
        scheme, info = match.groups()
        user = info.split(":", 1)[0]
        return f"{scheme}{user}:{REDACTED}@" if ":" in info else f"{scheme}{REDACTED}@"

    return _clip(_PARAM.sub(param, _USERINFO.sub(userinfo, url, count=1)), MAX_EVIDENCE_URL)


def redact_header(name: str, value: str) -> str:
    if _secret_name(name, _SECRET_HEADERS, _SECRET_HEADER_PARTS):
        return REDACTED
    if name.lower() in ("location", "content-location", "link", "referer"):
        return redact_url(value)
    return _clip(value, MAX_EVIDENCE_VALUE)


def redact_headers(headers: Iterable[tuple[str, str]], *, keep: Iterable[str] | None = None) -> tuple[tuple[str, str], ...]:
    wanted = None if keep is None else frozenset(keep)
    return tuple((name.lower(), redact_header(name, value)) for name, value in headers
                 if wanted is None or name.lower() in wanted)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came of it: a redirect hop, a final answer, or a refusal before connecting."""

    method: str
    url: str                                         # redacted
    started_at: str                                  # ISO 8601, UTC
    elapsed_s: float
    status: int | None = None
    remote_address: str | None = None                # the address actually connected to, when known
    request_headers: tuple[tuple[str, str], ...] = ()
    response_headers: tuple[tuple[str, str], ...] = ()
    body_sha256: str | None = None                   # of the bytes handed to the caller
    body_bytes: int = 0
    truncated: bool = False                          # reading stopped at the size cap
    error: str | None = None                         # a FetchReason value
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "url": self.url, "startedAt": self.started_at,
                               "elapsedSeconds": round(self.elapsed_s, 4)}
        if self.status is not None:
            out["status"] = self.status
        if self.remote_address is not None:
            out["remoteAddress"] = self.remote_address
        if self.request_headers:
            out["requestHeaders"] = [list(pair) for pair in self.request_headers]
        if self.response_headers:
            out["responseHeaders"] = [list(pair) for pair in self.response_headers]
        if self.body_sha256 is not None:
            out["body"] = {"sha256": self.body_sha256, "bytes": self.body_bytes, "truncated": self.truncated}
        if self.error is not None:
            out["error"] = {"reason": self.error, "message": self.message or ""}
        return out


_SECRET_FIELD_PARTS = ("token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "private",
                       "client_assertion", "authorization")
MAX_REDACTION_DEPTH = 64


def secret_field(name: str) -> bool:
    """True for a JSON member name that looks like it holds a credential (access_token, client_secret, ...)."""
    lowered = name.strip().lower()
    return any(part in lowered for part in _SECRET_FIELD_PARTS) or lowered in ("code", "pin", "otp")


def redact_json(value: Any, *, depth: int = 0) -> Any:
    """A copy of a JSON value with secret-looking members replaced (request and response bodies in transcripts).

    Proofs and claims stay as they are: only member names that name a secret are touched.
    """
    if depth > MAX_REDACTION_DEPTH:
        return REDACTED
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and secret_field(k) and v not in (None, "")
                    else redact_json(v, depth=depth + 1)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v, depth=depth + 1) for v in value]
    return value
