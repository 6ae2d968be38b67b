"""Interlocks in the explorer, driven with Pilot on the sample KB: the
Ministry of State Security's pane lists the bodies it shares people with
(the Central Political and Legal Affairs Commission, through Chen Wenqing);
Enter on that row lists who links the two, each tie a cited claim (his
former headship of the ministry, his current one of the commission); the
evidence drills down to the quote in its source; back returns to the same
rows. A person's pane has no interlocks table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.tui import data as kbdata
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.interlocks import InterlocksScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import open_entity, screen_text, settle

pytestmark = pytest.mark.tui

SIZE = (110, 36)
TODAY = "2024-06-01"
MSS = "ministry-of-state-security"
CPLAC = "central-political-and-legal-affairs-commission"


def explorer_of(app: KbtuiApp) -> ExplorerScreen:
    assert isinstance(app.screen, ExplorerScreen), type(app.screen).__name__
    return app.screen


def interlocks_of(app: KbtuiApp) -> InterlocksScreen:
    assert isinstance(app.screen, InterlocksScreen), type(app.screen).__name__
    return app.screen


async def test_the_interlocks_table_leads_to_the_people_and_their_evidence(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        explorer = await open_entity(pilot, "ministry of state security")
        table = explorer.pane.table("interlocks")
        assert table.display and table.row_count == 1
        assert "Interlocks: bodies sharing people with it  1" in screen_text(app)
        row = " ".join(str(c) for c in table.get_row_at(0))
        assert "Central Political" in row and "Chen Wenqing" in row
        assert table.infos[0].interlock is not None and table.infos[0].interlock[2] == CPLAC

        table.focus()
        await settle(pilot)
        assert "share 1 person" in screen_text(app)  # the evidence pane says what the row is
        await pilot.press("enter")
        await settle(pilot)
        screen = interlocks_of(app)
        shown = screen_text(app)
        assert "Chen Wenqing links Ministry of State Security and Central Political" in shown
        assert app.history.current.entity_id == MSS and app.history.current.goal_id == CPLAC
        ties = screen.table
        assert isinstance(app.focused, ClaimTable) and app.focused is ties
        rows = [" ".join(str(c) for c in ties.get_row_at(n)) for n in range(ties.row_count)]
        assert len(rows) == 2
        assert "Ministry of State Security" in rows[0] and "former" in rows[0]
        assert "Central Political" in rows[1] and "current" in rows[1]

        # the evidence follows the cursor: each tie is a cited claim
        first = screen.evidence.claim
        assert first is not None and first is ties.infos[0].claim
        await pilot.press("down")
        await settle(pilot)
        claim = screen.evidence.claim
        assert claim is not None and claim is ties.infos[1].claim and claim is not first
        quote = claim["citations"][0]["quote"]

        await pilot.press("c")
        assert isinstance(app.focused, EvidenceList)
        await pilot.press("enter")  # the quote, highlighted in its source
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        viewer = app.screen.query_one(SourceText)
        current = viewer.citations[viewer.current]
        assert viewer.text[current["start"] : current["end"]] == quote

        await pilot.press("escape")  # back: the same tie
        await settle(pilot)
        screen = interlocks_of(app)
        assert screen.table.cursor_row == 1

        await pilot.press("escape")  # from the evidence to the ties
        await pilot.press("enter")  # the person
        await settle(pilot)
        assert explorer_of(app).pane.data is not None and explorer_of(app).pane.data["id"] == "chen-wenqing"
        # a person's pane has no interlocks table
        assert not explorer_of(app).pane.table("interlocks").display

        await pilot.press("backspace")
        await settle(pilot)
        await pilot.press("escape")  # back to the ministry, at its interlocks row
        await settle(pilot)
        explorer = explorer_of(app)
        assert explorer.pane.data is not None and explorer.pane.data["id"] == MSS
        assert app.focused is explorer.pane.table("interlocks")


def test_interlocks_are_read_for_bodies_only(kb_path: Path) -> None:
    assert kbdata.interlocks_of(kb_path, "chen-wenqing") is None
    found = kbdata.interlocks_of(kb_path, MSS)
    assert found is not None and [r["organisation"]["id"] for r in found["interlocks"]] == [CPLAC]
    pair = kbdata.interlock_pair(kb_path, MSS, CPLAC)
    assert pair.found["count"] == 1
    ties = pair.found["people"][0]["ties"]
    assert set(pair.evidence) == {t["claim"]["id"] for side in ("a", "b") for t in ties[side]}


async def test_a_new_theme_keeps_the_interlocks(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        explorer = await open_entity(pilot, "ministry of state security")
        table = explorer.pane.table("interlocks")
        table.focus()
        await settle(pilot)
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await settle(pilot)
        assert table.display and table.row_count == 1 and app.focused is table
        assert "Interlocks: bodies sharing people with it  1" in screen_text(app)
