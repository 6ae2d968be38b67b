"""`kbtui path A B`: the shortest evidence paths between two entities
(kbtui.kb.paths_between and kbtui.cli.path).

Known answers on the sample; the JSON contract; bad input; --via and
--as-of; and a property test on random graphs, checked against a plain
breadth-first search written here, over the edges the test itself made."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections import deque
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtui.cli.commands import main
from kbtui.kb import db as kbdb
from kbtui.kb import judge
from kbtui.kb import paths_between as pb
from kbtui.kb.importer import import_bundle
from kbtui.kb.models import Citation
from kbtui.kb.paths import sample_bundle_path


def run(db: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", str(db), "path", *args])


def path_json(db: Path, *args: str) -> dict[str, Any]:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def claims_of(found: dict[str, Any], shortest_only: bool = True) -> list[list[str]]:
    """The claims of each path listed: of the shortest ones only, unless
    asked (the longer alternatives that fill the list have tests of their own)."""
    return [
        [h["claim"]["id"] for h in p["hops"]]
        for p in found["paths"]
        if not shortest_only or p["length"] == found["length"]
    ]


def shortest_of(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in found["paths"] if p["length"] == found["length"]]


# ---------------------------------------------------------------------------
# the sample: known answers


def test_chen_and_patrushev_meet_through_their_meetings(sample_db: Path) -> None:
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev")
    assert found["from"] == {"id": "chen-wenqing", "name": "Chen Wenqing"}
    assert found["to"] == {"id": "nikolai-patrushev", "name": "Nikolai Patrushev"}
    assert found["length"] == 2
    assert found["shortest_paths"] == 3  # two meetings, and both oppose the United States
    middles = {p["hops"][0]["to"]["id"] for p in shortest_of(found)}
    assert middles == {"chen-patrushev-moscow-meeting", "chen-patrushev-meeting-2024", "united-states"}
    # the three shortest first; the default 5 filled up with longer ones
    assert [p["length"] for p in found["paths"]] == [2, 2, 2, 3, 3]
    moscow = next(p for p in shortest_of(found) if p["hops"][0]["to"]["id"] == "chen-patrushev-moscow-meeting")
    first, second = moscow["hops"]
    assert first["claim"]["kind"] == "participation" and first["claim"]["type"] == "meeting"
    assert first["claim"]["id"] == "chen-patrushev-moscow-meeting--chen-wenqing" and not first["reversed"]
    # the second hop runs from the event back to a participant: against the claim
    assert second["from"]["id"] == "chen-patrushev-moscow-meeting" and second["reversed"]
    assert second["to"]["id"] == "nikolai-patrushev"
    assert all(h["citations"] for p in found["paths"] for h in p["hops"])


def test_fsb_and_mss_ranked_by_independent_sources(sample_db: Path) -> None:
    """Both paths have 2 hops and a weakest hop of 1 source; the one through
    China has 3 in all (the MSS part-of China has two independent ones)."""
    found = path_json(sample_db, "Federal Security Service", "Ministry of State Security")
    assert found["length"] == 2 and found["shortest_paths"] == 2
    assert claims_of(found)[0] == ["fsb-monitors-china", "ministry-of-state-security-part-of-china"]
    assert [p["independent_sources"] for p in shortest_of(found)] == [
        {"weakest": 1, "total": 3},
        {"weakest": 1, "total": 2},
    ]
    assert found["paths"][1]["hops"][0]["to"]["id"] == "chen-patrushev-moscow-meeting"


def test_a_role_links_holder_and_organisation_both_ways(sample_db: Path) -> None:
    found = path_json(sample_db, "russian-security-council", "vladimir-putin", "--via", "role,advises")
    assert claims_of(found) == [
        ["nikolai-patrushev-secretary-security-council", "nikolai-patrushev-advises-vladimir-putin"]
    ]
    hop = found["paths"][0]["hops"][0]
    assert hop["reversed"] and hop["claim"]["kind"] == "role" and hop["claim"]["label"] == "Secretary"


def test_json_contract(sample_db: Path) -> None:
    found = path_json(sample_db, "chen-wenqing", "wang-yi")
    assert {"from", "to", "paths", "length", "shortest_paths", "max_hops", "via", "as_of"} <= found.keys()
    assert found["longer_cut_short"] is False
    assert [p["length"] for p in found["paths"]] == [len(p["hops"]) for p in found["paths"]]
    show = json.loads(CliRunner().invoke(main, ["--db", str(sample_db), "show", "chen-wenqing", "--json"]).stdout)
    citation_keys = set(show["roles"][0]["citations"][0])
    for p in found["paths"]:
        assert set(p["independent_sources"]) == {"weakest", "total"}
        for hop in p["hops"]:
            assert set(hop["from"]) == {"id", "name"} and set(hop["to"]) == {"id", "name"}
            assert {"id", "type", "label", "kind", "start", "end", "disputed"} <= hop["claim"].keys()
            assert {"citations", "citations_total", "independent_sources", "reversed"} <= hop.keys()
            for cite in hop["citations"]:
                assert set(cite) == citation_keys  # the Citation every --json command emits
            assert hop["citations"] == pb.best_first(hop["citations"])
        # consecutive hops share their entities, from A to B
        ids = [p["hops"][0]["from"]["id"]] + [h["to"]["id"] for h in p["hops"]]
        assert ids[0] == "chen-wenqing" and ids[-1] == "wang-yi"
        assert all(h["from"]["id"] == ids[i] for i, h in enumerate(p["hops"]))


def test_human_output_names_the_chain_and_the_citation(sample_db: Path) -> None:
    result = run(sample_db, "chen-wenqing", "nikolai-patrushev")
    assert result.exit_code == 0, result.output
    assert "Chen Wenqing → Nikolai Patrushev: 3 shortest paths of 2 hops, then 2 longer" in result.stdout
    # the longer ones after a line of their own, each with its hops
    lines = result.stdout.splitlines()
    at = lines.index("longer alternatives (up to 4 hops)")
    assert lines[at + 2].startswith("4. [3 hops] Chen Wenqing")
    assert not any(line.startswith(("1. [", "2. [", "3. [")) for line in lines)
    assert "—took part in→" in result.stdout and "←took part in—" in result.stdout
    assert "kbtui cite ID" in result.stdout
    assert "[145]" in result.stdout or "[143]" in result.stdout  # a citation id to drill into


def test_best_citation_first() -> None:
    def cite(id_: int, stance: str = "supports", certainty: str = "stated", as_of: str | None = None) -> Citation:
        return {
            "id": id_,
            "source": {"id": "s", "title": "t", "outlet": None, "author": None, "published": None},
            "quote": "q",
            "span": [0, 1],
            "anchor": "exact",
            "as_of": as_of,
            "as_of_note": "",
            "stance": stance,
            "certainty": certainty,
            "mode": "asserts",
            "speaker": None,
        }

    got = pb.best_first(
        [cite(1, "contradicts"), cite(2, certainty="likely"), cite(3, as_of="2020"), cite(4, as_of="2024-05"), cite(5)]
    )
    assert [c["id"] for c in got] == [4, 3, 5, 2, 1]


# ---------------------------------------------------------------------------
# longer alternatives: after the shortest, when there are too few


def route(path: dict[str, Any]) -> list[str]:
    return [path["hops"][0]["from"]["id"]] + [h["to"]["id"] for h in path["hops"]]


def test_too_few_shortest_paths_go_on_with_longer_ones(sample_db: Path) -> None:
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--limit", "10")
    assert found["length"] == 2 and found["shortest_paths"] == 3 and not found["longer_cut_short"]
    lengths = [p["length"] for p in found["paths"]]
    assert lengths == [2, 2, 2, 3, 3, 3, 3, 4, 4, 4]  # every 3-hop route (there are four), then the best 4-hop ones
    # the meetings first, as before; then the 3-hop routes, the best supported first
    assert {route(p)[1] for p in found["paths"][:3]} == {
        "chen-patrushev-meeting-2024",
        "chen-patrushev-moscow-meeting",
        "united-states",
    }
    assert route(found["paths"][3]) == ["chen-wenqing", "xi-jinping", "vladimir-putin", "nikolai-patrushev"]
    assert found["paths"][3]["independent_sources"] == {"weakest": 1, "total": 5}
    assert {route(p)[1] for p in found["paths"][4:7]} == {
        "chen-patrushev-moscow-meeting",  # then the Security Council
        "ministry-of-state-security",
        "chen-russia-trip-2024",
    }
    for p in found["paths"]:
        ids = route(p)
        assert len(ids) == len(set(ids)) == p["length"] + 1, "a path never visits an entity twice"
        assert all(h["from"]["id"] == ids[i] for i, h in enumerate(p["hops"]))
    keys = [(p["length"], *(h["claim"]["id"] for h in p["hops"])) for p in found["paths"]]
    assert len(set(keys)) == len(keys)


def test_longer_ones_only_when_the_shortest_are_too_few(sample_db: Path) -> None:
    # enough shortest ones for the limit: none longer, and none searched for
    assert [
        p["length"] for p in path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--limit", "3")["paths"]
    ] == [
        2,
        2,
        2,
    ]
    # never past --max-hops
    held = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--limit", "50", "--max-hops", "3")
    assert max(p["length"] for p in held["paths"]) == 3 and len(held["paths"]) == 7
    # --via holds for them too
    via = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--via", "relation", "--limit", "50")
    assert {h["claim"]["kind"] for p in via["paths"] for h in p["hops"]} == {"relation"}
    assert [p["length"] for p in via["paths"]] == sorted(p["length"] for p in via["paths"])


def test_longer_search_cut_short_by_its_budget_says_so(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbtui.kb import path_alternatives

    monkeypatch.setattr(path_alternatives, "READ_BUDGET", 0)
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev")
    assert found["longer_cut_short"] is True
    assert [p["length"] for p in found["paths"]] == [2, 2, 2]  # the shortest still stand
    result = run(sample_db, "chen-wenqing", "nikolai-patrushev")
    assert "the search for longer paths stopped at its budget" in result.stdout


def test_a_hub_both_ends_hold_a_role_in_is_not_read_for_one_hop_more() -> None:
    """a and b both hold a role in an organisation of 3,000 holders (the
    shortest path, 2 hops); a 3-hop route runs a – x – y – b. The 3-hop
    search reads the edges between the two frontiers from everything but
    the hub: never its 3,000 holders."""
    holders = [f"h{i}" for i in range(3000)]
    edges = [(f"r{i}", "role", "role", h, "hub") for i, h in enumerate(holders)]
    edges += [
        ("ra", "role", "role", "a", "hub"),
        ("rb", "role", "role", "b", "hub"),
        ("m1", "relation", "met", "a", "x"),
        ("m2", "relation", "met", "x", "y"),
        ("m3", "relation", "met", "y", "b"),
    ]
    conn = build({"nodes": [*holders, "hub", "a", "b", "x", "y"], "events": {}, "places": {}, "edges": edges})
    read: list[int] = []
    real = pb._Graph.edges

    def counted(self: pb._Graph, nodes: Any) -> list[pb.Edge]:
        got = real(self, nodes)
        read.append(len(got))
        return got

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(pb._Graph, "edges", counted)
            found = pb.find_paths(conn, "a", "b", max_hops=3)
        assert claims_of(dict(found), shortest_only=False) == [["ra", "rb"], ["m1", "m2", "m3"]]
        assert sum(read) < 20, "the hub's holders were read"
        # a hop more: paths a – hub – h – … need the hub's holders, read once
        assert [p["length"] for p in pb.find_paths(conn, "a", "b", max_hops=4)["paths"]] == [2, 3]
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# bad input: one line, the right exit code


def test_unknown_ref_exits_1(sample_db: Path) -> None:
    result = run(sample_db, "chen-wenqing", "nobody-at-all-xyz")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no entity matches 'nobody-at-all-xyz'" in result.stderr


def test_ambiguous_ref_lists_candidates(sample_db: Path) -> None:
    result = run(sample_db, "Patrushev meeting", "wang-yi", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "ambiguous" in result.stderr
    assert "chen-patrushev-moscow-meeting" in result.stderr and "chen-patrushev-meeting-2024" in result.stderr


def test_no_path_is_a_failure_not_an_empty_success(sample_db: Path) -> None:
    result = run(sample_db, "chen-wenqing", "wang-yi", "--max-hops", "1", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == ("kbtui: no path between chen-wenqing and wang-yi within 1 hop; try --max-hops 2")


@pytest.mark.parametrize("hops", ["0", "7", "100"])
def test_max_hops_out_of_bounds_refused(sample_db: Path, hops: str) -> None:
    result = run(sample_db, "chen-wenqing", "wang-yi", "--max-hops", hops)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--max-hops" in result.stderr and "1 to 6" in result.stderr


def test_same_entity_refused(sample_db: Path) -> None:
    result = run(sample_db, "chen-wenqing", "Chen Wenqing")
    assert result.exit_code == 2 and "same entity" in result.stderr


@pytest.mark.parametrize(
    ("via", "words"),
    [("bogus", "is not a kind of claim or a type"), ("role,nope", "'nope'"), ("other", "relation:other")],
)
def test_bad_via_refused_in_one_line(sample_db: Path, via: str, words: str) -> None:
    result = run(sample_db, "chen-wenqing", "wang-yi", "--via", via)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr


def test_bad_as_of_refused(sample_db: Path) -> None:
    result = run(sample_db, "chen-wenqing", "wang-yi", "--as-of", "2024-13")
    assert result.exit_code == 2 and "month 13" in result.stderr


# ---------------------------------------------------------------------------
# --via and --as-of


def test_via_relations_only(sample_db: Path) -> None:
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--via", "relation")
    assert claims_of(found) == [["chen-wenqing-opposes-united-states", "nikolai-patrushev-opposes-united-states"]]
    assert found["via"] == ["relation"]


def test_via_an_event_type(sample_db: Path) -> None:
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--via", "meeting")
    assert found["shortest_paths"] == 2
    assert {h["claim"]["type"] for p in found["paths"] for h in p["hops"]} == {"meeting"}


def test_parse_via() -> None:
    via = pb.parse_via("role, part-of,event:other")
    assert via.kinds == {"role", "relation", "participation"}
    assert via.relation_types == {"part-of"} and via.event_types == {"other"}
    # a kind named alone means all of it
    assert pb.parse_via("relation,part-of").relation_types == frozenset()
    assert pb.parse_via(None) == pb.ALL and pb.parse_via(" , ") == pb.ALL


def test_as_of_keeps_only_what_held_then(sample_db: Path) -> None:
    """The April 2024 meeting links them from then on; the Moscow meeting is
    undated (its evidence too), so no date can vouch for it."""
    found = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--via", "meeting", "--as-of", "2024-06")
    assert found["as_of"] == "2024-06"
    assert claims_of(found) == [
        ["chen-patrushev-meeting-2024--chen-wenqing", "chen-patrushev-meeting-2024--nikolai-patrushev"]
    ]
    before = run(sample_db, "chen-wenqing", "nikolai-patrushev", "--via", "meeting", "--as-of", "2024-03")
    assert before.exit_code == 1 and "at 2024-03" in before.stderr
    # the longer alternatives hold then too: by Chen's April 2024 trip to Russia, and never the Moscow meeting
    dated = path_json(sample_db, "chen-wenqing", "nikolai-patrushev", "--as-of", "2024-06", "--limit", "10")
    assert [p["length"] for p in dated["paths"]] == [2, 4]
    assert route(dated["paths"][1])[1:3] == ["chen-russia-trip-2024", "russia"]
    assert not any("moscow" in h["claim"]["id"] for p in dated["paths"] for h in p["hops"])


def test_as_of_keeps_a_role_only_where_it_was_held(sample_db: Path) -> None:
    """Patrushev's post and his advising Putin are attested on 2024-05-03
    only, undated otherwise: held then, not before, and not "held" after."""
    args = ("russian-security-council", "vladimir-putin", "--via", "role,advises")
    assert path_json(sample_db, *args, "--as-of", "2024-05")["length"] == 2
    for date in ("2023", "2025"):
        result = run(sample_db, *args, "--as-of", date)
        assert result.exit_code == 1
        assert f"at {date}; they are not connected at all by these claims" in result.stderr


def test_a_merged_id_resolves_to_the_entity_kept(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle_path(), bundle)
    db = tmp_path / "kb.db"
    import_bundle(bundle, db)
    judge.judge(bundle, db, "avril-haines", "wang-yi", "same")
    found = path_json(db, "wang-yi", "chen-wenqing", "--max-hops", "2")
    assert found["from"]["id"] == "avril-haines"
    assert "wang-yi-on-united-states" in {h["claim"]["id"] for p in found["paths"] for h in p["hops"]}


# ---------------------------------------------------------------------------
# random graphs: every path valid, none shorter, all the shortest counted

RELATION_TYPES = ("met", "part-of")
EVENT_TYPES = ("meeting", "visit")
VIAS = (None, "role", "relation", "met", "participation,place", "role,meeting", "relation,visit,place")


def _edge_allowed(kind: str, type_: str, via: pb.Via) -> bool:
    """--via, as the docs define it (written out again, not imported)."""
    if kind == "relation":
        return "relation" in via.kinds and (not via.relation_types or type_ in via.relation_types)
    if kind == "participation":
        return "participation" in via.kinds and (not via.event_types or type_ in via.event_types)
    return kind in via.kinds


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    plain = draw(st.integers(2, 10))
    n_events = draw(st.integers(0, 3))
    nodes = [f"n{i}" for i in range(plain)]
    events = [f"e{i}" for i in range(n_events)]
    event_types = {e: draw(st.sampled_from(EVENT_TYPES)) for e in events}
    places = {e: draw(st.one_of(st.none(), st.sampled_from(nodes))) for e in events}
    everything = nodes + events
    edges: list[tuple[str, str, str, str, str]] = []  # (claim id, kind, type, a, b)
    size = draw(st.integers(0, 2 * len(everything) + 2))  # (lists drawn freely stay short: few paths)
    raw = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("role", "relation", "participation")),
                st.sampled_from(everything),
                st.sampled_from(everything),
                st.sampled_from(RELATION_TYPES),
            ),
            min_size=size,
            max_size=size,
        )
    )
    taken: set[tuple[str, str]] = set()
    for i, (kind, a, b, rtype) in enumerate(raw):
        if kind == "participation":
            if b not in event_types or (b, a) in taken:
                continue
            taken.add((b, a))
            edges.append((f"c{i}", kind, event_types[b], a, b))
        else:
            edges.append((f"c{i}", kind, "role" if kind == "role" else rtype, a, b))
    for e, place in places.items():
        if place is not None:
            edges.append((f"ev-{e}", "place", event_types[e], e, place))
    return {"nodes": nodes, "events": event_types, "places": places, "edges": edges}


def build(graph: dict[str, Any]) -> sqlite3.Connection:
    """The graph as a kbtui KB in memory: every claim cited once."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    kbdb.apply_schema(conn)
    conn.row_factory = sqlite3.Row
    text = "a source text"
    conn.execute(
        "INSERT INTO sources (id, title, text, sha256) VALUES ('s', 'S', ?, ?)",
        (text, hashlib.sha256(text.encode()).hexdigest()),
    )
    for n in graph["nodes"]:
        conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'person', ?)", (n, n.upper()))
    for e, etype in graph["events"].items():
        conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'event', ?)", (e, e.upper()))
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'event')", (f"ev-{e}",))
        conn.execute(
            "INSERT INTO events (entity_id, claim_id, type, place_id) VALUES (?, ?, ?, ?)",
            (e, f"ev-{e}", etype, graph["places"][e]),
        )
    for cid, kind, type_, a, b in graph["edges"]:
        if kind == "place":
            continue  # the event's own claim, inserted above
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, ?)", (cid, kind))
        if kind == "role":
            conn.execute(
                "INSERT INTO roles (claim_id, holder_id, organisation_id, title) VALUES (?, ?, ?, 'T')", (cid, a, b)
            )
        elif kind == "relation":
            conn.execute(
                "INSERT INTO relations (claim_id, type, subject_id, object_id) VALUES (?, ?, ?, ?)", (cid, type_, a, b)
            )
        else:
            conn.execute("INSERT INTO participations (claim_id, event_id, entity_id) VALUES (?, ?, ?)", (cid, b, a))
    for (cid,) in conn.execute("SELECT id FROM claims").fetchall():
        conn.execute(
            "INSERT INTO citations (claim_id, source_id, quote, start, \"end\") VALUES (?, 's', 'a', 0, 1)", (cid,)
        )
    return conn


