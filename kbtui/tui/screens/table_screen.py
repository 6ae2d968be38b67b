"""A place that lists rows in one ClaimTable above the evidence pane: the
timeline, the neighbours view, the people linking two organisations. What
they share — the layout, fitting the table to its width, a new location
or a changed KB read again, where the user was captured and put back — is
here; each says what its rows are and how they are read.

Layout, by the subclass's NAME ("timeline"): a head (`compose_head`,
by default a Static #NAME-head), then #NAME-body holding the table
#NAME-table and the evidence pane, then the key bar.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from kbtui.tui.history import Location
from kbtui.tui.look import Look
from kbtui.tui.screens.base import EvidenceScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.tables import ClaimTable

TABLE_SCROLLBAR = 2  # the table's own scroll bar, left out of the width its columns fit


class TableScreen(EvidenceScreen):
    NAME: ClassVar[str]  # the ids' prefix
    COLUMNS: ClassVar[tuple[str, ...] | list[str]]
    PROSE: ClassVar[frozenset[str] | tuple[str, ...]]  # the columns that give way when the table is too wide
    EXPORT_HEADER: ClassVar[list[str]]

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield from self.compose_head()
        with Vertical(id=f"{self.NAME}-body"):
            yield ClaimTable(id=f"{self.NAME}-table", export_header=self.EXPORT_HEADER)
            yield EvidencePane(id="evidence")
        yield KeyBar()

    def compose_head(self) -> ComposeResult:
        yield Static("", id=f"{self.NAME}-head")

    @property
    def table(self) -> ClaimTable:
        return self.query_one(f"#{self.NAME}-table", ClaimTable)

    def item_list(self) -> Widget:
        return self.table

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.evidence.today = self.context.today
        self.evidence.look = self.context.look
        self.table.set_columns(*self.COLUMNS, prose=self.PROSE)
        self.enter(self.location)

    def on_resize(self) -> None:
        self.table.fit_to(self.table_width())

    def table_width(self) -> int:
        return max(self.table.size.width - TABLE_SCROLLBAR, 0)

    def apply_look(self, look: Look) -> None:
        self.evidence.look = look
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    # --- places ------------------------------------------------------------------

    @abstractmethod
    def enter(self, location: Location) -> None:
        """Show `location` from the start: clear, then read (restoring
        location.state once the rows are there)."""
        raise NotImplementedError

    def show_location(self, location: Location) -> None:
        """History came back here, or another place of this kind was opened."""
        if location is not self.location:
            self.location = location
            self.enter(location)

    def kb_changed(self) -> None:
        self.location.state = {**self.location.state, **self.capture()}
        self.enter(self.location)

    # --- where the user was -------------------------------------------------------

    def show_current(self) -> None:
        """The evidence of the row under the cursor."""
        info = self.table.current
        if info is not None and not info.more:
            self.evidence.show_claim(info.claim, info.summary, info.hint)

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "row": self.table.cursor_row,
            "scroll_y": self.table.scroll_y,
            "focus": focused.id if focused is not None else None,
            "evidence": self.evidence.highlighted_index,
        }

    def put_back(self, state: dict[str, Any]) -> None:
        """The cursor, scroll, evidence and focus as `capture` saw them
        (the rows they were on are loaded)."""
        row = state.get("row", 0)
        if isinstance(row, int) and 0 <= row < self.table.row_count:
            self.table.move_cursor(row=row, animate=False, scroll=False)
        self.table.call_after_refresh(self.table.scroll_to, y=state.get("scroll_y", 0), animate=False)
        self.show_current()
        self.evidence.restore(state.get("evidence"))
        self.refocus(state)
