"""tests/fixtures/kb-v2.db is a frozen copy of the schema-v2 sample, kept for
the migration that schema v3 brings: it must never change, and `kbtui
migrate` must bring a copy to the current version with nothing lost."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from kbtui.kb.check import BASE_TABLES

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v2.db"
FROZEN_SHA256 = "7fb21b6e247425f95dad1b6a8152afa1417300cd15920b21dfe7f4e4af97bcb2"


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in BASE_TABLES}
    finally:
        conn.close()


def test_the_v2_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    finally:
        conn.close()


def test_migrate_brings_the_v2_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    before = _rows(copy)
    result = CliRunner().invoke(main, ["migrate", str(copy)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    finally:
        conn.close()
    after = _rows(copy)
    for table in BASE_TABLES:  # every row kept (a later version may add columns, never drop rows)
        assert len(after[table]) == len(before[table]), table
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output
