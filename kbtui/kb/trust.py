"""Is this file kbtui's own? The trust boundary for KB files from elsewhere.

A valid SQLite file can still be hostile: a view in place of a table that
recurses forever, a table rebuilt without its CHECK constraints so a kind
holds escape sequences, a trigger. Before anything else reads it, a KB's
schema (one read of sqlite_master) is compared with the schema kbtui
defines for its version: schema.sql for the current one, kbtui/schemas/vN.sql
for each released older one (which `kbtui migrate` reads).

Allowed beyond that: extra indexes (the README invites users to add them)
and SQLite's statistics tables (ANALYZE). Anything else extra, missing or
different refuses the file, naming the object.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path

from kbtui.kb.paths import PACKAGE_DIR, schema_path

# (type, name, table, normalised SQL)
SchemaObject = tuple[str, str, str, str]

STATS_TABLES = re.compile(r"sqlite_stat[1-4]")


def normalise(sql: str | None) -> str:
    """SQL as compared: comments, quoting of names and spacing do not count
    (ALTER TABLE ... RENAME, used by migrations, quotes the new name)."""
    if not sql:
        return ""
    return " ".join(re.sub(r"--[^\n]*", "", sql).replace('"', "").split())


def schema_file(version: int) -> Path | None:
    from kbtui.kb.db import SCHEMA_VERSION

    if version == SCHEMA_VERSION:
        return schema_path()
    older = PACKAGE_DIR / "schemas" / f"v{version}.sql"
    return older if older.exists() else None


@cache
def expected(version: int) -> frozenset[SchemaObject] | None:
    """What a KB of `version` holds: its schema applied to an empty database
    (so SQLite, not a parser of ours, says which objects it makes)."""
    path = schema_file(version)
    if path is None:
        return None
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(path.read_text(encoding="utf-8"))
        return _objects(conn)
    finally:
        conn.close()


def _objects(conn: sqlite3.Connection) -> frozenset[SchemaObject]:
    return frozenset(
        (str(kind), str(name), str(table), normalise(sql))
        for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    )


def foreign_object(conn: sqlite3.Connection, version: int) -> str | None:
    """The first object that makes the file not kbtui's own, in words, or
    None. (None too for a version with no schema on record.)"""
    want = expected(version)
    if want is None:
        return None
    have = _objects(conn)
    by_name = {o[1]: o for o in want}
    for obj in sorted(have - want):
        kind, name, _, _ = obj
        if STATS_TABLES.fullmatch(name) and kind == "table":
            continue  # ANALYZE's statistics
        ours = by_name.get(name)
        if ours is None:
            if kind == "index" and not name.startswith("sqlite_autoindex"):
                continue  # a user's index only makes reads faster
            return f"{kind} {name!r} is not part of a kbtui KB"
        if ours[0] != kind:
            return f"{name!r} is a {kind} where kbtui has a {ours[0]}"
        return f"{kind} {name!r} differs from kbtui's definition"
    names = {o[1] for o in have}
    for obj in sorted(want):
        if obj[1] not in names:
            return f"{obj[0]} {obj[1]!r} is missing"
    return None
