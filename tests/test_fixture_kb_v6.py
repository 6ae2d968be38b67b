"""tests/fixtures/kb-v6.db is a frozen copy of a schema-v6 KB: kb-v5.db
migrated once (the sample plus a curated bundle with three source versions,
citation moves, log rows and an orphaned citation). Schema v7 adds the
indexes the overview screens page through (entities by kind and name,
events by date, sources by date): `kbtui migrate` must bring a copy to the
current version with every base row kept and the overviews reading in
index order, not sorting."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from tests.test_fixture_kb_v2 import _rows, assert_fresh_schema, assert_rows_kept, migrated_copy

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v6.db"
FROZEN_SHA256 = "1b84f0fc095782c5b15074241c5cf4d710d5aedfbf900142821f04ef12f02807"


def test_the_v6_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        for table in ("source_versions", "citation_moves", "log", "names_words", "word_grams"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not indexes & {"entities_kind_name", "events_start", "sources_published"}
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    return migrated_copy(FIXTURE, tmp_path, 6)


def test_migrate_brings_the_v6_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    after = _rows(copy)
    assert_rows_kept(before, after)
    conn = db.connect_readonly(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        # the overviews read their first page in index order (no sort step)
        for sql in (
            "SELECT id FROM entities WHERE kind = 'person' ORDER BY name COLLATE NOCASE LIMIT 5",
            "SELECT entity_id FROM events ORDER BY start LIMIT 5",
            "SELECT id FROM sources ORDER BY published DESC LIMIT 5",
        ):
            plan = " ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "TEMP B-TREE" not in plan, (sql, plan)
    finally:
        conn.close()
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v6_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    assert_fresh_schema(copy, tmp_path)
