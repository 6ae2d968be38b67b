"""Importing spreadsheets (CSV) with a small mapping file.

A spreadsheet arrives as CSV files: an entity table (one row per person or
company) and link tables (one row per role, relation or property). A
mapping file (TOML) says what each file and column is; `import_csv` reads
it, then every CSV row by row into the KB through kbtui.kb.sink.

MAPPING FORMAT
--------------
A complete example (tests/fixtures/csv/mapping.toml is this file)::

    # Keys at the top apply to every [[table]] that does not set them itself.
    delimiter = ","                      # one character: "," (default), ";", "\\t", "|"
    as_of = "2024-05"                    # the date the rows are evidence for (ISO prefix)
    outlet = "Example company registry"  # who compiled the files (optional)
    url = "https://registry.example.org" # where they came from (optional)

    [[table]]
    file = "people.csv"            # relative to this mapping, inside its folder
    kind = "entities"              # entities | roles | relations | properties
    id = "id"                      # column of ids; leave out to make them from the name
    name = "name"
    entity_kind = "person"         # one kind for every row, or entity_kind_column = "type"
    summary = "notes"
    aliases = { column = "aliases", separator = ";" }   # or aliases = "other_name"
    properties = { birth_date = "birth-date", inn = { property = "identifier", qualifier = "tax" } }

    [[table]]
    file = "companies.csv"
    kind = "entities"
    id = "id"
    name = "name"
    entity_kind = "organisation"
    properties = { ogrn = { property = "identifier", qualifier = "registry" }, founded = "incorporation-date" }

    [[table]]
    file = "ownership.csv"
    kind = "relations"
    type = "owns"                  # one type for every row, or type_column = "relation"
    subject = "owner_id"
    object = "company_id"
    share = "percent"
    start = "since"

    [[table]]
    file = "roles.csv"
    kind = "roles"
    holder = "person_id"
    organisation = "company_id"
    title = "title"
    start = "from"
    end = "to"

Every value is the name of a column in the file's header row, except
`file`, `kind`, `delimiter`, `as_of`, `outlet`, `url`, the constants
`entity_kind`, `type`, `status`, `property` and `qualifier`, and
`separator`/`kind` inside `aliases`. A key that ends in `_column` takes the
value from that column instead of a constant. The keys of each kind:

  every table  file, kind (required); delimiter, as_of or as_of_column,
               outlet, url; id (a column of ids: entity ids in an entity
               table, claim ids in the others; ids are slugs: a-z, 0-9, '-')
  entities     name (required); entity_kind or entity_kind_column
               (required; person, organisation, country, place, product,
               publication, concept); summary; aliases = "column" (one alias
               per cell) or { column = "...", separator = ";", kind =
               "transliteration" } (kind: an alias kind, default "alias");
               properties = { column = "property name", column = { property =
               "identifier", qualifier = "tax" } } (qualifier: the scheme of
               an identifier, the language of a name)
  roles        holder, title (required); organisation; start, end; status
               or status_column (current, former, unknown)
  relations    subject, object (required); type or type_column (required;
               owns, family-of, associate-of, paid, represents, linked-to,
               sanctioned, ... as in schema.sql); start, end; label, share,
               amount, currency, program
  properties   entity, value (required); property or property_column
               (required); qualifier or qualifier_column

The columns that name entities (holder, organisation, subject, object,
entity) hold entity ids. If they hold names instead, write
`subject = { column = "owner", slug = true }`: each cell is made an id the
way ids are made from names, so it meets an entity table without `id`.
An id made from a name is the name in ASCII, lowercase, words joined by
'-' ("Иван Петров" -> "ivan-petrov", "Acme, Inc." -> "acme-inc").

ROWS
----
Rows are numbered as a spreadsheet shows them: the header is row 1, the
first data row is row 2, and a cell with line breaks in it keeps its row
one row. Messages name them so: "people.csv:row 7: ...". Blank rows are
skipped. Values are trimmed of surrounding spaces; an empty cell is no
value. A row with fewer cells than the header, or with more (unless the
extra cells are empty), is a bad row, as is a missing required value, an
id that is not a slug, a value over the limits (KBTUI_LIMIT_NAME_CHARS,
KBTUI_LIMIT_VALUE_CHARS, KBTUI_LIMIT_SOURCE_BYTES for a whole row), a date
that is not an ISO prefix (YYYY, YYYY-MM, YYYY-MM-DD), a kind, type or
property outside the vocabulary, a byte that is not UTF-8, or a reference
to an entity that no entity table of this mapping defines and the KB does
not hold. With on_error "stop" (the default) any bad row means nothing is
written; with "skip" it is reported and left out. Entity tables are read
first, so link tables may name entities from any of them; an entity table's
nationality or affiliation column is read after every entity table too
(a wrong one leaves out that value, not its row). One file may serve
several tables (people.csv as entities and, by an employer column, roles).

Import with `kbtui import mapping.toml --db kb.db` (--on-error skip,
--input NAME, --prune, --dry-run). The rows belong to an input named after
the mapping file, or its folder when the file is called mapping.toml.

EVIDENCE
--------
Each data row used is stored as a source (format 'csv'): its text is the
row exactly as in the file (without its line break), its title "FILE row
N", its meta {"file", "row", "header"}, its id "<input>--<file stem>-<N>".
Every value taken from a cell is cited at that cell's characters in the row
text (the trimmed value; in a quoted cell, the text between the quotes, as
written, "" and all). A citation's as-of date is `as_of` (or the row's
`as_of_column` cell); without one it says the file gives no date. Claim
ids: a link row's claim is "<source id>--role" (relation, property;
"--role-2" for a second roles table over the same file) unless an `id`
column names it; an entity table's property is "<source id>--<column>".
An entity's own name, kind and summary are not claims and carry no
citation (the schema cites claims, not entity rows); their row is stored
all the same.

The scanner
-----------
Every value taken from a CSV cell is cited at the exact characters of that
cell, so the reader must know where each cell starts and ends in the row's
raw text. Python's csv module gives values, not positions, so `scan` is a
small RFC 4180 reader of its own: quoted cells with "" escapes, delimiters
and line breaks inside quotes, CRLF, LF or CR line ends, a UTF-8 BOM at the
start, any one-character delimiter. It reads the file in chunks and keeps
only the row at hand (plus one chunk) in memory, and it agrees with
csv.reader's values on every well-formed file (a property test checks).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kbtui.kb import dates, records, vocab
from kbtui.kb.bundle import _read_toml
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import checked_input, checked_on_error, input_name, into
from kbtui.kb.limits import Limits, current, env_name
from kbtui.kb.normalize import norm
from kbtui.kb.shapes import property_problem
from kbtui.kb.sink import Advance, Report, Sink, quiet

CHUNK = 1 << 16


@dataclass(slots=True, frozen=True)
class Cell:
    """One cell: its value and where its characters are in the row text.

    For a quoted cell, [start, end) is the content between the quotes, as
    written: `value` has each doubled quote ("") made single, the raw text
    does not."""

    value: str
    start: int
    end: int
    quoted: bool = False


@dataclass(slots=True)
class Row:
    """A row as a spreadsheet shows it: the header is row 1.

    `text` is the row exactly as in the file, without the line break that
    ends it (`newline`: "\\r\\n", "\\n", "\\r", or "" at the end of the file);
    a quoted cell with line breaks makes one row of several lines. A row
    with a `problem` has malformed quoting and its cells are not to be
    trusted; `last` says the scanner could not go on after it."""

    number: int
    text: str
    cells: list[Cell] = field(default_factory=list)
    newline: str = ""
    problem: str = ""
    last: bool = False


class _RowTooLong(Exception):
    pass


class _Buffer:
    """The file's text from the current row on, read a chunk at a time.

    Offsets into `text` stay valid while a row is read (chunks are only
    appended); `drop` forgets what is before the current row between rows.
    A row longer than a chunk doubles the next read, so a long row costs
    linear time, not a copy per chunk. A row that would grow past
    `max_row` characters stops the reading (memory stays bounded)."""

    def __init__(self, stream: TextIO, max_row: int | None) -> None:
        self.stream = stream
        self.max_row = max_row
        self.text = ""
        self.eof = False

    def more(self, row_start: int) -> bool:
        if self.eof:
            return False
        if self.max_row is not None and len(self.text) - row_start > self.max_row:
            raise _RowTooLong
        chunk = self.stream.read(max(CHUNK, len(self.text) - row_start))
        if not chunk:
            self.eof = True
            return False
        self.text += chunk
        return True

    def has(self, index: int, row_start: int) -> bool:
        """Whether the character at `index` exists (reading more if needed)."""
        while index >= len(self.text):
            if not self.more(row_start):
                return False
        return True

    def drop(self, upto: int) -> int:
        """Forget the text before `upto`; returns how far offsets moved."""
        if upto < CHUNK:
            return 0
        self.text = self.text[upto:]
        return upto


def scan(stream: TextIO, delimiter: str = ",", max_row: int | None = None) -> Iterator[Row]:
    """The rows of a CSV text stream opened with newline="" (so line breaks
    arrive as written) and encoding "utf-8-sig" (so a BOM is dropped).

    A row over `max_row` characters is yielded with its problem and no
    cells; if it would not fit in memory, or a quoted cell is never closed,
    the scan ends there (the row says so with `last`)."""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError(f"delimiter {delimiter!r} must be one character other than a quote or a line break")
    buf = _Buffer(stream, max_row)
    line_end = re.compile(r"[\r\n]")
    cell_end = re.compile("[" + re.escape(delimiter) + "\r\n]")
    pos = 0
    number = 0
    while True:
        pos -= buf.drop(pos)
        try:
            if not buf.has(pos, pos):
                return
            number += 1
            row, pos = _row(buf, pos, number, delimiter, line_end, cell_end)
        except _RowTooLong:
            assert max_row is not None
            yield _too_long(number, max_row, last=True)
            return
        if max_row is not None and len(row.text) > max_row:
            row = _too_long(number, max_row, last=row.last)
        yield row
        if row.last:
            return


def _row(
    buf: _Buffer, pos: int, number: int, delimiter: str, line_end: re.Pattern[str], cell_end: re.Pattern[str]
) -> tuple[Row, int]:
    """The row starting at `pos`, and where the next one starts."""
    # the common row: one line without quotes, split at the delimiter
    search_from = pos
    while (m := line_end.search(buf.text, search_from)) is None:
        search_from = len(buf.text)
        if not buf.more(pos):
            break
    end = m.start() if m else len(buf.text)
    text = buf.text[pos:end]
    if '"' in text:
        return _quoted_row(buf, pos, number, delimiter, cell_end)
    newline, after = _newline(buf, end, pos)
    return Row(number, text, _split(text, delimiter) if text else [], newline), after


def _split(text: str, delimiter: str) -> list[Cell]:
    cells = []
    start = 0
    for part in text.split(delimiter):
        cells.append(Cell(part, start, start + len(part)))
        start += len(part) + 1
    return cells


def _newline(buf: _Buffer, at: int, row_start: int) -> tuple[str, int]:
    """The line break at `at` (or "" at the end) and the offset after it."""
    if not buf.has(at, row_start):
        return "", at
    if buf.text[at] == "\r" and buf.has(at + 1, row_start) and buf.text[at + 1] == "\n":
        return "\r\n", at + 2
    return buf.text[at], at + 1


def _too_long(number: int, max_row: int, last: bool) -> Row:
    rest = "; the rest of the file was not read" if last else ""
    return Row(number, "", problem=f"the row is over {max_row:,} characters{rest}", last=last)


def _quoted_row(buf: _Buffer, pos: int, number: int, delimiter: str, cell_end: re.Pattern[str]) -> tuple[Row, int]:
    """A row with a quote somewhere: cell by cell, as csv.reader reads it
    (a quote inside an unquoted cell is a plain character)."""
    cells: list[Cell] = []
    problem = ""
    i = pos
    while True:
        if buf.has(i, pos) and buf.text[i] == '"':
            close = _closing_quote(buf, i + 1, pos)
            if close < 0:
                problem = (
                    f"the quoted cell {len(cells) + 1} is never closed: a quote is missing"
                    " (the rest of the file was read into it)"
                )
                return Row(number, buf.text[pos:], cells, "", problem, last=True), len(buf.text)
            raw = buf.text[i + 1 : close]
            cells.append(Cell(raw.replace('""', '"'), i + 1 - pos, close - pos, quoted=True))
            k = close + 1
            if buf.has(k, pos) and buf.text[k] not in (delimiter, "\r", "\n"):
                # csv.reader keeps such text; a spreadsheet would not have written it
                problem = problem or (
                    f"cell {len(cells)} has text after its closing quote"
                    ' (quote the whole cell, with each " inside it doubled)'
                )
                k = _unquoted_end(buf, k, pos, cell_end)
        else:
            k = _unquoted_end(buf, i, pos, cell_end)
            cells.append(Cell(buf.text[i:k], i - pos, k - pos))
        if buf.has(k, pos) and buf.text[k] == delimiter:
            i = k + 1
            continue
        newline, after = _newline(buf, k, pos)
        return Row(number, buf.text[pos:k], cells, newline, problem), after


def _unquoted_end(buf: _Buffer, i: int, row_start: int, cell_end: re.Pattern[str]) -> int:
    search_from = i
    while (m := cell_end.search(buf.text, search_from)) is None:
        search_from = len(buf.text)
        if not buf.more(row_start):
            return len(buf.text)
    return m.start()


def _closing_quote(buf: _Buffer, j: int, row_start: int) -> int:
    """The offset of the quote that closes a cell whose content starts at
    `j`, or -1 if the file ends first."""
    while True:
        q = buf.text.find('"', j)
        if q < 0:
            j = len(buf.text)
            if not buf.more(row_start):
                return -1
            continue
        if buf.has(q + 1, row_start) and buf.text[q + 1] == '"':
            j = q + 2
            continue
        return q


# -- the mapping file -----------------------------------------------------------

TABLE_KINDS = ("entities", "roles", "relations", "properties")
TOP_KEYS = {"table", "delimiter", "as_of", "outlet", "url"}
SHARED_KEYS = {"file", "kind", "delimiter", "as_of", "as_of_column", "outlet", "url", "id"}
KEYS = {
    "entities": {"name", "entity_kind", "entity_kind_column", "summary", "aliases", "properties"},
    "roles": {"holder", "organisation", "title", "start", "end", "status", "status_column"},
    "relations": {"subject", "object", "type", "type_column", "start", "end", "label"}
    | {"share", "amount", "currency", "program"},
    "properties": {"entity", "value", "property", "property_column", "qualifier", "qualifier_column"},
}
REQUIRED = {
    "entities": ("name",),
    "roles": ("holder", "title"),
    "relations": ("subject", "object"),
    "properties": ("entity", "value"),
}
# a constant (key) or a column (key_column): which a table must have one of
CHOICES = {
    "entities": {"entity_kind": True},
    "roles": {"status": False},
    "relations": {"type": True},
    "properties": {"property": True, "qualifier": False},
}
ALLOWED = {
    # an event is an entity and a claim at once: not something a row of names makes
    "entity_kind": tuple(k for k in vocab.ENTITY_KINDS if k != "event"),
    "status": vocab.ROLE_STATUSES,
    "type": vocab.RELATION_TYPES,
    "property": vocab.PROPERTIES,
}
REFS = ("holder", "organisation", "subject", "object", "entity")  # a tuple: reads in one order every run
# keys whose value names a column (besides the `*_column` ones)
COLUMN_KEYS = {"id", "name", "summary", "title", "start", "end", "label", "value", *REFS}
COLUMN_KEYS |= {"share", "amount", "currency", "program"}
DATE_PROPERTIES = {"birth-date", "death-date", "incorporation-date", "dissolution-date"}
CLAIM_WORD = {"roles": "role", "relations": "relation", "properties": "property"}
STEM_CHARS = 40


@dataclass
class Column:
    """A column the mapping names, and where (for messages)."""

    name: str
    line: int
    slug: bool = False  # cells hold names to be made ids
    index: int = -1  # its position in the header, once read


@dataclass
class PropertyColumn:
    column: Column
    property: str
    qualifier: str
    claim: str  # the claim id's last part: the column as a slug


@dataclass
class Table:
    number: int
    line: int
    file: str
    path: Path
    kind: str
    delimiter: str = ","
    as_of: str | None = None
    outlet: str | None = None
    url: str | None = None
    columns: dict[str, Column] = field(default_factory=dict)  # mapping key -> column
    constants: dict[str, str] = field(default_factory=dict)  # entity_kind, type, status, property, qualifier
    separator: str | None = None
    alias_kind: str = "alias"
    properties: list[PropertyColumn] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    stem: str = ""
    claim_word: str = ""

    @property
    def links_entities(self) -> bool:
        """Entity-valued properties (nationality, affiliation): written once
        every entity table is read, so they may name an entity of any."""
        return any(p.property in vocab.ENTITY_VALUED for p in self.properties)


@dataclass
class Mapping:
    path: Path
    tables: list[Table]


def slug(text: str) -> str:
    """An id made from a name: 'Иван Петров' -> 'ivan-petrov' ('' if none)."""
    return norm(text).replace(" ", "-")[: vocab.MAX_ID].strip("-")


class _Lines:
    """Where a key of the mapping is written, for file:line messages."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.tables = [no for no, text in enumerate(lines, 1) if re.match(r"\s*\[\[\s*table\s*\]\]", text)]

    def at(self, line: int) -> str:
        return f"{self.path}:{line}"

    def key(self, start: int, key: str) -> int:
        """The first line at or after `start`, within its [[table]], that
        assigns `key` (bare or quoted, also inside an inline table)."""
        pattern = re.compile(r"(?:^|[{,])\s*(?:" + "|".join(map(re.escape, (key, f'"{key}"', f"'{key}'"))) + r")\s*=")
        for no in range(start, len(self.lines) + 1):
            text = self.lines[no - 1]
            if no > start and re.match(r"\s*\[\[", text):
                break
            if pattern.search(text):
                return no
        return start


