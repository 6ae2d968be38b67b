"""The overviews' data layer (kbtui.kb.overview): what is typed, understood
(words, key:value terms, flags, and problems said back); the query built
for it, checked term by term against a direct SQL query on the same
sample KB; pages that tile the count; counts exact, estimated, unknown."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtui.kb import db, overview
from kbtui.kb.importer import import_bundle
from kbtui.kb.overview import ClaimRow, EntityRow, EventRow, SourceRow, View

# what the sample holds (tests/test_sample.py checks the bundle; these are
# the overviews' own totals, each also counted directly below)
TOTALS: dict[View, int] = {"sources": 5, "claims": 190, "events": 26, "entities": 86}
KEYS: dict[View, str] = {"sources": "id", "claims": "id", "events": "entity_id", "entities": "id"}
TABLES: dict[View, str] = {"sources": "sources", "claims": "claims", "events": "events", "entities": "entities"}
ROW_TYPES: dict[View, type] = {"sources": SourceRow, "claims": ClaimRow, "events": EventRow, "entities": EntityRow}


@pytest.fixture(scope="module")
def conn(sample_db: Path) -> Iterator[sqlite3.Connection]:
    c = db.connect_readonly(sample_db)
    yield c
    c.close()


def found(conn: sqlite3.Connection, view: View, text: str, order: str = "") -> list[str]:
    """The ids the overview lists for `text`, every page of them."""
    q = overview.query(conn, view, overview.narrowing(view, text), order)
    return [r.id for r in overview.page(conn, view, q, 0, 10_000)]


def counted(conn: sqlite3.Connection, view: View, text: str) -> overview.Count:
    return overview.count(conn, overview.query(conn, view, overview.narrowing(view, text)))


def ids(conn: sqlite3.Connection, sql: str, *params: object) -> set[str]:
    return {r[0] for r in conn.execute(sql, params)}


def as_json(values: set[str]) -> str:
    return json.dumps(sorted(values))


def named(conn: sqlite3.Connection, word: str) -> set[str]:
    """Entities with a name holding a word that starts with `word`."""
    return ids(conn, "SELECT entity_id FROM names WHERE (' ' || norm) LIKE '% ' || ? || '%'", word)


def members(conn: sqlite3.Connection, country: str) -> set[str]:
    """What belongs to a country: itself, what has it as nationality or
    country, what is part of / located in / a citizen of it, and who holds
    a role at an organisation that is part of or located in it."""
    return ids(
        conn,
        "SELECT ?1 UNION SELECT entity_id FROM properties WHERE property IN ('nationality', 'country') AND value = ?1"
        " UNION SELECT subject_id FROM relations WHERE type IN ('part-of', 'located-in', 'citizen-of')"
        " AND object_id = ?1"
        " UNION SELECT r.holder_id FROM roles r JOIN relations l ON l.subject_id = r.organisation_id"
        " WHERE l.type IN ('part-of', 'located-in') AND l.object_id = ?1",
        country,
    )


def involving(conn: sqlite3.Connection, entities: set[str]) -> set[str]:
    """Claims that name any of `entities` in any of their places."""
    return ids(
        conn,
        "WITH x(id) AS (SELECT value FROM json_each(?1))"
        " SELECT claim_id FROM roles WHERE holder_id IN x OR organisation_id IN x"
        " UNION SELECT claim_id FROM relations WHERE subject_id IN x OR object_id IN x"
        " UNION SELECT claim_id FROM properties WHERE entity_id IN x"
        " UNION SELECT claim_id FROM participations WHERE entity_id IN x OR event_id IN x"
        " UNION SELECT claim_id FROM events WHERE entity_id IN x",
        as_json(entities),
    )


def events_meeting(conn: sqlite3.Connection, frm: str | None, to: str | None) -> set[str]:
    """Events whose dates meet the range; an event with only a start is that
    one date (as vocab.compact_range and iso_interval show it)."""
    sql = 'SELECT entity_id FROM events WHERE coalesce(start, "end") IS NOT NULL'
    params: list[object] = []
    if to:
        sql += ' AND substr(coalesce(start, "end"), 1, ?) <= ?'
        params += [len(to), to]
    if frm:
        sql += ' AND substr(coalesce("end", start), 1, ?) >= ?'
        params += [len(frm), frm]
    return ids(conn, sql, *params)


# --- understanding what is typed ------------------------------------------------------


def test_words_terms_and_flags_are_told_apart() -> None:
    n = overview.narrowing("claims", "  Patrushev   kind:role STATUS:current disputed  Conflicts Chén ")
    assert n.words == ("patrushev", "chen")  # as names are searched: folded, accents gone
    assert n.terms == (("kind", "role"), ("status", "current"))
    assert n.flags == frozenset({"disputed", "conflict"})
    assert n.problems == ()
    assert not n.empty
    assert overview.narrowing("claims", "   ").empty
    assert overview.narrowing("claims", "   ") == overview.Narrowing()


def test_a_flag_of_another_view_is_a_word_there() -> None:
    assert overview.narrowing("sources", "disputed").words == ("disputed",)
    assert overview.narrowing("claims", "repost").words == ("repost",)
    assert overview.narrowing("sources", "reposts erratum").flags == frozenset({"repost", "errata"})


def test_type_and_kind_are_each_views_own_word() -> None:
    assert overview.narrowing("claims", "type:role").terms == (("kind", "role"),)
    assert overview.narrowing("entities", "type:person").terms == (("kind", "person"),)
    assert overview.narrowing("events", "kind:meeting").terms == (("type", "meeting"),)


def test_a_term_being_typed_narrows_nothing_and_is_no_problem() -> None:
    n = overview.narrowing("sources", "outlet:")
    assert n == overview.Narrowing()


def test_a_term_given_twice_means_its_last_value(conn: sqlite3.Connection) -> None:
    n = overview.narrowing("sources", "from:2020 from:2024")
    assert n.values("from") == ["2020", "2024"] and n.last("from") == "2024"
    assert found(conn, "sources", "from:2020 from:2024") == found(conn, "sources", "from:2024") != []
    assert found(conn, "sources", "from:2020") != found(conn, "sources", "from:2024")


@pytest.mark.parametrize(
    ("view", "text", "key"),
    [
        ("sources", "kind:article", "kind:"),
        ("sources", "type:article", "type:"),
        ("claims", "country:china", "country:"),
        ("events", "outlet:rt", "outlet:"),
        ("entities", "status:current", "status:"),
        ("entities", "nonsense:1", "nonsense:"),
    ],
)
def test_an_unknown_key_is_said_back_with_the_keys_there_are(
    conn: sqlite3.Connection, view: View, text: str, key: str
) -> None:
    n = overview.narrowing(view, text)
    assert len(n.problems) == 1
    problem = n.problems[0]
    assert problem.startswith(f"{key} is not a filter here")
    for known in overview.TERMS[view]:
        assert f"{known}:" in problem
    assert n.terms == ()
    # the rest of what was typed still narrows
    assert found(conn, view, text) == found(conn, view, "")


@pytest.mark.parametrize("date", ["20", "abc", "may", "2o24", "-2024", "2024-5", "2024%", "20245", "2024-05-1x"])
@pytest.mark.parametrize("key", ["from", "to"])
def test_a_bad_date_is_a_problem(key: str, date: str) -> None:
    for view in ("sources", "claims", "events"):
        n = overview.narrowing(view, f"{key}:{date}")
        assert n.problems == (f"{key}:{date}: a date is written 2023, 2023-05 or 2023-05-17",), view


@pytest.mark.parametrize("date", ["2023", "2023-05", "2023-05-17"])
def test_a_good_date_is_no_problem(date: str) -> None:
    n = overview.narrowing("events", f"from:{date} to:{date}")
    assert n.problems == () and n.terms == (("from", date), ("to", date))


def test_a_bad_status_is_a_problem() -> None:
    n = overview.narrowing("claims", "status:retired")
    assert n.problems == ("status:retired: one of current, former, unknown",)


@pytest.mark.parametrize(
    ("view", "text"),
    [
        ("events", "country:atlantis"),
        ("entities", "country:atlantis"),
        ("entities", "kind:person country:russia country:atlantis"),
        ("events", "type:party"),
        ("claims", "kind:friendship"),
        ("entities", "kind:alien"),
    ],
)
def test_a_term_naming_nothing_the_kb_holds_is_unknown(conn: sqlite3.Connection, view: View, text: str) -> None:
    with pytest.raises(overview.Unknown) as raised:
        overview.query(conn, view, overview.narrowing(view, text))
    bad = text.split()[-1]
    assert str(raised.value).startswith(bad + ":")


def test_a_country_is_found_by_id_name_or_alias_in_any_case(conn: sqlite3.Connection) -> None:
    assert overview.countries(conn, "russia") == ["russia"]
    assert overview.countries(conn, "RUSSIA") == ["russia"]
    assert overview.countries(conn, "Moscow") == ["russia"]  # a metonym the sample records
    assert overview.countries(conn, "U.S.") == ["united-states"]
    assert overview.countries(conn, "atlantis") == []
    by_alias = found(conn, "entities", "kind:person country:beijing")
    assert by_alias == found(conn, "entities", "kind:person country:china") != []


# --- each view, unnarrowed --------------------------------------------------------------


@pytest.mark.parametrize("view", overview.VIEWS)
def test_each_view_lists_and_counts_everything(conn: sqlite3.Connection, view: View) -> None:
    total = conn.execute(f"SELECT count(*) FROM {TABLES[view]}").fetchone()[0]
    assert total == TOTALS[view]
    q = overview.query(conn, view, overview.narrowing(view, ""))
    assert overview.count(conn, q) == overview.Count(total, True)
    first = overview.page(conn, view, q)
    assert len(first) == min(total, overview.PAGE)
    assert all(isinstance(r, ROW_TYPES[view]) for r in first)
    everything = overview.page(conn, view, q, 0, 10_000)
    assert [r.id for r in everything[: len(first)]] == [r.id for r in first]
    assert {r.id for r in everything} == ids(conn, f"SELECT {KEYS[view]} FROM {TABLES[view]}")
    assert len(everything) == total


def test_the_sample_totals_the_brief_names(conn: sqlite3.Connection) -> None:
    assert [counted(conn, view, "").n for view in overview.VIEWS] == [5, 190, 26, 86]
    assert counted(conn, "entities", "kind:person") == overview.Count(12, True)


def test_source_rows_are_filled_in(conn: sqlite3.Connection) -> None:
    rows = {r.id: r for r in overview.page(conn, "sources", overview.query(conn, "sources", overview.Narrowing()))}
    for sid, row in rows.items():
        assert isinstance(row, SourceRow)
        assert row.citations == conn.execute("SELECT count(*) FROM citations WHERE source_id = ?", (sid,)).fetchone()[0]
        assert row.errata == conn.execute("SELECT count(*) FROM errata WHERE source_id = ?", (sid,)).fetchone()[0]
    examiner = rows["examiner-spy-chiefs-moscow"]
    assert (examiner.outlet, examiner.author, examiner.via) == (
        "Washington Examiner",
        "Tom Rogan",
        "THE AMERICA ONE NEWS",
    )


def test_claim_event_and_entity_rows_are_filled_in(conn: sqlite3.Connection) -> None:
    claims = overview.page(conn, "claims", overview.query(conn, "claims", overview.narrowing("claims", "disputed")))
    assert [r.id for r in claims] == ["xi-jinping-premier-per-rt"]
    claim = claims[0]
    assert isinstance(claim, ClaimRow)
    assert (claim.kind, claim.owner_id, claim.status) == ("role", "xi-jinping", "unknown")
    assert claim.disputed and claim.conflicts == 1 and claim.citations >= 1

    q = overview.query(conn, "events", overview.narrowing("events", "type:visit from:2024-04 to:2024-04"))
    events = overview.page(conn, "events", q)
    assert [r.id for r in events] == ["chen-russia-trip-2024"]
    trip = events[0]
    assert isinstance(trip, EventRow)
    assert (trip.start, trip.end) == ("2024-04-20", "2024-04-28")
    assert "Chen Wenqing" in trip.participants

    q = overview.query(conn, "entities", overview.narrowing("entities", "patrushev kind:person"))
    (patrushev,) = overview.page(conn, "entities", q)
    assert isinstance(patrushev, EntityRow)
    assert (patrushev.id, patrushev.kind, patrushev.countries) == ("nikolai-patrushev", "person", ["Russia"])


# --- every term and flag, against SQL written out directly ------------------------------


def _word_start(column: str) -> str:
    return f"(' ' || lower(coalesce({column}, ''))) LIKE '% ' || ? || '%'"


def expected_sources(conn: sqlite3.Connection, text: str) -> set[str]:
    sql = {
        "spy": f"SELECT id FROM sources WHERE {_word_start('title')}",
        "review": f"SELECT id FROM sources WHERE {_word_start('outlet')}",
        "russian wechat": (
            f"SELECT id FROM sources WHERE {_word_start('title')} INTERSECT"
            f" SELECT id FROM sources WHERE {_word_start('title')}"
        ),
        "rogan": f"SELECT id FROM sources WHERE {_word_start('author')}",
        "america": f"SELECT id FROM sources WHERE {_word_start('via')}",
        "outlet:review": "SELECT id FROM sources WHERE outlet LIKE '%review%'",
        "outlet:RT": "SELECT id FROM sources WHERE lower(outlet) LIKE '%rt%'",
        "author:quinn": "SELECT id FROM sources WHERE author LIKE '%quinn%'",
        "via:america": "SELECT id FROM sources WHERE via LIKE '%america%'",
        "repost": "SELECT id FROM sources WHERE via IS NOT NULL OR relays IS NOT NULL OR origin IS NOT NULL",
        "errata": "SELECT DISTINCT source_id FROM errata",
        "from:2024": "SELECT id FROM sources WHERE published >= '2024'",
        "to:2021": "SELECT id FROM sources WHERE substr(published, 1, 4) <= '2021'",
        "from:2021-03 to:2021-03": "SELECT id FROM sources WHERE substr(published, 1, 7) = '2021-03'",
        "to:2020": "SELECT id FROM sources WHERE substr(published, 1, 4) <= '2020'",
        "repost outlet:review from:2024": (
            "SELECT id FROM sources WHERE via IS NOT NULL AND outlet LIKE '%review%' AND published >= '2024'"
        ),
    }[text]
    params = {"spy": ["spy"], "review": ["review"], "russian wechat": ["russian", "wechat"]}.get(text)
    params = params or {"rogan": ["rogan"], "america": ["america"]}.get(text, [])
    return ids(conn, sql, *params)


SOURCE_TEXTS = [
    ("spy", 1),
    ("review", 1),
    ("russian wechat", 1),
    ("rogan", 1),
    ("america", 2),
    ("outlet:review", 1),
    ("outlet:RT", 1),
    ("author:quinn", 1),
    ("via:america", 2),
    ("repost", 4),
    ("errata", 2),
    ("from:2024", 1),
    ("to:2021", 1),
    ("from:2021-03 to:2021-03", 1),
    ("to:2020", 0),
    ("repost outlet:review from:2024", 1),
]


@pytest.mark.parametrize(("text", "n"), SOURCE_TEXTS)
def test_sources_terms(conn: sqlite3.Connection, text: str, n: int) -> None:
    assert overview.narrowing("sources", text).problems == ()
    want = expected_sources(conn, text)
    assert len(want) == n  # the case is about the sample it claims to be about
    got = found(conn, "sources", text)
    assert len(got) == len(set(got)) and set(got) == want
    assert counted(conn, "sources", text) == overview.Count(n, True)


def expected_claims(conn: sqlite3.Connection, text: str) -> set[str]:
    if text == "patrushev":
        return involving(conn, named(conn, "patrushev"))
    if text == "secretary":  # a role title word, or a name
        titled = ids(conn, f"SELECT claim_id FROM roles WHERE {_word_start('title')}", "secretary")
        return titled | involving(conn, named(conn, "secretary"))
    if text == "chen patrushev":
        return involving(conn, named(conn, "chen")) & involving(conn, named(conn, "patrushev"))
    if text == "kind:event from:2024 to:2024":
        return ids(
            conn,
            "SELECT claim_id FROM events WHERE entity_id IN (SELECT value FROM json_each(?))",
            as_json(events_meeting(conn, "2024", "2024")),
        )
    if text == "kind:participation to:1972":
        return ids(
            conn,
            "SELECT claim_id FROM participations WHERE event_id IN (SELECT value FROM json_each(?))",
            as_json(events_meeting(conn, None, "1972")),
        )
    if text == "kind:relation from:2017 to:2017":
        # its own dates (started 2017, no end: still so), or, undated, its sources'
        own = ids(
            conn,
            "SELECT claim_id FROM relations WHERE substr(coalesce(start, \"end\"), 1, 4) <= '2017'"
            ' AND ("end" IS NULL OR substr("end", 1, 4) >= \'2017\')',
        )
        undated = ids(
            conn,
            "SELECT r.claim_id FROM relations r JOIN citations ci ON ci.claim_id = r.claim_id"
            ' JOIN sources s ON s.id = ci.source_id WHERE r.start IS NULL AND r."end" IS NULL'
            " AND substr(s.published, 1, 4) = '2017'",
        )
        return own | undated
    sql = {
        "kind:role": "SELECT claim_id FROM roles",
        "type:role": "SELECT claim_id FROM roles",
        "kind:alias": "SELECT id FROM claims WHERE kind = 'alias'",
        "kind:property": "SELECT claim_id FROM properties",
        "kind:participation": "SELECT claim_id FROM participations",
        "kind:supports": "SELECT claim_id FROM relations WHERE type = 'supports'",
        "kind:met": "SELECT claim_id FROM relations WHERE type = 'met'",
        "status:current": "SELECT claim_id FROM roles WHERE status = 'current'",
        "status:Former": "SELECT claim_id FROM roles WHERE status = 'former'",
        "outlet:review": (
            "SELECT ci.claim_id FROM citations ci JOIN sources s ON s.id = ci.source_id"
            " WHERE s.outlet LIKE '%review%' OR s.via LIKE '%review%'"
        ),
        "outlet:america": (
            "SELECT ci.claim_id FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE s.via LIKE '%america%'"
        ),
        "source:rt-wang-yi-color-revolutions": (
            "SELECT claim_id FROM citations WHERE source_id = 'rt-wang-yi-color-revolutions'"
        ),
        "disputed": "SELECT id FROM claims WHERE disputed IS NOT NULL",
        "conflict": "SELECT claim_id FROM conflicts UNION SELECT other_id FROM conflicts",
        "kind:property from:2024": (
            "SELECT p.claim_id FROM properties p JOIN citations ci ON ci.claim_id = p.claim_id"
            " JOIN sources s ON s.id = ci.source_id WHERE s.published >= '2024'"
        ),
        "kind:role status:current source:rt-wang-yi-color-revolutions": (
            "SELECT r.claim_id FROM roles r JOIN citations ci ON ci.claim_id = r.claim_id"
            " WHERE r.status = 'current' AND ci.source_id = 'rt-wang-yi-color-revolutions'"
        ),
    }[text]
    return ids(conn, sql)


CLAIM_TEXTS = [
    ("patrushev", 22),
    ("secretary", None),
    ("chen patrushev", None),
    ("kind:role", 14),
    ("type:role", 14),
    ("kind:alias", 10),
    ("kind:property", 21),
    ("kind:participation", 56),
    ("kind:supports", 6),
    ("kind:met", 0),  # a relation type the sample has no relation of
    ("status:current", 11),
    ("status:Former", 1),
    ("outlet:review", None),
    ("outlet:america", None),
    ("source:rt-wang-yi-color-revolutions", None),
    ("disputed", 1),
    ("conflict", 2),
    ("kind:event from:2024 to:2024", 6),
    ("kind:participation to:1972", None),
    ("kind:relation from:2017 to:2017", None),
    ("kind:property from:2024", None),
    ("kind:role status:current source:rt-wang-yi-color-revolutions", None),
]


@pytest.mark.parametrize("few_names", [overview.FEW_NAMES, 0], ids=["names-drive", "row-by-row"])
@pytest.mark.parametrize(("text", "n"), CLAIM_TEXTS)
def test_claims_terms(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, text: str, n: int | None, few_names: int
) -> None:
    """Both ways a word is looked for (the few entities holding it drive
    the query, or each claim is checked) and a rare kind (its own table
    drives) or a common one (claims.kind) find the same claims."""
    monkeypatch.setattr(overview, "FEW_NAMES", few_names)
    assert overview.narrowing("claims", text).problems == ()
    want = expected_claims(conn, text)
    if n is not None:
        assert len(want) == n
    else:
        assert want, "a case that finds nothing proves little"
    got = found(conn, "claims", text)
    assert len(got) == len(set(got)) and set(got) == want
    assert counted(conn, "claims", text) == overview.Count(len(want), True)


def test_the_disputed_claim_is_rts_xi_premier(conn: sqlite3.Connection) -> None:
    assert found(conn, "claims", "disputed") == ["xi-jinping-premier-per-rt"]


def expected_events(conn: sqlite3.Connection, text: str) -> set[str]:
    def with_participant_of(country: str) -> set[str]:
        return ids(
            conn,
            "SELECT event_id FROM participations WHERE entity_id IN (SELECT value FROM json_each(?))",
            as_json(members(conn, country)),
        )

    def holding(word: str) -> set[str]:
        who = as_json(named(conn, word))
        return ids(
            conn,
            "WITH x(id) AS (SELECT value FROM json_each(?1))"
            " SELECT entity_id FROM events WHERE entity_id IN x OR place_id IN x"
            " UNION SELECT event_id FROM participations WHERE entity_id IN x",
            who,
        )

    everything = ids(conn, "SELECT entity_id FROM events")
    if text == "type:meeting":
        return ids(conn, "SELECT entity_id FROM events WHERE type = 'meeting'")
    if text == "country:china":
        return with_participant_of("china")
    if text == "type:meeting country:china country:russia":
        return expected_events(conn, "type:meeting") & with_participant_of("china") & with_participant_of("russia")
    if text == "from:2023 to:2023":
        return events_meeting(conn, "2023", "2023")
    if text == "from:2024":
        return events_meeting(conn, "2024", None)
    if text == "to:2017":
        return events_meeting(conn, None, "2017")
    if text == "from:2024-04-25 to:2024-05":
        return events_meeting(conn, "2024-04-25", "2024-05")
    if text == "moscow":
        return holding("moscow")
    if text == "patrushev chen":
        return holding("patrushev") & holding("chen")
    raise AssertionError(everything)


EVENT_TEXTS = [
    ("type:meeting", None),
    ("country:china", None),
    ("type:meeting country:china country:russia", 3),
    ("from:2023 to:2023", 3),
    ("from:2024", 6),
    ("to:2017", 3),
    ("from:2024-04-25 to:2024-05", 2),
    ("moscow", None),
    ("patrushev chen", 2),
]


@pytest.mark.parametrize(("text", "n"), EVENT_TEXTS)
def test_events_terms(conn: sqlite3.Connection, text: str, n: int | None) -> None:
    assert overview.narrowing("events", text).problems == ()
    want = expected_events(conn, text)
    if n is not None:
        assert len(want) == n
    else:
        assert want
    got = found(conn, "events", text)
    assert len(got) == len(set(got)) and set(got) == want
    assert counted(conn, "events", text) == overview.Count(len(want), True)


def test_an_event_with_one_date_is_not_found_in_later_years(conn: sqlite3.Connection) -> None:
    """An event dated 1969 alone took place in 1969 (its row shows "1969"),
    not from 1969 for ever: from:2023 must not list it."""
    assert "sino-soviet-clashes-1969" in found(conn, "events", "to:1970")
    assert "sino-soviet-clashes-1969" not in found(conn, "events", "from:2023")
    assert "sino-soviet-clashes-1969-participation" not in " ".join(found(conn, "claims", "kind:event from:2023"))
    # one with an end is found anywhere within it
    assert "chen-russia-trip-2024" in found(conn, "events", "from:2024-04-25 to:2024-04-25")
    # the undated events are in no range
    assert "cold-war" not in found(conn, "events", "from:1900") + found(conn, "events", "to:2100")


def test_the_events_of_meetings_between_china_and_russia(conn: sqlite3.Connection) -> None:
    assert set(found(conn, "events", "type:meeting country:china country:russia")) == {
        "xi-putin-moscow-meetings-2023",
        "chen-patrushev-meeting-2024",
        "chen-patrushev-moscow-meeting",
    }


def expected_entities(conn: sqlite3.Connection, text: str) -> set[str]:
    def kind(k: str) -> set[str]:
        return ids(conn, "SELECT id FROM entities WHERE kind = ?", k)

    return {
        "kind:person": lambda: kind("person"),
        "type:country": lambda: kind("country"),
        "kind:person kind:country": lambda: kind("person") | kind("country"),
        "country:china": lambda: members(conn, "china"),
        "kind:person country:russia": lambda: kind("person") & members(conn, "russia"),
        "kind:organisation country:russia": lambda: kind("organisation") & members(conn, "russia"),
        "chen": lambda: named(conn, "chen"),
        "chinese communist": lambda: named(conn, "chinese") & named(conn, "communist"),
        "kind:person wang": lambda: kind("person") & named(conn, "wang"),
    }[text]()


ENTITY_TEXTS = [
    ("kind:person", 12),
    ("type:country", 7),
    ("kind:person kind:country", 19),
    ("country:china", None),
    ("kind:person country:russia", 2),
    ("kind:organisation country:russia", None),
    ("chen", None),
    ("chinese communist", None),
    ("kind:person wang", 1),
]


@pytest.mark.parametrize("few_names", [overview.FEW_NAMES, 0], ids=["names-drive", "row-by-row"])
@pytest.mark.parametrize(("text", "n"), ENTITY_TEXTS)
def test_entities_terms(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, text: str, n: int | None, few_names: int
) -> None:
    monkeypatch.setattr(overview, "FEW_NAMES", few_names)
    assert overview.narrowing("entities", text).problems == ()
    want = expected_entities(conn, text)
    if n is not None:
        assert len(want) == n
    else:
        assert want
    got = found(conn, "entities", text)
    assert len(got) == len(set(got)) and set(got) == want
    assert counted(conn, "entities", text) == overview.Count(len(want), True)
    # by kind, then name, whichever way the rows were found
    rows = overview.page(conn, "entities", overview.query(conn, "entities", overview.narrowing("entities", text)))
    keys = [(r.kind, r.name.lower()) for r in rows if isinstance(r, EntityRow)]
    assert keys == sorted(keys)


def test_the_russian_people_include_patrushev(conn: sqlite3.Connection) -> None:
    got = found(conn, "entities", "kind:person country:russia")
    assert len(got) == 2 and "nikolai-patrushev" in got


# --- orders -------------------------------------------------------------------------------


def _dates(conn: sqlite3.Connection, view: View, order: str) -> list[str | None]:
    q = overview.query(conn, view, overview.Narrowing(), order)
    rows = overview.page(conn, view, q, 0, 10_000)
    return [r.published if isinstance(r, SourceRow) else r.start if isinstance(r, EventRow) else None for r in rows]


def test_sources_newest_or_oldest_first(conn: sqlite3.Connection) -> None:
    newest = _dates(conn, "sources", "newest first")
    assert newest == _dates(conn, "sources", "") == _dates(conn, "sources", "no such order")
    oldest = _dates(conn, "sources", "oldest first")
    dated_new = [d for d in newest if d]
    dated_old = [d for d in oldest if d]
    assert len(dated_new) >= 2
    assert dated_new == sorted(dated_new, reverse=True)
    assert dated_old == sorted(dated_old) == dated_new[::-1]
    assert newest[-1] is None  # the undated after every dated one


def test_events_earliest_or_latest_first_undated_last(conn: sqlite3.Connection) -> None:
    for order, backwards in (("earliest first", False), ("latest first", True)):
        dates = _dates(conn, "events", order)
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=backwards), order
        assert dates[: len(dated)] == dated, f"{order}: the undated come last"
        assert len(dates) == 26
    assert _dates(conn, "events", "") == _dates(conn, "events", "earliest first")


def test_every_order_named_in_orders_is_a_valid_query(conn: sqlite3.Connection) -> None:
    for view in overview.VIEWS:
        for order in overview.ORDERS[view]:
            assert len(found(conn, view, "", order)) == TOTALS[view]
            assert len(found(conn, view, "chen", order)) == counted(conn, view, "chen").n


# --- paging -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "text", "order"),
    [
        ("sources", "", ""),
        ("sources", "", "oldest first"),
        ("claims", "", ""),
        ("claims", "patrushev", ""),
        ("claims", "kind:participation", ""),
        ("events", "", ""),
        ("events", "", "latest first"),
        ("entities", "", ""),
        ("entities", "chen", ""),
        ("entities", "kind:person", ""),
    ],
)
def test_pages_are_disjoint_and_cover_the_count(conn: sqlite3.Connection, view: View, text: str, order: str) -> None:
    q = overview.query(conn, view, overview.narrowing(view, text), order)
    n = overview.count(conn, q)
    assert n.exact and n.n
    size = 7
    pages: list[list[str]] = []
    for offset in range(0, n.n + size, size):
        pages.append([r.id for r in overview.page(conn, view, q, offset, size)])
    assert all(len(p) == size for p in pages[: n.n // size])
    assert pages[-1] == []
    joined = [i for p in pages for i in p]
    assert len(joined) == len(set(joined)) == n.n
    assert joined == [r.id for r in overview.page(conn, view, q, 0, 10_000)]


# --- counting -----------------------------------------------------------------------------


def test_count_is_exact_up_to_the_cap_and_estimated_above(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = overview.query(conn, "claims", overview.Narrowing())
    some = overview.query(conn, "claims", overview.narrowing("claims", "patrushev"))
    few = overview.query(conn, "claims", overview.narrowing("claims", "disputed"))
    monkeypatch.setattr(overview, "COUNT_CAP", 10)
    # everything: the table's rowid span, no count at all
    n = overview.count(conn, everything)
    assert not n.exact and n.n is not None and n.n > 10
    # 22 of 190: more than the cap, so sampled, and never said to be at most the cap
    n = overview.count(conn, some)
    assert not n.exact and n.n is not None and n.n > 10
    # within the cap: exact
    assert overview.count(conn, few) == overview.Count(1, True)
    # on demand: exact however many
    assert overview.count(conn, everything, budget=None) == overview.Count(190, True)
    assert overview.count(conn, some, budget=None) == overview.Count(22, True)


def test_a_count_out_of_time_is_unknown(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    q = overview.query(conn, "claims", overview.narrowing("claims", "patrushev"))
    monkeypatch.setattr(overview.db, "within", lambda conn, seconds, fn: None)  # every read over budget
    assert overview.count(conn, q) == overview.Count(None, False)
    assert overview.count(conn, q, budget=None) == overview.Count(22, True)


def test_an_estimate_of_everything_is_the_table_size(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "COUNT_CAP", 3)  # fewer than the 5 sources
    for view in overview.VIEWS:
        q = overview.query(conn, view, overview.Narrowing())
        lo, hi = conn.execute(f"SELECT min(rowid), max(rowid) FROM {TABLES[view]}").fetchone()
        assert overview.count(conn, q) == overview.Count(hi - lo + 1, False), view


# --- what a hostile filter does -------------------------------------------------------------

HOSTILE = [
    "%",
    "_",
    "\\",
    '"',
    "'",
    "%_\\\"'",
    "' OR 1=1 --",
    '"; DROP TABLE claims; --',
    "outlet:%",
    "outlet:_",
    "outlet:\\",
    "author:%_",
    'via:"',
    "source:'",
    "source:%",
    "kind:%",
    "status:'",
    "from:2024%",
    "to:2024'",
    'NEAR( "x" AND *',
    'patru* "chen',
    "a\\%b\\_c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_filter_neither_raises_nor_widens(conn: sqlite3.Connection, text: str) -> None:
    for view in overview.VIEWS:
        n = overview.narrowing(view, text)
        try:
            q = overview.query(conn, view, n)
        except overview.Unknown:
            continue  # said to the user; a kind or country of that name is not in the KB
        rows = overview.page(conn, view, q, 0, 10_000)
        count = overview.count(conn, q)
        assert count.exact and count.n == len(rows)
        # a term's value is taken literally: no outlet or author holds % _ \ or "
        if any(k in ("outlet", "author", "via") for k, _ in n.terms) and view == "sources":
            assert rows == [], (view, text)
        if any(k in ("outlet", "source") for k, _ in n.terms) and view == "claims":
            assert rows == [], (view, text)


def _literal_kb(root: Path) -> Path:
    """Four sources whose outlets and authors hold LIKE's wildcards, its
    escape character and quotes, and look-alikes that must not match them."""
    (root / "sources").mkdir(parents=True)
    outlets = {
        "pct": ("100% Wire", 'O"Hara_Jones'),
        "nopct": ("1000 Wire", "OHaraXJones"),
        "slash": ("C:\\News\\Daily", "A\\B"),
        "under": ("A_B Post", "O'Brien"),
    }
    lines = []
    for sid, (outlet, author) in outlets.items():
        (root / "sources" / f"{sid}.txt").write_text(f"Text of {sid}.\n", encoding="utf-8")
        lines.append(
            f"[[source]]\nid = {json.dumps(sid)}\nfile = {json.dumps(f'sources/{sid}.txt')}\n"
            f"title = {json.dumps('Title ' + sid)}\noutlet = {json.dumps(outlet)}\n"
            f'author = {json.dumps(author)}\npublished = "2024-01-01"\n'
        )
    (root / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
    (root / "kb.toml").write_text('[[entity]]\nid = "x"\nkind = "person"\nname = "X"\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def literal_conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("literal") / "literal.db"
    import_bundle(_literal_kb(tmp_path_factory.mktemp("literal-bundle")), path)
    c = db.connect_readonly(path)
    yield c
    c.close()


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("outlet:%", ["pct"]),
        ("outlet:100%", ["pct"]),
        ("outlet:_", ["under"]),
        ("outlet:A_B", ["under"]),
        ("outlet:\\", ["slash"]),
        ("outlet:C:\\News", ["slash"]),
        ("outlet:\\N", ["slash"]),
        ("author:\\", ["slash"]),
        ('author:O"Hara', ["pct"]),
        ('author:"', ["pct"]),
        ("author:_J", ["pct"]),
        ("author:O'B", ["under"]),
        ("author:'", ["under"]),
        ("outlet:wire", ["nopct", "pct"]),
        ("outlet:%%", []),
        ("outlet:_B_", []),
        ("author:\\\\", []),
    ],
)
def test_wildcards_quotes_and_backslashes_are_taken_literally(
    literal_conn: sqlite3.Connection, text: str, want: list[str]
) -> None:
    assert sorted(found(literal_conn, "sources", text)) == want
    assert counted(literal_conn, "sources", text) == overview.Count(len(want), True)
