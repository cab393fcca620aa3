"""Deterministic synthetic CTDL publications for the audit benchmark and the SHACL oracle test.

Resources of every shaped class of a policy version, filled from the compiled shapes (required groups, some of the
recommended ones), with seeded defects: a required group removed, a language value emptied, an empty list, a short
description. `tricky=True` adds the cases where compact JSON-LD and RDF could part ways: language maps with several
languages and one empty, value objects, nested blank nodes of a shaped class (exempt), nodes typed with several
classes, subclasses without a shape of their own, /graph/ documents and Registry envelopes.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

from conformance.standards.ctdl.facts.policy import Alternative, ClassShape, load_policy
from conformance.standards.ctdl.facts.schema import CtdlSchema

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
REGISTRY = "https://credentialengineregistry.org/resources/"
PUBLISHERS = tuple(f"{REGISTRY}ce-{uuid.UUID(int=i * 7919 + 1, version=4)}" for i in range(1, 41))


def _ctid(rng: random.Random) -> str:
    return f"ce-{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _value(schema: CtdlSchema, prop: str, rng: random.Random, publisher: str) -> Any:
    term = schema.term(prop)
    if prop in ("ceterms:ownedBy", "ceterms:offeredBy", "ceasn:publisher", "ceasn:creator"):
        return [publisher]
    if term is not None and term.is_language_map:
        return {"en-US": f"Sample text {rng.randrange(10**6)} describing the resource at length."}
    if term is not None and term.is_reference:
        if prop.endswith("Type"):
            return [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "lifeCycle:Active",
                     "ceterms:targetNodeName": {"en-US": "Active"}}]
        return [f"https://example.org/{prop.split(':', 1)[1]}/{rng.randrange(10**6)}"]
    kind = term.type if term is not None else None
    if kind in ("xsd:date", "xsd:dateTime", "xsd:gYear"):
        return {"xsd:date": "2026-01-15", "xsd:dateTime": "2026-01-15T09:30:00Z", "xsd:gYear": "2026"}[kind]
    if kind in ("xsd:integer", "xsd:decimal", "xsd:float", "xsd:boolean"):
        return {"xsd:boolean": True}.get(kind, rng.randrange(1, 100))
    if prop in ("ceterms:inLanguage", "ceasn:inLanguage"):
        return ["en"]
    return f"value-{rng.randrange(10**6)}"


def _fill(node: dict[str, Any], alternatives: tuple[Alternative, ...], schema: CtdlSchema, rng: random.Random,
          publisher: str) -> None:
    wanted = [a for a in alternatives if a.min_count]
    if wanted:
        choice = rng.choice(wanted)
        node[choice.path] = _value(schema, choice.path, rng, publisher)


def resource(shape: ClassShape, schema: CtdlSchema, rng: random.Random, *, defect_rate: float = 0.1,
             benchmark_share: float = 0.5, tricky: bool = False) -> dict[str, Any]:
    """One top-level resource of the shape's class (or one of the subclasses it judges)."""
    cls = rng.choice(sorted(shape.targets)) if tricky else shape.cls
    ctid = _ctid(rng)
    publisher = rng.choice(PUBLISHERS)
    node: dict[str, Any] = {"@id": REGISTRY + ctid, "@type": cls}
    for group in shape.required:
        if all(a.max_count == 0 for a in group.alternatives if not a.min_count) and len(group.alternatives) > 1 \
                and any(a.max_count == 0 for a in group.alternatives):
            _fill(node, group.alternatives, schema, rng, publisher)     # "X when Y": give X
            continue
        _fill(node, group.alternatives, schema, rng, publisher)
    if "ceterms:ctid" in node or any(a.path == "ceterms:ctid" for g in shape.required for a in g.alternatives):
        node["ceterms:ctid"] = ctid
    for group in shape.recommended:
        if rng.random() < benchmark_share:
            _fill(node, group.alternatives, schema, rng, publisher)
    if rng.random() < defect_rate:
        _defect(node, shape, rng)
    if tricky:
        _trick(node, shape, rng)
    return node


def _defect(node: dict[str, Any], shape: ClassShape, rng: random.Random) -> None:
    group = rng.choice(shape.required)
    path = rng.choice([a.path for a in group.alternatives])
    kind = rng.randrange(4)
    if path not in node or kind == 0:
        for alt in group.alternatives:
            node.pop(alt.path, None)
    elif kind == 1:
        node[path] = []
    elif kind == 2 and isinstance(node[path], dict):
        node[path] = {"en-US": ""}
    elif kind == 3 and isinstance(node[path], dict):
        node[path] = {"en-US": "Too short"}
    else:
        node[path] = ""


def _trick(node: dict[str, Any], shape: ClassShape, rng: random.Random) -> None:
    choice = rng.randrange(6)
    text_keys = [k for k, v in node.items() if isinstance(v, dict) and "en-US" in v]
    if choice == 0 and text_keys:
        key = rng.choice(text_keys)
        node[key] = {**node[key], "fr": rng.choice(["", "Texte assez long pour passer la limite.", "Court"])}
    elif choice == 1:
        node.setdefault("ceterms:hasPart", [])
        if isinstance(node["ceterms:hasPart"], list):
            node["ceterms:hasPart"].append({"@type": shape.cls})          # an embedded blank node: exempt
    elif choice == 2:
        node["@type"] = [node["@type"], rng.choice(["ceterms:Certificate", "ceterms:Course", "ceterms:Job"])]
    elif choice == 3 and isinstance(node.get("ceterms:ctid"), str) and node["ceterms:ctid"]:
        node["ceterms:ctid"] = {"@value": node["ceterms:ctid"]}
    elif choice == 4 and text_keys:
        key = rng.choice(text_keys)
        node[key] = {"en-US": [node[key]["en-US"], ""]}


def documents(count: int, *, version: str = "2026", seed: int = 20260301, schema: CtdlSchema,
              defect_rate: float = 0.1, tricky: bool = False) -> Iterator[dict[str, Any]]:
    """`count` documents of one top-level resource each (resource, /graph/ or envelope shapes when tricky)."""
    rng = random.Random(seed)
    shapes = load_policy(version).shapes
    for index in range(count):
        shape = shapes[index % len(shapes)]
        node = resource(shape, schema, rng, defect_rate=defect_rate, tricky=tricky)
        form = rng.randrange(3) if tricky else 0
        if form == 0:
            yield {"@context": CONTEXT, **node}
        elif form == 1:
            ctid = node["@id"].rsplit("/", 1)[1]
            yield {"@context": CONTEXT, "@id": f"https://credentialengineregistry.org/graph/{ctid}", "@graph": [node]}
        else:
            yield {"envelope_ceterms_ctid": node["@id"].rsplit("/", 1)[1], "owned_by": rng.choice(PUBLISHERS),
                   "decoded_resource": {"@context": CONTEXT, **node}}
