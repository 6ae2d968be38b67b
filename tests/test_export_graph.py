"""`kbtui export --format gexf` and `--format dot`: files the real parsers
(networkx for GEXF, pydot for DOT) read back with every entity as a node
and every claim linking two entities as an edge, each edge's independent
sources as kbtui itself counts them, whatever text the KB holds."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from pathlib import Path

import networkx as nx
import pydot
import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import export_graph, queries

CHEN_ROLE = "chen-wenqing-head-political-legal-affairs-commission"

# the claims that link two entities, counted without kbtui's walk
EDGES_SQL = """
SELECT (SELECT count(*) FROM roles WHERE organisation_id IS NOT NULL)
     + (SELECT count(*) FROM relations)
     + (SELECT count(*) FROM participations)
     + (SELECT count(*) FROM events WHERE place_id IS NOT NULL)
     + (SELECT count(*) FROM properties WHERE property IN ('nationality', 'affiliation')
          AND value IN (SELECT id FROM entities))
"""


def export(db: Path, fmt: str, path: Path, *more: str) -> Path:
    r = CliRunner().invoke(main, ["--db", str(db), "export", "--format", fmt, "--out", str(path), *more])
    assert r.exit_code == 0, r.output
    return path


def counted(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def kbtui_independent(db: Path, claim_ids: list[str]) -> dict[str, int]:
    """kbtui's own figure for each claim (the one `kbtui show` prints)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        cites = queries.citations_for(conn, claim_ids)
        keys = queries.independence_keys(conn, {c["source"]["id"] for cs in cites.values() for c in cs})
        return {claim: queries.independent_sources(cites[claim], keys) for claim in claim_ids}
    finally:
        conn.close()


def edges_by_id(g: nx.Graph) -> dict[str, tuple[str, str, dict[str, object]]]:
    """Each edge by its GEXF id (networkx keeps it as `id`; a graph
    without parallel edges is read as a DiGraph, without keys)."""
    return {d["id"]: (u, v, d) for u, v, d in g.edges(data=True)}


def dot_value(quoted: str) -> str:
    """A DOT quoted string as Graphviz reads a label: `\\"` is `"`, `\\\\`
    is a backslash, `\\n` a line break."""
    assert quoted[0] == quoted[-1] == '"', quoted
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1], flags=re.S)


def read_dot(path: Path) -> pydot.Dot:
    graphs = pydot.graph_from_dot_file(str(path), encoding="utf-8")
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def test_gexf_has_every_entity_and_every_linking_claim(sample_db: Path, tmp_path: Path) -> None:
    g = nx.read_gexf(export(sample_db, "gexf", tmp_path / "kb.gexf"))
    assert g.number_of_nodes() == counted(sample_db, "SELECT count(*) FROM entities")
    assert g.number_of_edges() == counted(sample_db, EDGES_SQL) > 100
    assert g.nodes["chen-wenqing"] == {"label": "Chen Wenqing", "kind": "person", "country": "china"}
    assert g.nodes["russia"]["country"] == "russia"  # a country is its own
    assert g.nodes["fsb"]["country"] == "russia"  # part of it
    assert g.nodes["chen-russia-trip-2024"]["kind"] == "event"
    edges = edges_by_id(g)
    source, target, role = edges[CHEN_ROLE]
    assert (source, target) == ("chen-wenqing", "central-political-and-legal-affairs-commission")
    assert role["type"] == "role" and role["label"] == "Head" and role["status"] == "current"
    assert (role["start"], role["end"], role["disputed"]) == ("", "", "")
    # two articles cite it (one of them twice): as `kbtui show` counts it
    conn = sqlite3.connect(sample_db)
    conn.row_factory = sqlite3.Row
    shown = {r["id"]: r for r in queries.show(conn, "chen-wenqing")["roles"]}
    conn.close()
    assert role["sources"] == shown[CHEN_ROLE]["independent_sources"] == 2
    # and so for every edge
    assert {k: d["sources"] for k, (_, _, d) in edges.items()} == kbtui_independent(sample_db, sorted(edges))
    assert {d["type"] for _, _, d in edges.values()} >= {"role", "participation", "place", "nationality", "part-of"}


