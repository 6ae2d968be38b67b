"""Every read is bounded: a time limit on every connection, a switch that
stops all open reads at once (the explorer's quit), SQLite's heap limit,
and settings that cannot turn them off by a typo. Output failures (a full
disk, a name the OS refuses) end in one line too."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from kbtui.kb import db
from kbtui.kb.errors import UnusableDatabase

from .conftest import REPO, cli, subprocess_env

ENDLESS = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r"


def test_a_query_past_the_time_limit_stops(sample_db):
    conn = db.connect_readonly(sample_db, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(Exception, match="interrupted"):
        conn.execute(ENDLESS).fetchone()
    assert time.monotonic() - started < 2


def test_interrupt_readers_stops_open_reads_and_spares_later_ones(sample_db):
    caught: list[BaseException] = []

    def run() -> None:
        conn = db.connect_readonly(sample_db, timeout=600)  # as a worker thread opens its own
        try:
            conn.execute(ENDLESS).fetchone()
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    db.interrupt_readers()
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - started < 1
    assert "interrupted" in str(caught[0])
    later = db.connect_readonly(sample_db)
    assert later.execute("SELECT count(*) FROM entities").fetchone()[0] > 0


def test_the_cli_says_when_the_time_limit_stopped_it(sample_db):
    r = cli("--db", str(sample_db), "roles", "--as-of", "2024", env={"KBTUI_TIMEOUT": "0.0001"})
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "time limit" in r.stderr and "KBTUI_TIMEOUT" in r.stderr


@pytest.mark.parametrize(
    ("var", "value"),
    [("KBTUI_TIMEOUT", "abc"), ("KBTUI_TIMEOUT", "0"), ("KBTUI_TIMEOUT", "nan"), ("KBTUI_BUSY_TIMEOUT", "1e10")],
)
def test_a_limit_setting_that_would_disable_it_is_refused(sample_db, var, value):
    r = cli("--db", str(sample_db), "search", "chen", env={var: value})
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and var in r.stderr


def test_busy_timeout_is_what_it_says():
    assert db.busy_timeout() == db.BUSY_TIMEOUT_MS / 1000 == 5


def test_the_heap_limit_turns_a_runaway_query_into_one_line(sample_db, monkeypatch):
    monkeypatch.setattr(db, "HEAP_LIMIT_BYTES", 64 << 20)
    try:
        r = cli(
            "--db",
            str(sample_db),
            "sql",
            "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 300)"
            " SELECT length(b) FROM (SELECT randomblob(1000000) AS b FROM r ORDER BY b)",
        )
        assert r.exit_code != 0 and "Traceback" not in r.stderr
        assert r.stderr.count("\n") == 1 and "memory" in r.stderr.lower()
    finally:
        monkeypatch.undo()
        db.connect_readonly(sample_db).close()  # the process-wide limit back to normal


def test_output_to_a_full_device_is_one_line(sample_db):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "kbtui", "--db", str(sample_db), "show", "chen-wenqing", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
            cwd=REPO,
            timeout=60,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "No space left" in proc.stderr


def test_an_overlong_path_and_a_newline_in_a_name_are_one_line(tmp_path):
    r = cli("--db", str(tmp_path / ("a" * 300 + ".db")), "show", "x")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "too long" in r.stderr
    r = cli("--db", str(tmp_path / "new\nline.db"), "show", "x")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "new\\nline.db" in r.stderr


def test_kbtui_timeout_is_read_per_open(monkeypatch):
    monkeypatch.setenv("KBTUI_TIMEOUT", "1e9")
    with pytest.raises(UnusableDatabase):
        db.read_timeout()
