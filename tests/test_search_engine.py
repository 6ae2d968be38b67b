"""The search engine: one normalisation, pass-join typo candidates, ranking,
kind filter, matched alias, and inputs that must never raise."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from kbtui.kb import db, index
from kbtui.kb.normalize import compact, norm
from kbtui.kb.passjoin import keys_of, segment_keys
from kbtui.kb.search import Hit, browse, match_spans, search, typo_budget, typo_neighbours

ENTITIES = [
    (
        "nikolai-patrushev",
        "person",
        "Nikolai Patrushev",
        [("Николай Патрушев", "transliteration"), ("Patrushev", "surname")],
    ),
    ("chen-wenqing", "person", "Chen Wenqing", [("陈文清", "transliteration"), ("Chen Wen-qing", "alias")]),
    (
        "federal-security-service",
        "organisation",
        "Federal Security Service",
        [("F.S.B.", "abbreviation"), ("ФСБ", "transliteration")],
    ),
    ("jose-maria-fernandez", "person", "José María Fernández", []),
    ("wang-yi", "person", "Wang Yi", [("Yi", "surname")]),
    ("wang-yu", "person", "Wang Yu", []),
    ("wang-group", "organisation", "Wang Energy Holdings", []),
    ("xi-jinping", "person", "Xi Jinping", [("习近平", "transliteration")]),
    ("sergey-shoigu", "person", "Sergey Kuzhugetovich Shoigu", [("Сергей Шойгу", "transliteration")]),
    ("beijing", "place", "Beijing", []),
]


def _kb(path: Path, entities: list, filler: int = 0) -> Path:
    conn = db.connect_writable(path, create=True)
    conn.execute("BEGIN")
    rows = list(entities)
    rng = random.Random(5)
    firsts = ["Ivan", "Petr", "Olga", "Anna", "Li", "Wei", "Zhang", "Hong", "John", "Mary"]
    lasts = ["Ivanov", "Petrova", "Smirnov", "Chen", "Wang", "Liu", "Smith", "Brown", "Patrushin", "Wenqin"]
    for i in range(filler):
        rows.append((f"filler-{i}", "person", f"{rng.choice(firsts)} {rng.choice(lasts)}{i % 97}", []))
    for id_, kind, name, aliases in rows:
        conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", (id_, kind, name))
        conn.executemany(
            "INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, ?)", [(id_, a, k) for a, k in aliases]
        )
    index.rebuild_names(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path = _kb(tmp_path_factory.mktemp("search") / "kb.db", ENTITIES, filler=3000)
    conn = db.connect_readonly(path)
    yield conn
    conn.close()


def _top(conn: sqlite3.Connection, query: str, **kw) -> Hit:
    hits = search(conn, query, **kw)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


# --- normalisation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("F.S.B.", "fsb"),
        ("F. S. B.", "FSB"),
        ("chen wen qing", "Chen Wenqing"),
        ("Chen Wen-qing", "chenwenqing"),
        ("José María Fernández", "jose maria fernandez"),
        ("Николай Патрушев", "Nikolay Patrushev"),
        ("陈文清", "Chen Wenqing"),
        ("Xi\u00a0Jinping", "xi jinping"),
        ("O’Brien", "OBrien"),
    ],
)
def test_one_normalisation_for_index_and_query(a: str, b: str):
    assert compact(norm(a)) == compact(norm(b))


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.lists(
        st.sampled_from(
            ["Chen", "Wen-qing", "Пётр", "陈文清", "F.S.B.", " ", "\t", "\u00a0", "\u0301", "José", "ß", "ﬁ", "\u2028"]
        ),
        max_size=8,
    ).map("".join)
)
def test_indexing_normaliser_equals_norm(text: str):
    """index.py memoises norm per word for speed; it must change nothing."""
    assert index._normaliser()(text) == norm(text)


def test_norm_is_ascii_lowercase_single_spaced():
    assert norm("  Sánchez-PÉREZ,   Ángel ") == "sanchez perez angel"


# --- finding things -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fsb", "federal-security-service"),
        ("F.S.B.", "federal-security-service"),
        ("ФСБ", "federal-security-service"),
        ("chen wen qing", "chen-wenqing"),
        ("chenwenqing", "chen-wenqing"),
        ("陈文清", "chen-wenqing"),
        ("Wenqing Chen", "chen-wenqing"),
        ("Николай Патрушев", "nikolai-patrushev"),
        ("fernandez", "jose-maria-fernandez"),
        ("jose maria fernandez", "jose-maria-fernandez"),
        ("Sergey Shoigu", "sergey-shoigu"),  # middle name dropped
        ("shoigu", "sergey-shoigu"),  # a word inside the name
        ("Federal Secu", "federal-security-service"),  # still typing
    ],
)
def test_name_forms_find_the_entity(kb: sqlite3.Connection, query: str, expected: str):
    assert _top(kb, query).id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("patrushv", "nikolai-patrushev"),  # dropped letter
        ("Nikolia Patrushev", "nikolai-patrushev"),  # swapped letters
        ("Nikolai Patrushef", "nikolai-patrushev"),  # keyboard neighbour
        ("Nikloai Patrusjev", "nikolai-patrushev"),  # two typos
        ("Chen Wenqnig", "chen-wenqing"),
        ("Federal Sceurity Servise", "federal-security-service"),
        ("Xi Jinpign", "xi-jinping"),
        ("Sergey Kuzhugetovich Shoigy", "sergey-shoigu"),
    ],
)
def test_typos_are_tolerated(kb: sqlite3.Connection, query: str, expected: str):
    hits = search(kb, query, limit=5)
    assert expected in [h.id for h in hits], [h.name for h in hits]
    assert hits[0].id == expected


def test_exact_and_prefix_rank_first_with_full_score(kb: sqlite3.Connection):
    hits = search(kb, "Wang Yi")
    assert hits[0].id == "wang-yi" and hits[0].score == 100.0
    assert all(0 <= h.score <= 100 for h in hits)
    prefix = search(kb, "Wang Energy")
    assert prefix[0].id == "wang-group" and prefix[0].score >= 95


def test_matched_alias_is_reported(kb: sqlite3.Connection):
    hit = _top(kb, "F.S.B.")
    assert hit.name == "Federal Security Service"
    assert hit.matched == "F.S.B."
    assert _top(kb, "Federal Security Service").matched is None
    assert _top(kb, "Патрушев").matched == "Patrushev"  # surname alias, same normal form


def test_kind_filter(kb: sqlite3.Connection):
    orgs = search(kb, "wang", kind="organisation")
    assert orgs and {h.kind for h in orgs} == {"organisation"}
    assert orgs[0].id == "wang-group"
    people = search(kb, "wang", kind="person")
    assert people and {h.kind for h in people} == {"person"}
    assert search(kb, "beijing", kind="event") == []


def test_each_entity_once_and_limit_respected(kb: sqlite3.Connection):
    hits = search(kb, "chen", limit=7)
    assert len(hits) <= 7
    assert len({h.id for h in hits}) == len(hits)


def test_as_json_shape(kb: sqlite3.Connection):
    data = _top(kb, "fsb").as_json()
    assert set(data) == {"id", "kind", "name", "score", "matched", "reason"}
    assert data["reason"] == "alias: exact"
    assert data["kind"] == "organisation"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '""',
        "'",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "*",
        "a*",
        "(",
        ")",
        "^",
        ":",
        "-",
        "fsb OR 1=1",
        "'; DROP TABLE names; --",
        "name:chen",
        "\x00",
        "\\",
        "%",
        "_",
        "🦆🦆",
        "ß" * 50,
        "a" * 10_000,
        "chen " * 2000,
        "Ω≈ç√∫",
        "\u202e\u0301",
        "1234567890" * 30,
    ],
)
def test_odd_input_never_raises(kb: sqlite3.Connection, query: str):
    hits = search(kb, query)
    assert isinstance(hits, list)
    assert all(0 <= h.score <= 100 for h in hits)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_text_never_raises(kb: sqlite3.Connection, query: str):
    hits = search(kb, query, limit=5)
    assert len(hits) <= 5
    assert len({h.id for h in hits}) == len(hits)


def test_a_kb_without_pieces_still_searches(tmp_path: Path):
    """A KB indexed before name_grams held pass-join pieces loses typo
    candidates, not search."""
    path = _kb(tmp_path / "old.db", ENTITIES)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE name_grams")
        conn.execute("CREATE TABLE name_grams (gram TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID")
    conn = sqlite3.connect(path)
    assert search(conn, "Chen Wenqing")[0].id == "chen-wenqing"
    assert isinstance(search(conn, "Chen Wenqnig"), list)


# --- the pass-join candidate index --------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcn", min_size=3, max_size=18), st.data())
def test_pass_join_keys_cover_every_name_within_the_budget(name: str, data):
    """Whatever two edits turn `name` into, the query's keys include one of
    the name's pieces: the index can never miss a name within the budget."""
    query = list(name)
    for _ in range(data.draw(st.integers(0, 2))):
        op = data.draw(st.sampled_from(["sub", "del", "ins"]))
        i = data.draw(st.integers(0, len(query)))
        if op == "sub" and i < len(query):
            query[i] = data.draw(st.sampled_from("abcnz"))
        elif op == "del" and i < len(query) and len(query) > 1:
            del query[i]
        else:
            query.insert(i, data.draw(st.sampled_from("abcnz")))
    q = "".join(query)
    distance = Levenshtein.distance(q, name)
    pieces = set(keys_of(name))  # as the index stores names (and words)
    for budget in (1, 2):
        if distance <= budget:
            assert pieces & set(segment_keys(q, budget)), (name, q, budget)


