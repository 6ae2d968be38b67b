"""Derived data: the name search index, source full-text index, mentions.

All of it is rebuilt from entities, aliases and sources, so it can never
disagree with them. Import calls these inside its transaction; the
benchmark generator calls them on a million entities, so each is written to
stay linear and mostly inside SQLite.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable

from kbtui.kb.normalize import compact, norm

Progress = Callable[[int], None]

# Pass-join segments per name: any name within SEGMENTS - 1 edits of a query
# keeps one segment intact (see kbtui.kb.search).
SEGMENTS = 3
# Mentions are found with one regex of every name form. Past this many forms
# the regex costs minutes, so big KBs (the million-entity benchmark) skip it.
MENTIONS_MAX_FORMS = 50_000

# a row of the names table: (entity_id, name, norm, compact, is_primary)
NameRow = tuple[str, str, str, str, int]


def name_rows(conn: sqlite3.Connection) -> Iterable[tuple[str, str, int]]:
    """Every (entity_id, name, is_primary): main names, aliases, then the
    names and identifiers recorded as properties (an official name in
    Chinese, a registry number), so search finds an entity by any of them."""
    yield from conn.execute("SELECT id, name, 1 FROM entities")
    yield from conn.execute("SELECT entity_id, alias, 0 FROM aliases")
    yield from conn.execute(
        "SELECT entity_id, value, 0 FROM properties WHERE property IN ('official-name', 'name', 'identifier')"
    )


def _normaliser() -> Callable[[str], str]:
    """`norm`, memoised per word.

    Every step of `norm` (NFKC, transliteration, casefolding, dropping
    punctuation) works character by character and a plain space only
    separates, so norm(name) is the norms of its space-separated parts
    joined by spaces (a property test checks this). Words repeat a lot across a million names, so
    this makes indexing several times faster with the same result."""
    cache: dict[str, str] = {}

    def fast(name: str) -> str:
        out = []
        for word in name.split(" "):
            n = cache.get(word)
            if n is None:
                n = cache[word] = norm(word)
            if n:
                out.append(n)
        return " ".join(out)

    return fast


def rebuild_names(conn: sqlite3.Connection, progress: Progress | None = None, batch: int = 50_000) -> int:
    """Refill `names`, its trigram FTS index and the pass-join segments.

    `progress`, if given, is called with the number of names done so far in
    each step (increments, for a progress bar whose total is the number of
    names plus aliases)."""
    # Secondary indexes are dropped and re-created: building an index once
    # from sorted data is far faster than updating it row by row.
    index_sql = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'names' AND sql IS NOT NULL"
        )
    ]
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'names' AND sql IS NOT NULL"
    ).fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("DELETE FROM names")
    normalise = _normaliser()
    count = 0
    rows: list[NameRow] = []
    seen: set[tuple[str, str]] = set()
    for entity_id, name, primary in list(name_rows(conn)):
        n = normalise(name)
        if not n:
            continue
        if not primary and (entity_id, n) in seen:
            continue
        seen.add((entity_id, n))
        rows.append((entity_id, name, n, compact(n), primary))
        if len(rows) >= batch:
            count += _flush_names(conn, rows, progress)
    count += _flush_names(conn, rows, progress)
    seen.clear()
    # The FTS index first: with names_compact present SQLite reads the
    # content through that (smaller, covering) index, in compact order, and
    # FTS5 then gets rowids out of order and builds 3-4x slower.
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")
    rebuild_segments(conn)
    for sql in index_sql:
        conn.execute(sql)
    return count


def rebuild_segments(conn: sqlite3.Connection) -> None:
    """Fill name_grams with the pass-join segments of every compact name.

    A name of length l is cut into SEGMENTS pieces, the shorter ones first;
    each piece is keyed by (l, piece number, text). Done in one INSERT ...
    SELECT, sorted, so SQLite appends to the B-tree instead of seeking."""
    conn.execute("DELETE FROM name_grams")
    k = SEGMENTS
    # With l = q*k + r: pieces 0 .. k-r-1 have q letters, the last r have q + 1.
    # Piece i starts at i*q + max(0, i - (k - r)).
    conn.execute(f"""
        INSERT INTO name_grams (gram, name_id, compact)
        SELECT l || ':' || i || ':' ||
               substr(compact, 1 + i * (l / {k}) + max(0, i - ({k} - l % {k})),
                      l / {k} + (i >= {k} - l % {k})),
               id, compact
        FROM (SELECT id, compact, length(compact) AS l FROM names WHERE length(compact) >= {k}),
             (SELECT column1 AS i FROM (VALUES {", ".join(f"({i})" for i in range(k))}))
        ORDER BY 1, 2""")


def _flush_names(conn: sqlite3.Connection, rows: list[NameRow], progress: Progress | None) -> int:
    conn.executemany("INSERT INTO names (entity_id, name, norm, compact, is_primary) VALUES (?, ?, ?, ?, ?)", rows)
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
    are not mistaken for names. A name form shared by two entities is
    skipped as ambiguous, unless all but one hold it only as a metonym or
    descriptor ("Beijing": the city, and China's metonym): then it is the
    one that holds it literally.

    Above MENTIONS_MAX_FORMS name forms the one big regex would take
    minutes, so mentions are cleared and not computed (returns 0); a bulk
    loader that knows where its names occur writes them itself.
    """
    owners: dict[str, set[str]] = {}
    for entity_id, name, _ in name_rows(conn):
        if len(name) >= 2:
            owners.setdefault(name, set()).add(entity_id)
            if len(owners) > MENTIONS_MAX_FORMS:
                conn.execute("DELETE FROM mentions")
                return 0
    # "Beijing" is the city's name and China's metonym: the text names the
    # city, so a figurative owner gives way to a literal one
    figurative: dict[str, set[str]] = {}
    for entity_id, alias in conn.execute(
        "SELECT entity_id, alias FROM aliases WHERE kind IN ('descriptor', 'metonym')"
    ):
        figurative.setdefault(alias, set()).add(entity_id)
    for name, ids in owners.items():
        literal = ids - figurative.get(name, set())
        if len(ids) > 1 and len(literal) == 1:
            owners[name] = literal
    forms = sorted((n for n, ids in owners.items() if len(ids) == 1), key=len, reverse=True)
    conn.execute("DELETE FROM mentions")
    if not forms:
        return 0
    pattern = re.compile(r"(?<!\w)(" + "|".join(_flexible(f) for f in forms) + r")(?!\w)")
    flat = {_squash(f): next(iter(owners[f])) for f in forms}
    rows = []
    for source_id, text in conn.execute("SELECT id, text FROM sources").fetchall():
        for m in pattern.finditer(text):
            owner = flat.get(_squash(m.group(1)))
            if owner:
                rows.append((source_id, owner, m.start(1), m.end(1)))
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
