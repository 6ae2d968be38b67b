"""Word-level search (kbtui.kb.words, kbtui.kb.titles, kbtui.kb.passjoin):
every query form people type against the words of names. Words from the
middle of a name in any order, a typo in one word of a long name, initials,
surname first, German transliteration, role titles and their acronyms,
every word ranked above some, the all-but-one fallback, typo candidates
that can never be missed within the budget, the word index kept right row
by row, and input that never breaks search.

The KB below is small and full of distractors: each test names the entity
that must come first and those that must not, so a broken stage fails it."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from kbtui.kb import db, index, passjoin, titles, words
from kbtui.kb.normalize import norm
from kbtui.kb.search import Hit, search
from tests.test_index_incremental import assert_like_a_rebuild

# (id, kind, name, aliases)
Entity = tuple[str, str, str, list[tuple[str, str]]]

ENTITIES: list[Entity] = [
    # initials and surname first: one Oleg among other Tsvetkovs
    ("oleg-tsvetkov", "person", "Oleg Fedorovich Tsvetkov", []),
    ("olga-tsvetkova", "person", "Olga Tsvetkova", []),
    ("ivan-tsvetkov", "person", "Ivan Tsvetkov", []),
    ("tsvetkov-oil", "organisation", "Tsvetkov Oil Company", []),
    # two initials
    ("aa-efimov", "person", "Aleksandr Andreevich Efimov", []),
    ("av-efimov", "person", "Anatoly Vasilyevich Efimov", []),
    ("andrei-efimov", "person", "Andrei Efimov", []),
    ("viktor-efimov", "person", "Viktor Efimov", []),
    # German folding
    ("wurth", "organisation", "Würth Group", []),
    ("wurst", "organisation", "Wurst Kitchen", []),
    ("dvag", "organisation", "Deutsche Vermögensberatung AG", []),
    ("deutsche-bank", "organisation", "Deutsche Bank", []),
    # words from the middle and the end of long names
    ("sci-dubai", "organisation", "State Committee of Internal Affairs of Dubai", []),
    ("scf-dubai", "organisation", "State Committee of Forestry of Dubai", []),
    ("mia-oman", "organisation", "Ministry of Internal Affairs of Oman", []),
    # typos
    ("kalashnikov", "organisation", "Kalashnikov Concern", []),
    ("kalinin", "organisation", "Kalinin Works", []),
    ("fsb", "organisation", "Federal Security Service", [("F.S.B.", "abbreviation")]),
    ("fps", "organisation", "Federal Protective Service", []),
    ("fts", "organisation", "Federal Tax Service", []),
    ("sbu", "organisation", "Security Service of Ukraine", []),
    ("security-council", "organisation", "Security Council of Russia", []),
    ("city-council", "organisation", "Moscow City Council", []),
    # the all-but-one fallback
    ("moscow", "place", "Moscow", []),
    ("moscow-exchange", "organisation", "Moscow Exchange", []),
    # role titles
    ("united-states", "country", "United States", []),
    ("national-intelligence-agency", "organisation", "National Intelligence Agency", []),
    ("margaret-ellison", "person", "Margaret Ellison", []),
    ("tobias-renner", "person", "Tobias Renner", []),
    ("karl-brandt", "person", "Karl Brandt", []),
    ("pavel-grachev", "person", "Pavel Grachev", []),
    ("boris-lunin", "person", "Boris Lunin", []),
]

# (holder, organisation, title)
ROLES = [
    ("margaret-ellison", "united-states", "Director of National Intelligence"),
    ("tobias-renner", "united-states", "Deputy Director of National Intelligence"),
    ("karl-brandt", "national-intelligence-agency", "Director"),
    ("pavel-grachev", "security-council", "Secretary"),
    ("boris-lunin", "fts", "Secretary"),
]

# common names around them, none holding a word the tests look for
FIRSTS = ["Oleg", "Olga", "Ivan", "Anna", "Andrei", "Boris", "Sergei", "Viktor", "Pavel", "Marina"]
LASTS = ["Ivanov", "Petrova", "Smirnov", "Sokolov", "Popov", "Kuznetsov", "Morozov", "Volkov", "Lebedev"]


def _fill(conn: sqlite3.Connection, entities: list[Entity], roles: list[tuple[str, str, str]]) -> None:
    for id_, kind, name, aliases in entities:
        conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", (id_, kind, name))
        conn.executemany(
            "INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, ?)", [(id_, a, k) for a, k in aliases]
        )
    for i, (holder, org, title) in enumerate(roles):
        claim = f"role-{i}"
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'role')", (claim,))
        conn.execute(
            "INSERT INTO roles (claim_id, holder_id, organisation_id, title, status) VALUES (?, ?, ?, ?, 'current')",
            (claim, holder, org, title),
        )


def _build(path: Path, filler: int = 400) -> Path:
    conn = db.connect_writable(path, create=True)
    conn.execute("BEGIN")
    rng = random.Random(11)
    rows = list(ENTITIES) + [
        (f"filler-{i}", "person", f"{rng.choice(FIRSTS)} {rng.choice(LASTS)}", []) for i in range(filler)
    ]
    _fill(conn, rows, ROLES)
    index.rebuild_names(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("words") / "kb.db")


@pytest.fixture(scope="module")
def kb(kb_path: Path) -> Iterator[sqlite3.Connection]:
    conn = db.connect_readonly(kb_path)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> Iterator[sqlite3.Connection]:
    conn = db.connect_readonly(sample_db)
    yield conn
    conn.close()


def _ids(conn: sqlite3.Connection, query: str, limit: int = 20) -> list[str]:
    return [h.id for h in search(conn, query, limit=limit)]


def _top(conn: sqlite3.Connection, query: str) -> Hit:
    hits = search(conn, query)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


def _above(ids: list[str], first: str, *others: str) -> None:
    """`first` is found, and ranks above each of `others` that is found."""
    assert first in ids, ids
    for other in others:
        if other in ids:
            assert ids.index(first) < ids.index(other), ids


def _qwords(query: str) -> list[words.QueryWord]:
    return words.parse(norm(query))


def _entities_of(conn: sqlite3.Connection, row_ids: list[int]) -> set[str]:
    if not row_ids:
        return set()
    marks = ",".join("?" * len(row_ids))
    return {r[0] for r in conn.execute(f"SELECT entity_id FROM names WHERE id IN ({marks})", row_ids)}


# -- the pieces: parse, budget, folding, matching ------------------------------------


def test_parse_marks_initials_little_words_and_the_last_word() -> None:
    got = _qwords("O. Tsvetkov of the Dubai")
    assert [(w.text, w.initial, w.stop, w.last) for w in got] == [
        ("o", True, False, False),
        ("tsvetkov", False, False, False),
        ("of", False, True, False),
        ("the", False, True, False),
        ("dubai", False, False, True),
    ]
    # only little words: then they are what was asked for
    assert [(w.text, w.stop) for w in _qwords("of the")] == [("of", False), ("the", False)]
    # each word once
    assert [w.text for w in _qwords("dubai Dubai DUBAI")] == ["dubai"]
    assert [w.text for w in words.required(_qwords("Affairs of Dubai"))] == ["affairs", "dubai"]


def test_word_budget_and_folding() -> None:
    assert [words.word_budget(n) for n in range(1, 10)] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert words.folded("wuerth") == "wurth"
    assert words.folded("vermoegensberatung") == "vermogensberatung"
    assert words.folded("haendler") == "handler"
    assert words.folded("tsvetkov") == "tsvetkov"
    assert norm("Würth") == "wurth"  # what the index holds for the name


def test_matcher_prefers_an_initial_before_the_surname() -> None:
    m = words.Matcher(_qwords("O. Tsvetkov"))
    oleg = m.match(norm("Oleg Fedorovich Tsvetkov"))
    oil = m.match(norm("Tsvetkov Oil Company"))
    ivan = m.match(norm("Ivan Tsvetkov"))
    assert oleg.complete and oleg.initials == 1 and oleg.typos == 0
    assert oil.complete  # "Oil" starts with O, but after the surname
    assert oleg.quality > oil.quality
    assert not ivan.complete and ivan.matched == 1 and ivan.required == 2


def test_matcher_counts_typos_and_coverage() -> None:
    m = words.Matcher(_qwords("Interal Affairs Dubai"))
    got = m.match(norm("State Committee of Internal Affairs of Dubai"))
    assert got.complete and got.typos == 1 and got.matched == got.required == 3
    assert got.coverage == pytest.approx(3 / 5)  # "of" is not a content word
    other = m.match(norm("Ministry of Internal Affairs of Oman"))
    assert not other.complete and other.matched == 2
    assert words.Matcher(_qwords("Kalashnikv")).match("kalinin works").matched == 0


def test_a_name_word_serves_one_query_word_only() -> None:
    # "Efimov Efimov"-like queries collapse; two query words, one name word
    got = words.Matcher(_qwords("Tsvetkov Tsvetkova")).match("ivan tsvetkov")
    assert not got.complete


# -- 1. several words from the middle or end of a name, any order --------------------


@pytest.mark.parametrize(
    "query",
    [
        "Internal Affairs Dubai",
        "Dubai Internal Affairs",
        "Affairs Dubai",
        "Affairs of Dubai",
        "Committee Internal Dubai",
        "dubai affairs internal committee",
    ],
)
def test_words_from_the_middle_in_any_order(kb: sqlite3.Connection, query: str) -> None:
    hits = search(kb, query)
    assert hits[0].id == "sci-dubai", [(h.id, h.reason) for h in hits]
    assert hits[0].reason.startswith("all ") and hits[0].reason.endswith(" words")
    ids = [h.id for h in hits]
    _above(ids, "sci-dubai", "scf-dubai", "mia-oman")


def test_word_order_changes_nothing_but_the_spelling_score(kb: sqlite3.Connection) -> None:
    a = search(kb, "Internal Affairs Dubai")
    b = search(kb, "Dubai Internal Affairs")
    assert a[0].id == b[0].id == "sci-dubai"
    assert a[0].reason == b[0].reason == "all 3 words"


def test_words_pick_the_one_long_name_that_holds_them(kb: sqlite3.Connection) -> None:
    assert _top(kb, "Forestry Dubai").id == "scf-dubai"
    assert _top(kb, "Dubai Forestry Committee").id == "scf-dubai"
    assert _top(kb, "Internal Affairs Oman").id == "mia-oman"
    assert _top(kb, "Concern Kalashnikov").id == "kalashnikov"
    assert _top(kb, "Fedorovich Tsvetkov").id == "oleg-tsvetkov"


def test_candidates_hold_every_word(kb: sqlite3.Connection) -> None:
    ids, every = words.Candidates(kb, _qwords("Dubai Internal Affairs")).gather(20)
    assert every
    assert _entities_of(kb, ids) == {"sci-dubai"}
    ids, every = words.Candidates(kb, _qwords("Affairs Internal")).gather(20)
    assert every and _entities_of(kb, ids) == {"sci-dubai", "mia-oman"}


# -- 2. a typo in a later word, or inside one word of a long name --------------------


@pytest.mark.parametrize(
    ("query", "expected", "not_first"),
    [
        ("Federal Securty", "fsb", ["fps", "fts", "sbu"]),
        ("Federal Secruity", "fsb", ["fps", "fts", "sbu"]),  # swap
        ("Federal Securty Service", "fsb", ["fps", "fts", "sbu"]),
        ("Secuirty Council", "security-council", ["city-council", "fsb", "sbu"]),
        ("Security Counsil of Russia", "security-council", ["city-council", "fsb"]),
        ("Kalashnikv", "kalashnikov", ["kalinin"]),
        ("Kalashnikov Concrn", "kalashnikov", ["kalinin"]),
        ("Interal Affairs Dubai", "sci-dubai", ["scf-dubai", "mia-oman"]),
        ("State Comittee of Forestry", "scf-dubai", ["sci-dubai"]),
        ("Vermogensbaratung", "dvag", ["deutsche-bank"]),
    ],
)
def test_a_typo_in_one_word(kb: sqlite3.Connection, query: str, expected: str, not_first: list[str]) -> None:
    hits = search(kb, query)
    ids = [h.id for h in hits]
    assert ids and ids[0] == expected, [(h.id, h.reason) for h in hits]
    _above(ids, expected, *not_first)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("Federal Securty", "all 2 words (1 typo)"),
        ("Secuirty Council", "all 2 words (1 typo)"),
        ("Kalashnikv", "the word (1 typo)"),
        ("Interal Affairs Dubai", "all 3 words (1 typo)"),
    ],
)
def test_a_typo_is_named_in_the_reason(kb: sqlite3.Connection, query: str, reason: str) -> None:
    assert _top(kb, query).reason == reason


def test_typo_candidates_come_from_word_grams(kb: sqlite3.Connection) -> None:
    c = words.Candidates(kb, _qwords("Federal Securty"))
    assert ("security", 1) in c.typo_words("securty")
    ids, every = c.gather(20)
    assert every and _entities_of(kb, ids) == {"fsb"}
    # as typed, no name holds "securty": only the typo stage finds it
    assert c._all_of(c.lookup, relaxed=False) == []
    # a word under 4 letters tolerates no typo
    assert words.Candidates(kb, _qwords("Oli")).typo_words("oli") == []


# -- 3. initial + surname ----------------------------------------------------------------


@pytest.mark.parametrize("query", ["O. Tsvetkov", "O Tsvetkov", "o. tsvetkov"])
def test_initial_and_surname(kb: sqlite3.Connection, query: str) -> None:
    hits = search(kb, query)
    ids = [h.id for h in hits]
    # Olga Tsvetkova fits too ("Tsvetkov" may be "Tsvetkova" still being
    # typed): a genuine tie for the first two places
    assert set(ids[:2]) == {"oleg-tsvetkov", "olga-tsvetkova"}, [(h.id, h.reason) for h in hits]
    _above(ids, "oleg-tsvetkov", "ivan-tsvetkov", "tsvetkov-oil")
    oleg = hits[ids.index("oleg-tsvetkov")]
    assert oleg.reason == "all 2 words (initial)"


def test_initial_candidates_are_filtered_by_the_initial(kb: sqlite3.Connection) -> None:
    ids, every = words.Candidates(kb, _qwords("O. Tsvetkov")).gather(20)
    found = _entities_of(kb, ids)
    assert every
    assert "oleg-tsvetkov" in found
    assert "ivan-tsvetkov" not in found  # no word of his starts with O


def test_two_initials_and_surname(kb: sqlite3.Connection) -> None:
    hits = search(kb, "O. F. Tsvetkov")
    assert hits[0].id == "oleg-tsvetkov" and hits[0].reason == "all 3 words (initials)"
    hits = search(kb, "A. V. Efimov")
    assert hits[0].id == "av-efimov", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "all 3 words (initials)"
    _above([h.id for h in hits], "av-efimov", "aa-efimov", "andrei-efimov", "viktor-efimov")


def test_a_repeated_initial_counts_twice(kb: sqlite3.Connection) -> None:
    """ "A. A. Efimov" is Aleksandr Andreevich Efimov, whose two words start
    with A; Andrei Efimov has one."""
    hits = search(kb, "A. A. Efimov")
    assert hits[0].id == "aa-efimov", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "all 3 words (initials)"


# -- 4. surname first --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("Tsvetkov, Oleg", "all 2 words"),
        ("Tsvetkov Oleg", "all 2 words"),
        ("Tsvetkov Oleg Fedorovich", "all 3 words"),
        ("Tsvetkov, Oleg Fedorovich", "all 3 words"),
        ("TSVETKOV Oleg", "all 2 words"),
        ("Efimov, Aleksandr", "all 2 words"),
    ],
)
def test_surname_first(kb: sqlite3.Connection, query: str, reason: str) -> None:
    hits = search(kb, query)
    expected = "aa-efimov" if "Efimov" in query else "oleg-tsvetkov"
    assert hits[0].id == expected, [(h.id, h.reason) for h in hits]
    assert hits[0].reason == reason
    _above([h.id for h in hits], expected, "olga-tsvetkova", "ivan-tsvetkov", "tsvetkov-oil", "andrei-efimov")


def test_surname_first_with_a_typo(kb: sqlite3.Connection) -> None:
    hits = search(kb, "Tsvetkov, Olge Fedorovich")
    assert hits[0].id == "oleg-tsvetkov"
    assert hits[0].reason == "all 3 words (1 typo)"


# -- 5. German folding -------------------------------------------------------------------


def test_wuerth_finds_wurth_not_wurst(kb: sqlite3.Connection) -> None:
    hits = search(kb, "Wuerth")
    assert hits[0].id == "wurth", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "the word"
    _above([h.id for h in hits], "wurth", "wurst")
    assert _top(kb, "Wuerth Group").id == "wurth"
    assert _top(kb, "Group Wuerth").id == "wurth"


def test_vermoegensberatung_finds_the_name_spelled_with_o_umlaut(kb: sqlite3.Connection) -> None:
    for query in ("Vermoegensberatung", "Deutsche Vermoegensberatung", "Vermoegensberatung Deutsche"):
        hits = search(kb, query)
        assert hits[0].id == "dvag", (query, [(h.id, h.reason) for h in hits])
        _above([h.id for h in hits], "dvag", "deutsche-bank")
    assert _top(kb, "Vermögensberatung").id == "dvag"  # typed with the umlaut


def test_folded_word_is_a_candidate_term(kb: sqlite3.Connection) -> None:
    c = words.Candidates(kb, _qwords("Wuerth"))
    assert '"wurth"' in c.terms(c.lookup[0], relaxed=False)
    ids, _ = c.gather(20)
    assert "wurth" in _entities_of(kb, ids)
    assert "wurst" not in _entities_of(kb, ids)


# -- 6. role titles find holders ---------------------------------------------------------


def test_title_finds_its_holder(kb: sqlite3.Connection) -> None:
    hits = search(kb, "director of national intelligence")
    assert hits[0].id == "margaret-ellison", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "role: Director of National Intelligence, United States"
    ids = [h.id for h in hits]
    _above(ids, "margaret-ellison", "tobias-renner", "karl-brandt")


@pytest.mark.parametrize("query", ["DNI", "dni", "D.N.I."])
def test_acronym_finds_the_holder(kb: sqlite3.Connection, query: str) -> None:
    hits = search(kb, query)
    assert hits[0].id == "margaret-ellison", [(h.id, h.reason) for h in hits]
    assert hits[0].reason.startswith("role: Director of National Intelligence")


def test_a_longer_title_wins_over_the_shorter(kb: sqlite3.Connection) -> None:
    hits = search(kb, "deputy director of national intelligence")
    assert hits[0].id == "tobias-renner"
    assert hits[0].reason == "role: Deputy Director of National Intelligence, United States"
    assert _top(kb, "DDNI").id == "tobias-renner"
    assert _top(kb, "national intelligence director").id == "margaret-ellison"


def test_title_and_organisation(kb: sqlite3.Connection) -> None:
    hits = search(kb, "Secretary Security Council")
    assert hits[0].id == "pavel-grachev", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "role: Secretary, Security Council of Russia"
    _above([h.id for h in hits], "pavel-grachev", "boris-lunin")
    hits = search(kb, "Secretary Federal Tax Service")
    assert hits[0].id == "boris-lunin"
    assert hits[0].reason == "role: Secretary, Federal Tax Service"


def test_titles_holders_directly(kb: sqlite3.Connection) -> None:
    held = titles.holders(kb, _qwords("director of national intelligence"), 20)
    assert held[0].entity_id == "margaret-ellison" and held[0].complete
    assert "karl-brandt" not in {h.entity_id for h in held}  # "Director" alone: a subset of the title matched
    assert titles.acronym(norm("Director of National Intelligence")) == "dni"
    assert titles.holders(kb, _qwords("of the"), 20) == []
    assert titles.holders(kb, _qwords("O."), 20) == []


def test_sample_role_titles(sample: sqlite3.Connection) -> None:
    # her alias "the director of national intelligence" holds these words as typed
    for query in ("director of national intelligence", "national intelligence director"):
        assert _top(sample, query).id == "avril-haines"
    for query in ("DNI", "Director of National Intelligence United States"):
        hit = _top(sample, query)
        assert hit.id == "avril-haines", query
        assert hit.reason.startswith("role:"), (query, hit.reason)
        assert "Director of National Intelligence" in hit.reason
    hit = _top(sample, "Secretary Security Council")
    assert hit.id == "nikolai-patrushev" and hit.reason.startswith("role: Secretary")


def test_sample_word_forms(sample: sqlite3.Connection) -> None:
    assert _top(sample, "Legal Affairs Commission").id == "central-political-and-legal-affairs-commission"
    assert _top(sample, "N. Patrushev").id == "nikolai-patrushev"
    assert _top(sample, "Patrushev, Nikolai").id == "nikolai-patrushev"
    assert _top(sample, "Federal Securty").id == "fsb"
    assert _top(sample, "Ministry State Security").id == "ministry-of-state-security"


# -- 7. every word above some -----------------------------------------------------------


def test_every_word_ranks_above_a_closer_spelling_with_some(kb: sqlite3.Connection) -> None:
    """ "olegtsvetkov" is fewer edits from Olga Tsvetkova than from Oleg
    Fedorovich Tsvetkov, but only his name holds both words."""
    hits = search(kb, "Oleg Tsvetkov")
    ids = [h.id for h in hits]
    assert ids[0] == "oleg-tsvetkov", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "all 2 words"
    partial = [h for h in hits if h.reason.endswith(" of 2 words")]
    assert partial, "Olga Tsvetkova comes as a whole-name typo with one word"
    complete = [i for i, h in enumerate(hits) if h.reason.startswith("all ")]
    assert max(complete) < min(ids.index(h.id) for h in partial)


def test_every_word_ranks_above_some_in_ranking_of_candidates(kb: sqlite3.Connection) -> None:
    hits = search(kb, "meeting Federal Security Service")
    assert hits[0].id == "fsb"
    assert hits[0].reason == "3 of 4 words"
    # for the same words, the name holding them all wins
    hits = search(kb, "Internal Affairs")
    assert {h.id for h in hits[:2]} == {"sci-dubai", "mia-oman"}
    assert all(h.reason == "all 2 words" for h in hits[:2])


# -- 8. the all-but-one fallback ----------------------------------------------------------


def test_all_but_one_word(kb: sqlite3.Connection) -> None:
    hits = search(kb, "meeting in Moscow")
    assert hits[0].id == "moscow", [(h.id, h.reason) for h in hits]
    assert hits[0].reason == "1 of 2 words"
    assert "moscow-exchange" in [h.id for h in hits]
    ids, every = words.Candidates(kb, _qwords("meeting in Moscow")).gather(20)
    assert not every
    assert _entities_of(kb, ids) >= {"moscow", "moscow-exchange"}


def test_all_but_one_leaves_out_the_word_no_name_holds(kb: sqlite3.Connection) -> None:
    # "zzyzx" is held by no name; the other two words find the Dubai committee
    ids, every = words.Candidates(kb, _qwords("Forestry zzyzx Dubai")).gather(20)
    assert not every and _entities_of(kb, ids) == {"scf-dubai"}
    hits = search(kb, "Forestry zzyzx Dubai")
    assert hits[0].id == "scf-dubai" and hits[0].reason == "2 of 3 words"


def test_no_word_held_finds_nothing_by_words(kb: sqlite3.Connection) -> None:
    assert words.Candidates(kb, _qwords("zzyzx qqxqq")).gather(20) == ([], False)
    assert words.Candidates(kb, _qwords("O.")).gather(20) == ([], True)  # an initial alone: nothing to look up


# -- 9. typo candidates are never missed within the budget --------------------------------

ALPHABET = "abdeikmnorstu"
FIXED_WORDS = ["Hanna Borodina", "Marta Kessler", "Hanna Ostrova", "Stefan Brukner", "Petra Kimono"]


def _edit(data: st.DataObject, word: str, count: int) -> str:
    out = list(word)
    for _ in range(count):
        op = data.draw(st.sampled_from(["sub", "ins", "del", "swap"]))
        if op == "sub" and out:
            out[data.draw(st.integers(0, len(out) - 1))] = data.draw(st.sampled_from(ALPHABET))
        elif op == "ins":
            out.insert(data.draw(st.integers(0, len(out))), data.draw(st.sampled_from(ALPHABET)))
        elif op == "del" and len(out) > 1:
            del out[data.draw(st.integers(0, len(out) - 1))]
        elif op == "swap" and len(out) > 1:
            i = data.draw(st.integers(0, len(out) - 2))
            out[i], out[i + 1] = out[i + 1], out[i]
    return "".join(out)


def _memory_kb(names: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db.apply_schema(conn)
    conn.execute("BEGIN")
    _fill(conn, [(f"e-{i}", "person", n, []) for i, n in enumerate(names)], [])
    index.rebuild_names(conn)
    conn.execute("COMMIT")
    return conn


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=ALPHABET, min_size=4, max_size=12),
    st.lists(st.text(alphabet=ALPHABET, min_size=4, max_size=12), max_size=4),
    st.data(),
)
def test_a_word_within_its_budget_is_always_a_candidate(word: str, others: list[str], data: st.DataObject) -> None:
    """A name holding `word` as its second word is found from `word` with
    up to word_budget edits (OSA: substitution, insertion, deletion, swap
    of neighbours), alone or after the name's first word.

    The budget is the typed word's (word_budget's contract: "edits
    tolerated in one query word of this many letters"): two deletions from
    a 7-letter word leave 5 letters, which tolerate one edit."""
    budget = words.word_budget(len(word))
    q = _edit(data, word, data.draw(st.integers(0, budget)))
    distance = OSA.distance(q, word)
    # edits in sequence can cost more than their number; and a shorter
    # query tolerates fewer
    assume(distance <= min(budget, words.word_budget(len(q))))
    names = [f"Hanna {word}", *FIXED_WORDS, *(f"Hanna {o}" for o in others)]
    conn = _memory_kb(names)
    try:
        for query in (q, f"Hanna {q}"):
            ids, every = words.Candidates(conn, _qwords(query)).gather(20)
            assert every and "e-0" in _entities_of(conn, ids), (query, word)
            assert "e-0" in _ids(conn, query, limit=50), (query, word)
    finally:
        conn.close()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdn", min_size=4, max_size=14), st.data())
def test_keys_with_swaps_meet_every_word_within_osa_edits(word: str, data: st.DataObject) -> None:
    """A swap of neighbours is one OSA edit but two Levenshtein edits: the
    swapped keys still meet the word's."""
    q = _edit_osa(data, word)
    d = OSA.distance(q, word)
    for k in (1, 2):
        if d <= k:
            assert set(passjoin.keys_with_swaps(q, k)) & set(passjoin.keys_of(word)), (word, q, k)


