"""Opening knowledge bases: read-only for readers, carefully for writers.

Every failure to open becomes an UnusableDatabase with one sentence that
names the file and what to do. Nothing here ever creates a file when asked to
read, or changes a file it refuses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from kbtui.kb.errors import UnusableDatabase
from kbtui.kb.paths import schema_path

SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = {"entities", "claims", "citations", "sources"}
BUSY_TIMEOUT_MS = 5000


def _precheck(path: Path) -> None:
    """Refuse, without touching it, a path SQLite would mishandle."""
    if not path.exists():
        raise UnusableDatabase(
            f"{path}: no such file",
            "check the path, or create a new KB with `kbtui init PATH`",
        )
    if path.is_dir():
        raise UnusableDatabase(f"{path}: is a directory, not a kbtui database", "pass the .db file")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise UnusableDatabase(f"{path}: cannot be read ({exc.strerror})", "check its permissions") from exc
    if not head:
        raise UnusableDatabase(
            f"{path}: is an empty file, not a kbtui database",
            "create a KB with `kbtui init PATH` or `kbtui import BUNDLE --db PATH`",
        )
    if head != SQLITE_MAGIC:
        raise UnusableDatabase(f"{path}: is not a SQLite database", "point --db at a kbtui .db file")


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """A connection that cannot write: `mode=ro` at open and `query_only`."""
    path = Path(path)
    _precheck(path)
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as exc:
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})", "is it a kbtui database?") from exc
    conn.row_factory = sqlite3.Row
    validate(conn, path)
    return conn


def connect_writable(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """A connection for import and init. With `create`, a missing file is
    made and given the schema; an existing file must already be a KB."""
    path = Path(path)
    is_new = not path.exists()
    if is_new and not create:
        _precheck(path)
    if not is_new:
        _precheck(path)
    try:
        conn = sqlite3.connect(_uri(path, "rwc" if is_new else "rw"), uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        if is_new:
            apply_schema(conn)
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "unable to open" in str(exc):
            raise UnusableDatabase(f"{path}: cannot be opened for writing ({exc})",
                                   "check the file and folder permissions") from exc
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})") from exc
    validate(conn, path)
    return conn


def apply_schema(conn: sqlite3.Connection) -> None:
    """Create every table, index and view from schema.sql in one transaction."""
    sql = schema_path().read_text(encoding="utf-8")
    conn.executescript("BEGIN;\n" + sql + f"\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")


def validate(conn: sqlite3.Connection, path: Path) -> None:
    """Prove the file is a readable kbtui KB of a version we understand."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise UnusableDatabase(f"{path}: is locked by another program",
                                   "wait for it to finish and try again") from exc
        raise UnusableDatabase(f"{path}: cannot be read ({exc})", "the file may be corrupted") from exc
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(f"{path}: is corrupted ({exc})",
                               "restore it from a backup or rebuild it with `kbtui import`") from exc
    if not tables >= REQUIRED_TABLES:
        raise UnusableDatabase(
            f"{path}: is a SQLite database but not a kbtui knowledge base",
            "create one with `kbtui init PATH` or `kbtui import BUNDLE --db PATH`",
        )
    if version > SCHEMA_VERSION:
        raise UnusableDatabase(
            f"{path}: has schema version {version}, newer than this kbtui reads ({SCHEMA_VERSION})",
            "upgrade kbtui",
        )
    if version < SCHEMA_VERSION:
        raise UnusableDatabase(
            f"{path}: has schema version {version}, older than this kbtui's ({SCHEMA_VERSION})",
            f"run `kbtui migrate {path}` to upgrade it (a backup is made first)",
        )
