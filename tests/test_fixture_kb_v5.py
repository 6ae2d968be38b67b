"""tests/fixtures/kb-v5.db is a frozen copy of a schema-v5 KB: the sample
plus a curated bundle whose source went through three later versions (so
source_versions, citation_moves, the log and an orphaned citation all hold
rows). Schema v6 adds word-level search (names_words, names_vocab,
word_grams) and an index on role titles, all derived: `kbtui migrate` must
bring a copy to the current version with every base row kept and the new
search working on it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db
from kbtui.kb.search import search
from tests.test_fixture_kb_v2 import _rows, assert_fresh_schema, assert_rows_kept, migrated_copy

FIXTURE = Path(__file__).parent / "fixtures" / "kb-v5.db"
FROZEN_SHA256 = "0cae0756ab9cbf8dcde5e09c4743ebd0317ec73852ed1f97f404b82c87b16793"


def test_the_v5_fixture_is_frozen() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FROZEN_SHA256
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        # the v5 tables this migration must carry over are not empty
        for table in ("source_versions", "citation_moves", "log"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        assert conn.execute("SELECT count(*) FROM citations WHERE version IS NOT NULL").fetchone()[0] == 1
    finally:
        conn.close()


def _migrated(tmp_path: Path) -> Path:
    return migrated_copy(FIXTURE, tmp_path)


def test_migrate_brings_the_v5_fixture_to_the_current_version_with_nothing_lost(tmp_path: Path) -> None:
    before = _rows(FIXTURE)
    copy = _migrated(tmp_path)
    after = _rows(copy)
    assert_rows_kept(before, after)
    conn = db.connect_readonly(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        for table in ("source_versions", "citation_moves", "log"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == len(before[table]), table
        # the word index was built: words of names, in any order, with a typo
        assert conn.execute("SELECT doc FROM names_vocab WHERE term = 'patrushev'").fetchone()[0] >= 1
        assert search(conn, "Securty Council Russia")[0].id == "russian-security-council"
        assert search(conn, "DNI")[0].id == "avril-haines"
    finally:
        conn.close()
    result = CliRunner().invoke(main, ["--db", str(copy), "check"])
    assert result.exit_code == 0, result.output


def test_migrated_v5_has_exactly_the_current_schema(tmp_path: Path) -> None:
    copy = _migrated(tmp_path)
    assert_fresh_schema(copy, tmp_path)