def _edit_osa(data: st.DataObject, word: str) -> str:
    out = list(word)
    for _ in range(data.draw(st.integers(0, 2))):
        if data.draw(st.booleans()) and len(out) > 1:
            i = data.draw(st.integers(0, len(out) - 2))
            out[i], out[i + 1] = out[i + 1], out[i]
        else:
            out[data.draw(st.integers(0, len(out) - 1))] = data.draw(st.sampled_from("abcdnz"))
    return "".join(out)


def test_pieces_cut_every_word_whole() -> None:
    for n in range(3, 30):
        cut = passjoin.pieces(n)
        assert len(cut) == passjoin.SEGMENTS
        assert sum(size for _, size in cut) == n
        assert [a for a, _ in cut] == [sum(s for _, s in cut[:i]) for i in range(len(cut))]
    assert passjoin.keys_of("ab") == []
    assert passjoin.keys_of("security") == ["8:0:se", "8:1:cur", "8:2:ity"]


def test_neighbours_closest_first(kb: sqlite3.Connection) -> None:
    near = passjoin.neighbours(kb, "word_grams", "word", "kalashnikv", 2, want=10, limit=10)
    assert near[0] == ("kalashnikov", 1)
    assert all(d <= 2 for _, d in near)
    assert passjoin.neighbours(kb, "word_grams", "word", "qqqqqqqq", 2, want=10, limit=10) == []


