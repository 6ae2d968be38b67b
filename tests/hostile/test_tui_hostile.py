"""The TUI side of the hostile suite, against the app factory
`kbtui.tui.app.create_app(db_path)`: hostile text is shown literally or
made visible on every screen; hostile queries never break the search box;
an unusable database shows the CLI's message instead of starting; a 10 MB
source opens without freezing the UI."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from kbtui.kb import db
from kbtui.kb.errors import UnusableDatabase
from kbtui.tui.app import create_app
from tests.helpers import screen_text, settle

from .conftest import BIG_BYTES, DANGEROUS, NAME, REPO, fingerprint, subprocess_env

SIZE = (120, 40)


def inert(text: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in DANGEROUS.findall(text)})
    assert not bad, f"raw control/bidi characters on screen: {bad}"


async def search_for(pilot: Pilot, query: str) -> None:
    from kbtui.tui.widgets.search import SearchInput

    box = pilot.app.screen.query_one(SearchInput)
    box.focus()
    box.value = query
    await settle(pilot)


@pytest.mark.tui
@pytest.mark.slow
async def test_every_screen_shows_hostile_text_inert(hostile_db):
    from kbtui.tui.screens.source import SourceScreen

    before = fingerprint(hostile_db)
    app = create_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, "agent zero")
        text = screen_text(app)
        inert(text)
        assert "[bold red]Agent[/]" in text  # results list
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        inert(text)
        for literal in (
            "[bold red]Agent[/] [link=https://evil.example]Zero[/link] [/]",  # entity head
            "[link=https://evil.example]Zed[/link]",  # aliases
            "[blink]markup[/blink]",
            "␛[31mred",
            "<U+202E>evil",
        ):  # summary, name
            assert literal in text, literal
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        text = screen_text(app)
        inert(text)
        assert "Title [bold]T[/bold]" in text and "[link=https://evil.example]Outlet[/link]" in text
        assert "The [bold red]minister[/] said ␛[31mred" in text
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"agent")
        await settle(pilot)
        inert(screen_text(app))
    assert fingerprint(hostile_db) == before


@pytest.mark.tui
async def test_the_cited_quote_is_highlighted_even_beside_bidi_marks(hostile_db):
    from kbtui.tui.widgets.source_text import SourceText

    app = create_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, "agent zero")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c", "enter")
        await settle(pilot)
        viewer = app.screen.query_one(SourceText)
        current = viewer.citations[viewer.current]
        assert "minister" in current["quote"]
        first = viewer.line_of(current["start"])
        strip = viewer.render_line(first - viewer.scroll_offset.y)
        lit = "".join(seg.text for seg in strip if seg.style and seg.style.reverse)
        assert lit.startswith("The [bold red]minister[/] said ␛[31mred")


HOSTILE_QUERIES = [
    '"',
    "NEAR(",
    "*",
    "^",
    "(((",
    "AND OR NOT",
    "[bold]x[/bold]",
    "[link=https://e.example]x",
    "a" * 10_000,
    "习近平" * 1000,
    "'; DROP TABLE entities; --",
    "%_%",
    "😀" * 500,
]
CONTROL_QUERIES = ["\x1b]0;pwned\x07 agent", "\x1b[2J\x1b[31m", "\u202eevil", "\x9b31m", "\x00\x01\x02"]


@pytest.mark.tui
async def test_hostile_queries_in_the_search_box(hostile_db):
    from kbtui.tui.screens.explorer import ExplorerScreen

    before = fingerprint(hostile_db)
    app = create_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query in HOSTILE_QUERIES:
            await search_for(pilot, query)
            assert isinstance(app.screen, ExplorerScreen)
            text = screen_text(app)
            inert(text)
            assert "Traceback" not in text
            assert not [n for n in app._notifications if n.severity == "error"], query
        await search_for(pilot, "agent zero")
        assert "[bold red]Agent[/]" in screen_text(app)  # still searching after all that
    assert fingerprint(hostile_db) == before


@pytest.mark.tui
async def test_a_pasted_escape_sequence_stays_inert_in_the_search_box(hostile_db):
    app = create_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query in CONTROL_QUERIES:
            await search_for(pilot, query)
            inert(screen_text(app))


def _broken(kind: str, path: Path, good: Path) -> None:
    if kind == "directory":
        path.mkdir()
    elif kind == "text file":
        path.write_text("not a database\n")
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[:4096])
    elif kind in {"foreign SQLite", "newer", "older"}:
        if kind == "foreign SQLite":
            conn = sqlite3.connect(path)
            conn.execute("CREATE TABLE t (x)")
        else:
            shutil.copy(good, path)
            conn = sqlite3.connect(path)
            conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + (1 if kind == 'newer' else -1)}")
        conn.commit()
        conn.close()


@pytest.mark.tui
@pytest.mark.parametrize("kind", ["missing", "directory", "text file", "truncated", "foreign SQLite", "older"])
async def test_an_unusable_database_shows_the_cli_message_instead_of_starting(tmp_path, mini_db, kind):
    from kbtui.tui.screens.error import ErrorScreen

    path = tmp_path / "kb.db"
    _broken(kind, path, mini_db)
    before = fingerprint(path) if path.exists() else None
    with pytest.raises(UnusableDatabase) as expected:
        db.connect_readonly(path)
    app = create_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        shown = str(app.screen.query_one("#error-text").render())
        assert expected.value.message in shown and expected.value.hint in shown
        assert "Traceback" not in screen_text(app)
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 2
    if before is None:
        assert not path.exists()
    else:
        assert fingerprint(path) == before


@pytest.mark.tui
async def test_a_locked_database_shows_a_message_not_a_hang(tmp_path, mini_db, monkeypatch):
    from kbtui.tui.screens.error import ErrorScreen

    path = tmp_path / "kb.db"
    shutil.copy(mini_db, path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setenv("KBTUI_BUSY_TIMEOUT", "0.2")
    try:
        app = create_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ErrorScreen)
            assert "locked" in screen_text(app)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- a 10 MB source -----------------------------------------------------------------

VIEWER_SCRIPT = """
import asyncio, sys, time
from kbtui.tui.app import create_app
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.search import SearchInput
from tests.helpers import settle

