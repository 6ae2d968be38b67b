"""Writing a validated bundle into a KB, all or nothing.

The bundle is parsed and every quote anchored before the database is opened
for writing; the write itself is one IMMEDIATE transaction, so a failure
leaves the file as it was and a second importer waits (busy timeout) or
fails cleanly. Records are upserted by id, so re-importing a bundle is
idempotent and a bundle can add to a KB that already holds others.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbtui.kb import bundle as bundle_mod
from kbtui.kb import db, index
from kbtui.kb.errors import ImportFailed, UnusableDatabase

Advance = Callable[[str, int, "int | None"], None]

# a citation as inserted: (claim_id, source_id, quote, prefix, suffix, start,
# end, anchor, as_of, as_of_note, stance, certainty, mode, speaker_id, speaker)
CiteRow = tuple[str, str, str, str, str, int, int, str, str | None, str, str, str, str, str | None, str]
CITE_COLUMNS = (
    'claim_id, source_id, quote, prefix, suffix, start, "end", anchor,'
    " as_of, as_of_note, stance, certainty, mode, speaker_id, speaker"
)
# what a citation cites, to give an unchanged one its old id back on re-import
CiteKey = tuple[str, str, str, int, int]


def _quiet(phase: str, n: int, total: int | None) -> None:
    pass


def import_bundle(bundle_dir: Path | str, db_path: Path | str, advance: Advance = _quiet) -> dict[str, int]:
    """Import `bundle_dir` into `db_path` (created if missing). Returns counts.
    `advance(phase, n, total)` reports progress (see kbtui.cli.progress).

    A new KB is built in a temporary file beside `db_path` and linked into
    place only when complete, so `db_path` never exists half-made and a
    failed import leaves nothing behind. An existing KB is changed in one
    transaction or not at all."""
    try:
        data = bundle_mod.load(bundle_dir)
    except bundle_mod.BundleError as exc:
        raise ImportFailed("\n".join(exc.problems), "nothing was written; fix the bundle and retry") from exc
    db_path = Path(db_path)
    remove_stale_temps(db_path)
    if not db_path.exists():
        counts = _import_new(data, db_path, advance)
        if counts is not None:
            return counts
        # another process created db_path meanwhile: add to theirs
    conn = db.connect_writable(db_path)
    try:
        return _write_mapped(conn, data, advance, db_path)
    finally:
        conn.close()


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Delete the temporary files an import into `db_path` left when it was
    killed (SIGKILL, power cut) before it could clean up: they are named
    `.<name>.<pid>.<random>.importing` (db.temp_beside), and one whose
    process is gone is nobody's."""
    removed: list[Path] = []
    try:
        candidates = list(db_path.parent.glob(f".{glob_escape(db_path.name)}.*.importing"))
    except OSError:
        return removed
    for tmp in candidates:
        parts = tmp.name[len(db_path.name) + 2 :].split(".")
        if len(parts) != 3 or not parts[0].isdigit() or _alive(int(parts[0])):
            continue
        db.discard(tmp)
        removed.append(tmp)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a pid: leave it
    return True


