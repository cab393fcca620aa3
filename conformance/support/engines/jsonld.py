"""JSON-LD in safe mode over pinned contexts.

pyld silently drops properties whose terms no context defines and leaves undefined `type` values as relative IRIs.
Both lose data when the credential is signed or turned into RDF, so the suite reports them. We run pyld's own
expansion (the single JSON-LD interpretation in the suite) and listen to it: a small subclass tracks which input
object is being expanded, so each problem carries the JSON pointer of where it is.

Expansion costs ~1.5 ms per credential even with cached contexts, while documents from one issuer mostly differ
only in values. Whether a term is dropped depends on keys, contexts, type values and structure, never on free
text, so results are memoised by a *skeleton* of the document that keeps those and replaces every other string
by a stand-in that pyld treats the same way (see `_Skeleton`). Tests check skeleton and document agree.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import orjson
from cachetools import LRUCache
from frozendict import frozendict  # pyld's own dependency: the type it freezes processed active contexts to
from pyld import jsonld as pyld
from pyld import resolved_context as pyld_resolved_context
from pyld.context_resolver import ContextResolver

from conformance.core import work
from conformance.support.artifacts.store import ArtifactStore
from conformance.support.formats import Limits, PayloadError, parse_json, values_at_most

MAX_CONTEXT_LOADS = 32          # remote contexts one expansion may pull in: more is a context bomb
MAX_INLINE_CONTEXTS = 256       # embedded @context objects in one document
_MEMO_SIZE = 4096


# What the command line asks of a context fetch (`client.fetch(url, MAX_CONTEXT_BYTES)`): the fetch hands back one
# byte past it when the body is larger, which is how an over-large context is told from a broken one.
MAX_CONTEXT_BYTES = 1024 * 1024
# Documents' own depth and container bounds (formats.Limits), with the context size above.
CONTEXT_LIMITS = Limits(max_bytes=MAX_CONTEXT_BYTES)


class ContextUnavailable(Exception):
    """A context URL cannot be served: not pinned while offline, or pinned but its bytes are not in the store."""

    def __init__(self, url: str, reason: Literal["unpinned", "missing", "fetch-failed", "too-many"], detail: str = ""):
        super().__init__(url)
        self.url = url
        self.reason = reason
        self.detail = detail

    def describe(self) -> str:
        if self.reason == "unpinned":
            return (f"context {self.url} is not pinned in shapes/pins.toml; the suite does not fetch contexts "
                    f"offline (use --online to fetch it)")
        if self.reason == "missing":
            return (f"context {self.url} is pinned but its bytes are not in the artifact store; run "
                    f"`ler-conformance artifacts fetch` or pass --artifacts DIR")
        if self.reason == "too-many":
            return f"the document pulls in more than {MAX_CONTEXT_LOADS} remote contexts (last: {self.url})"
        return f"context {self.url} could not be fetched: {self.detail}"


class LockedLRUCache(LRUCache):  # type: ignore[type-arg]
    """An LRU cache safe to share between threads (a counter-party server verifies while the run judges).

    cachetools' LRUCache reorders itself on every read, so two threads reading and writing one cache can make it
    raise "OrderedDict mutated during iteration". pyld keeps one such cache in every resolved context (processed
    contexts by active context) and shares resolved contexts through the loader's cache: both are made of this class
    (`pyld.resolved_context.LRUCache` is pointed here once, below)."""

    def __init__(self, maxsize: int, getsizeof: Callable[[Any], int] | None = None) -> None:
        super().__init__(maxsize, getsizeof)
        self._guard = threading.RLock()

    def __getitem__(self, key: Any) -> Any:
        with self._guard:
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._guard:
            super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        with self._guard:
            super().__delitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._guard:
            return super().get(key, default)

    def pop(self, key: Any, *args: Any) -> Any:
        with self._guard:
            return super().pop(key, *args)

    def popitem(self) -> Any:
        with self._guard:
            return super().popitem()


pyld_resolved_context.LRUCache = LockedLRUCache


class ContextLoader:
    """pyld document loader over the artifact store.

    It returns `tag: "static"` so pyld keeps each resolved context in its process-wide cache and processes it once.
    """

    def __init__(self, store: ArtifactStore, *, online: bool = False,
                 fetch: Callable[[str], bytes] | None = None):
        self.store = store
        self.online = online
        self.fetch = fetch
        self._parsed: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        # our own resolved-context cache rather than pyld's process-wide one: what one loader could serve
        # (online, or from a fuller store) must never leak into another loader's offline run
        self.resolved: LRUCache = LockedLRUCache(maxsize=256)

    def resolver(self) -> ContextResolver:
        return ContextResolver(self.resolved, self)

    def begin(self) -> None:
        self._local.loads = 0

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        loads = getattr(self._local, "loads", 0) + 1
        self._local.loads = loads
        if loads > MAX_CONTEXT_LOADS:
            raise ContextUnavailable(url, "too-many")
        document = self._parsed.get(url)
        if document is None:
            document = self._load(url)
            with self._lock:
                self._parsed[url] = document
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    def document(self, url: str) -> Any:
        """The parsed context at `url`, outside any expansion's load budget (for term inventories)."""
        document = self._parsed.get(url)
        if document is None:
            document = self._load(url)
            with self._lock:
                self._parsed[url] = document
        return document

    def _load(self, url: str) -> Any:
        data = self.store.get(url)
        if data is None:
            if self.store.is_pinned(url):
                raise ContextUnavailable(url, "missing")
            if not self.online or self.fetch is None:
                raise ContextUnavailable(url, "unpinned")
            try:
                data = self.fetch(url)
            except Exception as exc:
                raise ContextUnavailable(url, "fetch-failed", str(exc)) from exc
        # a context is untrusted input like a document: the same depth and container bounds, so a deeply scoped
        # context cannot make pyld's recursive context processing run for minutes
        if len(data) > MAX_CONTEXT_BYTES:
            raise ContextUnavailable(url, "fetch-failed", f"it is too large: more than {MAX_CONTEXT_BYTES:,} bytes, "
                                                          f"the limit for a context")
        try:
            return parse_json(data, CONTEXT_LIMITS)
        except PayloadError as exc:
            what = {"too-large": "it is too large", "json-too-deep": "it nests too deeply"}.get(exc.code, "not JSON")
            raise ContextUnavailable(url, "fetch-failed", f"{what}: {exc.message}") from None


