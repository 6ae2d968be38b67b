"""The path view: `p` on an entity, a name picked, the shortest evidence
paths (then longer ones), a hop's evidence and its quote in the source; and
"no path" said."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.path_data import PathsFound
from kbtui.tui.screens.path import PathScreen
from kbtui.tui.screens.pick_entity import PickEntityScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.evidence import EvidenceList, EvidencePane
from kbtui.tui.widgets.path_hops import HopList
from kbtui.tui.widgets.search import SearchInput
from tests.helpers import screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)
TODAY = "2024-06-01"


async def open_entity(pilot: Pilot, query: str) -> None:
    box = pilot.app.screen.query_one(SearchInput)
    box.focus()
    box.value = query
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def path_to(pilot: Pilot, name: str) -> None:
    """`p`, the name typed in the picker, Enter."""
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickEntityScreen)
    await type_text(pilot, name)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def hop_claims(app: KbtuiApp) -> list[str | None]:
    """The claim of each option of the list (None: a path's chain)."""
    return [item.hop["claim"]["id"] if item else None for item in app.screen.query_one(HopList).items]


async def test_path_from_chen_to_patrushev_drills_to_the_quote(kb_path: Path):
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "patrushev")
        screen = app.screen
        assert isinstance(screen, PathScreen)
        shown = screen_text(app)
        assert "Chen Wenqing → Nikolai Patrushev" in shown
        assert "3 shortest paths of 2 hops, then 2 longer" in shown
        # the best path first: both took part in the April 2024 meeting
        assert "1. Chen Wenqing —took part in→ Chen Wenqing–Patrushev meeting in Russia" in shown
        assert hop_claims(app)[:3] == [
            None,
            "chen-patrushev-meeting-2024--chen-wenqing",
            "chen-patrushev-meeting-2024--nikolai-patrushev",
        ]
        claims = hop_claims(app)
        # three shortest paths, each its chain and two hops; a line where the
        # longer ones begin; two of three hops
        assert claims.count(None) == 6 and len(claims) == 6 + 3 * 2 + 2 * 3
        assert claims[9:11] == [None, None]
        # the first hop is selected and its evidence shown below
        hops = screen.query_one(HopList)
        assert hops.current is not None
        assert hops.current.hop["claim"]["id"] == "chen-patrushev-meeting-2024--chen-wenqing"
        evidence = screen.query_one(EvidencePane)
        assert evidence.current_citation is not None
        assert "He also met with Nikolai Patrushev" in evidence.current_citation["quote"]
        # Enter: to the hop's evidence; Enter again: the quote in its source
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, EvidenceList)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert "He also met with Nikolai Patrushev" in screen_text(app)
        # back: the path view again, at the same hop
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PathScreen)
        assert app.screen.query_one(HopList).highlighted == 1


async def test_longer_alternatives_follow_the_shortest(kb_path: Path):
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "patrushev")
        hops = app.screen.query_one(HopList)
        # down from the last shortest path's last hop: past the line and the
        # chain (neither is a hop) to the first longer path's first hop
        hops.highlighted = 8
        await pilot.press("down")
        await settle(pilot)
        assert hops.highlighted == 11
        assert hops.current is not None and hops.current.hop["from"]["id"] == "chen-wenqing"
        shown = screen_text(app)
        assert "longer alternatives (up to 4 hops)" in shown
        assert "4. [3 hops] Chen Wenqing —advises→ Xi Jinping" in shown
        assert "1. [" not in shown


async def test_o_opens_the_entity_a_hop_reaches(kb_path: Path):
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "patrushev")
        await pilot.press("o")
        await settle(pilot)
        assert app.explorer is not None and app.screen is app.explorer
        assert app.explorer.pane.data is not None
        assert app.explorer.pane.data["id"] == "chen-patrushev-meeting-2024"


async def test_no_path_is_said_not_an_empty_screen(evidence_kb_path: Path):
    # in this KB nothing joins Chen Wenqing to Xi Jinping
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "xi jinping")
        assert isinstance(app.screen, PathScreen)
        shown = screen_text(app)
        assert "Chen Wenqing → Xi Jinping" in shown
        assert "Not connected" in shown
        assert not app.screen.query_one(HopList).display


def flat(app: KbtuiApp) -> str:
    """The screen's words with the wrapping undone."""
    return " ".join(screen_text(app).split())


async def test_plus_searches_one_hop_further(kb_path: Path):
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "patrushev")
        screen = app.screen
        assert isinstance(screen, PathScreen)
        # a search held to one hop: none, and + finds the two-hop paths
        screen.location.hops = 1
        screen.search(screen.location)
        await settle(pilot)
        assert "No path within 1 hop. Press + to search one hop further." in screen_text(app)
        await pilot.press("plus")
        await settle(pilot)
        assert "3 shortest paths of 2 hops" in screen_text(app)
        assert screen.location.hops == 2
        # three paths, fewer than the five asked, all within 2 hops: + goes on
        assert "none longer within 2 hops: + searches one further" in flat(app)
        await pilot.press("plus")
        await settle(pilot)
        assert screen.location.hops == 3
        assert "3 shortest paths of 2 hops, then 2 longer" in flat(app)
        assert isinstance(screen.found, PathsFound)
        assert [p["length"] for p in screen.found.paths["paths"]] == [2, 2, 2, 3, 3]
        # five listed: a longer path would rank after all of them, so + does nothing
        assert "+ searches one further" not in flat(app)
        await pilot.press("plus")
        await settle(pilot)
        assert screen.location.hops == 3


async def test_escape_in_the_picker_changes_nothing(kb_path: Path):
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await pilot.press("p")
        await settle(pilot)
        await type_text(pilot, "patru")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.explorer
        assert app.history.current.kind == "entity"


def test_snapshot_path_view_at_80x24(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(SearchInput).cursor_blink = False
        await open_entity(pilot, "chen wenqing")
        await path_to(pilot, "patrushev")

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=(80, 24), run_before=run_before)