def _import_new(data: bundle_mod.Bundle, db_path: Path, advance: Advance) -> dict[str, int] | None:
    """Build a new KB from `data` at a temporary path and publish it as
    `db_path`. None if `db_path` appeared meanwhile (nothing was changed)."""
    tmp = db.temp_beside(db_path, "importing")
    try:
        try:
            conn = sqlite3.connect(db._uri(tmp, "rwc"), uri=True, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            db.apply_schema(conn)
        except sqlite3.Error as exc:
            raise UnusableDatabase(
                f"{db_path}: cannot be created ({exc})", "check that the folder exists and is writable"
            ) from exc
        try:
            counts = _write_mapped(conn, data, advance, db_path)
        finally:
            conn.close()
        try:
            db.publish(tmp, db_path)
        except FileExistsError:
            return None
        except OSError as exc:
            raise UnusableDatabase(
                f"{db_path}: cannot be created ({exc.strerror})", "check that the folder is writable"
            ) from exc
        return counts
    finally:
        db.discard(tmp)


def _write_mapped(conn: sqlite3.Connection, data: bundle_mod.Bundle, advance: Advance, db_path: Path) -> dict[str, int]:
    """write(), with SQLite's failures turned into one readable error."""
    try:
        return write(conn, data, advance)
    except sqlite3.Error as exc:
        if "readonly" in str(exc):
            raise UnusableDatabase(
                f"{db_path}: is read-only; nothing was written", "check the file and folder permissions"
            ) from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise UnusableDatabase(
                f"{db_path}: is locked by another program; nothing was written",
                "wait for it (another import?) to finish and retry",
            ) from exc
        raise ImportFailed(
            f"{db_path}: import failed ({exc}); nothing was written",
            "run `kbtui check` on the KB, and check the bundle",
        ) from exc


def write(conn: sqlite3.Connection, data: bundle_mod.Bundle, advance: Advance = _quiet) -> dict[str, int]:
    """Upsert a loaded bundle in one transaction and rebuild derived indexes."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        claim_ids = [c["id"] for c in data.claims()]
        kept = _citation_ids(conn, claim_ids)
        conn.executemany("DELETE FROM claims WHERE id = ?", [(c,) for c in claim_ids])
        cites: list[CiteRow] = []
        records = len(data.sources) + len(data.entities) + len(claim_ids)
        for s in data.sources:  # relays may point at a source written after it
            _upsert(conn, "sources", {**s, "relays": None})
        conn.executemany("UPDATE sources SET relays = ? WHERE id = ?", [(s["relays"], s["id"]) for s in data.sources])
        advance("writing records", len(data.sources), records)
        for e in data.entities:
            _upsert(conn, "entities", {k: e[k] for k in ("id", "kind", "name", "summary")})
            # the entity's aliases are replaced, so are their claims (a cite
            # dropped from an alias must not leave its claim behind)
            conn.execute(
                "DELETE FROM claims WHERE kind = 'alias' AND id IN"
                " (SELECT claim_id FROM aliases WHERE entity_id = ? AND claim_id IS NOT NULL)",
                (e["id"],),
            )
        for a in data.alias_claims:  # before the aliases that point at them
            _claim(conn, a, "alias", cites)
        for e in data.entities:
            conn.execute("DELETE FROM aliases WHERE entity_id = ?", (e["id"],))
            conn.executemany(
                "INSERT INTO aliases (entity_id, alias, kind, as_of, claim_id) VALUES (?, ?, ?, ?, ?)",
                [(e["id"], a["name"], a["kind"], a["as_of"], a["claim_id"]) for a in e["aliases"]],
            )
        advance("writing records", len(data.entities), records)
        for r in data.roles:
            _claim(conn, r, "role", cites)
            conn.execute(
                'INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, "end", status)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["id"], r["holder"], r["organisation"], r["title"], r["start"], r["end"], r["status"]),
            )
        for r in data.relations:
            _claim(conn, r, "relation", cites)
            conn.execute(
                'INSERT INTO relations (claim_id, type, subject_id, object_id, start, "end", label)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["id"], r["type"], r["subject"], r["object"], r["start"], r["end"], r["label"]),
            )
        for e in data.events:
            _claim(conn, e, "event", cites)
            conn.execute(
                'INSERT INTO events (entity_id, claim_id, type, start, "end", place_id) VALUES (?, ?, ?, ?, ?, ?)',
                (e["id"], e["id"], e["type"], e["start"], e["end"], e["place"]),
            )
            for p in e["participants"]:
                _claim(conn, p, "participation", cites)
                conn.execute(
                    "INSERT INTO participations (claim_id, event_id, entity_id, capacity) VALUES (?, ?, ?, ?)",
                    (p["id"], e["id"], p["entity"], p["capacity"]),
                )
        for p in data.properties:
            _claim(conn, p, "property", cites)
            conn.execute(
                "INSERT INTO properties (claim_id, entity_id, property, value, qualifier) VALUES (?, ?, ?, ?, ?)",
                (p["id"], p["entity"], p["property"], p["value"], p["qualifier"]),
            )
        conn.executemany(
            "INSERT OR REPLACE INTO conflicts (claim_id, other_id, note) VALUES (:claim_id, :other_id, :note)",
            data.conflicts,
        )
        _insert_citations(conn, cites, kept)
        for x in data.errata:
            _upsert(conn, "errata", x)
        advance("writing records", len(claim_ids), records)
        names = conn.execute("SELECT (SELECT count(*) FROM entities) + (SELECT count(*) FROM aliases)").fetchone()[0]
        indexed = index.rebuild_names(conn, lambda n: advance("building search index", n, names))
        advance("building search index", names - indexed, names)  # duplicates are skipped, not lost
        index.rebuild_source_fts(conn)
        index.rebuild_mentions(conn)
        advance("indexing sources", 1, 1)
        _keep_other_citations(conn, data.sources)
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.IntegrityError(f"dangling references: {[tuple(p) for p in problems[:5]]}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (disk full, I/O) already rolled back
            conn.execute("ROLLBACK")
        raise
    return {
        "sources": len(data.sources),
        "entities": len(data.entities),
        "roles": len(data.roles),
        "relations": len(data.relations),
        "events": len(data.events),
        "properties": len(data.properties),
        "conflicts": len(data.conflicts),
        "errata": len(data.errata),
        "citations": sum(len(c["cites"]) for c in data.claims()),
    }


def _keep_other_citations(conn: sqlite3.Connection, sources: list[dict[str, Any]]) -> None:
    """Refuse to replace a source text under citations this bundle does not
    re-anchor (claims of another bundle, or dropped from this one): their
    spans would silently point at the wrong words. (Compared in Python:
    SQLite's substr() stops at an embedded NUL.)"""
    broken = []
    for src in sources:
        text = src["text"]
        for cid, claim_id, start, end, quote in conn.execute(
            'SELECT id, claim_id, start, "end", quote FROM citations WHERE source_id = ?'
            " UNION ALL SELECT id, 'erratum', start, \"end\", quote FROM errata WHERE source_id = ?",
            (src["id"], src["id"]),
        ):
            if text[start:end] != quote:
                broken.append(f"citation {cid} of claim `{claim_id}` in source `{src['id']}`")
    if broken:
        raise ImportFailed(
            f"the bundle changes the text of a source that other claims cite ({', '.join(broken[:5])}"
            f"{', …' if len(broken) > 5 else ''}); nothing was written",
            "keep the source text as it was, or give the changed text a new source id",
        )


def _upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    cols = list(row)
    quoted = ", ".join(f'"{c}"' for c in cols)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
    conn.execute(
        f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in cols)}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        [row[c] for c in cols],
    )