ProblemKind = Literal["undefined-property", "undefined-type"]


@dataclass(frozen=True, slots=True)
class TermProblem:
    pointer: str          # JSON pointer of the object holding the term (for a property) or of the type value
    kind: ProblemKind
    term: str


@dataclass(frozen=True, slots=True)
class JsonLdReport:
    """What safe-mode expansion found. `invalid` is the target's defect; `unavailable` means we could not tell."""

    problems: tuple[TermProblem, ...] = ()
    invalid: str | None = None                 # pyld rejects the document (e.g. a protected term is redefined)
    unavailable: ContextUnavailable | None = None

    @property
    def evaluated(self) -> bool:
        return self.unavailable is None

    def within(self, prefix: str) -> JsonLdReport:
        """The part of the report that concerns the sub-document at `prefix` (for embedded credentials)."""
        if not prefix:
            return self
        own = tuple(p for p in self.problems if p.pointer == prefix or p.pointer.startswith(prefix + "/"))
        return JsonLdReport(problems=own, invalid=self.invalid, unavailable=self.unavailable)

    def relative_to(self, prefix: str) -> JsonLdReport:
        """The same report with `prefix` taken off every pointer (the sub-document's own view of `within`)."""
        problems = tuple(TermProblem(p.pointer[len(prefix):], p.kind, p.term) for p in self.problems)
        return replace(self, problems=problems)


class _Located(dict):
    """A JSON object that remembers its JSON pointer, through pyld's defensive deep copy."""

    __slots__ = ("pointer",)

    def __deepcopy__(self, memo: dict[int, Any]) -> _Located:
        clone = _Located((k, copy.deepcopy(v, memo)) for k, v in self.items())
        clone.pointer = self.pointer
        return clone


def _locate(value: Any, pointer: str) -> Any:
    if isinstance(value, dict):
        located = _Located()
        located.pointer = pointer
        for key, item in value.items():
            located[key] = _locate(item, f"{pointer}/{_escape(key)}")
        return located
    if isinstance(value, list):
        return [_locate(item, f"{pointer}/{i}") for i, item in enumerate(value)]
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


ACTIVE_CONTEXTS = 512


