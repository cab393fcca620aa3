"""How the reference clients (the scriptable wallets, the Open Badges / CLR client application) call the suite's
counter-party server: JSON or a form over the run's guarded client, https or loopback only. Anything they cannot
use becomes the caller's own refusal (an exception it names), which the reference reports to its driver."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from conformance.support.net import FetchError, GuardedClient, Response
from conformance.support.serving import is_loopback

MAX_ANSWER_BYTES = 1024 * 1024
Refusal = Callable[[str], Exception]


def send(client: GuardedClient, method: str, url: str, *, refuse: Refusal, body: Any = None,
         form: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
         max_bytes: int = MAX_ANSWER_BYTES) -> Response:
    """One request (a form when `form` is given, else JSON when `body` is), refused off https and loopback."""
    content, kind = b"", None
    if form is not None:
        content, kind = urlencode(dict(form)).encode(), "application/x-www-form-urlencoded"
    elif body is not None:
        content, kind = json.dumps(body).encode(), "application/json"
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        raise refuse(f"{url} is neither https nor loopback")
    try:
        return client.send(method, url, content=content, content_type=kind, headers=headers,
                           accept="application/json", max_bytes=max_bytes)
    except FetchError as exc:
        raise refuse(f"{method} {url}: {exc.reason.value}") from None


def parsed(answer: Response, method: str, url: str, *, refuse: Refusal, empty: Any = None) -> Any:
    """The JSON of a 2xx answer (`empty` for an empty body when given), refused otherwise."""
    if not 200 <= answer.status < 300:
        raise refuse(f"{method} {url} answers HTTP {answer.status}")
    if empty is not None and not answer.body.strip():
        return empty
    try:
        return json.loads(answer.body)
    except (ValueError, RecursionError):
        raise refuse(f"{method} {url} answers something that is not JSON") from None


def json_object(client: GuardedClient, method: str, url: str, *, refuse: Refusal, empty: Any = None,
                **request: Any) -> dict[str, Any]:
    """`send` then `parsed`, and the answer must be a JSON object."""
    value = parsed(send(client, method, url, refuse=refuse, **request), method, url, refuse=refuse, empty=empty)
    if not isinstance(value, dict):
        raise refuse(f"{method} {url} answers JSON that is not an object")
    return value