# -- 10. refresh keeps the word index right ------------------------------------------------


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(_build(tmp_path / "kb.db", filler=50), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


def test_refresh_names_indexes_a_new_alias_word(writable: sqlite3.Connection) -> None:
    conn = writable
    assert "kalashnikov" not in _ids(conn, "Izhmash")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('kalashnikov', 'Izhmash Arms Plant')")
    index.refresh_names(conn, ["kalashnikov"])
    conn.execute("COMMIT")
    assert_like_a_rebuild(conn)
    hit = _top(conn, "Izhmash")
    assert hit.id == "kalashnikov" and hit.matched == "Izhmash Arms Plant"
    # the new word's typo keys are in: a typo in it finds it, words in any order too
    assert _top(conn, "Izhmahs").id == "kalashnikov"
    assert _top(conn, "Plant Izhmash").id == "kalashnikov"
    assert _top(conn, "Arms Plant Izhmas").id == "kalashnikov"


def test_refresh_names_drops_words_no_name_holds(writable: sqlite3.Connection) -> None:
    conn = writable
    conn.execute("BEGIN")
    conn.execute("INSERT INTO aliases (entity_id, alias) VALUES ('wurth', 'Adolf Wuerth Schraubenhandel')")
    index.refresh_names(conn, ["wurth"])
    conn.execute("COMMIT")
    assert ("schraubenhandel",) in set(conn.execute("SELECT word FROM word_grams"))
    assert _top(conn, "Schraubenhandl").id == "wurth"
    conn.execute("BEGIN")
    conn.execute("DELETE FROM aliases WHERE entity_id = 'wurth'")
    conn.execute("UPDATE entities SET name = 'Wuerth Holding' WHERE id = 'wurth'")
    index.refresh_names(conn, ["wurth"])
    conn.execute("COMMIT")
    assert ("schraubenhandel",) not in set(conn.execute("SELECT word FROM word_grams"))
    assert ("group",) not in set(conn.execute("SELECT word FROM word_grams"))  # held by Würth Group only
    assert_like_a_rebuild(conn)
    assert "wurth" not in _ids(conn, "Schraubenhandel")
    assert _top(conn, "Wuerth Holding").id == "wurth"
    assert _top(conn, "Holdng Wuerth").id == "wurth"


def test_refresh_names_keeps_a_word_another_name_still_holds(writable: sqlite3.Connection) -> None:
    conn = writable
    conn.execute("BEGIN")
    conn.execute("UPDATE entities SET name = 'Kalinin Plant' WHERE id = 'kalinin'")
    index.refresh_names(conn, ["kalinin"])
    conn.execute("COMMIT")
    grams = {w for (w,) in conn.execute("SELECT word FROM word_grams")}
    assert "kalinin" in grams and "plant" in grams and "works" not in grams
    assert_like_a_rebuild(conn)
    assert _top(conn, "Kalinin Plnat").id == "kalinin"
    assert _top(conn, "Kalinin Works").reason == "1 of 2 words"  # "works" is gone


# -- 11. bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "a",
        "A.",
        "of",
        "of of of",
        "the of and",
        "x" * 300,
        "x " * 300,
        "a. b. c. d. e. f. g. h.",
        '"',
        '"of"',
        "*",
        "a*",
        "NEAR(a b)",
        "AND OR NOT",
        "Tsvetkov AND",
        "-",
        "...",
        "?!,;:",
        "(((",
        "'; DROP TABLE names_words; --",
        "Цветков O. 陈 Würth",
        "Ολέγκ Τσβετκόφ",
        "🦆 Tsvetkov",
        "\x00Tsvetkov",
        "\u202eDubai",
        "ue oe ae",
        "1234 5678",
        "Kalashnikov " * 40,
        " ".join(f"w{i}ord" for i in range(60)),
    ],
)
def test_bad_input_never_raises(kb: sqlite3.Connection, query: str) -> None:
    start = time.perf_counter()
    hits = search(kb, query)
    assert isinstance(hits, list)
    assert len({h.id for h in hits}) == len(hits)
    assert all(0 <= h.score <= 100 for h in hits)
    qw = words.parse(norm(query))
    assert isinstance(words.Candidates(kb, qw).gather(20)[0], list)
    assert isinstance(titles.holders(kb, qw, 20), list)
    assert time.perf_counter() - start < 2.0, query


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["of", "the", "O.", "A", "Tsvetkov", "Dubai", "wuerth", "Securty", "x", "-", '"', "*", "DNI"])
        | st.text(max_size=8),
        max_size=8,
    ).map(" ".join)
)
def test_any_mix_of_words_never_raises(kb: sqlite3.Connection, query: str) -> None:
    hits = search(kb, query, limit=10)
    assert len(hits) <= 10
    assert len({h.id for h in hits}) == len(hits)


