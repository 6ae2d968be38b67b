"""Reading FollowTheMoney files: records with their exact text, and where
each value sits in it.

An FtM file is one entity per line (.ftm.json, .ijson, .jsonl, .ndjson), a
delta file (one {"op": "ADD"|"MOD"|"DEL", "entity": {...}} per line), or a
JSON array of entities. Each record's text is stored verbatim as its
source, and every imported value cites the characters that carry it, so
the reader keeps the raw text of each record and `spans` finds each value's
string literal in it (escapes kept as written: quote = raw[start:end]).

Memory stays bounded by one record: lines are read with a size cap, so an
endless line is skipped unread. A JSON array cannot be cut into records
without reading it, so an array file is read whole, up to the limit on
whole-file reads (limits.toml_bytes); past it, convert it to one entity
per line.

Everything wrong with a record is a Problem ("FILE:LINE: what is wrong (what
to do)"), never an exception: the importer skips it or stops.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from kbtui.kb import limits
from kbtui.kb.errors import ImportFailed

OPS = ("ADD", "MOD", "DEL")
# values that become names, titles or entity names: bounded by name_chars
NAME_PROPS = frozenset(
    {
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "abbreviation",
        "firstName",
        "lastName",
        "middleName",
        "fatherName",
        "role",
        "authority",
    }
)
Span = tuple[int, int]

_WS = re.compile(r"[ \t\n\r]*")
# a JSON string (unrolled: linear, no backtracking) or a bracket
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]', re.S)
# the pieces of JSON text: a key (a string and its ':'), a string value, a
# bracket, or a number / true / false / null (whitespace, ':' and ',' between
# them are passed over)
_PIECE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"\s*:|"([^"\\]*(?:\\.[^"\\]*)*)"|[\[\]{}]|[^\s\[\]{}:,"]+', re.S)
_LONE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DECODER = json.JSONDecoder()
# C: (value, index after the closing quote)
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Line:
    """One record: where it is, its exact text, its entity object (the inner
    one of a delta line) and the delta's op (None for a plain entity)."""

    where: str
    number: int
    raw: str
    entity: dict[str, Any]
    op: str | None = None

    @property
    def id(self) -> str:
        return str(self.entity["id"])

    @property
    def schema(self) -> str:
        return str(self.entity.get("schema") or "")


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    number: int
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def read(path: Path | str) -> Iterator[Line | Problem]:
    """Each record of an FtM file, in order, or the problem with it.
    ImportFailed if the file cannot be opened at all."""
    path = Path(path)
    lim = limits.current()
    try:
        f = path.open("rb")
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror})", "check the path and its permissions") from exc
    with f:
        if _first_byte(f) == b"[":
            yield from _read_array(f, str(path), lim)
        else:
            yield from _read_lines(f, str(path), lim)


def _first_byte(f: BinaryIO) -> bytes:
    head = f.read(_CHUNK).removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    f.seek(0)
    return head[:1]


def _too_long(lim: limits.Limits) -> str:
    env = limits.env_name("value_chars")
    return (
        f"the record is longer than {lim.value_chars:,} characters (raise {env}, now {lim.value_chars}, if it is real)"
    )


def _read_lines(f: BinaryIO, name: str, lim: limits.Limits) -> Iterator[Line | Problem]:
    # a line of value_chars characters takes at most 4 bytes each, plus \r\n
    cap = lim.value_chars * 4 + 2
    number = 0
    while True:
        chunk = f.readline(cap + 1)
        if not chunk:
            return
        number += 1
        where = f"{name}:{number}"
        if len(chunk) > cap and not chunk.endswith(b"\n"):
            _skip_line(f)
            yield Problem(where, number, _too_long(lim))
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Problem(where, number, f"is not UTF-8 text (byte {exc.start + 1}) (save the file as UTF-8)")
            continue
        text = text.removesuffix("\n").removesuffix("\r")
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        if len(text) > lim.value_chars:
            yield Problem(where, number, _too_long(lim))
            continue
        yield parse(text, where, number, lim)


