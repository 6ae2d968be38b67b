"""The evidence pane keeps the selected citation in view, whole, even at
80x24, and `z` gives it the full height and back (issue 15)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from kbtui.tui.app import create_app
from kbtui.tui.widgets.evidence import EvidenceList
from tests.helpers import screen_text, settle

TODAY = "2024-06-01"


async def _chen(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#search").value = "chen wen qing"
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def _citation_lines(app, index: int) -> tuple[str, str]:
    """The selected citation's quote and the start of its outlet line."""
    cite = app.explorer.evidence.citations[index]
    return cite["quote"][:30], cite["source"]["outlet"]


async def test_the_selected_citation_is_whole_in_view_at_80x24(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _chen(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert len(app.explorer.evidence.citations) >= 3
        for index in (1, 2):
            await pilot.press("j")
            await settle(pilot)
            assert app.screen.query_one(EvidenceList).highlighted == index
            quote, outlet = _citation_lines(app, index)
            text = screen_text(app)
            at = text.find(quote)
            assert at >= 0, (index, quote)
            assert outlet in text[at:], (index, outlet)  # its outlet line shows below its quote


async def test_z_zooms_the_evidence_to_full_height_and_back(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _chen(pilot)
        pane = app.explorer.pane
        assert pane.display
        await pilot.press("z")
        await settle(pilot)
        evidence = app.explorer.evidence
        assert evidence.has_class("-zoomed") and not pane.display
        assert isinstance(app.focused, EvidenceList)
        text = screen_text(app)
        for cite in evidence.citations:  # every citation of the claim shows
            assert cite["quote"][:25] in text
        await pilot.press("z")
        await settle(pilot)
        assert not evidence.has_class("-zoomed") and pane.display
