"""Derived data: the name search index, source full-text index, mentions.

All of it is derived from entities, aliases, properties and sources, so it
can never disagree with them. Each index can be rebuilt whole (`rebuild_*`:
a new KB, `kbtui reindex`) or kept right row by row after a small change
(`refresh_names`, `forget_sources` / `index_sources`, `refresh_mentions`:
an FtM delta that touches a few hundred records of a million). The
benchmark generator rebuilds a million entities, so the rebuilds stream
their rows and stay linear and mostly inside SQLite; the refreshes read
only the rows of what changed, through indexes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from kbtui.kb import mentions, vocab
from kbtui.kb.mentions import flexible
from kbtui.kb.normalize import compact, norm
from kbtui.kb.passjoin import SEGMENTS, keys_of

Progress = Callable[[int], None]

# Words shorter than this tolerate no typo (kbtui.kb.words.word_budget), so
# word_grams holds no pieces for them.
MIN_TYPO_WORD = 4
# Mentions are found with one regex of every name form. Past this many forms
# the regex costs minutes, so big KBs (the million-entity benchmark) skip it.
MENTIONS_MAX_FORMS = 50_000
# Words whose norm is memoised while indexing (see _normaliser): ~30 MB.
NORM_MEMO_WORDS = 200_000
# The properties whose values search finds an entity by.
NAME_PROPERTIES = vocab.NAME_PROPERTIES
_NAME_PROPERTIES_SQL = vocab.NAME_PROPERTIES_SQL

# a row of the names table: (entity_id, name, norm, compact, is_primary)
NameRow = tuple[str, str, str, str, int]


def name_rows(conn: sqlite3.Connection) -> Iterable[tuple[str, str, int]]:
    """Every (entity_id, name, is_primary): main names, aliases, then the
    names and identifiers recorded as properties (an official name in
    Chinese, a registry number), so search finds an entity by any of them."""
    yield from conn.execute("SELECT id, name, 1 FROM entities")
    yield from conn.execute("SELECT entity_id, alias, 0 FROM aliases")
    yield from conn.execute(f"SELECT entity_id, value, 0 FROM properties WHERE property IN {_NAME_PROPERTIES_SQL}")


def _normaliser() -> Callable[[str], str]:
    """`norm`, memoised per word.

    Every step of `norm` (NFKC, transliteration, casefolding, dropping
    punctuation) works character by character and a plain space only
    separates, so norm(name) is the norms of its space-separated parts
    joined by spaces (a property test checks this). Words repeat a lot across a million names, so
    this makes indexing several times faster with the same result.

    Identifiers never repeat: a million of them would fill the memo with
    words seen once, so it starts over at NORM_MEMO_WORDS."""
    cache: dict[str, str] = {}

    def fast(name: str) -> str:
        out = []
        for word in name.split(" "):
            n = cache.get(word)
            if n is None:
                if len(cache) >= NORM_MEMO_WORDS:
                    cache.clear()
                n = cache[word] = norm(word)
            if n:
                out.append(n)
        return " ".join(out)

    return fast


# -- names -------------------------------------------------------------------
#
# The rows of `names`, for all entities or for some, in one fixed order:
# every main name (entity rowid order), then every alias (entity id, alias),
# then every name property (property, value, rowid: the order SQLite reads
# properties_value in). A row whose norm is empty is left out, and so is an
# alias or property whose norm an earlier row of the same entity has, so one
# entity never holds the same name twice. The full rebuild and the refresh
# share the code below and differ only in where the entity ids come from, so
# they cannot disagree on a row.

# The queries per scope: all entities, or those in temp.name_scope.
_ALL = {
    "main": "SELECT id, name FROM entities ORDER BY rowid",
    "aliases": (
        "SELECT a.entity_id, a.alias, e.name FROM aliases a LEFT JOIN entities e ON e.id = a.entity_id"
        " ORDER BY a.entity_id, a.alias"
    ),
    "properties": (
        f"SELECT entity_id, value FROM properties WHERE property IN {_NAME_PROPERTIES_SQL}"
        " ORDER BY property, value, rowid"
    ),
}
# CROSS JOIN keeps the ids as the outer loop: SQLite has no statistics for
# a temp table and would otherwise scan a million entities to skip a sort.
_SCOPED = {
    "main": "SELECT e.id, e.name FROM temp.name_scope ids CROSS JOIN entities e ON e.id = ids.id ORDER BY e.rowid",
    "aliases": (
        "SELECT a.entity_id, a.alias, e.name FROM temp.name_scope ids CROSS JOIN aliases a ON a.entity_id = ids.id"
        " LEFT JOIN entities e ON e.id = a.entity_id ORDER BY a.entity_id, a.alias"
    ),
    "properties": (
        "SELECT p.entity_id, p.value FROM temp.name_scope ids"
        f" CROSS JOIN properties p ON p.entity_id = ids.id AND p.property IN {_NAME_PROPERTIES_SQL}"
        " ORDER BY p.property, p.value, p.rowid"
    ),
}
_INSERT_NAME = "INSERT INTO names (entity_id, name, norm, compact, is_primary) VALUES (?, ?, ?, ?, ?)"


def _fill_names(
    conn: sqlite3.Connection, queries: dict[str, str], progress: Progress | None, batch: int, bare: bool
) -> int:
    """Insert the names rows of the entities `queries` read (see above);
    returns how many. Memory: a batch of rows and one entity's norms.

    `bare`: `names` has no index (a rebuild: inserting into a bare table
    is fastest); one is made for the look-ups of the last step only.
    Otherwise names_entity serves them."""
    normalise = _normaliser()
    count = 0
    rows: list[NameRow] = []

    def flush() -> None:
        nonlocal count
        if rows:
            conn.executemany(_INSERT_NAME, rows)
            count += len(rows)
            if progress:
                progress(len(rows))
            rows.clear()

    # Main names: one per entity, never a duplicate.
    for entity_id, name in conn.execute(queries["main"]):
        n = normalise(name)
        if n:
            rows.append((entity_id, name, n, compact(n), 1))
            if len(rows) >= batch:
                flush()
    flush()

    # Aliases come grouped by entity, each group after its main name
    # (normalised again, memoised), so the norms seen need only cover one
    # entity at a time.
    current: str | None = None
    seen: set[str] = set()
    for entity_id, alias, main in conn.execute(queries["aliases"]):
        if entity_id != current:
            current = entity_id
            seen = {normalise(main)} if main is not None else set()
        n = normalise(alias)
        if n and n not in seen:
            seen.add(n)
            rows.append((entity_id, alias, n, compact(n), 0))
            if len(rows) >= batch:
                flush()
    flush()

    # Name properties come in (property, value) order, not grouped by
    # entity. They are staged in that order in a temp table (on disk when
    # large); then one pass over it in (entity, norm) order drops each one
    # that repeats the one before or that a main name or alias of its
    # entity has, and the rest go into `names` in the staged order.
    conn.execute("DROP TABLE IF EXISTS temp.name_staging")  # left by a failed call the caller went on from
    conn.execute(
        "CREATE TEMP TABLE name_staging (seq INTEGER PRIMARY KEY, entity_id TEXT, norm TEXT, name TEXT, compact TEXT)"
    )
    staged: list[tuple[str, str, str, str]] = []
    for entity_id, value in conn.execute(queries["properties"]):
        n = normalise(value)
        if n:
            staged.append((entity_id, n, value, compact(n)))
            if len(staged) >= batch:
                _stage(conn, staged)
    _stage(conn, staged)
    # built once the rows are in: one sort instead of a B-tree insert per row
    conn.execute("CREATE INDEX temp.name_staging_key ON name_staging(entity_id, norm, seq)")
    if bare:
        # A look-up per staged row among a million main names and aliases:
        # an index covering (entity_id, norm), read in order, keeps them
        # off the table. Dropped before the insert, never updated.
        conn.execute("CREATE INDEX names_rebuild_lookup ON names(entity_id, norm)")
    conn.execute("""
        DELETE FROM temp.name_staging WHERE seq IN (
            SELECT seq FROM (
                SELECT seq, entity_id, norm,
                       lag(entity_id) OVER key AS prev_entity, lag(norm) OVER key AS prev_norm
                FROM temp.name_staging WINDOW key AS (ORDER BY entity_id, norm, seq)) AS staged
            WHERE (prev_entity = entity_id AND prev_norm = norm)
               OR EXISTS (SELECT 1 FROM names n WHERE n.entity_id = staged.entity_id AND n.norm = staged.norm))""")
    if bare:
        conn.execute("DROP INDEX names_rebuild_lookup")
    done = conn.execute(
        "INSERT INTO names (entity_id, name, norm, compact, is_primary)"
        " SELECT entity_id, name, norm, compact, 0 FROM temp.name_staging ORDER BY seq"
    ).rowcount
    conn.execute("DROP TABLE temp.name_staging")
    if progress and done:
        progress(done)
    return count + done


def _stage(conn: sqlite3.Connection, rows: list[tuple[str, str, str, str]]) -> None:
    conn.executemany("INSERT INTO temp.name_staging (entity_id, norm, name, compact) VALUES (?, ?, ?, ?)", rows)
    rows.clear()


def rebuild_names(conn: sqlite3.Connection, progress: Progress | None = None, batch: int = 50_000) -> int:
    """Refill `names`, its trigram FTS index and the pass-join segments;
    returns the number of names rows.

    `progress`, if given, is called with the number of names done so far in
    each step (increments, for a progress bar whose total is the number of
    names plus aliases). Rows are streamed in batches of `batch`: memory does
    not grow with the KB."""
    # Secondary indexes are dropped and re-created: building an index once
    # from sorted data is far faster than updating it row by row.
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'names' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("DELETE FROM names")
    count = _fill_names(conn, _ALL, progress, batch, bare=True)
    # The FTS index first: with names_compact present SQLite reads the
    # content through that (smaller, covering) index, in compact order, and
    # FTS5 then gets rowids out of order and builds 3-4x slower.
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO names_words(names_words) VALUES ('rebuild')")
    rebuild_segments(conn)
    rebuild_word_grams(conn)
    for _, sql in indexes:
        conn.execute(sql)
    return count


def refresh_names(conn: sqlite3.Connection, entity_ids: Iterable[str]) -> int:
    """Make `names`, names_fts and name_grams right for these entities only;
    returns the number of names rows they now have.

    Call it after changing entities' names, aliases or name properties
    (official-name, name, identifier), or after adding entities, in the
    same transaction, with every entity whose rows changed. The rows come
    out as `rebuild_names` makes them (same normalisation, same choice among
    duplicates, same segments), under new row ids. Ids with no entity lose
    their rows; but an entity to be deleted needs `forget_names` BEFORE the
    DELETE, see there.

    The indexes must have been right before the change: names_fts is an
    external-content index, and a row leaves it only given the values it was
    indexed with, which are read from `names`. Cost: only these entities'
    rows, read and written through indexes (the ids go through a temp
    table, not a giant IN list). Mentions are not touched: see
    rebuild_mentions."""
    _fill_scope(conn, "name_scope", entity_ids)
    words = _drop_names_in_scope(conn)
    # new rows get ids above every remaining one, so they are found by range
    last = conn.execute("SELECT coalesce(max(id), 0) FROM names").fetchone()[0]
    count = _fill_names(conn, _SCOPED, None, 50_000, bare=False)
    conn.execute("INSERT INTO names_fts (rowid, compact) SELECT id, compact FROM names WHERE id > ?", (last,))
    conn.execute("INSERT INTO names_words (rowid, norm) SELECT id, norm FROM names WHERE id > ?", (last,))
    conn.execute(f"INSERT INTO name_grams (gram, name_id, compact) {_segments_sql('id > ?')} ORDER BY 1, 2", (last,))
    for (n,) in conn.execute("SELECT norm FROM names WHERE id > ?", (last,)):
        words.update(n.split())
    _sync_word_grams(conn, words)
    conn.execute("DELETE FROM temp.name_scope")
    return count


def forget_names(conn: sqlite3.Connection, entity_ids: Iterable[str]) -> None:
    """Take these entities out of `names`, names_fts and name_grams.

    Call it BEFORE deleting entities (or replacing them with INSERT OR
    REPLACE): with foreign keys on, the DELETE cascades to their `names`
    rows, and once those are gone their names_fts entries can no longer be
    removed (that needs the indexed values) nor their name_grams keys found.
    `refresh_names` afterwards with the same ids is harmless: it finds
    nothing to remove and no entity to add."""
    _fill_scope(conn, "name_scope", entity_ids)
    _sync_word_grams(conn, _drop_names_in_scope(conn))
    conn.execute("DELETE FROM temp.name_scope")


def _drop_names_in_scope(conn: sqlite3.Connection) -> set[str]:
    """Remove the name rows of the entities in temp.name_scope from names
    and its indexes; returns the words they held, whose word_grams the
    caller brings up to date (`_sync_word_grams`) once the new rows are in."""
    scope = "entity_id IN (SELECT id FROM temp.name_scope)"
    words: set[str] = set()
    for (n,) in conn.execute(f"SELECT norm FROM names WHERE {scope}"):
        words.update(n.split())
    # name_grams has no index on name_id: its rows go by primary key, the
    # keys recomputed from the names rows they were made from. One DELETE
    # per key: as a row-value IN list SQLite seeks by gram alone and reads
    # every name sharing the piece (thousands for 'l:0:che').
    keys = conn.execute(f"SELECT gram, name_id FROM ({_segments_sql(scope)})")
    conn.executemany("DELETE FROM name_grams WHERE gram = ? AND name_id = ?", keys)
    conn.execute(
        f"INSERT INTO names_fts (names_fts, rowid, compact) SELECT 'delete', id, compact FROM names WHERE {scope}"
    )
    conn.execute(
        f"INSERT INTO names_words (names_words, rowid, norm) SELECT 'delete', id, norm FROM names WHERE {scope}"
    )
    conn.execute(f"DELETE FROM names WHERE {scope}")
    return words


def _sync_word_grams(conn: sqlite3.Connection, words: set[str]) -> None:
    """word_grams holds the pieces of exactly the vocabulary's words: of
    `words` (those whose names came or went), add the pieces of each that
    some name still holds and drop those of each that none does."""
    keep: list[tuple[str, str]] = []
    gone: list[tuple[str, str]] = []
    for word in words:
        if len(word) < MIN_TYPO_WORD:
            continue
        held = conn.execute("SELECT 1 FROM names_vocab WHERE term = ?", (word,)).fetchone()
        (keep if held else gone).extend((k, word) for k in keys_of(word))
    if gone:
        conn.executemany("DELETE FROM word_grams WHERE gram = ? AND word = ?", gone)
    if keep:
        conn.executemany("INSERT OR IGNORE INTO word_grams (gram, word) VALUES (?, ?)", keep)


def _fill_scope(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> None:
    """temp.<table>(id) holds exactly `ids`: joined against, it reads only
    their rows, however many there are."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute(f"DELETE FROM temp.{table}")
    conn.executemany(f"INSERT OR IGNORE INTO temp.{table} (id) VALUES (?)", ((i,) for i in ids))