def _claim(conn: sqlite3.Connection, claim: dict[str, Any], kind: str, cites: list[CiteRow]) -> None:
    conn.execute(
        "INSERT INTO claims (id, kind, disputed, note) VALUES (?, ?, ?, ?)",
        (claim["id"], kind, claim["disputed"], claim["note"]),
    )
    cites.extend(
        (
            claim["id"],
            c.source,
            c.quote,
            c.prefix,
            c.suffix,
            c.start,
            c.end,
            c.method,
            c.as_of,
            c.as_of_note,
            c.stance,
            c.certainty,
            c.mode,
            c.speaker_id,
            c.speaker,
        )
        for c in claim["cites"]
    )


def _cite_key(claim_id: str, source_id: str, quote: str, start: int, end: int) -> CiteKey:
    return claim_id, source_id, quote, start, end


def _citation_ids(conn: sqlite3.Connection, claim_ids: list[str]) -> dict[CiteKey, list[int]]:
    """Ids of the citations already stored for these claims, by what they
    cite: a re-import gives an unchanged citation its old id back, so
    `kbtui cite 17` written down yesterday still means the same quote."""
    kept: dict[CiteKey, list[int]] = {}
    for i in range(0, len(claim_ids), 500):
        part = claim_ids[i : i + 500]
        for cid, *key in conn.execute(
            'SELECT id, claim_id, source_id, quote, start, "end" FROM citations'
            f" WHERE claim_id IN ({','.join('?' * len(part))}) ORDER BY id",
            part,
        ):
            kept.setdefault(_cite_key(*key), []).append(cid)
    return kept


def _insert_citations(conn: sqlite3.Connection, cites: list[CiteRow], kept: dict[CiteKey, list[int]]) -> None:
    # old ids first, so a new citation's fresh id can never take one of them
    again, new = [], []
    for row in cites:
        ids = kept.get(_cite_key(row[0], row[1], row[2], row[5], row[6]))
        if ids:
            again.append((ids.pop(0), *row))
        else:
            new.append(row)
    marks = ", ".join("?" * (len(CITE_COLUMNS.split(",")) + 1))
    conn.executemany(f"INSERT INTO citations (id, {CITE_COLUMNS}) VALUES ({marks})", again)
    conn.executemany(f"INSERT INTO citations ({CITE_COLUMNS}) VALUES ({marks[3:]})", new)


def init(db_path: Path | str) -> None:
    """Create an empty KB; refuse to touch an existing file."""
    db_path = Path(db_path)
    exists = UnusableDatabase(f"{db_path}: already exists", "choose a new path; init never overwrites")
    if db_path.exists():
        raise exists
    try:
        db._create(db_path)
    except FileExistsError:
        raise exists from None
    except (sqlite3.Error, OSError) as exc:
        raise UnusableDatabase(
            f"{db_path}: cannot be created ({exc})", "check that the folder exists and is writable"
        ) from exc
