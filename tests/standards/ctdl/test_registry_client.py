"""The Registry client against the stand-in on 127.0.0.1, and against a hostile server on 127.0.0.2."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conformance.reference.registry import RegistryData, RegistryDataError, build_app, serve_registry
from conformance.standards.ctdl.facts.model import DocumentKind
from conformance.standards.ctdl.registry_client import (
    BadRequest,
    InvalidAnswer,
    NotFound,
    RegistryClient,
    RegistryErrorKind,
    RegistryUnavailable,
    normalize_ctid,
    parse_links,
    parse_registry_uri,
    registry_base,
)
from conformance.support.net import FetchPolicy, FetchReason, GuardedClient

DATA = Path(__file__).resolve().parents[3] / "examples" / "registry"
CERTIFICATE = "ce-1b7a0d3e-52c4-4f1d-9e6b-8a2c3d4e5f60"
ORGANIZATION = "ce-7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
FRAMEWORK = "ce-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
COMPETENCY = "ce-3d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f70"
UNKNOWN = "ce-00000000-0000-4000-8000-000000000000"
STAND_IN = FetchPolicy(allow_networks=("127.0.0.1/32",))


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    with serve_registry(DATA) as running:
        yield running.base_url


@pytest.fixture()
def client(standin: str) -> Iterator[RegistryClient]:
    with GuardedClient(STAND_IN) as http:
        yield RegistryClient(http, standin)


# --- reading through every route -------------------------------------------------------------------------------

@pytest.mark.parametrize(("route", "ctid", "kind", "types"), [
    ("resource", CERTIFICATE, DocumentKind.RESOURCE, [("ceterms:Certificate",)]),
    ("resource", CERTIFICATE.upper(), DocumentKind.RESOURCE, [("ceterms:Certificate",)]),
    ("resource", COMPETENCY, DocumentKind.RESOURCE, [("ceasn:Competency",)]),
    ("graph", FRAMEWORK, DocumentKind.GRAPH, [("ceasn:CompetencyFramework",), ("ceasn:Competency",)]),
    # a part's /graph/ document is the whole graph it was published in
    ("graph", COMPETENCY.upper(), DocumentKind.GRAPH, [("ceasn:CompetencyFramework",), ("ceasn:Competency",)]),
    ("graph", CERTIFICATE, DocumentKind.GRAPH, [("ceterms:Certificate",)]),
    ("envelope", ORGANIZATION, DocumentKind.ENVELOPE, [("ceterms:CredentialOrganization",)]),
    ("envelope", ORGANIZATION.upper(), DocumentKind.ENVELOPE, [("ceterms:CredentialOrganization",)]),
])
def test_each_route_returns_parsed_ctdl(client: RegistryClient, route: str, ctid: str, kind: DocumentKind,
                                        types: list[tuple[str, ...]]) -> None:
    document = getattr(client, route)(ctid)
    assert document.kind is kind
    assert [node.types for node in document.resources] == types
    assert document.source.endswith(ctid.lower())


def test_an_envelope_carries_the_registry_metadata(client: RegistryClient) -> None:
    document = client.envelope(ORGANIZATION)
    assert document.envelope is not None
    assert document.envelope["envelope_ceterms_ctid"] == ORGANIZATION
    assert document.envelope["envelope_type"] == "resource_data"
    assert document.envelope["envelope_ctdl_type"] == "ceterms:CredentialOrganization"
    assert document.nodes[0].pointer.startswith("/decoded_resource/@graph/")


def test_an_envelope_is_found_by_its_envelope_id_too(client: RegistryClient) -> None:
    envelope_id = client.envelope(CERTIFICATE).envelope["envelope_id"]  # type: ignore[index]
    assert client.envelope(envelope_id).envelope["envelope_ceterms_ctid"] == CERTIFICATE  # type: ignore[index]


@pytest.mark.parametrize("route", ["resource", "graph", "envelope"])
def test_an_unknown_ctid_is_not_found(client: RegistryClient, route: str) -> None:
    with pytest.raises(NotFound) as caught:
        getattr(client, route)(UNKNOWN)
    assert caught.value.status == 404
    assert caught.value.kind is RegistryErrorKind.NOT_FOUND
    assert UNKNOWN in caught.value.url


@pytest.mark.parametrize("value", ["ce-123", "12345678-1234-4123-8123-123456789012", "", "ce-1b7a0d3e-52c4-4f1d"])
def test_a_value_that_is_no_ctid_is_a_bad_request(client: RegistryClient, value: str) -> None:
    with pytest.raises(BadRequest):
        client.resource(value)


def test_the_stand_in_matches_envelope_ctids_as_written(standin: str) -> None:
    answer = httpx.get(f"{standin}/envelopes/{ORGANIZATION.upper()}")
    assert answer.status_code == 404
    assert answer.json() == {"errors": [f"no envelope for {ORGANIZATION.upper()}"]}
    assert httpx.get(f"{standin}/resources/{ORGANIZATION.upper()}").status_code == 200


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", f"/resources/{UNKNOWN}", 404),
    ("GET", "/resources/not-a-ctid", 404),
    ("GET", f"/other-community/resources/{CERTIFICATE}", 404),
    ("GET", "/ce-registry/envelopes?page=zero", 400),
    ("GET", "/ce-registry/envelopes?per_page=0", 400),
    ("DELETE", f"/resources/{CERTIFICATE}", 405),
    ("POST", "/resources/search", 422),
])
def test_errors_are_json_with_the_right_status(standin: str, method: str, path: str, status: int) -> None:
    answer = httpx.request(method, standin + path, content=b"not json" if method == "POST" else None)
    assert answer.status_code == status
    body = answer.json()
    assert list(body) == ["errors"] and body["errors"] and all(isinstance(e, str) for e in body["errors"])


def test_the_community_prefix_serves_the_same_routes(client: RegistryClient, standin: str) -> None:
    with GuardedClient(STAND_IN) as http:
        prefixed = RegistryClient(http, standin, community="ce-registry")
        assert prefixed.resource_url(CERTIFICATE) == f"{standin}/ce-registry/resources/{CERTIFICATE}"
        assert prefixed.resource(CERTIFICATE).resources.__next__().ctid == CERTIFICATE


# --- paging and search -----------------------------------------------------------------------------------------

def test_envelopes_page_along_link_headers(client: RegistryClient) -> None:
    first = client.envelopes(page=1, per_page=2)
    assert first.total == 3 and len(first.envelopes) == 2 and first.per_page == 2
    assert first.next_url is not None and "page=2" in first.next_url
    assert set(first.links) == {"first", "next", "last"}
    second = client.follow(first)
    assert second is not None and len(second.envelopes) == 1 and second.next_url is None
    assert "prev" in second.links
    every = [e["envelope_ceterms_ctid"] for e in client.all_envelopes(per_page=1)]
    assert every == sorted({CERTIFICATE, ORGANIZATION, FRAMEWORK})


def test_per_page_is_capped_at_200(client: RegistryClient, standin: str) -> None:
    answer = httpx.get(f"{standin}/ce-registry/envelopes?per_page=5000")
    assert answer.headers["per-page"] == "200"
    assert client.envelopes(per_page=5000).per_page == 200


@pytest.mark.parametrize(("query", "expected"), [
    ({"fts": "university"}, {ORGANIZATION}),
    ({"fts": "tabular"}, {FRAMEWORK}),
    ({"resource_type": "certificate"}, {CERTIFICATE}),
    ({"resource_type": "competencyframework"}, {FRAMEWORK}),
    ({"fts": "nothing like this anywhere"}, set()),
    ({"community": "elsewhere"}, set()),
])
def test_search_filters_envelopes(client: RegistryClient, query: dict[str, str], expected: set[str]) -> None:
    found = client.search(**query)
    assert {e["envelope_ceterms_ctid"] for e in found.envelopes} == expected
    assert found.total == len(expected)
    assert all(document.kind is DocumentKind.ENVELOPE for document in found.documents("search"))


def test_bulk_posts_answer_in_request_order(standin: str) -> None:
    body = {"ctids": [COMPETENCY.upper(), UNKNOWN, CERTIFICATE]}
    resources = httpx.post(f"{standin}/resources/search", json=body).json()
    assert [r["ceterms:ctid"] for r in resources] == [COMPETENCY, CERTIFICATE]
    graphs = httpx.post(f"{standin}/graph/search", json=body).json()
    assert [g["@id"].rsplit("/", 1)[1] for g in graphs] == [FRAMEWORK, CERTIFICATE]
    assert httpx.post(f"{standin}/resources/check_existence", json=body).json() == [COMPETENCY, CERTIFICATE]


# --- the stand-in's data ---------------------------------------------------------------------------------------

def test_the_stand_in_only_listens_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"), serve_registry(DATA, host="0.0.0.0"):
        pass


@pytest.mark.parametrize(("files", "message"), [
    ({"a.json": {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Badge"}},
     "no top-level resource with a CTID"),
    ({"a.json": [1, 2]}, "expected a JSON object"),
    ({"a.json": {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Badge",
                 "@id": f"https://credentialengineregistry.org/resources/{CERTIFICATE}", "ceterms:ctid": CERTIFICATE},
      "b.json": {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Badge",
                 "@id": f"https://credentialengineregistry.org/resources/{CERTIFICATE}",
                 "ceterms:ctid": CERTIFICATE.upper()}}, "already published"),
])
def test_a_directory_that_cannot_be_served_is_refused(tmp_path: Path, files: dict[str, object], message: str) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(RegistryDataError, match=message):
        RegistryData.from_directory(tmp_path)


def test_a_byte_order_mark_and_jsonl_are_read(tmp_path: Path) -> None:
    resource = json.loads((DATA / "certificate.json").read_text(encoding="utf-8"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(resource).encode())
    other = {**resource, "ceterms:ctid": UNKNOWN, "@id": f"https://credentialengineregistry.org/resources/{UNKNOWN}"}
    (tmp_path / "more.jsonl").write_text(json.dumps(other) + "\n\n", encoding="utf-8")
    data = RegistryData.from_directory(tmp_path)
    assert sorted(data.publications) == sorted([CERTIFICATE, UNKNOWN])
    assert build_app(data) is not None


# --- hostile servers -------------------------------------------------------------------------------------------

HOSTILE = "127.0.0.2"


class _Hostile(BaseHTTPRequestHandler):
    target = ""

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        try:
            kind = self.path.split("/")[1]
            if kind == "slow":
                time.sleep(3)
                self._send(200, b"{}")
            elif kind == "huge":
                self._send(200, b"[" + b"0," * 600_000 + b"0]")
            elif kind == "redirect":
                self._send(302, b"", (("Location", f"{self.target}/resources/{CERTIFICATE}"),))
            elif kind == "notjson":
                self._send(200, b"<html>hello</html>")
            elif kind == "deep":
                self._send(200, b"[" * 5000 + b"]" * 5000)
            elif kind == "notctdl":
                self._send(200, b'{"hello": "world"}')
            elif kind == "pages":
                self._send(200, b"[]" if "envelopes" in self.path else b"{}",
                           (("Link", f'<http://{HOSTILE}:{self.server.server_address[1]}/pages/ce-registry/'
                                     'envelopes?page=1>; rel="next"'),))
            else:
                self._send(500, b'{"errors": ["boom"]}')
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def hostile(standin: str) -> Iterator[str]:
    _Hostile.target = standin
    server = ThreadingHTTPServer((HOSTILE, 0), _Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOSTILE}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# only the hostile server's address is allowed: a redirect to the stand-in on 127.0.0.1 must be refused
GUARDED = FetchPolicy(allow_networks=(f"{HOSTILE}/32",), timeout_s=1.0, read_timeout_s=0.5, max_bytes=1_000_000)


@pytest.mark.parametrize(("prefix", "error", "reason"), [
    ("slow", RegistryUnavailable, FetchReason.TIMEOUT),
    ("huge", RegistryUnavailable, FetchReason.TOO_LARGE),
    ("redirect", RegistryUnavailable, FetchReason.PRIVATE_ADDRESS),
    ("failing", RegistryUnavailable, FetchReason.HTTP_STATUS),
    ("notjson", InvalidAnswer, None),
    ("deep", InvalidAnswer, None),
    ("notctdl", InvalidAnswer, None),
])
def test_a_hostile_server_gives_typed_errors(hostile: str, prefix: str, error: type[Exception],
                                             reason: FetchReason | None) -> None:
    with GuardedClient(GUARDED) as http:
        client = RegistryClient(http, f"{hostile}/{prefix}")
        with pytest.raises(error) as caught:
            client.resource(CERTIFICATE)
        assert getattr(caught.value, "reason", None) == reason
        assert http.exchanges, "every exchange is recorded"


def test_a_server_whose_links_loop_stops(hostile: str) -> None:
    with GuardedClient(GUARDED) as http:
        client = RegistryClient(http, f"{hostile}/pages")
        assert list(client.all_envelopes(per_page=1)) == []
        assert len(http.exchanges) <= 3


def test_private_addresses_are_refused_by_default(standin: str) -> None:
    with GuardedClient(FetchPolicy()) as http, pytest.raises(RegistryUnavailable) as caught:
        RegistryClient(http, standin).resource(CERTIFICATE)
    assert caught.value.reason is FetchReason.PRIVATE_ADDRESS


# --- pure helpers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    (f"https://credentialengineregistry.org/resources/{CERTIFICATE}", ("https://credentialengineregistry.org",
                                                                       "resources", CERTIFICATE, "https")),
    (f"http://credentialengineregistry.org/graph/{CERTIFICATE.upper()}", ("https://credentialengineregistry.org",
                                                                          "graph", CERTIFICATE, "http")),
    (f"https://sandbox.credentialengineregistry.org/ce-registry/envelopes/{CERTIFICATE}",
     ("https://sandbox.credentialengineregistry.org", "envelopes", CERTIFICATE, "https")),
    (f"https://staging.credentialengineregistry.org/resources/{CERTIFICATE}/",
     ("https://staging.credentialengineregistry.org", "resources", CERTIFICATE, "https")),
    (f"https://example.org/resources/{CERTIFICATE}", None),
    (f"https://credentialengineregistry.org/resources/{CERTIFICATE}/extra", None),
    ("https://credentialengineregistry.org/resources/ce-nope", None),
    ("not a url", None),
    ("https://" + "a" * 5000, None),
])
def test_registry_uris_are_taken_apart(url: str, expected: tuple[str, str, str, str] | None) -> None:
    parsed = parse_registry_uri(url)
    if expected is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert (parsed.base, parsed.kind, parsed.ctid, parsed.scheme) == expected


def test_a_configured_base_is_a_registry_too() -> None:
    parsed = parse_registry_uri(f"http://127.0.0.1:9999/registry/graph/{CERTIFICATE}",
                                bases=("http://127.0.0.1:9999/registry",))
    assert parsed is not None and parsed.resource_url == f"http://127.0.0.1:9999/registry/resources/{CERTIFICATE}"


@pytest.mark.parametrize(("value", "expected"), [
    ("production", "https://credentialengineregistry.org"),
    ("sandbox", "https://sandbox.credentialengineregistry.org"),
    ("staging", "https://staging.credentialengineregistry.org"),
    (None, "https://credentialengineregistry.org"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
])
def test_registry_bases_by_environment(value: str | None, expected: str) -> None:
    assert registry_base(value) == expected


@pytest.mark.parametrize("value", ["ftp://example.org", "qa", "https://"])
def test_an_unknown_environment_is_refused(value: str) -> None:
    with pytest.raises(BadRequest):
        registry_base(value)


@pytest.mark.parametrize(("value", "expected"), [
    (CERTIFICATE.upper(), CERTIFICATE), (f"  {CERTIFICATE} ", CERTIFICATE), (CERTIFICATE, CERTIFICATE)])
def test_ctids_are_lower_cased(value: str, expected: str) -> None:
    assert normalize_ctid(value) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ('<https://r.example/e?page=2>; rel="next", <https://r.example/e?page=9>; rel="last"',
     {"next": "https://r.example/e?page=2", "last": "https://r.example/e?page=9"}),
    ("<https://r.example/a>; rel=next", {"next": "https://r.example/a"}),
    ('<https://r.example/a>; rel="prev first"', {"prev": "https://r.example/a", "first": "https://r.example/a"}),
    ("garbage", {}),
    (None, {}),
])
def test_link_headers_are_parsed(header: str | None, expected: dict[str, str]) -> None:
    assert parse_links(header) == expected
