"""Writing a validated bundle into a KB, all or nothing.

The bundle is parsed and every quote anchored before the database is opened
for writing; the write itself is one IMMEDIATE transaction, so a failure
leaves the file as it was and a second importer waits (busy timeout) or
fails cleanly. Records are upserted by id, so re-importing a bundle is
idempotent and a bundle can add to a KB that already holds others.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbtui.kb import bundle as bundle_mod
from kbtui.kb import db, index
from kbtui.kb.errors import ImportFailed, UnusableDatabase

Advance = Callable[[str, int, "int | None"], None]


def _quiet(phase: str, n: int, total: int | None) -> None:
    pass


def import_bundle(bundle_dir: Path | str, db_path: Path | str, advance: Advance = _quiet) -> dict[str, int]:
    """Import `bundle_dir` into `db_path` (created if missing). Returns counts.
    `advance(phase, n, total)` reports progress (see kbtui.progress)."""
    try:
        data = bundle_mod.load(bundle_dir)
    except bundle_mod.BundleError as exc:
        raise ImportFailed("\n".join(exc.problems), "nothing was written; fix the bundle and retry") from exc
    db_path = Path(db_path)
    created = not db_path.exists()
    try:
        conn = db.connect_writable(db_path, create=True)
    except UnusableDatabase:
        if created and db_path.exists():
            db_path.unlink()
        raise
    try:
        counts = write(conn, data, advance)
    except sqlite3.Error as exc:
        conn.close()
        if created:
            db_path.unlink(missing_ok=True)
        if "readonly" in str(exc):
            raise UnusableDatabase(f"{db_path}: is read-only; nothing was written",
                                   "check the file and folder permissions") from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise UnusableDatabase(f"{db_path}: is locked by another writer",
                                   "wait for the other import to finish and retry") from exc
        raise ImportFailed(f"{db_path}: import failed ({exc})", "nothing was written") from exc
    conn.close()
    return counts


def write(conn: sqlite3.Connection, data: bundle_mod.Bundle, advance: Advance = _quiet) -> dict[str, int]:
    """Upsert a loaded bundle in one transaction and rebuild derived indexes."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        claim_ids = [c["id"] for c in data.roles + data.relations + data.events]
        claim_ids += [p["id"] for e in data.events for p in e["participants"]]
        conn.executemany("DELETE FROM claims WHERE id = ?", [(c,) for c in claim_ids])
        records = len(data.sources) + len(data.entities) + len(claim_ids)
        for s in data.sources:
            _upsert(conn, "sources", s)
        advance("writing records", len(data.sources), records)
        for e in data.entities:
            _upsert(conn, "entities", {k: e[k] for k in ("id", "kind", "name", "summary")})
            conn.execute("DELETE FROM aliases WHERE entity_id = ?", (e["id"],))
            conn.executemany("INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, ?)",
                             [(e["id"], a, k) for a, k in e["aliases"]])
        advance("writing records", len(data.entities), records)
        for r in data.roles:
            _claim(conn, r, "role")
            conn.execute(
                'INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, "end", status)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["id"], r["holder"], r["organisation"], r["title"], r["start"], r["end"], r["status"]))
        for r in data.relations:
            _claim(conn, r, "relation")
            conn.execute(
                'INSERT INTO relations (claim_id, type, subject_id, object_id, start, "end", label)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["id"], r["type"], r["subject"], r["object"], r["start"], r["end"], r["label"]))
        for e in data.events:
            _claim(conn, e, "event")
            conn.execute(
                'INSERT INTO events (entity_id, claim_id, type, start, "end", place_id)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                (e["id"], e["id"], e["type"], e["start"], e["end"], e["place"]))
            for p in e["participants"]:
                _claim(conn, p, "participation")
                conn.execute(
                    "INSERT INTO participations (claim_id, event_id, entity_id, capacity)"
                    " VALUES (?, ?, ?, ?)", (p["id"], e["id"], p["entity"], p["capacity"]))
        advance("writing records", len(claim_ids), records)
        names = conn.execute("SELECT (SELECT count(*) FROM entities) + (SELECT count(*) FROM aliases)").fetchone()[0]
        indexed = index.rebuild_names(conn, lambda n: advance("building search index", n, names))
        advance("building search index", names - indexed, names)  # duplicates are skipped, not lost
        index.rebuild_source_fts(conn)
        index.rebuild_mentions(conn)
        advance("indexing sources", 1, 1)
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.IntegrityError(f"dangling references: {[tuple(p) for p in problems[:5]]}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {
        "sources": len(data.sources), "entities": len(data.entities), "roles": len(data.roles),
        "relations": len(data.relations), "events": len(data.events),
        "citations": sum(len(c["cites"]) for c in data.roles + data.relations + data.events)
        + sum(len(p["cites"]) for e in data.events for p in e["participants"]),
    }


def _upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    cols = list(row)
    quoted = ", ".join(f'"{c}"' for c in cols)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
    conn.execute(
        f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in cols)}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}", [row[c] for c in cols])


def _claim(conn: sqlite3.Connection, claim: dict[str, Any], kind: str) -> None:
    conn.execute("INSERT INTO claims (id, kind, disputed, note) VALUES (?, ?, ?, ?)",
                 (claim["id"], kind, claim["disputed"], claim["note"]))
    conn.executemany(
        'INSERT INTO citations (claim_id, source_id, quote, prefix, suffix, start, "end", anchor)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(claim["id"], c.source, c.quote, c.prefix, c.suffix, c.start, c.end, c.method)
         for c in claim["cites"]])


def init(db_path: Path | str) -> None:
    """Create an empty KB; refuse to touch an existing file."""
    db_path = Path(db_path)
    if db_path.exists():
        raise UnusableDatabase(f"{db_path}: already exists", "choose a new path; init never overwrites")
    conn = db.connect_writable(db_path, create=True)
    conn.close()
