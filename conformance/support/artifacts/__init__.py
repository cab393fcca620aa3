"""Offline artifacts: pinned JSON-LD contexts and upstream JSON Schemas, looked up by content hash."""
from conformance.support.artifacts.store import ArtifactStore, Pin, default_cache_dir, load_pins

__all__ = ["ArtifactStore", "Pin", "default_cache_dir", "load_pins"]
