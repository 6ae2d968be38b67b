"""The explorer shows the evidence model: when a claim is attested (never a
bare "current"), each citation's date, stance, certainty, mode and speaker,
properties and descriptors, conflicts, disputed claims and errata.

On a small KB of its own (tests/tui/conftest.py, EVIDENCE_KB), so each value
is known: a contradicting citation, a likely and a reported citation with a
speaker entity, a demand, a property, a conflict and an erratum."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.command import CommandPalette

from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.conflicts import ConflictsScreen
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.help import HelpScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.conflicts import ConflictList
from kbtui.tui.widgets.search import SearchInput
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)
TODAY = "2024-06-01"  # a month after the wire's 2024-05-03: its evidence is fresh


def explorer(app: KbtuiApp) -> ExplorerScreen:
    assert app.explorer is not None
    return app.explorer


def flat(app: KbtuiApp) -> str:
    """The screen as one line: wrapped lines joined, box edges dropped (so a
    phrase the terminal wrapped is still found)."""
    return " ".join(screen_text(app).replace("│", " ").split())


def cells(table: ClaimTable, row: int) -> str:
    return " | ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(row))


def row_of(table: ClaimTable, claim_id: str) -> int:
    return next(i for i, info in enumerate(table.infos) if info.claim and info.claim["id"] == claim_id)


async def open_entity(pilot, query: str) -> None:
    box = pilot.app.screen.query_one(SearchInput)
    box.focus()
    box.value = query
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def select(pilot, table_name: str, claim_id: str) -> ClaimTable:
    """Focus a table of the entity pane with its cursor on `claim_id`."""
    table = explorer(pilot.app).pane.table(table_name)
    table.focus()
    table.move_cursor(row=row_of(table, claim_id))
    await settle(pilot)
    return table


# --- 1. roles: attested, never a bare "current" ------------------------------------


async def test_roles_say_when_they_are_attested_not_current(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        roles = explorer(app).pane.table("roles")
        row = cells(roles, row_of(roles, "patrushev-secretary"))
        assert "● as of 2024-05-03" in row and "⚠ contradicted" in row
        assert "current" not in flat(app)

        await open_entity(pilot, "chen wenqing")
        roles = explorer(app).pane.table("roles")
        assert "○ former by 2024-05-03" in cells(roles, row_of(roles, "chen-former-mss"))
        # its only citation is a demand: no evidence that it is so
        assert "✗ not attested" in cells(roles, row_of(roles, "chen-head-commission"))


async def test_old_evidence_reads_last_attested(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today="2026-01-01")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        roles = explorer(app).pane.table("roles")
        assert "◌ last attested 2024-05-03" in cells(roles, 0)
        text = flat(app)
        assert "attested 2019 … 2024-05-03 (20 months ago)" in text


async def test_role_export_has_attested_columns(evidence_kb_path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        await pilot.press("e", "enter")
        await settle(pilot)
    rows = list(csv.DictReader((tmp_path / "nikolai-patrushev-roles.csv").open(encoding="utf-8")))
    assert rows[0]["status"] == "current"  # the data as stated: the export keeps it
    assert (rows[0]["attested_first"], rows[0]["attested_last"]) == ("2019", "2024-05-03")
    assert rows[0]["independent_sources"] == "1"


# --- 2. the evidence pane ----------------------------------------------------------


async def test_evidence_pane_shows_date_stance_certainty_and_speaker(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        await pilot.press("c")
        await settle(pilot)
        text = flat(app)
        assert "attested 2019 … 2024-05-03" in text and "1 independent source" in text
        assert "✗ 1 of 3 citations contradicts it" in text
        assert "as of 2019 ('in 2019') · supports" in text
        # the contradicting citation: undated (with why), reported, by a speaker who is no entity
        assert "undated: the gazette prints no date · ✗ contradicts · reported (relayed)" in text
        assert "said by Kremlin press office" in text

        await open_entity(pilot, "chen wenqing")
        await select(pilot, "roles", "chen-head-commission")
        text = flat(app)
        assert "demand — not evidence it is so" in text and "said by Wang Yi" in text
        assert "no citation asserts it is so" in text
        await select(pilot, "relations", "chen-met-patrushev")
        assert "likely (hedged)" in flat(app)

        # the speaker is an entity: `s` on the citation opens its pane
        await pilot.press("c", "s")
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "wang-yi"


async def test_a_click_on_the_speaker_opens_it(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await select(pilot, "relations", "chen-met-patrushev")
        lines = screen_text(app).splitlines()
        y = next(n for n, line in enumerate(lines) if "said by Wang Yi" in line)
        x = lines[y].index("Wang Yi", lines[y].index("said by"))
        await pilot.click(offset=(x + 1, y))
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "wang-yi"


async def test_a_conflict_links_to_the_conflicts_view(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "xi jinping")
        roles = explorer(app).pane.table("roles")
        assert "⚠ disputed" in cells(roles, row_of(roles, "xi-premier"))
        relations = await select(pilot, "relations", "xi-leads-china")
        # in conflict with the premier claim, which the KB marks disputed: settled, no flag
        assert "⚠" not in cells(relations, row_of(relations, "xi-leads-china"))
        # the other claim, in words (loaded by the screen for the pane)
        assert "⚔ conflicts with: Xi Jinping: Premier of Chinese government — marked disputed" in flat(app)

        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        items = app.screen.query_one(ConflictList)
        assert items.current is not None and items.current.claim_id == "xi-leads-china"
        assert app.screen.evidence.claim["id"] == "xi-leads-china"

        await pilot.press("enter")  # the claim's entity
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and explorer(app).pane.data["id"] == "xi-jinping"
        await pilot.press("left_square_bracket")  # back: the view, where we were
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.query_one(ConflictList).current.claim_id == "xi-leads-china"


# --- 3. properties and descriptors -------------------------------------------------


async def test_properties_link_their_values_and_show_evidence(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "xi jinping")
        props = explorer(app).pane.table("properties")
        assert "习近平 (zh)" in cells(props, 0)

        await open_entity(pilot, "chen wenqing")
        text = flat(app)
        assert "called: “Xi's security chief” (as of 2024-05-03)" in text
        # a cited descriptor is a claim: its evidence is one row away
        props = await select(pilot, "properties", "chen-wenqing--alias--xi-s-security-chief")
        assert explorer(app).evidence.claim["id"] == "chen-wenqing--alias--xi-s-security-chief"
        assert "Chen Wenqing, Xi's security chief" in flat(app)

        await open_entity(pilot, "patrushev")
        props = await select(pilot, "properties", "nikolai-patrushev--nationality--russia")
        assert "nationality" in cells(props, 0) and "Russia" in cells(props, 0)
        assert "inferred (not said outright)" in flat(app)
        await pilot.press("enter")  # the value is an entity: its pane
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "russia"
        assert "“Moscow” (metonym)" in flat(app)


# --- 4. the source viewer ----------------------------------------------------------


async def test_source_viewer_explains_citations_and_marks_errata(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "xi jinping")
        await select(pilot, "roles", "xi-premier")
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        text = flat(app)
        assert "as of 2024-05-03 · supports" in text
        # the quote holds an erratum: explained at once
        assert "Erratum 1 of 1: “Chinese premier” — the source says Xi Jinping is China's premier" in text
        assert "correct: Xi Jinping is China's leader" in text
        viewer = app.screen.query_one(SourceText)
        start, end = viewer.errata[0]["span"]
        assert viewer.text[start:end] == "Chinese premier"
        line = viewer.line_of(start) - int(viewer.scroll_offset.y)
        assert any(seg.style and seg.style.strike for seg in viewer.render_line(line))

        # n to another citation: the erratum is no longer explained; x brings it back
        await pilot.press("n")
        await settle(pilot)
        assert "Erratum 1 of 1" not in flat(app)
        await pilot.press("x")
        await settle(pilot)
        assert viewer.erratum == 0 and "Erratum 1 of 1" in flat(app)

        # a citation whose speaker is an entity: s opens it
        likely = next(n for n, c in enumerate(viewer.citations) if c["claim_id"] == "chen-met-patrushev")
        while viewer.current != likely:
            await pilot.press("n")
        await settle(pilot)
        assert "likely (hedged) · said by Wang Yi" in flat(app)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and explorer(app).pane.data["id"] == "wang-yi"


# --- 5. the conflicts view ---------------------------------------------------------


async def test_conflicts_view_from_the_palette_lists_everything(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(SearchInput).blur()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "conflicts")
        palette = app.screen
        for _ in range(100):  # the palette searches asynchronously; poll its list
            await pilot.pause(0.02)
            options = palette.query_one("CommandList")
            if options.option_count and "Conflicts" in str(options.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        items = app.screen.query_one(ConflictList)
        listed = [item.claim_id for item in items.items if item is not None and item.claim_id]
        # both sides of the conflict, then the disputed and the contradicted claim
        assert listed == ["xi-leads-china", "xi-premier", "patrushev-secretary", "xi-premier"]
        items.scroll_home(animate=False)
        text = flat(app)
        assert "The wire calls Xi premier; the gazette calls him China's leader." in text
        assert "“Xi Jinping, the Chinese leader”" in text and "“Chinese premier Xi Jinping”" in text

        # an erratum opens its source, at the error
        erratum = next(n for n, item in enumerate(items.items) if item is not None and item.erratum)
        items.highlighted = erratum
        await settle(pilot)
        assert "Not a claim" in flat(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.screen.query_one(SourceText).erratum == 0
        assert "Erratum 1 of 1" in flat(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)


async def test_help_lists_the_conflicts_view(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        app.screen.query_one(SearchInput).blur()
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.text.plain
        assert "Conflicts view" in help_text and "conflicts, disputed claims and errata" in help_text
        assert "next of the source's own errors" in help_text and "open the pane of who says it" in help_text


async def test_a_click_on_the_speaker_in_the_source_viewer_opens_it(evidence_kb_path: Path):
    app = create_app(evidence_kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await select(pilot, "relations", "chen-met-patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        lines = screen_text(app).splitlines()
        y = next(n for n, line in enumerate(lines) if "said by Wang Yi" in line)
        x = lines[y].index("Wang Yi", lines[y].index("said by"))
        await pilot.click(offset=(x + 1, y))
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and explorer(app).pane.data["id"] == "wang-yi"
