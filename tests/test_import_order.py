"""Records may name entities further down the file, as exports sorted by id
do, and the import must neither slow down nor change its result for it.

With foreign keys deferred, SQLite looks for child rows on every insert into
a parent table while any key is unresolved, and into an empty KB the child
indexes are built only at the end: a 10,000-record FtM file with its links
first took 41 s instead of 3.5 s. The sink holds such rows back until every
entity is written; these tests pin both the time (CPU at n and 4n, as in
test_import_scale: 20 s instead of 2 at 3,200 links before they were held)
and the result (the same KB either way). CSV reads entity tables before
link tables whatever the mapping's order, so only FtM (and bundles read in
chunks) can name an entity before it is written.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kbtui.kb.errors import ImportFailed
from kbtui.kb.ftm import import_ftm
from tests.test_ftm import assert_healthy
from tests.test_import_scale import LINEAR, _growth


def _company(i: int) -> dict[str, Any]:
    return {
        "id": f"c-{i}",
        "schema": "Company",
        "properties": {"name": [f"Компания {i} LLC"], "registrationNumber": [f"{7700000000 + i}"]},
        "last_seen": "2024-03-01T00:00:00",
    }


def _person(i: int) -> dict[str, Any]:
    return {
        "id": f"p-{i}",
        "schema": "Person",
        "properties": {"name": [f"Ivan Petrov {i}"], "alias": [f"Иван Петров {i}"], "birthDate": ["1961-02-03"]},
        "last_seen": "2024-03-01T00:00:00",
    }


def _links(n: int) -> list[dict[str, Any]]:
    """An ownership chain c-0 -> c-1 -> ..., a director per company, a
    Position and an Occupancy of it per person."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        out.append(
            {
                "id": f"own-{i}",
                "schema": "Ownership",
                "properties": {"owner": [f"c-{i}"], "asset": [f"c-{i + 1}"], "percentage": ["51"]},
            }
        )
        out.append(
            {
                "id": f"dir-{i}",
                "schema": "Directorship",
                "properties": {"director": [f"p-{i}"], "organization": [f"c-{i}"], "role": ["Director"]},
            }
        )
        out.append(
            {"id": f"occ-{i}", "schema": "Occupancy", "properties": {"holder": [f"p-{i}"], "post": [f"pos-{i}"]}}
        )
    return out


def _things(n: int) -> list[dict[str, Any]]:
    out = [_company(i) for i in range(n + 1)] + [_person(i) for i in range(n)]
    out += [
        {"id": f"pos-{i}", "schema": "Position", "properties": {"name": [f"Member of board {i}"]}} for i in range(n)
    ]
    return out


def _file(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _content(kb: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows without the ids an import hands out in write order."""
    conn = sqlite3.connect(kb)
    try:
        queries = {
            "entities": "SELECT id, kind, name, input_id FROM entities",
            "aliases": "SELECT entity_id, alias, kind, claim_id FROM aliases",
            "claims": "SELECT id, kind, disputed, note FROM claims",
            "roles": 'SELECT claim_id, holder_id, organisation_id, title, start, "end" FROM roles',
            "relations": "SELECT claim_id, type, subject_id, object_id, share FROM relations",
            "properties": "SELECT claim_id, entity_id, property, value, qualifier FROM properties",
            "citations": 'SELECT claim_id, source_id, quote, start, "end", as_of FROM citations',
            "sources": "SELECT id, sha256, meta FROM sources",
            "names": "SELECT entity_id, name, norm, is_primary FROM names",
        }
        return {t: sorted(conn.execute(q).fetchall()) for t, q in queries.items()}
    finally:
        conn.close()


def test_links_before_their_entities_make_the_same_kb(tmp_path: Path):
    n = 40
    first = _file(tmp_path / "entities-first.json", _things(n) + _links(n))
    last = _file(tmp_path / "links-first.json", _links(n) + _things(n))
    shuffled = _things(n) + _links(n)
    __import__("random").Random(3).shuffle(shuffled)
    mixed = _file(tmp_path / "mixed.json", shuffled)
    kbs = []
    for path in (first, last, mixed):
        kb = tmp_path / f"{path.stem}.db"
        report = import_ftm(path, kb, input_id="x")
        assert report["problems"] == 0
        assert_healthy(kb)
        kbs.append(_content(kb))
    occupancies = [r for r in kbs[0]["roles"] if "occ-" in r[0]]
    assert len(occupancies) == n and all(r[3] == f"Member of board {r[1][2:]}" for r in occupancies)
    assert len(kbs[0]["relations"]) == n and len(kbs[0]["roles"]) == 2 * n
    assert kbs[1] == kbs[0]
    assert kbs[2] == kbs[0]


def test_a_link_to_an_entity_that_never_comes_is_reported_at_its_line(tmp_path: Path):
    records = _links(3) + _things(3)
    records[0]["properties"]["asset"] = ["c-404"]  # line 1: nobody is c-404
    path = _file(tmp_path / "f.json", records)
    with pytest.raises(ImportFailed) as err:
        import_ftm(path, tmp_path / "stop.db", input_id="x")
    assert f"{path}:1" in str(err.value) and "c-404" in str(err.value)
    assert not (tmp_path / "stop.db").exists()

    kb = tmp_path / "skip.db"
    report = import_ftm(path, kb, input_id="x", on_error="skip")
    assert report["problems"] == 1
    assert_healthy(kb)
    conn = sqlite3.connect(kb)
    assert conn.execute("SELECT count(*) FROM relations WHERE object_id = 'c-404'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM claims WHERE id LIKE '%own-0%'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM relations").fetchone()[0] == 2  # the other two ownerships
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_occupancy_of_a_post_that_never_comes_is_dropped_on_skip(tmp_path: Path):
    records = _links(2) + _things(2)
    records[2]["properties"]["post"] = ["pos-404"]  # line 3
    path = _file(tmp_path / "f.json", records)
    kb = tmp_path / "skip.db"
    report = import_ftm(path, kb, input_id="x", on_error="skip")
    assert report["problems"] == 1 and f"{path}:3" in report["problem_lines"][0]
    conn = sqlite3.connect(kb)
    titles = conn.execute("SELECT title FROM roles WHERE claim_id LIKE '%occ-%'").fetchall()
    assert titles == [("Member of board 1",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _heavy(n: int) -> list[dict[str, Any]]:
    """Links first, then the companies they name, each with many numbers:
    every company written while a link waits used to scan every row so far."""
    links = [
        {"id": f"own-{i}", "schema": "Ownership", "properties": {"owner": [f"c-{i}"], "asset": [f"c-{i + 1}"]}}
        for i in range(n)
    ]
    numbers = [_company(i) for i in range(n + 1)]
    for c in numbers:
        c["properties"]["registrationNumber"] = [f"{c['id']}-{k}" for k in range(8)]
    return links + numbers


def test_links_before_their_entities_cost_linear_time(tmp_path: Path):
    def run(n: int) -> None:
        path = _file(tmp_path / f"links-first-{n}.json", _heavy(n))
        kb = tmp_path / f"kb-{n}.db"
        kb.unlink(missing_ok=True)
        import_ftm(path, kb, input_id="x")

    assert _growth(lambda: run(800), lambda: run(3200)) < LINEAR
