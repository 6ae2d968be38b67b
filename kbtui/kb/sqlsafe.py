"""Scripted SQL that cannot write, cannot run away, and says when it stops.

Three independent locks, as Datasette does it: the connection is opened
`mode=ro` with `PRAGMA query_only`; an authorizer refuses ATTACH, DETACH,
writes, pragmas with a value and load_extension; a progress handler
aborts a query past its time limit. Results stop at a row cap, and the
caller is told when that happened.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb.db import connect_readonly
from kbtui.kb.errors import QueryError, UnusableDatabase

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_ROWS = 10_000
MAX_VALUE_BYTES = 256 * 1024 * 1024  # largest string or blob a query may build

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
# pragmas that only read, when given without a value
_READ_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "user_version",
    "schema_version",
    "page_count",
    "page_size",
    "encoding",
    "compile_options",
    "database_list",
    "function_list",
    "pragma_list",
    "collation_list",
    "table_list",
    "freelist_count",
    "foreign_keys",
    "journal_mode",
    "application_id",
    "data_version",
}
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


# pragmas whose argument names what to read (a table, an index), not a value
_ARG_READ_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}


def _authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    if action in _ALLOWED:
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _ARG_READ_PRAGMAS or (name in _READ_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        # asked (and never carried out) when an FTS5 table is first connected
        # to, so `... MATCH ...` needs it; a real UPDATE of sqlite_master
        # also needs PRAGMA writable_schema, which is refused, on a
        # connection that is read-only anyway
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[object, ...]] = field(default_factory=list)
    truncated: bool = False
    elapsed: float = 0.0


def run(
    db_path: Path | str,
    sql: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    params: tuple[object, ...] = (),
) -> Result:
    """Run one read-only statement; raise QueryError with one readable line."""
    _check_timeout(timeout)
    conn = connect_readonly(db_path)
    conn.row_factory = None
    try:
        return _run(conn, sql, timeout, max_rows, params)
    except sqlite3.OperationalError as exc:  # only a lock gets here (see _run)
        raise UnusableDatabase(
            f"{db_path}: is locked by another program ({exc})", "wait for it to finish and try again"
        ) from exc
    finally:
        conn.close()


def _check_timeout(timeout: float) -> None:
    # NaN compares false with everything: `now > deadline` would never fire
    if not 0 < timeout < float("inf"):
        raise QueryError(
            f"the time limit must be a positive number of seconds, not {timeout!r}", "for example --timeout 5"
        )


def guard(conn: sqlite3.Connection, timeout: float) -> float:
    """Install the authorizer, the time limit and the size limits on `conn`;
    returns the deadline."""
    _check_timeout(timeout)
    deadline = time.monotonic() + timeout
    conn.set_authorizer(_authorizer)
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    # one value (randomblob(1e9), printf('%.*c', ...)) is allocated in a
    # single step the time limit cannot interrupt; stored texts stay far below
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    return deadline


def _run(conn: sqlite3.Connection, sql: str, timeout: float, max_rows: int, params: tuple[object, ...]) -> Result:
    if not sql.strip():
        raise QueryError("empty query", "pass a SELECT statement")
    deadline = guard(conn, timeout)
    started = time.monotonic()
    try:
        cur = conn.execute(sql, params)
        if cur.description is None:  # only comments: nothing was run
            raise QueryError("empty query (only comments)", "pass a SELECT statement")
        columns = [d[0] for d in cur.description]
        result = Result(columns)
        for row in _rows(cur):
            if len(result.rows) >= max_rows:
                result.truncated = True
                break
            result.rows.append(row)
    except sqlite3.Warning as exc:
        raise QueryError(f"only one statement at a time ({exc})", "run statements separately") from exc
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            raise  # not the query's fault: the caller says which file is locked
        raise _explain(exc, timeout, deadline) from exc
    result.elapsed = time.monotonic() - started
    return result


def _explain(exc: sqlite3.DatabaseError, timeout: float, deadline: float) -> QueryError:
    msg = str(exc)
    if "interrupted" in msg and time.monotonic() >= deadline:
        return QueryError(f"query stopped after the {timeout:g} s time limit", "raise it with --timeout SECONDS")
    if "too big" in msg:
        return QueryError(
            f"refused: a value would be larger than {MAX_VALUE_BYTES >> 20} MiB ({msg})", "select less data"
        )
    if any(
        w in msg
        for w in (
            "not authorized",
            "prohibited",
            "readonly",
            "attempt to write",
            "too many attached",
            "query_only",
            "authorization denied",
            "may not be modified",
        )
    ):
        return QueryError(f"refused: kbtui sql is read-only ({msg})", "use SELECT; the database is never modified")
    return QueryError(f"SQL error: {msg}", "see the tables and views with `kbtui sql --schema`")


def _rows(cur: sqlite3.Cursor) -> Iterator[tuple[object, ...]]:
    while True:
        batch = cur.fetchmany(500)
        if not batch:
            return
        yield from batch
