"""Seeded mutation fuzz: damaged copies of the sample KB, every read command.

Each mutant is a copy of the sample KB (the `sample_db` session fixture,
never itself touched) with one kind of damage, drawn from
`random.Random(seed)`; the same seed gives the same mutant, so any failure
replays (see "Replaying" below). 320 mutants (seeds 20240000-20240319), by
kind:

    bitflip        48  1-8 flipped bits in 1-3 random pages (the header too)
    zero           40  a block of 16 B to 8 KiB zeroed (page-aligned or not)
    copy           40  a block of the file copied over another one
    truncate-page  24  the file cut at a random page boundary
    truncate-mid   24  the file cut in the middle of a page
    header         40  one field of the 100-byte file header set to a bad value
                       (page size, versions, payload fractions, page count,
                       freelist, schema cookie and format, encoding, ...)
    index          88  one page of an index b-tree (root pages from
                       sqlite_master, other pages from dbstat) damaged: bits
                       flipped or a key byte changed in its cells, cells
                       zeroed, cell pointers shuffled, cell count or page
                       type changed, the page zeroed or replaced by another
                       index's page: the damage that makes rows vanish from
                       lookups while the table itself reads fine
    table          16  the same damage to a table b-tree page

Every mutant runs every read command in-process (click's CliRunner) with
KBTUI_TIMEOUT=5: `search chen --json`, `show chen-wenqing --json`, `show
xi-jinping`, `show russian-invasion-of-ukraine --json` (an event), `roles
--as-of 2024 --json`, `cite 1 --json`, `sources --json`, `conflicts
--json`, `sql "SELECT count(*) FROM v_roles"`, `check --json`. Asserted for
each run:

  - exit code 0, 1 or 2, and no Python exception escaped (a SystemExit is
    how click exits);
  - stderr is empty or one line starting with "kbtui: " (before it, only
    the candidate list a missing or ambiguous name prints, exit 1: a
    damaged entities index sends `show chen-wenqing` to the name search);
  - exit 0 with --json: stdout is JSON;
  - the command finished well within the time limit (a hang is a bug);
  - the file and anything beside it (journal, wal, shm) byte-for-byte
    unchanged;
  - `check` never passes (exit 0) a file SQLite's integrity_check rejects.

Ten mutants (TUI_SEEDS) also start the explorer (`create_app(...)
.run_test()`), type "chen", open the best hit and quit: the app must not
raise (Textual re-raises an unhandled worker exception at exit), must exit
within 60 s, shows no traceback, and the file is unchanged.

The mutants are split into CHUNKS parametrized tests (each takes every
CHUNKS-th mutant, so each chunk holds every kind) for pytest-xdist.

Known failures (bugs in kbtui not yet fixed) are listed in KNOWN_FAILURES
by (seed, command); the chunks skip them and `test_known_failure` runs each
one as a strict xfail, so a fix turns it into a failure until its entry is
removed. The mutants depend on the sample's bytes: a change to the sample
changes them, and the known failures must then be found again.

Replaying: `python -m tests.hostile.test_mutation_fuzz SEED OUT.db` writes
mutant SEED of a freshly built sample to OUT.db and prints its mutation;
then e.g. `kbtui --db OUT.db show chen-wenqing --json`.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtui.cli import main

from .conftest import fingerprint

SEED_BASE = 20_240_000
TIME_LIMIT = "5"  # KBTUI_TIMEOUT for every run, seconds
WATCHDOG_S = 20.0  # a command still running after this is a hang

# kind -> how many mutants of it
COUNTS: dict[str, int] = {
    "bitflip": 48,
    "zero": 40,
    "copy": 40,
    "truncate-page": 24,
    "truncate-mid": 24,
    "header": 40,
    "index": 88,
    "table": 16,
}
MUTANTS = sum(COUNTS.values())
CHUNKS = 16
SCHEDULE: list[str] = [kind for kind, n in COUNTS.items() for _ in range(n)]

COMMANDS: dict[str, list[str]] = {
    "search": ["search", "chen", "--json"],
    "show-person": ["show", "chen-wenqing", "--json"],
    "show-table": ["show", "xi-jinping"],
    "show-event": ["show", "russian-invasion-of-ukraine", "--json"],
    "roles": ["roles", "--as-of", "2024", "--json"],
    "cite": ["cite", "1", "--json"],
    "sources": ["sources", "--json"],
    "conflicts": ["conflicts", "--json"],
    "sql": ["sql", "SELECT count(*) FROM v_roles"],
    "check": ["check", "--json"],
}

# Bugs the fuzz finds and that are not fixed yet, as (seed, command) -> what
# goes wrong; each runs as a strict xfail. Found and fixed so far: a hidden
# event row (queries.event), a hidden role row (claim_summary), a claim id
# not asked for (citations_for).
# (seed, command) -> what goes wrong; each runs as a strict xfail
KNOWN_FAILURES: dict[tuple[int, str], str] = {}


# --- the original's layout -----------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What the mutations aim at, read from the undamaged original."""

    data: bytes
    page_size: int
    page_count: int
    index_pages: dict[str, tuple[int, ...]]  # index name -> its pages, root first
    table_pages: dict[str, tuple[int, ...]]  # table name -> its pages, root first