class _MappingReader:
    def __init__(self, path: Path, lines: _Lines) -> None:
        self.path = path
        self.root = path.parent.resolve()
        self.lines = lines
        self.problems: list[str] = []
        self.limits = current()

    def fail(self, line: int, message: str) -> None:
        self.problems.append(f"{self.lines.at(line)}: {message}")

    def read(self, data: dict[str, Any]) -> list[Table]:
        for key in data:
            if key not in TOP_KEYS:
                self.fail(self.lines.key(1, key), f"unknown key `{key}` (allowed here: {', '.join(sorted(TOP_KEYS))})")
        raw_tables = data.get("table", [])
        if isinstance(raw_tables, dict):
            line = next((n for n, t in enumerate(self.lines.lines, 1) if re.match(r"\s*\[\s*table\s*\]", t)), 1)
            self.fail(line, "write each table as [[table]] (two brackets: there may be several)")
            return []
        if not isinstance(raw_tables, list) or not raw_tables:
            self.fail(1, "no [[table]]: the mapping needs one [[table]] per CSV file (see kbtui.kb.csvin)")
            return []
        defaults: dict[str, Any] = {k: data[k] for k in ("delimiter", "as_of", "outlet", "url") if k in data}
        tables = []
        for i, raw in enumerate(raw_tables):
            line = self.lines.tables[i] if i < len(self.lines.tables) else 1
            table = self.table(raw, i + 1, line, defaults)
            if table:
                tables.append(table)
        self.shared_names(tables)
        return tables

    def table(self, raw: Any, number: int, line: int, defaults: dict[str, Any]) -> Table | None:
        if not isinstance(raw, dict):
            self.fail(line, f"table #{number} must be a [[table]]")
            return None
        kind = raw.get("kind")
        if kind not in TABLE_KINDS:
            self.fail(
                self.lines.key(line, "kind"),
                f"table #{number}: `kind` = {kind!r} must be one of {', '.join(TABLE_KINDS)}",
            )
            return None
        file = raw.get("file")
        what = f"table `{file}`" if isinstance(file, str) else f"table #{number}"
        ok = True
        allowed = SHARED_KEYS | KEYS[kind]
        for key in raw:
            if key not in allowed:
                self.fail(
                    self.lines.key(line, key),
                    f"{what}: unknown key `{key}` for a {kind} table (allowed: {', '.join(sorted(allowed))})",
                )
                ok = False
        for key in ("file", *REQUIRED[kind]):
            if key not in raw:
                self.fail(line, f"{what}: missing `{key}`")
                ok = False
        path = self.file(raw.get("file"), line, what) if "file" in raw else None
        table = Table(number, line, str(file), path or Path(), kind)
        settings = {**defaults, **{k: raw[k] for k in ("delimiter", "as_of", "outlet", "url") if k in raw}}
        ok = self.settings(table, settings, raw, what) and ok
        for key in sorted(raw):
            if key in COLUMN_KEYS or (key.endswith("_column") and key != "as_of_column" and key in allowed):
                column = self.column(raw[key], line, key, what, ref=key in REFS)
                if column is None:
                    ok = False
                else:
                    table.columns[key.removesuffix("_column")] = column
        for key, required in CHOICES[kind].items():
            ok = self.choice(table, raw, key, required, what) and ok
        if kind == "properties" and "property" in table.constants and "qualifier_column" not in raw:
            wrong = _qualifier_problem(table.constants["property"], table.constants.get("qualifier", ""))
            if wrong:
                self.fail(self.lines.key(line, "property"), f"{what}: {wrong}")
                ok = False
        if kind == "entities":
            ok = self.aliases(table, raw.get("aliases"), what) and ok
            ok = self.properties(table, raw.get("properties", {}), what) and ok
        return table if ok and path else None

    def file(self, value: Any, line: int, what: str) -> Path | None:
        at = self.lines.key(line, "file")
        if not isinstance(value, str) or not value.strip():
            self.fail(at, f"{what}: `file` must be the name of a CSV file")
            return None
        try:
            path = (self.root / value).resolve()
            inside = path.is_relative_to(self.root)
            found = path.is_file()
        except (OSError, ValueError):  # an embedded NUL, a name too long
            self.fail(at, f"{what}: `file` = {value!r} is not a usable file name")
            return None
        if not inside:
            # a mapping from elsewhere must not pull in ~/.ssh/id_rsa or /etc/passwd
            self.fail(at, f"{what}: `file` = {value!r} is outside the mapping's folder; keep the CSV files beside it")
            return None
        if not found:
            self.fail(at, f"{what}: file {value!r} not found (paths are relative to {self.path.name})")
            return None
        return path

    def settings(self, table: Table, settings: dict[str, Any], raw: dict[str, Any], what: str) -> bool:
        ok = True
        for key in ("outlet", "url", "delimiter", "as_of"):
            value = settings.get(key)
            if value is not None and not isinstance(value, str):
                where = self.lines.key(table.line if key in raw else 1, key)
                self.fail(where, f"{what}: `{key}` must be a string (quoted)")
                ok = False
                settings.pop(key)
        table.outlet, table.url = settings.get("outlet"), settings.get("url")
        delimiter = settings.get("delimiter", ",")
        if len(delimiter) != 1 or delimiter in '"\r\n':
            where = self.lines.key(table.line if "delimiter" in raw else 1, "delimiter")
            self.fail(where, f'{what}: `delimiter` = {delimiter!r} must be one character (such as ",", ";" or "\\t")')
            ok = False
        table.delimiter = delimiter
        as_of = settings.get("as_of")
        if as_of is not None:
            wrong = dates.problem(as_of)
            if wrong:
                self.fail(self.lines.key(table.line if "as_of" in raw else 1, "as_of"), f"{what}: `as_of` = {wrong}")
                ok = False
            if "as_of_column" in raw and "as_of" in raw:
                self.fail(table.line, f"{what}: give `as_of` or `as_of_column`, not both")
                ok = False
            table.as_of = as_of
        if "as_of_column" in raw:
            table.as_of = None  # the row's cell says
            column = self.column(raw["as_of_column"], table.line, "as_of_column", what)
            if column is None:
                return False
            table.columns["as_of"] = column
        return ok

    def column(self, value: Any, line: int, key: str, what: str, ref: bool = False) -> Column | None:
        at = self.lines.key(line, key)
        if ref and isinstance(value, dict):
            extra = set(value) - {"column", "slug"}
            if extra or not isinstance(value.get("column"), str) or not isinstance(value.get("slug", False), bool):
                self.fail(at, f'{what}: `{key}` must be a column name or {{ column = "...", slug = true }}')
                return None
            return Column(value["column"], at, slug=value.get("slug", False))
        if not isinstance(value, str) or not value.strip():
            self.fail(at, f"{what}: `{key}` must be the name of a column (a string)")
            return None
        return Column(value, at)

    def choice(self, table: Table, raw: dict[str, Any], key: str, required: bool, what: str) -> bool:
        column_key = f"{key}_column"
        if key in raw and column_key in raw:
            self.fail(self.lines.key(table.line, key), f"{what}: give `{key}` or `{column_key}`, not both")
            return False
        if key not in raw:
            if required and column_key not in raw:
                self.fail(table.line, f"{what}: missing `{key}` (one value for every row) or `{column_key}` (a column)")
                return False
            return True
        value = raw[key]
        allowed = ALLOWED.get(key)
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            choices = f"one of {', '.join(allowed)}" if allowed else "a string"
            self.fail(self.lines.key(table.line, key), f"{what}: `{key}` = {value!r} must be {choices}")
            return False
        table.constants[key] = value
        return True

    def aliases(self, table: Table, value: Any, what: str) -> bool:
        if value is None:
            return True
        at = self.lines.key(table.line, "aliases")
        if isinstance(value, dict):
            extra = set(value) - {"column", "separator", "kind"}
            separator, kind = value.get("separator"), value.get("kind", "alias")
            if extra or not isinstance(value.get("column"), str):
                self.fail(at, f'{what}: `aliases` must be a column name or {{ column = "...", separator = ";" }}')
                return False
            if separator is not None and (not isinstance(separator, str) or not separator):
                self.fail(at, f'{what}: `aliases.separator` must be a non-empty string such as ";"')
                return False
            if kind not in vocab.ALIAS_KINDS:
                self.fail(at, f"{what}: `aliases.kind` = {kind!r} must be one of {', '.join(vocab.ALIAS_KINDS)}")
                return False
            table.separator, table.alias_kind = separator, kind
            table.columns["aliases"] = Column(value["column"], at)
            return True
        column = self.column(value, table.line, "aliases", what)
        if column:
            table.columns["aliases"] = column
        return column is not None

    def properties(self, table: Table, value: Any, what: str) -> bool:
        at = self.lines.key(table.line, "properties")
        if not isinstance(value, dict):
            self.fail(at, f'{what}: `properties` must map columns to properties: {{ birth_date = "birth-date" }}')
            return False
        ok = True
        claims: set[str] = set()
        for name, spec in value.items():
            where = self.lines.key(table.line, name)
            if isinstance(spec, str):
                prop, qualifier = spec, ""
            elif isinstance(spec, dict) and set(spec) <= {"property", "qualifier"} and "property" in spec:
                prop, qualifier = spec["property"], spec.get("qualifier", "")
            else:
                self.fail(
                    where,
                    f'{what}: column `{name}` must map to a property name or {{ property = "...", qualifier = "..." }}',
                )
                ok = False
                continue
            wrong = _qualifier_problem(prop, qualifier)
            if wrong:
                self.fail(where, f"{what}: column `{name}`: {wrong}")
                ok = False
                continue
            claim = slug(name) or "column"
            while claim in claims:  # two columns that slug alike keep distinct claim ids
                claim += "-2"
            claims.add(claim)
            table.properties.append(PropertyColumn(Column(name, where), prop, qualifier, claim[:STEM_CHARS]))
        return ok

    def shared_names(self, tables: list[Table]) -> None:
        """Source ids are made from file stems, claim ids from table kinds:
        two files whose stems make the same slug would share source ids."""
        stems: dict[str, Table] = {}
        words: dict[tuple[Path, str], int] = {}
        for t in tables:
            t.stem = slug(t.path.stem)[:STEM_CHARS].strip("-") or "csv"
            other = stems.setdefault(t.stem, t)
            if other.path != t.path:
                self.fail(
                    t.line,
                    f"table `{t.file}`: its rows would get the same source ids as those of `{other.file}`"
                    f" (both named '{t.stem}-N'); rename one of the files",
                )
            if t.kind in CLAIM_WORD:
                n = words[(t.path, t.kind)] = words.get((t.path, t.kind), 0) + 1
                t.claim_word = CLAIM_WORD[t.kind] + (f"-{n}" if n > 1 else "")


