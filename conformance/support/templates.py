"""Credentials the suite writes, kept as data: `shapes/templates/<name>.json` holds one credential and, per use, the
values set over it by JSON pointer (schema: shapes/schemas/credential-template.schema.json). The live flows, the
counter-party and the reference implementations all start from the same file, so a fix to the credential lands in
every place that issues it."""
from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from conformance.support.formats.json_patch import apply_mutation
from conformance.support.resources import shapes_dir


@cache
def load_template(name: str) -> Mapping[str, Any]:
    path = shapes_dir() / "templates" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def credential_from_template(name: str, use: str) -> dict[str, Any]:
    """A fresh copy of the template's credential with the values of `use` set (a KeyError names an unknown use)."""
    template = load_template(name)
    document = copy.deepcopy(template["credential"])
    for at, value in template["uses"][use].items():
        apply_mutation(document, {"op": "add", "path": at, "value": value})
    return document
