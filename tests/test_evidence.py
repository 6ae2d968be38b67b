# ruff: noqa: E501  (the TOML of the test bundle keeps one citation per line)
"""Schema v3: evidence that knows when, who and how sure.

One small bundle with a timeline: sources of known dates, a repost, two
reports relaying one original, an undated text; roles dated by start/end and
roles dated only by their evidence; a contradiction, a hedge, a demand; a
property, a conflict, an erratum. Every rule of the model is asked of it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import attest, check, db, queries
from kbtui.kb.bundle import BundleError, load
from kbtui.kb.errors import NotFound
from kbtui.kb.importer import import_bundle

TEXTS = {
    "a": "Ann Lee heads the Board. Bob Ray heads the Guild. The Board is Ruritanian.\n",
    "b": "Ann Lee still heads the Board. Bob Ray no longer heads the Guild, a former head. "
    "Cy Dunn does not head the Board. Officials demand that the Guild disband. Dee Fox is likely the Guild's envoy.\n",
    "c": "REPOST: Ann Lee still heads the Board.\n",
    "d": "Per the Herald report, Eve Orr heads the Mint.\n",
    "e": "The Herald report says Eve Orr heads the Mint.\n",
    "u": "Fay Gil heads the Club. Gus Hale led the Port from 2010 to 2015. Hal Ives has led the Dock since 2018.\n",
}

SOURCES = """\
[[source]]
id = "a"
file = "sources/a.txt"
title = "A"
published = "2020-05-10"
date_basis = "stated"

[[source]]
id = "b"
file = "sources/b.txt"
title = "B"
published = "2024-05"
date_basis = "byline"

[[source]]
id = "c"
file = "sources/c.txt"
title = "C, a repost of B"
relays = "b"
date_basis = "repost"
not_after = "2025-06-24"
note = "reposted 2025-06-24; the original is B"
as_of_note = "a repost; its original's date is B's"

[[source]]
id = "d"
file = "sources/d.txt"
title = "D"
published = "2023"
origin = "The Herald report on the Mint"

[[source]]
id = "e"
file = "sources/e.txt"
title = "E"
published = "2023"
origin = "The Herald report on the Mint"

[[source]]
id = "u"
file = "sources/u.txt"
title = "U, undated"
as_of_note = "no date in the text"
"""

KB = """\
[[entity]]
id = "ann-lee"
kind = "person"
name = "Ann Lee"
aliases = [
  { name = "the Board's chief", kind = "descriptor", as_of = "2024-05", cite = [{ source = "b", quote = "Ann Lee still heads the Board" }] },
]

[[entity]]
id = "bob-ray"
kind = "person"
name = "Bob Ray"

[[entity]]
id = "cy-dunn"
kind = "person"
name = "Cy Dunn"

[[entity]]
id = "dee-fox"
kind = "person"
name = "Dee Fox"

[[entity]]
id = "eve-orr"
kind = "person"
name = "Eve Orr"

[[entity]]
id = "fay-gil"
kind = "person"
name = "Fay Gil"

[[entity]]
id = "gus-hale"
kind = "person"
name = "Gus Hale"

[[entity]]
id = "hal-ives"
kind = "person"
name = "Hal Ives"

[[entity]]
id = "ruritania"
kind = "country"
name = "Ruritania"
aliases = [{ name = "Strelsau", kind = "metonym" }]

[[entity]]
id = "board"
kind = "organisation"
name = "Board"

[[entity]]
id = "guild"
kind = "organisation"
name = "Guild"

[[entity]]
id = "mint"
kind = "organisation"
name = "Mint"

[[entity]]
id = "club"
kind = "organisation"
name = "Club"

[[entity]]
id = "port"
kind = "organisation"
name = "Port"

[[entity]]
id = "dock"
kind = "organisation"
name = "Dock"

[[role]]
id = "ann-board"
holder = "ann-lee"
organisation = "board"
title = "Head"
status = "current"
cite = [
  { source = "a", quote = "Ann Lee heads the Board" },
  { source = "b", quote = "Ann Lee still heads the Board" },
  { source = "c", quote = "Ann Lee still heads the Board" },
]

