"""Reading a human-edited bundle (sources.toml, kb.toml, texts) into memory.

Everything is checked here, before the database is touched: TOML syntax,
unknown fields, ids, references, closed value sets, UTF-8, and the anchoring
of every quote. Problems are collected (not just the first) and each names
`file:line`, the field and what to do.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kbtui.kb import dates, vocab
from kbtui.kb.anchor import AnchorError, anchor
from kbtui.kb.limits import current, depth, env_name
from kbtui.kb.records import Cite, derived_id
from kbtui.kb.shapes import property_problem
from kbtui.kb.toml_lines import ITEM_SPAN, Lines, NulLines, Piece, Plan, cut

# the closed sets, as sets for membership tests (defined in kbtui.kb.vocab)
ENTITY_KINDS = frozenset(vocab.ENTITY_KINDS)
ALIAS_KINDS = frozenset(vocab.ALIAS_KINDS)
RELATION_TYPES = frozenset(vocab.RELATION_TYPES)
EVENT_TYPES = frozenset(vocab.EVENT_TYPES)
STATUSES = frozenset(vocab.ROLE_STATUSES)
STANCES = frozenset(vocab.STANCES)
CERTAINTIES = frozenset(vocab.CERTAINTIES)
MODES = frozenset(vocab.MODES)
DATE_BASES = frozenset(vocab.DATE_BASES)
SLUG, MAX_ID = vocab.SLUG, vocab.MAX_ID

SOURCE_FIELDS = {
    "id",
    "file",
    "title",
    "outlet",
    "author",
    "published",
    "via",
    "via_date",
    "url",
    "note",
    "date_basis",
    "not_before",
    "not_after",
    "relays",
    "origin",
    "as_of_note",
    # true: never made public (`kbtui export --redact`, a redacted copy)
    "confidential",
    # capture provenance (kbtui add source writes them)
    "retrieved",
    "archive_url",
    "capture_file",
    "capture_sha256",
    "versions",
}
ENTITY_FIELDS = {"id", "kind", "name", "summary", "aliases"}
ALIAS_FIELDS = {"name", "kind", "as_of", "cite"}
CLAIM_FIELDS = {"id", "cite", "disputed", "note"}
ROLE_FIELDS = CLAIM_FIELDS | {"holder", "organisation", "title", "start", "end", "status"}
RELATION_FIELDS = CLAIM_FIELDS | {"type", "subject", "object", "start", "end", "label"}
EVENT_FIELDS = CLAIM_FIELDS | {"name", "type", "summary", "aliases", "start", "end", "place", "participants"}
CITE_FIELDS = {"source", "quote", "prefix", "suffix", "as_of", "as_of_note", "stance", "certainty", "mode", "speaker"}
# a citation's place among its source's versions (written by `kbtui add
# version`): `version` pins it to an older text (orphaned there);
# `anchor = "moved"` with `was` and `was_version` marks one re-anchored
# into the current text that a human should confirm
CITE_VERSION_FIELDS = {"version", "anchor", "was", "was_version", "was_prefix", "was_suffix"}
VERSION_FIELDS = {"file", "sha256", "replaced", *("retrieved", "archive_url", "capture_file", "capture_sha256")}
PARTICIPANT_FIELDS = {"entity", "capacity", "cite"}
PROPERTY_FIELDS = CLAIM_FIELDS | {"entity", "property", "value", "qualifier"}
CONFLICT_FIELDS = {"claims", "note"}
ERRATUM_FIELDS = {"id", "source", "quote", "prefix", "suffix", "says", "correct", "about", "shown_by"}
# fields that are names or short labels: indexed for search and shown in
# one table cell, so they get the tighter limit
NAME_FIELDS = {"id", "name", "title", "kind", "type", "holder", "organisation", "subject", "object", "entity"}
CAPTURE_FIELDS = ("retrieved", "archive_url", "capture_file", "capture_sha256")
RETRIEVED = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?")
KB_TABLES = ("entity", "role", "relation", "event", "property", "conflict", "erratum")
# characters of source text searched for nearest matches to missing quotes,
# per bundle (~1 s); past it, a missing quote is reported without one
HINT_BUDGET = 16_000_000


class BundleError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# an entity id the bundle names without defining it -> its kind in the KB
# the bundle is imported into, or None: bundles may build on each other
Known = Callable[[str], "str | None"]


def nothing_known(entity_id: str) -> str | None:
    return None


class _Kinds:
    """Entity kinds: the bundle's, then the KB's."""

    def __init__(self, own: dict[str, str], known: Known) -> None:
        self.own, self.known = own, known

    def get(self, entity_id: str, /) -> str | None:
        kind = self.own.get(entity_id)
        if kind is None and isinstance(entity_id, str):
            kind = self.known(entity_id)
        return kind


@dataclass
class Bundle:
    sources: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    properties: list[dict[str, Any]] = field(default_factory=list)
    # aliases that carry citations are claims of kind 'alias'
    alias_claims: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    errata: list[dict[str, Any]] = field(default_factory=list)

    def claims(self) -> list[dict[str, Any]]:
        """Every claim, participations included, in writing order."""
        parts = [p for e in self.events for p in e["participants"]]
        return self.roles + self.relations + self.events + parts + self.properties + self.alias_claims


def _readable(path: Path, problems: list[str]) -> bool:
    """A bundle file is there and within the size limit (checked before it is read)."""
    if not path.is_file():
        problems.append(f"{path}: missing (a bundle needs sources.toml and kb.toml)")
        return False
    limits = current()
    size = path.stat().st_size
    if size > limits.toml_bytes:
        problems.append(
            f"{path}: {size:,} bytes, over the limit of {limits.toml_bytes:,}"
            f" ({env_name('toml_bytes')}); split the bundle into several"
        )
        return False
    return True


def _decode(path: Path, data: bytes, offset: int, problems: list[str]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not valid UTF-8 at byte {offset + exc.start}")
        return None


def _parse(path: Path, text: str, first: int, problems: list[str], last: bool = True) -> dict[str, Any] | None:
    """Parse a TOML document: a whole file, or the piece of one that starts
    at line `first` (tomllib's line numbers are moved to the file's)."""
    limits = current()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"(?<=at line )(\d+)", lambda m: str(int(m[1]) + first - 1), str(exc))
        if not last:
            # the end of a piece is the line where the next one starts
            message = message.replace("at end of document", f"at line {first + text.count(chr(10))}")
        line = re.search(r"line (\d+)", message)
        where = f"{path}:{line.group(1)}" if line else str(path)
        problems.append(f"{where}: bad TOML: {message}")
        return None
    except RecursionError:
        problems.append(f"{path}: arrays or tables nested too deeply to read (over {limits.nesting} levels)")
        return None
    if depth(data, limits.nesting) > limits.nesting:
        problems.append(
            f"{path}: arrays or tables nested more than {limits.nesting} levels deep ({env_name('nesting')})"
        )
        return None
    return data


def _read_toml(path: Path, problems: list[str]) -> tuple[dict[str, Any], Lines]:
    """A whole TOML file (sources.toml; a CSV mapping), checked as kb.toml is."""
    if not _readable(path, problems):
        return {}, Lines(path, "")
    raw = _decode(path, path.read_bytes(), 0, problems)
    if raw is None:
        return {}, Lines(path, "")
    lines = Lines(path, raw)
    data = _parse(path, raw, 1, problems)
    if data is None:
        return {}, lines
    _refuse_nul(data, lines, problems)
    return data, lines


def _kb_pieces(
    path: Path, size: int | None, problems: list[str], plain_ids: set[str]
) -> Iterator[tuple[dict[str, Any], Lines, bool]]:
    """kb.toml a piece at a time (the whole file if `size` is None): its
    tables, their lines, and whether it is the last piece. Stops at a piece
    that cannot be read (the problem is in `problems`); entity and event ids
    without a '-' go into `plain_ids` before the first piece."""
    if not _readable(path, problems):
        return
    with path.open("rb") as f:
        if size is None:
            plan = Plan([Piece(0, os.fstat(f.fileno()).st_size, 1)])
        else:
            plan = cut(f, size, frozenset({"entity", "event"}))
            plain_ids.update(plan.plain_ids)
        before: dict[str, int] = {}
        for n, piece in enumerate(plan.pieces, 1):
            f.seek(piece.start)
            text = _decode(path, f.read(piece.end - piece.start), piece.start, problems)
            if text is None:
                return
            last = n == len(plan.pieces)
            data = _parse(path, text, piece.first, problems, last)
            if data is None:
                return
            lines = Lines(path, text, piece.first, dict(before))
            del text
            for key, value in data.items():
                if isinstance(value, list):
                    before[key] = before.get(key, 0) + len(value)
            _refuse_nul(data, lines, problems)
            yield data, lines, last
            del data, lines  # not kept while the next piece is parsed


def _refuse_nul(data: dict[str, Any], lines: Lines, problems: list[str]) -> None:
    """A NUL (U+0000, written \\u0000 in TOML) would be stored, but SQLite's
    text functions (length, substr, the CHECKs in schema.sql) stop at it.
    Each is reported at the line of its table that writes it."""
    if not lines.escapes_nul:
        return  # TOML has no other way to write one: no need to look at every value
    for name, value in data.items():
        if isinstance(value, list) and value and all(isinstance(t, dict) for t in value):
            first = lines.before.get(name, 0)
            tables = [(lines.table(name, first + i), t) for i, t in enumerate(value)]
        else:
            tables = [(lines.key(name), value)]
        for start, table in tables:
            keys = list(_nul_keys(table, name))
            if keys:
                finder = NulLines(lines, start)
                for key in keys:
                    line = finder.line(key)
                    problems.append(f"{lines.at(line)}: field `{key}` contains a NUL character (U+0000); remove it")


def _nul_keys(value: Any, key: str) -> Iterator[str]:
    """The field of each string holding a NUL, in the order written."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nul_keys(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _nul_keys(v, key)
    elif isinstance(value, str) and "\x00" in value:
        yield key


