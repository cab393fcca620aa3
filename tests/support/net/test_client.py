"""The guarded client against real servers on 127.0.0.2 that the tests start."""
from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from conformance.support.net import FetchError, FetchPolicy, FetchReason, GuardedClient, fetch_bounded
from conformance.support.net.client import FetchPolicyError

from .conftest import HOST, LOCAL, Pki, Served, TableResolver


def _fails(client: GuardedClient, url: str, reason: FetchReason, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        client.get(url, **kwargs)  # type: ignore[arg-type]
    assert caught.value.reason is reason, str(caught.value)
    assert caught.value.exchanges and caught.value.exchanges[-1].error == reason.value
    return caught.value


def test_a_document_comes_back_with_evidence(http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        response = client.get(http.url("/doc"))
    assert response.status == 200 and json.loads(response.body) == {"ok": True}
    assert response.content_type == "application/json" and not response.from_cache
    (exchange,) = client.exchanges
    assert exchange == response.exchange
    assert (exchange.method, exchange.status, exchange.remote_address, exchange.body_bytes) == \
        ("GET", 200, HOST, len(response.body))
    assert exchange.body_sha256 is not None and len(exchange.body_sha256) == 64 and exchange.error is None
    assert ("content-type", "application/json") in exchange.response_headers


@pytest.mark.parametrize("target", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]",
                                    "2130706433", "0x7f.1", "[fe80::1%25lo]", "0.0.0.0", "100.64.1.1"])
def test_a_redirect_to_a_private_address_is_refused(http: Served, target: str) -> None:
    with GuardedClient(LOCAL) as client:
        error = _fails(client, http.url(f"/redirect?to=http://{target}:{http.port}/doc"),
                       FetchReason.PRIVATE_ADDRESS)
    # link-local addresses are opened only by naming them, never by --allow-private
    assert ("--allow-address" if target in ("169.254.169.254", "[fe80::1%25lo]") else "--allow-private") in str(error)
    first, refused = error.exchanges
    assert first.status == 302 and refused.status is None and refused.remote_address is None


def test_a_private_initial_url_is_refused_before_any_request(http: Served) -> None:
    before = http.hits["/doc"]
    with GuardedClient(FetchPolicy()) as client:
        error = _fails(client, http.url("/doc"), FetchReason.PRIVATE_ADDRESS)
    assert http.hits["/doc"] == before
    assert f"{HOST} is {HOST} (loopback)" in str(error)


def test_allow_private_reaches_any_address(http: Served) -> None:
    with GuardedClient(FetchPolicy(allow_private=True)) as client:
        assert client.get(http.url(f"/redirect?to=http://{HOST}:{http.port}/doc")).status == 200


def test_every_resolved_address_is_checked(http: Served, resolver: TableResolver) -> None:
    resolver.table["split.test"] = [[HOST, "10.0.0.1"]]
    with GuardedClient(LOCAL, resolver=resolver) as client:
        error = _fails(client, http.url("/doc", host="split.test"), FetchReason.PRIVATE_ADDRESS)
    assert "split.test resolves to 10.0.0.1 (private)" in str(error)


def test_connects_to_the_address_it_checked_not_a_later_answer(http: Served, resolver: TableResolver) -> None:
    # The second answer would be refused; the fetch must use the first (checked) one and not resolve again.
    resolver.table["rebind.test"] = [[HOST], ["127.0.0.1"]]
    with GuardedClient(LOCAL, resolver=resolver) as client:
        response = client.get(http.url("/doc", host="rebind.test"))
        assert response.exchange.remote_address == HOST and resolver.calls == ["rebind.test"]
        _fails(client, http.url("/echo", host="rebind.test"), FetchReason.PRIVATE_ADDRESS)


@pytest.mark.parametrize(("path", "reason"), [
    ("/loop/a", FetchReason.REDIRECT_LOOP),
    ("/chain/4", FetchReason.TOO_MANY_REDIRECTS),
    ("/no-location", FetchReason.HTTP_STATUS),
    ("/status/404", FetchReason.HTTP_STATUS),
    ("/status/500", FetchReason.HTTP_STATUS),
    ("/redirect?to=ftp://example.org/x", FetchReason.SCHEME),
    ("/redirect?to=http://%5B::1", FetchReason.INVALID_URL),
    ("/brotli", FetchReason.PROTOCOL),
])
def test_redirect_and_status_failures(http: Served, path: str, reason: FetchReason) -> None:
    with GuardedClient(LOCAL) as client:
        _fails(client, http.url(path), reason)


