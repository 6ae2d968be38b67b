"""The derived indexes kept right row by row (kbtui.kb.index): after edits
to entities, aliases, name properties and sources, refresh_names /
forget_names / forget_sources / index_sources / refresh_mentions leave the
same rows a full rebuild makes, FTS5 indexes that pass their integrity check,
and search that finds the new names and not the old. The streaming
rebuild_names makes exactly the rows (ids included) of the plain algorithm
it replaced."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kbtui.kb import index
from kbtui.kb.check import derived
from kbtui.kb.normalize import compact, norm
from kbtui.kb.search import search


@pytest.fixture
def conn(tmp_path: Path, sample_db: Path) -> Iterator[sqlite3.Connection]:
    """A private copy of the sample KB, foreign keys on as an import has them."""
    path = tmp_path / "kb.db"
    shutil.copy(sample_db, path)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = ON")
    yield c
    c.close()


# -- what the indexes hold -------------------------------------------------------


def names(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return set(conn.execute("SELECT entity_id, name, norm, compact, is_primary FROM names"))


def grams(conn: sqlite3.Connection) -> Counter[tuple[Any, ...]]:
    """Every pass-join key with the name row it belongs to (row ids differ
    between a refresh and a rebuild, the rows they point at must not)."""
    return Counter(
        conn.execute(
            "SELECT g.gram, g.compact, n.entity_id, n.name, n.compact"
            " FROM name_grams g LEFT JOIN names n ON n.id = g.name_id"
        )
    )


def word_grams(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return set(conn.execute("SELECT gram, word FROM word_grams"))


def vocabulary(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    """Every word of the names, with how many names hold it."""
    return set(conn.execute("SELECT term, doc FROM names_vocab"))


Index = tuple[set[tuple[Any, ...]], Counter[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]


def _index(conn: sqlite3.Connection) -> Index:
    return names(conn), grams(conn), word_grams(conn), vocabulary(conn)


def rebuilt(conn: sqlite3.Connection) -> Index:
    """names, grams, word grams and the word vocabulary as a full rebuild
    makes them from the same data (on an in-memory copy, so `conn` is not
    touched)."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(copy)
    index.rebuild_names(copy)
    out = _index(copy)
    copy.close()
    return out


def assert_like_a_rebuild(conn: sqlite3.Connection) -> None:
    want_names, want_grams, want_words, want_vocab = rebuilt(conn)
    have_names, have_grams, have_words, have_vocab = _index(conn)
    assert have_names == want_names
    assert have_grams == want_grams
    assert have_vocab == want_vocab
    assert have_words == want_words
    assert not [g for g in grams(conn) if g[3] is None or g[1] != g[4]]  # no key of a gone or changed row
    fts_ok(conn, "names_fts")
    fts_ok(conn, "names_words")


def fts_ok(conn: sqlite3.Connection, table: str) -> None:
    """FTS5's integrity check, rank 1: the index also agrees with its
    external content table."""
    conn.execute("SAVEPOINT check_fts")
    try:
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.execute("ROLLBACK TO check_fts")
        conn.execute("RELEASE check_fts")


def fts_names(conn: sqlite3.Connection, text: str) -> set[tuple[str, str]]:
    """(entity_id, name) of the name rows names_fts finds `text` in."""
    phrase = '"' + compact(norm(text)) + '"'
    return set(
        conn.execute(
            "SELECT n.entity_id, n.name FROM names_fts f JOIN names n ON n.id = f.rowid WHERE names_fts MATCH ?",
            (phrase,),
        )
    )


def fts_rowids(conn: sqlite3.Connection, table: str, text: str) -> set[int]:
    return {r[0] for r in conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (text,))}


def add_property(conn: sqlite3.Connection, entity_id: str, prop: str, value: str) -> str:
    claim_id = f"test-{prop}-{conn.execute('SELECT max(rowid) + 1 FROM claims').fetchone()[0]}"
    conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'property')", (claim_id,))
    conn.execute(
        "INSERT INTO properties (claim_id, entity_id, property, value) VALUES (?, ?, ?, ?)",
        (claim_id, entity_id, prop, value),
    )
    return claim_id


