"""Which IP addresses the suite may connect to, and name resolution that cannot hang.

Public means routable on the internet. Everything else (loopback, RFC 1918, link-local, shared CGNAT space,
multicast, documentation and reserved ranges) is refused unless the user opts in, because a document or a
redirect naming such an address would make the suite probe the user's own network. IPv6 forms that carry an
IPv4 address (mapped, 6to4, NAT64) are judged by the IPv4 address inside them.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import unquote

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


class Resolver(Protocol):
    """Host name to addresses; raises OSError (or TimeoutError) when the name does not resolve in time."""

    def __call__(self, host: str, port: int, timeout: float) -> Sequence[IPAddress]: ...


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_class(ip: IPAddress) -> str | None:
    """None for a public unicast address, else a short label saying why it is not public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            label = address_class(inner)
            return f"{label}, inside {ip}" if label else None
        if int(ip) >> 32 == 0 and not ip.is_unspecified and not ip.is_loopback:
            return "reserved"          # ::/96, the deprecated IPv4-compatible form
    # Order matters: the most telling label first (127.0.0.1 is also "private" to the ipaddress module).
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared address space"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"
    return None


def parse_literal(host: str) -> IPAddress | None:
    """The address a URL host spells in canonical form ("10.0.0.1", "::1", "fe80::1%25eth0"), else None.

    Numeric tricks such as "2130706433" or "0x7f.1" are not canonical; they go through the resolver, whose
    answer is what gets checked, so they cannot slip past the check.
    """
    try:
        return ipaddress.ip_address(unquote(host.strip("[]")))
    except ValueError:
        return None


def parse_networks(specs: Sequence[str]) -> tuple[IPNetwork, ...]:
    """Parse CIDR strings; raises ValueError naming the bad entry."""
    networks: list[IPNetwork] = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec, strict=False))
        except ValueError as exc:
            raise ValueError(f"{spec!r} is not an IP network (expected CIDR such as 10.1.0.0/16): {exc}") from None
    return tuple(networks)


def in_networks(ip: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        candidates.append(inner)
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        candidates.append(ipaddress.IPv6Address(str(ip).split("%", 1)[0]))
    return any(c.version == net.version and c in net for c in candidates for net in networks)


def system_resolver(host: str, port: int, timeout: float) -> tuple[IPAddress, ...]:
    """getaddrinfo with a deadline.

    getaddrinfo itself cannot be interrupted, so it runs on a daemon thread; a resolver that never answers
    leaves that thread behind (it ends when the OS gives up) instead of hanging the run.
    """
    answers: list[tuple[object, ...]] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            answers.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError, ValueError) as exc:
            failures.append(exc)

    worker = threading.Thread(target=work, name=f"resolve {host[:64]}", daemon=True)
    worker.start()
    worker.join(max(timeout, 0.0))
    if worker.is_alive():
        raise TimeoutError(f"resolving {host} takes longer than {timeout:.1f} s")
    if failures:
        raise OSError(f"{host} does not resolve: {failures[0]}")
    seen: dict[IPAddress, None] = {}
    for *_, sockaddr in answers:
        try:
            seen.setdefault(ipaddress.ip_address(str(sockaddr[0])), None)  # type: ignore[index]
        except ValueError:
            continue
    return tuple(seen)