def _pieces_sql(rows: str, text: str, rest: str) -> str:
    """SELECT gram, <rest>: the pass-join pieces of `text` (a column of the
    SELECT `rows`, which must also give its length as `l`), as
    kbtui.kb.passjoin.keys_of cuts them.

    A string of length l is cut into SEGMENTS pieces, the shorter ones
    first; each piece is keyed by (l, piece number, text)."""
    k = SEGMENTS
    # With l = q*k + r: pieces 0 .. k-r-1 have q letters, the last r have q + 1.
    # Piece i starts at i*q + max(0, i - (k - r)).
    return f"""
        SELECT l || ':' || i || ':' ||
               substr({text}, 1 + i * (l / {k}) + max(0, i - ({k} - l % {k})),
                      l / {k} + (i >= {k} - l % {k})) AS gram, {rest}
        FROM ({rows}), (SELECT column1 AS i FROM (VALUES {", ".join(f"({i})" for i in range(k))}))"""


def _segments_sql(where: str) -> str:
    """SELECT gram, name_id, compact: the pass-join pieces of the compact
    forms of the names rows matching `where` (SQL on names.id and
    names.compact)."""
    rows = f"SELECT id, compact, length(compact) AS l FROM names WHERE length(compact) >= {SEGMENTS} AND {where}"
    return _pieces_sql(rows, "compact", "id AS name_id, compact")


