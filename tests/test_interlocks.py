"""`kbtui interlocks`: who links two organisations, with the evidence.

Known answers on the sample (Chen Wenqing heads the Central Political and
Legal Affairs Commission and formerly the Ministry of State Security; Xi
Jinping ties China and the Chinese government), the CLI's contract, and a
property test against a brute force over random role and relation graphs.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import db, interlocks

CPLAC = "central-political-and-legal-affairs-commission"
MSS = "ministry-of-state-security"


def reader(path: Path) -> sqlite3.Connection:
    return db.connect_readonly(path)


def test_chen_wenqing_links_the_commission_and_the_ministry(sample_db: Path) -> None:
    conn = reader(sample_db)
    found = interlocks.between(conn, CPLAC, MSS)
    assert found["count"] == 1
    (chen,) = found["people"]
    assert chen["entity"]["id"] == "chen-wenqing"
    (to_a,) = chen["ties"]["a"]
    (to_b,) = chen["ties"]["b"]
    assert (to_a["claim"]["kind"], to_a["claim"]["label"], to_a["status"]) == ("role", "Head", "current")
    assert (to_b["claim"]["kind"], to_b["status"]) == ("role", "former")
    # each tie shows the quote it rests on, read from its source at its span
    for tie in (to_a, to_b):
        cite = tie["citation"]
        text = conn.execute("SELECT text FROM sources WHERE id = ?", (cite["source"]["id"],)).fetchone()[0]
        assert text[cite["span"][0] : cite["span"][1]] == cite["quote"]
        assert cite["stance"] == "supports" and cite["mode"] == "asserts"
    # the same, seen from either side
    assert interlocks.between(conn, MSS, CPLAC)["people"][0]["entity"]["id"] == "chen-wenqing"


def test_one_organisation_lists_what_it_is_interlocked_with(sample_db: Path) -> None:
    conn = reader(sample_db)
    found = interlocks.shared(conn, MSS)
    assert [(r["organisation"]["id"], r["count"], [p["id"] for p in r["people"]]) for r in found["interlocks"]] == [
        (CPLAC, 1, ["chen-wenqing"])
    ]
    china = interlocks.shared(conn, "china")
    assert [(r["organisation"]["id"], [p["id"] for p in r["people"]]) for r in china["interlocks"]] == [
        ("chinese-government", ["xi-jinping"])
    ]


def test_opinion_is_no_tie(sample_db: Path) -> None:
    """Chen Wenqing opposes the United States and supports "cyber
    sovereignty": claims about him, not ties that interlock."""
    conn = reader(sample_db)
    assert conn.execute(
        "SELECT 1 FROM relations WHERE subject_id = 'chen-wenqing' AND object_id = 'united-states' AND type = 'opposes'"
    ).fetchone()
    listed = {r["organisation"]["id"] for r in interlocks.shared(conn, CPLAC)["interlocks"]}
    assert listed == {MSS}
    assert interlocks.between(conn, CPLAC, "united-states")["count"] == 0


def test_the_cli_prints_the_people_with_their_quotes(sample_db: Path) -> None:
    r = CliRunner().invoke(
        main, ["--db", str(sample_db), "interlocks", "Central Political and Legal Affairs Commission", MSS]
    )
    assert r.exit_code == 0, r.output
    ties = interlocks.between(reader(sample_db), CPLAC, MSS)["people"][0]["ties"]
    for tie in (*ties["a"], *ties["b"]):  # the citation to drill to, `kbtui cite N`
        assert f"[{tie['citation']['id']}]" in r.output
    flat = " ".join(r.output.split())
    assert {"Chen", "Wenqing"} <= set(flat.split())  # (a narrow column wraps the name)
    assert "1 linking Central Political and Legal Affairs Commission" in flat
    r = CliRunner().invoke(main, ["--db", str(sample_db), "interlocks", MSS, "--json"])
    found = json.loads(r.stdout)
    assert set(found) == {"organisation", "count", "interlocks"}
    assert found["interlocks"][0]["people"] == [{"id": "chen-wenqing", "name": "Chen Wenqing", "kind": "person"}]
    r = CliRunner().invoke(main, ["--db", str(sample_db), "interlocks", CPLAC, MSS, "--json"])
    found = json.loads(r.stdout)
    assert set(found) == {"a", "b", "count", "people"}
    tie = found["people"][0]["ties"]["a"][0]
    assert set(tie) == {"claim", "start", "end", "status", "citation", "citations"}
    assert set(tie["citation"]) >= {"id", "source", "quote", "span", "stance", "certainty", "mode", "as_of"}