def test_redirect_chain_up_to_the_limit(http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        response = client.get(http.url("/chain/3"))
    assert json.loads(response.body) == {"end": True} and response.url.endswith("/chain/0")
    assert [e.status for e in response.exchanges] == [302, 302, 302, 200]
    with GuardedClient(replace(LOCAL, max_redirects=0)) as client:
        error = _fails(client, http.url("/chain/1"), FetchReason.TOO_MANY_REDIRECTS)
    assert "at most 0 redirects" in str(error) and error.exchanges[0].status == 302


def test_slow_answer_times_out(http: Served) -> None:
    with GuardedClient(replace(LOCAL, timeout_s=0.3)) as client:
        _fails(client, http.url("/slow"), FetchReason.TIMEOUT)


def test_trickling_body_hits_the_total_timeout(http: Served) -> None:
    # Every read succeeds well within the read timeout; only the whole-fetch deadline can stop this.
    with GuardedClient(replace(LOCAL, timeout_s=0.4, read_timeout_s=5.0)) as client:
        _fails(client, http.url("/trickle"), FetchReason.TIMEOUT)


def test_endless_body_stops_at_the_cap(http: Served) -> None:
    with GuardedClient(replace(LOCAL, max_bytes=1_000_000)) as client:
        error = _fails(client, http.url("/endless"), FetchReason.TOO_LARGE)
        assert "more than 1000000 bytes" in str(error)
        assert error.exchanges[-1].status == 200
        body = client.fetch(http.url("/endless"), 5000)          # the fetch_bounded contract: limit+1 bytes
    assert len(body) == 5001


def test_announced_length_over_the_cap_is_refused_without_reading(http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        error = _fails(client, http.url("/doc"), FetchReason.TOO_LARGE, max_bytes=5)
    assert "announces 12 bytes" in str(error)


def test_gzip_is_decoded_and_a_bomb_is_stopped(http: Served) -> None:
    with GuardedClient(replace(LOCAL, max_bytes=1_000_000)) as client:
        assert json.loads(client.get(http.url("/gzip")).body) == {"zipped": True}
        error = _fails(client, http.url("/gzip-bomb"), FetchReason.TOO_LARGE)
    assert "more than 1000000 bytes" in str(error)


@pytest.mark.parametrize("kb", [40, 200])   # over our cap; over the HTTP parser's own ceiling
def test_huge_response_headers_are_refused(http: Served, kb: int) -> None:
    with GuardedClient(LOCAL) as client:
        error = _fails(client, http.url(f"/big-headers?kb={kb}"), FetchReason.TOO_LARGE)
    assert "header" in str(error) or "head" in str(error)


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", FetchReason.SCHEME),
    ("ftp://example.org/badge.json", FetchReason.SCHEME),
    ("gopher://example.org/", FetchReason.SCHEME),
    ("data:application/json,{}", FetchReason.SCHEME),
    ("javascript:alert(1)", FetchReason.SCHEME),
    ("//example.org/x", FetchReason.SCHEME),
    ("http:///nohost", FetchReason.INVALID_URL),
    ("http://[::1", FetchReason.INVALID_URL),
    ("http://" + "a" * 9000 + ".example/", FetchReason.INVALID_URL),
    ("https://no-such-host.invalid/x", FetchReason.CONNECTION),
])
def test_urls_that_are_never_fetched(url: str, reason: FetchReason) -> None:
    with GuardedClient(FetchPolicy()) as client:
        _fails(client, url, reason)


def test_non_string_url_is_a_typed_error() -> None:
    with GuardedClient() as client, pytest.raises(FetchError) as caught:
        client.get(None)  # type: ignore[arg-type]
    assert caught.value.reason is FetchReason.INVALID_URL


def test_refused_connection(resolver: TableResolver) -> None:
    import socket

    with socket.socket() as probe:              # a port that nothing listens on
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    with GuardedClient(LOCAL) as client:
        _fails(client, f"http://{HOST}:{port}/", FetchReason.CONNECTION)


