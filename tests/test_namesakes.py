"""Namesakes in a result list are told apart (issue 15): a person by the
latest role and nationality, an organisation by its country and role
holders, else its id; the explorer's search hands the line down."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.kb import db, index, namesakes
from kbtui.tui import data as kbdata

ENTITIES = [
    ("russia", "country", "Russia"),
    ("ivan-petrov-1", "person", "Ivan Petrov"),
    ("ivan-petrov-2", "person", "Ivan Petrov"),
    ("ivan-petrov-3", "person", "Ivan Petrov"),
    ("petrov-works", "organisation", "Petrov Works"),
    ("petrov-works-2", "organisation", "Petrov Works"),
    ("lone", "person", "Ivan Petrovsky"),
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("namesakes") / "kb.db"
    conn = db.connect_writable(path, create=True)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", ENTITIES)
    conn.execute("INSERT INTO claims (id, kind) VALUES ('nat', 'property'), ('c', 'property')")
    conn.execute(
        "INSERT INTO properties (claim_id, entity_id, property, value)"
        " VALUES ('nat', 'ivan-petrov-1', 'nationality', 'russia'), ('c', 'petrov-works-2', 'country', 'Cyprus')"
    )
    for n, (holder, title, status, start) in enumerate(
        [
            ("ivan-petrov-1", "Director", "former", "2001"),
            ("ivan-petrov-1", "Chairman", "current", "2010"),
            ("ivan-petrov-2", "Driver", "unknown", None),
        ]
    ):
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'role')", (f"r{n}",))
        conn.execute(
            "INSERT INTO roles (claim_id, holder_id, organisation_id, title, status, start)"
            " VALUES (?, ?, 'petrov-works', ?, ?, ?)",
            (f"r{n}", holder, title, status, start),
        )
    index.rebuild_names(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


def test_shared_names_are_those_search_would_fold_alike() -> None:
    names = [("a", "Ivan Petrov"), ("b", "IVAN  PETROV"), ("c", "Ivan Petrovsky"), ("d", "Iván Petrov")]
    assert namesakes.shared_names(names) == ["a", "b", "d"]
    assert namesakes.shared_names([("a", "Ivan Petrov")]) == []


def test_each_namesake_gets_what_sets_it_apart(kb: Path) -> None:
    conn = db.connect_readonly(kb)
    told = namesakes.details(
        conn, ["ivan-petrov-1", "ivan-petrov-2", "ivan-petrov-3", "petrov-works", "petrov-works-2"]
    )
    assert told["ivan-petrov-1"] == "Chairman, Petrov Works · Russia"  # the current role first
    assert told["ivan-petrov-2"] == "Driver, Petrov Works"
    assert told["ivan-petrov-3"] == "ivan-petrov-3"  # nothing known: the id
    assert told["petrov-works"] == "3 role holders, e.g. Ivan Petrov"
    assert told["petrov-works-2"] == "Cyprus"


def test_the_explorers_search_tells_namesakes_apart_and_nobody_else(kb: Path) -> None:
    hits = {h.id: h for h in kbdata.search(kb, "ivan petrov")}
    assert hits["ivan-petrov-1"].detail.startswith("Chairman")
    assert hits["ivan-petrov-3"].detail == "ivan-petrov-3"
    assert "lone" not in hits or hits["lone"].detail == ""
