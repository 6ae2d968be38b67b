"""Broken or foreign databases: each gives one clear line on stderr naming
the file and what to do, exit 2, no traceback, and the file byte-for-byte
unchanged (nothing created next to it either). The TUI shows the same
message instead of starting."""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbtui.kb import db

from .conftest import cli, fingerprint, one_clear_line, run_kbtui, subprocess_env

READ_COMMANDS = [
    [],  # no command: the TUI, which must refuse before starting
    ["tui"],
    ["search", "chen"],
    ["show", "chen-wenqing"],
    ["roles"],
    ["cite", "1"],
    ["sources"],
    ["source", "mini"],
    ["sql", "SELECT * FROM v_roles"],
    ["check"],
]


def _set_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('my precious data')")
    conn.commit()
    conn.close()


def _empty_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    assert path.read_bytes().startswith(db.SQLITE_MAGIC)


def _garbage_pages(data: bytes) -> bytes:
    out = bytearray(data)
    for page in range(4096, len(out), 4096):
        out[page + 64 : page + 1024] = bytes((page * 7 + i) % 251 for i in range(960))
    return bytes(out)


# name -> (make the file from the good KB's bytes at `path`, words the message must hold)
CASES: dict[str, tuple[Callable[[Path, bytes], None], str]] = {
    "missing": (lambda p, good: None, "no such file"),
    "directory": (lambda p, good: p.mkdir(), "is a directory"),
    "empty file": (lambda p, good: p.write_bytes(b""), "empty file"),
    "text file": (lambda p, good: p.write_text("name,role\nChen,Head\n"), "not a SQLite database"),
    "binary junk": (lambda p, good: p.write_bytes(bytes(range(256)) * 64), "not a SQLite database"),
    "truncated to the header": (lambda p, good: p.write_bytes(good[:100]), "corrupted"),
    "truncated to one page": (lambda p, good: p.write_bytes(good[:4096]), "corrupted"),
    "truncated in half": (lambda p, good: p.write_bytes(good[: len(good) // 2]), "corrupted"),
    "pages overwritten": (lambda p, good: p.write_bytes(_garbage_pages(good)), "corrupted"),
    "foreign SQLite": (lambda p, good: _foreign(p), "not a kbtui knowledge base"),
    "empty SQLite": (lambda p, good: _empty_sqlite(p), "not a kbtui knowledge base"),
    "newer user_version": (
        lambda p, good: (p.write_bytes(good), _set_version(p, db.SCHEMA_VERSION + 7)),
        "newer than this kbtui",
    ),
    "older user_version": (
        lambda p, good: (p.write_bytes(good), _set_version(p, db.SCHEMA_VERSION - 1)),
        "kbtui migrate",
    ),
    "user_version 0": (lambda p, good: (p.write_bytes(good), _set_version(p, 0)), "older than"),
}


@pytest.fixture
def broken(request, tmp_path: Path, mini_kb_bytes: bytes) -> Iterator[tuple[Path, str]]:
    make, expect = CASES[request.param]
    path = tmp_path / "kb.db"
    make(path, mini_kb_bytes)
    yield path, expect


def _check_refusal(result_code: int, stderr: str, path: Path, expect: str, before: tuple) -> None:
    assert result_code == 2, stderr
    one_clear_line(stderr, path)
    assert expect in stderr, stderr
    assert fingerprint(path) == before, "the file (or a sibling) changed"


@pytest.mark.parametrize("broken", list(CASES), indirect=True)
@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c) or "(tui)")
def test_read_commands_refuse_clearly_and_change_nothing(broken, command):
    path, expect = broken
    before = fingerprint(path)
    r = cli("--db", str(path), *command)
    _check_refusal(r.exit_code, r.stderr, path, expect, before)
    assert r.stdout == ""
    if expect == "no such file":
        assert not path.exists(), "a reader created the file"


@pytest.mark.parametrize("broken", [c for c in CASES if c != "missing"], indirect=True)
def test_import_refuses_a_broken_target_and_changes_nothing(broken, mini_bundle):
    path, expect = broken
    before = fingerprint(path)
    r = cli("import", str(mini_bundle), "--db", str(path))
    if expect == "kbtui migrate":
        expect = "older than"
    _check_refusal(r.exit_code, r.stderr, path, expect, before)


@pytest.mark.parametrize("broken", [c for c in CASES if "user_version" not in c], indirect=True)
def test_migrate_refuses_what_is_no_kb_and_changes_nothing(broken):
    path, expect = broken
    before = fingerprint(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 2, r.stderr
    one_clear_line(r.stderr, path)
    assert fingerprint(path) == before
    if expect == "no such file":
        assert not path.exists()


@pytest.mark.parametrize("broken", [c for c in CASES if c != "missing"], indirect=True)
def test_init_never_overwrites(broken):
    path, _ = broken
    before = fingerprint(path)
    r = cli("init", str(path))
    assert r.exit_code == 2 and "already exists" in r.stderr
    one_clear_line(r.stderr, path)
    assert fingerprint(path) == before


@pytest.mark.parametrize(
    "broken",
    [
        "missing",
        "directory",
        "text file",
        "truncated in half",
        "foreign SQLite",
        "newer user_version",
        "older user_version",
    ],
    indirect=True,
)
def test_real_process_exit_2_one_line_no_traceback(broken):
    path, expect = broken
    before = fingerprint(path)
    r = run_kbtui("--db", str(path), "show", "chen-wenqing")
    _check_refusal(r.returncode, r.stderr, path, expect, before)


def test_a_damaged_table_behind_a_good_schema_names_the_file(tmp_path, mini_db):
    """The schema pages read fine, so the KB opens; the citations table is
    damaged, so a query fails half-way. Still one line naming the file,
    exit 2; and `kbtui check` reports the damage as findings."""
    path = tmp_path / "kb.db"
    shutil.copy(mini_db, path)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'citations'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xee" * page_size
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    r = cli("--db", str(path), "cite", "1")
    _check_refusal(r.exit_code, r.stderr, path, "could not be read", before)
    r = cli("--db", str(path), "check", "--json")
    assert r.exit_code == 1, r.stderr
    assert "Traceback" not in r.stderr
    import json

    checks = {p["check"] for p in json.loads(r.stdout)["problems"]}
    assert "integrity" in checks
    assert fingerprint(path) == before


def test_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "kb.db"
    os.mkfifo(fifo)
    r = run_kbtui("--db", str(fifo), "sources", timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stderr
    one_clear_line(r.stderr, fifo)


# --- locked ---------------------------------------------------------------------


class Locked:
    """A KB another program holds an exclusive lock on. The fingerprint is
    taken before locking and compared after release: reading the file in
    this process while locked would drop the lock (closing any descriptor
    of a file releases all of a process's POSIX locks on it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before = fingerprint(path)
        self.holder = sqlite3.connect(path, isolation_level=None)
        self.holder.execute("BEGIN EXCLUSIVE")

        self.released = False

    def release(self) -> None:
        if not self.released:
            self.holder.execute("ROLLBACK")
            self.holder.close()
            self.released = True


@pytest.fixture
def locked(tmp_path, mini_db) -> Iterator[Locked]:
    path = tmp_path / "kb.db"
    shutil.copy(mini_db, path)
    lock = Locked(path)
    yield lock
    lock.release()


@pytest.mark.parametrize(
    "command",
    [["search", "chen"], ["show", "chen-wenqing"], ["sources"], ["sql", "SELECT 1"], ["check"], []],
    ids=lambda c: " ".join(c) or "(tui)",
)
def test_locked_database_read(locked, command):
    r = cli("--db", str(locked.path), *command, env={"KBTUI_BUSY_TIMEOUT": "0.2"})
    locked.release()
    _check_refusal(r.exit_code, r.stderr, locked.path, "locked", locked.before)


def test_locked_database_import(locked, mini_bundle):
    r = cli("import", str(mini_bundle), "--db", str(locked.path), env={"KBTUI_BUSY_TIMEOUT": "0.2"})
    locked.release()
    _check_refusal(r.exit_code, r.stderr, locked.path, "locked", locked.before)


def test_locked_database_migrate(locked):
    r = cli("migrate", str(locked.path), env={"KBTUI_BUSY_TIMEOUT": "0.2"})
    locked.release()
    _check_refusal(r.exit_code, r.stderr, locked.path, "locked", locked.before)


@pytest.mark.parametrize("command", [["roles"], ["import", "BUNDLE"]])
def test_locked_database_real_process(locked, mini_bundle, command):
    args = ["--db", str(locked.path), *[str(mini_bundle) if a == "BUNDLE" else a for a in command]]
    r = run_kbtui(*args, KBTUI_BUSY_TIMEOUT="0.2")
    locked.release()
    _check_refusal(r.returncode, r.stderr, locked.path, "locked", locked.before)


def test_busy_timeout_waits_for_a_short_lock(tmp_path, mini_db):
    """A lock released within the busy timeout is waited for, not reported."""
    import threading

    path = tmp_path / "kb.db"
    shutil.copy(mini_db, path)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    timer = threading.Timer(0.3, lambda: holder.execute("ROLLBACK"))
    timer.start()
    try:
        r = cli("--db", str(path), "sources", "--json", env={"KBTUI_BUSY_TIMEOUT": "5"})
    finally:
        timer.join()
        holder.close()
    assert r.exit_code == 0, r.stderr


def test_reads_go_on_while_a_writer_is_mid_transaction(tmp_path, mini_db):
    """A writer holding only a RESERVED lock (an import in progress) does not
    stop readers, who see the last committed state."""
    path = tmp_path / "kb.db"
    shutil.copy(mini_db, path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE entities SET name = 'Uncommitted' WHERE id = 'chen-wenqing'")
    try:
        r = cli("--db", str(path), "show", "chen-wenqing", "--json", env={"KBTUI_BUSY_TIMEOUT": "0.2"})
        assert r.exit_code == 0, r.stderr
        assert '"Chen Wenqing"' in r.stdout
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# --- read-only files, honestly: a child process without root's overrides ---------

_libc = ctypes.CDLL(None, use_errno=True)
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _drop_overrides() -> None:
    """In the child, before exec: drop the capabilities that let root ignore
    file permissions, so a 0444 file really is read-only to it."""
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kbtui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
        preexec_fn=_drop_overrides,
    )


@pytest.fixture
def readonly_dir(mini_db) -> Iterator[Path]:
    """A 0555 folder holding a 0444 KB."""
    root = Path(tempfile.mkdtemp(prefix="kbtui-ro-"))
    shutil.copy(mini_db, root / "kb.db")
    (root / "kb.db").chmod(0o444)
    root.chmod(0o555)
    yield root
    root.chmod(0o755)
    shutil.rmtree(root)


def test_the_unprivileged_child_really_cannot_write(readonly_dir):
    """Guard for the tests below: if this passes vacuously they prove nothing."""
    r = subprocess.run(
        [sys.executable, "-c", f"open({str(readonly_dir / 'kb.db')!r}, 'r+b')"],
        capture_output=True,
        text=True,
        preexec_fn=_drop_overrides,
    )
    assert r.returncode != 0 and "Permission denied" in r.stderr


def test_read_only_file_reads_and_stays_unchanged(readonly_dir):
    path = readonly_dir / "kb.db"
    before = fingerprint(path)
    for command in (["sources", "--json"], ["show", "chen-wenqing"], ["sql", "SELECT count(*) FROM claims"], ["check"]):
        r = run_unprivileged("--db", str(path), *command)
        assert r.returncode == 0, r.stderr
    assert fingerprint(path) == before
    assert sorted(p.name for p in readonly_dir.iterdir()) == ["kb.db"]


def test_import_into_read_only_file_fails_cleanly(readonly_dir, mini_bundle):
    path = readonly_dir / "kb.db"
    before = fingerprint(path)
    r = run_unprivileged("import", str(mini_bundle), "--db", str(path))
    _check_refusal(r.returncode, r.stderr, path, "read-only", before)


def test_import_into_read_only_folder_creates_nothing(readonly_dir, mini_bundle):
    target = readonly_dir / "new.db"
    r = run_unprivileged("import", str(mini_bundle), "--db", str(target))
    assert r.returncode == 2, r.stderr
    one_clear_line(r.stderr, target)
    assert sorted(p.name for p in readonly_dir.iterdir()) == ["kb.db"]


def test_migrate_read_only_file_fails_cleanly(readonly_dir):
    path = readonly_dir / "kb.db"
    path.chmod(0o644)
    _set_version(path, db.SCHEMA_VERSION - 1)
    path.chmod(0o444)
    before = fingerprint(path)
    r = run_unprivileged("migrate", str(path))
    assert r.returncode == 2, r.stderr
    one_clear_line(r.stderr, path)
    assert fingerprint(path) == before
    assert sorted(p.name for p in readonly_dir.iterdir()) == ["kb.db"]