def load(bundle_dir: Path | str, known: Known = nothing_known) -> Bundle:
    """Parse, validate and anchor a bundle, or raise BundleError. `known`
    resolves the entities it names without defining (the KB's)."""
    whole = Bundle()
    for chunk in _read(Path(bundle_dir), None, known):
        for f in fields(Bundle):
            getattr(whole, f.name).extend(getattr(chunk, f.name))
    return whole


def load_chunks(bundle_dir: Path | str, size: int = 5000, known: Known = nothing_known) -> Iterator[Bundle]:
    """Parse, validate and anchor a bundle a piece of kb.toml at a time, so
    a file of a million entities need not be in memory at once.

    kb.toml is cut at top-level table headers into pieces of about `size`
    tables. Each piece is read, checked and yielded as a Bundle holding the
    records written in it: its entities (events too, as load() lists them),
    their cited aliases' claims, its roles, relations, events, properties,
    conflicts and errata. The first Bundle also holds every source.

    A record may refer to one written further on (a role's holder, a
    speaker, a conflict's or erratum's claims): that is checked when the
    whole file has been read. So the chunks are only good once iteration
    ends without BundleError, which is raised after the last piece and
    lists every problem of the bundle, each `file:line: message` as load()
    gives them (a syntax error in a piece ends reading there). Once a
    problem is found no more chunks are yielded (their records may be
    incomplete); the rest is still read, to report all problems."""
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size}")
    return _read(Path(bundle_dir), size, known)


def _read(root: Path, size: int | None, known: Known) -> Iterator[Bundle]:
    problems: list[str] = []
    if not root.is_dir():
        raise BundleError([f"{root}: not a bundle directory (expected sources.toml and kb.toml)"])
    src_data, src_lines = _read_toml(root / "sources.toml", problems)
    v = _Validator(root, problems, src_lines, known)
    pieces = _kb_pieces(root / "kb.toml", size, problems, v.plain_ids)
    piece = next(pieces, None)
    if problems or piece is None:
        raise BundleError(problems)
    # in the order load() checked them before kb.toml was read in pieces
    data, lines, last = piece
    v.top_level(src_data, src_lines, {"source"})
    v.top_level(data, lines, set(KB_TABLES))
    src_tables = v.tables(src_data, "source", src_lines)
    kb_tables = v.kb_tables(data, lines)
    texts: dict[str, str] = {}
    sources = v.sources(src_tables, texts)
    del src_data, src_tables
    chunk = v.piece(kb_tables, lines, last, texts)
    chunk.sources = sources
    complete = last
    while piece is not None:
        # one piece's parse tree at a time: this one's goes before the next is read
        del piece, data, lines, kb_tables
        if not problems:
            yield chunk
        del chunk
        piece = next(pieces, None)
        if piece is not None:
            data, lines, last = piece
            v.top_level(data, lines, set(KB_TABLES))
            kb_tables = v.kb_tables(data, lines)
            chunk = v.piece(kb_tables, lines, last, texts)
            complete = last
    if complete:
        v.settle()
    if problems:
        raise BundleError(problems)


