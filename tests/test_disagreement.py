"""Where the sources disagree about one entity (kbtui.kb.disagreement,
`kbtui conflicts REF`, the marker of `kbtui show`).

Known answers on the sample (Xi Jinping: RT's "premier" against the leader,
and RT's erratum; Wang Yi: RT's "Yi", an erratum about his name, found also by
its mention alone; Russia: the buildup its event's own evidence argues over, and the
"Western allies" erratum), the CLI's contract, and a property test: on
random KBs both ways of finding an entity's claims (gathered, or claim by
claim) give exactly what a brute force over the same rows gives.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import db, disagreement


def reader(path: Path) -> sqlite3.Connection:
    return db.connect_readonly(path)


def test_xi_jinping_a_conflict_and_an_erratum(sample_db: Path) -> None:
    conn = reader(sample_db)
    assert disagreement.count(conn, "xi-jinping") == {"conflicts": 1, "disputed": 0, "errata": 1}
    found = disagreement.of_entity(conn, "xi-jinping")
    (conflict,) = found["conflicts"]
    assert {side["id"] for side in conflict["claims"]} == {"xi-jinping-leader-china", "xi-jinping-premier-per-rt"}
    # the premier claim is disputed, but as a side of the conflict: not listed twice
    assert found["disputed"] == []
    (erratum,) = found["errata"]
    assert erratum["erratum"]["id"] == "rt-xi-premier"
    assert [c["quote"] for c in erratum["about_citations"]] == ["Chinese premier Xi Jinping"]
    assert {c["id"] for c in erratum["shown_by_citations"]} == {18, 19}


def test_an_erratum_about_a_name(sample_db: Path) -> None:
    conn = reader(sample_db)
    found = disagreement.of_entity(conn, "wang-yi")
    assert [x["erratum"]["id"] for x in found["errata"]] == ["rt-wang-yi-surname"]
    assert found["errata"][0]["about"] == "Wang Yi called “Yi” (misspelling-in-source)"
    assert found["conflicts"] == found["disputed"] == []


def test_an_erratum_on_a_mention_alone(sample_copy: Path) -> None:
    """An erratum with no claim on either side still concerns the entity
    whose name is in its words."""
    conn = sqlite3.connect(sample_copy)
    with conn:
        conn.execute("UPDATE errata SET about = NULL, shown_by = NULL WHERE id = 'rt-wang-yi-surname'")
    conn.close()
    found = disagreement.of_entity(reader(sample_copy), "wang-yi")
    assert [x["erratum"]["id"] for x in found["errata"]] == ["rt-wang-yi-surname"]
    assert found["errata"][0]["about"] is None and found["errata"][0]["about_citations"] == []


def test_an_event_taken_part_in_that_its_evidence_argues_over(sample_db: Path) -> None:
    conn = reader(sample_db)
    found = disagreement.of_entity(conn, "russia")
    (d,) = found["disputed"]
    assert d["claim_id"] == "russian-military-buildup-ukraine"
    assert not d["marked"] and d["why"] == "a citation contradicts it"
    assert [c["id"] for c in d["supporting"]] == [207, 208]
    assert [c["quote"] for c in d["contradicting"]] == [
        "stating that they did not think an invasion was in development"
    ]
    assert [x["erratum"]["id"] for x in found["errata"]] == ["nyt-summary-western-allies"]


def test_agreement_is_all_zeros(sample_db: Path) -> None:
    conn = reader(sample_db)
    for entity in ("chen-wenqing", "nikolai-patrushev", "ministry-of-state-security"):
        assert disagreement.count(conn, entity) == {"conflicts": 0, "disputed": 0, "errata": 0}
        assert disagreement.side_by_side(disagreement.of_entity(conn, entity)) == []


def test_side_by_side_lines_up_both_claims_and_both_quotes(sample_db: Path) -> None:
    conn = reader(sample_db)
    pairs = disagreement.side_by_side(disagreement.of_entity(conn, "xi-jinping"))
    assert [p["kind"] for p in pairs] == ["conflict", "erratum"]
    left, right = pairs[0]["sides"]
    assert left["claim_id"] == "xi-jinping-leader-china" and right["claim_id"] == "xi-jinping-premier-per-rt"
    assert right["disputed"] and not left["disputed"]
    assert "Chinese premier Xi Jinping" in [c["quote"] for c in right["citations"]]
    says, right_is = pairs[1]["sides"]
    assert says["erratum"] is not None and says["erratum"]["quote"] == "Chinese premier"
    assert right_is["claim_id"] == "xi-jinping-leader-china"


# --- the CLI ---------------------------------------------------------------------


def test_conflicts_ref_prints_two_columns_with_their_quotes(sample_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(sample_db), "conflicts", "Xi Jinping"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Where the sources disagree about Xi Jinping: 1 conflict · 1 erratum" in out
    assert "one side" in out and "the other side" in out and "what is right" in out
    # both claims on one line: side by side, not one after the other
    assert any("Leader of China" in line and "Premier of Chinese" in line for line in out.splitlines())
    assert "their respective leaders" in out and "Chinese premier Xi Jinping" in out


def test_conflicts_ref_json(sample_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(sample_db), "conflicts", "russia", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"entity", "conflicts", "disputed", "errata"}
    assert data["entity"] == {"id": "russia", "name": "Russia"}
    assert data["disputed"][0]["contradicting"][0]["stance"] == "contradicts"


def test_conflicts_ref_when_the_sources_agree_and_when_unknown(sample_db: Path) -> None:
    runner = CliRunner()
    agree = runner.invoke(main, ["--db", str(sample_db), "conflicts", "chen-wenqing"])
    assert agree.exit_code == 0 and "the sources agree about Chen Wenqing" in agree.output
    unknown = runner.invoke(main, ["--db", str(sample_db), "conflicts", "nobody at all"])
    assert unknown.exit_code == 1
    assert "Traceback" not in unknown.output and len(unknown.output.strip().splitlines()) == 1


def test_show_carries_the_marker(sample_db: Path) -> None:
    runner = CliRunner()
    xi = runner.invoke(main, ["--db", str(sample_db), "show", "xi-jinping"], env={"COLUMNS": "120"})
    assert xi.exit_code == 0 and "⚔ sources disagree: 1 conflict · 1 erratum" in xi.output
    chen = runner.invoke(main, ["--db", str(sample_db), "show", "chen-wenqing"])
    assert chen.exit_code == 0 and "sources disagree" not in chen.output
    data = json.loads(runner.invoke(main, ["--db", str(sample_db), "show", "russia", "--json"]).output)
    assert data["disagreement"] == {"conflicts": 0, "disputed": 1, "errata": 1}


# --- both plans against a brute force on random KBs ----------------------------------

PEOPLE = ["p1", "p2", "p3"]
BODIES = ["o1", "o2"]
EVENTS = ["e1", "e2"]
ENTITIES = PEOPLE + BODIES + EVENTS

claims_st = st.lists(
    st.tuples(
        st.sampled_from(["role", "relation", "participation", "property"]),
        st.sampled_from(PEOPLE + BODIES),
        st.sampled_from(BODIES + PEOPLE + EVENTS),
        st.sampled_from(["none", "marked", "contradicted"]),
    ),
    min_size=1,
    max_size=14,
)


def _build(path: Path, claims: list[tuple[str, str, str, str]], conflicts: list[tuple[int, int]]) -> dict[str, set]:
    """The KB, and the entities each claim is about (the brute force's view)."""
    about: dict[str, set[str]] = {}
    conn = db.connect_writable(path, create=True)
    with conn:
        conn.execute("INSERT INTO sources (id, title, text, sha256) VALUES ('s', 'S', 'evidence here', ?)", ("0" * 64,))
        for e in ENTITIES:
            kind = "person" if e in PEOPLE else "organisation" if e in BODIES else "event"
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", (e, kind, e.upper()))
        for n, event in enumerate(EVENTS):
            place = BODIES[n] if n < len(BODIES) - 1 else None  # one event held at a place, one not
            conn.execute(
                "INSERT INTO claims (id, kind, disputed) VALUES (?, 'event', ?)", (f"ev{n}", "why" if n == 0 else None)
            )
            conn.execute(
                "INSERT INTO events (entity_id, claim_id, place_id) VALUES (?, ?, ?)", (event, f"ev{n}", place)
            )
            about[f"ev{n}"] = {event} | ({place} if place else set())
        seen_participations: set[tuple[str, str]] = set()
        for n, (kind, a, b, state) in enumerate(claims):
            claim = f"c{n}"
            if kind == "participation":
                b = EVENTS[n % 2]
                if (a, b) in seen_participations:
                    kind = "property"
                seen_participations.add((a, b))
            if kind in ("role", "relation") and a == b:
                kind = "property"
            conn.execute(
                "INSERT INTO claims (id, kind, disputed) VALUES (?, ?, ?)",
                (claim, kind, "why" if state == "marked" else None),
            )
            stance = "contradicts" if state == "contradicted" else "supports"
            conn.execute(
                'INSERT INTO citations (claim_id, source_id, quote, start, "end", stance)'
                " VALUES (?, 's', 'evidence', 0, 8, ?)",
                (claim, stance),
            )
            if kind == "role":
                conn.execute(
                    "INSERT INTO roles (claim_id, holder_id, organisation_id, title) VALUES (?, ?, ?, 'Member')",
                    (claim, a, b),
                )
                about[claim] = {a, b}
            elif kind == "relation":
                conn.execute(
                    "INSERT INTO relations (claim_id, type, subject_id, object_id) VALUES (?, 'advises', ?, ?)",
                    (claim, a, b),
                )
                about[claim] = {a, b}
            elif kind == "participation":
                conn.execute(
                    "INSERT INTO participations (claim_id, event_id, entity_id) VALUES (?, ?, ?)", (claim, b, a)
                )
                about[claim] = {a, b}
                about[f"ev{EVENTS.index(b)}"].add(a)  # a participant sees the event's own claim
            else:
                conn.execute(
                    "INSERT INTO properties (claim_id, entity_id, property, value) VALUES (?, ?, 'topic', 'x')",
                    (claim, a),
                )
                about[claim] = {a}
        ids = sorted(about)
        for i, j in conflicts:
            x, y = sorted((ids[i % len(ids)], ids[j % len(ids)]))
            if x != y:
                conn.execute("INSERT OR IGNORE INTO conflicts (claim_id, other_id) VALUES (?, ?)", (x, y))
    conn.close()
    return about


@settings(max_examples=60, deadline=None)
@given(claims_st, st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6))
def test_both_plans_find_exactly_the_brute_forces_answer(tmp_path_factory, claims, conflicts) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("kb") / "kb.db"
    about = _build(path, claims, conflicts)
    conn = reader(path)
    pairs = conn.execute("SELECT claim_id, other_id FROM conflicts").fetchall()
    troubled = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM claims WHERE disputed IS NOT NULL"
            " UNION SELECT claim_id FROM citations WHERE stance = 'contradicts'"
        )
    }
    for entity in ENTITIES:
        mine = {c for c, who in about.items() if entity in who}
        want_pairs = sorted((a, b) for a, b in pairs if a in mine or b in mine)
        sides = {c for p in want_pairs for c in p}
        want_disputed = sorted((troubled & mine) - sides)
        for gathered in (True, False):
            plan = disagreement._Plan(conn, entity, gathered=gathered)
            assert disagreement._conflict_pairs(conn, plan, entity) == want_pairs, (entity, gathered)
            assert disagreement._disputed_ids(conn, plan, entity, sides) == want_disputed, (entity, gathered)
        assert disagreement.count(conn, entity) == {
            "conflicts": len(want_pairs),
            "disputed": len(want_disputed),
            "errata": 0,
        }
    conn.close()
