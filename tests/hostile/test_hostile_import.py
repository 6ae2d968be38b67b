"""Import: a bundle that fails anywhere changes nothing (the database is
byte-for-byte as before, nothing is left beside it) and the error names the
file, line and field. Re-importing is idempotent. A source that is not
valid UTF-8 is refused with the byte offset."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import index
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import import_bundle
from tests.conftest import MINI_KB, MINI_SOURCES, MINI_TEXT, write_bundle
from tests.kbdata import kb_data

from .conftest import cli, fingerprint, run_kbtui


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def good_kb(tmp_path: Path) -> Path:
    path = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "good"), path)
    return path


def _refused(tmp_path: Path, target: Path, **bundle) -> str:
    """Import a broken bundle over `target`; prove nothing changed (or, for a
    new path, that nothing appeared); return the message."""
    bad = write_bundle(tmp_path / "bad", **bundle)
    folder_before = sorted(p.name for p in target.parent.iterdir())
    before = fingerprint(target) if target.exists() else None
    with pytest.raises(ImportFailed) as err:
        import_bundle(bad, target)
    if before is None:
        assert not target.exists()
    else:
        assert fingerprint(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == folder_before, "files left behind"
    return str(err.value)


def _where(message: str, file: str, line: int, field: str | None) -> None:
    assert re.search(rf"{re.escape(file)}:{line}: ", message), message
    if field:
        assert f"`{field}`" in message, message


TABLE = "table"  # the message points at the [[table]] header that holds the problem

KB_FAILURES = {
    # name: (kb.toml text, needle on the line named, TABLE or "", field in backticks or None, words)
    "bad TOML": (MINI_KB + '\n[[entity]\nid = "x"\n', "[[entity]\n", "", None, "bad TOML"),
    "unknown field": (
        MINI_KB.replace('name = "Moscow"', 'name = "Moscow"\nnmae = "typo"'),
        'nmae = "typo"',
        "",
        "nmae",
        "unknown field",
    ),
    "dangling organisation": (
        MINI_KB.replace('organisation = "cplac"', 'organisation = "nowhere"'),
        'organisation = "nowhere"',
        "",
        "organisation",
        "not a known entity id",
    ),
    "dangling holder": (
        MINI_KB.replace('holder = "chen-wenqing"', 'holder = "nobody"'),
        'holder = "nobody"',
        "",
        "holder",
        "not a known entity id",
    ),
    "dangling place": (
        MINI_KB.replace('place = "moscow"', 'place = "atlantis"'),
        'place = "atlantis"',
        "",
        "place",
        "not a known entity id",
    ),
    "dangling participant": (
        MINI_KB.replace('{ entity = "chen-wenqing"', '{ entity = "ghost"'),
        '{ entity = "ghost"',
        "",
        "entity",
        "not a known entity id",
    ),
    "missing quote": (
        MINI_KB.replace("The two men met in Moscow.", "The two men met in Kyiv."),
        "met in Kyiv",
        "",
        None,
        "quote not found",
    ),
    "ambiguous quote": (
        MINI_KB.replace('quote = "The two men met in Moscow."', 'quote = "Chen"'),
        'quote = "Chen"',
        "",
        None,
        "occurs 3 times",
    ),
    "empty quote": (
        MINI_KB.replace('quote = "The two men met in Moscow."', 'quote = "  "'),
        'quote = "  "',
        "",
        None,
        "the quote is empty",
    ),
    "unknown citation source": (
        MINI_KB.replace('source = "mini", quote = "The two', 'source = "elsewhere", quote = "The two'),
        '"elsewhere"',
        "",
        None,
        "not a known source id",
    ),
    "wrong type in a citation": (
        MINI_KB.replace('quote = "The two men met in Moscow." }', 'quote = "The two men met in Moscow.", prefix = 5 }'),
        "prefix = 5",
        "",
        "prefix",
        "must be a string",
    ),
    "duplicate entity id": (
        MINI_KB + '\n[[entity]]\nid = "moscow"\nkind = "place"\nname = "Moscow 2"\n',
        'name = "Moscow 2"',
        TABLE,
        None,
        "duplicate entity id `moscow`",
    ),
    "duplicate claim id": (
        MINI_KB.replace('id = "chen-head-cplac"', 'id = "patrushev-secretary"'),
        'title = "Head"',
        TABLE,
        None,
        "duplicate claim id `patrushev-secretary`",
    ),
    "uncited claim": (
        MINI_KB + '\n[[relation]]\nid = "r1"\ntype = "met"\nsubject = "chen-wenqing"\nobject = "nikolai-patrushev"\n',
        'id = "r1"',
        TABLE,
        "cite",
        "needs at least one citation",
    ),
    "over-long id": (
        MINI_KB.replace('id = "moscow"', 'id = "' + "m" * 201 + '"').replace(
            'place = "moscow"', 'place = "' + "m" * 201 + '"'
        ),
        'id = "mmmm',
        TABLE,
        None,
        "at most 200 characters",
    ),
    "wrong type": (
        MINI_KB.replace('status = "current"', "status = 1", 1),
        "status = 1",
        "",
        "status",
        "must be a string",
    ),
    "alias kind not a string": (
        MINI_KB.replace('aliases = ["Chen"]', 'aliases = [{ name = "Chen", kind = [1] }]'),
        "kind = [1]",
        "",
        None,
        "alias kind",
    ),
    "not an array of tables": ("relation = 5\n" + MINI_KB, "relation = 5", "", None, "[[relation]] tables"),
    "empty title": (MINI_KB.replace('title = "Head"', 'title = ""'), 'title = ""', "", "title", "must not be empty"),
    "empty name": (MINI_KB.replace('name = "Moscow"', 'name = ""'), 'name = ""', "", "name", "must not be empty"),
    "bad closed value": (
        MINI_KB.replace('status = "current"', 'status = "maybe"', 1),
        'status = "maybe"',
        "",
        "status",
        "is not one of",
    ),
    "bad date": (
        MINI_KB.replace('status = "current"', 'status = "current"\nstart = "last May"', 1),
        'start = "last May"',
        "",
        "start",
        "ISO date",
    ),
    "NUL in a name": (MINI_KB.replace('name = "Moscow"', 'name = "Mos\\u0000cow"'), "Mos\\u0000cow", "", "name", "NUL"),
}


def _expected_line(kb: str, needle: str, at: str) -> int:
    lines = kb.splitlines()
    if needle.endswith("\n"):  # the whole line
        line = lines.index(needle[:-1]) + 1
    else:
        line = next(n for n, text in enumerate(lines, 1) if needle in text)
    if at == TABLE:
        line = max(n for n in range(1, line + 1) if lines[n - 1].startswith("[["))
    return line


@pytest.mark.parametrize("case", list(KB_FAILURES))
def test_kb_toml_failure_changes_nothing_and_names_file_line_field(tmp_path, good_kb, case):
    kb, needle, at, field, words = KB_FAILURES[case]
    msg = _refused(tmp_path, good_kb, kb=kb)
    assert words in msg, msg
    _where(msg, "kb.toml", _expected_line(kb, needle, at), field)


@pytest.mark.parametrize("case", list(KB_FAILURES)[:8])
def test_the_same_failures_into_a_new_path_leave_no_file(tmp_path, case):
    kb, _, _, _, words = KB_FAILURES[case]
    msg = _refused(tmp_path, tmp_path / "new.db", kb=kb)
    assert words in msg


SOURCE_FAILURES = {
    "outside the bundle": (
        MINI_SOURCES.replace('file = "sources/mini.txt"', 'file = "../../../../etc/hostname"'),
        "file",
        "outside the bundle",
    ),
    "absolute path": (
        MINI_SOURCES.replace('file = "sources/mini.txt"', 'file = "/etc/passwd"'),
        "file",
        "outside the bundle",
    ),
    "missing file": (MINI_SOURCES.replace('file = "sources/mini.txt"', 'file = "sources/gone.txt"'), None, "not found"),
    "NUL in the path": (
        MINI_SOURCES.replace('file = "sources/mini.txt"', 'file = "sources/mini.txt\\u0000.x"'),
        "file",
        "NUL",
    ),
    "bad date": (MINI_SOURCES.replace('published = "2024-05-03"', 'published = "May 2024"'), "published", "ISO date"),
    "unknown field": (MINI_SOURCES + 'colour = "red"\n', "colour", "unknown field"),
    "bad TOML": (MINI_SOURCES + "[[source\n", None, "bad TOML"),
    "duplicate source id": (
        MINI_SOURCES + MINI_SOURCES.replace('title = "Spy chiefs meet"', 'title = "Again"'),
        None,
        "duplicate source id",
    ),
    "empty title": (MINI_SOURCES.replace('title = "Spy chiefs meet"', 'title = ""'), "title", "must not be empty"),
}


@pytest.mark.parametrize("case", list(SOURCE_FAILURES))
def test_sources_toml_failure_changes_nothing(tmp_path, good_kb, case):
    sources, field, words = SOURCE_FAILURES[case]
    msg = _refused(tmp_path, good_kb, sources=sources)
    assert words in msg, msg
    assert re.search(r"sources\.toml:\d+: ", msg), msg
    if field:
        assert f"`{field}`" in msg, msg


def test_a_symlink_out_of_the_bundle_is_refused(tmp_path, good_kb):
    secret = tmp_path / "secret.txt"
    secret.write_text(
        "Nikolai Patrushev is secretary of Russia's national security council. "
        "Chen Wenqing leads China's Central Political and Legal Affairs Commission. "
        "The two men met in Moscow.",
        encoding="utf-8",
    )
    bad = write_bundle(tmp_path / "bad")
    (bad / "sources" / "mini.txt").unlink()
    (bad / "sources" / "mini.txt").symlink_to(secret)
    before = fingerprint(good_kb)
    with pytest.raises(ImportFailed, match="outside the bundle"):
        import_bundle(bad, good_kb)
    assert fingerprint(good_kb) == before


@pytest.mark.parametrize(
    "data, offset",
    [
        (MINI_TEXT.encode() + b"\xff rest", len(MINI_TEXT.encode())),
        (b"Chen \xc0\xaf overlong", 5),
        (b"Chen \xed\xa0\x80 surrogate", 5),
        (b"caf\xc3", 3),  # cut in the middle of a character
        (b"\xe2\x80\x9cquote\xe2\x80", 8),  # a curly quote cut short at the end
        ("Москва".encode() + b"\x80", 12),
    ],
)
def test_non_utf8_source_refused_with_byte_offset(tmp_path, good_kb, data, offset):
    msg = _refused(tmp_path, good_kb, text=data)
    assert f"not valid UTF-8 at byte offset {offset}" in msg, msg
    assert "sources.toml:" in msg and "mini.txt" in msg


def test_nul_byte_in_source_refused_with_byte_offset(tmp_path, good_kb):
    msg = _refused(tmp_path, good_kb, text=MINI_TEXT.replace("Chen left.", "Chen\x00left."))
    assert f"NUL byte at byte offset {MINI_TEXT.encode().index(b'Chen left.') + 4}" in msg


def test_non_utf8_kb_toml_refused_with_byte_offset(tmp_path, good_kb):
    before = fingerprint(good_kb)
    bad = write_bundle(tmp_path / "bad")
    (bad / "kb.toml").write_bytes(MINI_KB.encode() + b"\n# caf\xe9\n")
    with pytest.raises(ImportFailed, match=rf"kb\.toml: not valid UTF-8 at byte {len(MINI_KB.encode()) + 6}"):
        import_bundle(bad, good_kb)
    assert fingerprint(good_kb) == before


@pytest.mark.parametrize("remove", ["kb.toml", "sources.toml", "sources", "."])
def test_missing_parts_of_a_bundle(tmp_path, good_kb, remove):
    import shutil

    bad = write_bundle(tmp_path / "bad")
    target = bad / remove
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    before = fingerprint(good_kb)
    with pytest.raises(ImportFailed):
        import_bundle(bad, good_kb)
    assert fingerprint(good_kb) == before


def test_changing_a_source_under_other_claims_is_refused(tmp_path, good_kb):
    """Bundle 2 reuses source id `mini` with a different text and cites
    none of bundle 1's claims: bundle 1's spans would silently point at the
    wrong words, so nothing is written."""
    kb = (
        '[[entity]]\nid = "someone"\nkind = "person"\nname = "Someone"\n\n'
        '[[role]]\nid = "someone-role"\nholder = "someone"\ntitle = "Clerk"\n'
        'cite = [{ source = "mini", quote = "Someone is a clerk." }]\n'
    )
    msg = _refused(tmp_path, good_kb, kb=kb, text="Preface added.\n" + MINI_TEXT + "Someone is a clerk.\n")
    assert "changes the text of a source that other claims cite" in msg
    assert "patrushev-secretary" in msg


def test_a_failure_while_writing_rolls_back(tmp_path, good_kb, monkeypatch):
    """Past validation, SQLite itself fails half-way through the write (disk
    full, I/O error): one transaction, so nothing of it remains."""
    before = fingerprint(good_kb)
    changed = write_bundle(tmp_path / "changed", kb=MINI_KB.replace('name = "Moscow"', 'name = "Moskva"'))

    def boom(conn):
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    # the last step of the write: mentions (re-read where the name changed)
    monkeypatch.setattr(index, "rebuild_mentions", boom)
    monkeypatch.setattr(index, "mark_mentions", boom)
    monkeypatch.setattr(index, "refresh_entity_mentions", lambda conn, *args: boom(conn))
    with pytest.raises(ImportFailed, match="nothing was written"):
        import_bundle(changed, good_kb)
    assert fingerprint(good_kb) == before


def test_an_interrupt_while_writing_rolls_back(tmp_path, good_kb, monkeypatch):
    before = fingerprint(good_kb)
    changed = write_bundle(tmp_path / "changed", kb=MINI_KB.replace('name = "Moscow"', 'name = "Moskva"'))

    def interrupt(conn):
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "rebuild_mentions", interrupt)
    monkeypatch.setattr(index, "mark_mentions", interrupt)
    monkeypatch.setattr(index, "refresh_entity_mentions", lambda conn, *args: interrupt(conn))
    with pytest.raises(KeyboardInterrupt):
        import_bundle(changed, good_kb)
    assert fingerprint(good_kb) == before
    new = tmp_path / "new.db"
    with pytest.raises(KeyboardInterrupt):
        import_bundle(changed, new)
    assert not new.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".new.db")]


def test_cli_failed_import_exit_1_no_traceback(tmp_path, good_kb):
    before = fingerprint(good_kb)
    bad = write_bundle(tmp_path / "bad", kb=MINI_KB.replace('organisation = "cplac"', 'organisation = "x"'))
    r = cli("import", str(bad), "--db", str(good_kb))
    assert r.exit_code == 1 and "kb.toml:" in r.stderr and "nothing was written" in r.stderr
    r = run_kbtui("import", str(bad), "--db", str(good_kb))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "kb.toml:" in r.stderr
    assert fingerprint(good_kb) == before


def test_reimport_is_idempotent(tmp_path, good_kb):
    first = kb_data(good_kb)
    for _ in range(3):
        assert cli("import", str(tmp_path / "good"), "--db", str(good_kb)).exit_code == 0
        assert kb_data(good_kb) == first
    assert cli("--db", str(good_kb), "check").exit_code == 0


def test_a_second_bundle_adds_and_the_first_survives_reimport(tmp_path, good_kb):
    other = tmp_path / "other"
    (other / "sources").mkdir(parents=True)
    (other / "sources" / "o.txt").write_text("Wang Yi met Sergei Lavrov in Beijing.\n", encoding="utf-8")
    (other / "sources.toml").write_text(
        '[[source]]\nid = "other"\nfile = "sources/o.txt"\ntitle = "Other"\nas_of_note = "undated test text"\n',
        encoding="utf-8",
    )
    (other / "kb.toml").write_text(
        '[[entity]]\nid = "wang-yi"\nkind = "person"\nname = "Wang Yi"\n\n'
        '[[entity]]\nid = "sergei-lavrov"\nkind = "person"\nname = "Sergei Lavrov"\n\n'
        '[[relation]]\nid = "wang-met-lavrov"\ntype = "met"\nsubject = "wang-yi"\nobject = "sergei-lavrov"\n'
        'cite = [{ source = "other", quote = "Wang Yi met Sergei Lavrov in Beijing." }]\n',
        encoding="utf-8",
    )
    import_bundle(other, good_kb)
    both = kb_data(good_kb)
    import_bundle(tmp_path / "good", good_kb)
    import_bundle(other, good_kb)
    assert kb_data(good_kb) == both
    assert cli("--db", str(good_kb), "check").exit_code == 0


def test_no_temporary_files_are_left_after_success(tmp_path):
    target = tmp_path / "out" / "kb.db"
    target.parent.mkdir()
    import_bundle(write_bundle(tmp_path / "good"), target)
    assert sorted(os.listdir(target.parent)) == ["kb.db"]


KILLED_MID_WRITE = """
import os, signal, sys
from kbtui.kb import db, index
from kbtui.kb.importer import import_bundle

