"""Strict, bounded JSON decoding.

Parser choice, measured on this machine:
- the stdlib `json` recurses in C and raises RecursionError near depth 1,000, and it accepts NaN,
  Infinity and lone surrogate escapes, all of which need extra work to refuse;
- orjson is about twice as fast on a typical credential, refuses NaN/Infinity, lone surrogates and
  invalid UTF-8 on its own, and stops at nesting depth 1,024 with an ordinary JSONDecodeError,
  so even a 10,000-deep input fails in microseconds.
So orjson does the parsing, and the configurable `max_depth` is enforced afterwards. Most
documents contain fewer brackets than the limit in total, which proves the depth bound at once.
Otherwise there are two ways to measure, each fast where the other is slow:
- an iterative walk over the decoded objects costs about 0.2 us per container, so it suits
  ordinary documents (a 17 KB CLR with ~100 containers takes ~16 us);
- a text measurement cuts out the strings with a regex (~5 ns per byte), keeps the brackets, and
  lets each pass of `bytes.replace("[]", "")` remove exactly one level of nesting, so `max_depth`
  passes decide at C speed. It wins on texts dense with containers: 16 MB can hold five million,
  which the walk would need seconds for.
The bracket count per byte picks between them.

One orjson trait needs care: integers beyond 64 bits come back as floats, silently losing digits. That
is every integer of 20 or more digits, and the negative ones of 19 below -2**63 (orjson holds the range
of int64 and uint64). Such a document is parsed again with the stdlib, which keeps exact integers. That
costs time only for texts holding a run of 19 or more digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from .errors import Limits, PayloadError, as_bytes, check_size, too_large

__all__ = ["duplicate_keys", "parse_json"]

UTF8_BOM = b"\xef\xbb\xbf"
# orjson's own nesting ceiling; a max_depth above it cannot be honoured.
PARSER_DEPTH_CEILING = 1024

# Every digit becomes "0" and everything else a space, so a substring search finds long digit runs
# at C speed (a regex scan costs about eight times more on a 3 KB text).
_DIGIT_MASK = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_DIGIT_RUN = b"0" * 19     # -9223372036854775809 has 19 digits and is past int64

# A JSON string with its escapes. The possessive quantifiers keep the regex engine from saving
# a backtracking point per escape, which makes a string of millions of escapes 14 times faster.
_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_STRING_PATTERN = re.compile(_STRING, re.DOTALL)
_NON_BRACKETS = bytes(i for i in range(256) if i not in b"[]{}")
_SQUARE_BRACKETS = bytes.maketrans(b"{}", b"[]")
# Strings and the structural characters that matter for locating depth; numbers and literals are
# skipped, which the scan can afford because it only runs once a violation is known.
_DEPTH_TOKEN = re.compile(_STRING + rb"|[\[\]{},]", re.DOTALL)
# Measured: walking one container costs about as much as regex-scanning 40 bytes of text.
_WALK_COST_IN_BYTES = 40
# Finding the path is a courtesy for the message; past this much work the message goes without it.
_PATH_SEARCH_BUDGET = 250_000

_MAX_POINTER_DISPLAY = 200
# Outside strings a colon only ever ends a member name, and a name ends with a quote: counting `":` (and `" :` when
# the text spaces its colons) bounds the members of the text from above at C speed; inside a string the pair can only
# appear escaped (`\":`), which makes the bound loose, never too small.
_NAME_END = b'":'
_SPACED_NAME_END = re.compile(rb'"[ \t\r\n]+:')
_ANY_NAME_END = re.compile(rb'"[ \t\r\n]*:')


def parse_json(data: bytes | str, limits: Limits = Limits()) -> Any:
    """Decode a strict JSON text into Python values.

    The text must be UTF-8; a leading UTF-8 byte order mark is skipped (callers that care record it
    themselves). NaN, Infinity, numbers that overflow a double and lone surrogate escapes are
    refused. Any top-level value is returned; callers that need an object test for it.
    Raises PayloadError with code too-large, not-utf8, json-syntax or json-too-deep.
    """
    if isinstance(data, str):
        check_size(data, limits)
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PayloadError(
                "not-utf8",
                f"character {exc.start:,} is the lone surrogate U+{ord(data[exc.start]):04X}, "
                "which has no UTF-8 encoding",
            ) from None
    else:
        raw = as_bytes(data)
    if len(raw) > limits.max_bytes:
        raise too_large(len(raw), limits.max_bytes)

    skipped = 0
    if raw.startswith(UTF8_BOM):
        raw = raw[3:]
        skipped = 3

    # Brackets inside strings are counted too, so this bounds both the containers and the depth from above.
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets > limits.max_containers:
        # each decoded object or array costs ~100 bytes of memory: a text packed with them is refused unread
        raise PayloadError("too-large", f"the JSON text opens up to {brackets:,} objects and arrays; the limit is "
                                        f"{limits.max_containers:,}")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _explain_failure(raw, exc, limits, skipped) from None
    except MemoryError:
        raise PayloadError("too-large", "the JSON text needs more memory to decode than is available") from None

    depth_limit = min(limits.max_depth, PARSER_DEPTH_CEILING)
    if brackets > depth_limit:
        if brackets * _WALK_COST_IN_BYTES <= len(raw):
            exceeds = _walk_exceeds(value, depth_limit)
        else:
            exceeds = _text_exceeds(raw, depth_limit)
        if exceeds:
            raise _too_deep(_find_path_to_depth(value, depth_limit + 1), limits.max_depth)

    if _LONG_DIGIT_RUN in raw.translate(_DIGIT_MASK):
        value = _parse_exact_integers(raw, limits.max_depth)
    return value


def duplicate_keys(data: bytes | str, value: Any) -> list[list[str]]:
    """The paths of the members whose name repeats an earlier name of the same object: depth first, each object's
    repeated names before those of its members.

    `value` is what parse_json returned for `data` (it keeps the last of the repeated members, as most parsers do, and
    others keep the first: RFC 8259 section 4). Each path ends with the repeated name, so it points at the member the
    decoder kept. The names written are counted by their closing `":` and compared with the members decoded (from
    orjson's re-encoding, or a walk); only when the text may hold more than were decoded is it parsed again, by the
    stdlib with a hook that sees every member, to find which names repeat.
    """
    raw = as_bytes(data).removeprefix(UTF8_BOM)
    written = raw.count(_NAME_END)
    spaced = _SPACED_NAME_END.search(raw) is not None
    if spaced:
        written = sum(1 for _ in _ANY_NAME_END.finditer(raw))
    elif b"\\u" not in raw:
        # Fast path. Without \u escapes a quote inside a string is written `\"` and a colon as itself, so the strings
        # hold as many `":` here as in orjson's compact re-encoding, where each decoded member adds exactly one: the
        # two counts differ exactly when the text wrote members the decoding dropped.
        try:
            decoded = orjson.dumps(value).count(_NAME_END)
        except TypeError:       # integers beyond 64 bits: counted below
            pass
        else:
            if written <= decoded:
                return []
    # `":` bounds the members written from above (strings may hold it escaped): no more than were decoded, no repeats
    if written <= _count_members(value, written):
        return []
    try:
        tagged = json.loads(raw.decode("utf-8"), object_pairs_hook=_TaggedObject.of)
    except (ValueError, RecursionError):
        return []           # parse_json accepted the text with the same limits: unreachable in practice
    return _tagged_paths(tagged)


def _count_members(value: Any, stop: int) -> int:
    """Members of every object in `value`; counting stops once it passes `stop`, which already settles the answer."""
    if type(value) is not dict and type(value) is not list:
        return 0
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            count += len(node)
            if count > stop:
                return count
            children: Iterable[Any] = node.values()
        else:
            children = node
        stack.extend(child for child in children if type(child) is dict or type(child) is list)
    return count


class _TaggedObject(dict):  # type: ignore[type-arg]
    """A decoded object that remembers the names it saw twice."""

    __slots__ = ("repeated",)

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _TaggedObject:
        made = cls()
        made.repeated = []
        for key, member in pairs:
            if key in made:
                made.repeated.append(key)
            made[key] = member
        return made


def _tagged_paths(root: Any) -> list[list[str]]:
    found: list[list[str]] = []
    stack: list[tuple[Any, list[str]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            found.extend([*path, key] for key in getattr(node, "repeated", ()))
            members: Iterable[tuple[Any, Any]] = node.items()
        elif isinstance(node, list):
            members = enumerate(node)
        else:
            continue
        stack.extend((child, [*path, str(key)]) for key, child in reversed(list(members))
                     if isinstance(child, dict | list))
    return found


def _parse_exact_integers(raw: bytes, max_depth: int) -> Any:
    # orjson has already accepted the text, so the only way the stdlib can fail here is its own
    # recursion ceiling or its cap on integer digits.
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise PayloadError(
            "json-too-deep",
            f"nesting depth is within the limit of {max_depth:,} but too deep to decode its long integers exactly",
        ) from None
    except ValueError as exc:
        raise PayloadError("too-large", f"an integer in the JSON text is too long to decode: {exc}") from None


def _explain_failure(raw: bytes, exc: orjson.JSONDecodeError, limits: Limits, skipped: int) -> PayloadError:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return PayloadError(
            "not-utf8",
            f"byte {skipped:,} starts a UTF-16 byte order mark; a JSON text is expected in UTF-8",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return PayloadError(
            "not-utf8",
            f"byte {bad.start + skipped:,} is not valid UTF-8 ({bad.reason}, found 0x{raw[bad.start]:02x})",
        )
    # orjson has worded this "recursion limit" and later "depth limit"; both mean its 1,024 ceiling.
    if "depth limit" in exc.msg or "recursion limit" in exc.msg:
        depth_limit = min(limits.max_depth, PARSER_DEPTH_CEILING)
        segments = _locate_excess_depth(raw, depth_limit)
        return _too_deep(segments, limits.max_depth)
    if "infinity" in exc.msg:
        # Valid JSON grammar, but no double holds it (orjson reads integers beyond 64 bits as
        # doubles too); such numbers only appear in hostile input, so they are refused as a limit.
        return PayloadError(
            "too-large",
            f"the number at line {exc.lineno:,}, column {exc.colno:,} is too large to represent as a double",
        )
    if not raw.strip(b" \t\r\n"):
        return PayloadError("json-syntax", "the text is empty; a JSON value is expected")
    return PayloadError(
        "json-syntax",
        f"the JSON text is not well-formed at line {exc.lineno:,}, column {exc.colno:,}: {exc.msg}",
    )


def _walk_exceeds(value: Any, depth_limit: int) -> bool:
    if type(value) is not dict and type(value) is not list:
        return False  # a top-level string full of brackets: nothing nests
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > depth_limit:
            return True
        for child in node.values() if type(node) is dict else node:
            # orjson builds exact dicts and lists, so `type is` is safe and cheaper than isinstance.
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def _text_exceeds(raw: bytes, depth_limit: int) -> bool:
    # Only called on text the parser accepted, so every string is matched and brackets pair up.
    brackets = _STRING_PATTERN.sub(b"", raw).translate(_SQUARE_BRACKETS, _NON_BRACKETS)
    for _ in range(depth_limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)


def _find_path_to_depth(root: Any, target: int) -> list[str] | None:
    """The path to the first container, in document order, that sits at depth `target`."""
    if target <= 1:
        return []
    # Iterators on the stack keep a container with millions of members from being expanded at once.
    stack: list[tuple[Iterator[tuple[Any, Any]], int, tuple[str, ...]]] = [(_members(root), 1, ())]
    examined = 0
    while stack:
        members, depth, path = stack[-1]
        for key, child in members:
            examined += 1
            if examined > _PATH_SEARCH_BUDGET:
                return None
            if isinstance(child, (dict, list)):
                child_path = (*path, str(key))
                if depth + 1 >= target:
                    return list(child_path)
                stack.append((_members(child), depth + 1, child_path))
                break
        else:
            stack.pop()
    return None


def _members(node: Any) -> Iterator[tuple[Any, Any]]:
    return iter(node.items()) if isinstance(node, dict) else enumerate(node)


def _locate_excess_depth(raw: bytes, depth_limit: int) -> list[str] | None:
    """Find where a text the parser refused for depth first goes past `depth_limit`.

    The parser only reports a position, so the keys and indexes leading there are rebuilt from a
    token scan. The scan stops at the first container beyond the limit, which the parser itself
    reached, so its cost is bounded by the parser's own progress.
    """
    # Each frame is [is_object, key or index, expecting_key].
    frames: list[list[Any]] = []
    for count, match in enumerate(_DEPTH_TOKEN.finditer(raw)):
        if count > _PATH_SEARCH_BUDGET:
            return None
        token = match.group()
        first = token[:1]
        if first == b"{" or first == b"[":
            is_object = first == b"{"
            frames.append([is_object, None if is_object else 0, is_object])
            if len(frames) > depth_limit:
                return [str(frame[1]) for frame in frames[:-1]]
        elif first == b"}" or first == b"]":
            if frames:
                frames.pop()
        elif first == b",":
            if frames:
                top = frames[-1]
                if top[0]:
                    top[2] = True
                else:
                    top[1] += 1
        elif frames and frames[-1][0] and frames[-1][2]:
            frames[-1][1] = _decode_key(token)
            frames[-1][2] = False
    return None


def _decode_key(token: bytes) -> str:
    try:
        key = orjson.loads(token)
    except orjson.JSONDecodeError:
        return token[1:-1].decode("utf-8", "replace")
    return key if isinstance(key, str) else str(key)


def _too_deep(segments: list[str] | None, max_depth: int) -> PayloadError:
    if max_depth > PARSER_DEPTH_CEILING:
        limit_text = f"the parser ceiling of {PARSER_DEPTH_CEILING:,} (max_depth is {max_depth:,})"
    else:
        limit_text = f"the limit of {max_depth:,}"
    if segments is None:
        # Only very large documents get here (see _PATH_SEARCH_BUDGET).
        return PayloadError("json-too-deep", f"nesting depth exceeds {limit_text} in a document too large to say where")
    return PayloadError("json-too-deep", f"nesting depth exceeds {limit_text} at {format_pointer(segments)}")


def format_pointer(segments: Iterable[str]) -> str:
    """A JSON Pointer for messages, shortened when a deep path would swamp the text."""
    text = "".join("/" + segment.replace("~", "~0").replace("/", "~1") for segment in segments)
    if not text:
        return "the top level"
    if len(text) > _MAX_POINTER_DISPLAY:
        return text[:_MAX_POINTER_DISPLAY] + "/..."
    return text


def values_at_most(document: Any) -> int:
    """An upper bound on the JSON values a document holds (every member, item and the root), read from the
    separators of its serialization in C: cheap enough to size the work a document asks for before doing it.
    0 for a value orjson cannot serialize (a caller's own objects)."""
    try:
        text = orjson.dumps(document)
    except TypeError:
        return 0
    return text.count(b",") + text.count(b":") + text.count(b"[") + text.count(b"{") + 1