def test_typo_budget_grows_with_length():
    assert [typo_budget(n) for n in (1, 4, 5, 7, 8, 20)] == [0, 0, 1, 1, 2, 2]


def test_typo_neighbours_finds_close_names_closest_first(kb: sqlite3.Connection):
    close = typo_neighbours(kb, "nikolaipatrushef", 2)
    assert close[0] == "nikolaipatrushev"
    assert typo_neighbours(kb, "zzzzzzzzzz", 2) == []


def test_index_pieces_match_names(kb: sqlite3.Connection):
    names = kb.execute("SELECT count(*) FROM names WHERE length(compact) >= 3").fetchone()[0]
    pieces = kb.execute("SELECT count(*) FROM name_grams").fetchone()[0]
    assert pieces == 3 * names
    gram, name_compact = kb.execute(
        "SELECT gram, compact FROM name_grams WHERE compact = 'chenwenqing' ORDER BY gram"
    ).fetchone()
    assert gram == "11:0:che" and name_compact == "chenwenqing"


def test_rebuild_names_is_idempotent(tmp_path: Path):
    path = _kb(tmp_path / "kb.db", ENTITIES)
    conn = db.connect_writable(path)

    def snapshot() -> tuple:
        return (
            conn.execute("SELECT entity_id, name, norm, compact, is_primary FROM names ORDER BY 1, 2").fetchall(),
            conn.execute("SELECT gram, compact FROM name_grams ORDER BY 1, 2").fetchall(),
        )

    before = snapshot()
    index.rebuild_names(conn)
    assert snapshot() == before
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'names'")}
    assert {"names_compact", "names_entity"} <= indexes