class ActiveContexts:
    """Processed active contexts of one loader (a canonicalizer's, an expander's): (active context, local context, flags) -> the next active context.

    pyld caches a processed context under the active context's `_uuid`, but every type-scoped context
    (`@propagate: false`, as all of Open Badges 3.0's are) is applied to a fresh clone with a fresh `_uuid`, and
    each inline context is re-serialized to find its cache entry; so each credential re-processes the same
    contexts, about 60% of verification. Processing is a pure function of the active context's content, the local
    context, the flags and the loader's contexts, and every result we keep is a frozen active context that pyld
    itself reuses across documents. Keys hold the active context by identity: the entry keeps it alive, so its id
    cannot be reused while the entry exists. Local contexts are keyed by their exact JSON text (member order kept);
    the cache is used only for documents that are plain JSON, so no NaN or other value outside JSON can alias.
    """

    def __init__(self, size: int = ACTIVE_CONTEXTS):
        self._entries: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], active_ctx: Any) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] is not active_ctx:
            return None
        return entry[1]

    def put(self, key: tuple[Any, ...], active_ctx: Any, processed: Any) -> None:
        with self._lock:
            self._entries[key] = (active_ctx, processed)


def local_context_key(local_ctx: Any) -> str | tuple[str, ...] | bytes | None:
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return tuple(local_ctx)
    try:
        return orjson.dumps(local_ctx)
    except (TypeError, orjson.JSONEncodeError):
        return None                       # not plain JSON: pyld judges it, uncached


class ReusesActiveContexts(pyld.JsonLdProcessor):
    """pyld's processor, reusing processed active contexts across documents when given a cache (`contexts`)."""

    contexts: ActiveContexts | None = None

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: dict[str, Any],
                         override_protected: bool = False, propagate: bool = True, validate_scoped: bool = True,
                         cycles: set[str] | None = None) -> Any:
        key = None
        # `cycles` is set only while pyld pre-validates a context's scoped contexts: a partial active context
        if self.contexts is not None and cycles is None and isinstance(active_ctx, frozendict):
            local_key = local_context_key(local_ctx)
            if local_key is not None:
                key = (id(active_ctx), local_key, override_protected, propagate, validate_scoped,
                       options.get("base"), options.get("processingMode"))
                processed = self.contexts.get(key, active_ctx)
                if processed is not None:
                    return processed
        processed = super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                             validate_scoped, cycles)
        if key is not None and self.contexts is not None and isinstance(processed, frozendict):
            self.contexts.put(key, active_ctx, processed)
        return processed


class _TrackingProcessor(ReusesActiveContexts):
    """pyld's processor, noting the pointer of the object under expansion when a term is dropped.

    Relies on `_expand_object` (pyld is pinned to the version this was written against; a test guards it).
    """

    def __init__(self, contexts: ActiveContexts | None = None) -> None:
        super().__init__(on_property_dropped=self._dropped)
        self.stack: list[str] = [""]
        self.problems: list[TermProblem] = []
        self.contexts = contexts

    def _dropped(self, expanded_property: str | None) -> None:
        if expanded_property is not None:
            self.problems.append(TermProblem(self.stack[-1], "undefined-property", expanded_property))

    def _expand(self, *args: Any, **kwargs: Any) -> Any:
        work.charge("jsonld-operations")
        return super()._expand(*args, **kwargs)

    def _expand_object(self, active_ctx, active_property, expanded_active_property, element, expanded_parent,
                       options, inside_list=False, type_key=None, type_scoped_ctx=None):
        pointer = getattr(element, "pointer", self.stack[-1])
        self.stack.append(pointer)
        try:
            super()._expand_object(active_ctx, active_property, expanded_active_property, element,
                                   expanded_parent, options, inside_list, type_key, type_scoped_ctx)
        finally:
            self.stack.pop()
        types = expanded_parent.get("@type")
        if types is None or type_key is None:
            return
        raw = element.get(type_key)
        written = raw if isinstance(raw, list) else [raw]
        for index, value in enumerate(types if isinstance(types, list) else [types]):
            if isinstance(value, str) and not _is_absolute_or_blank(value):
                at = f"{pointer}/{_escape(type_key)}" + (f"/{index}" if isinstance(raw, list) else "")
                term = written[index] if index < len(written) and isinstance(written[index], str) else value
                self.problems.append(TermProblem(at, "undefined-type", term))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _is_absolute_or_blank(iri: str) -> bool:
    return iri.startswith("_:") or bool(_SCHEME.match(iri))