def test_all_but_one_keeps_the_names_of_either_word(kb: sqlite3.Connection) -> None:
    """No name holds both words: the names holding either come back, not
    only those of the word fewer names hold."""
    ids = {h.id for h in search(kb, "Kalashnikov Works", limit=10)}
    assert {"kalashnikov", "kalinin"} <= ids


def test_an_identifier_is_found_with_or_without_spaces_and_dashes(writable: sqlite3.Connection) -> None:
    """A registry number recorded as an identifier property finds its
    entity as typed, and with its spaces or dashes left out or changed;
    the reason names the property."""
    eid = writable.execute("SELECT id FROM entities WHERE kind = 'organisation' ORDER BY id LIMIT 1").fetchone()[0]
    writable.execute("BEGIN")
    writable.execute("INSERT INTO claims (id, kind) VALUES ('reg-number', 'property')")
    writable.execute(
        "INSERT INTO properties (claim_id, entity_id, property, value) VALUES ('reg-number', ?, 'identifier', ?)",
        (eid, "RU 7707-083 893"),
    )
    index.refresh_names(writable, [eid])
    writable.execute("COMMIT")
    for typed in ("RU 7707-083 893", "RU7707083893", "ru-7707-083-893", "7707083893"):
        hits = search(writable, typed, limit=5)
        assert hits and hits[0].id == eid, (typed, hits[:2])
    top = search(writable, "RU7707083893", limit=1)[0]
    assert top.matched == "RU 7707-083 893"
    assert top.reason == "identifier: exact"


