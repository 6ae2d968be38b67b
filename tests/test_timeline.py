"""`kbtui timeline` and kbtui.kb.timeline: every dated item in order, with
known answers from the sample, and an ordering property over random KBs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import attest, dates, timeline
from kbtui.kb import db as kbdb


@pytest.fixture
def conn(sample_db: Path) -> Iterator[sqlite3.Connection]:
    c = kbdb.connect_readonly(sample_db)
    yield c
    c.close()


@pytest.fixture
def run(sample_db: Path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--db", str(sample_db), "timeline", *args], catch_exceptions=False)

    return invoke


def _key(item: timeline.Item) -> tuple[str, str, int]:
    return (item["date"], item["claim"]["id"], timeline.RANK[item["kind"]])


# --- known answers on the sample ------------------------------------------


def test_chen_trip_begins_and_ends_in_order(conn):
    items = list(timeline.iterate(conn))
    trip = [(i["date"], i["kind"]) for i in items if i["claim"]["id"] == "chen-russia-trip-2024"]
    assert trip == [("2024-04-20", "event-start"), ("2024-04-28", "event-end")]
    begins = next(i for i in items if i["claim"]["id"] == "chen-russia-trip-2024")
    assert begins["text"] == "Chen Wenqing's trip to Russia (April 20-28, 2024) begins (visit, Russia)"
    assert begins["citation"] is not None and begins["citation"]["id"] == 165
    assert {"chen-russia-trip-2024", "russia", "chen-wenqing"} <= {e["id"] for e in begins["entities"]}


def test_whole_kb_is_in_key_order_and_complete(conn):
    items = list(timeline.iterate(conn, page_size=7))
    keys = [_key(i) for i in items]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert items[0]["date"] == "1969"  # the Sino-Soviet clashes
    # every dated event of the sample is there, at its start
    starts = {i["claim"]["id"]: i["date"] for i in items if i["kind"] == "event-start"}
    sample_events = conn.execute("SELECT claim_id, start FROM events WHERE start IS NOT NULL").fetchall()
    assert len(sample_events) == 17
    assert all(starts[c] == s for c, s in sample_events)
    # the one dated relation: Russia banned WeChat in 2017
    assert ("2017", "relation-start", "Russia banned WeChat") in {(i["date"], i["kind"], i["text"]) for i in items}


def test_coarse_date_sorts_at_the_start_of_its_period(conn):
    dated = [i["date"] for i in timeline.iterate(conn, start="2024", end="2024")]
    assert dated.index("2024") < dated.index("2024-04") < dated.index("2024-04-20") < dated.index("2024-05-03")


def test_entity_timeline_names_only_that_entity(conn):
    items = list(timeline.iterate(conn, "chen-wenqing"))
    assert items, "Chen Wenqing has a timeline"
    assert all("chen-wenqing" in {e["id"] for e in i["entities"]} for i in items)
    assert "chen-russia-trip-2024" in {i["claim"]["id"] for i in items}
    # his roles are undated: each is one attestation row at its latest evidence
    roles = [i for i in items if i["claim"]["kind"] == "role"]
    assert {(i["kind"], i["date"]) for i in roles} == {("attested", "2024-05-03")}
    assert len(roles) == len({i["claim"]["id"] for i in roles}) == 2


def test_attestation_row_cites_the_evidence_that_dates_it(conn):
    items = list(timeline.iterate(conn))
    row = next(i for i in items if i["claim"]["id"] == "wang-yi-foreign-minister")
    assert row["kind"] == "attested" and row["date"] == "2021-03-09"
    assert row["text"].endswith("(first attested 2021-03-07)")
    assert row["citation"] is not None and row["citation"]["as_of"] == "2021-03-09"
    assert row["citations"] == 3


def test_bounds_overlap_coarse_dates(conn):
    april = list(timeline.iterate(conn, start="2024-04", end="2024-04"))
    got = {i["date"] for i in april}
    # "2024" overlaps April 2024; May does not
    assert got == {"2024", "2024-04", "2024-04-20", "2024-04-28"}
    assert not list(timeline.iterate(conn, start="2025"))
    assert {i["date"] for i in timeline.iterate(conn, end="1972")} == {"1969", "1972-02"}


def test_precision_is_shown(conn):
    precisions = {i["date"]: i["precision"] for i in timeline.iterate(conn, start="2024")}
    assert precisions["2024"] == "year" and precisions["2024-04"] == "month" and precisions["2024-04-20"] == "day"


def test_pages_continue_after_the_cursor(conn):
    first = timeline.page(conn, limit=5)
    assert len(first.items) == 5 and first.next is not None
    assert str(first.next) == first.items[-1]["cursor"]
    second = timeline.page(conn, after=timeline.Cursor.parse(str(first.next)), limit=5)
    assert _key(first.items[-1]) < _key(second.items[0])
    everything = list(timeline.iterate(conn, page_size=1000))
    assert [_key(i) for i in first.items + second.items] == [_key(i) for i in everything[:10]]


def test_cursor_refuses_what_a_page_did_not_print():
    for bad in ("", "2024", "2024:x", "2024:x:2", ":x:0", "a:b:c:d"):
        with pytest.raises(ValueError):
            timeline.Cursor.parse(bad)


def test_data_layer_imports_no_terminal_code():
    import kbtui.kb.timeline as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert not any(f"import {m}" in source or f"from {m}" in source for m in ("click", "rich", "textual"))


# --- the command ----------------------------------------------------------


def test_cli_groups_by_year_with_cite_ids(run):
    r = run("chen-wenqing")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Timeline of Chen Wenqing (chen-wenqing)"
    assert "2024" in [line.strip() for line in lines]
    row = next(n for n, line in enumerate(lines) if line.startswith("2024-04-20"))
    assert "trip to Russia" in lines[row] and "cite 165" in " ".join(lines[row : row + 3])


def test_cli_json_shape(run):
    r = run("--from", "2024-04-20", "--to", "2024-04-28", "--json")
    assert r.exit_code == 0
    items = json.loads(r.stdout)
    # the days of the trip, and what is dated only to April 2024 or to 2024
    assert [(i["date"], i["kind"]) for i in items if i["precision"] == "day"] == [
        ("2024-04-20", "event-start"),
        ("2024-04-28", "event-end"),
    ]
    assert {i["date"] for i in items} == {"2024", "2024-04", "2024-04-20", "2024-04-28"}
    item = next(i for i in items if i["date"] == "2024-04-20")
    assert set(item) == {"date", "precision", "kind", "text", "claim", "entities", "citation", "citations", "cursor"}
    assert item["precision"] == "day"
    assert set(item["claim"]) == {"id", "kind", "type", "label", "disputed"}
    assert item["claim"] | {"label": ""} == {
        "id": "chen-russia-trip-2024",
        "kind": "event",
        "type": "visit",
        "label": "",
        "disputed": None,
    }
    # the citation shape every other --json command emits
    assert {"id", "source", "quote", "span", "as_of", "stance", "certainty", "mode", "speaker"} <= set(item["citation"])
    assert {"id", "title", "outlet"} <= set(item["citation"]["source"])


def test_cli_pages_with_after(run):
    r = run("--limit", "3", "--json")
    assert r.exit_code == 0 and "--after" in r.stderr
    first = json.loads(r.stdout)
    r2 = run("--limit", "3", "--json", "--after", first[-1]["cursor"])
    second = json.loads(r2.stdout)
    assert second and second[0]["cursor"] != first[-1]["cursor"]
    assert (second[0]["date"], second[0]["claim"]["id"]) >= (first[-1]["date"], first[-1]["claim"]["id"])


@pytest.mark.parametrize(
    ("ref", "words"),
    [("patrushev meeting", "ambiguous"), ("nobody-at-all-xyz", "no entity")],
)
def test_cli_unknown_or_ambiguous_ref_lists_candidates(run, ref, words):
    r = run(ref)
    assert r.exit_code == 1 and words in r.stderr and "Traceback" not in r.stderr
    if words == "ambiguous":
        assert "chen-patrushev-meeting-2024" in r.stderr and "chen-patrushev-moscow-meeting" in r.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2024-13"], "--from '2024-13': month 13 does not exist"),
        (["--to", "april"], "--to 'april' is not an ISO date"),
        (["--from", "2025", "--to", "2024"], "--from 2025 is after --to 2024"),
        (["--after", "nonsense"], "--after 'nonsense' is not a cursor"),
    ],
)
def test_cli_bad_input_is_one_line(run, args, words):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and words in r.stderr and "Traceback" not in r.stderr
    if "is after" not in words and "--after" not in args:
        assert "e.g. " + args[-2] in r.stderr  # an example of the option


# --- the order, over random KBs -------------------------------------------

_years = st.integers(2019, 2021).map(str)
_dates = st.one_of(
    _years,
    st.tuples(_years, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(_years, st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
)
_claims = st.lists(
    st.tuples(
        st.sampled_from(["role", "relation", "event", "birth-date"]),
        st.none() | _dates,  # start (a property's value)
        st.none() | _dates,  # end
        st.lists(_dates, max_size=3),  # citations' as-of dates
        st.sampled_from(["a", "b", "c"]),  # who it is about
    ),
    max_size=25,
)


def _random_kb(claims: list[tuple[str, str | None, str | None, list[str], str]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    kbdb.apply_schema(conn)
    text = "x" * 10
    conn.execute(
        "INSERT INTO sources (id, title, text, sha256) VALUES ('s', 's', ?, ?)",
        (text, hashlib.sha256(text.encode()).hexdigest()),
    )
    for e in ("a", "b", "c", "org"):
        conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'person', ?)", (e, e.upper()))
    for n, (kind, start, end, as_ofs, who) in enumerate(claims):
        cid = f"c{n:03d}"
        claim_kind = "property" if kind == "birth-date" else kind
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, ?)", (cid, claim_kind))
        if kind == "role":
            conn.execute(
                'INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, "end")'
                " VALUES (?, ?, ?, ?, ?, ?)",
                (cid, who, "org", "T", start, end),
            )
        elif kind == "relation":
            conn.execute(
                'INSERT INTO relations (claim_id, type, subject_id, object_id, start, "end") VALUES (?, ?, ?, ?, ?, ?)',
                (cid, "met", who, "org", start, end),
            )
        elif kind == "event":
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'event', ?)", (f"ev{n}", f"Event {n}"))
            conn.execute(
                'INSERT INTO events (entity_id, claim_id, type, start, "end") VALUES (?, ?, ?, ?, ?)',
                (f"ev{n}", cid, "meeting", start, end),
            )
            conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'participation')", (f"p{n}",))
            conn.execute(
                "INSERT INTO participations (claim_id, event_id, entity_id) VALUES (?, ?, ?)", (f"p{n}", f"ev{n}", who)
            )
        elif start is not None:
            conn.execute(
                "INSERT INTO properties (claim_id, entity_id, property, value) VALUES (?, ?, 'birth-date', ?)",
                (cid, who, start),
            )
        for as_of in as_ofs:
            conn.execute(
                'INSERT INTO citations (claim_id, source_id, quote, start, "end", as_of) VALUES (?, ?, ?, 0, 1, ?)',
                (cid, "s", "x", as_of),
            )
    return conn


def _expected(
    claims: list[tuple[str, str | None, str | None, list[str], str]], who: str | None, lo: str | None, hi: str | None
) -> list[tuple[str, str, str]]:
    """The items by the module docstring's rules, written independently:
    overlap tested on intervals (kbtui.kb.dates), not on strings."""
    wanted = dates.between(lo, hi)
    out = []
    for n, (kind, start, end, as_ofs, about) in enumerate(claims):
        if who is not None and about != who:
            continue
        cid = f"c{n:03d}"
        items: list[tuple[str, str]] = []
        if kind == "birth-date":
            items = [("birth-date", start)] if start else []
        else:
            if start:
                items.append((f"{kind}-start", start))
            if end and not (kind == "event" and end == start):
                items.append((f"{kind}-end", end))
            if not start and not end:
                _, last = attest.window(attest.Dated(a, "supports", "asserts") for a in as_ofs)
                if last:
                    items.append(("attested", last))
        out += [(d, cid, k) for k, d in items if dates.span(d).overlaps(wanted)]
    return sorted(out, key=lambda t: (t[0], t[1], timeline.RANK[t[2]]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    claims=_claims,
    who=st.none() | st.sampled_from(["a", "b"]),
    lo=st.none() | _dates,
    hi=st.none() | _dates,
    page_size=st.integers(1, 6),
)
def test_timeline_is_sorted_and_holds_exactly_the_items_in_range(claims, who, lo, hi, page_size):
    if lo and hi and dates.span(lo).first > dates.span(hi).last:
        hi, lo = lo, hi
        if dates.span(lo).first > dates.span(hi).last:
            return
    conn = _random_kb(claims)
    got = [(i["date"], i["claim"]["id"], i["kind"]) for i in timeline.iterate(conn, who, lo, hi, page_size)]
    assert got == _expected(claims, who, lo, hi)


def test_a_typed_range_of_dates() -> None:
    from kbtui.kb.timeline import parse_range

    assert parse_range("") == (None, None)
    assert parse_range(" 2024-04 ") == ("2024-04", "2024-04")
    assert parse_range("2022..2024-06") == ("2022", "2024-06")
    assert parse_range("2022 to 2024-06") == ("2022", "2024-06")
    assert parse_range("2022–2024") == ("2022", "2024")
    assert parse_range("2024..") == ("2024", None)
    assert parse_range("..2021") == (None, "2021")
    for bad, said in (
        ("2024-13", "'2024-13' is not a date"),
        ("April", "'April' is not a date"),
        ("2024-02-30", "'2024-02-30' is not a date"),
        ("2024..2022", "2024 is after 2022"),
    ):
        with pytest.raises(ValueError, match=said):
            parse_range(bad)
