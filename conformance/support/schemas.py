"""JSON Schemas for the suite's own data files (catalogs, class-rule tables, spec table, profiles, pins, vector
manifests)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.core.requirements import CatalogError
from conformance.support.resources import shapes_dir, vectors_dir

_SCHEMA_FILES = {
    "requirements": ("shapes", "requirements.schema.json"),
    "specs": ("shapes", "specs.schema.json"),
    "profile": ("shapes", "profile.schema.json"),
    "pins": ("shapes", "pins.schema.json"),
    "vendor-attestation": ("shapes", "vendor-attestation.schema.json"),
    "results": ("shapes", "results.schema.json"),
    "targets": ("shapes", "targets.schema.json"),
    "manifest": ("vectors", "manifest.schema.json"),
    "class-rules": ("shapes", "class-rules.schema.json"),
    "document-template": ("shapes", "document-template.schema.json"),
}


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    root, name = _SCHEMA_FILES[kind]
    base = shapes_dir() / "schemas" if root == "shapes" else vectors_dir()
    schema = json.loads((base / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_data_file(kind: str, data: Mapping[str, Any], path: Path) -> None:
    errors = sorted(_validator(kind).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise CatalogError(f"{path} does not match the {kind} schema: {details}")