def test_dot_has_the_same_nodes_and_edges(sample_db: Path, tmp_path: Path) -> None:
    dot = read_dot(export(sample_db, "dot", tmp_path / "kb.dot"))
    g = nx.read_gexf(export(sample_db, "gexf", tmp_path / "kb.gexf"))
    assert {n.get_name().strip('"') for n in dot.get_nodes()} == set(g.nodes)
    edges = {dot_value(e.get("id")): e for e in dot.get_edges()}
    assert len(edges) == len(dot.get_edges()) == g.number_of_edges()
    role = edges[CHEN_ROLE]
    assert (role.get_source(), role.get_destination()) == (
        '"chen-wenqing"',
        '"central-political-and-legal-affairs-commission"',
    )
    assert {k: dot_value(v) for k, v in role.get_attributes().items()} == {
        "id": CHEN_ROLE,
        "label": "Head",
        "type": "role",
        "status": "current",
        "start": "",
        "end": "",
        "disputed": "",
        "sources": "2",
    }


def test_the_same_kb_gives_the_same_bytes(sample_db: Path, tmp_path: Path) -> None:
    for fmt in ("gexf", "dot"):
        a = export(sample_db, fmt, tmp_path / f"a.{fmt}").read_bytes()
        b = export(sample_db, fmt, tmp_path / f"b.{fmt}").read_bytes()
        assert a == b


