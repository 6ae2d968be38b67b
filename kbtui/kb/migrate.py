"""`kbtui migrate`: bring an older KB up to this kbtui's schema version.

A backup copy is written first (SQLite's online backup, so it is
consistent), then every step runs in one transaction: a failure rolls back
and leaves the file as it was.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from kbtui.kb import db, index
from kbtui.kb.errors import UnusableDatabase
from kbtui.kb.paths import schema_path

VIEWS = ("v_roles", "v_relations", "v_events", "v_citations", "v_properties", "v_conflicts", "v_errata")
DERIVED = ("names", "names_fts", "name_grams", "names_words", "names_vocab", "word_grams", *VIEWS)


def _statements(names: tuple[str, ...]) -> list[str]:
    """The CREATE statements in schema.sql for the given objects (and their indexes)."""
    sql = schema_path().read_text(encoding="utf-8")
    sql = re.sub(r"--[^\n]*", "", sql)
    out = []
    for stmt in (s.strip() for s in sql.split(";")):
        m = re.match(r"CREATE\s+(?:VIRTUAL\s+)?(?:TABLE|VIEW|INDEX)\s+(\w+)(?:\s+ON\s+(\w+))?", stmt)
        if m and (m.group(1) in names or m.group(2) in names):
            out.append(stmt)
    return out


def rebuild_derived(conn: sqlite3.Connection) -> None:
    """Drop and recreate what is computed from the base tables (the search
    index and the SQL views), then refill it."""
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
    for name in DERIVED:
        if kinds.get(name) == "view":
            conn.execute(f"DROP VIEW {name}")
        elif name in kinds:
            conn.execute(f"DROP TABLE {name}")
    for stmt in _statements(DERIVED):
        conn.execute(stmt)
    create_missing_indexes(conn)
    index.rebuild_names(conn)


def create_missing_indexes(conn: sqlite3.Connection) -> None:
    """Indexes only make reads faster; any schema.sql has that the file
    lacks can be added without touching data."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'table')")}
    sql = re.sub(r"--[^\n]*", "", schema_path().read_text(encoding="utf-8"))
    for stmt in (s.strip() for s in sql.split(";")):
        m = re.match(r"CREATE\s+INDEX\s+(\w+)\s+ON\s+(\w+)", stmt)
        # (a table a later step adds gets its indexes then)
        if m and m.group(1) not in have and m.group(2) in have:
            conn.execute(stmt)


def _drop_views(conn: sqlite3.Connection) -> None:
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        conn.execute(f"DROP VIEW {name}")


def _rebuild_table(conn: sqlite3.Connection, table: str) -> None:
    """Give `table` its schema.sql definition, keeping every row: the
    columns both versions have are copied, new ones take their defaults.
    (SQLite's documented way to change a constraint: create, copy, drop,
    rename; the caller has foreign keys off and checks them afterwards.)"""
    (create,) = _statements((table,))[:1]
    old = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    conn.execute(re.sub(rf"CREATE TABLE {table}\b", f"CREATE TABLE {table}_new", create, count=1))
    new = {r[1] for r in conn.execute(f"PRAGMA table_info({table}_new)")}
    cols = ", ".join(f'"{c}"' for c in old if c in new)
    if "WITHOUT ROWID" not in create.upper():
        cols = "rowid, " + cols  # sources_fts and others key on it
    conn.execute(f"INSERT INTO {table}_new ({cols}) SELECT {cols} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")


