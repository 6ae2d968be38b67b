# ruff: noqa: E501  (damage SQL kept on one line each)
"""Damaged derived indexes: `check` finds them and says how to repair,
search never ends in a traceback, and `kbtui reindex` rebuilds them in one
transaction without touching a row of data."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb.check import BASE_TABLES

from .conftest import cli


def _copy(tmp_path: Path, sample_db: Path, *sql: str) -> Path:
    path = tmp_path / "kb.db"
    shutil.copy(sample_db, path)
    conn = sqlite3.connect(path)
    for stmt in sql:
        conn.execute(stmt)
    conn.commit()
    conn.close()
    return path


def _data(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in BASE_TABLES}
    finally:
        conn.close()


DAMAGE = {
    "names_fts": "UPDATE names_fts_data SET block = zeroblob(length(block)) WHERE id = (SELECT max(id) FROM names_fts_data)",
    "sources_fts": "UPDATE sources_fts_data SET block = zeroblob(length(block)) WHERE id = (SELECT max(id) FROM sources_fts_data)",
    "name_grams": "UPDATE name_grams SET compact = 'zzz' WHERE gram IN (SELECT gram FROM name_grams LIMIT 5)",
    "names": "DELETE FROM names WHERE entity_id = 'chen-wenqing' AND is_primary = 1",
    "names_words": "UPDATE names_words_data SET block = zeroblob(length(block)) WHERE id = (SELECT max(id) FROM names_words_data)",
    "word_grams": "DELETE FROM word_grams WHERE word = 'patrushev'",
}


@pytest.mark.parametrize("index", sorted(DAMAGE))
def test_check_reports_a_damaged_index_and_reindex_repairs_it(tmp_path, sample_db, index):
    path = _copy(tmp_path, sample_db, DAMAGE[index])
    data = _data(path)
    r = cli("--db", str(path), "check", "--json")
    assert r.exit_code == 1
    assert any(p["check"] == "index" and p["where"] == index for p in json.loads(r.stdout)["problems"])
    assert "kbtui reindex" in r.stdout
    s = cli("--db", str(path), "search", "chen")
    assert s.exit_code in (0, 1, 2)  # cli() lets a traceback fail the test
    assert cli("--db", str(path), "reindex").exit_code == 0
    assert cli("--db", str(path), "check").exit_code == 0
    assert _data(path) == data  # the data is not touched
    assert "chen-wenqing" in cli("--db", str(path), "search", "chen wenqing", "--json").stdout


def test_reindex_writes_only_a_named_kb(monkeypatch):
    monkeypatch.delenv("KBTUI_DB", raising=False)
    r = cli("reindex")
    assert r.exit_code == 2 and "none was named" in r.stderr