def shortest(edges: list[tuple[str, str, str, str, str]], start: str, goal: str) -> tuple[int | None, int]:
    """(length, how many shortest paths) by a plain BFS from `start`,
    counting parallel claims as different paths; (None, 0) if unreachable."""
    adjacent: dict[str, list[str]] = {}
    for _cid, _kind, _type, a, b in edges:
        if a != b:
            adjacent.setdefault(a, []).append(b)
            adjacent.setdefault(b, []).append(a)
    dist = {start: 0}
    ways = {start: 1}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in adjacent.get(here, []):
            if there not in dist:
                dist[there] = dist[here] + 1
                ways[there] = 0
                queue.append(there)
            if dist[there] == dist[here] + 1:
                ways[there] += ways[here]
    return dist.get(goal), ways.get(goal, 0)


def simple_paths(
    edges: list[tuple[str, str, str, str, str]], start: str, goal: str, max_hops: int
) -> list[list[tuple[str, str, str]]]:
    """Every simple path from `start` to `goal` of at most `max_hops` hops,
    by plain depth-first search: each a list of (entity reached, claim id,
    kind), parallel claims making different paths."""
    adjacent: dict[str, list[tuple[str, str, str]]] = {}
    for cid, kind, _type, a, b in edges:
        if a != b:
            adjacent.setdefault(a, []).append((b, cid, kind))
            adjacent.setdefault(b, []).append((a, cid, kind))
    out: list[list[tuple[str, str, str]]] = []
    trail: list[tuple[str, str, str]] = []

    def go(here: str, seen: set[str]) -> None:
        if here == goal:
            out.append(list(trail))
            return
        if len(trail) == max_hops:
            return
        for there, cid, kind in adjacent.get(here, []):
            if there not in seen:
                trail.append((there, cid, kind))
                go(there, seen | {there})
                trail.pop()

    go(start, {start})
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.data())
def test_random_graphs_paths_are_valid_shortest_first_then_longer(graph: dict[str, Any], data: st.DataObject) -> None:
    """Every path is real (each hop an allowed claim, consecutive, no entity
    twice), none twice; the first are the shortest (length and count as a
    plain BFS gives them), the rest longer, lengths never falling; and the
    list is exactly the best `limit` of every simple path within max_hops
    (a brute force over the tiny graph): so when fewer than `limit` come
    back, no other path exists."""
    everything = graph["nodes"] + list(graph["events"])
    start = data.draw(st.sampled_from(everything))
    goal = data.draw(st.sampled_from([n for n in everything if n != start]))
    max_hops = data.draw(st.integers(1, 4))
    limit = data.draw(st.sampled_from([1, 2, 3, 5, 50]))
    via = pb.parse_via(data.draw(st.sampled_from(VIAS)))
    allowed = [e for e in graph["edges"] if _edge_allowed(e[1], e[2], via)]
    length, ways = shortest(allowed, start, goal)
    conn = build(graph)
    try:
        if length is None or length > max_hops:
            with pytest.raises(pb.NoPath):
                pb.find_paths(conn, start, goal, max_hops=max_hops, via=via, limit=limit)
            return
        found = pb.find_paths(conn, start, goal, max_hops=max_hops, via=via, limit=limit)
    finally:
        conn.close()
    assert found["length"] == length
    assert found["shortest_paths"] == ways
    assert not found["longer_cut_short"]  # a tiny graph is always searched through
    lengths = [p["length"] for p in found["paths"]]
    assert lengths[0] == length and lengths == sorted(lengths)
    assert all(n <= max_hops for n in lengths)
    if ways >= limit:
        assert lengths == [length] * limit  # enough shortest ones: nothing longer
    by_claim = {(cid, kind): (a, b, type_) for cid, kind, type_, a, b in allowed}
    seen = set()
    for p in found["paths"]:
        hops = p["hops"]
        assert len(hops) == p["length"]
        assert hops[0]["from"]["id"] == start and hops[-1]["to"]["id"] == goal
        for before, after in pairwise(hops):
            assert before["to"]["id"] == after["from"]["id"]
        ids = [start] + [h["to"]["id"] for h in hops]
        assert len(set(ids)) == len(ids), f"{ids} visits an entity twice"
        for hop in hops:
            key = (hop["claim"]["id"], hop["claim"]["kind"])
            assert key in by_claim, f"{key} is not an allowed claim"  # a real claim, and --via respected
            a, b, type_ = by_claim[key]
            ends = (hop["from"]["id"], hop["to"]["id"])
            assert ends == ((b, a) if hop["reversed"] else (a, b))
            assert hop["claim"]["type"] == type_
        seen.add(tuple(h["claim"]["id"] + h["claim"]["kind"] for h in hops))
    assert len(seen) == len(found["paths"])  # no path twice
    # every claim here has one citation from one source: the ranking is
    # fewer hops, then the ids along the path; so the answer is known
    every = simple_paths(allowed, start, goal, max_hops)
    if ways <= pb.WEIGHED:  # (past it, which shortest ones are weighed is the search's order)
        expected = sorted(every, key=lambda p: (len(p), p))[:limit]
        got = [[(h["to"]["id"], h["claim"]["id"], h["claim"]["kind"]) for h in p["hops"]] for p in found["paths"]]
        assert got == expected
    if len(found["paths"]) < limit:
        assert len(found["paths"]) == len(every), "a simple path within max_hops is missing"


