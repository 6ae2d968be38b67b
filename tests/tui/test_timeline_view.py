"""The timeline driven with Pilot on the sample KB: `t` on an entity's pane
opens its dated items grouped by year, Enter on an item opens the
citation that dates it in the source viewer (its quote highlighted), back
returns to the same row; F7 opens the whole KB's timeline, which pages as
the cursor reaches its end."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from kbtui.tui import data as kbdata
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.screens.timeline import TimelineScreen
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import open_entity, screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)
TODAY = "2024-06-01"
TRIP = "Chen Wenqing's trip to Russia (April 20-28, 2024) begins"


def timeline(app: KbtuiApp) -> TimelineScreen:
    assert isinstance(app.screen, TimelineScreen), type(app.screen).__name__
    return app.screen


def row_text(table: ClaimTable, row: int) -> str:
    return " ".join(str(cell) for cell in table.get_row_at(row))


async def open_chen(pilot: Pilot) -> None:
    await open_entity(pilot, "chen wenqing")


async def test_t_opens_the_entitys_timeline_and_enter_drills_to_the_quote(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_chen(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = timeline(app)
        shown = screen_text(app)
        assert "Timeline of Chen Wenqing" in shown
        assert "2024-04-20" in shown and TRIP in shown
        assert "Timeline: Chen Wenqing" in shown.splitlines()[0]  # breadcrumb

        table = screen.table
        assert isinstance(app.focused, ClaimTable) and app.focused is table
        assert row_text(table, 0).startswith("2024")  # the year's header row
        trip = next(n for n in range(table.row_count) if TRIP in row_text(table, n))
        assert row_text(table, trip).startswith("2024-04-20")

        # the evidence pane follows the cursor: the trip's claim, every citation
        await pilot.press(*["down"] * (trip - table.cursor_row))
        await settle(pilot)
        info = table.current
        assert info is not None and info.claim is not None and info.citation is not None
        assert screen.evidence.claim is info.claim
        cited, source = info.citation
        quote = next(c["quote"] for c in info.claim["citations"] if c["id"] == cited)

        await pilot.press("enter")  # the citation that dates it, in the source viewer
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.history.current.source_id == source and app.history.current.citation_id == cited
        viewer = app.screen.query_one(SourceText)
        current = viewer.citations[viewer.current]
        assert current["id"] == cited and current["quote"] == quote
        assert viewer.text[current["start"] : current["end"]] == quote
        first = viewer.line_of(current["start"])
        top = viewer.scroll_offset.y
        assert top <= first < top + viewer.scrollable_content_region.height
        strip = viewer.render_line(first - top)
        assert any(seg.style and seg.style.reverse for seg in strip)  # highlighted

        await pilot.press("escape")  # back: the same row of the timeline
        await settle(pilot)
        assert timeline(app).table.cursor_row == trip
        assert app.focused is timeline(app).table

        await pilot.press("o")  # the entity the item names: the trip itself
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.pane.data is not None and "trip" in app.screen.pane.data["name"]
        await pilot.press("backspace")
        await settle(pilot)
        assert timeline(app).table.cursor_row == trip

        await pilot.press("c")  # all the item's citations
        assert isinstance(app.focused, EvidenceList)
        await pilot.press("escape", "escape")  # evidence → rows → back to the entity
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.pane.data is not None and app.screen.pane.data["id"] == "chen-wenqing"


async def test_f7_opens_the_whole_kbs_timeline_and_it_pages(kb_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kbdata, "TIMELINE_PAGE", 10)
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        screen = timeline(app)
        assert "Timeline of the whole KB · 10+ dated items" in screen_text(app)
        table = screen.table
        first_page = [(i.claim or {}).get("id") for i in table.infos if not i.more]
        assert table.current is not None and table.current.more is False
        assert table.infos[-1].more  # the "more" row

        await pilot.press("G")  # to the end: the next page comes
        await settle(pilot)
        assert screen.items == 20
        claims = [(i.claim or {}).get("id") for i in table.infos if not i.more]
        assert claims[: len(first_page)] == first_page  # the page goes on after the last one
        rows = [row_text(table, n) for n in range(table.loaded)]
        # one header per year, in order, never repeated across pages
        years = [r for r in rows if len(r.split()[0]) == 4 and r.strip() == r.split()[0]]
        assert years == sorted(set(years))
        dates = [r.split()[0] for r in rows]
        assert dates == sorted(dates)

        while table.infos[-1].more:  # read on to the end
            await pilot.press("G")
            await settle(pilot)
        assert "+" not in screen_text(app).splitlines()[1]
        assert screen.items > 20


async def test_t_without_an_entity_says_what_it_needs(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.set_focus(None)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert any("Open an entity first" in str(n.message) for n in app._notifications)


def test_snapshot_entity_timeline_at_80x24(kb_path: Path, snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_chen(pilot)
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=(80, 24), run_before=run_before)


async def test_the_cursor_steps_over_the_year_headings(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        table = timeline(app).table
        headings = [n for n, info in enumerate(table.infos) if info.heading]
        assert headings[0] == 0 and len(headings) > 1  # the sample spans several years
        assert table.cursor_row == 1
        await pilot.press("up")  # above the first item is only its year: the cursor stays
        assert table.cursor_row == 1
        second = headings[1]
        table.move_cursor(row=second - 1)
        await pilot.press("down")  # over the next year's heading, to its first item
        assert table.cursor_row == second + 1
        await pilot.press("up")
        assert table.cursor_row == second - 1
        await pilot.press("g")
        assert table.cursor_row == 1


async def test_f_narrows_the_timeline_to_dates_and_back_keeps_them(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        screen = timeline(app)
        everything = screen.items
        await pilot.press("f")
        assert app.focused is screen.dates_box
        await type_text(pilot, "2024-04")
        await pilot.press("enter")
        await settle(pilot)
        assert "Timeline of the whole KB in 2024-04 · 11 dated items" in screen_text(app)
        assert 0 < screen.items < everything
        dates = [row_text(screen.table, n).split()[0] for n in range(screen.table.loaded)]
        # kept: what overlaps April 2024 ("2024" does, being the whole year)
        assert set(dates) <= {"2024", "2024-04", "2024-04-20", "2024-04-28"}
        assert app.focused is screen.table

        await pilot.press("f")
        screen.dates_box.value = ""
        await type_text(pilot, "2024-13")  # no such month: said, nothing changes
        await pilot.press("enter")
        await settle(pilot)
        assert any("'2024-13' is not a date" in str(n.message) for n in app._notifications)
        assert screen.dates == ("2024-04", "2024-04") and screen.items == 11
        await pilot.press("escape")  # from the box to the rows, not out of the timeline
        assert app.focused is screen.table

        await pilot.press("down", "enter")  # a quote, and back: the same dates and row
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        row = app.history.trail()[-2].state["row"]
        await pilot.press("escape")
        await settle(pilot)
        screen = timeline(app)
        assert screen.dates == ("2024-04", "2024-04") and screen.dates_box.value == "2024-04"
        assert screen.table.cursor_row == row

        await pilot.press("f")
        screen.dates_box.value = ""
        await type_text(pilot, "2023..")  # from 2023 on
        await pilot.press("enter")
        await settle(pilot)
        assert "from 2023" in screen_text(app)
        assert all(row_text(screen.table, n).split()[0] >= "2023" for n in range(screen.table.loaded))


async def test_a_page_key_or_a_click_never_leaves_the_cursor_on_a_year(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        screen = timeline(app)
        table = screen.table
        for _ in range(4):
            await pilot.press("pagedown")
            await settle(pilot)
            assert not table.infos[table.cursor_row].heading
            assert screen.evidence.claim is not None
        headings = [n for n, info in enumerate(table.infos) if info.heading]
        table.move_cursor(row=headings[1])  # as a click on a year would
        await settle(pilot)
        assert table.cursor_row == headings[1] + 1