def test_a_repost_and_its_original_are_one_source(sample_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    shutil.copy(sample_db, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sources SET relays = 'examiner-spy-chiefs-moscow' WHERE id = 'nr-chen-russia-trip'")
    conn.commit()
    conn.close()
    g = nx.read_gexf(export(db, "gexf", tmp_path / "kb.gexf"))
    edges = edges_by_id(g)
    assert edges[CHEN_ROLE][2]["sources"] == 1
    assert {k: d["sources"] for k, (_, _, d) in edges.items()} == kbtui_independent(db, sorted(edges))


def test_which_claims_give_edges(mini_db: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(mini_db)
    # Patrushev's council is part of Russia: his country through his role
    conn.execute("INSERT INTO entities (id, kind, name) VALUES ('russia', 'country', 'Russia')")
    conn.execute("INSERT INTO claims (id, kind) VALUES ('council-in-russia', 'relation')")
    conn.execute(
        "INSERT INTO relations (claim_id, type, subject_id, object_id, start)"
        " VALUES ('council-in-russia', 'part-of', 'russian-security-council', 'russia', '1992')"
    )
    # a role at no organisation and a nationality naming no entity link nothing
    conn.execute("UPDATE roles SET organisation_id = NULL WHERE claim_id = 'chen-head-cplac'")
    conn.execute("INSERT INTO claims (id, kind) VALUES ('chen-nationality', 'property')")
    conn.execute(
        "INSERT INTO properties (claim_id, entity_id, property, value)"
        " VALUES ('chen-nationality', 'chen-wenqing', 'nationality', 'atlantis')"
    )
    conn.commit()
    conn.close()
    path = export(mini_db, "gexf", tmp_path / "kb.gexf")
    g = nx.read_gexf(path)
    assert g.nodes["nikolai-patrushev"]["country"] == "russia"
    assert g.nodes["chen-wenqing"]["country"] == ""
    edges = {k: (u, v, d["type"], d["label"], d["start"]) for k, (u, v, d) in edges_by_id(g).items()}
    meeting = "moscow-meeting"
    participations = {k for k, e in edges.items() if e[2] == "participation"}
    assert len(participations) == 2 and all(edges[k][1] == meeting for k in participations)
    assert {k: e for k, e in edges.items() if k not in participations} == {
        "patrushev-secretary": ("nikolai-patrushev", "russian-security-council", "role", "Secretary", ""),
        "council-in-russia": ("russian-security-council", "russia", "part-of", "part-of", "1992"),
        meeting: (meeting, "moscow", "place", "place", ""),
    }
    in_file = re.findall(r'<edge id="([^"]+)"', path.read_text(encoding="utf-8"))
    assert in_file == sorted(edges)  # in claim id order


# everything a name might hold: XML and DOT syntax, controls, bidi, emoji
HOSTILE = (
    'Evil "quoted" \\N back\\slash\nnew\r\nline <b>&amp; ]]> \x01\x1b[31m \u202egnp.exe \U0001f600 \x7f\x85\ufffe end\\'
)
DROPPED = "\x01\x1b\ufffe"  # XML 1.0 forbids them (DOT drops them too)


@pytest.fixture
def hostile_db(mini_db: Path) -> Path:
    conn = sqlite3.connect(mini_db)
    conn.execute("UPDATE entities SET name = ? WHERE id = 'chen-wenqing'", (HOSTILE,))
    conn.execute("UPDATE roles SET title = ? WHERE claim_id = 'chen-head-cplac'", (HOSTILE,))
    conn.execute("UPDATE claims SET disputed = ? WHERE id = 'chen-head-cplac'", (HOSTILE,))
    conn.execute("UPDATE entities SET name = 'C:\\' WHERE id = 'cplac'")  # nothing to escape but a backslash
    conn.commit()
    conn.close()
    return mini_db


def test_hostile_text_gives_files_both_parsers_read(hostile_db: Path, tmp_path: Path) -> None:
    kept = HOSTILE.translate({ord(c): None for c in DROPPED})
    assert "\r" in kept and "\U0001f600" in kept and "\u202e" in kept and "\x85" in kept
    g = nx.read_gexf(export(hostile_db, "gexf", tmp_path / "kb.gexf"))
    assert g.nodes["chen-wenqing"]["label"] == kept
    role = edges_by_id(g)["chen-head-cplac"][2]
    assert role["label"] == role["disputed"] == kept

    dot = read_dot(export(hostile_db, "dot", tmp_path / "kb.dot"))
    lines = kept.replace("\r\n", "\n")  # DOT has one kind of line break
    (node,) = dot.get_node('"chen-wenqing"')
    assert dot_value(node.get("label")) == lines
    assert dot_value(dot.get_node('"cplac"')[0].get("label")) == g.nodes["cplac"]["label"] == "C:\\"
    (edge,) = [e for e in dot.get_edges() if e.get("id") == '"chen-head-cplac"']
    assert dot_value(edge.get("label")) == dot_value(edge.get("disputed")) == lines
    assert len(dot.get_nodes()) == g.number_of_nodes() and len(dot.get_edges()) == g.number_of_edges()


def test_out_dash_writes_to_standard_output(mini_db: Path) -> None:
    outputs = {}
    for fmt in ("gexf", "dot"):
        r = CliRunner().invoke(main, ["--db", str(mini_db), "export", "--format", fmt, "--out", "-"])
        assert r.exit_code == 0, r.output
        outputs[fmt] = r.stdout
        conn = sqlite3.connect(f"file:{mini_db}?mode=ro", uri=True)
        written = io.StringIO()
        try:
            counts = getattr(export_graph, f"write_{fmt}")(conn, written)
        finally:
            conn.close()
        assert r.stdout == written.getvalue()  # the file's bytes, nothing else
        assert counts == {"nodes": 6, "edges": 5}
    g = nx.read_gexf(io.BytesIO(outputs["gexf"].encode("utf-8")))
    (dot,) = pydot.graph_from_dot_data(outputs["dot"]) or []
    assert g.number_of_nodes() == len(dot.get_nodes()) == 6
    assert g.number_of_edges() == len(dot.get_edges()) == 5


def test_cli_reports_what_it_wrote(mini_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.gexf"
    r = CliRunner().invoke(main, ["--db", str(mini_db), "export", "--format", "gexf", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert '"nodes": 6' in r.output and '"edges": 5' in r.output
    g = nx.read_gexf(out)
    assert (g.number_of_nodes(), g.number_of_edges()) == (6, 5)
