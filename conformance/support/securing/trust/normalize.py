"""One spelling per issuer identifier, so a trust list entry matches however a credential writes the id."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["normalize_issuer_id"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_issuer_id(value: str) -> str:
    """The comparable form of a DID, DID URL or URL.

    - A DID URL becomes its DID: the key fragment, path and query of `did:web:ex.org#key-1` name a key or a
      resource of the issuer, not another issuer. The method name is lowercased, and so is the host segment
      of did:web (hosts are case-insensitive); other method-specific ids are case-sensitive (did:key).
    - An http(s) URL gets a lowercase scheme and host, no default port, no fragment and no trailing slash.
    - Anything else keeps its text, minus a fragment, with a lowercase scheme.
    Never raises: a value that does not parse as a URL is returned with only surrounding whitespace removed.
    """
    text = value.strip()
    scheme, colon, rest = text.partition(":")
    if not colon:
        return text
    scheme = scheme.lower()
    if scheme == "did":
        return _normalize_did(rest)
    if scheme in _DEFAULT_PORTS:
        return _normalize_http(text)
    return f"{scheme}:{rest.partition('#')[0]}"


def _normalize_did(rest: str) -> str:
    method, colon, specific = rest.partition(":")
    if not colon:
        return "did:" + rest.lower()
    for stop in "/?#":
        specific = specific.partition(stop)[0]
    method = method.lower()
    if method == "web":
        host, sep, path = specific.partition(":")
        specific = host.lower() + sep + path
    return f"did:{method}:{specific}"


def _normalize_http(text: str) -> str:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text.partition("#")[0]
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    if port is not None and port != _DEFAULT_PORTS[parts.scheme.lower()]:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), parts.query, ""))
