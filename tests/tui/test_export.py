"""`e` on a table: a dialog asks where and in which format, then the rows
are written with their citations (quotes as stored in the KB). Escape
writes nothing; a directory that cannot take the files is said in the
dialog. Works on any ContentScreen, not only the explorer."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from kbtui.kb.models import Evidence
from kbtui.tui import data as kbdata
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.look import Look
from kbtui.tui.screens.base import ContentScreen
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.export import ExportScreen
from kbtui.tui.widgets.claim_rows import RowInfo
from kbtui.tui.widgets.search import SearchInput
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)


def role_quotes(db: Path, holder: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {
            q
            for (q,) in conn.execute(
                "SELECT ci.quote FROM citations ci JOIN roles r ON r.claim_id = ci.claim_id WHERE r.holder_id = ?",
                (holder,),
            )
        }


async def open_entity(pilot, query: str) -> None:
    box = pilot.app.screen.query_one(SearchInput)
    box.focus()
    box.value = query
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def ask(pilot, directory: Path | str) -> ExportScreen:
    """Press `e` on the focused table and type `directory` into the dialog."""
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    dialog.query_one(Input).value = str(directory)
    return dialog


def notices(app: App[Any]) -> list[str]:
    return [n.message for n in app._notifications]


async def test_e_writes_the_roles_with_their_quotes(kb_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path / "..")
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        assert isinstance(app.focused, ClaimTable) and app.focused.id == "roles"
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.query_one(Input).value == str(tmp_path.parent)  # the working directory first
        text = screen_text(app)
        assert "Chen Wenqing: roles" in text and "chen-wenqing-roles.csv" in text
        dialog.query_one(Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        written = tmp_path / "chen-wenqing-roles.csv"
        lines = list(csv.DictReader(written.open(encoding="utf-8", newline="")))
        assert {line["quote"] for line in lines} == role_quotes(kb_path, "chen-wenqing")
        assert all(line["holder_id"] == "chen-wenqing" and line["outlet"] and line["source_id"] for line in lines)
        n_roles = len({line["role_id"] for line in lines})
        assert f"Wrote {n_roles} rows with {len(lines)} citations to {written}" in notices(app)


async def test_json_is_chosen_in_the_list(kb_path: Path, tmp_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        dialog = await ask(pilot, tmp_path)
        await pilot.press("tab", "down")  # CSV, JSON, both
        assert dialog.formats == ("json",)
        assert "nikolai-patrushev-roles.json" in str(dialog.query_one("#export-files", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        objects = json.loads((tmp_path / "nikolai-patrushev-roles.json").read_text(encoding="utf-8"))
        quotes = {c["quote"] for o in objects for c in o["citations"]}
        assert quotes == role_quotes(kb_path, "nikolai-patrushev")
        assert all(c["source"]["id"] and "as_of" in c for o in objects for c in o["citations"])
        assert not list(tmp_path.glob("*.csv"))


async def test_both_formats(kb_path: Path, tmp_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        dialog = await ask(pilot, tmp_path)
        dialog.query_one(OptionList).highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "nikolai-patrushev-roles.csv",
            "nikolai-patrushev-roles.json",
        ]


async def test_escape_cancels_and_writes_nothing(kb_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        table = app.focused
        await ask(pilot, tmp_path)
        await pilot.press("q")  # types in the box: no quitting from the dialog by a letter
        assert app.is_running and app.screen.query_one(Input).value.endswith("q")
        await pilot.press("tab")  # the format list: q there does not quit either
        await settle(pilot)
        assert not isinstance(app.focused, Input)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ExportScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and app.focused is table
        assert list(tmp_path.iterdir()) == []


async def test_a_missing_directory_is_said_in_the_dialog(kb_path: Path, tmp_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        missing = tmp_path / "no" / "such"
        dialog = await ask(pilot, missing)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # still asking
        problem = str(dialog.query_one("#export-problem", Static).render())
        assert problem == f"There is no directory {missing}. Create it first, or type one that exists."
        said = screen_text(app)
        assert "There is no directory" in said and "Traceback" not in said
        dialog.query_one(Input).value = str(tmp_path)  # fixed: now it writes
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "chen-wenqing-roles.csv").exists() and not missing.exists()


async def test_the_sources_table_exports_each_source(kb_path: Path, tmp_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        assert isinstance(app.screen, ExplorerScreen)
        app.screen.pane.table("sources").focus()
        await ask(pilot, tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        lines = list(csv.DictReader((tmp_path / "chen-wenqing-sources.csv").open(encoding="utf-8", newline="")))
        assert lines and all(line["source_id"] and "published" in line and "via" in line for line in lines)
        assert any(f"Wrote {len(lines)} rows to" in n for n in notices(app))


# --- any screen with a ClaimTable -----------------------------------------------------


class TableScreen(ContentScreen):
    """A place with one table of claims, as an overview will have."""

    def __init__(self, db_path: Path, claim_ids: list[str]) -> None:
        super().__init__(db_path)
        self.claim_ids = claim_ids

    def compose(self) -> ComposeResult:
        yield ClaimTable(id="claims", export_header=["claim_id", "n"])

    def on_mount(self) -> None:
        table = self.query_one(ClaimTable)
        table.set_columns("Claim")
        claims = [cast(Evidence, {"id": c}) for c in self.claim_ids]
        table.set_rows([([c["id"]], RowInfo(claim=c, export=[c["id"], n])) for n, c in enumerate(claims)])
        table.focus()

    def capture(self) -> dict[str, Any]:
        return {}

    def apply_look(self, look: Look) -> None:
        pass

    def current_citation(self) -> kbdata.CitedQuote | None:
        return None


class OneTableApp(App[None]):
    def __init__(self, screen: ContentScreen) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def test_export_works_on_any_content_screen(kb_path: Path, tmp_path: Path):
    with sqlite3.connect(kb_path) as conn:
        claims = [r[0] for r in conn.execute("SELECT DISTINCT claim_id FROM citations ORDER BY claim_id LIMIT 3")]
    app = OneTableApp(TableScreen(kb_path, claims))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        lines = list(csv.DictReader((tmp_path / "claims.csv").open(encoding="utf-8", newline="")))
        assert {line["claim_id"] for line in lines} == set(claims) and all(line["quote"] for line in lines)


async def test_the_palette_entry_opens_the_dialog(kb_path: Path, tmp_path: Path):
    app: KbtuiApp = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_entity(pilot, "chen wenqing")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "export table")
        palette = app.screen
        for _ in range(100):  # the palette searches asynchronously; poll its list
            await pilot.pause(0.02)
            options = palette.query_one("CommandList", OptionList)
            if options.option_count and "Export table with its evidence" in str(options.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