def check_tables(
    root: Path,
    known: Known,
    kb_text: str,
    sources_text: str | None = None,
    staged: dict[str, bytes] | None = None,
) -> Bundle:
    """Check tables written as TOML (a curation's new or edited table, in
    kb.toml's format) against the bundle's sources and the KB's entities,
    as an import would, without reading the rest of kb.toml. Only the
    sources they cite are read. `sources_text` stands for sources.toml and
    `staged` (path in the bundle -> bytes) for source files not written
    yet; a source of `sources_text` that is staged is checked and returned
    too. Raises BundleError; line numbers are those of the given text."""
    problems: list[str] = []
    src_path = root / "sources.toml"
    if sources_text is None:
        src_data, src_lines = _read_toml(src_path, problems)
    else:
        src_lines = Lines(src_path, sources_text)
        src_data = _parse(src_path, sources_text, 1, problems) or {}
    kb_lines = Lines(root / "kb.toml", kb_text)
    data = _parse(kb_lines.path, kb_text, 1, problems) or {}
    if problems:
        raise BundleError(problems)
    v = _Validator(root, problems, src_lines, known)
    v.staged = {str((root / rel).resolve()): b for rel, b in (staged or {}).items()}
    v.top_level(data, kb_lines, set(KB_TABLES))
    wanted = set(_cited(data))
    texts: dict[str, str] = {}
    new_sources = []
    for i, raw in enumerate(v.tables(src_data, "source", src_lines)):
        if not isinstance(raw, dict):
            continue
        is_new = str((root / str(raw.get("file"))).resolve()) in v.staged
        if raw.get("id") in wanted or is_new:
            item = v.source(raw, i, texts)
            if item and is_new:
                new_sources.append(item)
    chunk = v.piece(v.kb_tables(data, kb_lines), kb_lines, True, texts)
    chunk.sources = new_sources
    v.settle()
    if problems:
        raise BundleError(problems)
    return chunk


def _cited(value: Any) -> Iterator[str]:
    """Every source id a citation in `value` names, however deep."""
    if isinstance(value, dict):
        if isinstance(value.get("source"), str) and "quote" in value:
            yield value["source"]
        for v in value.values():
            yield from _cited(v)
    elif isinstance(value, list):
        for v in value:
            yield from _cited(v)


@dataclass(slots=True)
class _Later:
    """A reference to an id not read yet, checked when the whole of kb.toml
    has been: `kind` says which ids and which message (see settle)."""

    kind: str
    value: Any
    line: int
    what: str
    key: str = ""


