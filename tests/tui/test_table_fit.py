"""Entity tables fit their pane: at 80 columns no table scrolls sideways,
the citation count is on screen, and a cut cell ends in "…" (the evidence
pane above says the row whole)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.tui.app import create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import settle
from tests.tui.test_journeys import open_by_search

pytestmark = pytest.mark.tui


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_events_table_fits_and_shows_its_counts(kb_path: Path, size: tuple[int, int]) -> None:
    app = create_app(kb_path, today="2024-06-01")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "nikolai patrushev")
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        table = screen.pane.table("events")
        assert table.row_count > 5
        assert table.virtual_size.width <= table.size.width, "no sideways scrolling"
        right = sum(c.get_render_width(table) for c in table.columns.values())
        assert right <= table.size.width + 2, "the last column, Cites, is on screen"
        names = [str(getattr(c, "plain", c)) for c in table.get_column("Event · who else took part")]
        if size[0] == 80:
            assert any(n.endswith("…") for n in names), "long names are cut with an ellipsis"
        table.focus()
        table.move_cursor(row=0)
        await settle(pilot)
        # the row cut in the table is whole above its evidence
        summary = screen.evidence.summary
        assert summary.startswith("Event: Chen Wenqing–Patrushev meeting in Russia (April 2024)")
        assert " · as " in summary


async def test_a_resize_refits_the_tables(kb_path: Path) -> None:
    """Whatever room the pane gets after a resize (the layout may put the
    evidence beside it), the table is refitted to it: no sideways
    scrolling, and more room shows more of the names."""
    app = create_app(kb_path, today="2024-06-01")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "nikolai patrushev")
        table = app.screen.query_one("#events", ClaimTable)

        def seen() -> tuple[int, int]:
            names = [str(getattr(c, "plain", c)) for c in table.get_column("Event · who else took part")]
            return table.fit_width, sum(map(len, names))

        rooms = []
        for size in ((160, 40), (80, 24), (200, 50)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert table.virtual_size.width <= table.size.width, size
            rooms.append(seen())
        assert len({room for room, _ in rooms}) == 3, "each size gave the table another width"
        by_room = sorted(rooms)
        assert [shown for _, shown in by_room] == sorted(shown for _, shown in by_room), "more room, more shown"
        assert by_room[0][1] < by_room[-1][1]