def _qualifier_problem(prop: Any, qualifier: Any) -> str:
    """What is wrong with a property and qualifier the mapping gives ('' if
    nothing): shapes.property_problem's verdict on a value it accepts."""
    if prop not in vocab.PROPERTIES:
        return f"property {prop!r} is not one of {', '.join(vocab.PROPERTIES)}"
    if not isinstance(qualifier, str):
        return "`qualifier` must be a string"
    sample = "other" if prop == "gender" else "2000"
    found = property_problem(prop, sample, qualifier, {sample: "country"})
    return found[1] if found else ""


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file and the header row of every CSV file it
    names; ImportFailed lists every problem as FILE:LINE (or FILE:row 1)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such mapping file", "give the path of a mapping .toml (see kbtui.kb.csvin)")
    problems: list[str] = []
    data, raw_lines = _read_toml(path, problems)  # the bundle reader's limits and checks
    if not problems:
        reader = _MappingReader(path, _Lines(path, raw_lines.lines))
        tables = reader.read(data)
        for table in tables:
            _header(table, reader)
        problems = reader.problems
    if problems:
        raise ImportFailed("\n".join(problems), "nothing was written; fix the mapping and retry")
    return Mapping(path, tables)


def _open(path: Path) -> TextIO:
    # newline="": line breaks inside cells and row ends arrive as written;
    # utf-8-sig: a BOM (as Excel writes) is not part of the first column's name;
    # surrogateescape: a byte that is not UTF-8 spoils its own row, not the
    # rows read with it (a strict decoder fails a whole chunk at once)
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