class _Validator:
    def __init__(self, root: Path, problems: list[str], src: Lines, known: Known = nothing_known) -> None:
        self.root = root
        # entities the bundle may name without defining: the KB's
        self.known = known
        # source files a curation is about to write (resolved path -> bytes)
        self.staged: dict[str, bytes] = {}
        # per source: its current version, and its older texts by version
        self.current_version: dict[str, int] = {}
        self.old_texts: dict[tuple[str, int], str] = {}
        self.problems = problems
        self.src = src
        self.kb = Lines(root / "kb.toml", "")  # the piece being checked
        # whether the piece is the last: then an id not known is not known
        self.final = True
        # ids of entities and events without a '-', from anywhere in kb.toml
        # (a speaker written so is free text unless it is an entity's id)
        self.plain_ids: set[str] = set()
        self.later: list[_Later] = []
        self.unknown_tables: set[tuple[Path, str]] = set()  # reported once, not per piece
        # characters of source text still to search for nearest matches to
        # missing quotes: each search is a pass over the text
        self.hint_budget = HINT_BUDGET
        self.limits = current()  # read once: KBTUI_LIMIT_* lookups per table cost 15% of a big import
        self.source_ids: set[str] = set()
        self.entity_ids: set[str] = set()
        self.entity_kinds: dict[str, str] = {}
        self.claim_ids: set[str] = set()
        self.erratum_ids: set[str] = set()
        # per source: its published date, and its default reason for undated citations
        self.source_dates: dict[str, str | None] = {}
        self.source_undated_notes: dict[str, str] = {}
        # aliases with citations, checked once every entity id of the piece is known
        self.pending_aliases: list[tuple[str, str, str, Any, int, dict[str, Any]]] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def is_entity(self, value: str) -> bool:
        """Defined in this bundle, or in the KB it goes into."""
        return value in self.entity_ids or (isinstance(value, str) and self.known(value) is not None)

    def tables(self, data: dict[str, Any], key: str, lines: Lines) -> list[Any]:
        """The array of tables `[[key]]`, or [] after reporting what is there instead."""
        value = data.get(key, [])
        if isinstance(value, list):
            return value
        self.fail(lines.at(lines.key(key)), f"`{key}` must be written as [[{key}]] tables")
        return []

    def kb_tables(self, data: dict[str, Any], lines: Lines) -> dict[str, list[Any]]:
        return {k: self.tables(data, k, lines) for k in KB_TABLES}

    def top_level(self, data: dict[str, Any], lines: Lines, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed and (lines.path, key) not in self.unknown_tables:
                self.unknown_tables.add((lines.path, key))
                self.fail(lines.at(lines.key(key)), f"unknown table `{key}` (expected {', '.join(sorted(allowed))})")

    # -- one piece of kb.toml (all of it, for load) --------------------------
    def sources(self, tables: list[Any], texts: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for i, raw in enumerate(tables):
            item = self.source(raw, i, texts)
            if item:
                out.append(item)
        self.source_links(out)
        return out

    def piece(self, tables: dict[str, list[Any]], lines: Lines, final: bool, texts: dict[str, str]) -> Bundle:
        """Check a piece's tables into a Bundle. Tables are numbered across
        the file; `final`: no piece follows."""
        self.kb, self.final = lines, final
        chunk = Bundle()

        def numbered(kind: str) -> Iterator[tuple[int, Any]]:
            return enumerate(tables[kind], lines.before.get(kind, 0))

        for i, raw in numbered("entity"):
            item = self.entity(raw, i)
            if item:
                chunk.entities.append(item)
        for i, raw in numbered("event"):
            self.event_entity(raw, i, chunk)
        # alias citations may name any entity as speaker, so they wait for the piece's ids
        chunk.alias_claims = self.alias_claims(texts)
        for i, raw in numbered("role"):
            item = self.role(raw, i, texts)
            if item:
                chunk.roles.append(item)
        for i, raw in numbered("relation"):
            item = self.relation(raw, i, texts)
            if item:
                chunk.relations.append(item)
        for i, raw in numbered("event"):
            item = self.event(raw, i, texts)
            if item:
                chunk.events.append(item)
        for i, raw in numbered("property"):
            item = self.property(raw, i, texts)
            if item:
                chunk.properties.append(item)
        for i, raw in numbered("conflict"):
            item = self.conflict(raw, i)
            if item:
                chunk.conflicts.append(item)
        for i, raw in numbered("erratum"):
            item = self.erratum(raw, i, texts)
            if item:
                chunk.errata.append(item)
        return chunk

    def refer(self, kind: str, value: Any, line: int, what: str, key: str = "") -> None:
        """An id not known yet: not known at all in the last piece (reported
        now), else perhaps written further on (checked by settle)."""
        later = _Later(kind, value, line, what, key)
        if self.final:
            self._settle(later)
        else:
            self.later.append(later)

    def settle(self) -> None:
        """Check the references to ids that were not known when read."""
        for later in self.later:
            self._settle(later)
        self.later.clear()

    def _settle(self, later: _Later) -> None:
        where, what, key, value = self.kb.at(later.line), later.what, later.key, later.value
        if later.kind == "entity" and not self.is_entity(value):
            self.fail(where, f"{what}: `{key}` = {value!r} is not a known entity id (in this bundle or the KB)")
        elif later.kind == "speaker" and not self.is_entity(value):
            self.fail(
                where,
                f"{what}: `speaker` = {value!r} is not a known entity id"
                ' (write free text, e.g. "Russian readout", for a speaker that is not an entity)',
            )
        elif later.kind == "shape":
            name, shown, qualifier = value
            wrong = property_problem(name, shown, qualifier, _Kinds(self.entity_kinds, self.known))
            if wrong:
                self.fail(where, f"{what}: {wrong[1]}")
        elif later.kind == "claims":
            unknown = [c for c in value if c not in self.claim_ids]
            if unknown:
                self.fail(where, f"{what}: {unknown[0]!r} is not a known claim id")
        elif later.kind == "claim" and value not in self.claim_ids:
            self.fail(where, f"{what}: `{key}` = {value!r} is not a known claim id")

    # -- common field checks -------------------------------------------------
    def _fields(self, raw: Any, allowed: set[str], required: set[str], lines: Lines, line: int, what: str) -> bool:
        if not isinstance(raw, dict):
            self.fail(lines.at(line), f"{what} must be a table")
            return False
        ok = True
        for key in raw:
            if key not in allowed:
                self.fail(
                    lines.at(lines.find(line, key)),
                    f"{what}: unknown field `{key}` (allowed: {', '.join(sorted(allowed))})",
                )
                ok = False
        for key in sorted(required - raw.keys()):
            self.fail(lines.at(line), f"{what}: missing required field `{key}`")
            ok = False
        limits = self.limits
        for key, value in raw.items():
            if key in {"aliases", "cite", "participants", "claims", "versions", "confidential"}:
                continue
            if not isinstance(value, str):
                self.fail(lines.at(lines.find(line, key)), f"{what}: field `{key}` must be a string")
                ok = False
                continue
            cap = limits.name_chars if key in NAME_FIELDS else limits.value_chars
            if len(value) > cap:
                which = "name_chars" if key in NAME_FIELDS else "value_chars"
                self.fail(
                    lines.at(lines.find(line, key)),
                    f"{what}: field `{key}` is {len(value):,} characters,"
                    f" over the limit of {cap:,} ({env_name(which)})",
                )
                ok = False
            elif key in required and not value.strip():
                self.fail(lines.at(lines.find(line, key)), f"{what}: field `{key}` must not be empty")
                ok = False
        return ok

    def _slug(self, value: str, lines: Lines, line: int, what: str, seen: set[str], namespace: str) -> bool:
        if not SLUG.match(value) or len(value) > MAX_ID:
            self.fail(
                lines.at(line),
                f"{what}: id `{value[:MAX_ID]}` must be a slug (a-z, 0-9, '-') of at most {MAX_ID} characters",
            )
            return False
        if value in seen:
            self.fail(lines.at(line), f"{what}: duplicate {namespace} id `{value}`")
            return False
        seen.add(value)
        return True

    def _date(self, raw: dict[str, Any], key: str, lines: Lines, line: int, what: str) -> str | None:
        value = raw.get(key) or None
        if value is None:
            return None
        if not isinstance(value, str):  # an unquoted TOML date arrives as a datetime.date
            wrong = f'{value!r} must be a quoted ISO date prefix, such as "2024", "2024-05" or "2024-05-03"'
        else:
            wrong = dates.problem(value) or ""
        if wrong:
            self.fail(lines.at(lines.find(line, key)), f"{what}: `{key}` = {wrong}")
            return None
        return str(value)

    def _period(self, raw: dict[str, Any], line: int, what: str) -> dict[str, str | None]:
        """`start` and `end`, refused when the end comes before the start
        ("2024" ends after "2024-05" begins: a coarser date holds the finer one)."""
        start, end = self._date(raw, "start", self.kb, line, what), self._date(raw, "end", self.kb, line, what)
        if start and end and end < start and not start.startswith(end):
            self.fail(self.kb.at(self.kb.find(line, "end")), f"{what}: `end` {end} is before `start` {start}")
        return {"start": start, "end": end}

    def _choice(
        self,
        raw: dict[str, Any],
        key: str,
        allowed: frozenset[str],
        default: str | None,
        lines: Lines,
        line: int,
        what: str,
    ) -> str | None:
        value = raw.get(key, default)
        if value not in allowed:
            self.fail(
                lines.at(lines.find(line, key)),
                f"{what}: `{key}` = {value!r} is not one of {', '.join(sorted(allowed))}",
            )
            return None
        return str(value)

    def _ref(
        self, value: str | None, lines: Lines, line: int, key: str, what: str, optional: bool = False
    ) -> str | None:
        if not value:
            if not optional:
                self.fail(lines.at(line), f"{what}: `{key}` is required")
            return None
        if not self.is_entity(value):
            self.refer("entity", value, lines.find(line, key), what, key)
        return value

    # -- sources -------------------------------------------------------------
    def source(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.src.table("source", i)
        what = f"source #{i + 1}"
        if not self._fields(raw, SOURCE_FIELDS, {"id", "file", "title"}, self.src, line, what):
            return None
        what = f"source `{raw['id']}`"
        if not self._slug(raw["id"], self.src, line, what, self.source_ids, "source"):
            return None
        where = self.src.at(self.src.find(line, "file"))
        try:
            path = (self.root / raw["file"]).resolve()
            inside = path.is_relative_to(self.root.resolve())
            staged = self.staged.get(str(path))
            found = staged is not None or path.is_file()
        except (OSError, ValueError):  # an embedded NUL, a name too long
            self.fail(where, f"{what}: `file` = {raw['file']!r} is not a usable file name")
            return None
        if not inside:
            # a bundle from elsewhere must not pull in ~/.ssh/id_rsa or /etc/passwd
            self.fail(
                where,
                f"{what}: `file` = {raw['file']!r} is outside the bundle directory;"
                " keep source texts inside it (e.g. sources/name.txt)",
            )
            return None
        if not found:
            self.fail(where, f"{what}: file {raw['file']!r} not found")
            return None
        limit = self.limits.source_bytes
        try:
            size = path.stat().st_size if staged is None else len(staged)
            data = (path.read_bytes() if staged is None else staged) if size <= limit else b""
        except OSError as exc:
            self.fail(where, f"{what}: file {raw['file']!r} cannot be read ({exc.strerror})")
            return None
        if size > limit:
            # refused before reading: a 6 GB file must not be loaded to find out
            self.fail(
                where,
                f"{what}: file {raw['file']!r} is {size:,} bytes, over the limit of {limit:,}"
                f" ({env_name('source_bytes')}); split the text or raise the limit",
            )
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.fail(
                self.src.at(self.src.find(line, "file")),
                f"{what}: {raw['file']} is not valid UTF-8 at byte offset {exc.start}",
            )
            return None
        if b"\x00" in data:
            # SQLite's length(), substr() and instr() stop at a NUL, so SQL
            # written against the KB would silently see a shorter text
            self.fail(
                self.src.at(self.src.find(line, "file")),
                f"{what}: {raw['file']} contains a NUL byte at byte offset {data.index(0)};"
                " a source must be plain text",
            )
            return None
        texts[raw["id"]] = text
        published = self._date(raw, "published", self.src, line, what)
        # a date given without saying how it is known is taken as stated
        basis = self._choice(raw, "date_basis", DATE_BASES, "stated" if published else "unknown", self.src, line, what)
        if basis in {"inferred", "repost"} and not raw.get("note", "").strip():
            self.fail(
                self.src.at(self.src.find(line, "date_basis")),
                f"{what}: `date_basis` = {basis!r} needs a `note` saying how the date was worked out",
            )
        if basis == "unknown" and published:
            self.fail(
                self.src.at(self.src.find(line, "date_basis")),
                f"{what}: `date_basis` = 'unknown' but `published` is given; say how the date is known",
            )
        not_before = self._date(raw, "not_before", self.src, line, what)
        not_after = self._date(raw, "not_after", self.src, line, what)
        self._bounds(published, not_before, not_after, line, what)
        confidential = raw.get("confidential", False)
        if not isinstance(confidential, bool):
            self.fail(
                self.src.at(self.src.find(line, "confidential")),
                f"{what}: `confidential` = {confidential!r:.60} must be true or false (a TOML boolean, unquoted)",
            )
            confidential = True  # (nothing is written: the bundle is refused)
        versions = self._versions(raw, line, what)
        self.current_version[raw["id"]] = len(versions) + 1
        self.source_dates[raw["id"]] = published
        self.source_undated_notes[raw["id"]] = raw.get("as_of_note", "").strip()
        return {
            "id": raw["id"],
            "title": raw["title"],
            "outlet": raw.get("outlet") or None,
            "author": raw.get("author") or None,
            "published": published,
            "via": raw.get("via") or None,
            "via_date": self._date(raw, "via_date", self.src, line, what),
            "url": raw.get("url") or None,
            "note": raw.get("note", ""),
            "text": text,
            "sha256": hashlib.sha256(data).hexdigest(),
            "date_basis": basis,
            "not_before": not_before,
            "not_after": not_after,
            "relays": raw.get("relays") or None,
            "origin": raw.get("origin") or None,
            "as_of_note": raw.get("as_of_note", ""),
            "confidential": confidential,
            **self._capture(raw, line, what),
            "version": len(versions) + 1,
            "versions": versions,
            "_line": line,
        }

    def _versions(self, raw: dict[str, Any], line: int, what: str) -> list[dict[str, Any]]:
        """The source's earlier texts (`versions`, oldest first), each read
        and checked against the sha256 recorded when it was replaced."""
        value = raw.get("versions", [])
        where = self.src.at(self.src.find(line, "versions"))
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, f"{what}: `versions` must be a list of tables")
            return []
        out = []
        for n, v in enumerate(value, 1):
            extra = set(v) - VERSION_FIELDS
            if extra or not isinstance(v.get("file"), str) or not all(isinstance(x, str) for x in v.values()):
                self.fail(where, f"{what}: version {n} needs a `file` and string fields of {sorted(VERSION_FIELDS)}")
                continue
            data = self._read_inside(v["file"], where, f"{what} version {n}")
            if data is None:
                continue
            digest = hashlib.sha256(data).hexdigest()
            if v.get("sha256") and v["sha256"] != digest:
                self.fail(where, f"{what}: version {n} file {v['file']!r} no longer has its recorded sha256")
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.fail(where, f"{what}: version {n} file {v['file']!r} is not valid UTF-8 at byte {exc.start}")
                continue
            self.old_texts[(raw["id"], n)] = text
            out.append(
                {**{k: v.get(k) for k in VERSION_FIELDS - {"file"}}, "version": n, "text": text, "sha256": digest}
            )
        return out

    def _read_inside(self, name: str, where: str, what: str) -> bytes | None:
        """A file of the bundle (or staged to be written), refused outside it."""
        try:
            path = (self.root / name).resolve()
            if not path.is_relative_to(self.root.resolve()):
                self.fail(where, f"{what}: {name!r} is outside the bundle directory")
                return None
            staged = self.staged.get(str(path))
            return staged if staged is not None else path.read_bytes()
        except (OSError, ValueError) as exc:
            self.fail(where, f"{what}: file {name!r} cannot be read ({exc})")
            return None

    def _capture(self, raw: dict[str, Any], line: int, what: str) -> dict[str, str | None]:
        """The source's capture provenance; a captured file must be in the
        bundle and still have the sha256 recorded when it was captured."""
        out: dict[str, str | None] = {k: raw.get(k) or None for k in CAPTURE_FIELDS}
        retrieved = out["retrieved"]
        if retrieved and not RETRIEVED.fullmatch(retrieved):
            self.fail(
                self.src.at(self.src.find(line, "retrieved")),
                f"{what}: `retrieved` = {retrieved!r} is not a UTC time like 2024-05-03T10:00:00Z",
            )
        digest = out["capture_sha256"]
        if digest and not re.fullmatch(r"[0-9a-f]{64}", digest):
            self.fail(self.src.at(self.src.find(line, "capture_sha256")), f"{what}: `capture_sha256` is not a sha256")
            return out
        name = out["capture_file"]
        if name:
            where = self.src.at(self.src.find(line, "capture_file"))
            path = (self.root / name).resolve()
            staged = self.staged.get(str(path))
            if not path.is_relative_to(self.root.resolve()):
                self.fail(where, f"{what}: `capture_file` = {name!r} is outside the bundle directory")
            elif staged is None and not path.is_file():
                self.fail(where, f"{what}: capture file {name!r} not found")
            elif digest:
                data = staged if staged is not None else path.read_bytes()
                if hashlib.sha256(data).hexdigest() != digest:
                    self.fail(
                        where,
                        f"{what}: capture file {name!r} no longer has the recorded `capture_sha256`;"
                        " restore the file as captured (it is the evidence the text came from)",
                    )
        return out

    def _bounds(
        self, published: str | None, not_before: str | None, not_after: str | None, line: int, what: str
    ) -> None:
        """not_before <= published <= not_after, as intervals (a bound may
        overlap the date: "2024" is a fine bound for "2024-05")."""
        lo = dates.span(not_before) if not_before else None
        hi = dates.span(not_after) if not_after else None
        if lo and hi and hi.before(lo):
            self.fail(
                self.src.at(self.src.find(line, "not_after")),
                f"{what}: `not_after` = {not_after!r} is before `not_before` = {not_before!r}",
            )
        if published:
            day = dates.span(published)
            if lo and day.before(lo):
                self.fail(
                    self.src.at(self.src.find(line, "published")),
                    f"{what}: `published` = {published!r} is before `not_before` = {not_before!r}",
                )
            if hi and day.after(hi):
                self.fail(
                    self.src.at(self.src.find(line, "published")),
                    f"{what}: `published` = {published!r} is after `not_after` = {not_after!r}",
                )

    def source_links(self, sources: list[dict[str, Any]]) -> None:
        """`relays` names a stored source, and no chain of relays loops."""
        relays = {s["id"]: s["relays"] for s in sources}
        # sources whose chain is known to end: a chain is followed only until
        # it meets one (following each to its end made a long chain quadratic)
        ends: set[str] = set()
        for s in sources:
            line = s.pop("_line")
            target = s["relays"]
            if target is None:
                continue
            where = self.src.at(self.src.find(line, "relays"))
            if target not in relays:
                self.fail(where, f"source `{s['id']}`: `relays` = {target!r} is not a known source id")
                s["relays"] = None
                continue
            seen = {s["id"]}
            while target is not None and target not in seen and target not in ends:
                seen.add(target)
                target = relays.get(target)
            if target is not None and target not in ends:
                self.fail(where, f"source `{s['id']}`: `relays` makes a loop ({' -> '.join(sorted(seen))})")
                s["relays"] = None
            else:
                ends |= seen

    # -- entities ------------------------------------------------------------
    def _aliases(self, raw: dict[str, Any], line: int, what: str, entity_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        value = raw.get("aliases", [])
        if not isinstance(value, list):
            self.fail(self.kb.at(self.kb.find(line, "aliases")), f"{what}: `aliases` must be a list")
            return out
        start = self.kb.find(line, "aliases") if value else line
        cursor, span = start, None  # the previous alias's line: aliases are written in order
        names: set[str] = set()
        taken: set[str] = set()  # claim ids of this entity's cited aliases
        for alias in value:
            if isinstance(alias, str):
                alias = {"name": alias}
            if not isinstance(alias, dict) or not isinstance(alias.get("name"), str):
                self.fail(
                    self.kb.at(self.kb.find(line, "aliases")),
                    f"{what}: an alias must be a string or {{name, kind, as_of, cite}}, not {alias!r}",
                )
                continue
            name, kind = alias["name"], alias.get("kind", "alias")
            aline = self.kb.find(cursor, name, default=start, span=span)
            cursor, span = (cursor if aline == start else aline), ITEM_SPAN
            extra = set(alias) - ALIAS_FIELDS
            if extra:
                self.fail(
                    self.kb.at(aline),
                    f"{what}: alias {name!r} has unknown field(s) {', '.join(sorted(extra))}"
                    f" (allowed: {', '.join(sorted(ALIAS_FIELDS))})",
                )
                continue
            if not isinstance(kind, str) or kind not in ALIAS_KINDS:
                allowed = ", ".join(sorted(ALIAS_KINDS))
                self.fail(self.kb.at(aline), f"{what}: alias kind {kind!r} is not one of {allowed}")
                continue
            if not name.strip():
                self.fail(self.kb.at(line), f"{what}: empty alias")
                continue
            as_of = self._date(alias, "as_of", self.kb, aline, f"{what} alias {name!r}")
            if name in names:
                continue
            names.add(name)
            item = {"name": name, "kind": kind, "as_of": as_of, "claim_id": None}
            if "cite" in alias:
                item["claim_id"] = claim_id = derived_id(entity_id, "alias", name, taken)
                self.pending_aliases.append((entity_id, name, claim_id, alias["cite"], aline, item))
            out.append(item)
        return out

    def alias_claims(self, texts: dict[str, str]) -> list[dict[str, Any]]:
        """Claims for the aliases that carry citations."""
        out = []
        for entity_id, name, claim_id, cite, aline, alias in self.pending_aliases:
            what = f"entity `{entity_id}` alias {name!r}"
            claim = self._claim({"cite": cite}, aline, what, texts, claim_id=claim_id, span=ITEM_SPAN)
            if claim is None:
                alias["claim_id"] = None  # keep the alias, without a claim to point at
                continue
            claim.update(entity=entity_id, alias=name)
            out.append(claim)
        self.pending_aliases.clear()
        return out

    def entity(self, raw: Any, i: int) -> dict[str, Any] | None:
        line = self.kb.table("entity", i)
        what = f"entity #{i + 1}"
        if not self._fields(raw, ENTITY_FIELDS, {"id", "kind", "name"}, self.kb, line, what):
            return None
        what = f"entity `{raw['id']}`"
        if not self._slug(raw["id"], self.kb, line, what, self.entity_ids, "entity"):
            return None
        kind = self._choice(raw, "kind", ENTITY_KINDS - {"event"}, None, self.kb, line, what)
        if kind:
            # one string per kind, not one per entity (~50 MB a million)
            self.entity_kinds[raw["id"]] = sys.intern(kind)
        if raw.get("kind") == "event":
            self.fail(self.kb.at(line), f"{what}: write events as [[event]] tables, not entities")
        return {
            "id": raw["id"],
            "kind": kind,
            "name": raw["name"],
            "summary": raw.get("summary", ""),
            "aliases": self._aliases(raw, line, what, raw["id"]),
        }

    def event_entity(self, raw: Any, i: int, bundle: Bundle) -> None:
        """Events are entities too; register them before claims refer to them."""
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            line = self.kb.table("event", i)
            if self._slug(raw["id"], self.kb, line, f"event `{raw['id']}`", self.entity_ids, "entity"):
                self.entity_kinds[raw["id"]] = "event"
                bundle.entities.append(
                    {
                        "id": raw["id"],
                        "kind": "event",
                        "name": str(raw.get("name") or raw["id"]),
                        "summary": str(raw.get("summary", "")),
                        "aliases": self._aliases(raw, line, f"event `{raw['id']}`", raw["id"]),
                    }
                )

    # -- claims --------------------------------------------------------------
    def _claim(
        self,
        raw: dict[str, Any],
        line: int,
        what: str,
        texts: dict[str, str],
        claim_id: str | None = None,
        inherited: list[Cite] | None = None,
        span: int | None = None,
    ) -> dict[str, Any] | None:
        """`span`: for a claim inside a list (an alias's, a participant's),
        how far past `line` its citations may be looked for."""
        claim_id = claim_id or raw["id"]
        if not self._slug(claim_id, self.kb, line, what, self.claim_ids, "claim"):
            return None
        cites = self._cites(raw.get("cite"), line, what, texts, span)
        if not cites and inherited:
            # an event's denial or demand is no evidence that someone took part
            cites = [c for c in inherited if c.stance != "contradicts" and c.mode == "asserts"]
        if not cites and "cite" not in raw:
            self.fail(self.kb.at(line), f"{what}: has no `cite`; every claim needs at least one citation")
        return {"id": claim_id, "disputed": raw.get("disputed") or None, "note": raw.get("note", ""), "cites": cites}

    def _cites(self, value: Any, line: int, what: str, texts: dict[str, str], span: int | None) -> list[Cite]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.fail(self.kb.at(self.kb.find(line, "cite")), f"{what}: `cite` must be a non-empty list")
            return []
        out: list[Cite] = []
        cursor = line  # the previous citation's line: they are written in order
        for c in value:
            if not isinstance(c, dict) or not isinstance(c.get("quote"), str) or not isinstance(c.get("source"), str):
                self.fail(
                    self.kb.at(self.kb.find(line, "cite")), f"{what}: a citation needs `source` and `quote` strings"
                )
                continue
            cline = self.kb.find_quote(cursor, c["quote"], default=line, span=span)
            cursor, span = (cursor if cline == line else cline), ITEM_SPAN
            extra = set(c) - CITE_FIELDS - CITE_VERSION_FIELDS
            if extra:
                self.fail(self.kb.at(cline), f"{what}: citation has unknown field(s) {', '.join(sorted(extra))}")
                continue
            bad = [
                k for k in CITE_FIELDS - {"source", "quote"} | {"anchor", "was"} if not isinstance(c.get(k, ""), str)
            ]
            if bad:
                self.fail(self.kb.at(cline), f"{what}: citation field `{sorted(bad)[0]}` must be a string")
                continue
            text = texts.get(c["source"])
            if text is None:
                self.fail(self.kb.at(cline), f"{what}: citation source {c['source']!r} is not a known source id")
                continue
            version = self._cite_version(c, cline, what)
            if version is False:
                continue
            if version is not None:
                text = self.old_texts[(c["source"], version)]
            try:
                a = anchor(text, c["quote"], c.get("prefix", ""), c.get("suffix", ""), self.limits.quote_matches)
            except AnchorError as exc:
                hint = self._hint(exc)
                shown = f" version {version}" if version else ""
                self.fail(
                    self.kb.at(cline), f"{what}: quote {c['quote']!r} in source `{c['source']}`{shown}: {exc}{hint}"
                )
                continue
            method = "orphaned" if version is not None else a.method
            cite = Cite(c["source"], a.start, a.end, text[a.start : a.end], a.prefix, a.suffix, method, version=version)
            if "anchor" in c and c["anchor"] != "moved":
                self.fail(
                    self.kb.at(cline),
                    f'{what}: citation `anchor` = {c["anchor"]!r}: only "moved" is written (kbtui sets the others)',
                )
                continue
            if c.get("anchor") == "moved" and not self._moved(c, cite, cline, what):
                continue
            if self._cite_evidence(c, cite, cline, what):
                out.append(cite)
        return out

    def _cite_version(self, c: dict[str, Any], cline: int, what: str) -> int | bool | None:
        """The older version a citation is pinned to, None for the current
        text, False (reported) when it names none the source has."""
        version = c.get("version")
        if version is None:
            return None
        current = self.current_version.get(c["source"], 1)
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= current:
            self.fail(
                self.kb.at(cline),
                f"{what}: citation `version` = {version!r}: source `{c['source']}` has versions 1 to {current}",
            )
            return False
        return None if version == current else version

    def _moved(self, c: dict[str, Any], cite: Cite, cline: int, what: str) -> bool:
        """A citation re-anchored into a new text, awaiting a human: where
        it was (`was` in version `was_version`) is found again."""
        was, was_version = c.get("was"), c.get("was_version")
        source = c["source"]
        old = self.old_texts.get((source, was_version)) if isinstance(was_version, int) else None
        if cite.version is not None or not isinstance(was, str) or old is None:
            self.fail(
                self.kb.at(cline),
                f'{what}: a citation with `anchor = "moved"` needs `was` (the old quote) and `was_version`'
                f" (an older version of source `{source}`); to confirm the move, delete those three fields",
            )
            return False
        try:
            a = anchor(old, was, str(c.get("was_prefix", "")), str(c.get("was_suffix", "")))
        except AnchorError as exc:
            self.fail(self.kb.at(cline), f"{what}: `was` {was!r} in source `{source}` version {was_version}: {exc}")
            return False
        cite.anchor = "moved"
        cite.was = (int(str(was_version)), old[a.start : a.end], a.start, a.end)
        return True

    def _hint(self, exc: AnchorError) -> str:
        """The nearest match to a missing quote, while the budget lasts (the
        first is always searched for): thousands of quotes missing from a
        long text must not take a pass over it each."""
        if exc.cost and self.hint_budget <= 0:
            return ""
        self.hint_budget -= exc.cost
        return f"; nearest match: {exc.nearest!r}" if exc.nearest else ""

    def _cite_evidence(self, c: dict[str, Any], cite: Cite, cline: int, what: str) -> bool:
        """The citation's date, stance, certainty, mode and speaker."""
        cwhat = f"{what} citation {c['quote'][:40]!r}"
        ok = True
        for key, allowed in (("stance", STANCES), ("certainty", CERTAINTIES), ("mode", MODES)):
            if key in c:
                value = self._choice(c, key, allowed, None, self.kb, cline, cwhat)
                ok = ok and value is not None
                setattr(cite, key, value or getattr(cite, key))
        cite.as_of_note = c.get("as_of_note", "").strip()
        if c.get("as_of"):
            cite.as_of = self._date(c, "as_of", self.kb, cline, cwhat)
            ok = ok and cite.as_of is not None
        else:
            cite.as_of = self.source_dates.get(cite.source_id)
            if cite.as_of is None and not cite.as_of_note:
                cite.as_of_note = self.source_undated_notes.get(cite.source_id, "")
                if not cite.as_of_note:
                    self.fail(
                        self.kb.at(cline),
                        f"{cwhat}: source `{cite.source_id}` has no `published` date; give the citation"
                        " `as_of` (the date the quote speaks of) or `as_of_note` (why it cannot be dated),"
                        " or give the source an `as_of_note`",
                    )
                    ok = False
        speaker = c.get("speaker", "").strip()
        if speaker and self.is_entity(speaker):
            cite.speaker_id = speaker
        elif SLUG.fullmatch(speaker) and ("-" in speaker or (not self.final and speaker in self.plain_ids)):
            # shaped like an entity id ("wang-yi"): the id of an entity
            # further on, or a typo, not words to store
            if self.final:
                self.refer("speaker", speaker, cline, cwhat)
                ok = False
            else:
                cite.speaker_id = speaker
                self.refer("speaker", speaker, cline, cwhat)
        else:
            cite.speaker = speaker
        return ok

    def role(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("role", i)
        what = f"role #{i + 1}"
        if not self._fields(raw, ROLE_FIELDS, {"id", "holder", "title"}, self.kb, line, what):
            return None
        what = f"role `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            holder=self._ref(raw["holder"], self.kb, line, "holder", what),
            organisation=self._ref(raw.get("organisation"), self.kb, line, "organisation", what, True),
            title=raw["title"],
            **self._period(raw, line, what),
            status=self._choice(raw, "status", STATUSES, "unknown", self.kb, line, what),
        )
        return claim

    def relation(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("relation", i)
        what = f"relation #{i + 1}"
        if not self._fields(raw, RELATION_FIELDS, {"id", "type", "subject", "object"}, self.kb, line, what):
            return None
        what = f"relation `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            type=self._choice(raw, "type", RELATION_TYPES, None, self.kb, line, what),
            subject=self._ref(raw["subject"], self.kb, line, "subject", what),
            object=self._ref(raw["object"], self.kb, line, "object", what),
            **self._period(raw, line, what),
            label=raw.get("label", ""),
        )
        return claim

    def event(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("event", i)
        what = f"event #{i + 1}"
        if not self._fields(raw, EVENT_FIELDS, {"id", "name"}, self.kb, line, what):
            return None
        what = f"event `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            type=self._choice(raw, "type", EVENT_TYPES, "meeting", self.kb, line, what),
            **self._period(raw, line, what),
            place=self._ref(raw.get("place"), self.kb, line, "place", what, True),
            participants=[],
        )
        parts = raw.get("participants", [])
        if not isinstance(parts, list):
            self.fail(self.kb.at(self.kb.find(line, "participants")), f"{what}: `participants` must be a list")
            return claim
        cursor, span = (self.kb.find(line, "participants") if parts else line), None
        for p in parts:
            if not isinstance(p, dict) or not isinstance(p.get("entity"), str):
                self.fail(self.kb.at(self.kb.find(line, "participants")), f"{what}: a participant needs an `entity` id")
                continue
            # from the previous participant's line: they are written in order
            pline = self.kb.find(cursor, p["entity"], default=line, span=span)
            cursor, span = (cursor if pline == line else pline), ITEM_SPAN
            extra = set(p) - PARTICIPANT_FIELDS
            if extra:
                self.fail(self.kb.at(pline), f"{what}: participant has unknown field(s) {', '.join(sorted(extra))}")
                continue
            if not isinstance(p.get("capacity", ""), str):
                self.fail(self.kb.at(pline), f"{what}: participant field `capacity` must be a string")
                continue
            pwhat = f"{what} participant `{p['entity']}`"
            pclaim = self._claim(
                p, pline, pwhat, texts, claim_id=f"{raw['id']}--{p['entity']}", inherited=claim["cites"], span=ITEM_SPAN
            )
            if pclaim is None:
                continue
            pclaim.update(
                entity=self._ref(p["entity"], self.kb, pline, "entity", pwhat), capacity=p.get("capacity", "")
            )
            claim["participants"].append(pclaim)
        return claim

    # -- properties, conflicts, errata ---------------------------------------
    def property(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("property", i)
        what = f"property #{i + 1}"
        if not self._fields(raw, PROPERTY_FIELDS, {"entity", "property", "value"}, self.kb, line, what):
            return None
        name = self._choice(raw, "property", frozenset(vocab.PROPERTIES), None, self.kb, line, what)
        entity = self._ref(raw["entity"], self.kb, line, "entity", what)
        value, qualifier = raw["value"].strip(), raw.get("qualifier", "").strip()
        if name is None or entity is None:
            return None
        what = f"property `{name}` of `{entity}`"
        wrong = property_problem(name, value, qualifier, _Kinds(self.entity_kinds, self.known))
        if wrong and name in vocab.ENTITY_VALUED and not self.is_entity(value) and not self.final:
            # the value names an entity further on: its kind is checked then
            self.refer("shape", (name, value, qualifier), self.kb.find(line, wrong[0]), what)
            wrong = None
        if wrong:
            self.fail(self.kb.at(self.kb.find(line, wrong[0])), f"{what}: {wrong[1]}")
            return None
        claim_id = raw.get("id") or derived_id(entity, name, f"{qualifier} {value}" if qualifier else value)
        claim = self._claim(raw, line, what, texts, claim_id=claim_id)
        if claim is None:
            return None
        claim.update(entity=entity, property=name, value=value, qualifier=qualifier)
        return claim

    def conflict(self, raw: Any, i: int) -> dict[str, Any] | None:
        line = self.kb.table("conflict", i)
        what = f"conflict #{i + 1}"
        if not self._fields(raw, CONFLICT_FIELDS, {"claims"}, self.kb, line, what):
            return None
        pair = raw["claims"]
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(c, str) for c in pair)):
            self.fail(self.kb.at(self.kb.find(line, "claims")), f"{what}: `claims` must be a list of two claim ids")
            return None
        unknown = [c for c in pair if c not in self.claim_ids]
        if unknown:
            self.refer("claims", pair, self.kb.find(line, "claims"), what)
            if self.final:
                return None
        if pair[0] == pair[1]:
            self.fail(self.kb.at(self.kb.find(line, "claims")), f"{what}: a claim cannot conflict with itself")
            return None
        first, second = sorted(pair)
        return {"claim_id": first, "other_id": second, "note": raw.get("note", "")}

    def erratum(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("erratum", i)
        what = f"erratum #{i + 1}"
        if not self._fields(raw, ERRATUM_FIELDS, {"id", "source", "quote", "says", "correct"}, self.kb, line, what):
            return None
        what = f"erratum `{raw['id']}`"
        if not self._slug(raw["id"], self.kb, line, what, self.erratum_ids, "erratum"):
            return None
        ok = True
        for key in ("about", "shown_by"):
            if raw.get(key) and raw[key] not in self.claim_ids:
                self.refer("claim", raw[key], self.kb.find(line, key), what, key)
                ok = ok and not self.final
        text = texts.get(raw["source"])
        if text is None:
            where = self.kb.at(self.kb.find(line, "source"))
            self.fail(where, f"{what}: `source` = {raw['source']!r} is not a known source id")
            return None
        try:
            a = anchor(text, raw["quote"], raw.get("prefix", ""), raw.get("suffix", ""), self.limits.quote_matches)
        except AnchorError as exc:
            hint = self._hint(exc)
            self.fail(self.kb.at(self.kb.find(line, "quote")), f"{what}: quote {raw['quote']!r}: {exc}{hint}")
            return None
        if not ok:
            return None
        return {
            "id": raw["id"],
            "source_id": raw["source"],
            "quote": text[a.start : a.end],
            "start": a.start,
            "end": a.end,
            "says": raw["says"],
            "correct": raw["correct"],
            "about": raw.get("about") or None,
            "shown_by": raw.get("shown_by") or None,
        }
