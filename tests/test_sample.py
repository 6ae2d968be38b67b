"""The sample KB handles the traps in the five articles (see DESIGN notes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import check, db, queries
from kbtui.kb.search import search


@pytest.fixture(scope="module")
def conn(sample_db: Path) -> sqlite3.Connection:
    return db.connect_readonly(sample_db)


def test_sample_checks_clean(conn):
    findings, counts = check.run(conn)
    assert findings == []
    assert counts["sources"] == 5 and counts["citations"] >= 150


def test_every_claim_is_cited_verbatim(conn):
    texts = dict(conn.execute("SELECT id, text FROM sources"))
    for quote, sid, start, end in conn.execute('SELECT quote, source_id, start, "end" FROM citations'):
        assert texts[sid][start:end] == quote


def test_reposts_keep_outlet_author_date_and_via_apart(conn):
    rows = {r["outlet"]: r for r in queries.sources(conn)}
    examiner, review = rows["Washington Examiner"], rows["National Review"]
    assert examiner["author"] == "Tom Rogan" and examiner["via"] == "THE AMERICA ONE NEWS"
    assert examiner["published"] is None and examiner["via_date"] == "2025-06-24"
    assert review["author"] == "Jimmy Quinn" and review["published"] == "2024-05-03"
    assert review["via"] == "THE AMERICA ONE NEWS" and review["via_date"] == "2025-06-04"


def test_same_role_in_different_words_is_one_role_citing_both(conn):
    rows = queries.roles(conn, holder="nikolai-patrushev")
    secretary = [r for r in rows if "Security Council" in (r["organisation"] or {}).get("name", "")]
    assert len(secretary) == 1
    outlets = {c["source"]["outlet"] for c in secretary[0]["citations"]}
    assert {"Washington Examiner", "National Review"} <= outlets
    assert secretary[0]["status"] == "current"


def test_chen_wenqing_current_and_former_roles(conn):
    rows = queries.roles(conn, holder="chen-wenqing")
    by_org = {r["organisation"]["name"]: r["status"] for r in rows}
    assert by_org["Central Political and Legal Affairs Commission"] == "current"
    assert by_org["Ministry of State Security"] == "former"


def test_source_error_is_attributed_and_marked_disputed(conn):
    premier = [r for r in queries.roles(conn, holder="xi-jinping") if r["title"] == "Premier"]
    assert len(premier) == 1 and premier[0]["disputed"]
    assert [c["source"]["outlet"] for c in premier[0]["citations"]] == ["RT"]
    assert premier[0]["status"] != "current"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Yi", "wang-yi"),
        ("F.S.B.", None),
        ("FSB", None),
        ("Federal Security Service", None),
        ("patrushv", "nikolai-patrushev"),
        ("chen wen qing", "chen-wenqing"),
    ],
)
def test_every_name_form_is_found(conn, query, expected):
    hits = search(conn, query, limit=3)
    assert hits, query
    if expected is None:  # the FSB forms: all land on one organisation
        expected = search(conn, "Federal Security Service", limit=1)[0].id
    assert hits[0].id == expected


def test_boilerplate_is_not_extracted(conn):
    names = " ".join(r[0] for r in conn.execute("SELECT name FROM names")).casefold()
    assert "qwiket" not in names and "remer" not in names
    quotes = " ".join(r[0] for r in conn.execute("SELECT quote FROM citations")).casefold()
    assert "sponsor" not in quotes and "bookmarkicon" not in quotes


def test_meetings_have_participants_and_places(conn):
    moscow = [e for e in queries.events(conn, "chen-wenqing") if (e["place"] or {}).get("name") == "Moscow"]
    assert moscow and {"nikolai-patrushev", "chen-wenqing"} <= {p["id"] for p in moscow[0]["participants"]}


# --- schema v3: dated, qualified and attributed evidence --------------------


def _claim_cites(conn, claim_id):
    return queries.citations_for(conn, [claim_id])[claim_id]


def test_every_source_says_how_it_is_dated(conn):
    rows = {r["id"]: r for r in queries.sources(conn)}
    assert rows["nr-chen-russia-trip"]["date_basis"] == "byline"
    assert rows["rt-wang-yi-color-revolutions"]["date_basis"] == "stated"
    # a repost's date bounds the original, never dates it
    examiner = rows["examiner-spy-chiefs-moscow"]
    assert examiner["published"] is None and examiner["not_after"] == examiner["via_date"] == "2025-06-24"
    assert rows["nr-chen-russia-trip"]["not_after"] == "2025-06-04"
    # undated texts say why their citations carry no date
    for sid, note in conn.execute("SELECT id, as_of_note FROM sources WHERE published IS NULL"):
        assert rows[sid]["date_basis"] == "unknown" and note.strip(), sid
    # the two New York Times reports relayed by two texts stay two reports
    origins = {rows[s]["origin"] for s in ("biden-admin-intel-china", "nyt-fsb-wechat-summary")}
    assert len(origins) == 2 and all("New York Times" in o for o in origins)


def test_every_citation_is_dated_or_says_why(conn):
    undated = conn.execute("SELECT count(*) FROM citations WHERE as_of IS NULL AND trim(as_of_note) = ''").fetchone()
    assert undated[0] == 0
    # relative dates are read against the original's date, never the repost's
    assert not conn.execute("SELECT count(*) FROM citations WHERE as_of >= '2025'").fetchone()[0]


def test_relative_dates_are_resolved_against_the_original(conn):
    trip = queries.event(conn, "chen-russia-trip-2024")
    ministry = [c for c in trip["citations"] if "according to China’s foreign ministry" in c["quote"]]
    assert ministry and ministry[0]["as_of"] == "2024-04"  # "last month" in an article of 2024-05-03
    assert ministry[0]["certainty"] == "reported" and ministry[0]["speaker"]["id"] == "china-foreign-ministry"
    haines = queries.event(conn, "haines-senate-testimony-2024")["citations"][0]
    assert haines["as_of"] == "2024-05-03"  # "today": the byline's date, not the repost's 2025-06-04
    visit = queries.event(conn, "xi-moscow-visit-2023")
    assert {c["as_of"] for c in visit["citations"]} == {"2023-03"}  # "In March of last year"


def test_remark_year_is_not_the_start_of_the_relation(conn):
    friend = [r for r in queries.relations(conn, "xi-jinping") if r["type"] == "friend-of"]
    assert len(friend) == 1 and friend[0]["start"] is None
    (cite,) = friend[0]["citations"]
    assert cite["as_of"] == "2019" and cite["as_of_note"]
    assert cite["speaker"]["id"] == "xi-jinping"


def test_hedged_participations_are_likely(conn):
    meeting = queries.event(conn, "chen-patrushev-moscow-meeting")
    parts = {p["id"]: p for p in meeting["participants"]}
    hedged = {"ministry-of-state-security", "fsb", "svr", "spetssvyaz", "gru"}
    assert hedged <= set(parts)
    for pid in hedged:
        assert {c["certainty"] for c in parts[pid]["citations"]} == {"likely"}, pid
    # the readout is relayed, not the writer's own word
    readout = [c for c in parts["china"]["citations"] if "representatives of the ministries" in c["quote"]]
    assert readout and readout[0]["certainty"] == "reported"
    assert readout[0]["speaker"]["id"] == "russian-security-council"


def test_a_demand_is_not_evidence_that_it_is_so(conn):
    cites = _claim_cites(conn, "china-supports-russia-war")
    demand = [c for c in cites if "Beijing cease its support" in c["quote"]]
    assert len(demand) == 1 and demand[0]["mode"] == "demands"
    assert demand[0]["speaker"]["id"] == "biden-administration"
    assert any(c["mode"] == "asserts" and c["stance"] == "supports" for c in cites)
    # a forecast and a denial are marked as such too
    partner = _claim_cites(conn, "china-partner-of-russia")
    assert any(c["mode"] == "predicts" and c["speaker"]["id"] == "wang-yi" for c in partner)
    buildup = queries.event(conn, "russian-military-buildup-ukraine")
    assert any(c["mode"] == "denies" and c["stance"] == "contradicts" for c in buildup["citations"])
    # a participant takes the event's evidence, not its denial
    (russia,) = buildup["participants"]
    assert russia["citations"] and all(c["stance"] == "supports" for c in russia["citations"])
    # the invasion itself is not contradicted by a pre-war denial
    assert all(c["stance"] != "contradicts" for c in queries.event(conn, "russian-invasion-of-ukraine")["citations"])


def test_a_caveat_qualifies_and_the_claim_keeps_its_support(conn):
    cites = _claim_cites(conn, "china-partner-of-russia")
    shallow = [c for c in cites if "mile wide" in c["quote"]]
    assert len(shallow) == 1 and shallow[0]["stance"] in {"qualifies", "contradicts"}
    assert shallow[0]["speaker"]["name"] == "analysts cited by RT"
    assert any(c["stance"] == "supports" and c["certainty"] == "stated" for c in cites)


def test_every_claim_keeps_supporting_evidence(conn):
    lacking = conn.execute(
        "SELECT id FROM claims WHERE id NOT IN (SELECT claim_id FROM citations WHERE stance = 'supports')"
    ).fetchall()
    assert lacking == []


def test_every_person_has_a_nationality_or_affiliation(conn):
    people = {r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'person'")}
    covered = {
        r[0]
        for r in conn.execute(
            "SELECT p.entity_id FROM properties p JOIN entities v ON v.id = p.value"
            " WHERE p.property IN ('nationality', 'affiliation')"
        )
    }
    assert people and people <= covered, sorted(people - covered)
    props = {(p["property"], p["value"]) for p in queries.properties(conn, "chen-wenqing")}
    assert ("nationality", "china") in props and ("position", "top spy chief of China") in props
    # a job description used as a name is a dated descriptor, not also a position
    assert ("position", "Xi's security chief") not in props
    (patrushev,) = [p for p in queries.properties(conn, "nikolai-patrushev") if p["property"] == "nationality"]
    assert patrushev["value"] == "russia"
    assert {c["certainty"] for c in patrushev["citations"]} == {"inferred"}  # no text states a citizenship


def test_descriptors_are_dated_and_cited(conn):
    kinds = {a["name"]: a for a in queries.show(conn, "chen-wenqing")["alias_kinds"]}
    chief = kinds["Xi’s security chief"]
    assert chief["kind"] == "descriptor" and chief["as_of"] == "2024-05-03" and chief["claim_id"]
    for entity_id, alias in (("wang-yi", "Beijing’s top diplomat"), ("xi-jinping", "the Chinese leader")):
        (row,) = conn.execute(
            "SELECT kind, as_of, claim_id FROM aliases WHERE entity_id = ? AND alias = ?", (entity_id, alias)
        ).fetchall()
        assert row["kind"] == "descriptor" and row["as_of"] and row["claim_id"], alias
    # a descriptor is found by search but never resolves a name on the command line
    assert search(conn, "Xi's security chief", limit=1)[0].id == "chen-wenqing"
    with pytest.raises(queries.NotFound):
        queries.resolve(conn, "Xi’s security chief")


@pytest.mark.parametrize(
    "city, country",
    [("Beijing", "china"), ("Moscow", "russia"), ("Washington", "united-states")],
)
def test_capital_names_the_city_and_is_a_metonym_of_the_country(conn, city, country):
    kinds = {
        (r["entity_id"], r["kind"])
        for r in conn.execute("SELECT entity_id, kind FROM aliases WHERE alias = ?", (city,))
    }
    assert (country, "metonym") in kinds
    assert all(kind == "metonym" for _, kind in kinds)  # never a plain alias of the state
    place = queries.resolve(conn, city)
    assert conn.execute("SELECT kind FROM entities WHERE id = ?", (place,)).fetchone()[0] == "place"
    assert {h.id for h in search(conn, city, limit=5)} >= {place, country}


def test_claims_name_the_country_where_the_capital_means_the_government(conn):
    cites = _claim_cites(conn, "china-shared-intelligence-with-russia")
    assert any("Beijing had shared the information with Moscow" in c["quote"] for c in cites)
    row = conn.execute(
        "SELECT subject_id, object_id FROM relations WHERE claim_id = 'china-shared-intelligence-with-russia'"
    ).fetchone()
    assert tuple(row) == ("china", "russia")


def test_source_errors_are_errata_and_conflicts(conn):
    errata = {e["id"]: e for e in queries.errata(conn)}
    premier = errata["rt-xi-premier"]
    assert premier["quote"] == "Chinese premier" and premier["source"]["outlet"] == "RT"
    assert premier["about"] == "xi-jinping-premier-per-rt" and premier["shown_by"] == "xi-jinping-leader-china"
    assert errata["rt-wang-yi-surname"]["quote"] == "Yi announced"
    pairs = [{c["id"] for c in x["claims"]} for x in queries.conflicts(conn)]
    assert {"xi-jinping-premier-per-rt", "xi-jinping-leader-china"} in pairs
    assert all(x["note"] for x in queries.conflicts(conn))
