"""DCC-style known-issuer registries and identifier normalisation."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.support.securing.trust import (
    TrustError,
    TrustList,
    load_dcc_registry,
    normalize_issuer_id,
    parse_dcc_registry,
)

# The shape the DCC registries publish (meta + registry keyed by DID); the entries are invented.
DCC = {
    "meta": {"created": "2022-10-27T17:57:31+00:00", "updated": "2025-03-12T16:20:00+00:00"},
    "registry": {
        "did:web:digital.example.edu": {"name": "Example University", "location": "Cambridge, MA, USA",
                                        "url": "https://example.edu"},
        "did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W": {"name": "(Example) My University",
                                                                      "url": "https://example.edu", "logo": "x.png"},
        "did:web:badges.example.com:issuers:42": {"name": "Example badge platform test issuer"},
        "did:key:z6MkfZq9f2cnn4HbZLQKpmC62fg5S9LpGBhuVqHRkvM6ZyEd": {},
    },
}


def test_the_dcc_shape_is_read() -> None:
    trust = parse_dcc_registry(json.dumps(DCC).encode(), "dcc.json", name="DCC sandbox")
    assert trust.name == "DCC sandbox"
    assert len(trust) == 4
    university = trust.lookup("did:web:DIGITAL.example.edu#key-1")
    assert university is not None
    assert (university.name, university.url, university.location) == (
        "Example University", "https://example.edu", "Cambridge, MA, USA")
    assert university.source == "dcc.json /registry/did:web:digital.example.edu"
    nameless = trust.lookup("did:key:z6MkfZq9f2cnn4HbZLQKpmC62fg5S9LpGBhuVqHRkvM6ZyEd")
    assert nameless is not None and nameless.name is None
    assert trust.decide("did:web:badges.example.com:issuers:42").trusted


VARIANTS: list[tuple[str, Any]] = [
    ("entries key", {"meta": {}, "entries": {"did:web:a.example": {"name": "A"}}}),
    ("keyed at the top", {"did:web:a.example": {"name": "A"}}),
    ("list with id", [{"id": "did:web:a.example", "name": "A"}]),
    ("list with did", [{"did": "did:web:a.example", "name": "A", "extra": [1, 2]}]),
    ("registry as a list", {"registry": [{"did": "did:web:a.example", "name": "A"}]}),
]


@pytest.mark.parametrize(("label", "document"), VARIANTS)
def test_tolerated_variants(label: str, document: Any) -> None:
    for data in (json.dumps(document), document):
        trust = parse_dcc_registry(data, "r.json")
        assert isinstance(trust, TrustList)
        entry = trust.lookup("did:web:A.example")
        assert entry is not None and entry.name == "A", label


BAD: list[tuple[Any, str]] = [
    (b"{not json", "r.json: the registry is not JSON"),
    (b"42", "a JSON object or array is expected"),
    ({"meta": {}, "issuers": {}}, "neither a `registry` object"),
    ({"registry": "did:web:a"}, "r.json: /registry: the registry entries are str"),
    ({"registry": {"did:web:a": "A"}}, "r.json: /registry/did:web:a: the entry is str"),
    ({"registry": {"did:web:a": {"name": 5}}}, "r.json: /registry/did:web:a/name: name is int"),
    ({"registry": {"not-an-id": {"name": "x"}}}, "r.json: /registry/not-an-id: the issuer id 'not-an-id'"),
    ([{"name": "no id"}], "r.json: /0: the issuer id None"),
    ({"registry": {"did:web:a/b": {"name": 1}}}, "/registry/did:web:a~1b/name"),
]


@pytest.mark.parametrize(("data", "fragment"), BAD)
def test_registry_errors_say_where(data: Any, fragment: str) -> None:
    with pytest.raises(TrustError) as info:
        parse_dcc_registry(data, "r.json")
    assert fragment in str(info.value)


def test_a_registry_is_loaded_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(DCC), encoding="utf-8")
    assert len(load_dcc_registry(path)) == 4
    with pytest.raises(TrustError, match="cannot be read"):
        load_dcc_registry(tmp_path / "absent.json")


NORMALISED = [
    ("did:web:Example.COM", "did:web:example.com"),
    ("did:web:example.com%3A8443:users:Alice", "did:web:example.com%3a8443:users:Alice"),
    ("did:WEB:example.com", "did:web:example.com"),
    ("DID:web:example.com", "did:web:example.com"),
    ("did:web:example.com#key-1", "did:web:example.com"),
    ("did:web:example.com/path?x=1#f", "did:web:example.com"),
    ("did:key:z6MkABC#z6MkABC", "did:key:z6MkABC"),
    ("did:key:z6MkABC", "did:key:z6MkABC"),
    ("https://Example.com/", "https://example.com"),
    ("https://example.com", "https://example.com"),
    ("HTTPS://example.com:443/a/b/", "https://example.com/a/b"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/a?b=C#frag", "https://example.com/a?b=C"),
    ("https://example.com/A", "https://example.com/A"),
    ("https://[::1]:8080/", "https://[::1]:8080"),
    ("https://example.com:99999/", "https://example.com:99999/"),
    ("urn:uuid:ABC#x", "urn:uuid:ABC"),
    ("  did:web:example.com  ", "did:web:example.com"),
    ("plain text", "plain text"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALISED)
def test_normalize_issuer_id(raw: str, expected: str) -> None:
    assert normalize_issuer_id(raw) == expected
    assert normalize_issuer_id(expected.strip()) == normalize_issuer_id(raw)