def test_a_hub_is_not_expanded_when_the_other_side_is_cheaper() -> None:
    """a holds a role in an organisation of 3,000 holders; a and b are two
    hops apart through c. The search never reads the hub's holders."""
    holders = [f"h{i}" for i in range(3000)]
    edges = [(f"r{i}", "role", "role", h, "hub") for i, h in enumerate(holders)]
    edges += [
        ("ra", "role", "role", "a", "hub"),
        ("m1", "relation", "met", "a", "c"),
        ("m2", "relation", "met", "c", "b"),
    ]
    conn = build({"nodes": [*holders, "hub", "a", "b", "c"], "events": {}, "places": {}, "edges": edges})
    graph = pb._Graph(conn, pb.ALL, None)
    found = pb._search(graph, "a", "b", 4)
    assert not isinstance(found, bool) and found[0] == 2
    assert graph.read < 10
    answer = pb.find_paths(conn, "a", "b")
    assert claims_of(dict(answer)) == [["m1", "m2"]]


def test_generated_kb_agrees_with_a_plain_bfs(tmp_path: Path) -> None:
    """The benchmark's generator (skewed organisations, hubs) at 3,000
    entities, and the benchmark's own pairs: every answer has the length
    and the number of shortest paths a plain BFS over all the edges, read
    here with SQL of its own, gives; and the benchmark runs."""
    from benchmarks import path as bench
    from benchmarks.generate import generate

    db = tmp_path / "gen.db"
    generate(3000, db, seed=3, mentions=False)
    raw = sqlite3.connect(db)
    edges: list[tuple[str, str, str, str, str]] = [
        (c, "role", "role", a, b)
        for c, a, b in raw.execute(
            "SELECT claim_id, holder_id, organisation_id FROM roles WHERE organisation_id IS NOT NULL"
        )
    ]
    edges += [
        (c, "relation", t, a, b)
        for c, t, a, b in raw.execute("SELECT claim_id, type, subject_id, object_id FROM relations")
    ]
    edges += [
        (c, "participation", "", a, b)
        for c, a, b in raw.execute("SELECT claim_id, entity_id, event_id FROM participations")
    ]
    edges += [
        (c, "place", "", a, b)
        for c, a, b in raw.execute("SELECT claim_id, entity_id, place_id FROM events WHERE place_id IS NOT NULL")
    ]
    raw.close()
    conn = kbdb.connect_readonly(db)
    try:
        chosen = bench.pairs(conn, 40, seed=11)
        assert {kind for kind, _, _ in chosen} == {"plain", "hub"}
        for _kind, a, b in chosen:
            length, ways = shortest(edges, a, b)
            found = pb.find_paths(conn, a, b, limit=3)
            assert length is not None and length <= 4  # the walk made a path of at most 4 hops
            assert (found["length"], found["shortest_paths"]) == (length, ways), (a, b)
    finally:
        conn.close()
    figures = bench.bench(db, 10, seed=11)
    assert figures["pairs"] == 10