def test_mentions_are_skipped_for_huge_name_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = _kb(tmp_path / "kb.db", ENTITIES)
    conn = db.connect_writable(path)
    monkeypatch.setattr(index, "MENTIONS_MAX_FORMS", 3)
    assert index.rebuild_mentions(conn) == 0
    assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 0


def test_browse_lists_entities_alphabetically(kb: sqlite3.Connection):
    first = browse(kb, limit=30)
    assert len(first) == 30 and len({h.id for h in first}) == 30
    keys = [compact(norm(h.name)) for h in first]
    assert keys == sorted(keys)
    people = browse(kb, limit=5, kind="person")
    assert len(people) == 5 and {h.kind for h in people} == {"person"}
    assert [h.id for h in browse(kb, kind="place")] == ["beijing"]
    assert browse(kb, kind="event") == []


# --- highlighting -----------------------------------------------------------------


def test_match_spans_point_into_the_display_name():
    spans = match_spans("chen wen", "Chen Wenqing")
    assert spans and spans[0][0] == 0
    assert all(0 <= a < b <= len("Chen Wenqing") for a, b in spans)
    assert match_spans("x", "ß") == []  # casefold changes length: no spans rather than wrong ones


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0xC0, max_codepoint=0x24F) | st.sampled_from("ab -'"), max_size=12))
def test_accented_latin_folds_as_anyascii_does(text: str):
    """norm strips the accents of Latin letters itself (anyascii's import
    costs a one-shot search ~12 ms): the result must be what anyascii
    gives, or every KB indexed before would stop matching."""
    from anyascii import anyascii

    assert norm(text) == norm(anyascii(unicodedata.normalize("NFKC", text)))
