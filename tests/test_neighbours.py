"""`kbtui neighbours`: what an entity is linked to, one or two hops out.

Known answers on the sample (Nikolai Patrushev: his two meetings with Chen
Wenqing, the Security Council, Putin whom he advises, the United States he
opposes), paging, the CLI's contract and refusals, and a property test:
the two hops are exactly a breadth-first search's first two layers.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import db, neighbours

PATRUSHEV = "nikolai-patrushev"


def test_patrushev_is_linked_to_his_meetings_his_council_and_putin(sample_db: Path) -> None:
    conn = db.connect_readonly(sample_db)
    found = neighbours.page(conn, PATRUSHEV)
    got = {n["entity"]["id"]: [link["reads"] for link in n["links"]] for n in found["neighbours"]}
    assert got == {
        "chen-patrushev-meeting-2024": ["took part in"],
        "chen-patrushev-moscow-meeting": ["took part in"],
        "russian-security-council": ["holds a role at"],
        "vladimir-putin": ["advises →"],
        "united-states": ["opposes →"],
    }
    counted = neighbours.counts(conn, PATRUSHEV)
    assert counted["total"] == found["total"] == 5
    assert counted["kinds"] == {"event": 2, "organisation": 1, "country": 1, "person": 1}
    # the other way round, a link reads from the entity asked about
    council = {
        n["entity"]["id"]: n["links"][0]["reads"]
        for n in neighbours.page(conn, "russian-security-council")["neighbours"]
    }
    assert council[PATRUSHEV] == "role holder"


def test_two_hops_reach_chen_wenqing_through_the_meetings(sample_db: Path) -> None:
    conn = db.connect_readonly(sample_db)
    found = neighbours.page(conn, PATRUSHEV, hops=2, limit=1000)
    chen = next(n for n in found["neighbours"] if n["entity"]["id"] == "chen-wenqing")
    assert chen["hop"] == 2
    through = {link["through"]["id"] for link in chen["links"]}
    assert {"chen-patrushev-meeting-2024", "chen-patrushev-moscow-meeting"} <= through
    hops = [n["hop"] for n in found["neighbours"]]
    assert hops == sorted(hops)  # the first hop before the second
    assert found["total"] == neighbours.counts(conn, PATRUSHEV, hops=2)["total"] == len(found["neighbours"])


def test_pages_cover_every_neighbour_once(sample_db: Path) -> None:
    conn = db.connect_readonly(sample_db)
    whole = [n["entity"]["id"] for n in neighbours.page(conn, PATRUSHEV, hops=2, limit=1000)["neighbours"]]
    paged: list[str] = []
    for offset in range(0, len(whole), 4):
        paged += [
            n["entity"]["id"] for n in neighbours.page(conn, PATRUSHEV, hops=2, limit=4, offset=offset)["neighbours"]
        ]
    assert paged == whole and len(set(whole)) == len(whole)


def test_a_second_hop_from_too_many_is_refused(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "HOP2_FROM", 3)
    r = CliRunner().invoke(main, ["--db", str(sample_db), "neighbours", PATRUSHEV, "--hops", "2"])
    assert r.exit_code == 2 and "has 5 neighbours" in r.output and "kbtui interlocks" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_the_cli_counts_then_lists(sample_db: Path) -> None:
    r = CliRunner().invoke(main, ["--db", str(sample_db), "neighbours", "Nikolai Patrushev"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert "Nikolai Patrushev: 5 neighbours" in flat
    assert "by kind: 2 event, 1 organisation, 1 country, 1 person" in flat
    assert "holds a role at (Secretary)" in flat
    r = CliRunner().invoke(main, ["--db", str(sample_db), "neighbours", PATRUSHEV, "--json", "--limit", "2"])
    found = json.loads(r.stdout)
    assert set(found) == {"entity", "hops", "total", "offset", "neighbours", "counts"}
    assert len(found["neighbours"]) == 2 and found["total"] == 5
    link = found["neighbours"][0]["links"][0]
    assert set(link) == {"claim", "direction", "reads"} and set(link["claim"]) == {"id", "kind", "label"}


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["no such entity anywhere"], 1, ""),
        ([PATRUSHEV, "--hops", "3"], 2, "--hops 3"),
        ([PATRUSHEV, "--limit", "0"], 2, "--limit 0"),
        ([PATRUSHEV, "--offset", "-1"], 2, "--offset -1"),
    ],
)
def test_bad_requests_are_one_line(sample_db: Path, args: list[str], code: int, said: str) -> None:
    r = CliRunner().invoke(main, ["--db", str(sample_db), "neighbours", *args])
    assert r.exit_code == code and said in r.output and "Traceback" not in r.output


# -- against a breadth-first search -----------------------------------------------------

NODES = [f"n{i}" for i in range(8)]
edges_st = st.lists(
    st.tuples(st.sampled_from(["role", "relation", "participation"]), st.sampled_from(NODES), st.sampled_from(NODES)),
    max_size=20,
)


def build(path: Path, edges: list[tuple[str, str, str]]) -> None:
    """Entities n0..n7 (n6, n7 events), and each edge one claim."""
    conn = db.connect_writable(path, create=True)
    with conn:
        for n in NODES:
            kind = "event" if n in ("n6", "n7") else "person"
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", (n, kind, n.upper()))
        for n in ("n6", "n7"):
            conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'event')", (n,))
            conn.execute("INSERT INTO events (entity_id, claim_id) VALUES (?, ?)", (n, n))
        seen_participations: set[tuple[str, str]] = set()
        for i, (kind, a, b) in enumerate(edges):
            claim = f"c{i}"
            if kind == "role":
                conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'role')", (claim,))
                conn.execute(
                    "INSERT INTO roles (claim_id, holder_id, organisation_id, title) VALUES (?, ?, ?, 'X')",
                    (claim, a, b),
                )
            elif kind == "relation":
                conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'relation')", (claim,))
                conn.execute(
                    "INSERT INTO relations (claim_id, type, subject_id, object_id) VALUES (?, 'met', ?, ?)",
                    (claim, a, b),
                )
            else:
                event = "n6" if b < "n4" else "n7"
                if a == event or (event, a) in seen_participations:
                    continue
                seen_participations.add((event, a))
                conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'participation')", (claim,))
                conn.execute(
                    "INSERT INTO participations (claim_id, event_id, entity_id) VALUES (?, ?, ?)", (claim, event, a)
                )
    conn.close()


def layers(conn: sqlite3.Connection, start: str) -> tuple[set[str], set[str]]:
    """The first two layers of a plain BFS over the KB's links, read here
    from the tables themselves."""
    adjacent: dict[str, set[str]] = defaultdict(set)
    pairs = [
        *conn.execute("SELECT holder_id, organisation_id FROM roles WHERE organisation_id IS NOT NULL"),
        *conn.execute("SELECT subject_id, object_id FROM relations"),
        *conn.execute("SELECT entity_id, event_id FROM participations"),
    ]
    for a, b in pairs:
        if a != b:
            adjacent[a].add(b)
            adjacent[b].add(a)
    first = adjacent[start] - {start}
    second = {n for f in first for n in adjacent[f]} - first - {start}
    return first, second


@settings(max_examples=40, deadline=None)
@given(edges_st)
def test_the_hops_are_a_breadth_first_searchs_layers(tmp_path_factory, edges) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("graph") / "kb.db"
    build(path, edges)
    conn = db.connect_readonly(path)
    try:
        for start in NODES:
            first, second = layers(conn, start)
            found = neighbours.page(conn, start, hops=2, limit=1000)["neighbours"]
            assert {n["entity"]["id"] for n in found if n["hop"] == 1} == first
            assert {n["entity"]["id"] for n in found if n["hop"] == 2} == second
            for n in found:
                if n["hop"] == 2:
                    assert all(link["through"]["id"] in first for link in n["links"])
    finally:
        conn.close()
