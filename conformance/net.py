"""The bounded HTTP fetch the suite uses for documents a user names and for `artifacts fetch`.

Timeouts, a size cap that stops reading early, http(s) only, and no redirects: a redirect target is reported, not
followed, so a server cannot bounce us to a private address.
"""
from __future__ import annotations

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class FetchError(OSError):
    pass


def fetch_bounded(url: str, limit: int, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url} is not an http(s) URL")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client, \
                client.stream("GET", url, headers={"Accept": "application/ld+json, application/json, */*"}) as r:
            if r.is_redirect:
                raise FetchError(f"{url} redirects to {r.headers.get('location')}; the suite does not follow redirects")
            if r.status_code != 200:
                raise FetchError(f"{url} answers HTTP {r.status_code}")
            body = bytearray()
            for chunk in r.iter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    return bytes(body[: limit + 1])
            return bytes(body)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url} cannot be fetched: {exc}") from exc
