"""Which IP addresses the suite may connect to, and name resolution that cannot hang.

Public means routable on the internet. Everything else (loopback, RFC 1918, link-local, shared CGNAT space,
multicast, documentation and reserved ranges) is refused unless the user opts in, because a document or a
redirect naming such an address would make the suite probe the user's own network. IPv6 forms that carry an
IPv4 address (mapped, 6to4, NAT64) are judged by the IPv4 address inside them.

Opting in to private addresses (--allow-private, for loopback and intranet services) still leaves link-local
addresses and the cloud providers' instance-metadata endpoints refused: on a cloud machine they hand out that
machine's credentials to whoever asks, and a vendor's document or redirect may ask. They are reached only when the
user names them (--allow-address), which also opens any other address or network named.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")

# Services on these addresses answer any process on the machine with the machine's own identity and
# credentials. Some are link-local anyway; the others sit in ranges --allow-private opens (unique-local,
# shared address space) or even in public space (Azure's), so they are listed one by one.
METADATA_ENDPOINTS: Mapping[IPAddress, str] = {
    ipaddress.IPv4Address("169.254.169.254"): "instance metadata of AWS, Azure, Google Cloud, Oracle Cloud, "
                                               "OpenStack, DigitalOcean and others",
    ipaddress.IPv4Address("169.254.170.2"): "AWS ECS task metadata and credentials",
    ipaddress.IPv4Address("169.254.170.23"): "AWS EKS Pod Identity credentials",
    ipaddress.IPv6Address("fd00:ec2::254"): "AWS EC2 instance metadata over IPv6",
    ipaddress.IPv6Address("fd00:ec2::23"): "AWS EKS Pod Identity credentials over IPv6",
    ipaddress.IPv4Address("100.100.100.200"): "Alibaba Cloud instance metadata",
    ipaddress.IPv4Address("168.63.129.16"): "Azure WireServer (VM agent configuration and extension settings)",
}


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


def _unscoped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


def named_only_class(ip: IPAddress) -> str | None:
    """A label for an address only --allow-address opens (link-local or a metadata endpoint), else None.

    Judged on the IPv4 address an IPv6 form carries, as address_class does; the label then names only that
    address's kind (the caller says which address carried it)."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        return named_only_class(inner)
    if _unscoped(ip) in METADATA_ENDPOINTS:
        kind = address_class(ip)
        return f"{kind} (cloud metadata)" if kind else "cloud metadata"
    if ip.is_link_local:
        return "link-local"
    return None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the policy refuses an address, and which option would open it."""

    label: str                          # "private", "loopback", "link-local (cloud metadata)", ...
    named_only: bool                    # only naming it (--allow-address) opens it; --allow-private does not
    carried: IPAddress | None = None    # the IPv4 address an IPv6 form carries, when that is what was judged


def refusal(ip: IPAddress, *, allow_private: bool, networks: Sequence[IPNetwork]) -> Refusal | None:
    """The policy's one decision for a connection address: None when the suite may connect to `ip`.

    An address inside a named network is allowed whatever it is; link-local and metadata addresses otherwise
    stay refused even with allow_private; any other non-public address is allowed only with allow_private."""
    if in_networks(ip, networks):
        return None
    guarded = named_only_class(ip)
    if guarded is not None:
        inner = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
        return Refusal(guarded, named_only=True, carried=inner)
    if allow_private:
        return None
    label = address_class(ip)
    return None if label is None else Refusal(label, named_only=False)


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
    """Parse addresses and CIDR strings (an address is its own /32 or /128); raises ValueError naming the bad
    entry."""
    networks: list[IPNetwork] = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec, strict=False))
        except ValueError as exc:
            raise ValueError(f"{spec!r} is not an IP network (expected an address such as 169.254.169.254 or "
                             f"CIDR such as 10.1.0.0/16): {exc}") from None
    return tuple(networks)


def in_networks(ip: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        candidates.append(inner)
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        candidates.append(_unscoped(ip))
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