def read_layout(path: Path) -> Layout:
    data = path.read_bytes()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = conn.execute("SELECT type, name, rootpage FROM sqlite_master WHERE rootpage > 0").fetchall()
        try:
            stat = conn.execute("SELECT name, pageno FROM dbstat ORDER BY name, pageno").fetchall()
        except sqlite3.Error:  # no dbstat in this SQLite: the root pages alone
            stat = []
    finally:
        conn.close()
    pages: dict[str, list[int]] = {name: [root] for _, name, root in roots}
    for name, pageno in stat:
        if name in pages and pageno not in pages[name]:
            pages[name].append(pageno)
    kinds = {name: kind for kind, name, _ in roots}
    return Layout(
        data=data,
        page_size=page_size,
        page_count=len(data) // page_size,
        index_pages={n: tuple(p) for n, p in sorted(pages.items()) if kinds[n] == "index"},
        table_pages={n: tuple(p) for n, p in sorted(pages.items()) if kinds[n] == "table"},
    )


# --- the mutations -------------------------------------------------------------------

BLOCKS = (16, 64, 256, 1024, 4096, 8192)

# the file header's fields: name -> (offset, size)
HEADER_FIELDS: dict[str, tuple[int, int]] = {
    "magic": (0, 16),
    "page size": (16, 2),
    "write version": (18, 1),
    "read version": (19, 1),
    "reserved bytes": (20, 1),
    "max payload fraction": (21, 1),
    "min payload fraction": (22, 1),
    "leaf payload fraction": (23, 1),
    "change counter": (24, 4),
    "page count": (28, 4),
    "freelist trunk": (32, 4),
    "freelist count": (36, 4),
    "schema cookie": (40, 4),
    "schema format": (44, 4),
    "cache size": (48, 4),
    "largest root page": (52, 4),
    "text encoding": (56, 4),
    "user version": (60, 4),
    "incremental vacuum": (64, 4),
    "application id": (68, 4),
    "version-valid-for": (92, 4),
    "sqlite version": (96, 4),
}


def _flip_bits(rng: random.Random, data: bytearray, start: int, end: int, n: int) -> list[str]:
    done = []
    for _ in range(n):
        at, bit = rng.randrange(start, end), rng.randrange(8)
        data[at] ^= 1 << bit
        done.append(f"{at}^{1 << bit:#04x}")
    return done


def m_bitflip(rng: random.Random, data: bytearray, lay: Layout) -> str:
    parts = []
    for page in sorted(rng.sample(range(1, lay.page_count + 1), rng.randint(1, 3))):
        start = (page - 1) * lay.page_size
        flips = _flip_bits(rng, data, start, start + lay.page_size, rng.randint(1, 8))
        parts.append(f"page {page}: {' '.join(flips)}")
    return "; ".join(parts)


def _block(rng: random.Random, lay: Layout) -> tuple[int, int]:
    size = rng.choice(BLOCKS)
    if rng.random() < 0.5:
        at = rng.randrange(1, lay.page_count) * lay.page_size  # page-aligned, past page 1
    else:
        at = rng.randrange(100, len(lay.data) - size)
    return at, min(size, len(lay.data) - at)


def m_zero(rng: random.Random, data: bytearray, lay: Layout) -> str:
    at, size = _block(rng, lay)
    data[at : at + size] = bytes(size)
    return f"{size} bytes zeroed at {at} (page {at // lay.page_size + 1})"


def m_copy(rng: random.Random, data: bytearray, lay: Layout) -> str:
    at, size = _block(rng, lay)
    src = rng.randrange(0, len(lay.data) - size)
    data[at : at + size] = lay.data[src : src + size]
    return f"{size} bytes from {src} copied over {at} (page {src // lay.page_size + 1} -> {at // lay.page_size + 1})"


