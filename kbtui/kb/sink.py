"""Writing imported records into a KB, every row owned by one input.

Every importer (bundle, FtM, CSV) turns its format into kbtui.kb.records and
hands them to a Sink, inside one IMMEDIATE transaction the caller opened and
commits (or rolls back: a refused import leaves the KB as it was).

Ownership (documented for users in the README, "Importing"):
  * A source, a claim and an alias belong to the input that last wrote it:
    another input writing the same source or claim id takes it over (as a
    re-import always replaced rows by id), and the report says how many rows
    it took from which input. Rows from before schema v4 (input_id NULL)
    are adopted the same way.
  * An entity row belongs to the input that created it: only that input's
    re-import changes its name, kind and summary. Every input that names the
    entity is linked to it (entity_inputs); another input naming it with a
    different name adds that name as its own alias; a different kind is
    refused.
  * Removing (an FtM DEL, `--prune`, a record whose text changed) takes only
    this input's rows: its sources, their citations, the claims left without
    any citation, and its link to entities. An entity goes when no input is
    linked to it and nothing refers to it; if its owner unlinks while others
    remain, the earliest remaining input owns it.

Speed: rows are buffered and written with executemany; foreign keys are
deferred to COMMIT so records may refer to entities later in the file;
references are checked once at the end with the record's `where`, so a
dangling one is reported as FILE:LINE, not as a bare constraint error.
No row reaches SQLite before a row it names, though: while a deferred key
is unresolved SQLite searches the child tables on every insert into the
parent table, and with the child indexes deferred (an empty KB) each search
is a full scan (a 10,000-record FtM file with its links first took 41 s
instead of 3.5). So a flush writes sources, entities and claims first, and
into an empty KB a row naming an entity not yet written is held (in a TEMP
table) until every entity is in (`release`). Memory
stays bounded at millions of rows: what must be remembered per row (ids seen
this run, for duplicates and --prune) lives in TEMP tables, not Python sets,
except entity ids (needed per reference, ~100 MB at 1,000,000).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from itertools import groupby
from operator import itemgetter
from typing import Any

from kbtui.kb import index, mentions, merge
from kbtui.kb.errors import ImportFailed
from kbtui.kb.records import (
    Alias,
    AnyClaim,
    Cite,
    Entity,
    Event,
    Participant,
    Property,
    Relation,
    Role,
    Source,
    derived_id,
)

# advance(phase, n done, total or None): how importers report progress
# (kbtui.cli.progress draws it; the data layer cannot import the CLI)
Advance = Callable[[str, int, "int | None"], None]
BATCH = 20_000
MAX_PROBLEMS = 50  # kept word for word; the rest are counted

CITE_COLUMNS = (
    "id",
    "claim_id",
    "source_id",
    "quote",
    "prefix",
    "suffix",
    "start",
    '"end"',
    "anchor",
    "as_of",
    "as_of_note",
    "stance",
    "certainty",
    "mode",
    "speaker_id",
    "speaker",
    "version",
)
# past this many changed entities or sources, derived indexes are rebuilt
# whole rather than kept right row by row
INCREMENTAL = 50_000
# the tables a big import fills (their secondary indexes are deferred)
BULK_TABLES = (
    "entities",
    "entity_inputs",
    "aliases",
    "claims",
    "roles",
    "relations",
    "events",
    "participations",
    "properties",
    "sources",
    "citations",
)
PLURAL = {
    "role": "roles",
    "relation": "relations",
    "event": "events",
    "participation": "participations",
    "property": "properties",
    "alias": "cited aliases",
}
INSERT_CITATION = f"INSERT INTO citations ({', '.join(CITE_COLUMNS)}) VALUES ({', '.join('?' * len(CITE_COLUMNS))})"
CLAIM_KINDS = {Role: "role", Relation: "relation", Event: "event", Property: "property", Participant: "participation"}
# a citation's identity, to give an unchanged one its old id back on re-import
CiteKey = tuple[str, str, str, int, int]
# the tables other rows name, in the order a flush writes them
PARENTS = ("INSERT INTO sources ", "INSERT INTO entities ", "INSERT INTO claims ")


def _rank(sql: str) -> int:
    return next((i for i, p in enumerate(PARENTS) if sql.startswith(p)), len(PARENTS))


def quiet(phase: str, n: int, total: int | None) -> None:
    """An Advance that shows nothing (the default of every importer)."""


@dataclass
class Report:
    """What an import did, for the CLI's summary and --json."""

    input: str
    written: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    # this input's rows a full import did not restate (removed with --prune)
    stale: dict[str, int] = field(default_factory=dict)
    # sources and claims another input had written, by that input
    taken_over: dict[str, int] = field(default_factory=dict)
    # the importer's own account (a bundle's counts, FtM's mapped/kept/skipped)
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "written": self.written,
            "removed": self.removed,
            "stale": self.stale,
            "taken_over": self.taken_over,
            "summary": self.summary,
            "problems": self.problem_count,
            "problem_lines": self.problems,
        }


