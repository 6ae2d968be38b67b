"""tests/fixtures/kb-v9.db is a frozen copy of a schema-v9 KB: kb-v8.db
migrated once by kbtui at v9, then one source marked confidential, so every
table holds rows and the v9 column a value other than its default. Schema
v10 adds an index of an organisation's holders, roles(organisation_id,
holder_id): `kbtui migrate` must bring a copy to the current version with
every row kept, and the analysis commands must then rank a hub's holders
from that index alone."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db, neighbours
from tests.test_fixture_kb_v2 import _rows, assert_fresh_schema, assert_rows_kept, migrated_copy

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v9.db"
FROZEN_SHA256 = "6caefdd3ac854e2708b437903983db75ac7c674a2a841fef6dd9923c43f06526"


def test_the_v9_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "roles_organisation_holder" not in indexes
        assert conn.execute("SELECT count(*) FROM sources WHERE confidential = 1").fetchone()[0] == 1
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:  # every table, base and derived, holds rows
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] > 0, table
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    return migrated_copy(FIXTURE, tmp_path, 9)


def test_migrate_brings_the_v9_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    assert_rows_kept(before, _rows(copy))
    conn = db.connect_readonly(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        # the confidential source is still confidential
        confidential = [r[0] for r in conn.execute("SELECT id FROM sources WHERE confidential = 1")]
        assert confidential == ["biden-admin-intel-china"]
    finally:
        conn.close()
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v9_has_exactly_the_current_schema(tmp_path: Path) -> None:
    assert_fresh_schema(_migrated(tmp_path), tmp_path)


def test_a_hubs_holders_are_ranked_from_the_index_alone(tmp_path: Path) -> None:
    conn = db.connect_readonly(_migrated(tmp_path))
    try:
        plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + neighbours.HOLDERS_SQL, {"e": "x"}))
        assert "COVERING INDEX roles_organisation_holder" in plan, plan
    finally:
        conn.close()
