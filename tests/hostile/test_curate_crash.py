"""Curation writes under crashes and contention: a curation command changes
a bundle's files and the KB together or not at all (kbtui.kb.transact).

 - A real `kbtui add` (or `new`) process is killed with SIGKILL at each
   step of Write.commit: files staged; some or all renamed into place; KB
   committed, pending folder not yet removed. The next command that touches
   the bundle (another curation, a refused one, an import) settles it:
   afterwards the bundle and the KB both have the change or neither has it,
   `kbtui check` is clean, nothing is left in .kbtui/pending or beside the
   files, and an import of the bundle into the KB as it was before the
   bundle existed gives the curated KB's rows exactly.
 - A write that fails in-process mid-rename (a full disk, Ctrl-C) puts the
   files back at once.
 - Two curators of one bundle: the second waits for the first, or, with a
   short KBTUI_BUSY_TIMEOUT, gives up with one clear line and writes
   nothing. A reader holding the KB at the curator's COMMIT makes it give
   up too, with the files put back.
 - A reader during a loop of add/rm sees a claim with its citation or not
   at all.
 - A refused command leaves every byte of bundle and KB as it was.

The kill is deterministic: the command runs under CRASHER (python -c), which
wraps transact's own functions and SIGKILLs the process at the point named
by the CRASH_AT environment variable.
"""

from __future__ import annotations

import errno
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbtui.kb import curate, db, queries, transact
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import import_bundle
from tests.kbdata import rows

from .conftest import REPO, cli, fingerprint, run_kbtui, subprocess_env

ARTICLE = (
    "Moscow, Tuesday.\n\n"
    "Chen Wenqing, Xi’s security chief, met Nikolai Patrushev in Moscow on Monday.\n\n"
    "Chen leads the party’s central political and legal affairs commission.\n\n"
    "Patrushev was born in Leningrad in 1951.\n"
)
MET = "met Nikolai Patrushev in Moscow on Monday"
RELATION = "chen-wenqing-met-nikolai-patrushev"
RELATION_FIELDS = ("--type", "met", "--subject", "chen-wenqing", "--object", "nikolai-patrushev")
ADD_RELATION = ("add", "relation", *RELATION_FIELDS, "--source", "article", "--quote", MET)
SECOND = "Patrushev was born in Leningrad in 1951.\n"

# Runs `kbtui` with transact's steps wrapped: CRASH_AT=STEP:N kills the
# process with SIGKILL at the Nth time it reaches STEP:
#   place     before a staged file is renamed into place (N-1 already were)
#   replace   inside that rename: the copy beside the file is written, not
#             yet renamed over it
#   commit    every file in place, the KB's COMMIT not yet run
#   committed the KB committed, the pending folder not yet removed
CRASHER = """
import os, signal, sqlite3
from kbtui.kb import transact

step, nth = os.environ["CRASH_AT"].split(":")
seen = {}

def reached(name):
    seen[name] = seen.get(name, 0) + 1
    if name == step and seen[name] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)

real_place, real_fsync, real_connect = transact._place, transact.fsync, sqlite3.connect

def place(bundle, rel, staged):
    reached("place")
    real_place(bundle, rel, staged)

def fsync(path):
    real_fsync(path)
    if path.name.endswith(".tmp"):  # _place's copy, synced just before os.replace
        reached("replace")

class Connection(sqlite3.Connection):
    def execute(self, sql, *args):
        if sql == "COMMIT" and self.in_transaction:
            reached("commit")
        cursor = super().execute(sql, *args)
        if sql == "COMMIT":
            reached("committed")
        return cursor

def connect(*args, **kwargs):
    kwargs.setdefault("factory", Connection)
    return real_connect(*args, **kwargs)

transact._place, transact.fsync, sqlite3.connect = place, fsync, connect
from kbtui.cli import main
main()
"""


@dataclass
class Curated:
    kb: Path  # the KB being curated
    bundle: Path  # the bundle `notes`, with the source `article`
    original: Path  # the KB before the bundle was made


