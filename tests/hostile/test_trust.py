# ruff: noqa: E501  (crafted SQL kept on one line each)
"""A well-formed hostile KB file: valid SQLite, kbtui's tables, but a view
that recurses forever in place of a table, a table rebuilt without its
constraints, a trigger. Every reader refuses it at open with one line
naming the object, fast, and leaves it untouched; a user's own index or
ANALYZE's statistics are fine."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from kbtui.kb import db, trust

from .conftest import cli, fingerprint, one_clear_line

ENDLESS = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT "


def _crafted(tmp_path: Path, sample_db: Path, *sql: str) -> Path:
    path = tmp_path / "crafted.db"
    shutil.copy(sample_db, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")  # (unused by most cases; harmless)
    for stmt in sql:
        conn.execute(stmt)
    conn.commit()
    conn.close()
    return path


VIEW_FOR_TABLE = {
    "aliases": f"CREATE VIEW aliases AS {ENDLESS} 'x' AS entity_id, 'y' AS alias, 'alias' AS kind, NULL AS as_of, NULL AS claim_id FROM r",
    "roles": f"CREATE VIEW roles AS {ENDLESS} 'a' AS claim_id, 'b' AS holder_id, NULL AS organisation_id, 't' AS title, NULL AS start, NULL AS \"end\", 'current' AS status FROM r",
    "mentions": f"CREATE VIEW mentions AS {ENDLESS} 's' AS source_id, 'e' AS entity_id, 0 AS start, 1 AS \"end\" FROM r",
    "name_grams": f"CREATE VIEW name_grams AS {ENDLESS} 'g' AS gram, x AS name_id, 'c' AS compact FROM r",
}


@pytest.mark.parametrize("table", sorted(VIEW_FOR_TABLE))
def test_an_endless_view_in_place_of_a_table_is_refused_at_open(tmp_path, sample_db, table):
    path = _crafted(tmp_path, sample_db, "PRAGMA foreign_keys = OFF", f"DROP TABLE {table}", VIEW_FOR_TABLE[table])
    before = fingerprint(path)
    for args in (["search", "chen"], ["show", "chen-wenqing"], ["roles"], ["check"], ["sql", "SELECT 1"]):
        started = time.monotonic()
        r = cli("--db", str(path), *args)
        assert time.monotonic() - started < 5, args
        assert r.exit_code == 2, (args, r.stdout)
        one_clear_line(r.stderr, path)
        assert f"'{table}'" in r.stderr and "is a view where kbtui has a table" in r.stderr
    assert fingerprint(path) == before


def test_a_table_rebuilt_without_its_constraints_is_refused(tmp_path, sample_db):
    path = _crafted(
        tmp_path,
        sample_db,
        "PRAGMA foreign_keys = OFF",
        "CREATE TABLE entities2 AS SELECT * FROM entities",
        "DROP TABLE entities",
        "ALTER TABLE entities2 RENAME TO entities",
        "UPDATE entities SET kind = char(27) || ']0;pwned' || char(7) WHERE id = 'chen-wenqing'",
    )
    r = cli("--db", str(path), "show", "chen-wenqing")
    assert r.exit_code == 2 and "\x1b" not in r.stdout + r.stderr
    assert "table 'entities' differs from kbtui's definition" in r.stderr


def test_a_trigger_is_refused(tmp_path, sample_db):
    path = _crafted(tmp_path, sample_db, "CREATE TRIGGER t AFTER INSERT ON entities BEGIN DELETE FROM citations; END")
    r = cli("--db", str(path), "search", "chen")
    assert r.exit_code == 2 and "trigger 't' is not part of a kbtui KB" in r.stderr


def test_a_missing_index_or_a_changed_view_is_refused(tmp_path, sample_db):
    path = _crafted(tmp_path, sample_db, "DROP INDEX roles_holder")
    assert "index 'roles_holder' is missing" in cli("--db", str(path), "roles").stderr
    path.unlink()
    path = _crafted(tmp_path, sample_db, "DROP VIEW v_roles", f"CREATE VIEW v_roles AS {ENDLESS} x FROM r")
    assert "view 'v_roles' differs" in cli("--db", str(path), "roles").stderr


def test_a_users_index_and_analyze_are_welcome(tmp_path, sample_db):
    path = _crafted(tmp_path, sample_db, "CREATE INDEX my_titles ON roles(title)", "ANALYZE")
    r = cli("--db", str(path), "roles", "--json")
    assert r.exit_code == 0, r.stderr
    assert cli("--db", str(path), "check").exit_code == 0


def test_the_shipped_files_pass(sample_db):
    conn = db.connect_readonly(sample_db)
    assert trust.foreign_object(conn, db.SCHEMA_VERSION) is None


def test_each_released_schema_is_kept_and_the_frozen_v2_file_matches_it():
    fixtures = Path(__file__).parent.parent / "fixtures"
    conn = sqlite3.connect(f"file:{fixtures / 'kb-v2.db'}?mode=ro", uri=True)
    try:
        assert trust.foreign_object(conn, 2) is None
    finally:
        conn.close()
    for version in range(1, db.SCHEMA_VERSION + 1):
        assert trust.expected(version), f"no schema on record for version {version}"


def test_migrate_refuses_a_crafted_older_file(tmp_path):
    fixtures = Path(__file__).parent.parent / "fixtures"
    path = tmp_path / "old.db"
    shutil.copy(fixtures / "kb-v2.db", path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER t AFTER UPDATE ON entities BEGIN SELECT 1; END")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 2 and "trigger 't'" in r.stderr
    assert fingerprint(path) == before
    assert not list(tmp_path.glob("*.bak"))  # refused before the backup
