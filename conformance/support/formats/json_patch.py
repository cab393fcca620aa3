"""A minimal JSON Patch (RFC 6902's add, remove and replace, by JSON pointer), for the vector manifests' mutations
and for signing a credential at a place inside another document."""
from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any


def pointer_tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer_tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _value(mutation: Mapping[str, Any]) -> Any:
    if "json" in mutation:
        return json.loads(mutation["json"])
    return copy.deepcopy(mutation.get("value"))


def apply_mutation(document: Any, mutation: Mapping[str, Any]) -> Any:
    op, tokens = mutation["op"], pointer_tokens(mutation["path"])
    if not tokens:
        if op == "remove":
            raise ValueError("cannot remove the whole document")
        return _value(mutation)
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        if op == "add":
            parent.insert(len(parent) if last == "-" else int(last), _value(mutation))
        elif op == "remove":
            del parent[int(last)]
        else:
            parent[int(last)] = _value(mutation)
        return document
    if op == "remove" or op == "replace":
        if last not in parent:
            raise KeyError(f"{mutation['path']} does not exist, so it cannot be {op}d")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = _value(mutation)
    return document
