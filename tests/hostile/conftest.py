"""Fixtures for the hostile suite: a KB whose every text field carries Rich
markup, ANSI/OSC escapes, other control characters, bidi marks and very
long lines; helpers to run the CLI in-process and as a real subprocess; and
byte-for-byte fingerprints of files that must not change."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtui.cli import main
from kbtui.kb.importer import import_bundle
from tests.conftest import write_bundle

REPO = Path(__file__).resolve().parents[2]

# --- hostile text -------------------------------------------------------------

MARKUP = "[bold red]Agent[/] [link=https://evil.example]Zero[/link] [/]"
ANSI = "\x1b[31mred\x1b[0m\x1b[2J\x1b[H"
OSC = "\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\\x1b]52;c;aGk=\x07"
C1 = "\x9b31m\x9d0;t\x9c"
CONTROLS = "\x07\x08\r\x0b\x0c\x7f"
BIDI = "\u202eevil\u202c\u2066iso\u2069\u200f\u061c\U000e0041"

NAME = f"{MARKUP} {ANSI} {BIDI}"
ORG_NAME = f"Boom {OSC} Org [/]"
ALIASES = ["[link=https://evil.example]Zed[/link]", f"{OSC}Zee", f"{C1}CeeOne", "Agent Zero"]
SUMMARY = f"Summary with [blink]markup[/blink], {ANSI} {CONTROLS} {C1}. " + "S" * 5000
TITLE = f"[bold]Chief[/bold] \x1b[1mOfficer\x1b[0m {BIDI}"
LABEL = f"[red]label[/red]{ANSI}"
EVENT_NAME = f"Meeting \x1b[31m[bold]X[/bold] {OSC}"
CAPACITY = f"[u]host[/u]\x1b[4m{C1}"
DISPUTED = f"[bold]disputed[/bold] {ANSI}"
SOURCE_TITLE = f"Title [bold]T[/bold] {OSC}"
OUTLET = "[link=https://evil.example]Outlet[/link]"
AUTHOR = f"{ANSI}Author"
LONG_LINE = "L" * 30_000

Q_ROLE = f"The [bold red]minister[/] said {ANSI} to the {BIDI} plan today."
Q_RELATION = f"Visit [link=https://evil.example]our site[/link] {OSC} and leave."
Q_EVENT = f"Agent Zero met \x1b[5mBoom\x1b[0m in [i]Paris[/i] {C1}."
HOSTILE_TEXT = (
    "Hostile Times, Monday.\n"
    f"{Q_ROLE}\n"
    f"{Q_RELATION}\n"
    f"Control soup: {CONTROLS} {C1} {BIDI} end.\n"
    f"{LONG_LINE} long tail.\n"
    f"{Q_EVENT}\n"
)

# Everything a terminal could act on, or that could hide or reorder text.
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def toml_str(value: str) -> str:
    """A TOML basic string holding exactly `value` (controls escaped)."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def hostile_bundle(root: Path) -> Path:
    q = toml_str
    sources = (
        f'[[source]]\nid = "hostile"\nfile = "sources/mini.txt"\ntitle = {q(SOURCE_TITLE)}\n'
        f'outlet = {q(OUTLET)}\nauthor = {q(AUTHOR)}\npublished = "2024-05-03"\n'
        f"url = {q('https://evil.example/' + ANSI)}\nnote = {q(BIDI + ' note')}\n"
    )
    aliases = ", ".join(q(a) for a in ALIASES)
    kb = f"""\
[[entity]]
id = "agent-zero"
kind = "person"
name = {q(NAME)}
summary = {q(SUMMARY)}
aliases = [{aliases}]

[[entity]]
id = "boom-org"
kind = "organisation"
name = {q(ORG_NAME)}

[[entity]]
id = "paris"
kind = "place"
name = "[i]Paris[/i]"

[[role]]
id = "zero-chief"
holder = "agent-zero"
organisation = "boom-org"
title = {q(TITLE)}
status = "current"
disputed = {q(DISPUTED)}
cite = [{{ source = "hostile", quote = {q(Q_ROLE)} }}]

[[relation]]
id = "zero-leads-boom"
type = "leads"
subject = "agent-zero"
object = "boom-org"
label = {q(LABEL)}
cite = [{{ source = "hostile", quote = {q(Q_RELATION)} }}]

[[event]]
id = "zero-meeting"
name = {q(EVENT_NAME)}
place = "paris"
cite = [{{ source = "hostile", quote = {q(Q_EVENT)} }}]
participants = [{{ entity = "agent-zero", capacity = {q(CAPACITY)} }}]
"""
    return write_bundle(root, kb=kb, sources=sources, text=HOSTILE_TEXT)


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    path = root / "hostile.db"
    import_bundle(hostile_bundle(root / "bundle"), path)
    return path


