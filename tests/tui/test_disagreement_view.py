"""Disagreement at a glance, driven with Pilot on the sample KB: Xi
Jinping's pane carries a "sources disagree" marker; `d` (or a click on the
marker) lines up RT's "premier" against the leader, both quoted, and RT's
erratum against what is right; ← → choose the side whose evidence shows
below, `c` and Enter drill down to the quote in its source, Enter on the
erratum's words opens the source at its error, and back returns to the same
pair and side. An entity the sources agree about has no marker, and `d`
says so instead of opening an empty view."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.disagreement import DisagreementScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.side_by_side import PairList
from kbtui.tui.widgets.source_text import SourceText
from tests.helpers import open_entity, screen_text, settle

pytestmark = pytest.mark.tui

SIZE = (110, 40)
TODAY = "2024-06-01"


def disagreement(app: KbtuiApp) -> DisagreementScreen:
    assert isinstance(app.screen, DisagreementScreen), type(app.screen).__name__
    return app.screen


async def test_d_lines_up_both_sides_and_drills_to_each_quote(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        explorer = await open_entity(pilot, "xi jinping")
        assert "⚔ sources disagree: 1 conflict · 1 erratum  d: side by side" in screen_text(app)

        await pilot.press("d")
        await settle(pilot)
        screen = disagreement(app)
        shown = screen_text(app)
        assert "Where the sources disagree about Xi Jinping  1 conflict · 1 erratum" in shown
        assert "Disagree: Xi Jinping" in shown.splitlines()[0]  # breadcrumb
        # side by side: both claims on one line, each with its own quote below
        assert any("Leader of China" in line and "Premier of Chinese government" in line for line in shown.splitlines())
        assert "“their respective leaders, Xi Jinping and" in shown and "“Chinese premier Xi Jinping”" in shown
        pairs = screen.pairs
        assert isinstance(app.focused, PairList) and pairs.highlighted == 0 and pairs.side == 0
        assert screen.evidence.claim is not None and screen.evidence.claim["id"] == "xi-jinping-leader-china"

        await pilot.press("right")  # the other side: RT's premier, disputed
        await settle(pilot)
        assert pairs.side == 1
        assert screen.evidence.claim is not None and screen.evidence.claim["id"] == "xi-jinping-premier-per-rt"
        assert "▶ the other side" in screen_text(app)

        await pilot.press("enter")  # its citations
        assert isinstance(app.focused, EvidenceList)
        await pilot.press("enter")  # the quote, in its source
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.history.current.citation_id == 20
        viewer = app.screen.query_one(SourceText)
        cite = viewer.citations[viewer.current]
        assert viewer.text[cite["start"] : cite["end"]] == "Chinese premier Xi Jinping"

        await pilot.press("escape")  # back: the same pair and side
        await settle(pilot)
        screen = disagreement(app)
        assert screen.pairs.highlighted == 0 and screen.pairs.side == 1

        screen.pairs.focus()
        await pilot.press("down", "left")  # the erratum: RT's words in error
        await settle(pilot)
        assert screen.pairs.highlighted == 1 and screen.pairs.side == 0
        assert "its words: “Chinese premier”" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.history.current.erratum_id == "rt-xi-premier"

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # from the pairs, back to Xi's pane
        await settle(pilot)
        assert app.screen is explorer
        assert explorer.pane.data is not None and explorer.pane.data["id"] == "xi-jinping"


async def test_a_click_on_the_marker_opens_the_view(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "russia")
        header = pilot.app.screen.query_one("#entity-header")
        line = next(n for n, row in enumerate(str(header.render()).splitlines()) if "sources disagree" in row)
        await pilot.click("#entity-header", offset=(3, line))
        await settle(pilot)
        shown = screen_text(app)
        disagreement(app)
        assert "1 disputed claim · 1 erratum" in shown
        assert "for it" in shown and "against it" in shown
        assert "“stating that they did not think an invasion" in shown


async def test_the_sources_agree_no_marker_and_d_says_so(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        explorer = await open_entity(pilot, "chen wenqing")
        assert "sources disagree" not in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is explorer
        assert any("The sources agree about Chen Wenqing" in str(n.message) for n in app._notifications)


async def test_back_returns_to_the_same_citation_of_the_same_side(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "xi jinping")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("c", "down")  # the leader's second citation
        await settle(pilot)
        screen = disagreement(app)
        assert isinstance(app.focused, EvidenceList) and screen.evidence.highlighted_index == 1
        cited = screen.evidence.citations[1]["id"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen) and app.history.current.citation_id == cited
        await pilot.press("escape")
        await settle(pilot)
        screen = disagreement(app)
        assert isinstance(app.focused, EvidenceList)
        assert screen.evidence.highlighted_index == 1
        assert screen.evidence.claim is not None and screen.evidence.claim["id"] == "xi-jinping-leader-china"


async def test_a_click_chooses_a_side_and_opens_nothing(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "xi jinping")
        await pilot.press("d")
        await settle(pilot)
        screen = disagreement(app)
        pairs = screen.pairs
        await pilot.click("#pair-list", offset=(pairs.size.width - 10, 5))  # the first pair's right column
        await settle(pilot)
        assert isinstance(app.screen, DisagreementScreen) and app.focused is pairs
        assert pairs.highlighted == 0 and pairs.side == 1
        assert screen.evidence.claim is not None and screen.evidence.claim["id"] == "xi-jinping-premier-per-rt"
        assert "▶ the other side: Xi Jinping: Premier of Chinese government" in screen_text(app)


async def test_the_side_against_a_disputed_claim_starts_at_the_quote_against_it(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "russia")
        await pilot.press("d")
        await settle(pilot)
        screen = disagreement(app)
        cites = screen.evidence.citations
        assert screen.evidence.highlighted_index == 0 and cites[0]["stance"] == "supports"
        await pilot.press("right")
        await settle(pilot)
        index = screen.evidence.highlighted_index
        assert index is not None and cites[index]["stance"] == "contradicts" and cites[index]["id"] == 209
        assert "▶ against it" in screen_text(app)


async def test_many_conflicts_never_hide_the_errata(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from kbtui.tui.widgets import side_by_side

    conn = sqlite3.connect(sample_copy)
    with conn:  # a second conflict about Xi
        conn.execute(
            "INSERT INTO conflicts (claim_id, other_id, note) VALUES"
            " ('xi-jinping-friend-of-vladimir-putin', 'xi-jinping-leader-china', 'a second one')"
        )
    conn.close()
    monkeypatch.setattr(side_by_side, "SHOWN", 1)  # one of each kind listed
    app = create_app(sample_copy, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_entity(pilot, "xi jinping")
        await pilot.press("d")
        await settle(pilot)
        pairs = disagreement(app).pairs
        kinds = [p["kind"] if p else None for p in pairs.listed]
        assert kinds == ["conflict", None, "erratum"]
        assert "1 more of this kind" in screen_text(app)
        await pilot.press("down")  # over the "more" line, to the erratum
        await settle(pilot)
        assert pairs.pair is not None and pairs.pair["kind"] == "erratum"
        assert "2. erratum" in " ".join(screen_text(app).split())
