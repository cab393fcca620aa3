"""Link-local and cloud metadata addresses stay refused under --allow-private; only --allow-address opens them.

No socket is opened: the policy decision is tested directly, and the end-to-end fetches use a table resolver
and a transport that records every request it is asked to send (none must reach it)."""
from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import httpx
import pytest

from conformance.support.net import FetchError, FetchPolicy, FetchReason, GuardedClient
from conformance.support.net.addresses import METADATA_ENDPOINTS, Refusal, parse_networks, refusal

from .conftest import TableResolver

PUBLIC = "93.184.215.14"
METADATA = "169.254.169.254"


def decide(address: str, *, allow_private: bool = True, named: Sequence[str] = ()) -> Refusal | None:
    return refusal(ipaddress.ip_address(address), allow_private=allow_private, networks=parse_networks(named))


@pytest.mark.parametrize(("address", "label"), [
    (METADATA, "link-local (cloud metadata)"),
    ("169.254.1.1", "link-local"),
    ("169.254.170.2", "link-local (cloud metadata)"),           # AWS ECS task credentials
    ("fe80::", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("::ffff:169.254.169.254", "link-local (cloud metadata)"),
    ("64:ff9b::a9fe:a9fe", "link-local (cloud metadata)"),      # NAT64 around 169.254.169.254
    ("2002:a9fe:a9fe::1", "link-local (cloud metadata)"),       # 6to4 around 169.254.169.254
    ("fd00:ec2::254", "private (cloud metadata)"),              # AWS IMDS over IPv6: unique-local space
    ("100.100.100.200", "shared address space (cloud metadata)"),   # Alibaba Cloud: CGNAT space
    ("168.63.129.16", "cloud metadata"),                        # Azure WireServer: public space
])
def test_link_local_and_metadata_stay_refused_with_allow_private(address: str, label: str) -> None:
    found = decide(address)
    assert found is not None and found.named_only and found.label == label


@pytest.mark.parametrize("allow_private", [True, False])
@pytest.mark.parametrize(("address", "named"), [
    (METADATA, f"{METADATA}"), (METADATA, "169.254.0.0/16"), ("fe80::1", "fe80::/10"),
    ("fe80::1%eth0", "fe80::1"), ("::ffff:169.254.169.254", METADATA), ("fd00:ec2::254", "fd00:ec2::254"),
    ("100.100.100.200", "100.100.100.200/32"), ("10.0.0.1", "10.0.0.0/8"),
])
def test_a_named_address_is_allowed_with_or_without_allow_private(address: str, named: str,
                                                                  allow_private: bool) -> None:
    assert decide(address, allow_private=allow_private, named=[named]) is None


def test_naming_one_address_does_not_open_its_neighbours() -> None:
    found = decide("169.254.169.253", named=[METADATA])
    assert found is not None and found.named_only


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "172.16.3.4", "192.168.1.1", "100.64.0.1",
                                     "fd12:3456::1", "::ffff:10.1.2.3"])
def test_allow_private_still_opens_the_other_non_public_addresses(address: str) -> None:
    assert decide(address) is None
    found = decide(address, allow_private=False)
    assert found is not None and not found.named_only


@pytest.mark.parametrize("allow_private", [True, False])
@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str, allow_private: bool) -> None:
    assert decide(address, allow_private=allow_private) is None


def test_every_listed_metadata_endpoint_needs_naming() -> None:
    for address in METADATA_ENDPOINTS:
        found = refusal(address, allow_private=True, networks=())
        assert found is not None and found.named_only and "cloud metadata" in found.label, address


def test_a_bad_allow_address_is_a_policy_error() -> None:
    with pytest.raises(ValueError, match="is not an IP network"):
        FetchPolicy(allow_networks=("169.254.169.254/40",))


# -- end to end: the client refuses before any request goes out ----------------------------------------------

class NoNetwork(httpx.BaseTransport):
    """Answers 200 to anything and keeps every request it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.url.path == "/go":
            return httpx.Response(302, headers={"Location": request.url.params["to"]})
        return httpx.Response(200, json={"ok": True})


@pytest.fixture
def table(resolver: TableResolver) -> TableResolver:
    resolver.table.update({"metadata.test": [[METADATA]], "issuer.test": [[PUBLIC]],
                           "mapped.test": [["::ffff:169.254.169.254"]], "aws6.test": [["fd00:ec2::254"]],
                           "mixed.test": [[PUBLIC, METADATA]]})
    return resolver


@pytest.mark.parametrize(("url", "shown"), [
    ("http://metadata.test/latest/meta-data/",
     "metadata.test resolves to 169.254.169.254, a link-local (cloud metadata) address"),
    ("http://mixed.test/", "mixed.test resolves to 169.254.169.254, a link-local (cloud metadata) address"),
    ("http://mapped.test/",
     "mapped.test resolves to ::ffff:a9fe:a9fe, which carries 169.254.169.254, a link-local (cloud metadata) address"),
    ("http://aws6.test/", "aws6.test resolves to fd00:ec2::254, a private (cloud metadata) address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local (cloud metadata) address"),
    ("http://[fe80::1%25eth0]/", "fe80::1%eth0 is a link-local address"),
])
def test_a_host_on_a_metadata_address_is_refused_before_any_connection(table: TableResolver, url: str,
                                                                       shown: str) -> None:
    transport = NoNetwork()
    with GuardedClient(FetchPolicy(allow_private=True), transport=transport, resolver=table) as client, \
            pytest.raises(FetchError) as caught:
        client.get(url)
    message = str(caught.value)
    assert caught.value.reason is FetchReason.PRIVATE_ADDRESS and transport.sent == []
    assert message.startswith(f"{shown}; the suite connects there only when it is named with --allow-address")
    (refused,) = caught.value.exchanges
    assert refused.status is None and refused.remote_address is None


def test_a_redirect_to_a_metadata_host_is_refused_at_that_hop(table: TableResolver) -> None:
    transport = NoNetwork()
    with GuardedClient(FetchPolicy(allow_private=True), transport=transport, resolver=table) as client, \
            pytest.raises(FetchError) as caught:
        client.get("http://issuer.test/go?to=http://metadata.test/latest/meta-data/iam/")
    assert caught.value.reason is FetchReason.PRIVATE_ADDRESS and "--allow-address" in str(caught.value)
    assert [r.url.host for r in transport.sent] == ["issuer.test"]
    assert [e.status for e in caught.value.exchanges] == [302, None]


@pytest.mark.parametrize("allow_private", [True, False])
def test_a_named_metadata_address_is_fetched(table: TableResolver, allow_private: bool) -> None:
    transport = NoNetwork()
    policy = FetchPolicy(allow_private=allow_private, allow_networks=(METADATA,))
    with GuardedClient(policy, transport=transport, resolver=table) as client:
        assert client.get("http://metadata.test/latest/meta-data/").status == 200
    assert [r.url.host for r in transport.sent] == ["metadata.test"]