def unreferenced_entities(conn: sqlite3.Connection) -> list[str]:
    """Entities nothing points at, which may be deleted with foreign keys on."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM entities e"
            " WHERE NOT EXISTS (SELECT 1 FROM roles WHERE e.id IN (holder_id, organisation_id))"
            " AND NOT EXISTS (SELECT 1 FROM relations WHERE e.id IN (subject_id, object_id))"
            " AND NOT EXISTS (SELECT 1 FROM participations WHERE entity_id = e.id)"
            " AND NOT EXISTS (SELECT 1 FROM events WHERE e.id IN (entity_id, place_id))"
            " AND NOT EXISTS (SELECT 1 FROM properties WHERE value = e.id)"
            " AND NOT EXISTS (SELECT 1 FROM citations WHERE speaker_id = e.id)"
            " ORDER BY id"
        )
    ]


# -- rebuild_names: the same rows as before -------------------------------------


def plain_rebuild(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The rows rebuild_names made before it streamed, in id order: every
    row of name_rows (its queries are the ones it ran) in one list, with a
    set of every (entity, norm) seen. The algorithm it replaced, kept as
    the reference."""
    rows = []
    seen: set[tuple[str, str]] = set()
    for entity_id, name, primary in list(index.name_rows(conn)):
        n = norm(name)
        if not n or (not primary and (entity_id, n) in seen):
            continue
        seen.add((entity_id, n))
        rows.append((entity_id, name, n, compact(n), primary))
    return rows


def test_rebuild_names_makes_the_rows_of_the_plain_algorithm_in_the_same_order(conn):
    # duplicates of every kind: an alias that is the main name again, two
    # properties that normalise alike, a property repeating an alias, one
    # that normalises to nothing
    conn.execute("BEGIN")
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('chen-wenqing', 'CHEN wenqing')")
    add_property(conn, "chen-wenqing", "name", "Chen, Wenqing")
    add_property(conn, "chen-wenqing", "name", "陈文清")
    add_property(conn, "chen-wenqing", "official-name", "陈文清")
    add_property(conn, "chen-wenqing", "identifier", "Chen")
    add_property(conn, "fsb", "identifier", "1027700011118")
    add_property(conn, "fsb", "name", "F.S.B.")
    add_property(conn, "fsb", "official-name", "FSB")
    add_property(conn, "svr", "name", "—")
    # the first of two alike is the first in (property, value) order, not
    # the first written
    add_property(conn, "svr", "name", "Sluzhba Vneshney Razvedki")
    add_property(conn, "svr", "identifier", "sluzhba vneshney razvedki.")
    for batch in (2, 50_000):  # batch boundaries change nothing
        index.rebuild_names(conn, batch=batch)
        got = conn.execute("SELECT entity_id, name, norm, compact, is_primary FROM names ORDER BY id").fetchall()
        assert got == plain_rebuild(conn)
        assert [r[0] for r in conn.execute("SELECT id FROM names ORDER BY id")] == list(range(1, len(got) + 1))
    conn.execute("COMMIT")
    rows = names(conn)
    assert [r for r in rows if r[0] == "fsb" and r[2] == "fsb"] == [("fsb", "F.S.B.", "fsb", "fsb", 0)]  # the alias
    assert not [r for r in rows if r[1] in ("Chen, Wenqing", "CHEN wenqing", "—")]
    assert len([r for r in rows if r[1] == "陈文清"]) == 1
    assert [r[1] for r in rows if r[2] == "sluzhba vneshney razvedki"] == ["sluzhba vneshney razvedki."]
    assert not conn.execute("SELECT name FROM sqlite_temp_master WHERE name LIKE 'name%'").fetchall()
    assert {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'names' AND type = 'index'")
    } == {
        "names_entity",
        "names_compact",
    }
    assert not derived(conn)