# what surrogateescape makes of bytes that are not UTF-8 (UTF-8 itself never
# decodes to a lone surrogate)
NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _not_utf8(text: str) -> str:
    """What is wrong with a row that holds bytes that are not UTF-8 ('' if none)."""
    m = NOT_UTF8.search(text)
    if not m:
        return ""
    byte = ord(m.group()) - 0xDC00
    return (
        f"byte 0x{byte:02X} after {text[: m.start()][-20:]!r} is not UTF-8"
        " (save the file as UTF-8 CSV; a spreadsheet calls it 'CSV UTF-8')"
    )


def _header(table: Table, reader: _MappingReader) -> None:
    """Find each mapped column in the file's first row."""
    what = f"table `{table.file}`"
    try:
        with _open(table.path) as stream:
            first = next(scan(stream, table.delimiter, reader.limits.source_bytes), None)
    except OSError as exc:
        reader.problems.append(f"{table.file}: cannot be read ({exc.strerror})")
        return
    if first is None or not first.cells:
        reader.problems.append(f"{table.file}:row 1: empty; the first row must name the columns")
        return
    if first.problem or _not_utf8(first.text):
        reader.problems.append(f"{table.file}:row 1: {first.problem or _not_utf8(first.text)}")
        return
    table.header = [c.value.strip() for c in first.cells]
    shown = ", ".join(table.header[:20]) + (", …" if len(table.header) > 20 else "")
    columns = list(table.columns.values()) + [p.column for p in table.properties]
    for column in columns:
        at = [i for i, name in enumerate(table.header) if name == column.name.strip()]
        if not at:
            reader.fail(column.line, f"{what}: column `{column.name}` is not in the header of {table.file} ({shown})")
        elif len(at) > 1:
            reader.fail(
                column.line,
                f"{what}: column `{column.name}` is in the header of {table.file} {len(at)} times"
                f" (columns {', '.join(str(i + 1) for i in at)}); rename all but one",
            )
        else:
            column.index = at[0]