def test_bad_requests_are_one_line(sample_db: Path) -> None:
    run = CliRunner().invoke
    r = run(main, ["--db", str(sample_db), "interlocks", "no such body anywhere"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = run(main, ["--db", str(sample_db), "interlocks", MSS, MSS])
    assert r.exit_code == 2 and "twice" in r.output and len(r.output.strip().splitlines()) == 1
    r = run(main, ["--db", str(sample_db), "interlocks", MSS, "--limit", "0"])
    assert r.exit_code == 2 and "--limit 0" in r.output


# -- against a brute force ---------------------------------------------------------------

PEOPLE = [f"p{i}" for i in range(6)]
BODIES = [f"o{i}" for i in range(5)]
TYPES = ["leads", "advises", "opposes", "part-of", "monitors"]

graphs = st.lists(
    st.tuples(
        st.sampled_from(["role", "relation", "relation-back"]),
        st.sampled_from(PEOPLE + BODIES[:1]),  # sometimes a body holds a role: no interlock
        st.sampled_from(BODIES),
        st.sampled_from(TYPES),
    ),
    max_size=25,
)


def build(path: Path, edges: list[tuple[str, str, str, str]]) -> None:
    conn = db.connect_writable(path, create=True)
    with conn:
        conn.execute("INSERT INTO sources (id, title, text, sha256) VALUES ('s', 'S', 'evidence here', ?)", ("0" * 64,))
        for p in PEOPLE:
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'person', ?)", (p, p.upper()))
        for o in BODIES:
            conn.execute("INSERT INTO entities (id, kind, name) VALUES (?, 'organisation', ?)", (o, o.upper()))
        for n, (kind, who, body, rtype) in enumerate(edges):
            claim = f"c{n}"
            conn.execute(
                "INSERT INTO claims (id, kind) VALUES (?, ?)", (claim, "role" if kind == "role" else "relation")
            )
            conn.execute(
                "INSERT INTO citations (claim_id, source_id, quote, start, \"end\") VALUES (?, 's', 'evidence', 0, 8)",
                (claim,),
            )
            if kind == "role":
                conn.execute(
                    "INSERT INTO roles (claim_id, holder_id, organisation_id, title) VALUES (?, ?, ?, 'Member')",
                    (claim, who, body),
                )
            else:
                subject, obj = (who, body) if kind == "relation" else (body, who)
                conn.execute(
                    "INSERT INTO relations (claim_id, type, subject_id, object_id) VALUES (?, ?, ?, ?)",
                    (claim, rtype, subject, obj),
                )
    conn.close()


def brute(edges: list[tuple[str, str, str, str]]) -> dict[str, set[str]]:
    """Each body -> the people tied to it, computed plainly."""
    tied: dict[str, set[str]] = defaultdict(set)
    for kind, who, body, rtype in edges:
        if not who.startswith("p"):
            continue
        if kind == "role" or rtype in interlocks.TIE_TYPES:
            tied[body].add(who)
    return tied


@settings(max_examples=40, deadline=None)
@given(graphs)
def test_interlocks_are_exactly_the_people_tied_to_both(tmp_path_factory, edges) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("graph") / "kb.db"
    build(path, edges)
    tied = brute(edges)
    conn = reader(path)
    try:
        for a in BODIES:
            found = interlocks.shared(conn, a, limit=1000)
            want = {o: tied[a] & tied[o] for o in BODIES if o != a and tied[a] & tied[o]}
            assert {r["organisation"]["id"]: r["count"] for r in found["interlocks"]} == {
                o: len(ps) for o, ps in want.items()
            }
            counts = [r["count"] for r in found["interlocks"]]
            assert counts == sorted(counts, reverse=True)
            for b in BODIES:
                if b != a:
                    pair = interlocks.between(conn, a, b, limit=1000)
                    assert {p["entity"]["id"] for p in pair["people"]} == tied[a] & tied[b]
                    for p in pair["people"]:
                        assert p["ties"]["a"] and p["ties"]["b"]
                        assert all(t["citation"] is not None for t in p["ties"]["a"] + p["ties"]["b"])
    finally:
        conn.close()