# Stand-ins must never be terms themselves: they are checked against the document's terms before use.
_ABSOLUTE_STAND_IN = "zz-scheme:x"       # an absolute IRI whose scheme is no term
_HIERARCHICAL_STAND_IN = "zz-scheme://x"
_RELATIVE_STAND_IN = "x y"               # no scheme and no term: relative wherever an IRI is expected
_STAND_INS = frozenset({_ABSOLUTE_STAND_IN, _HIERARCHICAL_STAND_IN, _RELATIVE_STAND_IN, "_:x"})
# Values under these keys stay as written: type names are a small vocabulary, and keeping them makes a problem's
# term exact even where an object writes both @type and its alias (colliding keywords).
_VERBATIM_KEYS = frozenset({"type"})


# keywords whose values are syntax, not data: kept verbatim (the values of @id, @value, @graph, @list... are data)
_SYNTAX_KEYWORDS = frozenset({"@context", "@type", "@language", "@direction", "@vocab", "@base", "@container",
                              "@version", "@protected", "@propagate", "@import", "@prefix", "@json"})


class _Skeleton:
    """Replaces every string the contexts do not define by a stand-in that pyld expands the same way.

    pyld's IRI expansion of a string depends only on: whether the whole string is a term; whether it starts
    with '@'; and, when it has a colon, whether the part before it is a term (compact IRI), '_' (blank node), or
    a URI scheme, and whether '//' follows. Everything else (free text, dates, ids) is interchangeable.
    """

    def __init__(self, terms: frozenset[str]):
        self.terms = terms
        self.sound = not ({_ABSOLUTE_STAND_IN, _HIERARCHICAL_STAND_IN, _RELATIVE_STAND_IN, "zz-scheme"} & terms)

    def stand_in(self, value: str) -> str:
        if value.startswith("@") or value in self.terms:
            return value
        colon = value.find(":")
        if colon > 0:
            prefix, suffix = value[:colon], value[colon + 1:]
            if prefix == "_":
                return "_:x"
            if suffix.startswith("//"):
                return _HIERARCHICAL_STAND_IN
            if prefix in self.terms:
                return prefix + ":x"
            if _SCHEME.match(value):
                return _ABSOLUTE_STAND_IN
        return _RELATIVE_STAND_IN

    def of(self, value: Any, in_context: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: self.of(v, in_context or k in _SYNTAX_KEYWORDS or k in _VERBATIM_KEYS)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.of(v, in_context) for v in value]
        if isinstance(value, str) and not in_context:      # in_context: under @context or another syntax keyword
            return self.stand_in(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return 0
        if isinstance(value, float):
            return 0.5
        return value


def _context_values(document: Any) -> list[Any]:
    found, stack = [], [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" in item:
                found.append(item["@context"])
            stack.extend(v for k, v in item.items() if k != "@context")
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _terms_of(context: Any, load: Callable[[str], Any], seen: set[str]) -> set[str]:
    """Every term any of these contexts (and the contexts they pull in or scope) defines, ignoring scope."""
    terms: set[str] = set()
    stack = [context]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item not in seen:
                seen.add(item)
                if len(seen) > MAX_CONTEXT_LOADS:
                    raise ContextUnavailable(item, "too-many")
                loaded = load(item)
                stack.append(loaded.get("@context") if isinstance(loaded, dict) else None)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@import":
                    stack.append(value)
                elif not key.startswith("@"):
                    terms.add(key)
                if isinstance(value, dict) and "@context" in value:
                    stack.append(value["@context"])
    return terms


def _count_inline_contexts(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" in item:
                count += 1
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _sorted_json(value: Any) -> bytes:
    """A cache key for a JSON value. orjson refuses integers beyond 64 bits, which a document may hold (the decoder
    keeps them exact): those values take the stdlib's spelling, marked so that no orjson key can equal one."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return b"\0" + json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class SafeModeExpander:
    """Expands documents with pinned contexts and reports dropped terms, memoised by document skeleton."""

    def __init__(self, loader: ContextLoader):
        self.loader = loader
        self._memo: OrderedDict[bytes, JsonLdReport] = OrderedDict()
        self._skeletons: LRUCache = LRUCache(maxsize=256)
        self._contexts = ActiveContexts()     # the documents analysed are parsed JSON (no NaN to alias)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def analyze(self, document: Mapping[str, Any]) -> JsonLdReport:
        if _count_inline_contexts(document) > MAX_INLINE_CONTEXTS:
            return JsonLdReport(invalid=f"the document embeds more than {MAX_INLINE_CONTEXTS} @context entries")
        # the analysis visits every value (locating, skeleton) before pyld expands them: charged up front, so a
        # document larger than the input's budget stops here, before any of that work
        work.charge("jsonld-operations", values_at_most(document))
        try:
            skeleton = self._skeleton(document)
        except ContextUnavailable:
            return self.expand_uncached(document)     # reports which context is unavailable
        except RecursionError:
            # the payload layer bounds depth at 64; this guards callers that hand in documents of their own
            return JsonLdReport(invalid="the document is nested too deeply to process")
        if skeleton is None:
            return self.expand_uncached(document)
        key = hashlib.blake2b(_sorted_json(skeleton), digest_size=20).digest()
        with self._lock:
            cached = self._memo.get(key)
            if cached is not None:
                self._memo.move_to_end(key)
                self.hits += 1
                return _with_terms_of(document, cached)
        report = self.expand_uncached(skeleton)
        with self._lock:
            self.misses += 1
            # a missing context may appear later (artifacts fetched), so only definite answers are kept
            if report.unavailable is None:
                self._memo[key] = report
                if len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
        return _with_terms_of(document, report)

    def _skeleton(self, document: Mapping[str, Any]) -> Any | None:
        contexts = _context_values(document)
        key = _sorted_json(contexts)
        skeleton = self._skeletons.get(key)
        if skeleton is None:
            skeleton = _Skeleton(frozenset(_terms_of(contexts, self.loader.document, set())))
            with self._lock:
                self._skeletons[key] = skeleton
        return skeleton.of(document) if skeleton.sound else None

    def expand_uncached(self, document: Mapping[str, Any]) -> JsonLdReport:
        processor = _TrackingProcessor(self._contexts)
        self.loader.begin()
        try:
            processor.expand(_locate(document, ""), {"documentLoader": self.loader, "base": None,
                                                      "contextResolver": self.loader.resolver()})
        except pyld.JsonLdError as exc:
            unavailable = _unavailable_cause(exc)
            if unavailable is not None:
                return JsonLdReport(unavailable=unavailable)
            return JsonLdReport(problems=tuple(processor.problems), invalid=_describe(exc))
        except ContextUnavailable as exc:
            return JsonLdReport(unavailable=exc)
        except RecursionError:
            return JsonLdReport(invalid="JSON-LD processing recurses without end (a context that includes itself)")
        except (ValueError, TypeError) as exc:
            # pyld raises plain ValueError/TypeError for some malformed contexts (e.g. a relative "@context": "x")
            return JsonLdReport(problems=tuple(processor.problems), invalid=f"the contexts cannot be processed: {exc}")
        return JsonLdReport(problems=tuple(processor.problems))


def _with_terms_of(document: Any, report: JsonLdReport) -> JsonLdReport:
    """Put the document's own type values back where the skeleton had stand-ins (keys are never replaced)."""
    if not any(p.kind == "undefined-type" for p in report.problems):
        return report
    problems = tuple(TermProblem(p.pointer, p.kind, _type_at(document, p.pointer, p.term))
                     if p.kind == "undefined-type" else p for p in report.problems)
    return JsonLdReport(problems=problems, invalid=report.invalid, unavailable=report.unavailable)


def _type_at(document: Any, pointer: str, reported: str) -> str:
    """The document's own type value for a problem the skeleton reported: `reported` itself unless it is a stand-in
    (a type written under a key other than @type or type)."""
    if reported not in _STAND_INS:
        return reported
    found = _at(document, pointer, None)
    return found if isinstance(found, str) else reported


def _at(document: Any, pointer: str, fallback: Any) -> Any:
    node = document
    try:
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        return fallback           # the pointer names a place the skeleton has and the document lacks: never so far
    return node if isinstance(node, str) or node is None else str(node)


def _unavailable_cause(exc: BaseException) -> ContextUnavailable | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ContextUnavailable):
            return current
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            for value in details.values():
                if isinstance(value, ContextUnavailable):
                    return value
                if isinstance(value, BaseException):
                    found = _unavailable_cause(value)
                    if found:
                        return found
        current = current.__cause__ or current.__context__
    return None


def _describe(exc: pyld.JsonLdError) -> str:
    code = getattr(exc, "code", None) or getattr(exc, "type", "")
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else exc.__class__.__name__
    message = first.removeprefix("Invalid JSON-LD syntax; ").rstrip(".")
    return f"{message} ({code})" if code else message
