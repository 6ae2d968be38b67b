"""Writing bundle tables as TOML, and finding one table in a bundle file.

Curation edits bundles people also edit by hand and review in git, so a
change touches only the table it is about: a new table is appended, a
removed one is cut out with its lines, an edited one is written again in
place. Everything else in the file, comments included, stays byte for byte.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kbtui.kb.toml_lines import Lines

# field order when a table is written: identity first, evidence last
ORDER = (
    "id",
    "kind",
    "file",
    "capture_file",
    "type",
    "name",
    "holder",
    "organisation",
    "title",
    "subject",
    "object",
    "entity",
    "property",
    "value",
    "qualifier",
    "label",
    "outlet",
    "author",
    "published",
    "date_basis",
    "url",
    "archive_url",
    "retrieved",
    "capture_sha256",
    "sha256",
    "replaced",
    "start",
    "end",
    "status",
    "place",
    "summary",
    "disputed",
    "note",
    "aliases",
    "participants",
    "cite",
    # inside a citation
    "source",
    "quote",
    "prefix",
    "suffix",
    "version",
    "anchor",
    "as_of",
    "as_of_note",
    "stance",
    "certainty",
    "mode",
    "speaker",
)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def string(value: str) -> str:
    """A TOML basic string: one line, every control character escaped."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or ch in "\u0085\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in _ordered(v)) + " }"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    return k if k and all((c.isalnum() and c.isascii()) or c in "-_" for c in k) else string(k)


def _ordered(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    rank = {k: i for i, k in enumerate(ORDER)}
    return sorted(table.items(), key=lambda kv: (rank.get(kv[0], len(ORDER)), kv[0]))


def table(name: str, fields: Mapping[str, Any]) -> str:
    """`[[name]]` and its fields, one per line; a list of tables (cite,
    aliases, participants) one inline table per line. Empty values are left
    out: a missing field is the format's default."""
    kept = [(k, v) for k, v in _ordered(fields) if v not in (None, "", [], {})]
    width = max((len(_key(k)) for k, v in kept if not _is_tables(v)), default=0)
    lines = [f"[[{name}]]"]
    for k, v in kept:
        if _is_tables(v):
            lines.append(f"{_key(k)} = [")
            lines.extend(f"  {value(item)}," for item in v)
            lines.append("]")
        else:
            lines.append(f"{_key(k).ljust(width)} = {value(v)}")
    return "\n".join(lines) + "\n"


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)


def appended(text: str, block: str) -> str:
    """`text` with `block` added at the end, after one blank line."""
    if not text.strip():
        return text + block if text.endswith("\n") or not text else text + "\n" + block
    return text.rstrip("\n") + "\n\n" + block


class Span:
    """Where one top-level table is written: lines [first, stop) of the file
    (1-based), with its parsed fields."""

    def __init__(self, first: int, stop: int, fields: dict[str, Any]) -> None:
        self.first, self.stop, self.fields = first, stop, fields


def find(
    path: Path, text: str, name: str, needle: str, match: Callable[[dict[str, Any]], bool] | None = None
) -> Span | None:
    """The `[[name]]` table whose id is `needle` (or, with `match`, the
    first table holding the string `needle` that `match` accepts), or None.

    The file is searched for the quoted needle first, and only the tables
    holding it are parsed, so a bundle of a million tables is not parsed
    whole to change one. A table's span ends at its last non-blank,
    non-comment line: a comment above the next table belongs to that one."""
    return next(_spans(path, text, name, needle, match), None)


def find_all(
    path: Path, text: str, name: str, needle: str, match: Callable[[dict[str, Any]], bool] | None = None
) -> list[Span]:
    """Every table `find` would accept, in file order."""
    return sorted(_spans(path, text, name, needle, match), key=lambda span: span.first)


def _spans(
    path: Path, text: str, name: str, needle: str, match: Callable[[dict[str, Any]], bool] | None
) -> Iterator[Span]:
    accept = match or (lambda fields: fields.get("id") == needle)
    lines = Lines(path, text)
    heads = set(lines.heads.get(name, []))
    offsets = _line_starts(text)
    seen: set[int] = set()
    for quoted in (string(needle), f"'{needle}'"):
        at = text.find(quoted)
        while at != -1:
            head = _head_of(lines, _line_of(offsets, at))
            if head in heads and head not in seen:
                seen.add(head)
                span = _parse_span(lines, head, name)
                if span is not None and accept(span.fields):
                    yield span
            at = text.find(quoted, at + 1)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)  # 1-based


def _head_of(lines: Lines, line: int) -> int:
    i = bisect_right(lines.bounds, line) - 1
    return lines.bounds[i] if i >= 0 else 0


def _parse_span(lines: Lines, head: int, name: str) -> Span | None:
    stop = lines.end(head)
    while stop - 1 > head and _blank_or_comment(lines.text(stop - 1)):
        stop -= 1
    block = "\n".join(lines.text(n) for n in range(head, stop))
    try:
        parsed = tomllib.loads(block)
    except tomllib.TOMLDecodeError:
        return None
    tables = parsed.get(name)
    if not isinstance(tables, list) or len(tables) != 1 or not isinstance(tables[0], dict):
        return None
    return Span(head, stop, tables[0])


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def lines_of(text: str) -> list[str]:
    """The lines of a file as TOML counts them: cut at \\n only (str.splitlines
    also cuts at U+2028, U+0085 and others, which TOML allows in strings
    and comments, and every line number after one would be off)."""
    return re.split(r"(?<=\n)", text)[: -1 if text.endswith("\n") else None] if text else []


def written(text: str, span: Span) -> str:
    """The text of the table at `span`, as it is written in the file."""
    return "".join(lines_of(text)[span.first - 1 : span.stop - 1])


def replaced(text: str, span: Span, block: str | None) -> str:
    """`text` with the table at `span` replaced by `block` (None: removed,
    with the blank line that separated it from the table before)."""
    lines = lines_of(text)
    before, after = lines[: span.first - 1], lines[span.stop - 1 :]
    if block is None:
        # the blank line that set it apart goes with it
        if before and not before[-1].strip() and (not after or not after[0].strip()):
            before.pop()
        return "".join(before + after)
    # a table is written again whole; the curator's own comment lines in it
    # are kept, after its header (a comment at the end of a value's line is
    # not: the value is written anew)
    notes = [line if line.endswith("\n") else line + "\n" for line in lines[span.first - 1 : span.stop - 1]]
    notes = [line for line in notes if line.lstrip().startswith("#")]
    if notes:
        head, _, rest = block.partition("\n")
        block = head + "\n" + "".join(notes) + rest
    return "".join(before) + block + "".join(after)
