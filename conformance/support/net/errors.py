"""Why a fetch did not produce a usable body: one exception type, one reason code per cause."""
from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.support.net.evidence import Exchange


class FetchReason(StrEnum):
    """Reason codes a check can copy into a finding unchanged."""

    SCHEME = "scheme"                        # not http(s), or an https -> http redirect
    INVALID_URL = "invalid-url"              # no host, unparseable, absurdly long
    PRIVATE_ADDRESS = "private-address"      # the host resolves to a non-public address
    CONNECTION = "connection"                # cannot resolve, refused, reset
    TLS = "tls"                              # certificate or handshake failure
    TIMEOUT = "timeout"                      # connect, read, or the whole fetch took too long
    TOO_LARGE = "too-large"                  # body or response headers over the cap
    REDIRECT_LOOP = "redirect-loop"          # a redirect points back to a URL of the same chain
    TOO_MANY_REDIRECTS = "too-many-redirects"
    HTTP_STATUS = "http-status"              # the final answer is not 2xx
    PROTOCOL = "protocol"                    # malformed HTTP, unsupported content coding


class FetchError(OSError):
    """A fetch that failed; `reason` is stable, `str(exc)` is a plain sentence with secrets redacted.

    It stays an OSError so callers written against the first `fetch_bounded` keep catching it.
    """

    reason: FetchReason
    url: str
    status: int | None
    exchanges: tuple[Exchange, ...]

    def __init__(self, reason: FetchReason, message: str, *, url: str = "", status: int | None = None,
                 exchanges: tuple[Exchange, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.url = url
        self.status = status
        self.exchanges = exchanges

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def with_exchanges(self, exchanges: tuple[Exchange, ...]) -> FetchError:
        """A fresh copy carrying the hops that led here (a cached failure is raised again as a new object)."""
        return FetchError(self.reason, self.message, url=self.url, status=self.status, exchanges=exchanges)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.reason.value, self.message, self.url, self.status, self.exchanges))


def _rebuild(reason: str, message: str, url: str, status: int | None,
             exchanges: tuple[Exchange, ...]) -> FetchError:
    return FetchError(FetchReason(reason), message, url=url, status=status, exchanges=exchanges)
