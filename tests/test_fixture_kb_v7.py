"""tests/fixtures/kb-v7.db is a frozen copy of a schema-v7 KB: kb-v6.db
migrated once (the sample plus a curated bundle with source versions,
citation moves, log rows and an orphaned citation, and the overview
indexes). Schema v8 adds entity resolution: the judgements table (base
data, from bundles' resolutions.toml) and redirects (merged ids). `kbtui
migrate` must bring a copy to the current version with every row kept."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from tests.test_fixture_kb_v2 import _rows, assert_fresh_schema, assert_rows_kept, migrated_copy

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v7.db"
FROZEN_SHA256 = "598ce3f9e10aa9a5fd48d8d2240aac5784137b6ad1cb91971e1e70af290c839c"


def test_the_v7_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"judgements", "redirects"}
        for table in ("source_versions", "citation_moves", "log"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    return migrated_copy(FIXTURE, tmp_path, 7)


def test_migrate_brings_the_v7_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    after = _rows(copy)
    assert_rows_kept(before, after)
    conn = db.connect_readonly(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM redirects").fetchone()[0] == 0
    finally:
        conn.close()
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v7_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    assert_fresh_schema(copy, tmp_path)
