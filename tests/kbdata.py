"""A KB's data, for tests that ask "did this import change anything?"
where derived structure may legitimately differ: the FTS shadow tables
(an index updated row by row is laid out differently from one rebuilt whole,
with the same content: check.derived() proves that), the order of CREATE
INDEX statements (an import into an empty KB builds them last), and when
an input was last imported, and the row ids of the name index (a refresh
gives its rows new ids; their content is compared instead)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

_SHADOW = re.compile(r'^INSERT INTO "((names|sources)_fts_|names_words_|names"|name_grams")')
_INPUT = re.compile(r"^(INSERT INTO \"?inputs\"? VALUES\('[^']*','[^']*','[^']*'),'[^']*'\);$")


def kb_data(path: Path) -> list[str]:
    """The dump of `path`, sorted, without FTS internals and import times."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        lines = [_INPUT.sub(r"\1,'…');", line) for line in conn.iterdump() if not _SHADOW.match(line)]
        lines += [repr(r) for r in conn.execute("SELECT entity_id, name, norm, compact, is_primary FROM names")]
        lines += [repr(r) for r in conn.execute("SELECT gram, compact FROM name_grams")]
    finally:
        conn.close()
    return sorted(lines)


def rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """The rows of one query on the KB at `path` (a connection of its own)."""
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()
