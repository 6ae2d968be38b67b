"""Opening knowledge bases: read-only for readers, carefully for writers.

Every failure to open becomes an UnusableDatabase with one sentence that
names the file and what to do. Nothing here ever creates a file when asked to
read, or changes a file it refuses.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from kbtui.kb.errors import UnusableDatabase
from kbtui.kb.paths import schema_path

T = TypeVar("T")

# 1: first release. 2: typo index moved to pass-join keys in name_grams
# (derived data only; migrate.STEPS[1] rebuilds it). 3: evidence in time:
# dated sources and citations, stance/certainty/mode/speaker, properties,
# conflicts, errata, descriptor/metonym aliases (migrate.STEPS[2]).
# 4: inputs and ownership, FtM and CSV records. 5: curation: source
# versions, capture provenance, the log. 6: word-level search (names_words,
# names_vocab, word_grams) and role titles indexed (derived data only).
# 7: indexes the overviews read in order. 8: entity resolution (judgements,
# redirects). 9: confidential sources (sources.confidential; redaction).
SCHEMA_VERSION = 10
SQLITE_MAGIC = b"SQLite format 3\x00"
# page cache of a writing connection, in KiB (negative): a million-row import
# revisits index pages constantly, and SQLite's default 2 MiB thrashes
IMPORT_CACHE = -131072
PAGE_SIZE = 16384
REQUIRED_TABLES = {"entities", "claims", "citations", "sources"}
BUSY_TIMEOUT_MS = 5000


# Every read runs under a time limit (a crafted file can hold a query that
# never ends) and can be cancelled from another thread (the explorer, on
# quit). Checked every PROGRESS_STEPS virtual-machine steps: about a tenth of
# a millisecond apart, so a stop takes effect at once.
READ_TIMEOUT_S = 60.0
PROGRESS_STEPS = 1000
# SQLite's own allocations, for the whole process: a query that would build
# gigabytes (replace() chains, huge blobs) fails with "out of memory"
# instead of taking the machine down.
HEAP_LIMIT_BYTES = 2 << 30
# bumped by interrupt_readers(): a connection stops once the generation it
# was opened in has passed (connections opened afterwards are unaffected)
_generation = [0]
_generation_lock = threading.Lock()


def interrupt_readers() -> None:
    """Stop every query of every read connection open in this process now
    (the explorer calls it when quitting, so no worker outlives it)."""
    with _generation_lock:
        _generation[0] += 1


def read_timeout() -> float:
    """Seconds a read connection may work; `KBTUI_TIMEOUT` overrides it.
    A value that is not a positive, finite number of seconds (at most a
    day) is refused: a typo must not turn the limit off."""
    raw = os.environ.get("KBTUI_TIMEOUT", "")
    if not raw:
        return READ_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86_400:
        raise UnusableDatabase(
            f"KBTUI_TIMEOUT={raw[:40]!r} is not a time limit in seconds", "use a number from 0.1 to 86400, e.g. 60"
        )
    return value


def guard_reads(conn: sqlite3.Connection, timeout: float | None = None) -> None:
    """Install the time limit and the cancel check on `conn`."""
    deadline = time.monotonic() + (read_timeout() if timeout is None else timeout)
    born = _generation[0]

    def stop() -> int:
        return 1 if _generation[0] != born or time.monotonic() > deadline else 0

    conn.set_progress_handler(stop, PROGRESS_STEPS)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")


def within(conn: sqlite3.Connection, seconds: float, fn: Callable[[], T]) -> T | None:
    """fn() if it finishes within `seconds`, else None (its query is
    stopped). For work worth doing only if quick, such as an exact count
    while the user types; the connection's own limits come back after."""
    deadline = time.monotonic() + seconds
    born = _generation[0]
    conn.set_progress_handler(lambda: 1 if _generation[0] != born or time.monotonic() > deadline else 0, PROGRESS_STEPS)
    try:
        return fn()
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc) or _generation[0] != born:
            raise
        return None
    finally:
        guard_reads(conn)


