"""tests/fixtures/kb-v8.db is a frozen copy of a schema-v8 KB: kb-v7.db
migrated once, then a bundle `resolve` that added two entities and judged
one pair the same (merged: a redirect) and one pair not the same, so every
table holds rows (judgements and redirects included). Schema v9 adds
`sources.confidential`: `kbtui migrate` must bring a copy to the current
version with every row kept and every source as public as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from tests.test_fixture_kb_v2 import _rows, assert_fresh_schema, assert_rows_kept, migrated_copy

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v8.db"
FROZEN_SHA256 = "9286d76d55c8229f7122b53dce8663963a30ad87ee1ea62796a23cb1b0e71199"


def test_the_v8_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
        columns = {r[1] for r in conn.execute("PRAGMA table_info(sources)")}
        assert "confidential" not in columns
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:  # every table, base and derived, holds rows
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] > 0, table
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    return migrated_copy(FIXTURE, tmp_path, 8)


def test_migrate_brings_the_v8_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    after = _rows(copy)
    assert_rows_kept(before, after)
    # the one new column, at the end of `sources`: no v8 source is confidential
    assert {row[-1] for row in after["sources"]} == {0}
    conn = db.connect_readonly(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        # the rebuilt table kept its rowids: the full-text index still finds the texts
        hits = conn.execute("SELECT count(*) FROM sources_fts WHERE sources_fts MATCH 'Patrushev'").fetchone()[0]
        assert hits >= 2
        assert conn.execute("SELECT count(*) FROM v_citations WHERE source_confidential = 0").fetchone()[0] == 280
    finally:
        conn.close()
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v8_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    assert_fresh_schema(copy, tmp_path)