real = db.connect_writable

def spilling(path, **kw):
    conn = real(path, **kw)
    conn.execute("PRAGMA cache_size = 1")  # every changed page goes to the file at once
    return conn

def killed(conn, *args):
    os.kill(os.getpid(), signal.SIGKILL)  # as a power cut would, mid-transaction

db.connect_writable = spilling
index.rebuild_mentions = killed
index.mark_mentions = killed
index.refresh_entity_mentions = killed
import_bundle(sys.argv[1], sys.argv[2])
"""


def _kill_an_import_midway(tmp_path: Path, target: Path) -> list[str]:
    """Run an import that dies half-way with its changes already in the
    file; return the KB's dump from before."""
    import subprocess
    import sys

    from .conftest import REPO, subprocess_env

    before = _dump(target)
    changed = write_bundle(tmp_path / "changed", kb=MINI_KB.replace('name = "Moscow"', 'name = "Moskva"'))
    original = target.read_bytes()
    r = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, str(changed), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
        cwd=REPO,
    )
    assert r.returncode == -9, r.stderr
    # the test really left a half-written file behind, with its hot journal
    assert target.read_bytes() != original
    assert target.with_name(target.name + "-journal").exists()
    return before


def test_an_import_killed_mid_write_loses_nothing(tmp_path, good_kb):
    """A reader (mode=ro) cannot roll back a hot journal; before the fix
    every read command said `cannot be read (attempt to write a readonly
    database)` and pointed at corruption. Now the first reader lets SQLite
    recover: the last committed state, exactly."""
    before = _kill_an_import_midway(tmp_path, good_kb)
    r = cli("--db", str(good_kb), "show", "moscow", "--json")
    assert r.exit_code == 0, r.stderr
    assert '"Moscow"' in r.stdout
    assert _dump(good_kb) == before
    assert not good_kb.with_name(good_kb.name + "-journal").exists()
    assert cli("--db", str(good_kb), "check").exit_code == 0
    assert cli("import", str(tmp_path / "changed"), "--db", str(good_kb)).exit_code == 0


def test_a_killed_import_on_a_file_a_reader_cannot_write_says_so(tmp_path, good_kb):
    import shutil
    import tempfile

    from .test_broken_databases import run_unprivileged

    _kill_an_import_midway(tmp_path, good_kb)
    folder = Path(tempfile.mkdtemp(prefix="kbtui-ro-crash-"))
    try:
        for name in (good_kb.name, good_kb.name + "-journal"):
            shutil.copy(good_kb.with_name(name), folder / name)
            (folder / name).chmod(0o444)
        folder.chmod(0o555)
        target = folder / good_kb.name
        before = fingerprint(target)
        r = run_unprivileged("--db", str(target), "sources")
        assert r.returncode == 2 and "interrupted write" in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert fingerprint(target) == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
