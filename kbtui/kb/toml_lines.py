"""Where things are written in a TOML file, and where a big one can be cut.

The bundle reader names `file:line` in every message, so it needs the line
of a table or a field; tomllib gives values, not lines. `Lines` indexes the
table headers once and searches for a field only within its own table,
so finding every line of a file costs time linear in the file.

A bundle's kb.toml of a million entities is ~140 MB, and tomllib holds a
whole document in memory (~12 times its size). The file is a list of
top-level tables (`[[entity]]`, `[[role]]`, ...), so `cut` splits it at
their header lines into pieces that are documents of their own, read and
parsed one at a time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_KEY = r"[A-Za-z0-9_-]+"
# `[name]` or `[[name]]`, bare keys only: `[["entity"]]` could be an array
# value inside a multi-line array, `[[entity]]` never is
_HEADER = re.compile(rf"[ \t]*\[(\[?)[ \t]*({_KEY}(?:[ \t]*\.[ \t]*{_KEY})*)[ \t]*\](\]?)[ \t]*(?:#.*)?")
_SPACE = re.compile(r"[ \t]")
_ID = re.compile(r"[ \t]*id[ \t]*=[ \t]*([\"'])([a-z0-9-]+)\1[ \t]*(?:#.*)?")
# the (first part of the) key a line assigns: `key =`, `"key" =`, `key.sub =`
_ASSIGNED = re.compile(r"""[ \t]*(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*[.=]""")
_TRIPLE = ('"""', "'''")
# the lines that may be a header (see _marked), and those that may assign
# an id with no '-'
_BRACKET_LINE = re.compile(r"\n[ \t]*\[")
_PLAIN_ID_LINE = re.compile(r"\n[ \t]*id[ \t]*=[ \t]*[\"'][a-z0-9]+[\"']")
# lines searched past the previous item's for the next item of a list (an
# alias, a participant, a citation): items are written in order, a few lines
# apart; one written with escapes (not found as written) must not make each
# of thousands of its neighbours search to the end of the table
ITEM_SPAN = 100
# candidate lines looked at for each NUL character, for the same reason
_NUL_SPAN = 64


def _string_state(line: str, open_: str) -> str:
    """The multi-line string open at the end of `line` (its delimiter, or
    "") given the one open at its start: strings and comments are skipped,
    so a '#' or a quote inside them changes nothing."""
    i, n = 0, len(line)
    while i < n:
        if open_:
            if open_ == _TRIPLE[0] and line[i] == "\\":
                i += 2
                continue
            if line.startswith(open_, i):
                i += 3
                while i < n and line[i] == open_[0]:  # up to two quotes may end the content
                    i += 1
                open_ = ""
                continue
            i += 1
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith(_TRIPLE, i):
            open_ = line[i : i + 3]
            i += 3
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "'":
            end = line.find("'", i + 1)
            i = n if end == -1 else end + 1
        else:
            i += 1
    return open_


class Headers:
    """Fed a file's lines in order, says which are table headers: a `[name]`
    or `[[name]]` line outside a multi-line string."""

    def __init__(self) -> None:
        self.open = ""
        # header lines met so far: a file repeats a few ([[entity]]) a million times
        self.known: dict[str, tuple[str, bool]] = {}

    def feed(self, line: str) -> tuple[str, bool] | None:
        """(name, is an array of tables) for a header line, else None; a
        dotted name has its spaces removed ('entity.aliases')."""
        if not self.open and line in self.known:
            return self.known[line]
        inside = self.open
        if '"""' in line or "'''" in line:
            self.open = _string_state(line, inside)
        if inside:
            return None
        first = line[:1]
        if first != "[" and (first not in (" ", "\t") or "[" not in line):
            return None
        m = _HEADER.fullmatch(line)
        if m is None or bool(m[1]) != bool(m[3]):
            return None
        found = _SPACE.sub("", m[2]), bool(m[1])
        if len(self.known) < 1000:
            self.known[line] = found
        return found


def _marked(text: str, first: int, ids: bool = False) -> Iterator[tuple[int, int, str]]:
    """(number, offset, text) of the lines of `text` (whole lines, the first
    numbered `first`) that may matter to Headers: one that starts with `[`
    (after blanks) or holds a triple quote; with `ids`, also one that
    assigns an `id` with no '-'. Found with str.find and regexes that start
    with a newline (which the regex engine seeks quickly), so the lines
    between cost no Python step."""
    starts = [m.start() + 1 for m in _BRACKET_LINE.finditer(text)]
    if ids:
        starts += [m.start() + 1 for m in _PLAIN_ID_LINE.finditer(text)]
    head = "\n" + text[: text.find("\n") + 1 or len(text)]
    if _BRACKET_LINE.match(head) or (ids and _PLAIN_ID_LINE.match(head)):
        starts.append(0)
    for quote in _TRIPLE:
        at = text.find(quote)
        while at != -1:
            starts.append(text.rfind("\n", 0, at) + 1)
            at = text.find("\n", at)  # the whole line is given: on to the next
            at = -1 if at == -1 else text.find(quote, at)
    starts.sort()
    no, counted, last = first, 0, -1
    for start in starts:
        if start == last:
            continue
        last = start
        no += text.count("\n", counted, start)
        counted = start
        end = text.find("\n", start)
        yield no, start, text[start : len(text) if end == -1 else end].rstrip("\r")


def split_lines(text: str) -> list[str]:
    """Lines as tomllib counts them: at '\\n' only (str.splitlines would also
    break at \\x0c, \\x1c or \\u2028 inside a string and shift every number)."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


class Lines:
    """The lines of a TOML file, or of a piece of one, to say where a table
    or a field is written. Numbers are the file's: a piece knows the number
    of its first line and how many tables of each name came before it."""

    def __init__(self, path: Path, text: str, first: int = 1, before: dict[str, int] | None = None) -> None:
        self.path = path
        self.first = first
        self.lines = split_lines(text)
        # a NUL can only be written as an escape (tomllib refuses the byte)
        self.escapes_nul = "\\u0000" in text or "\\U00000000" in text
        self.before = before or {}
        self.heads: dict[str, list[int]] = {}  # the `[[name]]` lines, per top-level name
        self.tops: dict[str, int] = {}  # the first header line of each top-level key
        # lines where a top-level table starts, so where the one before ends
        self.bounds: list[int] = []
        headers = Headers()
        for no, _, line in _marked(text, first):
            found = headers.feed(line)
            if found is None:
                continue
            name, array = found
            top = name.split(".", 1)[0]
            self.tops.setdefault(top, no)
            if top == name:
                self.bounds.append(no)
                if array:
                    self.heads.setdefault(name, []).append(no)
        self.bounds.append(first + len(self.lines))
        self._nul_lines: list[int] | None = None
        self._preamble: dict[str, int] | None = None

    def at(self, line: int) -> str:
        return f"{self.path}:{line}"

    def text(self, line: int) -> str:
        return self.lines[line - self.first]

    def table(self, name: str, index: int) -> int:
        """The header line of the `index`-th [[name]] table of the file."""
        heads = self.heads.get(name, [])
        i = index - self.before.get(name, 0)
        return heads[i] if 0 <= i < len(heads) else self.first

    def end(self, line: int) -> int:
        """The first line after the top-level table holding `line`."""
        return self.bounds[min(bisect_right(self.bounds, line), len(self.bounds) - 1)]

    def find(self, start: int, needle: str, default: int | None = None, span: int | None = None) -> int:
        """The first line from `start` to the end of its table that holds
        `needle` (at most `span` lines on), else `default` (else `start`)."""
        start = max(start, self.first)
        stop = self.end(start)
        if span is not None:
            stop = min(stop, start + span)
        lines, first = self.lines, self.first
        for no in range(start, stop):
            if needle in lines[no - first]:
                return no
        return start if default is None else default

    def find_quote(self, start: int, quote: str, default: int | None = None, span: int | None = None) -> int:
        """The line of a citation's quote: a `quote = ` line holding its
        start (a short quote such as "Chen" also occurs in names above it)."""
        start = max(start, self.first)
        head = quote[:40]
        stop = self.end(start)
        if span is not None:
            stop = min(stop, start + span)
        for no in range(start, stop):
            text = self.lines[no - self.first]
            if "quote" in text and head in text:
                return no
        return self.find(start, head if head.strip() else "quote", default, span)

    def key(self, key: str) -> int:
        """Where top-level `key` is written: its first `[key...]` header, or
        the line of the preamble (before any header) that assigns it, else
        the first there that names it."""
        if key in self.tops:
            return self.tops[key]
        if self._preamble is None:
            # indexed once: a preamble of thousands of unknown keys was
            # searched from its start for each
            self._preamble = {}
            for no in range(self.first, self.bounds[0]):
                m = _ASSIGNED.match(self.lines[no - self.first])
                if m:
                    self._preamble.setdefault(next(g for g in m.groups() if g is not None), no)
        return self._preamble.get(key) or self.find(self.first, key)

    def nul_lines(self, start: int) -> list[int]:
        """The lines of the table holding `start` that write a NUL (\\u0000
        or \\U00000000), in order."""
        if self._nul_lines is None:
            self._nul_lines = [
                no
                for no, text in enumerate(self.lines, self.first)
                if "0000" in text and ("\\u0000" in text or "\\U00000000" in text)
            ]
        found = self._nul_lines
        return found[bisect_right(found, start - 1) : bisect_right(found, self.end(start) - 1)]


class NulLines:
    """The line of each NUL character met walking one table's values in
    order: the next line that writes a NUL and names the field, else the
    next that writes one."""

    def __init__(self, lines: Lines, start: int) -> None:
        self.lines = lines
        self.start = start
        self.candidates = lines.nul_lines(start)
        self.at = 0

    def line(self, key: str) -> int:
        found = self.candidates
        for i in range(self.at, min(self.at + _NUL_SPAN, len(found))):
            if key in self.lines.text(found[i]):
                self.at = i
                return found[i]
        return found[self.at] if self.at < len(found) else self.start


@dataclass
class Piece:
    """A run of whole top-level tables: bytes [start, end) of the file,
    beginning at line `first`."""

    start: int
    end: int
    first: int


@dataclass
class Plan:
    """Where a file is cut, and the ids of its [[entity]] and [[event]]
    tables that have no '-' (a speaker written so is free text unless it
    is one of them; see bundle._Validator._cite_evidence)."""

    pieces: list[Piece] = field(default_factory=list)
    plain_ids: set[str] = field(default_factory=set)


def cut(f: BinaryIO, size: int, named: frozenset[str]) -> Plan:
    """Cut a TOML file into pieces of about `size` top-level [[tables]], at
    their header lines, never inside a multi-line string. Anything before
    the first header belongs to the first piece; a dotted header such as
    `[[entity.aliases]]` belongs to the table before it. Reads the file
    once, in blocks. `named`: the tables whose plain ids to collect."""
    plan = Plan()
    headers = Headers()
    start, first, tables, table = 0, 1, 0, ""
    offset, no = 0, 1  # of the block
    for block in _blocks(f):
        # latin-1 maps each byte to one character: the ASCII that matters
        # here (brackets, quotes, '#') is found without decoding UTF-8,
        # which is checked, with its byte offset, when a piece is read
        text = block.decode("latin-1")
        for line_no, at, line in _marked(text, no, ids=True):
            inside = headers.open
            found = headers.feed(line)
            if found is not None:
                name, array = found
                if "." not in name:
                    table = name
                    if array:
                        if tables >= size:
                            plan.pieces.append(Piece(start, offset + at, first))
                            start, first, tables = offset + at, line_no, 0
                        tables += 1
            elif not inside and table in named:
                m = _ID.fullmatch(line)
                if m:
                    plan.plain_ids.add(m[2])
        offset += len(block)
        no += text.count("\n")
    plan.pieces.append(Piece(start, offset, first))
    return plan


def _blocks(f: BinaryIO, size: int = 1 << 24) -> Iterator[bytes]:
    """The file in blocks of whole lines (the last may lack its newline)."""
    carry = b""
    while chunk := f.read(size):
        data = carry + chunk
        end = data.rfind(b"\n") + 1
        if end:
            yield data[:end]
        carry = data[end:]
    if carry:
        yield carry
