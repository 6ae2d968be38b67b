"""`kbtui import FILE.json`: FollowTheMoney entities (or deltas) into a KB.

The file is streamed record by record (kbtui.kb.ftm_read), each record
mapped to neutral records (kbtui.kb.ftm_map) and written by the Sink, all
in one IMMEDIATE transaction: a refused import (a bad record with
--on-error stop, a dangling reference) leaves the KB as it was.

Rows belong to the input (default: the file's name without its .ftm /
.delta / .json suffixes, so `sanctions.ftm.json` and `sanctions.delta.json`
are one input). A snapshot restates the whole input: records it no longer
has are counted as stale and removed with --prune. A delta file changes
only what it names: ADD writes a record, MOD replaces one, DEL retracts one
(its source, the claims only it supported, this input's link to its
entity); --prune does not apply to deltas.

An Occupancy's role is titled with its Position's name, and a Position may
come later in the file (or be in the KB from an earlier import): roles are
written with a placeholder title and retitled once the file is read.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from kbtui.kb.errors import ImportFailed
from kbtui.kb.ftm_map import Mapped, Tally, map_record, slug, source_id
from kbtui.kb.ftm_read import Line, Problem, read, spans
from kbtui.kb.ftm_restore import Restore, is_export
from kbtui.kb.ftm_tables import makes_entity
from kbtui.kb.importer import checked_input, checked_on_error, input_name, into
from kbtui.kb.sink import Advance, Report, Sink, quiet

__all__ = ["Line", "Mapped", "Problem", "Tally", "default_input", "import_ftm", "map_record", "read", "spans"]

SUFFIXES = (".json", ".jsonl", ".ijson", ".ndjson", ".ftm", ".delta")
PROGRESS_EVERY = 1_000
PHASE = "reading FtM records"


def default_input(path: Path) -> str:
    """'sanctions.ftm.json' and 'sanctions.delta.json' -> 'sanctions'."""
    stem = path.name
    while True:
        lowered = stem.lower()
        cut = next((s for s in SUFFIXES if lowered.endswith(s) and len(lowered) > len(s)), None)
        if cut is None:
            return input_name(stem)
        stem = stem[: -len(cut)]


def import_ftm(
    path: Path | str,
    db_path: Path | str,
    input_id: str | None = None,
    on_error: str = "stop",
    prune: bool = False,
    dry_run: bool = False,
    advance: Advance = quiet,
) -> dict[str, Any]:
    """Import an FtM file (entities, one per line or a JSON array, or a
    delta file) into `db_path` (created if missing) as input `input_id`.
    On a bad record "stop" writes nothing and "skip" leaves it out; both
    report it as FILE:LINE. Returns the sink's report as a dict; its
    `summary` holds the FtM tally (records, schemata, mapped, kept as is,
    skipped)."""
    checked_on_error(on_error)
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file", "check the path")
    name = checked_input(input_id or default_input(path))

    def run(conn: sqlite3.Connection) -> Report:
        return _write(conn, path, name, on_error, prune, dry_run, advance)

    return into(Path(db_path), run, publish=not dry_run).as_dict()


def _lines(path: Path) -> int | None:
    """How many lines the file has, for the progress bar's total and ETA
    (counted in C, about a second for a 1 GB file); None for a JSON array."""
    count = 0
    try:
        with path.open("rb") as f:
            first = f.read(1 << 20)
            if first.lstrip()[:1] == b"[":
                return None
            count = first.count(b"\n")
            while chunk := f.read(1 << 20):
                count += chunk.count(b"\n")
    except OSError:
        return None
    return count


def _write(
    conn: sqlite3.Connection, path: Path, input_id: str, on_error: str, prune: bool, dry_run: bool, advance: Advance
) -> Report:
    conn.execute("BEGIN IMMEDIATE")
    try:
        sink = Sink(conn, input_id, "ftm", str(path), on_error, advance)
        run = _Import(conn, sink, input_id, on_error)
        total = _lines(path)
        for n, item in enumerate(read(path), 1):
            run.take(item)
            if n % PROGRESS_EVERY == 0:
                advance(PHASE, PROGRESS_EVERY, total)
        run.restore.finish()
        run.title_roles()
        if prune and run.tally.bucket("records")["delta"]:
            raise ImportFailed(
                f"{path}: --prune applies to a whole snapshot, not to a delta file; nothing was written",
                "import the delta without --prune",
            )
        report = sink.finish(prune=prune, full=not run.tally.bucket("records")["delta"])
        run.restore.after()
        sink.refuse_if_problems()
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (disk full, I/O) already rolled back
            conn.execute("ROLLBACK")
        raise
    report.summary = run.tally.summary()
    return report


class _Import:
    """One file's records through the sink, with what must be remembered
    across records: the Positions read (for Occupancies' titles) and the
    shared entities already written (countries, sanctioning authorities)."""

    def __init__(self, conn: sqlite3.Connection, sink: Sink, input_id: str, on_error: str) -> None:
        self.conn = conn
        self.sink = sink
        self.input = input_id
        self.on_error = on_error
        self.tally = Tally()
        self.positions: dict[str, tuple[str, str | None]] = {}  # post id -> (name, organisation id)
        self.written: set[str] = set()  # ids of countries and authorities written by this import
        self.restore = Restore(conn, sink)  # records of a kbtui export: restored, not mapped
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS ftm_posts (claim_id TEXT, post TEXT, at TEXT)")
        conn.execute("DELETE FROM temp.ftm_posts")

    def take(self, item: Line | Problem) -> None:
        records = self.tally.bucket("records")
        records["read"] += 1
        if isinstance(item, Problem):
            records["bad"] += 1
            self.sink.problem(item.where, item.message)
            return
        if item.op:
            records["delta"] += 1
        if item.op in ("DEL", "MOD") and not self._known(item):
            records["bad"] += 1
            return
        if item.op == "DEL":
            self._delete(item)
            return
        if is_export(item):
            self.restore.take(item)
            records["restored"] += 1
            return
        mapped = map_record(item, self.input)
        if mapped.problems:
            records["bad"] += 1
            for message in mapped.problems:
                self.sink.problem(item.where, message)
            return
        if item.op:  # a delta may name one id again: the later operation wins
            self.sink.rewrite(mapped.source.id, mapped.entity.id if mapped.entity else None)
        if self._write(mapped):
            records[{"MOD": "modified", "ADD": "added"}.get(item.op or "", "written")] += 1
            self.tally.merge(mapped.tally)

    def _known(self, line: Line) -> bool:
        """A MOD or DEL must name a record this input has."""
        if self._source_row(source_id(self.input, line.id)) is not None:
            return True
        self.sink.problem(
            line.where,
            f"delta {line.op} for unknown id {line.id!r}: input `{self.input}` has no such record"
            " (import its snapshot first, or name the input with --input)",
        )
        return False

    def _source_row(self, sid: str) -> sqlite3.Row | None:
        query = "SELECT meta FROM sources WHERE id = ? AND input_id = ?"
        row: sqlite3.Row | None = self.conn.execute(query, (sid, self.input)).fetchone()
        if row is None:  # perhaps written earlier in this file, still in the sink's buffer
            self.sink.flush()
            row = self.conn.execute(query, (sid, self.input)).fetchone()
        return row

    def _delete(self, line: Line) -> None:
        sid = source_id(self.input, line.id)
        row = self._source_row(sid)
        try:
            schema = str(json.loads(row["meta"] if row else "{}").get("schema", ""))
        except (ValueError, AttributeError):
            schema = ""
        entity = slug(line.id) if makes_entity(schema) else None
        if self.sink.retract(sid, entity, line.where):
            self.tally.bucket("records")["deleted"] += 1

    def _write(self, m: Mapped) -> bool:
        """A MOD is written like an ADD: the sink replaces the source, voids
        the old citations into it (its text changed) and removes the claims
        left uncited, and replaces this input's aliases of the entity.
        (Retracting first would also unlink the entity, and the sink hands
        an unlinked entity's ownership to another input at finish.)"""
        if not self.sink.source(m.source):
            return False
        for e in m.extra:
            if e.id not in self.written:
                self.written.add(e.id)
                self.sink.entity(e)
        if m.entity is not None:
            self.sink.entity(m.entity)
        if m.position is not None:
            post, name, organisation = m.position
            self.positions[post] = (name, organisation)
        for claim in m.claims:
            self.sink.claim(claim)
        if m.post is not None:
            claim_id, post = m.post
            self.conn.execute("INSERT INTO temp.ftm_posts VALUES (?, ?, ?)", (claim_id, post, m.source.where))
        return True

    # -- Occupancy titles -------------------------------------------------------
    def title_roles(self) -> None:
        """Give each Occupancy's role its Position's name (and the Position's
        organisation): from this file, else from the KB. A post that is
        neither is a dangling reference, reported with the Occupancy's line."""
        self.sink.release()
        pending = self.conn.execute("SELECT claim_id, post, at FROM temp.ftm_posts ORDER BY rowid")
        for claim_id, post, at in pending.fetchall():
            if self.conn.execute("SELECT 1 FROM roles WHERE claim_id = ?", (claim_id,)).fetchone() is None:
                continue  # refused by the sink, or deleted later in the file
            found = self.positions.get(post) or self._kb_position(post)
            if found is None:
                self.sink.problem(
                    at,
                    f"`{post}` (the post of Occupancy `{claim_id}`) is not a Position in this input or the KB",
                )
                self.sink.drop_claim(claim_id)
                continue
            name, organisation = found
            if organisation and not self._exists(organisation):
                organisation = None  # the Position's own affiliation is reported as dangling
            self.conn.execute(
                "UPDATE roles SET title = ?, organisation_id = coalesce(organisation_id, ?) WHERE claim_id = ?",
                (name, organisation, claim_id),
            )

    def _kb_position(self, post: str) -> tuple[str, str | None] | None:
        row = self.conn.execute("SELECT name FROM entities WHERE id = ? AND kind = 'concept'", (post,)).fetchone()
        if row is None:
            return None
        org = self.conn.execute(
            "SELECT value FROM properties WHERE entity_id = ? AND property = 'affiliation' ORDER BY claim_id LIMIT 1",
            (post,),
        ).fetchone()
        return str(row[0]), (str(org[0]) if org else None)

    def _exists(self, entity_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is not None
