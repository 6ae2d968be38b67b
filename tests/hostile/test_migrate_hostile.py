"""Older and newer KBs: readers refuse them plainly; `kbtui migrate`
upgrades an older one in one transaction after a backup, and refuses,
byte-for-byte untouched, what it cannot upgrade. Written against
db.SCHEMA_VERSION so it holds whatever the current version is."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from kbtui.kb import db, migrate
from kbtui.kb.check import BASE_TABLES

from .conftest import cli, fingerprint, one_clear_line, run_kbtui

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _older(src: Path, dest: Path, version: int) -> Path:
    """A KB of `version`: the frozen file of that version when there is one
    (tests/fixtures/kb-vN.db), else `src` relabelled."""
    frozen = FIXTURES / f"kb-v{version}.db"
    if frozen.exists():
        src = frozen
    if src != dest:
        shutil.copy(src, dest)
    conn = sqlite3.connect(dest)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return dest


def _base_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in BASE_TABLES if t in have}
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def _one_step_back() -> int:
    """The version below the current one that has a migration step. With a
    real step (SCHEMA_VERSION - 1 in STEPS) that is the one tested."""
    previous = db.SCHEMA_VERSION - 1
    assert previous in migrate.STEPS, (
        f"no migration from schema version {previous}: a KB made by the previous kbtui "
        f"cannot be upgraded; add migrate.STEPS[{previous}]"
    )
    return previous


def test_readers_point_an_older_kb_at_migrate(tmp_path, sample_db):
    path = _older(sample_db, tmp_path / "old.db", _one_step_back())
    before = fingerprint(path)
    r = cli("--db", str(path), "search", "patrushev")
    assert r.exit_code == 2
    one_clear_line(r.stderr, path)
    assert f"kbtui migrate {path}" in r.stderr
    assert fingerprint(path) == before


def test_migrate_upgrades_after_a_backup_and_keeps_every_row(tmp_path, sample_db):
    old = _one_step_back()
    path = _older(sample_db, tmp_path / "old.db", old)
    rows = _base_rows(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 0, r.stderr
    backup = path.with_name(f"{path.name}.v{old}.bak")
    assert str(backup) in r.stderr
    # the backup is the KB as it was: same version, same rows
    assert _version(backup) == old and _base_rows(backup) == rows
    # the upgrade: current version, every base row kept, and it checks clean
    assert _version(path) == db.SCHEMA_VERSION
    after = _base_rows(path)
    for table, old_rows in rows.items():  # new columns come last: old values lead each row
        width = len(old_rows[0]) if old_rows else 0
        assert [row[:width] for row in after[table]] == old_rows, table
    r = cli("--db", str(path), "check", "--json")
    assert r.exit_code == 0, r.stdout
    assert cli("--db", str(path), "search", "patrushv", "--json").exit_code == 0
    # a second run has nothing to do and changes nothing
    before = fingerprint(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 0 and "nothing to do" in r.stderr
    assert fingerprint(path) == before


def test_a_second_migration_does_not_overwrite_the_first_backup(tmp_path, sample_db):
    old = _one_step_back()
    path = _older(sample_db, tmp_path / "old.db", old)
    assert cli("migrate", str(path)).exit_code == 0
    first = path.with_name(f"{path.name}.v{old}.bak")
    first_bytes = first.read_bytes()
    _older(path, path, old)  # pretend it is old again
    assert cli("migrate", str(path)).exit_code == 0
    assert first.read_bytes() == first_bytes
    assert path.with_name(f"{path.name}.v{old}.2.bak").exists()


def test_a_failing_step_rolls_back_and_leaves_the_file_byte_for_byte(tmp_path, sample_db, monkeypatch):
    old = _one_step_back()
    path = _older(sample_db, tmp_path / "old.db", old)
    original = path.read_bytes()
    real = migrate.STEPS[old]

    def half_done_then_fail(conn: sqlite3.Connection) -> None:
        real(conn)  # the step's own writes happen...
        conn.execute("DELETE FROM citations")
        raise sqlite3.OperationalError("disk I/O error (simulated)")  # ...then it dies

    monkeypatch.setitem(migrate.STEPS, old, half_done_then_fail)
    r = cli("migrate", str(path))
    assert r.exit_code == 2
    one_clear_line(r.stderr, path)
    assert "nothing was changed" in r.stderr
    assert path.read_bytes() == original
    assert not path.with_name(path.name + "-journal").exists()


def test_older_than_any_migration_path_is_refused_untouched(tmp_path, sample_db):
    version = min(migrate.STEPS, default=db.SCHEMA_VERSION) - 1  # below the oldest step
    assert version >= 0 and version not in migrate.STEPS
    path = _older(sample_db, tmp_path / "ancient.db", version)
    before = fingerprint(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 2
    one_clear_line(r.stderr, path)
    assert "no migration from schema version" in r.stderr and "kbtui import" in r.stderr
    assert fingerprint(path) == before  # no backup written either


def test_newer_kb_is_refused_by_migrate_and_readers_untouched(tmp_path, mini_db):
    path = _older(mini_db, tmp_path / "future.db", db.SCHEMA_VERSION + 1)
    before = fingerprint(path)
    r = cli("migrate", str(path))
    assert r.exit_code == 2 and "newer" in r.stderr
    one_clear_line(r.stderr, path)
    r = run_kbtui("--db", str(path), "sources")
    assert r.returncode == 2 and "upgrade kbtui" in r.stderr
    one_clear_line(r.stderr, path)
    assert fingerprint(path) == before


def test_migrate_real_process(tmp_path, sample_db):
    path = _older(sample_db, tmp_path / "old.db", _one_step_back())
    r = run_kbtui("migrate", str(path))
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert _version(path) == db.SCHEMA_VERSION