@pytest.mark.parametrize("typed", ["wen qing chen", "wen ching", "Chen Wen Ching"])
def test_two_words_typed_for_one(sample: sqlite3.Connection, typed: str) -> None:
    """A name word split in two ("Wen-qing" written "wen qing", or Wade-Giles
    "wen ching") matches it as one word, in any order, with its typos
    counted once."""
    top = search(sample, typed, limit=3)[0]
    assert top.id == "chen-wenqing"
    assert top.reason.startswith("all ")
    assert "4 typos" not in top.reason


def test_little_words_never_take_a_name_word_a_required_word_needs(sample: sqlite3.Connection) -> None:
    """'to' could take 'Tom' as a prefix before 'Tom' did: required words
    choose first."""
    top = search(sample, "to Tom Rogan", limit=1)[0]
    assert top.id == "tom-rogan" and top.reason == "all 2 words"
    m = words.Matcher(words.parse("head of office")).match("office head")
    assert (m.matched, m.required) == (2, 2)


def test_a_joined_pair_spends_both_words() -> None:
    """After 'ab'+'cd' made one word, 'cd' is not joined again with 'ef'."""
    m = words.Matcher(words.parse("ab cd ef")).match("abcd cdef")
    assert m.matched < m.required


def test_tabs_and_line_breaks_separate_words(sample: sqlite3.Connection) -> None:
    assert norm("Nikolai\tPatrushev") == norm("Nikolai\nPatrushev") == "nikolai patrushev"
    assert search(sample, "Patrushev\nNikolai", limit=1)[0].id == "nikolai-patrushev"


def test_a_repeated_initial_needs_as_many_words_with_it(kb: sqlite3.Connection) -> None:
    ids = words.Candidates(kb, words.parse("a a efimov")).gather(20)[0]
    norms = [kb.execute("SELECT norm FROM names WHERE id = ?", (i,)).fetchone()[0] for i in ids]
    assert norms and all(sum(w.startswith("a") for w in n.split()) >= 2 for n in norms)