def busy_timeout() -> float:
    """Seconds to wait for another connection's lock before giving up.

    `KBTUI_BUSY_TIMEOUT` (seconds) overrides BUSY_TIMEOUT_MS: tests use it
    to see a locked database fail in a fraction of a second, and a slow
    network disk can be given longer. A value that is not a finite,
    non-negative number is ignored.
    """
    raw = os.environ.get("KBTUI_BUSY_TIMEOUT", "")
    if not raw:
        return BUSY_TIMEOUT_MS / 1000
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    # SQLite takes milliseconds as a C int: beyond ~24 days it would wrap
    # (1e10 s became a 0.08 s wait), so a day is the ceiling
    if not 0 <= value <= 86_400:
        raise UnusableDatabase(
            f"KBTUI_BUSY_TIMEOUT={raw[:40]!r} is not a wait in seconds", "use a number from 0 to 86400, e.g. 5"
        )
    return value


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
        info = path.stat()
    except OSError as exc:
        raise UnusableDatabase(f"{path}: cannot be read ({exc.strerror})", "check its permissions") from exc
    if not stat.S_ISREG(info.st_mode):
        # a FIFO or a device: reading its header could block forever
        raise UnusableDatabase(f"{path}: is not a regular file, not a kbtui database", "pass the .db file")
    # the header is not read here: closing any descriptor of a file drops
    # every POSIX lock this process holds on it, so a reader thread that
    # opened and closed the KB under an import's commit once let another
    # process roll that commit back (SQLite's "how to corrupt", 2.2).
    # SQLite reads the header itself; validate() names what it refuses.
    if info.st_size == 0:
        raise UnusableDatabase(
            f"{path}: is an empty file, not a kbtui database",
            "create a KB with `kbtui init PATH` or `kbtui import BUNDLE --db PATH`",
        )


def _not_sqlite(path: Path) -> bool:
    """Whether the file lacks SQLite's magic header. Only asked once SQLite
    has refused the file, so no connection of ours holds a lock on it."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) != SQLITE_MAGIC
    except OSError:
        return False


def _uri(path: Path, mode: str) -> str:
    # the file name's own bytes, percent-encoded: a name that is not valid
    # UTF-8 (surrogate-escaped by Python) still opens the right file
    return f"file:{quote(os.fsencode(path.resolve()))}?mode={mode}"


def connect_readonly(path: Path | str, *, snapshot: bool = False, timeout: float | None = None) -> sqlite3.Connection:
    """A connection that cannot write: `mode=ro` at open and `query_only`.

    With `snapshot`, a read transaction is opened before anything is read,
    so every query on the connection sees the same committed state even if
    an import commits meanwhile. Keep such a connection briefly (one
    command, one worker call): in SQLite's rollback-journal mode an open
    reader makes a writer's commit wait (up to the busy timeout).

    The one time a reader writes: when an import was killed mid-write (power
    cut, kill -9) and left a hot journal, SQLite must roll it back before
    anyone can read, and a `mode=ro` connection cannot. That rollback is
    SQLite's own crash recovery: it restores the last committed state.

    Every query runs under `timeout` seconds (default: read_timeout()) and
    stops at once after interrupt_readers().
    """
    path = Path(path)
    _precheck(path)
    try:
        return _open_readonly(path, snapshot, timeout)
    except _HotJournal:
        _roll_back_interrupted_write(path)
        return _open_readonly(path, snapshot, timeout)


class _HotJournal(Exception):
    pass


def _open_readonly(path: Path, snapshot: bool, timeout: float | None = None) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=busy_timeout())
        conn.execute("PRAGMA query_only = 1")
        guard_reads(conn, timeout)
        if snapshot:
            conn.execute("BEGIN")
    except sqlite3.Error as exc:
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})", "is it a kbtui database?") from exc
    conn.row_factory = sqlite3.Row
    try:
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) == SQLITE_READONLY_ROLLBACK:
                raise _HotJournal from exc
            # anything else: validate() meets it again and says what it means
        validate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


SQLITE_NOTADB = 26
SQLITE_READONLY_ROLLBACK = 776  # sqlite3.h: SQLITE_READONLY | (3 << 8)


def _roll_back_interrupted_write(path: Path) -> None:
    """Let SQLite roll back the hot journal an interrupted write left: the
    first read on a writable connection does it."""
    try:
        conn = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=busy_timeout())
        try:
            conn.execute("PRAGMA user_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UnusableDatabase(
            f"{path}: an interrupted write left {path.name}-journal, which must be rolled back"
            f" before the file can be read, and it cannot be ({exc})",
            "make the file and its folder writable and try again: the last committed state comes back",
        ) from exc


@contextmanager
def reading(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A read-only snapshot connection, closed (and its lock released) on exit."""
    conn = connect_readonly(path, snapshot=True)
    try:
        yield conn
    finally:
        conn.close()


IN_CHUNK = 500  # values bound to one IN (...) list, far below SQLite's limit of variables