def default_input(mapping_path: Path) -> str:
    """The input id: the mapping's file name, or its folder's when the file
    is just called mapping.toml."""
    stem = mapping_path.stem
    if stem.lower() == "mapping":
        stem = mapping_path.resolve().parent.name
    return input_name(stem)


# -- importing ----------------------------------------------------------------------

AS_OF_NOTE = "the spreadsheet does not say when this was true"
AFFIX = 32  # characters of context kept on each side of a quote
PROGRESS_EVERY = 5_000


def import_csv(
    mapping_path: Path | str,
    db_path: Path | str,
    input_id: str | None = None,
    on_error: str = "stop",
    prune: bool = False,
    dry_run: bool = False,
    advance: Advance = quiet,
) -> dict[str, Any]:
    """Import the CSV files a mapping names into `db_path` (created if
    missing), as input `input_id` (default: see default_input). On a bad
    row, "stop" writes nothing, "skip" leaves the row out; both report it.
    With `prune`, this input's rows the files no longer have go; with
    `dry_run`, nothing is written. Returns the sink's report as a dict."""
    checked_on_error(on_error)
    mapping_path = Path(mapping_path)
    mapping = load_mapping(mapping_path)
    name = checked_input(input_id or default_input(mapping_path))

    def run(conn: sqlite3.Connection) -> Report:
        return _write(conn, mapping, name, on_error, prune, dry_run, advance)

    return into(Path(db_path), run, publish=not dry_run).as_dict()