def rebuild_word_grams(conn: sqlite3.Connection) -> None:
    """Fill word_grams with the pass-join pieces of every word of the
    names (names_vocab) long enough to tolerate a typo, sorted."""
    conn.execute("DELETE FROM word_grams")
    rows = f"SELECT term, length(term) AS l FROM names_vocab WHERE length(term) >= {MIN_TYPO_WORD}"
    conn.execute(f"INSERT INTO word_grams (gram, word) {_pieces_sql(rows, 'term', 'term')} ORDER BY 1, 2")


def rebuild_segments(conn: sqlite3.Connection) -> None:
    """Fill name_grams with the pass-join segments of every compact name,
    in one INSERT ... SELECT, sorted, so SQLite appends to the B-tree
    instead of seeking."""
    conn.execute("DELETE FROM name_grams")
    conn.execute(f"INSERT INTO name_grams (gram, name_id, compact) {_segments_sql('1')} ORDER BY 1, 2")


# -- source texts --------------------------------------------------------------


def rebuild_source_fts(conn: sqlite3.Connection) -> None:
    """Rebuild sources_fts (title and text of every source) from `sources`."""
    conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')")


def forget_sources(conn: sqlite3.Connection, source_ids: Iterable[str]) -> None:
    """Take these sources out of sources_fts. Call it BEFORE an UPDATE that
    changes a source's title or text, and before deleting a source (or an
    INSERT OR REPLACE over it), while the row still holds what was indexed:
    sources_fts is an external-content index, and removing a row from it
    needs the old values. Once per change: forgetting a source twice, or
    one that was never indexed, damages the index. Ids with no source are
    ignored. Pair it with `index_sources` after the write."""
    _fill_scope(conn, "source_scope", source_ids)
    conn.execute(
        "INSERT INTO sources_fts (sources_fts, rowid, title, text)"
        " SELECT 'delete', s.rowid, s.title, s.text FROM temp.source_scope ids CROSS JOIN sources s ON s.id = ids.id"
    )
    conn.execute("DELETE FROM temp.source_scope")


