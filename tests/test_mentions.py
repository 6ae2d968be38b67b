"""Mentions kept right incrementally (kbtui.kb.mentions): reading a few texts
word by word against the name index gives exactly what the whole-KB regex
of index.rebuild_mentions gives, so curating one entity or one article no
longer re-reads every text (35 s at 10,000 entities before)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.kb import curate, index, mentions


def _all(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return sorted(conn.execute("SELECT * FROM mentions").fetchall())


def _rebuilt(path: Path) -> list[tuple[object, ...]]:
    """The mentions a whole rebuild gives, without changing the file."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        index.rebuild_mentions(conn)
        return _all(conn)
    finally:
        conn.execute("ROLLBACK")
        conn.close()


# HEADS_FROM 1: every read prunes runs by how names begin (a bulk import's
# way); 10**9: none does (a curator's one article)
PRUNING = pytest.mark.parametrize("heads_from", [1, 10**9], ids=["pruned", "whole"])


@PRUNING
def test_reading_each_text_word_by_word_matches_the_rebuild_on_the_sample(tmp_path, sample_db, monkeypatch, heads_from):
    """The sample's texts hold the hard cases: "Beijing" the city and
    China's metonym, "the Times" and "The Times", curly apostrophes, names
    inside longer names."""
    monkeypatch.setattr(mentions, "HEADS_FROM", heads_from)
    kb = tmp_path / "kb.db"
    shutil.copy(sample_db, kb)
    want = _rebuilt(kb)
    conn = sqlite3.connect(kb, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("DELETE FROM mentions")
    count = mentions.refresh_sources(conn, [r[0] for r in conn.execute("SELECT id FROM sources")])
    assert _all(conn) == want and count == len(want) > 200
    conn.execute("ROLLBACK")
    conn.close()


def _curated(tmp_path: Path, mini_db: Path) -> tuple[Path, Path]:
    kb = tmp_path / "kb.db"
    shutil.copy(mini_db, kb)
    bundle = tmp_path / "notes"
    curate.new_bundle(bundle, kb)
    return kb, bundle


def test_an_added_entity_is_marked_where_texts_name_it(tmp_path, mini_db):
    kb, bundle = _curated(tmp_path, mini_db)
    text = tmp_path / "a.txt"
    text.write_text("Vladimir Putin met Chen Wenqing. Putin said little.\n", encoding="utf-8")
    curate.add_source(bundle, kb, text, {}, "a")
    conn = sqlite3.connect(kb)
    assert ("a", "chen-wenqing", 19, 31) in _all(conn)
    assert not any(m[1] == "vladimir-putin" for m in _all(conn))
    conn.close()
    curate.add_entity(bundle, kb, "person", "Vladimir Putin", aliases=("Putin",))
    conn = sqlite3.connect(kb)
    got = _all(conn)
    conn.close()
    assert ("a", "vladimir-putin", 0, 14) in got and ("a", "vladimir-putin", 33, 38) in got
    assert got == _rebuilt(kb)


def test_a_name_two_entities_share_is_no_longer_marked(tmp_path, mini_db):
    kb, bundle = _curated(tmp_path, mini_db)
    before = _rebuilt(kb)
    assert any(m[1] == "moscow" for m in before)
    # a second entity called "Moscow" (a ship): the city's marks go, as a rebuild would drop them
    curate.add_entity(bundle, kb, "product", "Moscow", "moscow-ship")
    conn = sqlite3.connect(kb)
    got = _all(conn)
    conn.close()
    assert not any(m[1] in ("moscow", "moscow-ship") for m in got)
    assert got == _rebuilt(kb)


def test_a_removed_claim_naming_an_entity_leaves_mentions_as_a_rebuild(tmp_path, mini_db):
    kb, bundle = _curated(tmp_path, mini_db)
    text = tmp_path / "a.txt"
    text.write_text("Patrushev and Chen met again in Moscow.\n", encoding="utf-8")
    curate.add_source(bundle, kb, text, {}, "a")
    change = curate.add_claim(
        bundle,
        kb,
        "relation",
        {"type": "met", "subject": "nikolai-patrushev", "object": "chen-wenqing"},
        [{"source": "a", "quote": "Patrushev and Chen met again"}],
    )
    curate.remove(kb, change.id)
    conn = sqlite3.connect(kb)
    got = _all(conn)
    conn.close()
    assert got == _rebuilt(kb)
    assert ("a", "moscow", 32, 38) in got


def test_removing_an_entity_that_shared_a_name_gives_the_name_back(tmp_path, mini_db):
    """An event named "Moscow" makes the city's mentions ambiguous; removing
    it must mark the city again, as a rebuild does."""
    kb, bundle = _curated(tmp_path, mini_db)
    text = tmp_path / "a.txt"
    text.write_text("Moscow hosted it. The talks in Moscow.\n", encoding="utf-8")
    curate.add_source(bundle, kb, text, {"published": "2024"}, "a")
    change = curate.add_claim(
        bundle,
        kb,
        "event",
        {"name": "Moscow", "participants": [{"entity": "chen-wenqing"}]},
        [{"source": "a", "quote": "Moscow hosted it"}],
    )
    conn = sqlite3.connect(kb)
    assert not any(m[1] == "moscow" for m in _all(conn))
    conn.close()
    curate.remove(kb, change.id)
    conn = sqlite3.connect(kb)
    got = _all(conn)
    conn.close()
    assert ("a", "moscow", 0, 6) in got and got == _rebuilt(kb)


@PRUNING
def test_names_that_begin_with_a_mark_or_run_long_are_marked_as_a_rebuild_marks_them(
    tmp_path, sample_db, monkeypatch, heads_from
):
    monkeypatch.setattr(mentions, "HEADS_FROM", heads_from)
    kb = tmp_path / "kb.db"
    shutil.copy(sample_db, kb)
    conn = sqlite3.connect(kb, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO entities (id, kind, name) VALUES ('ndr', 'organisation', '’Ndrangheta'),"
        " ('net', 'product', '.NET'), ('miit', 'organisation',"
        " 'Ministry of Industry and Information Technology of the People''s Republic of China')"
    )
    conn.execute(
        "UPDATE sources SET text = text || ' The ’Ndrangheta, .NET and the Ministry of Industry and Information"
        " Technology of the People''s Republic of China.' WHERE id = 'nr-chen-russia-trip'"
    )
    index.rebuild_names(conn)
    index.rebuild_mentions(conn)
    want = _all(conn)
    assert {m[1] for m in want} >= {"ndr", "net", "miit"}
    mentions.refresh_sources(conn, [r[0] for r in conn.execute("SELECT id FROM sources")])
    assert _all(conn) == want
    conn.execute("ROLLBACK")
    conn.close()


# -- the run keys, built a piece at a time, are the keys of the runs ----------------
_PIECES = [
    "Chen",
    "Wen-qing",
    "’s",
    "(FSB)",
    "U.S.",
    "Xi",
    "\n\n",
    " ",
    "\t",
    "—",
    "Müller",
    "Пётр",
    "北京",
    "ＡＢＣ",
    "ﬁ",
    ",",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30), st.data())