def test_same_url_is_fetched_once_per_run_including_failures(http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        before = http.hits["/echo"], http.hits["/status/410"]
        first = client.get(http.url("/echo?cache=1"))
        second = client.get(http.url("/echo?cache=1"))
        for _ in range(2):
            _fails(client, http.url("/status/410"), FetchReason.HTTP_STATUS)
        assert (http.hits["/echo"], http.hits["/status/410"]) == (before[0] + 1, before[1] + 1)
        assert second.body == first.body and second.from_cache and not first.from_cache
        assert len(client.exchanges) == 2


def test_cache_is_bounded(http: Served) -> None:
    with GuardedClient(replace(LOCAL, cache_entries=2)) as client:
        before = http.hits["/echo"]
        for n in (1, 2, 3, 1):
            client.get(http.url(f"/echo?bounded={n}"))
        assert http.hits["/echo"] == before + 4             # the first URL was evicted by the third
    with GuardedClient(replace(LOCAL, cache_bytes=10)) as client:
        before = http.hits["/echo"]
        client.get(http.url("/echo?big=1"))
        client.get(http.url("/echo?big=1"))
        assert http.hits["/echo"] == before + 2             # larger than the whole cache: not kept


def test_concurrent_requests_for_one_url_make_one_exchange(http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        before = http.hits["/echo"]
        threads = [threading.Thread(target=client.get, args=(http.url("/echo?together=1"),)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert http.hits["/echo"] == before + 1 and len(client.exchanges) == 1


def test_secrets_never_reach_evidence_or_messages(http: Served) -> None:
    secret_headers = {"Authorization": "Bearer SECRET-authorization", "Cookie": "sid=SECRET-cookie"}
    with GuardedClient(LOCAL) as client:
        response = client.get(http.url("/secrets?access_token=SECRET-query&code=SECRET-code&page=2"),
                              headers=secret_headers)
        echoed = json.loads(response.body)
        with pytest.raises(FetchError) as caught:
            client.get(http.url("/status/403?access_token=SECRET-failing"), headers=secret_headers)
        evidence = json.dumps([e.to_json() for e in client.exchanges]) + repr(client.exchanges)
    # The credentials were sent (same origin) ...
    assert echoed["headers"]["authorization"] == "Bearer SECRET-authorization"
    assert "client_secret=SECRET-location" in echoed["path"]
    # ... but nothing secret was kept, and the evidence says where redaction happened.
    for text in (evidence, str(caught.value), repr(caught.value.exchanges), caught.value.url):
        assert "SECRET" not in text
    assert "access_token=[redacted]" in evidence and "page=2" in evidence
    assert '["authorization", "[redacted]"]' in evidence and '["set-cookie", "[redacted]"]' in evidence


def test_credentials_do_not_follow_a_redirect_to_another_origin(http: Served, other_http: Served) -> None:
    with GuardedClient(LOCAL) as client:
        response = client.get(http.url(f"/redirect?to={other_http.url('/echo')}"),
                              headers={"Authorization": "Bearer for-the-first-origin", "X-Trace": "kept"})
    headers = json.loads(response.body)["headers"]
    assert "authorization" not in headers and headers["x-trace"] == "kept"


def test_tls_is_verified(https: Served, pki: Pki, resolver: TableResolver) -> None:
    trusted = replace(LOCAL, ca_file=str(pki.ca_file))
    with GuardedClient(trusted, resolver=resolver) as client:
        assert json.loads(client.get(https.url("/doc")).body) == {"ok": True}
    with GuardedClient(LOCAL, resolver=resolver) as client:          # the test CA is not trusted
        error = _fails(client, https.url("/doc"), FetchReason.TLS)
    assert "certificate" in str(error)
    with GuardedClient(trusted, resolver=resolver) as client:        # trusted CA, wrong name
        error = _fails(client, https.url("/doc", host="wrong.test"), FetchReason.TLS)
    assert "wrong.test" in str(error) or "match" in str(error)


def test_https_to_http_redirect_is_refused(https: Served, http: Served, pki: Pki, resolver: TableResolver) -> None:
    with GuardedClient(replace(LOCAL, ca_file=str(pki.ca_file)), resolver=resolver) as client:
        error = _fails(client, https.url(f"/redirect?to={http.url('/doc')}"), FetchReason.SCHEME)
    assert "downgrade" in str(error)


def test_fetch_bounded_keeps_its_first_meaning(http: Served) -> None:
    assert json.loads(fetch_bounded(http.url("/doc"), 1000)) == {"ok": True}
    assert len(fetch_bounded(http.url("/endless"), 100)) == 101
    with pytest.raises(OSError, match="404"):
        fetch_bounded(http.url("/status/404"), 1000)
    with pytest.raises(FetchError) as caught:                         # a redirect is reported, not followed
        fetch_bounded(http.url("/chain/1"), 1000)
    assert caught.value.reason is FetchReason.TOO_MANY_REDIRECTS and "/chain/0" in str(caught.value)


def test_a_closed_client_refuses(http: Served) -> None:
    client = GuardedClient(LOCAL)
    client.close()
    with pytest.raises(FetchError) as caught:
        client.get(http.url("/doc"))
    assert caught.value.reason is FetchReason.CONNECTION and "closed" in str(caught.value)


@pytest.mark.parametrize("bad", [{"timeout_s": 0}, {"max_bytes": 0}, {"max_redirects": -1},
                                 {"allow_networks": ("10.0.0.0/99",)}, {"read_timeout_s": -1.0}])
def test_nonsense_policies_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(FetchPolicyError):
        FetchPolicy(**bad)  # type: ignore[arg-type]


def test_evidence_log_is_bounded(http: Served) -> None:
    with GuardedClient(replace(LOCAL, max_exchanges=2)) as client:
        client.get(http.url("/chain/3"))
        assert len(client.exchanges) == 2 and client.dropped_exchanges == 2