def rows_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` for all of `values`, where `sql` says `IN ({marks})`
    for them: IN_CHUNK values per statement, however many there are."""
    for i in range(0, len(values), IN_CHUNK):
        part = values[i : i + IN_CHUNK]
        yield from conn.execute(sql.replace("{marks}", ",".join("?" * len(part))), part)


def temp_beside(path: Path, tag: str = "tmp") -> Path:
    """A fresh hidden name in `path`'s folder (same file system, so it can be
    linked into place)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.{tag}")


def discard(tmp: Path) -> None:
    """Remove a temporary database and its rollback journal, if any."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + "-journal").unlink(missing_ok=True)


def publish(tmp: Path, path: Path) -> None:
    """Give the finished database `tmp` the name `path`, atomically and
    without ever replacing a file: FileExistsError if `path` exists."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # a file system without hard links: the no-clobber check and the
        # rename are then two steps, but the file still appears whole
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(tmp, path)


def _create(path: Path) -> None:
    """Make a new, empty KB at `path` atomically: the schema is written to a
    temporary file beside it, which is then linked into place. No other
    process ever sees a half-made file, and one that appears at `path`
    meanwhile is left alone (FileExistsError)."""
    tmp = temp_beside(path)
    try:
        conn = sqlite3.connect(_uri(tmp, "rwc"), uri=True, isolation_level=None)
        try:
            apply_schema(conn)
        finally:
            conn.close()
        publish(tmp, path)
    finally:
        discard(tmp)


def connect_writable(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """A connection for import and init. With `create`, a missing file is
    made and given the schema; an existing file must already be a KB."""
    path = Path(path)
    if create and not path.exists():
        try:
            _create(path)
        except FileExistsError:
            pass  # made by another process meanwhile: open theirs, below
        except sqlite3.Error as exc:
            raise UnusableDatabase(
                f"{path}: cannot be created ({exc})", "check that the folder exists and is writable"
            ) from exc
        except OSError as exc:
            raise UnusableDatabase(
                f"{path}: cannot be created ({exc.strerror})", "check that the folder exists and is writable"
            ) from exc
    _precheck(path)
    try:
        conn = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=busy_timeout(), isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "unable to open" in str(exc):
            raise UnusableDatabase(
                f"{path}: cannot be opened for writing ({exc})", "check the file and folder permissions"
            ) from exc
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(f"{path}: cannot be opened ({exc})") from exc
    try:
        validate(conn, path)
    except BaseException:
        conn.close()
        raise
    conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE}")
    return conn


def apply_schema(conn: sqlite3.Connection) -> None:
    """Create every table, index and view from schema.sql in one transaction."""
    sql = schema_path().read_text(encoding="utf-8")
    # 16 KiB pages (SQLite's default is 4): a stored FtM record or article
    # row fits a page more often and the B-trees are shallower; importing
    # 100,000 FtM records took 34 s instead of 37 (32 and 64 KiB: no better).
    # Only an empty database takes it, so a KB keeps the size it was made with.
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.executescript("BEGIN;\n" + sql + f"\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")


def validate(conn: sqlite3.Connection, path: Path) -> None:
    """Prove the file is a readable kbtui KB of a version we understand."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise UnusableDatabase(
                f"{path}: is locked by another program", "wait for it to finish and try again"
            ) from exc
        raise UnusableDatabase(f"{path}: cannot be read ({exc})", "the file may be corrupted") from exc
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_NOTADB and _not_sqlite(path):
            raise UnusableDatabase(f"{path}: is not a SQLite database", "point --db at a kbtui .db file") from exc
        raise UnusableDatabase(
            f"{path}: is corrupted ({exc})", "restore it from a backup or rebuild it with `kbtui import`"
        ) from exc
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
    refuse_foreign(conn, path, version)


def refuse_foreign(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse a file whose schema is not kbtui's own for its version (a view
    in place of a table, a table without its constraints, a trigger): such
    a file can make reads loop forever or hold terminal escapes in columns
    kbtui trusts to be closed sets. See kbtui.kb.trust."""
    from kbtui.kb import trust  # the first open per process builds the reference schema

    try:
        problem = trust.foreign_object(conn, version)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_NOTADB and _not_sqlite(path):
            raise UnusableDatabase(f"{path}: is not a SQLite database", "point --db at a kbtui .db file") from exc
        raise UnusableDatabase(
            f"{path}: is corrupted ({exc})", "restore it from a backup or rebuild it with `kbtui import`"
        ) from exc
    if problem:
        raise UnusableDatabase(
            f"{path}: is not a kbtui KB as kbtui makes it: {problem}",
            "do not open files of unknown origin; rebuild it from its bundle with `kbtui import`",
        )