@pytest.fixture
def curated(tmp_path: Path, mini_kb_bytes: bytes) -> Curated:
    original = tmp_path / "original.db"
    original.write_bytes(mini_kb_bytes)
    kb = tmp_path / "kb.db"
    kb.write_bytes(mini_kb_bytes)
    bundle = tmp_path / "notes"
    text = tmp_path / "article.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    assert cli("--db", str(kb), "new", str(bundle)).exit_code == 0
    r = cli("--db", str(kb), "add", "source", str(text), "--bundle", str(bundle), "--id", "article")
    assert r.exit_code == 0, r.stderr
    return Curated(kb, bundle, original)


# -- helpers ---------------------------------------------------------------------
def crash(c: Curated, at: str, *args: str) -> None:
    """Run `kbtui --db KB ARGS --bundle BUNDLE`, killed at `at`."""
    r = subprocess.run(
        [sys.executable, "-c", CRASHER, "--db", str(c.kb), *args, "--bundle", str(c.bundle)],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(CRASH_AT=at),
        cwd=REPO,
    )
    # anything else means the kill point was never reached: the test would prove nothing
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr)


def kbtui(c: Curated, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_kbtui("--db", str(c.kb), *args, **env)


def files(bundle: Path) -> dict[str, bytes]:
    """Every file of the bundle, its state folder (lock, pending) included."""
    return {str(p.relative_to(bundle)): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def content(bundle: Path | dict[str, bytes]) -> dict[str, bytes]:
    """The bundle's own files (or those of a files() answer): not its state folder."""
    found = files(bundle) if isinstance(bundle, Path) else bundle
    return {k: v for k, v in found.items() if not k.startswith(transact.STATE + "/")}


def pending(bundle: Path) -> list[str]:
    folder = bundle / transact.STATE / "pending"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def strays(bundle: Path) -> list[str]:
    """Files a write put beside the bundle's own (its half-renamed copies)."""
    return [
        str(p.relative_to(bundle))
        for p in bundle.rglob("*")
        if transact.STATE not in p.relative_to(bundle).parts and p.name.endswith(".tmp")
    ]


def tables(bundle: Path, table: str, name: str = "kb.toml") -> list[str]:
    """Ids of `table` in the bundle's file (which must parse)."""
    return [t["id"] for t in tomllib.loads((bundle / name).read_text(encoding="utf-8")).get(table, [])]


def bundle_log(bundle: Path) -> list[tuple[str, str]]:
    path = bundle / "log.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [(e["target"], e["write_id"]) for e in map(json.loads, lines)]


def kb_log(kb: Path) -> list[tuple[str, str]]:
    return [
        (str(t), str(w)) for t, w in rows(kb, "SELECT target, write_id FROM log WHERE input_id = 'notes' ORDER BY id")
    ]


def everything(kb: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row a bundle's import makes, but those that say when and by
    which process: input timestamps, and row ids (citations and the log
    number theirs in the order written)."""
    conn = sqlite3.connect(kb)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")
            if not r[0].startswith(("names_fts", "names_words", "sources_fts")) and r[0] != "inputs"
        ]
        out = {}
        for name in names:
            found = conn.execute(f"SELECT * FROM {name}").fetchall()
            if name in ("citations", "log"):
                found = [r[1:] for r in found]
            out[name] = sorted(found, key=repr)
    finally:
        conn.close()
    return out


def assert_settled(c: Curated) -> None:
    """What every command that follows a crash must leave: no half-done
    write, a KB that checks clean, and bundle and KB telling one story."""
    assert pending(c.bundle) == []
    assert strays(c.bundle) == []
    r = cli("--db", str(c.kb), "check")
    assert r.exit_code == 0, r.output
    # the bundle's log and the KB's are the same writes
    assert bundle_log(c.bundle) == kb_log(c.kb)
    # the KB a rebuild from the bundle makes is the curated one
    fresh = c.kb.with_name("fresh.db")
    shutil.copy(c.original, fresh)
    import_bundle(c.bundle, fresh)
    assert everything(fresh) == everything(c.kb)


def has_relation(c: Curated) -> tuple[bool, bool, bool]:
    """(in kb.toml, in the KB with its citation, its last log row in the KB an add)."""
    in_bundle = RELATION in tables(c.bundle, "relation")
    cited = rows(c.kb, "SELECT quote FROM citations WHERE claim_id = ?", RELATION)
    claimed = rows(c.kb, "SELECT 1 FROM claims WHERE id = ?", RELATION)
    assert bool(cited) == bool(claimed), "a claim without its citation"
    last = rows(c.kb, "SELECT action FROM log WHERE target = ? ORDER BY id DESC LIMIT 1", f"relation {RELATION}")
    return in_bundle, cited == [(MET,)], last == [("add",)]


# what the next command does first: settle the crash
FOLLOW_UPS = {
    # another curation: it settles the crash, then writes its own change
    "add": (
        ("add", "entity", "--kind", "place", "--name", "Leningrad", "--bundle", "{bundle}"),
        0,
    ),
    # a refused curation settles the crash all the same, and changes nothing else
    "refused": (
        (*ADD_RELATION[:-1], "met Nikolai Patrushev in Moscow on Sunday", "--bundle", "{bundle}", "--id", "x"),
        1,
    ),
    # an import of the bundle into the KB it was curated in
    "import": (("import", "{bundle}"), 0),
}


def follow_up(c: Curated, how: str) -> None:
    args, code = FOLLOW_UPS[how]
    r = kbtui(c, *(a.format(bundle=c.bundle) for a in args))
    assert r.returncode == code and "Traceback" not in r.stderr, r.stderr


# -- kill -9 mid-write ----------------------------------------------------------------
# step of Write.commit -> whether the write happened (the KB committed it)
CLAIM_KILLS = {"place:1": False, "place:2": False, "replace:1": False, "commit:1": False, "committed:1": True}
# each kill settled by each kind of follow-up where the step matters most
# (nothing renamed, all renamed, committed), once elsewhere: the suite's time
CASES = [
    *((at, how) for at in ("place:1", "commit:1", "committed:1") for how in sorted(FOLLOW_UPS)),
    ("place:2", "refused"),
    ("replace:1", "add"),
]


@pytest.mark.parametrize(("at", "how"), CASES)
def test_a_claim_killed_mid_write_is_in_both_or_neither(curated, at, how):
    """`kbtui add relation` (two files: kb.toml, log.jsonl) killed at `at`,
    then settled by the follow-up `how`."""
    c = curated
    before = files(c.bundle)
    crash(c, at, *ADD_RELATION)
    # the kill came where it was meant to: a write half done
    assert len(pending(c.bundle)) == 1
    in_kb = CLAIM_KILLS[at]
    assert has_relation(c)[1:] == (in_kb, in_kb)
    if at == "place:1":  # nothing renamed yet
        assert content(c.bundle) == content(before)
    if at == "replace:1":  # the copy of kb.toml written beside it, not renamed
        assert strays(c.bundle) == [".kb.toml.tmp"]
    if at in ("commit:1", "committed:1"):  # every file in place
        assert RELATION in tables(c.bundle, "relation")
    # a reader meanwhile sees the KB's last commit (SQLite rolls a hot journal back)
    r = kbtui(c, "show", "chen-wenqing", "--json")
    assert r.returncode == 0, r.stderr
    shown = {x["id"]: [q["quote"] for q in x["citations"]] for x in json.loads(r.stdout)["relations"]}
    assert shown.get(RELATION) == ([MET] if in_kb else None)

    follow_up(c, how)
    assert has_relation(c) == (in_kb, in_kb, in_kb)
    assert_settled(c)
    if how == "add":
        assert "leningrad" in tables(c.bundle, "entity")
    # and the bundle takes the next write as usual
    r = cli("--db", str(c.kb), *ADD_RELATION, "--bundle", str(c.bundle), "--id", "again")
    assert r.exit_code == 0, r.stderr
    assert_settled(c)


# add source writes three files: its text (new), sources.toml and log.jsonl
SOURCE_KILLS = {"place:2": False, "replace:1": False, "replace:2": False, "commit:1": False, "committed:1": True}


@pytest.mark.parametrize("at", sorted(SOURCE_KILLS))
def test_a_source_killed_mid_write_is_in_both_or_neither(curated, tmp_path, at):
    """`kbtui add source`: a new file (its text) among those changed, which
    an undone write must delete again."""
    c = curated
    second = tmp_path / "second.txt"
    second.write_text(SECOND, encoding="utf-8")
    before = files(c.bundle)
    crash(c, at, "add", "source", str(second), "--id", "second")
    assert len(pending(c.bundle)) == 1
    assert bool(rows(c.kb, "SELECT 1 FROM sources WHERE id = 'second'")) == SOURCE_KILLS[at]

    follow_up(c, "add")
    written = SOURCE_KILLS[at]
    assert ("second" in tables(c.bundle, "source", "sources.toml")) == written
    assert (c.bundle / "sources" / "second.txt").exists() == written
    assert bool(rows(c.kb, "SELECT 1 FROM sources WHERE id = 'second'")) == written
    assert_settled(c)
    if not written:
        # the bundle is as it was, but for the follow-up's entity
        after, was = content(c.bundle), content(before)
        assert sorted(after) == sorted(was)
        assert after["sources.toml"] == was["sources.toml"]
        assert after["sources/article.txt"] == was["sources/article.txt"]
    # a source killed before its write lands can be added again
    r = kbtui(c, "add", "source", str(second), "--id", "second", "--bundle", str(c.bundle))
    assert r.returncode == (1 if written else 0), r.stderr
    r = kbtui(
        c,
        "add",
        "relation",
        *RELATION_FIELDS,
        "--source",
        "second",
        "--quote",
        "born in Leningrad",
        "--bundle",
        str(c.bundle),
        "--id",
        "cites-second",
    )
    assert r.returncode == 0, r.stderr
    assert_settled(c)


@pytest.mark.parametrize(
    "at",
    [
        "place:1",
        # killed after its renames, before COMMIT: the write is undone, and
        # `new` again (not refused as "not empty") makes the bundle
        "commit:1",
        "committed:1",
    ],
)
def test_a_new_bundle_killed_mid_write_can_be_made_or_used(tmp_path, mini_kb_bytes, at):
    """`kbtui new` killed: if its write was undone, running it again makes
    the bundle; if it happened, the bundle is there to use."""
    kb = tmp_path / "kb.db"
    kb.write_bytes(mini_kb_bytes)
    c = Curated(kb, tmp_path / "notes", tmp_path / "original.db")
    shutil.copy(kb, c.original)
    r = subprocess.run(
        [sys.executable, "-c", CRASHER, "--db", str(kb), "new", str(c.bundle)],
        capture_output=True,
        timeout=60,
        env=subprocess_env(CRASH_AT=at),
        cwd=REPO,
    )
    assert r.returncode == -signal.SIGKILL
    r = kbtui(c, "new", str(c.bundle))
    if at == "committed:1":
        assert r.returncode == 1 and "already exists" in r.stderr, r.stderr
        r = kbtui(c, "add", "entity", "--bundle", str(c.bundle), "--kind", "place", "--name", "Leningrad")
    assert r.returncode == 0, r.stderr
    assert rows(kb, "SELECT kind FROM inputs WHERE id = 'notes'") == [("bundle",)]
    assert kb_log(kb)[0][0] == "bundle notes"
    assert_settled(c)


def test_a_crash_settled_by_an_import_into_another_kb(curated):
    """The pending write names the KB it went to: importing the bundle
    elsewhere asks that KB whether the write happened, not the new one."""
    c = curated
    crash(c, "committed:1", *ADD_RELATION)
    other = c.kb.with_name("other.db")
    shutil.copy(c.original, other)
    r = run_kbtui("--db", str(other), "import", str(c.bundle))
    assert r.returncode == 0, r.stderr
    assert pending(c.bundle) == []
    assert RELATION in tables(c.bundle, "relation")
    assert rows(other, "SELECT quote FROM citations WHERE claim_id = ?", RELATION) == [(MET,)]
    assert_settled(c)


def test_a_file_edited_after_a_crash_is_never_overwritten(curated):
    """Killed after its renames, before COMMIT: the write is to be undone.
    Meanwhile the curator edits kb.toml by hand. The next command must not
    put the old kb.toml back over that edit: it stops and says what to do."""
    c = curated
    crash(c, "commit:1", *ADD_RELATION)
    kb_toml = c.bundle / "kb.toml"
    edited = kb_toml.read_text(encoding="utf-8") + "\n# a note added by hand after the crash\n"
    kb_toml.write_text(edited, encoding="utf-8")
    r = kbtui(c, "add", "entity", "--bundle", str(c.bundle), "--kind", "person", "--name", "After Crash")
    assert r.returncode == 1 and "changed since a curation write was interrupted" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert kb_toml.read_text(encoding="utf-8") == edited
    assert pending(c.bundle) != []  # kept for the human to compare


@pytest.mark.parametrize("fails_at", [1, 2])
@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_write_that_fails_mid_rename_puts_the_files_back_at_once(curated, monkeypatch, error, fails_at):
    """A disk that fills, or a Ctrl-C, while the files are renamed into
    place (the first, or the second after the first went in): the command
    fails and the KB is rolled back, so the bundle must be as it was at
    once, not only after some later command settles it."""
    c = curated
    before, kb_before = files(c.bundle), fingerprint(c.kb)
    real = transact._place
    calls = [0]

    def place(bundle, rel, staged):
        calls[0] += 1
        if calls[0] == fails_at:
            raise error
        real(bundle, rel, staged)

    monkeypatch.setattr(transact, "_place", place)
    r = cli("--db", str(c.kb), *ADD_RELATION, "--bundle", str(c.bundle))
    assert r.exit_code != 0
    assert calls[0] >= fails_at
    assert has_relation(c) == (False, False, False)
    assert files(c.bundle) == before
    assert fingerprint(c.kb) == kb_before
    monkeypatch.setattr(transact, "_place", real)
    assert_settled(c)


# -- two curators at once ------------------------------------------------------------
def _entity(c: Curated, name: str) -> None:
    curate.add_entity(c.bundle, c.kb, "person", name)


def test_a_second_curator_waits_for_the_first(curated, monkeypatch):
    """Deterministic: the first curator is held mid-write (its files staged,
    its KB transaction open). The second, started then, waits for the
    bundle's lock, and writes once the first is done."""
    c = curated
    monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "10")
    inside, release = threading.Event(), threading.Event()
    real = transact._place
    errors: list[BaseException] = []

    def held(bundle, rel, staged):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(30)
        real(bundle, rel, staged)

    def run(name: str) -> None:
        try:
            _entity(c, name)
        except BaseException as exc:
            errors.append(exc)

    monkeypatch.setattr(transact, "_place", held)
    first = threading.Thread(target=run, args=("Jane Doe",), name="first")
    second = threading.Thread(target=run, args=("John Roe",), name="second")
    first.start()
    try:
        assert inside.wait(30)
        second.start()
        time.sleep(0.5)
        assert second.is_alive(), "the second curator did not wait for the first"
        assert "john-roe" not in tables(c.bundle, "entity")
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert not errors, errors
    assert tables(c.bundle, "entity") == ["jane-doe", "john-roe"]
    assert [t for t, _ in kb_log(c.kb)][-2:] == ["entity jane-doe", "entity john-roe"]
    assert_settled(c)


def test_a_curator_gives_up_on_a_locked_bundle_with_one_line(curated, monkeypatch):
    """The same hold; the second curator is a real process with a short
    busy timeout: it fails with one line saying the bundle is locked, and
    writes nothing."""
    c = curated
    inside, release = threading.Event(), threading.Event()
    real = transact._place

    def held(bundle, rel, staged):
        inside.set()
        release.wait(30)
        real(bundle, rel, staged)

    monkeypatch.setattr(transact, "_place", held)
    first = threading.Thread(target=_entity, args=(c, "Jane Doe"))
    first.start()
    try:
        assert inside.wait(30)
        r = kbtui(
            c,
            "add",
            "entity",
            "--bundle",
            str(c.bundle),
            "--kind",
            "person",
            "--name",
            "John Roe",
            KBTUI_BUSY_TIMEOUT="0.2",
        )
    finally:
        release.set()
        first.join(30)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"kbtui: {c.bundle}: is locked by another curation command; nothing was written;"
        " wait for it to finish and retry"
    ]
    assert tables(c.bundle, "entity") == ["jane-doe"]
    assert rows(c.kb, "SELECT id FROM entities WHERE id IN ('jane-doe', 'john-roe')") == [("jane-doe",)]
    assert_settled(c)


def test_curator_processes_at_once(curated):
    """Four real processes add an entity each to one bundle: all wait their
    turn and succeed; every table is in kb.toml once."""
    c = curated
    names = ["Anna Alpha", "Boris Beta", "Clara Gamma", "Dmitri Delta"]
    command = [sys.executable, "-m", "kbtui", "--db", str(c.kb), "add", "entity", "--bundle", str(c.bundle)]
    procs = [
        subprocess.Popen(
            [*command, "--kind", "person", "--name", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(KBTUI_BUSY_TIMEOUT="20"),
            cwd=REPO,
        )
        for name in names
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0 and "Traceback" not in err, err
    assert sorted(tables(c.bundle, "entity")) == ["anna-alpha", "boris-beta", "clara-gamma", "dmitri-delta"]
    assert len(kb_log(c.kb)) == 2 + 4
    assert_settled(c)


def test_a_curator_whose_commit_a_reader_holds_off_puts_the_files_back(curated):
    """A reader holds the KB (rollback-journal mode: a COMMIT waits for
    readers) past the curator's busy timeout. The files were already in
    place: the failed COMMIT must take them back out."""
    c = curated
    before, kb_before = files(c.bundle), fingerprint(c.kb)
    reader = db.connect_readonly(c.kb, snapshot=True)
    try:
        reader.execute("SELECT count(*) FROM claims").fetchone()
        r = kbtui(c, *ADD_RELATION, "--bundle", str(c.bundle), KBTUI_BUSY_TIMEOUT="0.3")
    finally:
        reader.close()
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "locked" in r.stderr and "nothing was written" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert files(c.bundle) == before
    assert fingerprint(c.kb) == kb_before
    # once the reader is gone the same command goes through
    r = kbtui(c, *ADD_RELATION, "--bundle", str(c.bundle))
    assert r.returncode == 0, r.stderr
    assert has_relation(c) == (True, True, True)
    assert_settled(c)


def test_two_removals_of_one_claim_at_once(curated, monkeypatch):
    """Deterministic: the first `rm` is held mid-write; a second `rm` of the
    same claim (a real process) finds the claim still in the KB, then waits
    for the bundle. It must fail cleanly once the first is done, writing
    nothing."""
    c = curated
    r = kbtui(c, *ADD_RELATION, "--bundle", str(c.bundle))
    assert r.returncode == 0, r.stderr
    inside, release = threading.Event(), threading.Event()
    real = transact._place

    def held(bundle, rel, staged):
        inside.set()
        release.wait(30)
        real(bundle, rel, staged)

    monkeypatch.setattr(transact, "_place", held)
    first = threading.Thread(target=curate.remove, args=(c.kb, RELATION, c.bundle))
    first.start()
    try:
        assert inside.wait(30)
        second = subprocess.Popen(
            [sys.executable, "-m", "kbtui", "--db", str(c.kb), "rm", RELATION],
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(KBTUI_BUSY_TIMEOUT="20"),
            cwd=REPO,
        )
        time.sleep(0.5)  # time to look the claim up, and queue for the bundle
    finally:
        release.set()
        first.join(30)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert has_relation(c) == (False, False, False)
    assert [t for t, _ in kb_log(c.kb)][-2:] == [f"relation {RELATION}"] * 2  # its add, one rm
    monkeypatch.setattr(transact, "_place", real)
    assert_settled(c)


# -- readers during curation ----------------------------------------------------------
@pytest.mark.slow
def test_readers_during_a_curation_loop_see_a_claim_with_its_citation_or_not_at_all(curated, monkeypatch):
    """A curator adds and removes a relation over and over; reader threads
    (the CLI's way of reading) and real `kbtui show` processes read all the
    while. A relation is shown with its citation, or not at all."""
    c = curated
    monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "10")
    stop = threading.Event()
    failures: list[str] = []
    writes = [0]
    seen = {True: 0, False: 0}

    def curator() -> None:
        cite = [{"source": "article", "quote": MET}]
        fields = {"type": "met", "subject": "chen-wenqing", "object": "nikolai-patrushev"}
        while not stop.is_set():
            try:
                curate.add_claim(c.bundle, c.kb, "relation", fields, cite, RELATION)
                curate.remove(c.kb, RELATION, c.bundle)
                writes[0] += 2
            except BaseException as exc:
                failures.append(f"curate: {exc!r}")
                return

    def whole(shown: dict) -> bool:
        relations = {x["id"]: [q["quote"] for q in x["citations"]] for x in shown["relations"]}
        assert relations.get(RELATION) in (None, [MET]), relations
        return RELATION in relations

    def reader() -> None:
        while not stop.is_set():
            try:
                with db.reading(c.kb) as conn:
                    present = whole(queries.show(conn, "chen-wenqing"))
                    (claims, cited, logged) = conn.execute(
                        "SELECT (SELECT count(*) FROM claims WHERE id = ?1),"
                        " (SELECT count(*) FROM citations WHERE claim_id = ?1),"
                        " (SELECT action FROM log WHERE target = 'relation ' || ?1 ORDER BY id DESC LIMIT 1)",
                        (RELATION,),
                    ).fetchone()
                    # the claim, its citation and its log row were committed together
                    assert (claims, cited, logged == "add") == (int(present), int(present), present)
                seen[present] += 1
            except BaseException as exc:
                failures.append(f"read: {exc!r}")
                return

    threads = [threading.Thread(target=curator)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    procs = []
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not failures:
            procs.append(kbtui(c, "show", "chen-wenqing", "--json", KBTUI_BUSY_TIMEOUT="10"))
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not failures, failures[:3]
    assert writes[0] >= 4, "the curator hardly ran: the test proved nothing"
    assert seen[True] and seen[False], seen
    for p in procs:
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
        whole(json.loads(p.stdout))
    assert_settled(c)


# -- refusals -------------------------------------------------------------------------
def test_refused_commands_change_no_byte(curated, tmp_path):
    """Each refused, by a real process: no pending folder, bundle and KB
    files byte for byte as they were."""
    c = curated
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    refused = [
        ((*ADD_RELATION[:-1], "met Nikolai Patrushev in Moscow on Sunday"), "quote not found"),
        ((*ADD_RELATION[:-1], "Chen"), "occurs"),
        (
            ("add", "role", "--holder", "chen-wenqin", "--title", "H", "--source", "article", "--quote", "Chen"),
            "did you mean",
        ),
        (("add", "entity", "--kind", "person", "--name", "Chen Wenqing"), "already has a person"),
        (("add", "source", str(empty)), "is empty"),
        (("add", "source", str(tmp_path / "article.txt"), "--id", "article"), "already exists"),
    ]
    before, kb_before = files(c.bundle), fingerprint(c.kb)
    for args, message in refused:
        r = kbtui(c, *args, "--bundle", str(c.bundle))
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
        assert files(c.bundle) == before, args
        assert fingerprint(c.kb) == kb_before, args
    assert pending(c.bundle) == []
    # in-process too: the exception is the refusal, not a crash of the protocol
    with pytest.raises(ImportFailed, match="quote not found"):
        curate.add_claim(
            c.bundle,
            c.kb,
            "relation",
            {"type": "met", "subject": "chen-wenqing", "object": "nikolai-patrushev"},
            [{"source": "article", "quote": "not in the text at all, anywhere"}],
        )
    assert files(c.bundle) == before and fingerprint(c.kb) == kb_before
