"""tests/fixtures/kb-v3.db is a frozen copy of the schema-v3 sample, kept for
the migration that schema v4 (inputs and ownership) brings: it must never
change, and `kbtui migrate` must bring a copy to the current version with
nothing lost, every v3 row left without an input (adoptable, never pruned)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from kbtui.kb.importer import import_bundle
from kbtui.kb.paths import sample_bundle_path
from tests.test_fixture_kb_v2 import _rows, _schema

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v3.db"
FROZEN_SHA256 = "725dfec0ea3c957c4bf12a0094f21aee9a7fd890511545ac5f8d99ff6e9c8c43"


def test_the_v3_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    result = CliRunner().invoke(main, ["migrate", str(copy)])
    assert result.exit_code == 0, result.output
    return copy


def test_migrate_brings_the_v3_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        # v3 rows have no input: nothing prunes them
        for table in ("entities", "aliases", "claims", "sources"):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE input_id IS NOT NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM sources WHERE format != 'text'").fetchone()[0] == 0
    finally:
        conn.close()
    after = _rows(copy)
    for table in before:
        assert len(after[table]) == len(before[table]), table
        width = len(before[table][0]) if before[table] else 0
        # v4 appended columns, so the old ones lead each row
        assert sorted((row[:width] for row in after[table]), key=repr) == before[table], table
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v3_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["init", str(fresh)]).exit_code == 0
    migrated, want = _schema(copy), _schema(fresh)
    assert set(migrated) == set(want)
    for name in want:
        assert migrated[name].replace('"', "") == want[name].replace('"', ""), name


def test_reimporting_the_bundle_adopts_the_migrated_rows(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    import_bundle(sample_bundle_path(), copy)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM claims WHERE input_id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM entities WHERE input_id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT id, kind FROM inputs").fetchall() == [("sample", "bundle")]
    finally:
        conn.close()
