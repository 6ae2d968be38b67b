"""The people who link two organisations (Enter on a row of an
organisation's interlocks table): each person's ties to either side, a role
held there or a relation with it, every tie a cited claim whose evidence
shows below. Enter (or a click on the name) opens the person; `c` goes to
the tie's citations, where Enter opens the quote in its source. A place in
history: Escape goes back to the organisation, at the same row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import ExportTable
from kbtui.tui.screens.base import EvidenceScreen
from kbtui.tui.screens.export import TableExport
from kbtui.tui.widgets import interlock_rows
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.tables import ClaimTable

TABLE_SCROLLBAR = 2


class InterlocksScreen(EvidenceScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="interlocks.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="go to the tie's citations", id="interlocks.evidence"),
        Binding("y", "copy_citation", "copy", show=False, id="interlocks.copy"),
    ]
    NO_EVIDENCE = "Highlight a tie first: its citations show below."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.pair: kbdata.InterlockPair | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="interlocks-head")
        with Vertical(id="interlocks-body"):
            yield ClaimTable(id="interlocks-table", export_header=interlock_rows.PAIR_EXPORT)
            yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def table(self) -> ClaimTable:
        return self.query_one("#interlocks-table", ClaimTable)

    def item_list(self) -> Widget:
        return self.table

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.evidence.today = self.context.today
        self.evidence.look = self.context.look
        self.table.set_columns(*interlock_rows.PAIR_COLUMNS, prose=interlock_rows.PAIR_PROSE)
        self._enter(self.location)

    def on_resize(self) -> None:
        self.table.fit_to(max(self.table.size.width - TABLE_SCROLLBAR, 0))

    def _head(self, text: Text) -> None:
        self.query_one("#interlocks-head", Static).update(text)

    def show_location(self, location: Location) -> None:
        if location is not self.location:
            self.location = location
            self._enter(location)

    def kb_changed(self) -> None:
        self.location.state = {**self.location.state, **self.capture()}
        self._enter(self.location)

    def _enter(self, location: Location) -> None:
        self.pair = None
        self.table.set_rows([])
        self.evidence.show_claim(None)
        self._head(Text("Reading who links them…", style=Style(dim=True)))
        self.load(location)

    def apply_look(self, look: Look) -> None:
        self.evidence.look = look
        if self.pair is not None:
            state = self.capture()
            self._show(self.pair)
            self._restore(state)
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    @work(thread=True, exclusive=True, group="interlocks")
    def load(self, location: Location) -> None:
        assert location.entity_id is not None and location.goal_id is not None
        pair = self.guarded(kbdata.interlock_pair, self.db_path, location.entity_id, location.goal_id)
        if pair is not None:
            self.app.call_from_thread(self._loaded, location, pair)

    def _loaded(self, location: Location, pair: kbdata.InterlockPair) -> None:
        if location is not self.location:
            return
        self.pair = pair
        self._show(pair)
        if location.state:
            self._restore(location.state)
        else:
            self.set_focus(self.table)
            self._show_current()

    def _show(self, pair: kbdata.InterlockPair) -> None:
        found = pair.found
        a, b, count = found["a"]["name"], found["b"]["name"], found["count"]
        if count == 1:
            head = Text(shown(found["people"][0]["entity"]["name"], 80), style=Style(bold=True))
            head.append(" links ")
        else:
            head = Text(f"{plural(count, 'person', 'people')} ", style=Style(bold=True))
            head.append("link ")
        head.append(shown(a, 80), style=Style(bold=True))
        head.append(" and ")
        head.append(shown(b, 80), style=Style(bold=True))
        if count:
            head.append("  ⏎ person · c citations of the tie", style=Style(dim=True))
        else:
            head.append("  nobody holds a role in (or works with) both", style=Style(dim=True))
        self._head(head)
        self.table.fit_width = max(self.table.size.width - TABLE_SCROLLBAR, 0)
        self.table.set_rows(interlock_rows.pair_rows(found, pair.evidence, self.context.look))

    def _show_current(self) -> None:
        info = self.table.current
        if info is not None:
            self.evidence.show_claim(info.claim, info.summary)

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "row": self.table.cursor_row,
            "scroll_y": self.table.scroll_y,
            "focus": focused.id if focused is not None else None,
            "evidence": self.evidence.highlighted_index,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        row = state.get("row", 0)
        if isinstance(row, int) and 0 <= row < self.table.row_count:
            self.table.move_cursor(row=row, animate=False, scroll=False)
        self.table.call_after_refresh(self.table.scroll_to, y=state.get("scroll_y", 0), animate=False)
        self._show_current()
        self.evidence.restore(state.get("evidence"))
        self.refocus(state)

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        loc = self.location
        stem = f"{loc.entity_id}-{loc.goal_id}-interlocks"
        return TableExport(stem, loc.title, event.header, len(event.rows), rows=event.rows)