@pytest.fixture(scope="session")
def mini_kb_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The mini KB built once; tests that break copies start from these bytes."""
    root = tmp_path_factory.mktemp("mini-once")
    path = root / "mini.db"
    import_bundle(write_bundle(root / "bundle"), path)
    return path.read_bytes()


@pytest.fixture
def mini_copy(tmp_path: Path, mini_kb_bytes: bytes) -> Path:
    path = tmp_path / "mini.db"
    path.write_bytes(mini_kb_bytes)
    return path


@pytest.fixture
def hostile_copy(tmp_path: Path, hostile_db: Path) -> Path:
    path = tmp_path / "hostile.db"
    shutil.copy(hostile_db, path)
    return path


# --- running the CLI ------------------------------------------------------------


def cli(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """In-process, through click's CliRunner. Exceptions are not caught: a
    traceback fails the test."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env, input=input)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBTUI_")}
    env.update({"PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200"}, **extra)
    return env


def run_kbtui(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """A real `python -m kbtui` process: exit code, stderr and no traceback
    are checked at the boundary a user sees."""
    return subprocess.run(
        [sys.executable, "-m", "kbtui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(**env),
        cwd=REPO,
    )


def one_clear_line(stderr: str, path: Path | str) -> None:
    """The promise for an unusable database: one line, naming the file."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kbtui: ") and str(path) in lines[0], stderr


def fingerprint(path: Path) -> tuple[str, ...]:
    """sha256 of the file and of every sibling that shares its name (journal,
    wal, shm, backups), so a test sees anything created or changed."""
    out = []
    for p in sorted(path.parent.glob(path.name + "*")):
        data = p.read_bytes() if p.is_file() else b"<dir>"
        out.append(f"{p.name}:{hashlib.sha256(data).hexdigest()}")
    return tuple(out)


# --- a 10 MB source ------------------------------------------------------------------

BIG_BYTES = 10 * 1024 * 1024
BIG_IMPORT: dict[str, object] = {}


@pytest.fixture(scope="session")
def big_source_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB whose one source is a 10 MB article (paragraphs of ordinary
    prose, one 1 MB line among them) with citations near its start and end."""

    root = tmp_path_factory.mktemp("big-source")
    (root / "sources").mkdir()
    filler = (
        "Officials said that security cooperation between the two countries would deepen "
        "further after the talks, according to people familiar with the matter. "
    )
    paras, size, n = [], 0, 0
    while size < BIG_BYTES:
        if n == 10:
            paras.append("Nikolai Patrushev met Chen Wenqing in Moscow on Monday.")
        elif n == 20:
            paras.append("L" * 1_000_000)
        else:
            paras.append(filler * (1 + n % 5) + f"(paragraph {n})")
        size += len(paras[-1]) + 1
        n += 1
    paras.append("Chen Wenqing leads the Central Political and Legal Affairs Commission.")
    (root / "sources" / "big.txt").write_text("\n".join(paras) + "\n", encoding="utf-8")
    (root / "sources.toml").write_text(
        '[[source]]\nid = "big"\nfile = "sources/big.txt"\ntitle = "Big"\npublished = "2024"\n', encoding="utf-8"
    )
    (root / "kb.toml").write_text(
        textwrap.dedent("""\
        [[entity]]
        id = "nikolai-patrushev"
        kind = "person"
        name = "Nikolai Patrushev"

        [[entity]]
        id = "chen-wenqing"
        kind = "person"
        name = "Chen Wenqing"

        [[entity]]
        id = "cplac"
        kind = "organisation"
        name = "Central Political and Legal Affairs Commission"

        [[role]]
        id = "chen-head"
        holder = "chen-wenqing"
        organisation = "cplac"
        title = "Head"
        cite = [{ source = "big", quote = "Chen Wenqing leads the Central Political and Legal Affairs Commission" }]

        [[relation]]
        id = "met"
        type = "met"
        subject = "nikolai-patrushev"
        object = "chen-wenqing"
        cite = [{ source = "big", quote = "Nikolai Patrushev met Chen Wenqing in Moscow" }]
        """),
        encoding="utf-8",
    )
    path = root / "big.db"
    # imported by a real `kbtui import`, measured: the big-input tests read
    # its peak memory and time from BIG_IMPORT
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbtui", "import", str(root), "--db", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
        cwd=REPO,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    BIG_IMPORT.update(
        seconds=time.monotonic() - started,
        max_rss_mb=usage.ru_maxrss / 1024,
        status=os.waitstatus_to_exitcode(status),
        stderr=proc.stderr.read().decode(),
    )
    proc.stdout.close()
    proc.stderr.close()
    return path
