"""The artifact store serves pinned bytes by hash and nothing else."""
from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from conformance.support.artifacts import ArtifactStore, Pin, load_pins
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file
from tests.conftest import artifacts_dir

V2 = "https://www.w3.org/ns/credentials/v2"


def test_pins_file_matches_its_schema() -> None:
    path = shapes_dir() / "pins.toml"
    validate_data_file("pins", tomllib.loads(path.read_text(encoding="utf-8")), path)


def test_every_pin_resolves_in_the_shared_standards_with_its_hash() -> None:
    store = ArtifactStore(load_pins(shapes_dir() / "pins.toml"), [artifacts_dir()])
    assert store.missing() == []
    for url, pin in store.pins.items():
        assert hashlib.sha256(store.get(url) or b"").hexdigest() == pin.sha256, url


def test_the_vc_v2_pin_is_the_digest_the_recommendation_publishes() -> None:
    pins = load_pins(shapes_dir() / "pins.toml")
    assert pins[V2].sha256 == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


def test_lookup_is_by_content_not_by_file_name(tmp_path: Path) -> None:
    body = b'{"@context": {"x": "https://example.org/x"}}'
    (tmp_path / "whatever-name.bin").write_bytes(body)
    pin = Pin("https://example.org/ctx", hashlib.sha256(body).hexdigest(), "context")
    store = ArtifactStore({pin.url: pin}, [tmp_path], cache_dir=tmp_path / "cache")
    assert store.get(pin.url) == body


def test_bytes_with_another_hash_are_never_served(tmp_path: Path) -> None:
    (tmp_path / "ctx.json").write_bytes(b'{"tampered": true}')
    pin = Pin("https://example.org/ctx", "0" * 64, "context")
    store = ArtifactStore({pin.url: pin}, [tmp_path], cache_dir=tmp_path / "cache")
    assert store.get(pin.url) is None
    assert store.missing() == [pin]


def test_unpinned_urls_are_not_served(tmp_path: Path) -> None:
    store = ArtifactStore({}, [artifacts_dir()], cache_dir=tmp_path)
    assert store.get("https://example.org/anything") is None and not store.is_pinned("https://example.org/anything")


def test_fetched_bytes_go_to_the_cache_only_when_the_hash_matches(tmp_path: Path) -> None:
    body = b"pinned"
    pin = Pin("https://example.org/p", hashlib.sha256(body).hexdigest(), "schema")
    store = ArtifactStore({pin.url: pin}, [], cache_dir=tmp_path / "cache")
    with pytest.raises(ValueError, match="sha256"):
        store.store(pin.url, b"something else")
    store.store(pin.url, body)
    fresh = ArtifactStore({pin.url: pin}, [], cache_dir=tmp_path / "cache")
    assert fresh.get(pin.url) == body


def test_the_environment_variable_names_artifact_directories(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_CONFORMANCE_ARTIFACTS", str(artifacts_dir()))
    store = ArtifactStore.from_environment(load_pins(shapes_dir() / "pins.toml"))
    assert store.directories == (artifacts_dir(),) and store.get(V2) is not None