def _write(
    conn: sqlite3.Connection,
    mapping: Mapping,
    input_id: str,
    on_error: str,
    prune: bool,
    dry_run: bool,
    advance: Advance,
) -> Report:
    """One IMMEDIATE transaction: entity tables, then the links between
    entities (which may name an entity from any entity table), then finish."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        sink = Sink(conn, input_id, "csv", str(mapping.path), on_error, advance)
        reader = _Reader(conn, sink, input_id, advance)
        entity_tables = [t for t in mapping.tables if t.kind == "entities"]
        for table in entity_tables:
            reader.read(table, reader.entity_row)
        sink.flush()  # from here on references are looked up in the KB
        for table in entity_tables:
            if table.links_entities:
                reader.read(table, reader.entity_links, again=True)
        for table in mapping.tables:
            if table.kind != "entities":
                reader.read(table, reader.link_row)
        report = sink.finish(prune=prune)
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (disk full, I/O) already rolled back
            conn.execute("ROLLBACK")
        raise
    report.summary = reader.summary()
    return report


class _RowSet:
    """Row numbers of one file, a byte each: a million rows take a megabyte."""

    def __init__(self) -> None:
        self.marks = bytearray()

    def add(self, n: int) -> None:
        if n >= len(self.marks):
            self.marks.extend(bytes(max(n + 1 - len(self.marks), len(self.marks))))
        self.marks[n] = 1

    def __contains__(self, n: int) -> bool:
        return n < len(self.marks) and self.marks[n] == 1


@dataclass
class _Taken:
    """A value taken from a cell, with the citation of its characters."""

    value: str
    cite: records.Cite


class _Values:
    """One data row's values, taken by mapping key; what is wrong with them
    is collected in `problems` (the row is bad if there are any)."""

    def __init__(self, table: Table, row: Row, source_id: str, limits: Limits) -> None:
        self.table = table
        self.row = row
        self.source_id = source_id
        self.limits = limits
        self.problems: list[str] = []
        self.as_of: str | None = table.as_of
        self.note = "" if table.as_of else AS_OF_NOTE
        if "as_of" in table.columns:
            taken = self.take("as_of", name=True)
            if taken and (wrong := dates.problem(taken.value)):
                self.fail("as_of", wrong)
            elif taken:
                self.as_of, self.note = taken.value, ""

    def fail(self, key: str, message: str) -> None:
        column = self.table.columns.get(key)
        self.problems.append(f"`{column.name}` {message}" if column else message)

    def take(self, key: str | Column, name: bool = False, required: bool = False) -> _Taken | None:
        """The trimmed value of a mapped column's cell, or None if empty."""
        column = key if isinstance(key, Column) else self.table.columns.get(key)
        if column is None:
            return None
        cell = self.row.cells[column.index]
        value = cell.value
        a = len(value) - len(value.lstrip())
        b = len(value.rstrip())
        if a >= b:
            if required:
                self.problems.append(
                    f"`{column.name}` is empty (a {key if isinstance(key, str) else 'value'} is required)"
                )
            return None
        cap, which = (self.limits.name_chars, "name_chars") if name else (self.limits.value_chars, "value_chars")
        if b - a > cap:
            self.problems.append(
                f"`{column.name}` is {b - a:,} characters, over the limit of {cap:,} ({env_name(which)})"
            )
            return None
        return _Taken(value[a:b], self.cite(cell, a, b))

    def cite(self, cell: Cell, a: int, b: int) -> records.Cite:
        """The citation of value[a:b] of `cell`: its characters as written."""
        start, end = cell.start + a, cell.start + b
        if cell.quoted and '"' in cell.value:  # each " of the value is "" in the text
            start += cell.value.count('"', 0, a)
            end += cell.value.count('"', 0, b)
        text = self.row.text
        return records.Cite(
            self.source_id,
            start,
            end,
            text[start:end],
            text[max(0, start - AFFIX) : start],
            text[end : end + AFFIX],
            as_of=self.as_of,
            as_of_note=self.note,
        )

    def choice(self, key: str, default: str | None = None) -> tuple[str | None, records.Cite | None]:
        """A constant of the mapping, or the value of its `*_column`."""
        if key in self.table.constants:
            return self.table.constants[key], None
        taken = self.take(key, name=True)
        if taken is None:
            if default is None and key in ("entity_kind", "type", "property"):
                self.fail(key, "is empty (it must say the row's " + key.replace("_", " ") + ")")
            return default, None
        value = taken.value if key == "qualifier" else taken.value.lower()
        allowed = ALLOWED.get(key)
        if allowed is not None and value not in allowed:
            self.fail(key, f"= {taken.value!r} is not one of {', '.join(allowed)}")
            return None, None
        return value, taken.cite

    def date(self, key: str) -> _Taken | None:
        taken = self.take(key, name=True)
        if taken and (wrong := dates.problem(taken.value)):
            self.fail(key, f"= {wrong}")
            return None
        return taken

    def id(self, taken: _Taken, column: Column) -> str | None:
        """A cell that holds an id (or a name, with slug = true)."""
        if column.slug:
            made = slug(taken.value)
            if not made:
                self.problems.append(f"`{column.name}` = {taken.value!r} has no letters or digits to make an id of")
            return made or None
        if not vocab.SLUG.match(taken.value) or len(taken.value) > vocab.MAX_ID:
            self.problems.append(
                f"`{column.name}` = {taken.value[:60]!r} is not an id (a-z, 0-9 and '-', at most {vocab.MAX_ID}"
                f' characters; if the column holds names, map it as {{ column = "{column.name}", slug = true }})'
            )
            return None
        return taken.value