def index_sources(conn: sqlite3.Connection, source_ids: Iterable[str]) -> None:
    """Add these sources to sources_fts. Call it AFTER inserting a source,
    or after an update of its title or text that `forget_sources` preceded.
    Once per write: a source indexed twice is found twice. Ids with no
    source (deleted ones) are ignored, so the ids of every source an import
    wrote or removed can be passed after `forget_sources` got the existing
    ones."""
    _fill_scope(conn, "source_scope", source_ids)
    conn.execute(
        "INSERT INTO sources_fts (rowid, title, text)"
        " SELECT s.rowid, s.title, s.text FROM temp.source_scope ids CROSS JOIN sources s ON s.id = ids.id"
    )
    conn.execute("DELETE FROM temp.source_scope")


# -- mentions ------------------------------------------------------------------


def rebuild_mentions(conn: sqlite3.Connection) -> int:
    """Mark every place a text source names a known entity by a name or
    alias; returns the number of mentions.

    Matching is case-sensitive on whole words, longest name first, so "Xi"
    inside "Xi Jinping" is one mention of Xi Jinping, and lower-case words
    are not mistaken for names. A name form shared by two entities is
    skipped as ambiguous, unless all but one hold it only as a metonym or
    descriptor ("Beijing": the city, and China's metonym): then it is the
    one that holds it literally. Only sources of format 'text' are read:
    an FtM or CSV record is data, and its values are already claims.

    Above MENTIONS_MAX_FORMS name forms the one big regex would take
    minutes, so mentions are cleared and not computed (returns 0); a bulk
    loader that knows where its names occur writes them itself.

    Which entity a form means depends on every entity's names, so after
    names, aliases or name properties change anywhere this is the call;
    `refresh_mentions` covers only sources whose text changed.
    """
    conn.execute("DELETE FROM mentions")
    matcher = _mention_matcher(conn)
    if matcher is None:
        return 0
    return _write_mentions(conn, matcher, conn.execute("SELECT id, text FROM sources" + _text_only(conn, "WHERE")))


