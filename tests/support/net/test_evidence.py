"""Secrets never reach the stored evidence, whatever shape the URL or header takes."""
from __future__ import annotations

import json

import pytest

from conformance.support.net import Exchange, redact_header, redact_url

URLS = [
    ("https://a.example/cb?code=abc123&state=s1", "https://a.example/cb?code=[redacted]&state=s1"),
    ("https://a.example/x?access_token=T0K3N", "https://a.example/x?access_token=[redacted]"),
    ("https://a.example/x?Access_Token=T0K3N&x=1", "https://a.example/x?Access_Token=[redacted]&x=1"),
    ("https://a.example/x?a=1&client_secret=s3cr3t&b=2", "https://a.example/x?a=1&client_secret=[redacted]&b=2"),
    ("https://a.example/x?id_token=e.y.j&refresh_token=r", "https://a.example/x?id_token=[redacted]&refresh_token=[redacted]"),
    ("https://a.example/x?api_key=k&apikey=k2&key=k3", "https://a.example/x?api_key=[redacted]&apikey=[redacted]&key=[redacted]"),
    ("https://b.s3.example/o?X-Amz-Signature=ff&X-Amz-Credential=c", "https://b.s3.example/o?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]"),
    ("https://a.example/cb#access_token=T&token_type=bearer", "https://a.example/cb#access_token=[redacted]&token_type=[redacted]"),
    ("https://a.example/x?access%5Ftoken=T", "https://a.example/x?access%5Ftoken=[redacted]"),
    ("https://user:hunter2@a.example/x", "https://user:[redacted]@a.example/x"),
    ("https://tokenonly@a.example/x", "https://[redacted]@a.example/x"),
    ("http://[::1/broken?access_token=T", "http://[::1/broken?access_token=[redacted]"),   # unparseable
    ("https://a.example/x?page=2&sort=asc", "https://a.example/x?page=2&sort=asc"),
    ("https://a.example/path/token/x", "https://a.example/path/token/x"),                # only parameters
]


@pytest.mark.parametrize(("url", "expected"), URLS)
def test_urls_are_redacted(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("Authorization", "Bearer abc", "[redacted]"),
    ("proxy-authorization", "Basic abc", "[redacted]"),
    ("Cookie", "sid=1", "[redacted]"),
    ("Set-Cookie", "sid=1; HttpOnly", "[redacted]"),
    ("X-Api-Key", "k", "[redacted]"),
    ("X-Auth-Token", "t", "[redacted]"),
    ("X-Session-Id", "t", "[redacted]"),
    ("Location", "https://a.example/cb?code=abc", "https://a.example/cb?code=[redacted]"),
    ("Content-Type", "application/ld+json", "application/ld+json"),
    ("Server", "x" * 2000, "x" * 512 + "…(+1488 characters)"),
])
def test_headers_are_redacted(name: str, value: str, expected: str) -> None:
    assert redact_header(name, value) == expected


def test_exchange_serialises_to_plain_json() -> None:
    exchange = Exchange("GET", "https://a.example/x", "2026-01-01T00:00:00.000+00:00", 0.01234, status=200,
                        remote_address="93.184.215.14", request_headers=(("accept", "*/*"),),
                        response_headers=(("content-type", "application/json"),), body_sha256="ab" * 32,
                        body_bytes=12)
    data = json.loads(json.dumps(exchange.to_json()))
    assert data == {"method": "GET", "url": "https://a.example/x", "startedAt": "2026-01-01T00:00:00.000+00:00",
                    "elapsedSeconds": 0.0123, "status": 200, "remoteAddress": "93.184.215.14",
                    "requestHeaders": [["accept", "*/*"]], "responseHeaders": [["content-type", "application/json"]],
                    "body": {"sha256": "ab" * 32, "bytes": 12, "truncated": False}}
    failed = Exchange("GET", "https://a.example/x", "t", 0.0, error="timeout", message="too slow").to_json()
    assert failed["error"] == {"reason": "timeout", "message": "too slow"} and "body" not in failed
