"""The explorer's search box on the sources' text (ctrl+t): passages, the
source viewer opened at the passage, and back to the same search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from kbtui.kb.grep import Passage
from kbtui.tui import data as kbdata
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.search import ResultsList, SearchInput, SearchPanel
from kbtui.tui.widgets.source_text import SourceText
from tests.helpers import screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)
TODAY = "2024-06-01"
# in two sources of the sample, near the end of the best one: the viewer
# must scroll to show it
QUERY = "outlets"


def panel(app: KbtuiApp) -> SearchPanel:
    assert app.explorer is not None
    return app.explorer.query_one(SearchPanel)


def status(app: KbtuiApp) -> str:
    return str(panel(app).query_one("#results-status", Static).render())


def errors(app: KbtuiApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def sources_mode(pilot: Pilot[Any], app: KbtuiApp) -> SearchPanel:
    """Focus the box and switch it to the sources' text."""
    search = panel(app)
    search.input.focus()
    await pilot.press("ctrl+t")
    await settle(pilot)
    assert search.scope == "sources"
    return search


async def test_a_passage_opens_the_source_at_its_words_and_back(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        search = panel(app)
        assert search.scope == "names" and search.input.placeholder == "Search names…"

        await sources_mode(pilot, app)
        assert search.input.placeholder == "Search the sources' text…"
        assert "Type words to find" in status(app)

        await type_text(pilot, QUERY)
        await settle(pilot)
        expected = kbdata.grep(kb_path, QUERY)
        assert expected.sources == 2
        assert search.passages == expected.passages and search.hits == []
        assert search.query_one(ResultsList).option_count == len(expected.passages)
        assert "2 sources hold it" in status(app)
        shown = screen_text(app)
        first: Passage = search.passages[0]
        assert first.source_id in shown and QUERY in shown

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        viewer = app.screen.query_one(SourceText)
        assert viewer.found == (first.start, first.end)
        assert viewer.text[first.start : first.end].casefold() == QUERY
        line = viewer.line_of(first.start)
        height = viewer.scrollable_content_region.height
        assert line >= height, "the passage is below the first screen: the test needs a scroll"
        top = int(viewer.scroll_offset.y)
        assert top <= line < top + height, (top, line, height)
        assert QUERY in screen_text(app).casefold()
        # marked where it is drawn
        assert (first.start, first.end) in [(a, b) for a, b, _ in viewer.marks(first.start, first.end)]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        search = panel(app)
        assert search.scope == "sources"
        assert search.input.value == QUERY
        assert search.input.placeholder == "Search the sources' text…"

        # back to names: the same query, searched as a name
        search.input.focus()
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert search.scope == "names" and search.input.placeholder == "Search names…"
        assert search.input.value == QUERY
        assert search.passages == []
        assert [h.id for h in search.hits] == [h.id for h in kbdata.search(kb_path, QUERY)]
        if not search.hits:
            assert "No match: try fewer letters." in status(app)
        assert not errors(app)


async def test_backspace_from_the_viewer_also_returns(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sources_mode(pilot, app)
        await type_text(pilot, "patrushev")
        await settle(pilot)
        search = panel(app)
        assert search.passages
        first = search.passages[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.screen.query_one(SourceText).found == (first.start, first.end)
        await pilot.press("backspace")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert panel(app).scope == "sources" and panel(app).input.value == "patrushev"


@pytest.mark.parametrize("query", ["((", '"', "* : ^"])
async def test_a_query_with_no_word_lists_nothing_and_fails_nothing(kb_path: Path, query: str) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        search = await sources_mode(pilot, app)
        box = app.screen.query_one(SearchInput)
        box.value = query
        await settle(pilot)
        assert search.passages == [] and search.hits == []
        assert search.query_one(ResultsList).option_count == 0
        assert "failed" not in status(app).casefold()
        assert not errors(app)
        await pilot.press("enter")  # nothing to open
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
