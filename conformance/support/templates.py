"""Documents the suite writes, kept as data: `shapes/templates/<name>.json` holds one `document` and, optionally,
per use the values set over it by JSON pointer (schema: shapes/schemas/document-template.schema.json). A string of
the document may name a value the caller gives: `${base}` inside a string is replaced by its text, and a string
that is only `${scopes}` by the value itself (an object, say).

The live flows, the counter-party and the reference implementations start from the same files (the credential
they issue, the service description an OB/CLR host serves), so a fix lands in every place that writes one, and the
reference still shares no judging code with the suite."""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from string import Template
from typing import Any

from conformance.support.formats.json_patch import apply_mutation
from conformance.support.resources import shapes_dir

_WHOLE_VALUE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@cache
def load_template(name: str) -> Mapping[str, Any]:
    path = shapes_dir() / "templates" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _filled(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _WHOLE_VALUE.match(value)
        if whole:
            return copy.deepcopy(values[whole.group(1)])
        return Template(value).substitute(values) if "$" in value else value
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    return value


def document_from_template(name: str, use: str | None = None, **values: Any) -> dict[str, Any]:
    """A fresh copy of the template's document with the caller's `values` filled in and the values of `use` set (a
    KeyError names an unknown use or a value the template needs and the caller did not give)."""
    template = load_template(name)
    document = _filled(template["document"], values)
    for at, value in (template["uses"][use] if use is not None else {}).items():
        apply_mutation(document, {"op": "add", "path": at, "value": value})
    return document