async def main():
    app = create_app(sys.argv[1])
    gaps, last = [0.0], [time.monotonic()]
    def tick():
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        box = app.screen.query_one(SearchInput)
        box.focus()
        box.value = "chen wenqing"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.set_interval(0.02, tick)
        last[0] = time.monotonic()
        started = time.monotonic()
        await pilot.press("c", "enter")
        await settle(pilot)
        opened = time.monotonic() - started
        assert isinstance(app.screen, SourceScreen), type(app.screen).__name__
        for key in ("n", "N", "end", "home", "pagedown"):
            await pilot.press(key)
            await settle(pilot)
        print(f"opened={opened:.2f} max_gap={max(gaps):.2f}")
asyncio.run(main())
"""


@pytest.mark.tui
@pytest.mark.slow
def test_a_10_mb_source_opens_without_freezing_the_ui(big_source_db):
    """In a child process, so a frozen UI costs this suite 6 s, not 15+:
    the event loop must never stall for more than half a second."""
    assert big_source_db.stat().st_size > BIG_BYTES
    try:
        r = subprocess.run(
            [sys.executable, "-c", VIEWER_SCRIPT, str(big_source_db)],
            capture_output=True,
            text=True,
            timeout=6,
            env=subprocess_env(),
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("opening the 10 MB source took more than 6 s")
    assert r.returncode == 0, r.stderr[-2000:]
    stats = dict(part.split("=") for part in r.stdout.split())
    assert float(stats["max_gap"]) < 0.5, r.stdout
    assert float(stats["opened"]) < 5, r.stdout


def test_hostile_name_constant_is_really_hostile():
    """Guard for this file: if NAME lost its escapes, the inert() checks
    above would pass vacuously."""
    assert DANGEROUS.search(NAME) and "[bold red]" in NAME


def test_the_cli_passes_on_the_apps_exit_code(mini_copy, monkeypatch):
    """The CLI checks the KB before starting the TUI; if it becomes unusable
    between that check and the app's own (the TUI then shows its error
    screen and quits with 2), `kbtui` must still exit 2, not 0."""
    from kbtui.tui import app as tui_app

    from .conftest import cli

    class Quits:
        return_code = 2

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui_app, "create_app", lambda path: Quits())
    r = cli("--db", str(mini_copy))
    assert r.exit_code == 2