def ensure_input(conn: sqlite3.Connection, input_id: str, kind: str, location: str) -> None:
    """Register the input (or refuse an id already used by another kind of input)."""
    row = conn.execute("SELECT kind FROM inputs WHERE id = ?", (input_id,)).fetchone()
    if row and row[0] != kind:
        raise ImportFailed(
            f"input `{input_id}` is already a {row[0]} import in this KB; nothing was written",
            "name this one differently with --input NAME",
        )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute(
        "INSERT INTO inputs (id, kind, location, imported) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET location = excluded.location, imported = excluded.imported",
        (input_id, kind, location, now),
    )


class Sink:
    def __init__(
        self,
        conn: sqlite3.Connection,
        input_id: str,
        kind: str,
        location: str,
        on_error: str = "stop",
        advance: Advance = quiet,
    ) -> None:
        self.conn = conn
        self.input = input_id
        self.on_error = on_error
        self.advance = advance
        self.report = Report(input_id)
        self.counts = self.report.written
        ensure_input(conn, input_id, kind, location)
        # records may name entities further down the file: checked at finish
        conn.execute("PRAGMA defer_foreign_keys = ON")
        self.fresh = (
            conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM entities) AND NOT EXISTS (SELECT 1 FROM sources)"
                " AND NOT EXISTS (SELECT 1 FROM claims)"
            ).fetchone()[0]
            == 1
        )
        for sql in (
            "CREATE TEMP TABLE IF NOT EXISTS seen_claims (id TEXT PRIMARY KEY) WITHOUT ROWID",
            "CREATE TEMP TABLE IF NOT EXISTS seen_sources (id TEXT PRIMARY KEY) WITHOUT ROWID",
            # references not yet resolvable when read, with where they were read
            "CREATE TEMP TABLE IF NOT EXISTS pending_refs (entity_id TEXT, claim_id TEXT, at TEXT)",
            # rows naming an entity not yet written, with the INSERT that writes them
            "CREATE TEMP TABLE IF NOT EXISTS held (sql TEXT, row TEXT)",
            # claims that lost citations this run (deleted at finish if none remain)
            "CREATE TEMP TABLE IF NOT EXISTS maybe_uncited (id TEXT PRIMARY KEY) WITHOUT ROWID",
            # entities this input stopped naming (deleted at finish if nothing holds them)
            "CREATE TEMP TABLE IF NOT EXISTS maybe_orphans (id TEXT PRIMARY KEY) WITHOUT ROWID",
        ):
            conn.execute(sql)
        for table in ("seen_claims", "seen_sources", "pending_refs", "held", "maybe_uncited", "maybe_orphans"):
            conn.execute(f"DELETE FROM temp.{table}")
        # Into an empty KB, secondary indexes are built once at the end from
        # sorted data rather than updated row by row (about a third of the
        # write time at a million records). Nothing before finish() reads
        # them when the KB was empty: every lookup then is by primary key.
        self.deferred_indexes: list[str] = []
        if self.fresh:
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({', '.join('?' * len(BULK_TABLES))})",
                BULK_TABLES,
            ).fetchall():
                conn.execute(f'DROP INDEX "{name}"')
                self.deferred_indexes.append(sql)
        self.entity_ids: set[str] = set()  # entities named by this import
        # entities whose names or aliases changed (into an empty KB every
        # entity is new and the whole index is built: not worth 100 MB at 1M)
        self.touched: set[str] = set()
        self.names_changed = False
        self.changed_forms: set[str] | None = None  # known once the touched names are refreshed
        self.gone_forms: set[str] = set()  # names of entities removed this run
        # Derived indexes are kept right row by row (kbtui.kb.index's
        # forget/refresh pairs) while an import changes few rows, so a delta
        # of a thousand records costs seconds on a million-entity KB; past
        # INCREMENTAL changes (or into an empty KB) they are rebuilt whole.
        self.names_whole = self.fresh
        self.sources_whole = self.fresh
        # id -> format of each source written or removed: out of the
        # full-text index until finish puts back the ones that remain
        self.changed_sources: dict[str, str] = {}
        self.relays: list[tuple[str, str]] = []
        self.next_cite = (conn.execute("SELECT max(id) FROM citations").fetchone()[0] or 0) + 1
        self.kept_cites: dict[CiteKey, list[int]] = {}
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.holding = False  # rows wait in temp.held
        # claims to delete at finish, once the indexes a cascade needs are built
        self.doomed: set[str] = set()

    # -- problems -------------------------------------------------------------
    def problem(self, where: str, message: str) -> None:
        """Report a bad record (the caller has skipped it). On 'stop' the
        import fails at finish, or at once after MAX_PROBLEMS."""
        self.report.problem_count += 1
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(f"{where}: {message}" if where else message)
        if self.on_error == "stop" and self.report.problem_count >= MAX_PROBLEMS:
            self._refuse()

    def refuse_if_problems(self) -> None:
        """On 'stop', fail if a problem was reported (for checks made after finish)."""
        if self.on_error == "stop" and self.report.problem_count:
            self._refuse()

    def _refuse(self) -> None:
        n = self.report.problem_count
        more = f"\n… and {n - len(self.report.problems):,} more" if n > len(self.report.problems) else ""
        raise ImportFailed(
            "\n".join(self.report.problems) + more + f"\n{n:,} problem{'s' * (n != 1)}; nothing was written",
            "fix them and retry, or import the rest with --on-error skip",
        )

    # -- buffered writes ------------------------------------------------------
    def _add(self, sql: str, row: tuple[Any, ...]) -> None:
        rows = self.rows.get(sql)
        if rows is None:
            rows = self.rows[sql] = []
            # parents first, the rest in first-use order (sorted() is stable)
            self.rows = dict(sorted(self.rows.items(), key=lambda item: _rank(item[0])))
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def _add_naming(
        self, sql: str, row: tuple[Any, ...], claim_id: str, where: str, *refs: str | None, held: bool = False
    ) -> bool:
        """Add a row whose columns `refs` are entity ids (foreign keys).
        Into an empty KB, one naming an entity not yet written (or a `held`
        row) waits for release(); True if it does."""
        unknown = [r for r in refs if r and r not in self.entity_ids]
        for r in unknown:  # checked at finish, reported with `where`
            self._add("INSERT INTO temp.pending_refs VALUES (?, ?, ?)", (r, claim_id, where))
        if held or (unknown and self.fresh):
            self._hold(sql, row)
            return True
        self._add(sql, row)
        return False

    def _hold(self, sql: str, row: tuple[Any, ...]) -> None:
        """Keep a row (with the INSERT that writes it) until release()."""
        self._add("INSERT INTO temp.held (sql, row) VALUES (?, ?)", (sql, json.dumps(row, ensure_ascii=False)))
        self.holding = True

    def flush(self) -> None:
        for sql, rows in self.rows.items():
            if rows:
                self.conn.executemany(sql, rows)
                rows.clear()

    def release(self) -> None:
        """Write everything buffered, and the rows held for entities that
        were not written yet: call it once every entity has been handed in
        (before reading what the import wrote)."""
        self.flush()
        if not self.holding:
            return
        last = 0
        read = "SELECT rowid, sql, row FROM temp.held WHERE rowid > ? ORDER BY rowid LIMIT ?"
        while batch := self.conn.execute(read, (last, BATCH)).fetchall():
            last = batch[-1][0]
            for sql, group in groupby(batch, key=itemgetter(1)):
                self.conn.executemany(sql, [json.loads(r[2]) for r in group])
        self.conn.execute("DELETE FROM temp.held")
        self.holding = False

    def drop_claim(self, claim_id: str) -> None:
        """Refuse a claim already written (its record was bad after all):
        deleted at finish, with its citations and rows."""
        self.doomed.add(claim_id)

    def _seen(self, table: str, id_: str) -> bool:
        before = self.conn.total_changes
        self.conn.execute(f"INSERT OR IGNORE INTO temp.{table} VALUES (?)", (id_,))
        return self.conn.total_changes == before

    def _stored(self, table: str, id_: str, columns: str = "input_id") -> sqlite3.Row | None:
        """The row already in the KB with this id (input_id first), if any:
        one lookup for all a write needs to know of it."""
        if self.fresh:
            return None
        row: sqlite3.Row | None = self.conn.execute(f"SELECT {columns} FROM {table} WHERE id = ?", (id_,)).fetchone()
        return row

    def _take_over(self, owner: str | None) -> None:
        """The same id from another input: the later import wins (as a
        re-import always did), and the report says from whom it took it."""
        if owner is not None and owner != self.input:
            self.report.taken_over[owner] = self.report.taken_over.get(owner, 0) + 1

    # -- sources --------------------------------------------------------------
    def source(self, s: Source) -> bool:
        """Write a source; False (and a problem) if it cannot be written."""
        if self._seen("seen_sources", s.id):
            self.problem(s.where, f"source `{s.id}` appears twice in this input")
            return False
        old = self._stored("sources", s.id, "input_id, sha256, version")
        digest = sha256(s.text.encode("utf-8")).hexdigest()
        if old is not None:
            self._take_over(old[0])
            if old[1] != digest:
                self._drop_citations_of(s.id)
        self._source_changes(s.id, s.format, old is not None)
        self._add(
            "INSERT INTO sources (id, title, outlet, author, published, url, note, text, sha256, date_basis,"
            " as_of_note, input_id, format, meta, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, outlet = excluded.outlet,"
            " author = excluded.author, published = excluded.published, url = excluded.url,"
            " note = excluded.note, text = excluded.text, sha256 = excluded.sha256,"
            " date_basis = excluded.date_basis, as_of_note = excluded.as_of_note,"
            " input_id = excluded.input_id, format = excluded.format, meta = excluded.meta,"
            " version = excluded.version",
            (
                s.id,
                s.title,
                s.outlet,
                s.author,
                s.published,
                s.url,
                s.note,
                s.text,
                digest,
                s.date_basis,
                s.as_of_note,
                self.input,
                s.format,
                json.dumps(s.meta, ensure_ascii=False, sort_keys=True),
                s.version,
            ),
        )
        if old is not None and old[2] > 1:  # (only texts replaced by curation have versions)
            self.conn.execute("DELETE FROM source_versions WHERE source_id = ?", (s.id,))
        for v in s.versions:
            self._add(
                "INSERT INTO source_versions (source_id, version, text, sha256, retrieved, archive_url,"
                " capture_file, capture_sha256, replaced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    s.id,
                    v["version"],
                    v["text"],
                    v["sha256"],
                    v.get("retrieved"),
                    v.get("archive_url"),
                    v.get("capture_file"),
                    v.get("capture_sha256"),
                    v.get("replaced") or "",
                ),
            )
        self._count("sources")
        return True

    def _source_changes(self, source_id: str, fmt: str, indexed: bool) -> None:
        """Note a source written or removed; an indexed one leaves the
        full-text index now, while its row still holds what was indexed."""
        if self.sources_whole:
            return
        if len(self.changed_sources) >= INCREMENTAL:
            self.sources_whole = True
            self.changed_sources = {}
            return
        # once out, never forgotten again (a delta may write and then delete
        # one record): FTS5 damages its index removing what it does not hold
        if indexed and source_id not in self.changed_sources:
            self.flush()
            index.forget_sources(self.conn, [source_id])
        self.changed_sources[source_id] = fmt

    def source_extra(self, source_id: str, fields: dict[str, Any]) -> None:
        """Set bundle-only source columns (via, dates, relays, origin, notes)."""
        relays = fields.pop("relays", None)
        if relays:
            self.relays.append((relays, source_id))
        if fields:
            # buffered after the source's own INSERT (flush keeps first-use order)
            sets = ", ".join(f'"{k}" = ?' for k in fields)
            self._add(f"UPDATE sources SET {sets} WHERE id = ?", (*fields.values(), source_id))

    def _drop_citations_of(self, source_id: str) -> None:
        """The text changed: every span into it is void."""
        self.flush()
        self.conn.execute(
            "INSERT OR IGNORE INTO temp.maybe_uncited SELECT claim_id FROM citations WHERE source_id = ?",
            (source_id,),
        )
        self.conn.execute("DELETE FROM citations WHERE source_id = ?", (source_id,))
        self.conn.execute("DELETE FROM errata WHERE source_id = ?", (source_id,))

    # -- entities -------------------------------------------------------------
    def entity(self, e: Entity) -> bool:
        if e.id in self.entity_ids:
            self.problem(e.where, f"entity `{e.id}` is defined twice in this input")
            return False
        old = self._stored("entities", e.id, "input_id, kind, name")
        exists = old is not None
        mine = old is None or old[0] in (None, self.input)
        if old is not None and old[1] != e.kind and not mine:
            self.problem(
                e.where,
                f"entity `{e.id}` is a {old[1]} in input `{old[0]}`, a {e.kind} here; one id, one kind",
            )
            return False
        self.entity_ids.add(e.id)
        self._touch(e.id)
        aliases = list(e.aliases)
        names = {e.name}  # name forms already on the row
        if mine:
            self._add(
                "INSERT INTO entities (id, kind, name, summary, input_id) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
                " summary = excluded.summary, input_id = excluded.input_id",
                (e.id, e.kind, e.name, e.summary, self.input),
            )
        elif old is not None:
            name = old[2]
            names = {name}
            if name != e.name:  # this input's name for it stays findable
                aliases.insert(0, Alias(e.name, "alias"))
        self._add("INSERT OR IGNORE INTO entity_inputs (input_id, entity_id) VALUES (?, ?)", (self.input, e.id))
        if exists:
            self.flush()
            for (claim_id,) in self.conn.execute(
                "SELECT claim_id FROM aliases WHERE entity_id = ? AND (input_id = ? OR input_id IS NULL)"
                " AND claim_id IS NOT NULL",
                (e.id, self.input),
            ).fetchall():
                self._remember_cites(claim_id)
                self.conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
            self.conn.execute(
                "DELETE FROM aliases WHERE entity_id = ? AND (input_id = ? OR input_id IS NULL)", (e.id, self.input)
            )
        self._count("entities")
        taken: set[str] = set()
        for a in aliases:
            # a name written again is skipped, unless it comes with citations:
            # then it records where a source names the entity so (curate
            # mode's entity made from a mention has its name cited)
            if a.name in names and not (a.cites and a.name == e.name):
                continue
            names.add(a.name)
            claim_id = None
            if a.cites:
                claim_id = a.claim_id or derived_id(e.id, "alias", a.name, taken)
                if self._start_claim(claim_id, "alias", None, "", e.where):
                    self._cites(claim_id, a.cites)
                else:
                    claim_id = None
            self._add(
                "INSERT INTO aliases (entity_id, alias, kind, as_of, claim_id, input_id) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (e.id, a.name, a.kind, a.as_of, claim_id, self.input),
            )
            self._count("aliases")
        return True

    # -- claims ---------------------------------------------------------------
    def _start_claim(self, claim_id: str, kind: str, disputed: str | None, note: str, where: str) -> bool:
        if self._seen("seen_claims", claim_id):
            self.problem(where, f"claim `{claim_id}` appears twice in this input")
            return False
        old = self._stored("claims", claim_id)
        if old is not None:
            self._take_over(old[0])
            self._remember_cites(claim_id)
            self.flush()
            self.conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
        self._add(
            "INSERT INTO claims (id, kind, disputed, note, input_id) VALUES (?, ?, ?, ?, ?)",
            (claim_id, kind, disputed, note, self.input),
        )
        self._count(PLURAL[kind])
        return True

    def _remember_cites(self, claim_id: str) -> None:
        """Ids of the citations a re-written claim had: an unchanged one gets
        its id back, so `kbtui cite 17` noted yesterday means the same quote."""
        for cid, *key in self.conn.execute(
            'SELECT id, claim_id, source_id, quote, start, "end" FROM citations WHERE claim_id = ? ORDER BY id',
            (claim_id,),
        ):
            self.kept_cites.setdefault((key[0], key[1], key[2], key[3], key[4]), []).append(cid)

    def _cites(self, claim_id: str, cites: list[Cite]) -> None:
        for c in cites:
            ids = (
                self.kept_cites.pop((claim_id, c.source_id, c.quote, c.start, c.end), None) if self.kept_cites else None
            )
            if c.number is not None and self.fresh:
                cid = c.number
                self.next_cite = max(self.next_cite, cid + 1)
            elif ids:
                cid = ids.pop(0)
                if ids:
                    self.kept_cites[(claim_id, c.source_id, c.quote, c.start, c.end)] = ids
            else:
                cid, self.next_cite = self.next_cite, self.next_cite + 1
            self._add_naming(
                INSERT_CITATION,
                (
                    cid,
                    claim_id,
                    c.source_id,
                    c.quote,
                    c.prefix,
                    c.suffix,
                    c.start,
                    c.end,
                    c.anchor,
                    c.as_of,
                    c.as_of_note,
                    c.stance,
                    c.certainty,
                    c.mode,
                    c.speaker_id,
                    c.speaker,
                    c.version,
                ),
                claim_id,
                "",
                c.speaker_id,
            )
            if c.was is not None:
                self._add("INSERT OR REPLACE INTO citation_moves VALUES (?, ?, ?, ?, ?)", (cid, *c.was))
        self.counts["citations"] = self.counts.get("citations", 0) + len(cites)

    def claim(self, c: AnyClaim) -> bool:
        """Write a claim with its citations; False (and a problem) if refused."""
        if not c.cites:
            self.problem(c.where, f"claim `{c.id}` has no citation; every claim needs one")
            return False
        kind = CLAIM_KINDS[type(c)]
        if isinstance(c, Event):
            return self._event(c)
        if not self._start_claim(c.id, kind, c.disputed, c.note, c.where):
            return False
        self._cites(c.id, c.cites)
        if isinstance(c, Role):
            self._add_naming(
                'INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, "end", status)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (c.id, c.holder, c.organisation, c.title, c.start, c.end, c.status),
                c.id,
                c.where,
                c.holder,
                c.organisation,
            )
        elif isinstance(c, Relation):
            self._add_naming(
                'INSERT INTO relations (claim_id, type, subject_id, object_id, start, "end", label,'
                " share, amount, currency, program) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.id, c.type, c.subject, c.object, c.start, c.end, c.label, c.share, c.amount, c.currency, c.program),
                c.id,
                c.where,
                c.subject,
                c.object,
            )
        elif isinstance(c, Property):
            # the value of a nationality or affiliation names an entity too,
            # in a plain column: checked at finish like a key, never held
            named = c.value if c.property in {"nationality", "affiliation"} else None
            if named and named not in self.entity_ids:
                self._add("INSERT INTO temp.pending_refs VALUES (?, ?, ?)", (named, c.id, c.where))
            self._add_naming(
                "INSERT INTO properties (claim_id, entity_id, property, value, qualifier) VALUES (?, ?, ?, ?, ?)",
                (c.id, c.entity, c.property, c.value, c.qualifier),
                c.id,
                c.where,
                c.entity,
            )
            if c.property in {"official-name", "name", "identifier"}:
                self._touch(c.entity)  # searchable by this value
        return True

    def _event(self, e: Event) -> bool:
        """An event is an entity (named, searchable) and a claim."""
        if not self.entity(Entity(e.id, "event", e.name or e.id, e.summary, e.aliases, e.where)):
            return False
        if not self._start_claim(e.id, "event", e.disputed, e.note, e.where):
            return False
        self._cites(e.id, e.cites)
        held = self._add_naming(
            'INSERT INTO events (entity_id, claim_id, type, start, "end", place_id) VALUES (?, ?, ?, ?, ?, ?)',
            (e.id, e.id, e.type, e.start, e.end, e.place),
            e.id,
            e.where,
            e.place,
        )
        for p in e.participants:
            if not p.cites or not self._start_claim(p.id, "participation", p.disputed, p.note, p.where or e.where):
                continue
            self._cites(p.id, p.cites)
            self._add_naming(
                "INSERT INTO participations (claim_id, event_id, entity_id, capacity) VALUES (?, ?, ?, ?)",
                (p.id, e.id, p.entity, p.capacity),
                p.id,
                p.where or e.where,
                p.entity,
                held=held,  # it names the event row: after it
            )
        return True

    # Conflicts and errata name claims, perhaps ones further on. Into an empty
    # KB they wait for release() (they are few): an open reference to a claim
    # would make every later claim insert scan the citations.
    def conflict(self, claim_id: str, other_id: str, note: str) -> None:
        self._claim_row(
            "INSERT OR REPLACE INTO conflicts (claim_id, other_id, note) VALUES (?, ?, ?)",
            (min(claim_id, other_id), max(claim_id, other_id), note),
        )
        self._count("conflicts")

    def erratum(self, row: dict[str, Any]) -> None:
        cols = list(row)
        self._claim_row(
            f"INSERT INTO errata ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            f" ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols if c != 'id')}",
            tuple(row[c] for c in cols),
        )
        self._count("errata")

    def _claim_row(self, sql: str, row: tuple[Any, ...]) -> None:
        if self.fresh:
            self._hold(sql, row)
        else:
            self._add(sql, row)

    # -- removal --------------------------------------------------------------
    def retract(self, source_id: str, entity_id: str | None = None, where: str = "") -> bool:
        """Remove one record of this input (an FtM DEL): its source, the
        citations into it, the claims left without citations, and, for an
        entity record, this input's link to the entity."""
        self.release()
        old = self.conn.execute("SELECT input_id, format FROM sources WHERE id = ?", (source_id,)).fetchone()
        if old is None or old[0] != self.input:
            self.problem(where, f"no record `{source_id}` in input `{self.input}` to delete")
            return False
        self._unsee(source_id, entity_id)
        self._drop_citations_of(source_id)
        self.conn.execute("DELETE FROM errata WHERE source_id = ?", (source_id,))
        self._source_changes(source_id, old[1], True)
        self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        if entity_id:
            self._unlink(entity_id)
        self._count("retracted", removed=True)
        return True

    def remove_claim(self, claim_id: str) -> str | None:
        """Remove one claim of this input (a curator's `kbtui rm`) with its
        citations; an event's participations go with it, and its entity
        when nothing else refers to it. Returns the claim's kind, or None
        when this input has no such claim."""
        self.release()
        row = self.conn.execute("SELECT kind, input_id FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if row is None or row[1] != self.input:
            return None
        self._touch_named("SELECT ?", (claim_id,))
        event = self.conn.execute("SELECT entity_id FROM events WHERE claim_id = ?", (claim_id,)).fetchone()
        if event:  # its participations are claims too (their rows would cascade, their claims not)
            self.conn.execute(
                "DELETE FROM claims WHERE id IN (SELECT claim_id FROM participations WHERE event_id = ?)", (event[0],)
            )
        self.conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
        if event:
            self._unlink(event[0])
        self._count(PLURAL.get(row[0], row[0]), removed=True)
        return str(row[0])

    def rewrite(self, source_id: str, entity_id: str | None) -> bool:
        """Before writing a record again that this run wrote already (a
        delta naming one id twice): the next write replaces it, as a MOD
        replaces a stored record. False if this run has not written it."""
        if self.conn.execute("SELECT 1 FROM temp.seen_sources WHERE id = ?", (source_id,)).fetchone() is None:
            return False
        self.release()  # its held rows too: rewriting replaces rows by id
        self._unsee(source_id, entity_id)
        return True

    def _unsee(self, source_id: str, entity_id: str | None) -> None:
        """Forget that this run wrote a record (its source, the claims citing
        it, its entity), so writing it again is not "appears twice". Its rows
        stay in the KB to be replaced or removed: from here on writes look
        up what is stored, as into a KB that was not empty."""
        self.conn.execute(
            "DELETE FROM temp.seen_claims WHERE id IN (SELECT claim_id FROM citations WHERE source_id = ?)",
            (source_id,),
        )
        self.conn.execute("DELETE FROM temp.seen_sources WHERE id = ?", (source_id,))
        if entity_id:
            self.entity_ids.discard(entity_id)
        self.fresh = False
        self._build_deferred_indexes()  # replacing rows deletes through them

    def _build_deferred_indexes(self) -> None:
        for sql in self.deferred_indexes:
            self.conn.execute(sql)
        self.deferred_indexes = []

    def unlink_entity(self, entity_id: str) -> None:
        """This input no longer names the entity (a curator's undo): its
        link and its cited names go, and the entity with them at finish()
        when nothing else names or refers to it."""
        self.release()
        self._unlink(entity_id)

    def _unlink(self, entity_id: str) -> None:
        self.flush()
        self.conn.execute(
            "DELETE FROM claims WHERE kind = 'alias' AND id IN (SELECT claim_id FROM aliases"
            " WHERE entity_id = ? AND input_id = ? AND claim_id IS NOT NULL)",
            (entity_id, self.input),
        )
        self.conn.execute("DELETE FROM aliases WHERE entity_id = ? AND input_id = ?", (entity_id, self.input))
        self.conn.execute("DELETE FROM entity_inputs WHERE input_id = ? AND entity_id = ?", (self.input, entity_id))
        self.conn.execute("INSERT OR IGNORE INTO temp.maybe_orphans VALUES (?)", (entity_id,))
        self.entity_ids.discard(entity_id)
        self._touch(entity_id)

    def _stale(self) -> dict[str, int]:
        """This input's rows that this (full) import did not restate."""
        one = self.conn.execute
        return {
            "sources": one(
                "SELECT count(*) FROM sources WHERE input_id = ? AND id NOT IN (SELECT id FROM temp.seen_sources)",
                (self.input,),
            ).fetchone()[0],
            "claims": one(
                "SELECT count(*) FROM claims WHERE input_id = ? AND id NOT IN (SELECT id FROM temp.seen_claims)",
                (self.input,),
            ).fetchone()[0],
            "entities": sum(1 for e in self._linked() if e not in self.entity_ids),
        }

    def _linked(self) -> Iterable[str]:
        for (entity_id,) in self.conn.execute("SELECT entity_id FROM entity_inputs WHERE input_id = ?", (self.input,)):
            yield entity_id

    def _prune(self) -> None:
        one = self.conn.execute
        self._touch_named(
            "SELECT id FROM claims WHERE input_id = ? AND id NOT IN (SELECT id FROM temp.seen_claims)", (self.input,)
        )
        gone = one(
            "DELETE FROM claims WHERE input_id = ? AND id NOT IN (SELECT id FROM temp.seen_claims)", (self.input,)
        ).rowcount
        self.report.removed["claims"] = gone
        stale = one(
            "SELECT id, format FROM sources WHERE input_id = ? AND id NOT IN (SELECT id FROM temp.seen_sources)",
            (self.input,),
        ).fetchall()
        for source_id, fmt in stale:
            self._drop_citations_of(source_id)
            one("DELETE FROM errata WHERE source_id = ?", (source_id,))
            self._source_changes(source_id, fmt, True)
            one("DELETE FROM sources WHERE id = ?", (source_id,))
        self.report.removed["sources"] = len(stale)
        unnamed = [e for e in self._linked() if e not in self.entity_ids]
        for entity_id in unnamed:
            self._unlink(entity_id)
        self.report.removed["entity links"] = len(unnamed)

    def _settle(self) -> None:
        """Claims left without citations go; entities nobody names or refers to go."""
        one = self.conn.execute
        self._touch_named("SELECT id FROM temp.maybe_uncited", ())
        uncited = one(
            "DELETE FROM claims WHERE id IN (SELECT id FROM temp.maybe_uncited)"
            " AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.claim_id = claims.id)"
        ).rowcount
        if uncited:
            self.report.removed["claims left uncited"] = uncited
        # an owner that left hands the row to the earliest remaining input
        one(
            "UPDATE entities SET input_id = (SELECT min(input_id) FROM entity_inputs l WHERE l.entity_id = entities.id)"
            " WHERE id IN (SELECT id FROM temp.maybe_orphans) AND input_id = ?"
            " AND EXISTS (SELECT 1 FROM entity_inputs l WHERE l.entity_id = entities.id)",
            (self.input,),
        )
        if not self.names_whole:  # their names leave the index while it can still find them
            orphans = [r[0] for r in one("SELECT id FROM temp.maybe_orphans").fetchall()]
            # (and their names are among those that went: texts holding one
            # may now mean another entity by it)
            self.gone_forms |= {name for _, name in mentions.name_forms(self.conn, orphans)}
            index.forget_names(self.conn, orphans)
        gone = one(
            "DELETE FROM entities WHERE id IN (SELECT id FROM temp.maybe_orphans) AND input_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM entity_inputs l WHERE l.entity_id = entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM roles WHERE holder_id = entities.id OR organisation_id = entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM relations WHERE subject_id = entities.id OR object_id = entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.entity_id = entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM properties p WHERE p.entity_id = entities.id"
            "     OR (p.property IN ('nationality', 'affiliation') AND p.value = entities.id))"
            " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.place_id = entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.speaker_id = entities.id)"
        ).rowcount
        if gone:
            self.report.removed["entities"] = gone
        kept = one(
            "SELECT count(*) FROM entities WHERE id IN (SELECT id FROM temp.maybe_orphans)"
            " AND NOT EXISTS (SELECT 1 FROM entity_inputs l WHERE l.entity_id = entities.id)"
        ).fetchone()[0]
        if kept:
            self.report.removed["entities kept (still referred to)"] = kept

    def _dangling(self) -> None:
        """Report each reference to an entity that is neither in this input
        nor the KB; its claim goes (on 'skip')."""
        rows = self.conn.execute(
            "SELECT entity_id, claim_id, at FROM temp.pending_refs p"
            " WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = p.entity_id)"
            " AND EXISTS (SELECT 1 FROM claims c WHERE c.id = p.claim_id) ORDER BY rowid"
        ).fetchall()
        for entity_id, claim_id, at in rows:
            if claim_id in self.doomed:
                continue  # refused already, with its own problem
            self.problem(at, f"`{entity_id}` (named by claim `{claim_id}`) is not an entity in this input or the KB")
            self.doomed.add(claim_id)

    def _drop_doomed(self) -> None:
        for claim_id in sorted(self.doomed):
            self._touch_named("SELECT ?", (claim_id,))
            self.conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
            self.conn.execute("DELETE FROM temp.seen_claims WHERE id = ?", (claim_id,))
        self.doomed = set()

    # -- the end --------------------------------------------------------------
    def finish(self, prune: bool = False, full: bool = True) -> Report:
        """Resolve references, prune, settle, re-index. `full`: this import
        restated the whole input (a snapshot, a bundle), so rows of the input
        it did not restate are stale (counted; removed with `prune`)."""
        self.release()
        # a bundle that still names a merged id: its rows go to the id it
        # merged into (before the check for names that are no entity)
        merge.follow_redirects(self.conn)
        self._dangling()
        if self.on_error == "stop" and self.report.problem_count:
            self._refuse()
        self._build_deferred_indexes()
        self._drop_doomed()  # the cascade finds their rows through those indexes
        self.conn.executemany("UPDATE sources SET relays = ? WHERE id = ?", self.relays)
        if full and not self.fresh:  # nothing of this input was there before it
            self.report.stale = self._stale()
            if prune:
                self._prune()
                self.report.stale = {}
        self._settle()
        self._reindex()
        # an entity judged the same as another, written again: merged again
        merge.apply_judgements(self.conn)
        # any other broken reference makes COMMIT fail (keys are deferred)
        return self.report

    def _reindex(self) -> None:
        names = self.conn.execute("SELECT (SELECT count(*) FROM entities) + (SELECT count(*) FROM aliases)")
        total = names.fetchone()[0]
        if self.names_whole:
            done = index.rebuild_names(self.conn, lambda n: self.advance("building search index", n, total))
            self.advance("building search index", total - done, total)
        elif self.touched:
            # the name forms that came or went: only texts holding them can
            # have other mentions now (read while `names` still holds the old)
            before = mentions.name_forms(self.conn, self.touched)
            index.refresh_names(self.conn, self.touched)
            after = mentions.name_forms(self.conn, self.touched)
            self.changed_forms = {name for _, name in before ^ after} | self.gone_forms
        if self.sources_whole:
            index.rebuild_source_fts(self.conn)
        elif self.changed_sources:
            index.index_sources(self.conn, list(self.changed_sources))
        texts = self.conn.execute("SELECT EXISTS (SELECT 1 FROM sources WHERE format = 'text')").fetchone()[0]
        # (records get no mentions: they are data)
        if texts and (self.sources_whole or (self.names_changed and self.names_whole)):
            index.mark_mentions(self.conn)
        elif texts:
            # a few names changed: only the texts that hold them are read again
            if self.names_changed and self.touched:
                index.refresh_entity_mentions(self.conn, self.changed_forms or set())
            if self.changed_sources:
                index.refresh_mentions(self.conn, [i for i, fmt in self.changed_sources.items() if fmt == "text"])
        self.advance("indexing sources", 1, 1)

    def _touch_named(self, claims_sql: str, args: tuple[Any, ...]) -> None:
        """Before claims go: the entities whose names or identifiers they
        are (search finds an entity by those) need their index entries redone."""
        if self.names_whole:
            return
        for (entity_id,) in self.conn.execute(
            f"SELECT entity_id FROM properties WHERE claim_id IN ({claims_sql})"
            " AND property IN ('official-name', 'name', 'identifier')",
            args,
        ).fetchall():
            self._touch(entity_id)

    def _touch(self, entity_id: str) -> None:
        self.names_changed = True
        if self.names_whole:
            return
        self.touched.add(entity_id)
        if len(self.touched) > INCREMENTAL:
            self.names_whole = True
            self.touched = set()

    def _count(self, what: str, removed: bool = False) -> None:
        d = self.report.removed if removed else self.counts
        d[what] = d.get(what, 0) + 1
