"""Scripted SQL: no statement of any form writes; runaway queries stop at
the time limit; huge results stop at the row cap with a notice; errors are
one readable line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbtui.kb import sqlsafe
from kbtui.kb.errors import QueryError

from .conftest import cli, fingerprint, one_clear_line, run_kbtui, subprocess_env

OUTSIDE = "kbtui-hostile-should-not-exist"

WRITES = [
    "DELETE FROM entities",
    "delete from entities where 1",
    "/* innocent */ DELETE FROM entities",
    "-- a comment\nDELETE FROM entities",
    "UPDATE entities SET name = 'x'",
    "INSERT INTO entities VALUES ('x', 'person', 'x', '')",
    "INSERT INTO entities SELECT id || '-2', kind, name, summary FROM entities",
    "REPLACE INTO entities VALUES ('x', 'person', 'x', '')",
    "INSERT OR REPLACE INTO entities VALUES ('chen-wenqing', 'person', 'Mallory', '')",
    "INSERT INTO entities VALUES ('chen-wenqing', 'person', 'x', '') ON CONFLICT(id) DO UPDATE SET name = 'x'",
    "WITH x AS (SELECT 1) DELETE FROM entities",
    "WITH x AS (SELECT 1) UPDATE entities SET name = 'x'",
    "WITH x AS (SELECT 1) INSERT INTO entities SELECT 'y', 'person', 'y', '' FROM x",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 3) DELETE FROM claims",
    "DROP TABLE entities",
    "DROP VIEW v_roles",
    "DROP INDEX roles_holder",
    "CREATE TABLE t (x)",
    "CREATE TEMP TABLE t (x)",
    "CREATE TEMP VIEW v AS SELECT 1",
    "CREATE VIEW v AS SELECT 1",
    "CREATE INDEX i ON entities(name)",
    "CREATE TRIGGER tr AFTER INSERT ON entities BEGIN DELETE FROM claims; END",
    "CREATE VIRTUAL TABLE f USING fts5(x)",
    "ALTER TABLE entities RENAME TO people",
    "ALTER TABLE entities ADD COLUMN evil TEXT",
    f"ATTACH DATABASE '/tmp/{OUTSIDE}-attach.db' AS other",
    "ATTACH DATABASE ':memory:' AS m",
    "ATTACH 'file::memory:?cache=shared' AS m",
    "DETACH DATABASE main",
    "VACUUM",
    f"VACUUM INTO '/tmp/{OUTSIDE}-vacuum.db'",
    "REINDEX",
    "ANALYZE",
    "PRAGMA user_version = 7",
    "PRAGMA main.user_version = 7",
    "PRAGMA user_version(7)",
    "PRAGMA query_only = 0",
    "PRAGMA query_only = OFF",
    "PRAGMA writable_schema = 1",
    "PRAGMA journal_mode = WAL",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA schema_version = 1",
    "PRAGMA cache_size = 1",
    "PRAGMA wal_checkpoint",
    "PRAGMA optimize",
    "PRAGMA incremental_vacuum",
    "PRAGMA integrity_check",  # reads, but can take minutes on a big KB: not on the list
    "SELECT load_extension('/tmp/evil.so')",
    "SELECT load_extension('/tmp/evil.so', 'sqlite3_evil_init')",
    "SELECT fts3_tokenizer('simple')",
    "SELECT writefile('/tmp/x', 'y')",
    "INSERT INTO names_fts(names_fts) VALUES ('delete-all')",
    "INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')",
    "BEGIN",
    "BEGIN IMMEDIATE",
    "BEGIN EXCLUSIVE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT s",
    "RELEASE s",
    "SELECT 1; DELETE FROM entities",
    "SELECT 1;\nDROP TABLE entities;",
    "UPDATE sqlite_master SET sql = 'x' WHERE name = 'entities'",
    "DELETE FROM sqlite_master",
]


@pytest.mark.parametrize("stmt", WRITES)
def test_no_statement_writes(sample_copy: Path, stmt: str):
    before = fingerprint(sample_copy)
    r = cli("--db", str(sample_copy), "sql", "--", stmt)
    assert r.exit_code == 1, (stmt, r.stdout, r.stderr)
    assert r.stdout == ""
    one_clear_line(r.stderr, "")  # one line starting `kbtui: `
    assert fingerprint(sample_copy) == before
    assert not list(Path("/tmp").glob(f"{OUTSIDE}*"))


@pytest.mark.parametrize("stmt", ["DELETE FROM entities", "PRAGMA query_only = 0", "ATTACH ':memory:' AS m"])
def test_the_library_call_refuses_too(sample_copy: Path, stmt: str):
    before = fingerprint(sample_copy)
    with pytest.raises(QueryError, match=r"read-only|refused|SQL error"):
        sqlsafe.run(sample_copy, stmt)
    assert fingerprint(sample_copy) == before


def test_guard_holds_on_a_connection_that_could_write(sample_copy: Path):
    """The authorizer alone (second lock) stops writes even on a writable
    connection, so no single mistake in opening opens the door."""
    before = fingerprint(sample_copy)
    conn = sqlite3.connect(sample_copy)
    sqlsafe.guard(conn, 1.0)
    for stmt in (
        "DELETE FROM entities",
        "PRAGMA user_version = 9",
        "ATTACH ':memory:' AS m",
        "CREATE TABLE t (x)",
        f"VACUUM INTO '/tmp/{OUTSIDE}-guard.db'",
        "PRAGMA writable_schema = 1",
        "UPDATE sqlite_master SET sql = 'x'",
    ):
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute(stmt)
    conn.close()
    assert fingerprint(sample_copy) == before
    assert not list(Path("/tmp").glob(f"{OUTSIDE}*"))


@pytest.mark.parametrize(
    "stmt, column",
    [
        ("SELECT count(*) AS n FROM v_roles", "n"),
        ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT sum(x) AS s FROM c", "s"),
        ("PRAGMA table_info(entities)", "name"),
        ("SELECT name FROM pragma_table_info('entities')", "name"),
        ("PRAGMA user_version", "user_version"),
        ("SELECT quote FROM v_citations WHERE quote LIKE '%Patrushev%' LIMIT 1", "quote"),
        ("SELECT title FROM sources_fts WHERE sources_fts MATCH 'Patrushev' LIMIT 1", "title"),
    ],
)
def test_reads_still_work(sample_copy: Path, stmt: str, column: str):
    r = cli("--db", str(sample_copy), "sql", stmt, "--json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and column in rows[0]


RUNAWAY = [
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x < 0",
    "SELECT count(*) FROM citations a, citations b, citations c, citations d",
    "WITH RECURSIVE c(s) AS (SELECT 'x' UNION ALL SELECT s || 'x' FROM c WHERE length(s) < 1e9) "
    "SELECT max(length(s)) FROM c",
    "SELECT count(*) FROM v_citations a JOIN v_citations b ON a.quote LIKE '%' || b.quote || '%'"
    " JOIN v_citations c JOIN v_citations d",
]


@pytest.mark.parametrize("stmt", RUNAWAY)
def test_runaway_queries_stop_at_the_time_limit(sample_copy: Path, stmt: str):
    started = time.monotonic()
    r = cli("--db", str(sample_copy), "sql", stmt, "--timeout", "0.3")
    elapsed = time.monotonic() - started
    assert r.exit_code == 1
    one_clear_line(r.stderr, "")
    assert "0.3 s time limit" in r.stderr and "--timeout" in r.stderr
    assert elapsed < 3, f"took {elapsed:.1f} s for a 0.3 s limit"


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "abc"])
def test_time_limit_must_be_a_real_limit(sample_copy: Path, value: str):
    """`--timeout nan` passed click's range check and disabled the limit
    (every comparison with NaN is false), so the query ran forever."""
    r = cli("--db", str(sample_copy), "sql", RUNAWAY[0], "--timeout", value)
    assert r.exit_code == 2 and "timeout" in r.stderr.lower()


def test_library_time_limit_refuses_nan(sample_copy: Path):
    with pytest.raises(QueryError, match="time limit"):
        sqlsafe.run(sample_copy, RUNAWAY[0], timeout=float("nan"))


@pytest.mark.parametrize(
    "stmt",
    [
        "SELECT length(randomblob(300000000))",
        "SELECT length(zeroblob(300000000) || 'x')",
    ],
)
def test_one_giant_value_is_refused_not_built(sample_copy: Path, stmt: str):
    r = cli("--db", str(sample_copy), "sql", stmt)
    assert r.exit_code == 1 and "MiB" in r.stderr
    one_clear_line(r.stderr, "")


def test_huge_result_stops_at_the_default_cap_with_a_notice(sample_copy: Path):
    stmt = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000) SELECT x FROM c"
    r = cli("--db", str(sample_copy), "sql", stmt, "--nl")
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == sqlsafe.DEFAULT_MAX_ROWS
    assert f"stopped at {sqlsafe.DEFAULT_MAX_ROWS} rows" in r.stderr


@pytest.mark.parametrize("fmt", ["--json", "--nl", "--csv", "--tsv", "--table"])
def test_row_cap_in_every_format_keeps_output_valid(sample_copy: Path, fmt: str):
    stmt = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    r = cli("--db", str(sample_copy), "sql", stmt, "--max-rows", "25", fmt)
    assert r.exit_code == 0 and "stopped at 25 rows" in r.stderr
    if fmt == "--json":
        assert [row["x"] for row in json.loads(r.stdout)] == list(range(1, 26))
    elif fmt == "--nl":
        assert [json.loads(line)["x"] for line in r.stdout.splitlines()] == list(range(1, 26))
    elif fmt in {"--csv", "--tsv"}:
        assert r.stdout.splitlines() == ["x", *map(str, range(1, 26))]
    else:
        assert " 25 " in r.stdout and " 26 " not in r.stdout


def test_exactly_the_cap_is_not_a_truncation(sample_copy: Path):
    stmt = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 25) SELECT x FROM c"
    r = cli("--db", str(sample_copy), "sql", stmt, "--max-rows", "25", "--json")
    assert len(json.loads(r.stdout)) == 25 and "stopped" not in r.stderr


@pytest.mark.parametrize(
    "stmt, words",
    [
        ("SELEC * FROM v_roles", "syntax error"),
        ("SELECT * FROM nowhere", "no such table"),
        ("SELECT nosuchcolumn FROM v_roles", "no such column"),
        ("SELECT (", "incomplete input"),
        ("SELECT 'unterminated", "unrecognized token"),
        ('SELECT "', "unrecognized token"),
        ("SELECT * FROM v_roles WHERE", "incomplete input"),
        ("SELECT * FROM sources_fts WHERE sources_fts MATCH '\"'", "unterminated string"),
        ("SELECT * FROM sources_fts WHERE sources_fts MATCH 'NEAR('", "fts5"),
        ("SELECT 1 +", "incomplete input"),
        ("   ", "empty query"),
        ("-- only a comment", "empty query"),
        ("SELECT " + "(" * 5000 + "1" + ")" * 5000, "SQL error"),
        ("SELECT 1 WHERE 1 = " + " OR ".join(["1"] * 100_000), "SQL error"),
    ],
)
def test_errors_are_one_readable_line(sample_copy: Path, stmt: str, words: str):
    r = cli("--db", str(sample_copy), "sql", "--", stmt)
    assert r.exit_code == 1, r.stdout
    one_clear_line(r.stderr, "")
    assert words in r.stderr, r.stderr
    assert len(r.stderr) < 2000


def test_non_utf8_query_bytes_are_a_usage_error(sample_copy: Path):
    """Bytes that are not UTF-8 arrive as lone surrogates and used to crash
    inside sqlite3 with a UnicodeEncodeError traceback."""
    for args in (
        [b"sql", b"SELECT '\xff'"],
        [b"show", b"\xff\xfe"],
        [b"source", b"\xff"],
        [b"roles", b"--holder", b"\xff"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "kbtui", "--db", str(sample_copy), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=subprocess_env(),
        )
        assert r.returncode == 2, (args, r.stderr)
        one_clear_line(r.stderr, "")
        assert "not valid UTF-8" in r.stderr


def test_real_process_runaway_and_refusal(sample_copy: Path):
    before = fingerprint(sample_copy)
    r = run_kbtui("--db", str(sample_copy), "sql", RUNAWAY[0], "--timeout", "0.3")
    assert r.returncode == 1 and "time limit" in r.stderr
    one_clear_line(r.stderr, "")
    r = run_kbtui("--db", str(sample_copy), "sql", "WITH x AS (SELECT 1) DELETE FROM entities")
    assert r.returncode == 1 and "read-only" in r.stderr
    one_clear_line(r.stderr, "")
    assert fingerprint(sample_copy) == before
