"""Keys that behave, and provenance in the source viewer (issue 15):
Escape back into the search box never selects the query (so the next
backspace cannot erase it whole); the viewer's head says what a source
relays and the curator's note on it, `v` shows the whole note."""

from __future__ import annotations

from pathlib import Path

from kbtui.tui.app import create_app
from kbtui.tui.screens.fulltext import FullTextScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.search import ResultsList, SearchInput
from tests.helpers import screen_text, settle

TODAY = "2024-06-01"


async def test_escape_back_to_the_box_keeps_the_query(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#search", SearchInput)
        box.value = "chen wen qing"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ResultsList)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is box
        assert box.selection.start == box.selection.end == len(box.value)  # nothing selected
        await pilot.press("backspace")
        await settle(pilot)
        assert box.value == "chen wen qin"  # one letter, not the query
        await pilot.press("escape")  # Escape in the box, the one way to clear it
        await settle(pilot)
        assert box.value == ""


async def test_the_viewer_shows_what_a_source_relays_and_its_note(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        app.screen.query_one("#search").value = "wechat"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        text = screen_text(app)
        assert "relays The New York Times report" in text
        assert "note: The text has no headline" in text and "(v: the whole note)" in text
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, FullTextScreen)
        assert "Western allies" in screen_text(app)  # the end of the note, cut in the head
