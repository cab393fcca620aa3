"""Which addresses count as public, and the host spellings that must not sneak past the check."""
from __future__ import annotations

import ipaddress

import pytest

from conformance.support.net import address_class, parse_literal, system_resolver
from conformance.support.net.addresses import in_networks, parse_networks

NOT_PUBLIC = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),          # cloud metadata endpoint
    ("0.0.0.0", "unspecified"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("100.64.0.1", "shared address space"),
    ("192.0.2.10", "private"),                  # documentation ranges are not routable either
    ("240.0.0.1", "private"),
    ("255.255.255.255", "private"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "private"),
    ("::7f00:1", "reserved"),                   # IPv4-compatible form of 127.0.0.1
    ("::ffff:127.0.0.1", "loopback, inside ::ffff:7f00:1"),
    ("::ffff:10.1.2.3", "private, inside ::ffff:a01:203"),
    ("::ffff:169.254.169.254", "link-local, inside ::ffff:a9fe:a9fe"),
    ("2002:7f00:1::", "loopback, inside 2002:7f00:1::"),        # 6to4 around 127.0.0.1
    ("2002:a00:1::1", "private, inside 2002:a00:1::1"),          # 6to4 around 10.0.0.1
    ("64:ff9b::a00:1", "private, inside 64:ff9b::a00:1"),        # NAT64 around 10.0.0.1
    ("64:ff9b::7f00:1", "loopback, inside 64:ff9b::7f00:1"),
]

PUBLIC = ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
          "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize(("address", "label"), NOT_PUBLIC)
def test_non_public_addresses_are_named(address: str, label: str) -> None:
    assert address_class(ipaddress.ip_address(address)) == label


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert address_class(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("host", "expected"), [
    ("10.0.0.1", "10.0.0.1"), ("::1", "::1"), ("[::1]", "::1"), ("fe80::1%25lo", "fe80::1%lo"),
    ("::ffff:127.0.0.1", "::ffff:7f00:1"),
    ("example.org", None), ("2130706433", None), ("0x7f.1", None), ("127.1", None), ("", None),
])
def test_literal_hosts(host: str, expected: str | None) -> None:
    found = parse_literal(host)
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.1", "017700000001"])
def test_numeric_host_tricks_resolve_to_what_is_checked(host: str) -> None:
    # Not literals to us, so the resolver's answer is what gets classified: loopback, refused.
    (address,) = system_resolver(host, 80, 5.0)
    assert str(address) == "127.0.0.1" and address_class(address) == "loopback"


@pytest.mark.parametrize(("address", "networks", "inside"), [
    ("127.0.0.2", ["127.0.0.2/32"], True),
    ("127.0.0.1", ["127.0.0.2/32"], False),
    ("::ffff:127.0.0.2", ["127.0.0.2/32"], True),
    ("10.9.8.7", ["10.0.0.0/8", "fd00::/8"], True),
    ("fd00::5", ["10.0.0.0/8"], False),
    ("fe80::1%lo", ["fe80::/10"], True),
])
def test_allowed_networks(address: str, networks: list[str], inside: bool) -> None:
    assert in_networks(ipaddress.ip_address(address), parse_networks(networks)) is inside


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "not-a-network", "::1/200", ""])
def test_bad_network_specs_are_named(spec: str) -> None:
    with pytest.raises(ValueError, match="is not an IP network"):
        parse_networks([spec])


def test_unresolvable_name_raises_oserror() -> None:
    with pytest.raises(OSError, match="does not resolve"):
        system_resolver("no-such-host.invalid", 80, 5.0)