def test_rebuild_names_reports_progress_in_increments_that_add_up(conn):
    steps: list[int] = []
    total = index.rebuild_names(conn, progress=steps.append, batch=10)
    assert sum(steps) == total == conn.execute("SELECT count(*) FROM names").fetchone()[0]
    assert max(steps) <= 10 or len(steps) > 1


# -- refresh_names -----------------------------------------------------------------


def test_refresh_names_after_scripted_edits_equals_a_full_rebuild(conn):
    gone = unreferenced_entities(conn)[0]
    gone_names = {r[0] for r in conn.execute("SELECT name FROM names WHERE entity_id = ?", (gone,))}
    conn.execute("BEGIN")
    add_property(conn, "svr", "identifier", "SVR-1991-1106")
    index.refresh_names(conn, ["svr"])
    conn.execute("COMMIT")
    assert ("svr", "SVR-1991-1106") in fts_names(conn, "svr19911106")
    conn.execute("BEGIN")
    # rename
    conn.execute("UPDATE entities SET name = 'Zhang Qiaofeng' WHERE id = 'chen-wenqing'")
    # add and delete aliases, one of them the main name again
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('nikolai-patrushev', 'Nikolay Platonovich')")
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('nikolai-patrushev', 'NIKOLAI PATRUSHEV')")
    conn.execute("DELETE FROM aliases WHERE entity_id = 'avril-haines' AND alias = 'Haines'")
    # name properties: one new, one changed, one removed
    add_property(conn, "xi-jinping", "identifier", "XJP-1953-0615")
    conn.execute("UPDATE properties SET value = 'Federalnaya Sluzhba Bezopasnosti' WHERE entity_id = 'fsb'")
    conn.execute("DELETE FROM properties WHERE entity_id = 'svr' AND property = 'identifier'")
    # a new entity with aliases, and a deleted one (forgotten first: the
    # delete cascades to its names rows)
    conn.execute("INSERT INTO entities (id, kind, name) VALUES ('qiao-mu', 'person', 'Qiao Mu')")
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('qiao-mu', 'Mu Qiao')")
    index.forget_names(conn, [gone])
    conn.execute("DELETE FROM entities WHERE id = ?", (gone,))
    touched = ["chen-wenqing", "nikolai-patrushev", "avril-haines", "xi-jinping", "fsb", "svr", "qiao-mu", gone]
    index.refresh_names(conn, touched)
    conn.execute("COMMIT")

    assert_like_a_rebuild(conn)
    assert not derived(conn)
    assert ("chen-wenqing", "Zhang Qiaofeng") in fts_names(conn, "Zhang Qiaofeng")
    assert not any(e == "chen-wenqing" for e, _ in fts_names(conn, "Chen Wenqing"))
    assert ("nikolai-patrushev", "Nikolay Platonovich") in fts_names(conn, "platonovich")
    assert ("avril-haines", "Haines") not in fts_names(conn, "Haines")
    assert ("xi-jinping", "XJP-1953-0615") in fts_names(conn, "xjp19530615")
    assert ("qiao-mu", "Mu Qiao") in fts_names(conn, "Mu Qiao")
    assert ("fsb", "Federalnaya Sluzhba Bezopasnosti") in fts_names(conn, "sluzhba")
    assert not fts_names(conn, "svr19911106")
    for name in gone_names:
        assert not any(e == gone for e, _ in fts_names(conn, name))
    assert not conn.execute("SELECT 1 FROM names WHERE entity_id = ?", (gone,)).fetchall()


def test_search_finds_a_renamed_entity_after_refresh_names(conn):
    assert search(conn, "Chen Wenqing")[0].id == "chen-wenqing"
    conn.execute("BEGIN")
    conn.execute("UPDATE entities SET name = 'Zhang Qiaofeng' WHERE id = 'chen-wenqing'")
    index.refresh_names(conn, ["chen-wenqing"])
    conn.execute("COMMIT")
    assert search(conn, "Zhang Qiaofeng")[0].id == "chen-wenqing"
    assert search(conn, "Zhang Qiaofenq")[0].id == "chen-wenqing"  # a typo: through name_grams
    assert search(conn, "qiaofeng")[0].id == "chen-wenqing"  # one word: through names_fts
    # the old main name is gone: what is left matches through an alias
    assert all(h.matched for h in search(conn, "Chen Wenqing") if h.id == "chen-wenqing")


