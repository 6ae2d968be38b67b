"""Derived data: the name search index, source full-text index, mentions.

All of it is rebuilt from entities, aliases and sources, so it can never
disagree with them. Import calls these inside its transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable

from kbtui.kb.normalize import compact, norm

Progress = Callable[[int], None]


def name_rows(conn: sqlite3.Connection) -> Iterable[tuple[str, str, int]]:
    """Every (entity_id, name, is_primary): main names then aliases."""
    yield from conn.execute("SELECT id, name, 1 FROM entities")
    yield from conn.execute("SELECT entity_id, alias, 0 FROM aliases")


def rebuild_names(conn: sqlite3.Connection, progress: Progress | None = None,
                  batch: int = 20_000) -> int:
    """Refill `names`, its trigram FTS index and the trigram frequencies."""
    conn.execute("DELETE FROM names")
    count = 0
    rows: list[tuple[str, str, str, str, int]] = []
    seen: set[tuple[str, str]] = set()
    for entity_id, name, primary in list(name_rows(conn)):
        n = norm(name)
        if not n or ((entity_id, n) in seen and not primary):
            continue
        seen.add((entity_id, n))
        rows.append((entity_id, name, n, compact(n), primary))
        if len(rows) >= batch:
            count += _flush_names(conn, rows, progress)
    count += _flush_names(conn, rows, progress)
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")
    conn.execute("DELETE FROM name_grams")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.names_vocab "
                 "USING fts5vocab(main, names_fts, 'row')")
    conn.execute("INSERT INTO name_grams (gram, df) SELECT term, doc FROM temp.names_vocab")
    conn.execute("DROP TABLE temp.names_vocab")
    return count


def _flush_names(conn: sqlite3.Connection, rows: list, progress: Progress | None) -> int:
    conn.executemany(
        "INSERT INTO names (entity_id, name, norm, compact, is_primary) VALUES (?, ?, ?, ?, ?)", rows)
    n = len(rows)
    if progress:
        progress(n)
    rows.clear()
    return n


def rebuild_source_fts(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')")


def rebuild_mentions(conn: sqlite3.Connection) -> int:
    """Mark every place a source names a known entity by a name or alias.

    Matching is case-sensitive on whole words, longest name first, so "Xi"
    inside "Xi Jinping" is one mention of Xi Jinping, and lower-case words
    are not mistaken for names. A name form shared by two entities (say, a
    city and a government both called "Beijing") is skipped as ambiguous.
    """
    owners: dict[str, set[str]] = {}
    for entity_id, name, _ in name_rows(conn):
        if len(name) >= 2:
            owners.setdefault(name, set()).add(entity_id)
    forms = sorted((n for n, ids in owners.items() if len(ids) == 1), key=len, reverse=True)
    conn.execute("DELETE FROM mentions")
    if not forms:
        return 0
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(_flexible(f) for f in forms) + r")(?!\w)")
    flat = {_squash(f): next(iter(owners[f])) for f in forms}
    rows = []
    for source_id, text in conn.execute("SELECT id, text FROM sources").fetchall():
        for m in pattern.finditer(text):
            entity_id = flat.get(_squash(m.group(1)))
            if entity_id:
                rows.append((source_id, entity_id, m.start(1), m.end(1)))
    conn.executemany("INSERT OR IGNORE INTO mentions VALUES (?, ?, ?, ?)", rows)
    return len(rows)


def _flexible(name: str) -> str:
    """A regex for a name that tolerates the source's spacing and quotes."""
    parts = []
    for ch in name:
        if ch.isspace():
            parts.append(r"\s+")
        elif ch in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'"))