def mark_mentions(conn: sqlite3.Connection) -> int:
    """What rebuild_mentions marks (tests hold the two equal), found by
    reading each text word by word (kbtui.kb.mentions) with runs that begin
    no name dropped early: 1,000 texts of a 10k KB in ~15 s, against ~42 s
    for the one regex. The regex stays the reference (and migrate's way);
    an import that rewrites every text marks them so. Above
    MENTIONS_MAX_FORMS name forms it marks none, as rebuild_mentions."""
    conn.execute("DELETE FROM mentions")
    forms = conn.execute("SELECT count(*) FROM (SELECT DISTINCT name FROM names WHERE length(name) >= 2)")
    if forms.fetchone()[0] > MENTIONS_MAX_FORMS:
        return 0
    texts = [r[0] for r in conn.execute("SELECT id FROM sources" + _text_only(conn, "WHERE"))]
    long: list[str] = []
    count = mentions.refresh_sources(conn, texts, prune=True, long=long)
    matcher = _mention_matcher(conn) if long else None
    if matcher is None:
        return count
    for source_id in long:  # one at a time: each may be megabytes
        rows = conn.execute("SELECT id, text FROM sources WHERE id = ?", (source_id,))
        count += _write_mentions(conn, matcher, rows)
    return count


def refresh_mentions(conn: sqlite3.Connection, source_ids: Iterable[str]) -> int:
    """Redo the mentions of these sources only; returns how many they have.

    Right when the sources' texts were inserted or changed; after names
    changed, `refresh_entity_mentions` (a few entities) or rebuild_mentions.
    Deleted sources lose their mentions by ON DELETE CASCADE; their ids are
    ignored here. Each text is read word by word against the name index
    (kbtui.kb.mentions), so the cost is the texts', whatever the number of
    name forms (rebuild_mentions' one regex finds none above
    MENTIONS_MAX_FORMS; this does)."""
    return mentions.refresh_sources(conn, source_ids)