def test_refresh_names_with_foreign_keys_off_drops_a_deleted_entity(conn):
    conn.execute("PRAGMA foreign_keys = OFF")
    gone = unreferenced_entities(conn)[-1]
    conn.execute("BEGIN")
    conn.execute("DELETE FROM aliases WHERE entity_id = ?", (gone,))
    conn.execute("DELETE FROM entities WHERE id = ?", (gone,))
    assert index.refresh_names(conn, [gone, "never-an-entity"]) == 0
    conn.execute("COMMIT")
    assert_like_a_rebuild(conn)
    assert not derived(conn)


def test_refresh_names_of_nothing_changes_nothing(conn):
    before = names(conn), grams(conn)
    conn.execute("BEGIN")
    index.refresh_names(conn, [])
    index.forget_names(conn, [])
    conn.execute("COMMIT")
    assert (names(conn), grams(conn)) == before
    # and of everything, twice: the same rows as the rebuild
    conn.execute("BEGIN")
    every = [r[0] for r in conn.execute("SELECT id FROM entities")]
    index.refresh_names(conn, every)
    index.refresh_names(conn, every)
    conn.execute("COMMIT")
    assert (names(conn), grams(conn)) == before
    fts_ok(conn, "names_fts")


WORDS = ["Chen", "Wenqing", "Wen", "Qing", "Patrushev", "Nikolai", "Xi", "Li", "Wang", "Zhang", "FSB", "F.S.B."]
ODD = ["—", "!!", "陈文清", "Чэнь", "Ｆｕｌｌ", "  spaced  out ", "o’brien", "O'Brien"]


def random_name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(ODD)
    words = rng.choices(WORDS, k=rng.randint(1, 3))
    name = " ".join(w.upper() if rng.random() < 0.2 else w for w in words)
    return name


def random_edits(conn: sqlite3.Connection, rng: random.Random, n: int) -> set[str]:
    """`n` random edits to names, aliases, name properties and entities;
    returns the ids of the entities touched."""
    touched: set[str] = set()
    ids = [r[0] for r in conn.execute("SELECT id FROM entities ORDER BY id")]
    for _ in range(n):
        op = rng.choice(["rename", "alias", "unalias", "property", "unproperty", "add", "delete", "reprop"])
        entity_id = rng.choice(ids)
        if op == "rename":
            conn.execute("UPDATE entities SET name = ? WHERE id = ?", (random_name(rng), entity_id))
        elif op == "alias":
            conn.execute(
                "INSERT OR IGNORE INTO aliases (entity_id, alias) VALUES (?, ?)", (entity_id, random_name(rng))
            )
        elif op == "unalias":
            conn.execute(
                "DELETE FROM aliases WHERE entity_id = ?1"
                " AND alias = (SELECT min(alias) FROM aliases WHERE entity_id = ?1)",
                (entity_id,),
            )
        elif op == "property":
            add_property(conn, entity_id, rng.choice(index.NAME_PROPERTIES), random_name(rng))
        elif op == "reprop":
            conn.execute(
                "UPDATE properties SET value = ? WHERE claim_id = (SELECT min(claim_id) FROM properties"
                " WHERE entity_id = ? AND property IN ('name', 'official-name', 'identifier'))",
                (random_name(rng), entity_id),
            )
        elif op == "unproperty":
            conn.execute(
                "DELETE FROM claims WHERE id = (SELECT max(claim_id) FROM properties WHERE entity_id = ?"
                " AND property IN ('name', 'official-name', 'identifier'))",
                (entity_id,),
            )
        elif op == "add":
            entity_id = f"random-{len(ids)}-{rng.randrange(10**6)}"
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'person', ?)", (entity_id, random_name(rng)))
            ids.append(entity_id)
        elif op == "delete" and entity_id in unreferenced_entities(conn):
            index.forget_names(conn, [entity_id])
            conn.execute("DELETE FROM entities WHERE id = ?", (entity_id,))
            ids.remove(entity_id)
        touched.add(entity_id)
    return touched


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_refresh_names_after_random_edits_equals_a_full_rebuild(conn, seed):
    rng = random.Random(seed)
    for _ in range(6):  # rounds of edits, each refreshed, 300 edits in all
        conn.execute("BEGIN")
        touched = random_edits(conn, rng, 50)
        index.refresh_names(conn, sorted(touched))
        conn.execute("COMMIT")
        assert_like_a_rebuild(conn)
    assert not derived(conn)