def m_truncate_page(rng: random.Random, data: bytearray, lay: Layout) -> str:
    keep = rng.randrange(1, lay.page_count) * lay.page_size
    del data[keep:]
    return f"truncated to {keep} bytes ({keep // lay.page_size} of {lay.page_count} pages)"


def m_truncate_mid(rng: random.Random, data: bytearray, lay: Layout) -> str:
    keep = rng.randrange(0, lay.page_count) * lay.page_size + rng.randrange(1, lay.page_size)
    del data[keep:]
    return f"truncated to {keep} bytes (mid page {keep // lay.page_size + 1})"


def m_header(rng: random.Random, data: bytearray, lay: Layout) -> str:
    name = rng.choice(sorted(HEADER_FIELDS))
    at, size = HEADER_FIELDS[name]
    old = int.from_bytes(data[at : at + size], "big")
    top = (1 << (8 * size)) - 1
    how = rng.choice(["zero", "all ones", "plus one", "minus one", "random", "one bit"])
    value = {
        "zero": 0,
        "all ones": top,
        "plus one": (old + 1) & top,
        "minus one": (old - 1) & top,
        "random": rng.randrange(top + 1),
        "one bit": old ^ (1 << rng.randrange(8 * size)),
    }[how]
    data[at : at + size] = value.to_bytes(size, "big")
    return f"header {name} (offset {at}) {old:#x} -> {value:#x} ({how})"


# how a b-tree page is damaged (the cell damages twice as likely: they keep
# the page readable, so rows vanish or change instead of the query failing)
PAGE_DAMAGE = (
    "flip cells",
    "flip cells",
    "key byte",
    "key byte",
    "shuffle pointers",
    "zero cells",
    "cell count",
    "page type",
    "zero page",
    "other page",
)


def _page_header(data: bytearray | bytes, start: int) -> tuple[int, int, int, int]:
    """A b-tree page's type, cell count, cell content start and the offset
    of its cell pointer array (all relative to the page's start)."""
    kind = data[start]
    cells, content = struct.unpack(">HH", data[start + 3 : start + 7])
    return kind, cells, content or 65536, 12 if kind in (0x02, 0x05) else 8


def _damage_btree_page(rng: random.Random, data: bytearray, lay: Layout, name: str, pages: tuple[int, ...]) -> str:
    page = rng.choice(pages)
    start = (page - 1) * lay.page_size
    end = start + lay.page_size
    kind, cells, content, ptrs = _page_header(lay.data, start)
    content = min(max(content, ptrs), lay.page_size - 1)  # an empty page: its last byte
    how = rng.choice(PAGE_DAMAGE)
    where = f"{name} page {page}{' (root)' if page == pages[0] else ''}"
    if how == "flip cells":
        flips = _flip_bits(rng, data, start + content, end, rng.randint(1, 4))
        return f"{where}: bits flipped in cells {' '.join(flips)}"
    if how == "key byte" and cells:
        cell = rng.randrange(cells)
        (off,) = struct.unpack(">H", lay.data[start + ptrs + 2 * cell : start + ptrs + 2 * cell + 2])
        at = start + min(off + rng.randrange(2, 12), lay.page_size - 1)
        old = data[at]
        data[at] = (old + rng.choice([1, -1, 0x20, 0x80])) & 0xFF
        return f"{where}: cell {cell} byte {at} {old:#04x} -> {data[at]:#04x}"
    if how == "shuffle pointers" and cells > 1:
        array = start + ptrs
        pointers = [lay.data[array + 2 * i : array + 2 * i + 2] for i in range(cells)]
        order = list(range(cells))
        while order == sorted(order):
            rng.shuffle(order)
        data[array : array + 2 * cells] = b"".join(pointers[i] for i in order)
        return f"{where}: {cells} cell pointers reordered {order}"
    if how == "zero cells":
        data[start + content : end] = bytes(end - start - content)
        return f"{where}: cell area zeroed from {content}"
    if how == "cell count":
        value = rng.choice([0, 1, max(cells - 1, 0), cells + 1, 0xFFFF])
        data[start + 3 : start + 5] = struct.pack(">H", value)
        return f"{where}: cell count {cells} -> {value}"
    if how == "page type":
        value = rng.choice([t for t in (0x00, 0x02, 0x05, 0x0A, 0x0D, 0xFF) if t != kind])
        data[start] = value
        return f"{where}: page type {kind:#04x} -> {value:#04x}"
    if how == "other page":
        others = [p for n, ps in lay.index_pages.items() if n != name for p in ps]
        other = rng.choice(others)
        data[start:end] = lay.data[(other - 1) * lay.page_size : other * lay.page_size]
        return f"{where}: replaced by page {other}"
    data[start:end] = bytes(lay.page_size)  # "zero page", or a cell damage with no cells to damage
    return f"{where}: zeroed"