def refresh_entity_mentions(conn: sqlite3.Connection, forms: Iterable[str]) -> int:
    """After names, aliases or name properties changed (or entities were
    added or removed): redo the mentions of the texts that hold one of the
    name `forms` that came or went, found with the full-text index.
    Returns the texts read."""
    return mentions.refresh_entities(conn, forms)


def _text_only(conn: sqlite3.Connection, word: str) -> str:
    """` WHERE format = 'text'` where sources have a format (schema v4);
    before that every source is a text."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sources)")}
    return f" {word} format = 'text'" if "format" in columns else ""


# the mention regex and each form (spacing and quotes squashed) -> its entity
Matcher = tuple[re.Pattern[str], dict[str, str]]


def _mention_matcher(conn: sqlite3.Connection) -> Matcher | None:
    """The regex of every unambiguous name form, or None when there are
    none or more than MENTIONS_MAX_FORMS."""
    owners: dict[str, set[str]] = {}
    for entity_id, name, _ in name_rows(conn):
        if len(name) >= 2:
            owners.setdefault(name, set()).add(entity_id)
            if len(owners) > MENTIONS_MAX_FORMS:
                return None
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
    if not forms:
        return None
    pattern = re.compile(r"(?<!\w)(" + "|".join(flexible(f) for f in forms) + r")(?!\w)")
    return pattern, {_squash(f): next(iter(owners[f])) for f in forms}


def _write_mentions(conn: sqlite3.Connection, matcher: Matcher, sources: Iterator[tuple[str, str]]) -> int:
    """Insert the mentions found in `sources` (id, text), a batch at a time."""
    pattern, flat = matcher
    count = 0
    rows: list[tuple[str, str, int, int]] = []
    for source_id, text in sources:
        for m in pattern.finditer(text):
            owner = flat.get(_squash(m.group(1)))
            if owner:
                rows.append((source_id, owner, m.start(1), m.end(1)))
        if len(rows) >= 10_000:
            count += _insert_mentions(conn, rows)
    return count + _insert_mentions(conn, rows)


def _insert_mentions(conn: sqlite3.Connection, rows: list[tuple[str, str, int, int]]) -> int:
    before = conn.total_changes
    conn.executemany("INSERT OR IGNORE INTO mentions VALUES (?, ?, ?, ?)", rows)
    rows.clear()
    return conn.total_changes - before


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'"))