[[role]]
id = "ann-board-acting"
holder = "ann-lee"
organisation = "board"
title = "Acting head"
status = "current"
cite = [{ source = "a", quote = "Ann Lee heads the Board" }]

[[role]]
id = "bob-guild"
holder = "bob-ray"
organisation = "guild"
title = "Head"
status = "current"
cite = [{ source = "a", quote = "Bob Ray heads the Guild" }]

[[role]]
id = "bob-guild-former"
holder = "bob-ray"
organisation = "guild"
title = "Head"
status = "former"
cite = [{ source = "b", quote = "a former head" }]

[[role]]
id = "cy-board"
holder = "cy-dunn"
organisation = "board"
title = "Head"
status = "current"
cite = [
  { source = "a", quote = "The Board is Ruritanian", as_of = "2021", as_of_note = "test: a year-precision date", certainty = "inferred" },
  { source = "b", quote = "Cy Dunn does not head the Board", stance = "contradicts", as_of = "2022" },
]

[[role]]
id = "dee-guild-envoy"
holder = "dee-fox"
organisation = "guild"
title = "Envoy"
cite = [{ source = "b", quote = "Dee Fox is likely the Guild's envoy", certainty = "likely", speaker = "bob-ray" }]

[[role]]
id = "eve-mint"
holder = "eve-orr"
organisation = "mint"
title = "Head"
status = "current"
cite = [
  { source = "d", quote = "Eve Orr heads the Mint", certainty = "reported", speaker = "the Herald" },
  { source = "e", quote = "Eve Orr heads the Mint", certainty = "reported", speaker = "the Herald" },
]

[[role]]
id = "fay-club"
holder = "fay-gil"
organisation = "club"
title = "Head"
status = "current"
cite = [{ source = "u", quote = "Fay Gil heads the Club" }]

[[role]]
id = "gus-port"
holder = "gus-hale"
organisation = "port"
title = "Head"
start = "2010"
end = "2015"
status = "former"
cite = [{ source = "u", quote = "Gus Hale led the Port from 2010 to 2015" }]

[[role]]
id = "hal-dock"
holder = "hal-ives"
organisation = "dock"
title = "Head"
start = "2018"
status = "current"
cite = [{ source = "u", quote = "Hal Ives has led the Dock since 2018" }]

[[relation]]
id = "guild-disbands"
type = "other"
subject = "guild"
object = "guild"
label = "disbanding"
cite = [{ source = "b", quote = "Officials demand that the Guild disband", mode = "demands", speaker = "officials" }]

[[property]]
entity = "board"
property = "nationality"
value = "ruritania"
cite = [{ source = "a", quote = "The Board is Ruritanian", certainty = "inferred" }]

[[property]]
entity = "board"
property = "official-name"
value = "Ruritanian Board of Works"
qualifier = "en"
cite = [{ source = "a", quote = "The Board" }]

[[conflict]]
claims = ["cy-board", "ann-board-acting"]
note = "one head at a time"