def m_index(rng: random.Random, data: bytearray, lay: Layout) -> str:
    name = rng.choice(sorted(lay.index_pages))
    return _damage_btree_page(rng, data, lay, name, lay.index_pages[name])


def m_table(rng: random.Random, data: bytearray, lay: Layout) -> str:
    names = sorted(n for n in lay.table_pages if not n.startswith("sqlite_"))
    name = rng.choice(names)
    return _damage_btree_page(rng, data, lay, name, lay.table_pages[name])


MUTATIONS: dict[str, Callable[[random.Random, bytearray, Layout], str]] = {
    "bitflip": m_bitflip,
    "zero": m_zero,
    "copy": m_copy,
    "truncate-page": m_truncate_page,
    "truncate-mid": m_truncate_mid,
    "header": m_header,
    "index": m_index,
    "table": m_table,
}
assert set(MUTATIONS) == set(COUNTS)


def mutant(seed: int, lay: Layout) -> tuple[bytes, str]:
    """Mutant `seed`: its bytes and what was done, in words."""
    kind = SCHEDULE[seed - SEED_BASE]
    rng = random.Random(seed)
    data = bytearray(lay.data)
    what = MUTATIONS[kind](rng, data, lay)
    return bytes(data), f"{kind}: {what}"


def chunk_seeds(chunk: int) -> list[int]:
    return [SEED_BASE + i for i in range(chunk, MUTANTS, CHUNKS)]


# --- running the commands ------------------------------------------------------------


class Hang(Exception):
    """Raised by the watchdog in a command that ran far past its time limit."""


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Interrupt Python code still running after `seconds` (SQLite itself
    is stopped by KBTUI_TIMEOUT). Only in the main thread, where signals
    are delivered; elsewhere the time check after each run still holds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(path: Path, command: str) -> tuple[Result, float]:
    started = time.monotonic()
    with watchdog(WATCHDOG_S):
        result = CliRunner().invoke(main, ["--db", str(path), *COMMANDS[command]], env={"KBTUI_TIMEOUT": TIME_LIMIT})
    return result, time.monotonic() - started


def _last_frames(result: Result) -> str:
    if result.exc_info is None:
        return repr(result.exception)
    lines = "".join(traceback.format_exception(*result.exc_info)).rstrip().splitlines()
    return "\n      ".join(lines[-7:])


def problems_of(path: Path, command: str, result: Result, seconds: float) -> list[str]:
    """What is wrong with one run, in words (nothing: all is well)."""
    found = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"exception escaped:\n      {_last_frames(result)}")
    if result.exit_code not in (0, 1, 2):
        found.append(f"exit code {result.exit_code}")
    if not stderr_is_one_message(result):
        found.append(f"stderr is not one 'kbtui: ' line: {result.stderr[-400:]!r}")
    if result.exit_code == 0 and "--json" in COMMANDS[command]:
        try:
            json.loads(result.stdout)
        except ValueError as exc:
            found.append(f"exit 0 but stdout is not JSON ({exc}): {result.stdout[-200:]!r}")
    if seconds > float(TIME_LIMIT) + 5:
        found.append(f"took {seconds:.1f} s (time limit {TIME_LIMIT} s)")
    if command == "check" and result.exit_code == 0 and not sqlite_finds_it_sound(path):
        found.append("check passed a file SQLite's integrity_check rejects")
    return found