def _skip_line(f: BinaryIO) -> None:
    while True:
        chunk = f.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _read_array(f: BinaryIO, name: str, lim: limits.Limits) -> Iterator[Line | Problem]:
    """A top-level JSON array, read whole (see the module's docstring)."""
    data = f.read(lim.toml_bytes + 1)
    if len(data) > lim.toml_bytes:
        env = limits.env_name("toml_bytes")
        yield Problem(
            f"{name}:1",
            1,
            f"a JSON array file is read whole and this one is over {lim.toml_bytes:,} bytes"
            f" (write one entity per line instead, or raise {env})",
        )
        return
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        yield Problem(f"{name}:1", 1, f"is not UTF-8 text (byte {exc.start + 1}) (save the file as UTF-8)")
        return
    del data
    i = _WS.match(text, 0).end() + 1  # type: ignore[union-attr]  # past '['
    number, counted = 1, 0
    while True:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        number += text.count("\n", counted, i)
        counted = i
        where = f"{name}:{number}"
        if i >= len(text):
            yield Problem(where, number, "the JSON array is not closed with ] (the file may be cut short)")
            return
        if text[i] == "]":
            return
        end = _extent(text, i)
        if end is None:
            yield Problem(where, number, "this element of the JSON array never ends (the file may be cut short)")
            return
        raw = text[i:end]
        yield Problem(where, number, _too_long(lim)) if len(raw) > lim.value_chars else parse(raw, where, number, lim)
        i = _WS.match(text, end).end()  # type: ignore[union-attr]
        if text[i : i + 1] == ",":
            i += 1
        elif text[i : i + 1] != "]":
            number += text.count("\n", counted, i)
            yield Problem(
                f"{name}:{number}", number, "expected , or ] after an element of the JSON array (fix the JSON)"
            )
            return


def _extent(text: str, i: int) -> int | None:
    """The end of the JSON value at text[i]: brackets are balanced by a scan
    that skips strings, so it never recurses however deep the value is."""
    if text[i] not in "[{":
        try:
            return int(_DECODER.raw_decode(text, i)[1])
        except ValueError:
            stop = text.find(",", i)
            return None if stop < 0 else stop
    depth = 0
    for m in _TOKEN.finditer(text, i):
        c = text[m.start()]
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        if depth == 0:
            return m.end()
    return None


def max_depth(text: str, limit: int) -> int:
    """The bracket nesting of JSON text, counted without parsing, or any
    number within `limit` when it is (json.loads would recurse once per
    level). Stops once past `limit`."""
    if text.count("[") + text.count("{") <= limit:
        return limit  # cannot be deeper: most records end here, unscanned
    depth = deepest = 0
    for m in _TOKEN.finditer(text):
        c = text[m.start()]
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif c in "]}":
            depth -= 1
    return deepest


def parse(raw: str, where: str, number: int, lim: limits.Limits) -> Line | Problem:
    """One record's text, parsed and checked against the limits."""

    def problem(message: str) -> Problem:
        return Problem(where, number, message)

    too_deep = (
        f"is nested deeper than {lim.nesting} levels"
        f" (FtM entities are shallow; raise {limits.env_name('nesting')} if it is real)"
    )
    if max_depth(raw, lim.nesting) > lim.nesting:
        return problem(too_deep)
    try:
        obj = json.loads(raw)
    except RecursionError:
        return problem(too_deep)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        col = getattr(exc, "colno", None)
        at = f" at column {col}" if col is not None else ""
        return problem(f"is not valid JSON ({msg}{at}) (fix the line, or import the rest with --on-error skip)")
    # (no second depth walk of the parsed value: max_depth counted the
    # structural brackets of this very text, which is its nesting)
    if _LONE_ESCAPE.search(raw) and _has_surrogate(obj):
        return problem("holds a \\uD800-\\uDFFF escape that is half a character, not text (fix the value)")
    if not isinstance(obj, dict):
        return problem(f"is a JSON {_json_type(obj)}, not an FtM entity object")
    op: str | None = None
    entity: Any = obj
    if "op" in obj and "entity" in obj:
        op = obj["op"]
        entity = obj["entity"]
        if op not in OPS:
            return problem(f"delta `op` is {str(op)[:40]!r}, not one of {', '.join(OPS)}")
        if not isinstance(entity, dict):
            return problem(f"delta `entity` is a JSON {_json_type(entity)}, not an FtM entity object")
    wrong = _entity_problem(entity, lim, op == "DEL")
    return problem(wrong) if wrong else Line(where, number, raw, entity, op)


