"""Linear-time node maps for pyld: its duplicate check compares a new value with every value a property already holds.

pyld builds the node map of a document (for RDF conversion, hence for every canonicalization) with `add_value(...,
allowDuplicate=False)`, and `has_value` scans the property's whole list each time: a property with n values costs n²
comparisons (10,000 `evidence` items: ~40 s; 50,000: minutes). pyld has no hook for this, so while a node map is
built under `indexed_node_maps()` its `has_value` answers from an index of each list instead, with exactly pyld's
notion of equality (`JsonLdProcessor.compare_values`): primitives by value and type (a boolean is never 1), value
objects by @value, @type, @language and @index, node objects by @id, anything else only by identity. Values whose
equality cannot be hashed exactly (an @json value holding an object) fall back to pyld's own comparison.

The index is exact because the lists of a node map under construction only grow (pyld appends to them and replaces
a list only by a new list object, which gets a new index). Outside `indexed_node_maps()` pyld behaves as shipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pyld import jsonld as pyld

_SHORT = 16          # below this, pyld's scan is as fast as the index


class _Index:
    __slots__ = ("keys", "odd", "seen", "values")

    def __init__(self, values: list[Any]):
        self.values = values
        self.seen = 0
        self.keys: set[Any] = set()
        self.odd: list[Any] = []           # values only pyld's comparison can judge

    def contains(self, value: Any, key: Any) -> bool:
        values = self.values
        if len(values) < self.seen:        # never happens in a node map; rebuilt rather than trusted
            self.seen, self.keys, self.odd = 0, set(), []
        for item in values[self.seen:]:
            item_key = _key(item)
            if item_key is None:
                self.odd.append(item)
            else:
                self.keys.add(item_key)
        self.seen = len(values)
        return key in self.keys or any(pyld.JsonLdProcessor.compare_values(value, o) for o in self.odd)


def _primitive(value: Any) -> Any:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float) and value != value:    # NaN equals nothing, not even itself, in pyld's comparison
        return None
    if value is None or isinstance(value, str | int | float):
        return ("primitive", value)
    return None


def _key(value: Any) -> Any:
    """A hashable stand-in equal for exactly the values pyld's compare_values finds equal; None when there is none."""
    if not isinstance(value, dict):
        return _primitive(value)
    if "@value" in value:
        if "@id" in value:
            return None
        inner = _primitive(value["@value"])
        qualifiers = (value.get("@type"), value.get("@language"), value.get("@index"))
        if inner is None or not all(q is None or isinstance(q, str) for q in qualifiers):
            return None
        return ("value", *qualifiers, inner)
    identifier = value.get("@id")
    if identifier is None:
        return ("object", id(value))       # equal only to itself (pyld compares no other object without @id)
    return ("node", identifier) if isinstance(identifier, str) else None


_INDEXES: ContextVar[dict[int, _Index] | None] = ContextVar("conformance_node_map_indexes", default=None)
_pyld_has_value = pyld.JsonLdProcessor.has_value


def _has_value(subject: Any, property: str, value: Any) -> bool:
    indexes = _INDEXES.get()
    values = subject.get(property) if indexes is not None and isinstance(subject, dict) else None
    if not isinstance(values, list) or len(values) < _SHORT:
        return bool(_pyld_has_value(subject, property, value))
    key = _key(value)
    if key is None:
        return bool(_pyld_has_value(subject, property, value))
    assert indexes is not None
    index = indexes.get(id(values))
    if index is None or index.values is not values:
        index = indexes[id(values)] = _Index(values)
    return index.contains(value, key)


pyld.JsonLdProcessor.has_value = staticmethod(_has_value)


@contextmanager
def indexed_node_maps() -> Iterator[None]:
    """pyld's duplicate checks answer from indexes while this is open (in this thread or task only)."""
    if _INDEXES.get() is not None:         # nested: the outer one owns the indexes
        yield
        return
    token = _INDEXES.set({})
    try:
        yield
    finally:
        _INDEXES.reset(token)
