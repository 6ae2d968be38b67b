"""Claim ids made from values (a cited alias, a bundle property without an
id) keep distinct values apart. They used to keep only a-z and 0-9, so
every Cyrillic alias of one person became `<id>--alias--x`, and an FtM
person with two of them was refused as "claim appears twice"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kbtui.kb.ftm import import_ftm
from kbtui.kb.importer import import_bundle
from kbtui.kb.records import derived_id
from tests.conftest import MINI_KB, write_bundle
from tests.test_ftm import assert_healthy, write


def test_latin_values_keep_their_plain_ids() -> None:
    assert derived_id("chen-wenqing", "alias", "Xi's security chief") == "chen-wenqing--alias--xi-s-security-chief"
    assert derived_id("p1", "birth-date", "1951-07-06") == "p1--birth-date--1951-07-06"


def test_other_scripts_and_repeats_get_a_digest() -> None:
    a, b = derived_id("p1", "alias", "Фролов Геннадий"), derived_id("p1", "alias", "Фролов Г. И.")
    assert a != b and a.startswith("p1--alias--") and len(a) == len("p1--alias--") + 8
    assert derived_id("p1", "alias", "Frolov Г.").startswith("p1--alias--frolov-")
    taken: set[str] = set()
    first, second = derived_id("p1", "alias", "Petrov Ivan", taken), derived_id("p1", "alias", "PETROV, Ivan", taken)
    assert first == "p1--alias--petrov-ivan" and second.startswith("p1--alias--petrov-ivan-") and first != second
    assert derived_id("p1", "alias", "Petrov Ivan", set()) == first  # the same value, the same id
    long = derived_id("x" * 190, "alias", "Иван")
    assert len(long) <= 200 and long.endswith(derived_id("p", "alias", "Иван")[-8:])


def test_an_ftm_person_with_several_cyrillic_aliases_imports(tmp_path: Path) -> None:
    record = {
        "id": "p-1",
        "schema": "Person",
        "properties": {
            "name": ["Gennadiy Frolov"],
            "alias": ["Фролов Геннадий", "Фролов Геннадий Иванович", "ФРОЛОВ Г. И."],
        },
    }
    kb = tmp_path / "kb.db"
    report = import_ftm(write(tmp_path, "f.json", [record]), kb, input_id="f")
    assert report["problems"] == 0
    assert_healthy(kb)
    conn = sqlite3.connect(kb)
    ids = [r[0] for r in conn.execute("SELECT claim_id FROM aliases WHERE entity_id = 'p-1'")]
    assert len(ids) == 3 and len(set(ids)) == 3
    # and a re-import finds the same ids
    import_ftm(write(tmp_path, "f.json", [record]), kb, input_id="f")
    assert sorted(r[0] for r in conn.execute("SELECT claim_id FROM aliases WHERE entity_id = 'p-1'")) == sorted(ids)


def test_a_bundle_entity_with_cited_aliases_in_other_scripts_and_cases(tmp_path: Path) -> None:
    kb_toml = MINI_KB.replace(
        'aliases = ["Chen"]',
        'aliases = ["Chen", { name = "CHEN", cite = [{ source = "mini", quote = "Chen said" }] },'
        ' { name = "chen", cite = [{ source = "mini", quote = "Chen left" }] }]',
    )
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "mini", kb=kb_toml), kb)
    assert_healthy(kb)
    conn = sqlite3.connect(kb)
    rows = conn.execute("SELECT alias, claim_id FROM aliases WHERE entity_id = 'chen-wenqing' AND claim_id IS NOT NULL")
    got = dict(rows.fetchall())
    assert got["CHEN"] == "chen-wenqing--alias--chen" and got["chen"].startswith("chen-wenqing--alias--chen-")
    cited = conn.execute("SELECT c.quote FROM citations c WHERE c.claim_id = ?", (got["chen"],)).fetchall()
    assert cited == [("Chen left",)]