def stderr_is_one_message(result: Result) -> bool:
    """Nothing, or one line starting "kbtui: ". The one thing allowed before
    it: a name that is missing or ambiguous (exit 1) lists its candidates,
    one a line ("  id<TAB>kind<TAB>name"), as it does on an undamaged KB."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if not lines:
        return True
    *candidates, last = lines
    if not last.startswith("kbtui: "):
        return False
    return not candidates or (
        result.exit_code == 1 and all(c.startswith("  ") and c.count("\t") == 2 for c in candidates)
    )


def sqlite_finds_it_sound(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def fuzz_one(path: Path, seed: int, lay: Layout, commands: list[str]) -> list[str]:
    """Write mutant `seed` to `path`, run `commands` on it; every problem found."""
    data, what = mutant(seed, lay)
    path.write_bytes(data)
    before = fingerprint(path)
    found = []
    for command in commands:
        result, seconds = run(path, command)
        case = f"seed {seed} [{what}] `kbtui {' '.join(COMMANDS[command])}`"
        found += [f"{case}: {p}" for p in problems_of(path, command, result, seconds)]
        after = fingerprint(path)
        if after != before:
            found.append(f"{case}: the file changed {before} -> {after}")
            path.write_bytes(data)
            for extra in path.parent.glob(path.name + "?*"):
                extra.unlink()
            before = fingerprint(path)
    return found


# --- the tests -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def layout(sample_db: Path) -> Layout:
    return read_layout(sample_db)


def test_the_mutants_are_what_the_docstring_says(layout: Layout):
    assert len(SCHEDULE) == MUTANTS
    assert sorted(s for c in range(CHUNKS) for s in chunk_seeds(c)) == list(range(SEED_BASE, SEED_BASE + MUTANTS))
    assert layout.index_pages and all(layout.index_pages.values())
    first, again = mutant(SEED_BASE + 7, layout), mutant(SEED_BASE + 7, layout)
    assert first == again and first[0] != layout.data, "a mutant is not reproducible, or not damaged"
    for kind, count in COUNTS.items():
        assert f"{kind:<13} {count:>3}" in __doc__, kind


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda c: f"chunk{c:02d}")
def test_damaged_kb_every_read_command(chunk: int, layout: Layout, tmp_path: Path):
    found = []
    for seed in chunk_seeds(chunk):
        commands = [c for c in COMMANDS if (seed, c) not in KNOWN_FAILURES]
        found += fuzz_one(tmp_path / f"mutant-{seed}.db", seed, layout, commands)
    assert not found, f"{len(found)} problem(s):\n  " + "\n  ".join(found)


def test_no_known_failures_remain():
    """Every failure the fuzz found is fixed; a new one goes into
    KNOWN_FAILURES only with a strict xfail test of its own, here."""
    assert KNOWN_FAILURES == {}


# Mutants for the explorer, of every kind that still opens (and one that
# does not): some searches and entity loads work, some fail with a notice.
TUI_SEEDS = [
    20240001,  # bitflip: search fails (undecodable text)
    20240050,  # zero: most commands fail
    20240096,  # copy: a page of sources over a claims page
    20240152,  # truncate-mid: refused at open, the error screen
    20240204,  # header: reserved bytes, the name index cannot be read
    20240223,  # index: sources index with 65535 cells
    20240253,  # index: entities index replaced, chen-wenqing not found by id
    20240304,  # table: aliases page bits
    20240035,  # index: an event's row hidden (was a TypeError in queries.event)
    20240248,  # index: citations_claim returns a claim id not asked for (was a KeyError)
]


@pytest.mark.tui
@pytest.mark.parametrize("seed", TUI_SEEDS)
async def test_damaged_kb_in_the_explorer(seed: int, layout: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from kbtui.tui.app import create_app
    from tests.helpers import screen_text, settle, type_text

    monkeypatch.setenv("KBTUI_TIMEOUT", TIME_LIMIT)
    data, what = mutant(seed, layout)
    path = tmp_path / f"mutant-{seed}.db"
    path.write_bytes(data)
    before = fingerprint(path)
    try:
        async with asyncio.timeout(60):
            app = create_app(path)
            async with app.run_test(size=(100, 30)) as pilot:
                await settle(pilot)
                await type_text(pilot, "chen")
                await settle(pilot)
                await pilot.press("enter")
                await settle(pilot)
                shown = screen_text(app)
    except BaseException as exc:
        raise AssertionError(f"seed {seed} [{what}]: the explorer raised {exc!r}") from exc
    assert "Traceback" not in shown, f"seed {seed} [{what}]: a traceback on screen"
    assert fingerprint(path) == before, f"seed {seed} [{what}]: the file changed"


if __name__ == "__main__":  # replay: python -m tests.hostile.test_mutation_fuzz SEED OUT.db
    import sys
    import tempfile

    from kbtui.kb.importer import import_bundle
    from kbtui.kb.paths import sample_bundle_path

    seed, out = int(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "sample.db"
        import_bundle(sample_bundle_path(), original)
        data, what = mutant(seed, read_layout(original))
    out.write_bytes(data)
    print(f"seed {seed}: {what}\nwritten to {out}")
