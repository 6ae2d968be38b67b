"""tests/fixtures/kb-v4.db is a frozen copy of the schema-v4 sample, kept for
the migration that schema v5 (curation: source versions, capture
provenance, the log) brings: it must never change, and `kbtui migrate` must
bring a copy to the current version with nothing lost, every source at
version 1 with every citation pointing into it."""

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

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v4.db"
FROZEN_SHA256 = "a5899c8601e1d795d0b76a03508b922525273784930e510243994538c5e9c135"


def test_the_v4_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    result = CliRunner().invoke(main, ["migrate", str(copy)])
    assert result.exit_code == 0, result.output
    return copy


def test_migrate_brings_the_v4_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        # every text is its first version, and every citation points into it
        assert conn.execute("SELECT DISTINCT version FROM sources").fetchall() == [(1,)]
        assert conn.execute("SELECT DISTINCT version FROM citations").fetchall() == [(None,)]
        assert conn.execute("SELECT count(*) FROM source_versions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM log").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM citation_moves").fetchone()[0] == 0
        # ownership is kept as it was
        assert conn.execute("SELECT count(*) FROM claims WHERE input_id = 'sample'").fetchone()[0] == len(
            before["claims"]
        )
        # the views read the new columns
        assert conn.execute("SELECT count(*) FROM v_citations WHERE source_version = 1").fetchone()[0] == len(
            before["citations"]
        )
    finally:
        conn.close()
    after = _rows(copy)
    for table in before:
        assert len(after[table]) == len(before[table]), table
        width = len(before[table][0]) if before[table] else 0
        # v5 appended columns, so the old ones lead each row
        assert sorted((row[:width] for row in after[table]), key=repr) == before[table], table
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v4_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["init", str(fresh)]).exit_code == 0
    migrated, want = _schema(copy), _schema(fresh)
    assert set(migrated) == set(want)
    for name in want:
        assert migrated[name].replace('"', "") == want[name].replace('"', ""), name


def test_reimporting_the_bundle_over_the_migrated_kb_changes_nothing_it_holds(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    before = _rows(copy)
    import_bundle(sample_bundle_path(), copy)
    after = _rows(copy)
    for table in ("entities", "claims", "citations", "sources"):
        assert after[table] == before[table], table