def test_refresh_names_reads_only_the_rows_of_its_entities(tmp_path, sample_db):
    """Every statement of refresh_names, forget_names, forget_sources and
    index_sources reaches the KB's tables through an index: none scans a
    whole table (the ids come from a temp table, `ids`)."""
    plans: list[tuple[str, str]] = []

    class Explaining(sqlite3.Connection):
        def _explain(self, sql: str, args: Any) -> None:
            if sql.lstrip().upper().startswith(("SELECT", "INSERT", "DELETE", "UPDATE")):
                for row in super().execute("EXPLAIN QUERY PLAN " + sql, args):
                    plans.append((" ".join(sql.split()), row[3]))

        def execute(self, sql: str, args: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
            self._explain(sql, args)
            return super().execute(sql, args)

        def executemany(self, sql: str, rows: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
            rows = list(rows)
            self._explain(sql, rows[0] if rows else ())
            return super().executemany(sql, rows)

    path = tmp_path / "kb.db"
    shutil.copy(sample_db, path)
    conn = sqlite3.connect(path, isolation_level=None, factory=Explaining)
    conn.execute("BEGIN")
    index.refresh_names(conn, ["chen-wenqing", "fsb"])
    index.forget_names(conn, ["xi-jinping"])
    index.forget_sources(conn, ["examiner-spy-chiefs-moscow", "biden-admin-intel-china"])
    index.index_sources(conn, ["biden-admin-intel-china"])
    conn.execute("ROLLBACK")
    conn.close()
    scans = [
        (sql, step)
        for sql, step in plans
        if re.match(
            r"SCAN (?!ids\b|staged\b|temp\.|\(subquery|\d+ CONSTANT|names_vocab VIRTUAL TABLE INDEX [1-9])", step
        )
    ]
    assert plans and not scans


# -- sources_fts ---------------------------------------------------------------------


def test_forget_and_index_sources_keep_sources_fts_right(conn):
    old_rowid = conn.execute("SELECT rowid FROM sources WHERE id = 'biden-admin-intel-china'").fetchone()[0]
    assert old_rowid in fts_rowids(conn, "sources_fts", "deescalate")
    conn.execute("BEGIN")
    # an update of title and text: forgotten before, indexed after
    index.forget_sources(conn, ["biden-admin-intel-china"])
    conn.execute(
        "UPDATE sources SET title = 'Quokka sighting', text = 'A quokka was seen near the harbour.'"
        " WHERE id = 'biden-admin-intel-china'"
    )
    # a new source, and one inserted and deleted again
    for sid in ("new-one", "short-lived"):
        conn.execute(
            "INSERT INTO sources (id, title, text, sha256) VALUES (?, ?, ?, ?)",
            (sid, f"Title of {sid}", f"Wombats burrow; {sid} says so.", "0" * 64),
        )
    index.index_sources(conn, ["biden-admin-intel-china", "new-one", "short-lived", "no-such-source"])
    index.forget_sources(conn, ["short-lived", "no-such-source"])
    conn.execute("DELETE FROM sources WHERE id = 'short-lived'")
    conn.execute("COMMIT")

    fts_ok(conn, "sources_fts")
    assert not derived(conn)
    assert fts_rowids(conn, "sources_fts", "quokka") == {old_rowid}
    assert old_rowid not in fts_rowids(conn, "sources_fts", "deescalate")
    new_rowid = conn.execute("SELECT rowid FROM sources WHERE id = 'new-one'").fetchone()[0]
    assert fts_rowids(conn, "sources_fts", "wombats") == {new_rowid}
    # the same answers as a rebuilt index
    copy = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(copy)
    index.rebuild_source_fts(copy)
    for word in ("quokka", "wombats", "deescalate", "china", "moscow", "title"):
        assert fts_rowids(conn, "sources_fts", word) == fts_rowids(copy, "sources_fts", word), word


# -- mentions --------------------------------------------------------------------------


def mentions(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return set(conn.execute('SELECT source_id, entity_id, start, "end" FROM mentions'))


def test_refresh_mentions_of_a_changed_text_equals_rebuild(conn):
    assert mentions(conn)
    conn.execute("BEGIN")
    index.forget_sources(conn, ["biden-admin-intel-china"])
    conn.execute(
        "UPDATE sources SET text = 'Xi Jinping met Vladimir Putin; Nikolai Patrushev and Chen Wenqing took notes.'"
        " WHERE id = 'biden-admin-intel-china'"
    )
    conn.execute(
        "INSERT INTO sources (id, title, text, sha256) VALUES ('fresh', 'Fresh', 'Wang Yi spoke to Avril Haines.', ?)",
        ("0" * 64,),
    )
    index.index_sources(conn, ["biden-admin-intel-china", "fresh"])
    count = index.refresh_mentions(conn, ["biden-admin-intel-china", "fresh"])
    conn.execute("COMMIT")
    incremental = mentions(conn)
    assert count == sum(1 for m in incremental if m[0] in ("biden-admin-intel-china", "fresh"))
    assert {m[1] for m in incremental if m[0] == "fresh"} == {"wang-yi", "avril-haines"}
    conn.execute("BEGIN")
    index.rebuild_mentions(conn)
    conn.execute("COMMIT")
    assert incremental == mentions(conn)


def test_records_get_no_mentions(conn):
    """An FtM or CSV record is data, not prose: only texts are scanned."""
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO sources (id, title, text, sha256, format) VALUES ('rec', 'Record', ?, ?, 'ftm')",
        ('{"id": "x", "properties": {"name": ["Xi Jinping"]}}', "0" * 64),
    )
    conn.execute(
        "INSERT INTO sources (id, title, text, sha256, format) VALUES ('row', 'Row', 'Xi Jinping,China', ?, 'csv')",
        ("1" * 64,),
    )
    assert index.rebuild_mentions(conn) > 0
    assert index.refresh_mentions(conn, ["rec", "row"]) == 0
    conn.execute("COMMIT")
    assert not conn.execute("SELECT 1 FROM mentions WHERE source_id IN ('rec', 'row')").fetchall()


def test_mentions_without_a_format_column_scan_every_source():
    """Before schema v4 sources had no format: every one is a text."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript("""
        CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE aliases (entity_id TEXT, alias TEXT, kind TEXT DEFAULT 'alias');
        CREATE TABLE properties (entity_id TEXT, property TEXT, value TEXT);
        CREATE TABLE sources (id TEXT PRIMARY KEY, text TEXT);
        CREATE TABLE mentions (source_id TEXT, entity_id TEXT, start INTEGER, "end" INTEGER,
                               PRIMARY KEY (source_id, start, entity_id));
        INSERT INTO entities VALUES ('xi-jinping', 'Xi Jinping');
        INSERT INTO sources VALUES ('a', 'Xi Jinping spoke.'), ('b', 'Then Xi Jinping left.');
    """)
    # (rebuild_mentions is what a migration runs on such a file; refresh_mentions
    # needs the current schema's name index)
    assert index.rebuild_mentions(conn) == 2
    assert mentions(conn) == {("a", "xi-jinping", 0, 10), ("b", "xi-jinping", 5, 15)}