def test_run_keys_equal_the_key_of_each_run(pieces: list[str], data: st.DataObject) -> None:
    from kbtui.kb.mentions import MAX_WORDS, _RunKeys
    from kbtui.kb.normalize import compact, norm

    text = "".join(p + data.draw(st.sampled_from(["", " ", "  ", "\n"])) for p in pieces)
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    keys = _RunKeys(text)
    for i, (start, _) in enumerate(words):
        ends = [end for _, end in words[i : i + MAX_WORDS]]
        assert list(keys.runs(start, ends)) == [compact(norm(text[start:end])) for end in ends]


@pytest.mark.parametrize("long_text", [10**9, 1_000], ids=["word-by-word", "long-texts-by-regex"])
def test_an_import_marks_what_the_rebuild_marks(tmp_path, sample_db, monkeypatch, long_text):
    """index.mark_mentions, an import's way: pruned word by word, and a
    text over LONG_TEXT characters by the regex (the sample's are ~3-7k)."""
    monkeypatch.setattr(mentions, "LONG_TEXT", long_text)
    kb = tmp_path / "kb.db"
    shutil.copy(sample_db, kb)
    want = _rebuilt(kb)
    conn = sqlite3.connect(kb, isolation_level=None)
    conn.execute("BEGIN")
    assert index.mark_mentions(conn) == len(want) > 200
    assert _all(conn) == want
    conn.execute("ROLLBACK")
    conn.close()
