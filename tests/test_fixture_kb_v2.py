"""tests/fixtures/kb-v2.db is a frozen copy of the schema-v2 sample, kept for
the migration that schema v3 brings: it must never change, and `kbtui
migrate` must bring a copy to the current version with nothing lost."""

from __future__ import annotations

import hashlib
import re
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
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in BASE_TABLES if t in have}
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
    for table in before:  # every row kept (a later version may add columns, never drop rows)
        assert len(after[table]) == len(before[table]), table
        width = len(before[table][0]) if before[table] else 0
        # and every value: v3 appended columns, so the old ones lead each row
        assert sorted((row[:width] for row in after[table]), key=repr) == before[table], table
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def _schema(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            name: " ".join(re.sub(r"--[^\n]*", "", sql).split())
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
            if not name.startswith(("names_fts_", "sources_fts_"))
        }
    finally:
        conn.close()


def test_migrated_v2_has_exactly_the_v3_schema_and_dated_evidence(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    assert CliRunner().invoke(main, ["migrate", str(copy)]).exit_code == 0
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["init", str(fresh)]).exit_code == 0
    migrated, want = _schema(copy), _schema(fresh)
    assert set(migrated) == set(want)
    for name in want:  # same columns and constraints (ALTER ... RENAME quotes names)
        assert migrated[name].replace('"', "") == want[name].replace('"', ""), name
    conn = sqlite3.connect(copy)
    try:
        # a v2 citation is evidence as of its source's date; undated ones say why
        rows = conn.execute(
            "SELECT c.as_of, s.published, c.as_of_note, c.stance, c.certainty, c.mode"
            " FROM citations c JOIN sources s ON s.id = c.source_id"
        ).fetchall()
        assert rows and all(a == p for a, p, *_ in rows)
        assert all(note for a, _, note, *_ in rows if a is None)
        assert {r[3:] for r in rows} == {("supports", "stated", "asserts")}
        basis = dict(conn.execute("SELECT id, date_basis FROM sources"))
        assert basis["rt-wang-yi-color-revolutions"] == "stated"
        assert basis["examiner-spy-chiefs-moscow"] == "unknown"
        # the source text index still finds words (rowids kept)
        assert conn.execute("SELECT count(*) FROM sources_fts WHERE sources_fts MATCH 'Patrushev'").fetchone()[0] >= 2
    finally:
        conn.close()


def assert_rows_kept(before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]]) -> None:
    """Every row of `before` is in `after`, with every value: a later
    version may append columns (its defaults follow the old values in each
    row), never drop or change one."""
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [row[:width] for row in after[table]] == rows, table


def migrated_copy(fixture: Path, tmp_path: Path, version: int | None = None) -> Path:
    """A copy of `fixture` after `kbtui migrate` (which must say it came
    from `version`, when given)."""
    copy = tmp_path / "old.db"
    shutil.copy(fixture, copy)
    result = CliRunner().invoke(main, ["migrate", str(copy)])
    assert result.exit_code == 0, result.output
    if version is not None:
        assert f"from schema version {version} to" in result.output
    return copy


def assert_fresh_schema(copy: Path, tmp_path: Path) -> None:
    """`copy` has exactly the objects `kbtui init` makes, as it makes them."""
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["init", str(fresh)]).exit_code == 0
    migrated, want = _schema(copy), _schema(fresh)
    assert set(migrated) == set(want)
    for name in want:
        assert migrated[name].replace('"', "") == want[name].replace('"', ""), name