[[erratum]]
id = "b-cy"
source = "b"
quote = "Cy Dunn does not head the Board"
says = "Cy Dunn does not head the Board"
correct = "test erratum"
about = "cy-board"
shown_by = "ann-board-acting"
"""


def write_bundle(root: Path, sources: str = SOURCES, kb: str = KB) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    for name, text in TEXTS.items():
        (root / "sources" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "sources.toml").write_text(sources, encoding="utf-8")
    (root / "kb.toml").write_text(kb, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    root = write_bundle(tmp_path_factory.mktemp("timeline") / "bundle")
    path = root.parent / "kb.db"
    import_bundle(root, path)
    return db.connect_readonly(path)


def _state(conn: sqlite3.Connection, role_id: str, at: str) -> str:
    (role,) = [r for r in queries.roles(conn, as_of=at) if r["id"] == role_id]
    return role["at"]["state"]


def test_the_timeline_checks_clean_but_for_the_demand(conn: sqlite3.Connection) -> None:
    findings, counts = check.run(conn)
    # a claim whose only citation is a demand has no evidence that it is so
    assert [(f.check, f.where) for f in findings] == [("unasserted-claim", "relation guild-disbands")]
    assert counts["properties"] == 2


# -- as-of dates --------------------------------------------------------------


def test_citation_as_of_defaults_to_the_source_date_and_can_be_overridden(conn: sqlite3.Connection) -> None:
    cites = queries.citations_for(conn, ["ann-board", "cy-board", "fay-club"])
    assert [c["as_of"] for c in cites["ann-board"]] == ["2020-05-10", "2024-05", None]
    assert cites["ann-board"][2]["as_of_note"] == "a repost; its original's date is B's"
    assert [c["as_of"] for c in cites["cy-board"]] == ["2021", "2022"]
    assert cites["cy-board"][0]["as_of_note"] == "test: a year-precision date"
    assert cites["fay-club"][0]["as_of"] is None and cites["fay-club"][0]["as_of_note"] == "no date in the text"


def test_attestation_window_comes_from_supporting_asserting_citations(conn: sqlite3.Connection) -> None:
    roles = {r["id"]: r for r in queries.roles(conn)}
    assert roles["ann-board"]["attested"] == {"first": "2020-05-10", "last": "2024-05"}
    # the contradiction (2022) does not attest it
    assert roles["cy-board"]["attested"] == {"first": "2021", "last": "2021"}
    assert roles["fay-club"]["attested"] == {"first": None, "last": None}


# -- roles --as-of, at year, month and day precision -------------------------


@pytest.mark.parametrize(
    ("at", "state"),
    [
        ("1990", "not-yet-attested"),
        ("2019", "not-yet-attested"),
        ("2020", "held"),  # the year overlaps the first evidence (2020-05-10)
        ("2020-04", "not-yet-attested"),
        ("2020-05", "held"),
        ("2020-05-09", "not-yet-attested"),
        ("2020-05-10", "held"),
        ("2022-07-01", "held"),
        ("2024", "held"),
        ("2024-05", "held"),
        ("2024-05-31", "held"),
        ("2024-06", "last-attested"),
        ("2024-06-01", "last-attested"),
        ("2025", "last-attested"),
    ],
)
def test_a_role_dated_only_by_evidence(conn: sqlite3.Connection, at: str, state: str) -> None:
    assert _state(conn, "ann-board", at) == state


def test_last_attested_says_how_long_before(conn: sqlite3.Connection) -> None:
    (role,) = [r for r in queries.roles(conn, as_of="2024-06-30") if r["id"] == "ann-board"]
    assert role["at"] == {"date": "2024-06-30", "state": "last-attested", "days_before": 30}
    words = attest.describe(role["status"], role["attested"]["first"], role["attested"]["last"], dict(role["at"]))
    assert words == "last attested 2024-05 (30 days before)"


@pytest.mark.parametrize(
    ("at", "state"),
    [
        ("2009", "not-yet-attested"),
        ("2009-12-31", "not-yet-attested"),
        ("2010", "held"),
        ("2012-06", "held"),
        ("2015", "held"),
        ("2015-12-31", "held"),
        ("2016", "ended"),
        ("2016-01-01", "ended"),
    ],
)
def test_a_role_with_start_and_end(conn: sqlite3.Connection, at: str, state: str) -> None:
    assert _state(conn, "gus-port", at) == state


@pytest.mark.parametrize(
    ("at", "state"),
    [("2017", "not-yet-attested"), ("2018", "held"), ("2018-07", "held"), ("2019", "last-attested")],
)
def test_an_open_end_is_held_only_as_far_as_the_evidence_reaches(conn: sqlite3.Connection, at: str, state: str) -> None:
    # start 2018 is the only dated evidence: in 2019 it is not known to be held
    assert _state(conn, "hal-dock", at) == state


@pytest.mark.parametrize(
    ("at", "state"), [("2023", "not-yet-attested"), ("2024-05", "ended"), ("2024-05-02", "ended"), ("2030", "ended")]
)
def test_former_means_over_by_the_date_of_the_evidence(conn: sqlite3.Connection, at: str, state: str) -> None:
    assert _state(conn, "bob-guild-former", at) == state


def test_contradicted_or_conflicting_claims_are_disputed_not_held(conn: sqlite3.Connection) -> None:
    # cy-board is attested 2021 and contradicted as of 2022, and in a conflict
    assert _state(conn, "cy-board", "2021") == "disputed"
    assert _state(conn, "cy-board", "2023") == "last-attested"
    # the other side of an unsettled conflict: held becomes disputed
    assert _state(conn, "ann-board-acting", "2020") == "disputed"
    assert _state(conn, "ann-board-acting", "2019") == "not-yet-attested"


def test_undated_evidence_is_said_to_be_undated(conn: sqlite3.Connection) -> None:
    assert _state(conn, "fay-club", "2024") == "undated"


def test_held_roles_are_listed_first(conn: sqlite3.Connection) -> None:
    states = [r["at"]["state"] for r in queries.roles(conn, as_of="2012")]
    order = [attest.STATE_ORDER[s] for s in states]
    assert order == sorted(order) and states[0] == "held"


def test_role_state_is_pure_interval_logic() -> None:
    # strings would put "2024" before "2024-05"; intervals say it contains it
    assert attest.role_state("2024", "2020", "2024-05", "former", None, None).state == "held"
    assert attest.role_state("2024-06", "2020", "2024-05", "former", None, None).state == "ended"
    assert attest.role_state("2020", "2020-05", "2024", "former", None, None).state == "held"
    # ended by 2024-05, begun no one knows when: not claimed as held
    assert attest.role_state("2024", None, "2024-05", "former", None, None).state == "undated"
    assert attest.role_state("2024-05-31", "2024-05", None, "current", "2024-05", "2024-05").state == "held"
    assert attest.role_state("2024-06-01", "2024-05", None, "current", "2024-05", "2024-05").state == "last-attested"


# -- stance, certainty, mode, speaker ------------------------------------------


def test_citations_carry_stance_certainty_mode_and_speaker(conn: sqlite3.Connection) -> None:
    cites = queries.citations_for(conn, ["cy-board", "dee-guild-envoy", "eve-mint", "guild-disbands"])
    assert cites["cy-board"][1]["stance"] == "contradicts"
    dee = cites["dee-guild-envoy"][0]
    assert (dee["certainty"], dee["speaker"]) == ("likely", {"id": "bob-ray", "name": "Bob Ray"})
    assert cites["eve-mint"][0]["speaker"] == {"id": None, "name": "the Herald"}
    demand = cites["guild-disbands"][0]
    assert (demand["mode"], demand["stance"]) == ("demands", "supports")
    assert cites["eve-mint"][0]["mode"] == "asserts" and dee["stance"] == "supports"


def test_a_demand_is_not_evidence_that_it_is_so(conn: sqlite3.Connection) -> None:
    (rel,) = [r for r in queries.relations(conn, "guild") if r["id"] == "guild-disbands"]
    assert rel["attested"] == {"first": None, "last": None}
    assert rel["independent_sources"] == 0


# -- independent sources --------------------------------------------------------


def test_a_repost_and_its_original_count_once(conn: sqlite3.Connection) -> None:
    roles = {r["id"]: r for r in queries.roles(conn)}
    assert roles["ann-board"]["independent_sources"] == 2  # a; b and its repost c
    assert roles["eve-mint"]["independent_sources"] == 1  # d and e relay one Herald report
    assert roles["cy-board"]["independent_sources"] == 1  # the contradiction does not count


# -- properties, aliases, conflicts, errata ------------------------------------


def test_properties_are_cited_shown_and_searchable(conn: sqlite3.Connection) -> None:
    props = {p["property"]: p for p in queries.show(conn, "board")["properties"]}
    assert props["nationality"]["value_entity"] == {"id": "ruritania", "name": "Ruritania"}
    assert props["nationality"]["citations"][0]["certainty"] == "inferred"
    assert props["official-name"]["qualifier"] == "en"
    assert queries.search(conn, "Ruritanian Board of Works")[0].id == "board"
    rows = conn.execute("SELECT entity, value_name FROM v_properties WHERE property = 'nationality'").fetchall()
    assert [tuple(r) for r in rows] == [("Board", "Ruritania")]


def test_descriptors_and_metonyms_are_searchable_but_never_resolve(conn: sqlite3.Connection) -> None:
    assert queries.search(conn, "the Board's chief")[0].id == "ann-lee"
    assert queries.search(conn, "Strelsau")[0].id == "ruritania"
    for name in ("the Board's chief", "Strelsau"):
        with pytest.raises(NotFound):
            queries.resolve(conn, name)
    aliases = {a["name"]: a for a in queries.show(conn, "ann-lee")["alias_kinds"]}
    descriptor = aliases["the Board's chief"]
    assert (descriptor["kind"], descriptor["as_of"]) == ("descriptor", "2024-05")
    assert descriptor["claim_id"] and queries.citations_for(conn, [descriptor["claim_id"]])[descriptor["claim_id"]]


def test_conflicts_list_both_sides_with_their_quotes(conn: sqlite3.Connection) -> None:
    (conflict,) = queries.conflicts(conn)
    assert conflict["note"] == "one head at a time"
    sides = {s["id"]: s for s in conflict["claims"]}
    assert set(sides) == {"ann-board-acting", "cy-board"}
    assert sides["cy-board"]["citations"][1]["quote"] == "Cy Dunn does not head the Board"
    assert {r["id"]: r["conflicts"] for r in queries.roles(conn)}["cy-board"] == ["ann-board-acting"]
    assert ("cy-board", "Cy Dunn: Head of Board", "a citation contradicts it") in queries.disputed_claims(conn)


def test_errata_are_anchored_in_their_source(conn: sqlite3.Connection) -> None:
    (x,) = queries.errata(conn)
    text = TEXTS["b"]
    assert text[x["span"][0] : x["span"][1]] == x["quote"]
    assert (x["about"], x["shown_by"]) == ("cy-board", "ann-board-acting")


# -- bad bundles: refused with file:line: field: what -------------------------


def _problems(tmp_path: Path, sources: str = SOURCES, kb: str = KB) -> str:
    with pytest.raises(BundleError) as err:
        load(write_bundle(tmp_path / "b", sources, kb))
    return "\n".join(err.value.problems)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ('certainty = "likely"', 'certainty = "probably"', "`certainty` = 'probably' is not one of"),
        ('stance = "contradicts"', 'stance = "refutes"', "`stance` = 'refutes' is not one of"),
        ('mode = "demands"', 'mode = "requests"', "`mode` = 'requests' is not one of"),
        ('as_of = "2022"', 'as_of = "2022-13"', "`as_of` = '2022-13': month 13 does not exist"),
        ('speaker = "bob-ray"', 'speaker = "bob-rae"', "`speaker` = 'bob-rae' is not a known entity id"),
        ('value = "ruritania"', 'value = "board"', "must be the id of a country entity"),
        ('qualifier = "en"', 'qualifier = "English!"', "must be a language tag"),
        ('about = "cy-board"', 'about = "cy-bored"', "`about` = 'cy-bored' is not a known claim id"),
        (
            'claims = ["cy-board", "ann-board-acting"]',
            'claims = ["cy-board", "nobody"]',
            "'nobody' is not a known claim id",
        ),
    ],
)
def test_bad_kb_values_are_refused_with_their_line(tmp_path: Path, old: str, new: str, expect: str) -> None:
    kb = KB.replace(old, new, 1)
    assert kb != KB
    problems = _problems(tmp_path, kb=kb)
    assert expect in problems
    assert f"kb.toml:{_line_of(kb, new)}:" in problems


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ('not_after = "2025-06-24"', 'not_after = "2025-02-30"', "February 2025 has no day 30"),
        ('date_basis = "byline"', 'date_basis = "guessed"', "`date_basis` = 'guessed' is not one of"),
        ('relays = "b"', 'relays = "zz"', "`relays` = 'zz' is not a known source id"),
        ('not_after = "2025-06-24"', 'not_after = "2019"\nnot_before = "2020"', "is before `not_before`"),
        (
            'published = "2020-05-10"\ndate_basis = "stated"',
            'published = "2020-05-10"\ndate_basis = "unknown"',
            "say how",
        ),
    ],
)
def test_bad_source_dates_are_refused_with_their_line(tmp_path: Path, old: str, new: str, expect: str) -> None:
    sources = SOURCES.replace(old, new, 1)
    assert sources != SOURCES
    problems = _problems(tmp_path, sources=sources)
    assert expect in problems and "sources.toml:" in problems


def test_an_undated_citation_must_say_why(tmp_path: Path) -> None:
    sources = SOURCES.replace('as_of_note = "no date in the text"\n', "")
    problems = _problems(tmp_path, sources=sources)
    assert "source `u` has no `published` date; give the citation `as_of`" in problems


def test_a_relay_loop_is_refused(tmp_path: Path) -> None:
    sources = SOURCES.replace('date_basis = "byline"', 'date_basis = "byline"\nrelays = "c"')
    assert "`relays` makes a loop" in _problems(tmp_path, sources=sources)


def test_a_refused_bundle_leaves_the_kb_unchanged(tmp_path: Path) -> None:
    good = write_bundle(tmp_path / "good")
    path = tmp_path / "kb.db"
    import_bundle(good, path)
    before = path.read_bytes()
    bad = write_bundle(tmp_path / "bad", kb=KB.replace('stance = "contradicts"', 'stance = "nope"'))
    with pytest.raises(Exception, match="stance"):
        import_bundle(bad, path)
    assert path.read_bytes() == before


# -- check ------------------------------------------------------------------------


def test_check_finds_undated_contradicted_unasserted_and_malformed(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    path = tmp_path / "kb.db"
    import_bundle(root, path)
    w = sqlite3.connect(path)
    w.execute("UPDATE citations SET as_of = NULL, as_of_note = '' WHERE claim_id = 'fay-club'")
    w.execute("UPDATE citations SET stance = 'contradicts' WHERE claim_id = 'bob-guild'")
    w.execute("UPDATE citations SET mode = 'predicts' WHERE claim_id = 'dee-guild-envoy'")
    w.execute("UPDATE properties SET value = 'mint' WHERE property = 'nationality'")
    w.execute("UPDATE citations SET as_of = '2024-02-30' WHERE claim_id = 'gus-port'")
    w.commit()
    w.close()
    findings, _ = check.run(db.connect_readonly(path))
    kinds = {(f.check, f.where) for f in findings}
    assert ("contradicted-claim", "role bob-guild") in kinds
    assert ("unasserted-claim", "role dee-guild-envoy") in kinds
    assert ("unasserted-claim", "relation guild-disbands") in kinds
    assert any(k == "undated-citation" for k, _ in kinds)
    assert any(k == "property-value" for k, _ in kinds)
    assert any(k == "date" for k, _ in kinds)


def test_reimport_without_an_alias_citation_leaves_no_claim_behind(tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "one"), path)
    plain = KB.replace(
        """{ name = "the Board's chief", kind = "descriptor", as_of = "2024-05", cite = [{ source = "b", quote = "Ann Lee still heads the Board" }] },""",
        """{ name = "the Board's chief", kind = "descriptor", as_of = "2024-05" },""",
    )
    assert plain != KB
    # the same input, re-imported from elsewhere (another input's alias would stay: it is that input's)
    import_bundle(write_bundle(tmp_path / "two", kb=plain), path, input_id="one")
    conn = db.connect_readonly(path)
    assert conn.execute("SELECT count(*) FROM claims WHERE kind = 'alias'").fetchone()[0] == 0
    findings, _ = check.run(conn)
    assert [f.check for f in findings] == ["unasserted-claim"]  # the demand, as before


def test_a_capital_is_mentioned_as_the_city_not_lost_as_ambiguous(sample_db: Path) -> None:
    # "Moscow" is the city's name and Russia's metonym: the text marks the city
    conn = db.connect_readonly(sample_db)
    counts = dict(conn.execute("SELECT entity_id, count(*) FROM mentions GROUP BY 1").fetchall())
    assert counts.get("moscow", 0) >= 5 and counts.get("beijing", 0) >= 5


def test_a_conflict_settled_against_one_side_leaves_the_other_held(tmp_path: Path) -> None:
    kb = KB.replace(
        'id = "cy-board"\nholder = "cy-dunn"', 'id = "cy-board"\ndisputed = "B says he does not"\nholder = "cy-dunn"'
    )
    assert kb != KB
    path = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "b", kb=kb), path)
    conn = db.connect_readonly(path)
    assert _state(conn, "ann-board-acting", "2020") == "held"
    assert _state(conn, "cy-board", "2021") == "disputed"
