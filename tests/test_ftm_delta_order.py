"""A delta file may name one id more than once (a week of daily deltas put
in one file): its operations apply in order, as if the file had been cut
into one file per operation. The result must be the KB those imports would
give, and the full-text index must stay whole (removing a source from it
twice, or one it never held, used to fail the import with "database disk
image is malformed")."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kbtui.kb.ftm import import_ftm
from tests.kbdata import kb_data
from tests.test_ftm import assert_healthy, write


def _person(id_: str, name: str, **props: list[str]) -> dict[str, Any]:
    return {"id": id_, "schema": "Person", "properties": {"name": [name], **props}, "last_seen": "2024-01-01"}


BASE = [
    _person("p-1", "Ivan Petrov", birthDate=["1960"]),
    _person("p-2", "Oleg Sidorov"),
    {"id": "own-1", "schema": "Ownership", "properties": {"owner": ["p-1"], "asset": ["c-1"]}},
    {"id": "c-1", "schema": "Company", "properties": {"name": ["Alfa LLC"]}},
]
ADD_P3 = {"op": "ADD", "entity": _person("p-3", "Anna Orlova")}
MOD_P3 = {"op": "MOD", "entity": _person("p-3", "Anna Orlova", alias=["Анна Орлова"], birthDate=["1971"])}
MOD_P1 = {"op": "MOD", "entity": _person("p-1", "Ivan Petrov", birthDate=["1961"], nationality=["ru"])}
MOD_P1_AGAIN = {"op": "MOD", "entity": _person("p-1", "Ivan I. Petrov", birthDate=["1961"])}
DEL_P1 = {"op": "DEL", "entity": {"id": "p-1"}}
DEL_P2 = {"op": "DEL", "entity": {"id": "p-2"}}
ADD_P2 = {"op": "ADD", "entity": _person("p-2", "Oleg Sidorov", alias=["Олег Сидоров"])}

SEQUENCES = {
    "add then mod": [ADD_P3, MOD_P3],
    "mod then mod": [MOD_P1, MOD_P1_AGAIN],
    "mod then del": [MOD_P1, DEL_P1],
    "add then del": [ADD_P3, {"op": "DEL", "entity": {"id": "p-3"}}],
    "del then add": [DEL_P2, ADD_P2],
    "add, mod, del, add": [ADD_P3, MOD_P3, {"op": "DEL", "entity": {"id": "p-3"}}, ADD_P3],
}


def _base(tmp_path: Path, name: str) -> Path:
    kb = tmp_path / f"{name}.db"
    import_ftm(write(tmp_path, "s.json", BASE), kb, input_id="s")
    return kb


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_ops_on_one_id_in_one_file_apply_in_order(tmp_path: Path, name: str) -> None:
    ops = SEQUENCES[name]
    # one file name for all (the KB records where an input came from)
    together = _base(tmp_path, "together")
    report = import_ftm(write(tmp_path, "d.delta.json", ops), together, input_id="s")
    assert report["problems"] == 0, report["problem_lines"]
    assert_healthy(together)

    apart = _base(tmp_path, "apart")
    for op in ops:
        import_ftm(write(tmp_path, "d.delta.json", [op]), apart, input_id="s")
        assert_healthy(apart)
    assert kb_data(together) == kb_data(apart)


def test_the_last_of_several_mods_is_what_stays(tmp_path: Path) -> None:
    kb = _base(tmp_path, "kb")
    import_ftm(write(tmp_path, "d.delta.json", [MOD_P1, MOD_P1_AGAIN]), kb, input_id="s")
    conn = sqlite3.connect(kb)
    assert conn.execute("SELECT name FROM entities WHERE id = 'p-1'").fetchone() == ("Ivan I. Petrov",)
    # the first MOD's nationality is not in the second: gone with it
    assert conn.execute(
        "SELECT count(*) FROM properties WHERE entity_id = 'p-1' AND property = 'nationality'"
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT value FROM properties WHERE entity_id = 'p-1' AND property = 'birth-date'"
    ).fetchall() == [("1961",)]


def test_a_delta_into_an_empty_kb_may_name_an_id_twice(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    report = import_ftm(write(tmp_path, "d.delta.json", [ADD_P3, MOD_P3]), kb, input_id="s")
    assert report["problems"] == 0, report["problem_lines"]
    assert_healthy(kb)
    conn = sqlite3.connect(kb)
    assert conn.execute("SELECT alias FROM aliases WHERE entity_id = 'p-3'").fetchall() == [("Анна Орлова",)]


def test_a_link_written_twice_before_its_entities_into_an_empty_kb(tmp_path: Path) -> None:
    link = {"id": "own-9", "schema": "Ownership", "properties": {"owner": ["p-9"], "asset": ["c-9"]}}
    again = {**link, "properties": {**link["properties"], "percentage": ["25"]}}
    ops = [{"op": "ADD", "entity": link}, {"op": "MOD", "entity": again}]
    ops += [{"op": "ADD", "entity": _person("p-9", "Petr Ivanov")}]
    ops += [{"op": "ADD", "entity": {"id": "c-9", "schema": "Company", "properties": {"name": ["Beta LLC"]}}}]
    kb = tmp_path / "kb.db"
    report = import_ftm(write(tmp_path, "d.delta.json", ops), kb, input_id="s")
    assert report["problems"] == 0, report["problem_lines"]
    assert_healthy(kb)
    conn = sqlite3.connect(kb)
    assert conn.execute("SELECT subject_id, object_id, share FROM relations").fetchall() == [("p-9", "c-9", "25%")]


def test_a_snapshot_naming_an_id_twice_is_still_refused(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    report = import_ftm(write(tmp_path, "s.json", [*BASE, BASE[0]]), kb, input_id="s", on_error="skip")
    assert report["problems"] == 1 and "appears twice" in report["problem_lines"][0]