class _Reader:
    """Reads each table's rows into the sink."""

    def __init__(self, conn: sqlite3.Connection, sink: Sink, input_id: str, advance: Advance) -> None:
        self.conn = conn
        self.sink = sink
        self.input = input_id
        self.advance = advance
        self.limits = current()
        self.sourced: dict[Path, _RowSet] = {}  # rows whose source is written
        self.accepted: dict[int, _RowSet] = {}  # per entity table: rows whose entity was written
        self.read_rows: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.blank: dict[str, int] = {}

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows read": self.read_rows}
        if any(self.skipped.values()):
            out["bad rows"] = {k: v for k, v in self.skipped.items() if v}
        if any(self.blank.values()):
            out["blank rows"] = {k: v for k, v in self.blank.items() if v}
        return out

    # -- rows ---------------------------------------------------------------
    def read(self, table: Table, handle: Callable[[Table, Row, str], bool], again: bool = False) -> None:
        """Stream `table`'s file through `handle(table, row, where)`, which
        returns False for a bad row. `again`: a second pass over a file whose
        rows were counted and reported the first time."""
        phase = f"reading {table.file}"
        pending = 0
        try:
            with _open(table.path) as stream:
                rows = scan(stream, table.delimiter, self.limits.source_bytes)
                header = next(rows, None)
                if header is None or [c.value.strip() for c in header.cells] != table.header:
                    raise ImportFailed(
                        f"{table.file}: its header row changed while it was being imported; nothing was written",
                        "import again",
                    )
                for row in rows:
                    good = self._row(table, row, handle, again)
                    if not again:
                        counts = self.read_rows if good is not None else self.blank
                        counts[table.file] = counts.get(table.file, 0) + 1
                        if good is False:
                            self.skipped[table.file] = self.skipped.get(table.file, 0) + 1
                    pending += 1
                    if pending == PROGRESS_EVERY:
                        self.advance(phase, pending, None)
                        pending = 0
        except OSError as exc:
            raise ImportFailed(f"{table.file}: cannot be read ({exc.strerror}); nothing was written") from exc
        self.advance(phase, pending, None)

    def _row(self, table: Table, row: Row, handle: Callable[[Table, Row, str], bool], again: bool) -> bool | None:
        """True (imported), False (bad), None (blank)."""
        where = f"{table.file}:row {row.number}"
        if not row.problem and all(not c.value.strip() for c in row.cells):
            return None
        wrong = row.problem or self._shape(table, row)
        if wrong:
            if not again:
                self.sink.problem(where, wrong)
            return False
        return handle(table, row, where)

    def _shape(self, table: Table, row: Row) -> str:
        n, m = len(row.cells), len(table.header)
        if n < m:
            return (
                f"{n} cell{'s' * (n != 1)} where the header has {m}: missing columns"
                " (every row needs a cell, empty or not, for each column)"
            )
        if n > m and any(c.value.strip() for c in row.cells[m:]):
            return (
                f"{n} cells where the header has {m}"
                f" (a {table.delimiter!r} inside a value? put the value in double quotes)"
            )
        if "\x00" in row.text:
            return "contains a NUL character (U+0000); remove it"
        return _not_utf8(row.text)

    def _source(self, table: Table, row: Row, source_id: str) -> None:
        """The row as a source, once per file and row (a file may serve
        several tables)."""
        done = self.sourced.setdefault(table.path, _RowSet())
        if row.number in done:
            return
        done.add(row.number)
        self.sink.source(
            records.Source(
                id=source_id,
                title=f"{table.file} row {row.number}",
                text=row.text,
                format="csv",
                outlet=table.outlet,
                url=table.url,
                as_of_note="" if table.as_of else AS_OF_NOTE,
                meta={"file": table.file, "row": row.number, "header": table.header},
                where=f"{table.file}:row {row.number}",
            )
        )

    def source_id(self, table: Table, row: Row) -> str:
        return f"{self.input}--{table.stem}-{row.number}"

    def _bad(self, where: str, values: _Values) -> bool:
        self.sink.problem(where, "; ".join(values.problems))
        return False

    # -- entity tables --------------------------------------------------------
    def entity_row(self, table: Table, row: Row, where: str) -> bool:
        source_id = self.source_id(table, row)
        values = _Values(table, row, source_id, self.limits)
        entity, claims, _ = self._entity(table, values, where)
        if entity is None or values.problems:
            return self._bad(where, values)
        self._source(table, row, source_id)
        if not self.sink.entity(entity):
            return False  # the sink said why
        self.accepted.setdefault(table.number, _RowSet()).add(row.number)
        for claim in claims:
            self.sink.claim(claim)
        return True

    def entity_links(self, table: Table, row: Row, where: str) -> bool:
        """Second pass: the entity-valued properties of entities written."""
        if row.number not in self.accepted.get(table.number, _RowSet()):
            return False
        values = _Values(table, row, self.source_id(table, row), self.limits)
        entity, _, links = self._entity(table, values, where)
        if entity is None:
            return False
        for claim in links:
            kind = self._kind(claim.value)
            wrong = property_problem(claim.property, claim.value, claim.qualifier, {claim.value: kind} if kind else {})
            if wrong:
                column = claim.id.rsplit("--", 1)[-1]
                self.sink.problem(where, f"`{column}` {wrong[1].removeprefix('`value` ')} (the value was left out)")
            else:
                self.sink.claim(claim)
        return True

    def _entity(
        self, table: Table, values: _Values, where: str
    ) -> tuple[records.Entity | None, list[records.Property], list[records.Property]]:
        """The row's entity, its properties, and its entity-valued
        properties (checked once every entity table is read)."""
        name = values.take("name", name=True, required=True)
        kind, _ = values.choice("entity_kind")
        entity_id: str | None = None
        if "id" in table.columns:
            taken = values.take("id", name=True, required=True)
            entity_id = values.id(taken, table.columns["id"]) if taken else None
        elif name:
            entity_id = slug(name.value) or None
            if entity_id is None:
                values.problems.append(
                    f"`{table.columns['name'].name}` = {name.value!r} has no letters or digits to make an id of"
                    " (add an `id` column to the mapping)"
                )
        aliases = self._aliases(table, values)
        claims, links = [], []
        for pc in table.properties:
            taken = values.take(pc.column, name=pc.property in vocab.NAME_VALUED)
            if taken is None or entity_id is None:
                continue
            claim = records.Property(
                id=f"{values.source_id}--{pc.claim}",
                cites=[taken.cite],
                where=where,
                entity=entity_id,
                property=pc.property,
                value=taken.value,
                qualifier=pc.qualifier,
            )
            if pc.property in vocab.ENTITY_VALUED:
                values.id(taken, pc.column)
                links.append(claim)
            elif wrong := self._value_problem(pc.property, taken.value, pc.qualifier):
                values.problems.append(f"`{pc.column.name}` {wrong}")
            else:
                claims.append(claim)
        if name is None or kind is None or entity_id is None or values.problems:
            return None, [], []
        summary = values.take("summary")
        entity = records.Entity(entity_id, kind, name.value, summary.value if summary else "", aliases, where)
        return entity, claims, links

    def _aliases(self, table: Table, values: _Values) -> list[records.Alias]:
        column = table.columns.get("aliases")
        if column is None:
            return []
        cell = values.row.cells[column.index]
        aliases = []
        offset = 0
        pieces = cell.value.split(table.separator) if table.separator else [cell.value]
        for piece in pieces:
            a = offset + len(piece) - len(piece.lstrip())
            b = offset + len(piece.rstrip())
            offset += len(piece) + len(table.separator or "")
            if a >= b:
                continue
            if b - a > self.limits.name_chars:
                values.problems.append(
                    f"`{column.name}`: an alias is {b - a:,} characters, over the limit of"
                    f" {self.limits.name_chars:,} ({env_name('name_chars')})"
                )
                continue
            aliases.append(records.Alias(cell.value[a:b], table.alias_kind, cites=[values.cite(cell, a, b)]))
        return aliases

    @staticmethod
    def _value_problem(prop: str, value: str, qualifier: str) -> str:
        """What is wrong with a property value, in words ('' if nothing)."""
        if prop in DATE_PROPERTIES:
            wrong = dates.problem(value)
            return f"= {wrong}" if wrong else ""
        shape = property_problem(prop, value, qualifier, {})
        return shape[1].removeprefix("`value` ") if shape else ""

    def _kind(self, entity_id: str) -> str | None:
        row = self.conn.execute("SELECT kind FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return str(row[0]) if row else None

    # -- link tables ------------------------------------------------------------
    def link_row(self, table: Table, row: Row, where: str) -> bool:
        source_id = self.source_id(table, row)
        values = _Values(table, row, source_id, self.limits)
        claim = self._link(table, values, where, f"{source_id}--{table.claim_word}")
        if claim is None or values.problems:
            return self._bad(where, values)
        self._source(table, row, source_id)
        return self.sink.claim(claim)

    def _link(self, table: Table, values: _Values, where: str, default_id: str) -> records.AnyClaim | None:
        cites: list[records.Cite] = []

        def take(key: str, name: bool = False, required: bool = False) -> str | None:
            taken = values.take(key, name=name, required=required)
            if taken:
                cites.append(taken.cite)
            return taken.value if taken else None

        def choice(key: str, default: str | None = None) -> str | None:
            value, cite = values.choice(key, default)
            if cite:
                cites.append(cite)
            return value

        def date(key: str) -> str | None:
            taken = values.date(key)
            if taken:
                cites.append(taken.cite)
            return taken.value if taken else None

        claim_id = default_id
        if "id" in table.columns:
            given = values.take("id", name=True, required=True)
            claim_id = (values.id(given, table.columns["id"]) if given else None) or default_id
        refs = {key: self._ref(values, key, cites, required=key in REQUIRED[table.kind]) for key in REFS}
        common: dict[str, Any] = {"id": claim_id, "cites": cites, "where": where}
        claim: records.AnyClaim
        if table.kind == "roles":
            claim = records.Role(
                **common,
                holder=refs["holder"] or "",
                organisation=refs["organisation"],
                title=take("title", name=True, required=True) or "",
                start=date("start"),
                end=date("end"),
                status=choice("status", "unknown") or "unknown",
            )
        elif table.kind == "relations":
            claim = records.Relation(
                **common,
                type=choice("type") or "other",
                subject=refs["subject"] or "",
                object=refs["object"] or "",
                start=date("start"),
                end=date("end"),
                label=take("label") or "",
                share=take("share"),
                amount=take("amount"),
                currency=take("currency"),
                program=take("program"),
            )
        else:
            prop = choice("property")
            qualifier = choice("qualifier", "") or ""
            value = take("value", name=prop in vocab.NAME_VALUED, required=True)
            if prop and value:
                kind = self._kind(value) if prop in vocab.ENTITY_VALUED else None
                if prop in DATE_PROPERTIES and (wrong := dates.problem(value)):
                    values.fail("value", f"= {wrong}")
                elif found := property_problem(prop, value, qualifier, {value: kind} if kind else {}):
                    # the shape names the field at fault: the value, or the qualifier
                    values.fail(found[0], found[1].removeprefix(f"`{found[0]}` "))
            claim = records.Property(
                **common, entity=refs["entity"] or "", property=prop or "", value=value or "", qualifier=qualifier
            )
        # the evidence reads left to right, as the row does (and gets its
        # citation ids in that order on every run)
        cites.sort(key=lambda c: c.start)
        return None if values.problems else claim

    def _ref(self, values: _Values, key: str, cites: list[records.Cite], required: bool) -> str | None:
        """An entity the row names: an id this import or the KB knows."""
        column = values.table.columns.get(key)
        if column is None:
            return None
        taken = values.take(key, name=True, required=required)
        if taken is None:
            return None
        cites.append(taken.cite)
        entity_id = values.id(taken, column)
        if entity_id and self._kind(entity_id) is None:
            values.problems.append(
                f"`{column.name}` = {taken.value!r}: no entity `{entity_id}` in the entity tables of this mapping"
                " or in the KB (check the id, or add the entity to an entity table)"
            )
            return None
        return entity_id