def to_v3(conn: sqlite3.Connection) -> None:
    """v2 -> v3: evidence in time. Sources gain date basis and bounds,
    citations an as-of date, stance, certainty, mode and speaker; claims
    may be properties or aliases; aliases may be descriptors or metonyms;
    properties, conflicts and errata are new tables.

    A v2 citation is evidence as of its source's published date, so that is
    its as-of date (a v2 `current` role stays evidence that it was held
    then); a citation of an undated source says why it has none. A v2
    published date is taken as stated by the text (the bundle format's
    default too); stance, certainty and mode take their defaults (supports,
    stated, asserts), which is what v2 meant by citing."""
    _drop_views(conn)
    for table in ("claims", "aliases", "sources", "citations"):
        _rebuild_table(conn, table)
    for stmt in _statements(("properties", "conflicts", "errata")):
        # IF NOT EXISTS: a file labelled v2 may already have them
        conn.execute(re.sub(r"^CREATE (TABLE|INDEX) ", r"CREATE \1 IF NOT EXISTS ", stmt))
    conn.execute("UPDATE sources SET date_basis = 'stated' WHERE published IS NOT NULL")
    conn.execute("UPDATE citations SET as_of = (SELECT published FROM sources s WHERE s.id = citations.source_id)")
    conn.execute(
        "UPDATE citations SET as_of_note = 'the source has no published date (migrated from schema v2)'"
        " WHERE as_of IS NULL"
    )


def to_v4(conn: sqlite3.Connection) -> None:
    """v3 -> v4: rows know their input. `inputs` and `entity_inputs` are
    new; entities, aliases, claims and sources gain `input_id` (NULL: from
    before v4, adopted by the first input that writes the same id and never
    pruned), sources a `format` ('text' for every v3 source) and `meta`;
    relations gain share, amount, currency and program and five types;
    properties gain eleven names. No v3 value changes."""
    _drop_views(conn)
    for stmt in _statements(("inputs", "entity_inputs")):
        conn.execute(re.sub(r"^CREATE (TABLE|INDEX) ", r"CREATE \1 IF NOT EXISTS ", stmt))
    for table in ("entities", "aliases", "claims", "relations", "properties", "sources"):
        _rebuild_table(conn, table)


def to_v5(conn: sqlite3.Connection) -> None:
    """v4 -> v5: curation. Sources gain a version number (1) and capture
    provenance (empty), citations the older version they point into (NULL:
    the current text); source_versions, citation_moves and log are new and
    empty. No v4 value changes."""
    _drop_views(conn)
    for table in ("sources", "citations"):
        _rebuild_table(conn, table)
    for stmt in _statements(("source_versions", "citation_moves", "log")):
        conn.execute(re.sub(r"^CREATE (TABLE|INDEX) ", r"CREATE \1 IF NOT EXISTS ", stmt))


def to_v8(conn: sqlite3.Connection) -> None:
    for stmt in _statements(("judgements", "redirects")):
        conn.execute(stmt)


def to_v9(conn: sqlite3.Connection) -> None:
    """v8 -> v9: sources gain `confidential` (0: every v8 source is as
    public as it was). The table is rebuilt, not altered: ALTER TABLE ADD
    COLUMN would store SQL that differs from schema.sql's in its spacing,
    which kbtui.kb.trust then refuses. A KB coming from before v5 already
    has the column (those steps rebuild `sources` from this schema.sql)."""
    if any(r[1] == "confidential" for r in conn.execute("PRAGMA table_info(sources)")):
        return
    _drop_views(conn)  # a view reading `sources` would stop the rename; _finish makes them again
    _rebuild_table(conn, "sources")


def _finish(conn: sqlite3.Connection) -> None:
    """After the last step: indexes, the search index and the views of this
    schema (made once, at the end: a view may read a column a later step
    adds), and the source full-text index (rebuilt tables got new rows)."""
    create_missing_indexes(conn)
    rebuild_derived(conn)
    index.rebuild_source_fts(conn)


