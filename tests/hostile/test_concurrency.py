"""Concurrency: a reader while an import writes never crashes and sees one
consistent snapshot; two importers at once: one waits or fails cleanly,
and the database stays valid (`kbtui check`).

Two versions of one bundle share every id but differ in a role's title and
its quote, so any answer that pairs A's title with B's quote is a torn read.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kbtui.kb import check, db, index, queries
from kbtui.kb.errors import UnusableDatabase
from kbtui.kb.importer import import_bundle
from tests.conftest import MINI_KB, write_bundle

from .conftest import REPO, cli, fingerprint, subprocess_env

QUOTE_A = "Nikolai Patrushev is secretary of Russia's national security council"
QUOTE_B = "Nikolai Patrushev is secretary"
KB_B = MINI_KB.replace('title = "Secretary"', 'title = "Secretary B"').replace(QUOTE_A, QUOTE_B)
PAIRS = {"Secretary": QUOTE_A.replace("'", "’"), "Secretary B": QUOTE_B}


@pytest.fixture
def bundles(tmp_path: Path) -> tuple[Path, Path]:
    return write_bundle(tmp_path / "a"), write_bundle(tmp_path / "b", kb=KB_B)


@pytest.fixture
def kb(tmp_path: Path, bundles) -> Path:
    path = tmp_path / "kb.db"
    import_bundle(bundles[0], path)
    return path


def _consistent(show: dict) -> str:
    """The version a `show nikolai-patrushev` answer comes from; fails on a torn one."""
    role = next(r for r in show["roles"] if r["id"] == "patrushev-secretary")
    quotes = [c["quote"] for c in role["citations"]]
    assert quotes == [PAIRS[role["title"]]], f"torn read: title {role['title']!r} with {quotes}"
    return role["title"]


def _valid(path: Path) -> None:
    conn = db.connect_readonly(path)
    try:
        findings, _ = check.run(conn)
    finally:
        conn.close()
    assert findings == []


def test_a_cli_read_is_one_snapshot_even_if_an_import_commits_midway(kb, bundles, monkeypatch):
    """Deterministic: the import of version B is started in the middle of
    `kbtui show` (between reading the roles and their citations). The read
    holds its snapshot, so the import waits for it and the answer is all A;
    once the read is done, the import lands."""
    real = queries.citations_for
    importer: list[threading.Thread] = []
    errors: list[BaseException] = []

    def import_b() -> None:
        try:
            import_bundle(bundles[1], kb)
        except BaseException as exc:
            errors.append(exc)

    def citations_for(conn, claim_ids):
        # between reading the role (its title) and its citations (the quote)
        if "patrushev-secretary" in claim_ids and not importer:
            importer.append(threading.Thread(target=import_b))
            importer[0].start()
            importer[0].join(timeout=1.0)  # long enough to commit, if nothing held it back
        return real(conn, claim_ids)

    monkeypatch.setattr(queries, "citations_for", citations_for)
    r = cli("--db", str(kb), "show", "nikolai-patrushev", "--json", env={"KBTUI_BUSY_TIMEOUT": "10"})
    assert r.exit_code == 0, r.stderr
    assert _consistent(json.loads(r.stdout)) == "Secretary"
    importer[0].join(timeout=15)
    assert not importer[0].is_alive() and not errors, errors
    monkeypatch.setattr(queries, "citations_for", real)
    assert _consistent(json.loads(cli("--db", str(kb), "show", "nikolai-patrushev", "--json").stdout)) == "Secretary B"
    _valid(kb)


def test_tui_data_layer_reads_one_snapshot(kb, bundles, monkeypatch):
    """The same race through the TUI's data layer (kbtui.tui.data.entity):
    each worker call must see one snapshot too."""
    from kbtui.tui import data as tuidata

    real = queries.citations_for
    importer: list[threading.Thread] = []

    def citations_for(conn, claim_ids):
        if "patrushev-secretary" in claim_ids and not importer:
            importer.append(threading.Thread(target=import_bundle, args=(bundles[1], kb)))
            importer[0].start()
            importer[0].join(timeout=1.0)
        return real(conn, claim_ids)

    monkeypatch.setattr(queries, "citations_for", citations_for)
    monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "10")
    try:
        _consistent(tuidata.entity(kb, "nikolai-patrushev"))
    finally:
        importer[0].join(timeout=15)
    _valid(kb)


def test_opening_a_reader_keeps_this_process_write_lock(kb):
    """POSIX drops every lock a process holds on a file when any of its
    descriptors of that file is closed. Opening a KB once read its header
    with Python's open() and close(): a reader thread doing so under an
    import's commit let another process take the lock and roll the commit
    back (CI saw "disk I/O error"). Deterministic: this process holds the
    write lock; every way of opening the KB leaves it held."""
    writer = sqlite3.connect(kb, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE entities SET name = name WHERE id = 'nikolai-patrushev'")
    other = [
        sys.executable,
        "-c",
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE')",
        str(kb),
    ]
    try:
        db.connect_readonly(kb).close()
        with db.reading(kb):
            pass
        db.connect_readonly(kb, snapshot=True).close()
        r = subprocess.run(other, capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "locked" in r.stderr, "another process took this one's write lock"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    # and once it is let go, the other process does get it (the probe works)
    assert subprocess.run(other, capture_output=True, timeout=60).returncode == 0


@pytest.mark.slow
def test_readers_during_an_import_loop_never_crash_or_tear(kb, bundles, monkeypatch):
    """An importer alternates versions A and B for a while; reader threads
    (the CLI's way of reading) and real `kbtui show` processes run all the
    time. Every answer is A or B, whole; the KB checks clean at the end."""
    monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "10")
    stop = threading.Event()
    failures: list[str] = []
    imports = [0]
    seen: dict[str, int] = {}

    def importer() -> None:
        n = 0
        while not stop.is_set():
            try:
                import_bundle(bundles[n % 2], kb)
                imports[0] += 1
            except BaseException as exc:
                failures.append(f"import: {exc!r}")
                return
            n += 1

    def reader() -> None:
        while not stop.is_set():
            try:
                with db.reading(kb) as conn:
                    version = _consistent(queries.show(conn, "nikolai-patrushev"))
                    counts = conn.execute(
                        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM citations)"
                    ).fetchone()
                    assert tuple(counts) == (5, 5), tuple(counts)
                seen[version] = seen.get(version, 0) + 1
            except BaseException as exc:
                failures.append(f"read: {exc!r}")
                return

    threads = [threading.Thread(target=importer)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    procs = []
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not failures:
            procs.append(
                subprocess.run(
                    [sys.executable, "-m", "kbtui", "--db", str(kb), "show", "nikolai-patrushev", "--json"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    cwd=REPO,
                    env=subprocess_env(KBTUI_BUSY_TIMEOUT="10"),
                )
            )
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not failures, failures[:3]
    assert imports[0] >= 4, "the importer hardly ran: the test proved nothing"
    assert sum(seen.values()) >= 10
    for p in procs:
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
        _consistent(json.loads(p.stdout))
    _valid(kb)
    assert cli("--db", str(kb), "check").exit_code == 0


def test_two_importers_at_once_into_one_kb(kb, bundles):
    """Both start together: one takes the write lock, the other waits for
    it (busy timeout) and then writes; the KB ends valid, as one of them."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(bundle: Path) -> None:
        barrier.wait()
        try:
            import_bundle(bundle, kb)
        except BaseException as exc:
            errors.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=run, args=(b,)) for b in bundles]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        _valid(kb)
        with db.reading(kb) as conn:
            _consistent(queries.show(conn, "nikolai-patrushev"))