def _entity_problem(entity: dict[str, Any], lim: limits.Limits, deleting: bool) -> str | None:
    names = limits.env_name("name_chars")
    for key in ("id",) if deleting else ("id", "schema"):
        value = entity.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"has no `{key}` (every FtM entity needs an id and a schema)"
        if len(value) > lim.name_chars:
            return f"`{key}` is longer than {lim.name_chars:,} characters (raise {names} if it is real)"
    caption = entity.get("caption")
    if isinstance(caption, str) and len(caption) > lim.name_chars:
        return f"`caption` is longer than {lim.name_chars:,} characters (raise {names} if it is real)"
    props = entity.get("properties", {})
    if not isinstance(props, dict):
        return f"`properties` is a JSON {_json_type(props)}, not an object of lists"
    for prop, values in props.items():
        if not isinstance(values, list):
            return f"property `{prop}` is a JSON {_json_type(values)}, not a list of values (FtM values are lists)"
        for value in values:
            if not isinstance(value, str):
                continue  # a nested entity or a stray number: the mapping unwraps or skips it, and counts it
            if len(value) > lim.value_chars:
                env = limits.env_name("value_chars")
                return f"a `{prop}` value is longer than {lim.value_chars:,} characters (raise {env} if it is real)"
            if prop in NAME_PROPS and len(value) > lim.name_chars:
                return f"a `{prop}` value is longer than {lim.name_chars:,} characters (raise {names} if it is real)"
    return None


def _has_surrogate(obj: Any) -> bool:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# -- where each value is ------------------------------------------------------


@dataclass(slots=True)
class Spans:
    """Where a record's values are, as [start, end) of its raw text: the
    content of each string literal, between the quotes, escapes as written.
    `top`: the entity's own string fields (id, schema, caption);
    `props`: per property, one span per list item (None for an item that is
    not a string; a nested entity object gives the span of its "id")."""

    top: dict[str, Span] = field(default_factory=dict)
    props: dict[str, list[Span | None]] = field(default_factory=dict)


def spans(raw: str, delta: bool = False) -> Spans:
    """Find every value's place in the record's text in one pass: the
    regex below cuts the text into keys (a string and its ':'), strings,
    brackets and other values (in C), and a small state machine follows
    the structure: the top-level object (for a delta, its "entity" object),
    then "properties", then each list. Linear in the text; the text is valid
    JSON (json.loads read it first). Duplicate keys: the last wins, as in
    json.loads."""
    found = Spans()
    # one frame per open object or array: [role, is_object, key, items]
    stack: list[list[Any]] = [["top", False, None, None]]
    for m in _PIECE.finditer(raw):
        kind = m.lastindex  # 1: a key, 2: a string value, None: anything else
        frame = stack[-1]
        if kind == 1:
            text = m.group(1)
            frame[2] = json.loads(f'"{text}"') if "\\" in text else text
        elif kind == 2:
            start, end = m.span(2)
            _value(found, frame, (start, end))
        else:
            c = raw[m.start()]
            if c in "{[":
                if frame[0] == "top":
                    stack.append(["outer" if delta else "entity", c == "{", None, None])
                else:
                    stack.append(_opened(frame, c == "{", found))
            elif c in "}]":
                stack.pop()
            elif frame[0] == "list":
                frame[3].append(None)  # a number, true, false or null in a list
    return found


def _opened(parent: list[Any], is_object: bool, found: Spans) -> list[Any]:
    """The frame of an object or array opened inside `parent`: its role
    says what it is (the entity, its properties, a property's list, an
    entity nested in a list), and `items` where its values go."""
    role, key = parent[0], parent[2]
    if role == "outer" and key == "entity" and is_object:
        return ["entity", True, None, None]
    if role == "entity" and key == "properties" and is_object:
        found.props = {}
        return ["props", True, None, None]
    if role == "props" and not is_object:
        items: list[Span | None] = []
        found.props[key] = items
        return ["list", False, None, items]
    if role == "list":
        parent[3].append(None)  # an item: a nested entity's id fills it in
        return ["nested" if is_object else "skip", is_object, None, (parent[3], len(parent[3]) - 1)]
    return ["skip", is_object, None, None]


def _value(found: Spans, frame: list[Any] | None, span: Span) -> None:
    """A string value at `span`, inside `frame`."""
    if frame is None:
        return
    role, key = frame[0], frame[2]
    if role == "entity" and key in ("id", "schema", "caption"):
        found.top[key] = span
    elif role == "list":
        frame[3].append(span)
    elif role == "nested" and key == "id":
        items, index = frame[3]
        items[index] = span