# from-version -> step to the next version
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    # v1 -> v2: the search index changed shape (pass-join keys in name_grams)
    # and roles gained an index in listing order; base tables are untouched,
    # so what _finish rebuilds is enough.
    1: lambda conn: None,
    2: to_v3,
    3: to_v4,
    4: to_v5,
    # v5 -> v6: word-level search (names_words, names_vocab, word_grams) and
    # an index on role titles; derived data only, which _finish rebuilds.
    5: lambda conn: None,
    # v6 -> v7: indexes the overview screens page through in order
    # (entities by kind and name, events by date, sources by date);
    # create_missing_indexes in _finish adds them.
    6: lambda conn: None,
    # v7 -> v8: entity resolution (judgements, redirects), two new tables
    7: to_v8,
    # v8 -> v9: confidential sources, a column of `sources`
    8: to_v9,
    # v9 -> v10: an index of an organisation's holders (the analysis
    # commands rank a hub's without reading its rows); create_missing_indexes
    # in _finish adds it.
    9: lambda conn: None,
}


def backup_path(path: Path, version: int) -> Path:
    candidate = path.with_name(f"{path.name}.v{version}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.v{version}.{n}.bak")
    return candidate


def migrate(path: Path | str) -> tuple[int, int, Path | None]:
    """Upgrade in place. Returns (old version, new version, backup path)."""
    path = Path(path)
    db._precheck(path)
    conn = sqlite3.connect(db._uri(path, "rw"), uri=True, isolation_level=None, timeout=db.busy_timeout())
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables >= db.REQUIRED_TABLES:
            raise UnusableDatabase(f"{path}: is not a kbtui knowledge base", "nothing to migrate")
        if version == db.SCHEMA_VERSION:
            return version, version, None
        if version > db.SCHEMA_VERSION:
            raise UnusableDatabase(
                f"{path}: schema version {version} is newer than this kbtui's ({db.SCHEMA_VERSION})",
                "upgrade kbtui instead",
            )
        db.refuse_foreign(conn, path, version)  # a crafted file is not upgraded either
        missing = [v for v in range(version, db.SCHEMA_VERSION) if v not in STEPS]
        if missing:
            raise UnusableDatabase(
                f"{path}: no migration from schema version {missing[0]}",
                "rebuild the KB from its bundle with `kbtui import`",
            )
        # off while tables are rebuilt (a DROP would cascade); the whole
        # result is checked before commit instead
        conn.execute("PRAGMA foreign_keys = OFF")
        # take the write lock first, so no import can slip in between the
        # backup and the upgrade
        conn.execute("BEGIN IMMEDIATE")
        try:
            backup = backup_path(path, version)
            # SQLite will not back up from a connection holding a write
            # transaction, so a second connection reads (our lock allows
            # readers, and keeps writers out)
            src = sqlite3.connect(db._uri(path, "ro"), uri=True, timeout=db.busy_timeout())
            dest = sqlite3.connect(backup)
            try:
                src.backup(dest)
            finally:
                dest.close()
                src.close()
            for v in range(version, db.SCHEMA_VERSION):
                STEPS[v](conn)
            _finish(conn)
            dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                raise UnusableDatabase(
                    f"{path}: has rows that refer to missing rows ({dangling[0][0]}); nothing was changed",
                    "run `kbtui check` and repair them, or rebuild the KB with `kbtui import`",
                )
            conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return version, db.SCHEMA_VERSION, backup
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise UnusableDatabase(
                f"{path}: is locked by another program; nothing was changed", "wait for it to finish and retry"
            ) from exc
        raise UnusableDatabase(
            f"{path}: cannot be migrated ({exc}); nothing was changed", "check it is writable and not in use"
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(
            f"{path}: is corrupted ({exc}); nothing was changed",
            "restore it from a backup or rebuild it with `kbtui import`",
        ) from exc
    finally:
        conn.close()


def reindex(path: Path | str) -> None:
    """Rebuild everything derived (name index, typo keys, full-text indexes,
    mentions, views) from the data, in one transaction: the repair for
    damage `kbtui check` reports in an index. The data is not touched."""
    conn = db.connect_writable(Path(path))
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            rebuild_derived(conn)
            index.rebuild_source_fts(conn)
            index.rebuild_mentions(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
