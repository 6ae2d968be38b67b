"""The neighbours view, driven with Pilot on the sample KB: `n` on Nikolai
Patrushev's pane lists what he is linked to, two hops out (the meetings he
took part in, then Chen Wenqing through them), each row's link claim with
its evidence below; `1` keeps the direct links only; Enter opens a
neighbour and back returns to the same row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.tui import data as kbdata
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.neighbours import NeighboursScreen
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import open_entity, screen_text, settle

pytestmark = pytest.mark.tui

SIZE = (110, 36)
TODAY = "2024-06-01"


def neighbours_of(app: KbtuiApp) -> NeighboursScreen:
    assert isinstance(app.screen, NeighboursScreen), type(app.screen).__name__
    return app.screen


def row_text(table: ClaimTable, row: int) -> str:
    return " ".join(str(cell) for cell in table.get_row_at(row))


async def test_n_lists_two_hops_and_each_row_is_a_cited_link(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "patrushev")
        await pilot.press("n")
        await settle(pilot)
        screen = neighbours_of(app)
        assert "Neighbours of Nikolai Patrushev · 29 within 2 hops (5 direct)" in screen_text(app)
        table = screen.table
        assert isinstance(app.focused, ClaimTable) and app.focused is table
        hops = [str(table.get_row_at(n)[2]) for n in range(table.row_count)]
        assert hops == sorted(hops)  # the direct links first
        ids = [info.link[0] for info in table.infos if info.link]
        chen = ids.index("chen-wenqing")
        assert "via Chen Wenqing–Patrushev meeting" in row_text(table, chen)

        # the evidence follows the cursor: the claim of the row's link
        await pilot.press(*["down"] * chen)
        await settle(pilot)
        info = table.current
        assert info is not None and info.claim is not None and screen.evidence.claim is info.claim
        assert info.claim["id"].startswith("chen-patrushev-")

        await pilot.press("enter")  # the neighbour
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.pane.data is not None and app.screen.pane.data["id"] == "chen-wenqing"
        await pilot.press("backspace")
        await settle(pilot)
        assert neighbours_of(app).table.cursor_row == chen

        await pilot.press("1")  # direct links only
        await settle(pilot)
        screen = neighbours_of(app)
        assert "5 within 1 hop" in screen_text(app)
        assert screen.table.row_count == 5
        assert "chen-wenqing" not in [i.link[0] for i in screen.table.infos if i.link]


def test_two_hops_from_a_hub_fall_back_to_one(kb_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbtui.kb import neighbours

    monkeypatch.setattr(neighbours, "HOP2_FROM", 3)  # Patrushev's 5 direct neighbours make him a hub
    found = kbdata.neighbours_page(kb_path, "nikolai-patrushev", 2)
    assert found.page["hops"] == 1 and found.page["total"] == 5
    assert found.refused


async def test_pages_come_as_the_cursor_reaches_the_end(kb_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kbdata, "NEIGHBOURS_PAGE", 10)
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "patrushev")
        await pilot.press("n")
        await settle(pilot)
        table = neighbours_of(app).table
        assert table.loaded == 10 and table.infos[-1].more
        await pilot.press("G")
        await settle(pilot)
        while table.infos[-1].more:
            await pilot.press("G")
            await settle(pilot)
        assert table.loaded == 29
        assert len({i.link for i in table.infos if i.link}) == 29  # no neighbour twice across pages