def test_a_second_importer_fails_cleanly_when_the_first_holds_on(kb, bundles, monkeypatch):
    """Deterministic: the first importer is held inside its transaction;
    the second, with a short busy timeout, gives up with one clear message
    and changes nothing; the first then commits."""
    inside, release = threading.Event(), threading.Event()
    real = index.refresh_entity_mentions

    def held(conn, *args):  # the import's last step: marking where its names occur
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(30)
        return real(conn, *args)

    monkeypatch.setattr(index, "refresh_entity_mentions", held)
    before = fingerprint(kb)
    first = threading.Thread(target=import_bundle, args=(bundles[1], kb), name="first")
    first.start()
    try:
        assert inside.wait(30)
        monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "0.2")
        with pytest.raises(UnusableDatabase, match="locked"):
            import_bundle(bundles[0], kb)
        r = cli("import", str(bundles[0]), "--db", str(kb))
        assert r.exit_code == 2 and "locked" in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        # readers still read the last committed state meanwhile
        r = cli("--db", str(kb), "show", "nikolai-patrushev", "--json")
        assert r.exit_code == 0 and _consistent(json.loads(r.stdout)) == "Secretary"
    finally:
        release.set()
        first.join(timeout=30)
    assert fingerprint(kb) != before
    with db.reading(kb) as conn:
        assert _consistent(queries.show(conn, "nikolai-patrushev")) == "Secretary B"
    _valid(kb)


def test_two_importers_creating_the_same_new_kb(tmp_path, bundles):
    """Both see no file and create it. Before the fix the second found the
    first's half-made file ("empty file") and, failing, deleted it: both
    imports failed and the KB vanished. Now a new KB appears only complete,
    and the second importer adds to it."""
    for n in range(8):
        target = tmp_path / f"new{n}.db"
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(
            bundle: Path,
            target: Path = target,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            barrier.wait()
            try:
                import_bundle(bundle, target)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(b,)) for b in bundles]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        _valid(target)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_two_importer_processes_at_once(kb, bundles):
    env = subprocess_env(KBTUI_BUSY_TIMEOUT="20")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kbtui", "import", str(b), "--db", str(kb)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for b in (*bundles, *bundles)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in err, err
    r = cli("--db", str(kb), "check", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True


def test_init_racing_init(tmp_path):
    target = tmp_path / "kb.db"
    barrier = threading.Barrier(4)
    results: list[str] = []

    def run() -> None:
        barrier.wait()
        r = subprocess.run(
            [sys.executable, "-m", "kbtui", "init", str(target)],
            capture_output=True,
            text=True,
            timeout=60,
            env=subprocess_env(),
            cwd=REPO,
        )
        results.append(f"{r.returncode}:{'already exists' in r.stderr}:{'Traceback' in r.stderr}")

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["0:False:False"] + ["2:True:False"] * 3
    _valid(target)
    assert sorted(os.listdir(tmp_path)) == ["kb.db"]


def test_a_lock_arriving_mid_command_is_reported_as_a_lock(kb, monkeypatch):
    """The KB opens fine; another program takes an exclusive lock before
    the query runs. That is a lock (exit 2, named file), not a SQL error
    or a damaged file."""
    from kbtui.kb import sqlsafe

    holder = sqlite3.connect(kb, isolation_level=None, check_same_thread=False)
    real = sqlsafe._run

    def lock_then_run(conn, *args):
        holder.execute("BEGIN EXCLUSIVE")
        return real(conn, *args)

    monkeypatch.setattr(sqlsafe, "_run", lock_then_run)
    try:
        r = cli("--db", str(kb), "sql", "SELECT count(*) FROM entities", env={"KBTUI_BUSY_TIMEOUT": "0.1"})
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 2, r.stderr
    assert "locked" in r.stderr and str(kb) in r.stderr and "damaged" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
